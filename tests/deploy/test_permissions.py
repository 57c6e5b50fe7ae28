"""Permissions proven, not assumed: whole conversations run through each function's own code against a DynamoDB
endpoint that refuses every call the generated CloudFormation does not grant that function's role (action and
table or index ARN, tests/deploy/iam.py), and counts the calls: no request path may Scan.

Each conversation is a list of steps, one line each, so a new feature's step (the voice callback of issue 15, say)
is one more line in its list. A grant broken on purpose makes a conversation fail, so the check can fail.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from shared.config import Settings
from shared.content import load_content
from shared.identity import hashed_id
from shared.records import CALLBACKS_BY_PHONE
from shared.stores import Store
from shared.stores.dynamodb import DynamoDBStore, make_client
from skill.app import build_skill, invoke
from skill.profile import LocalProfileApiClient, local_access_token
from sms import notifications
from sms.app import create_app
from sms.outbound import send_sms
from staff import inbox
from staff.app import create_app as create_staff_app
from tests.deploy.iam import PermissionEnforcingEndpoint, Policy, role_policy, without
from tests.dynamodb_local import REGION
from tests.server.test_staff_deployed import CLIENT_ID, Issuer
from tests.skill.alexa_device import KEEPING_HEALTH_DATA, AlexaDevice, plain
from tests.sms.conftest import TwilioPoster, sign
from tests.sms.twilio_api import FakeTwilioApi, status_report

pytestmark = pytest.mark.packaging

ROLES = {"alexa": "AlexaRole", "sms": "SmsRole", "staff_notify": "StaffNotifyRole", "staff": "StaffRole"}
TOKEN = "permissions-twilio-token-0a1b2c3d"
SALT = "permissions-hash-salt-9f8e7d6c5b"
ACCOUNT_SID = "AC" + "5" * 32
PUBLIC = "https://abc123defg.execute-api.us-east-1.amazonaws.com"
PATIENT = "+15550100123"
MOBILE = "+12125550142"  # the try-it profile client answers numbers in the fictional 555-01xx block only
CONTENT = load_content()
# What a reply says when the store refused it (sms/replies, "unavailable") or the skill could not reach it.
STORE_TROUBLE = ("text line has a problem", "having trouble", "couldn't", "could not")


@pytest.fixture
def logical_tables(dynamodb_table_names: dict[str, str]) -> dict[str, str]:
    """The template's table logical ids -> this test's tables on the local server."""
    return {f"{collection.capitalize()}Table": name for collection, name in dynamodb_table_names.items()}


@pytest.fixture
def admin_store(dynamodb_table_names: dict[str, str], dynamodb_endpoint: str) -> Store:
    """The tables read without any enforcement, to see what the conversations left."""
    return DynamoDBStore(dynamodb_table_names, endpoint_url=dynamodb_endpoint, region=REGION)


@dataclass
class Enforced:
    """A function's store, talking to DynamoDB through its role's enforcement layer."""

    store: Store
    endpoint: PermissionEnforcingEndpoint


@pytest.fixture
def enforced(
    template: dict[str, Any], logical_tables: dict[str, str], dynamodb_table_names: dict[str, str],
    dynamodb_endpoint: str,
) -> Iterator[Callable[..., Enforced]]:
    """enforced(function, policy=None): a store for that function under its role's grants (or `policy`)."""
    opened: list[PermissionEnforcingEndpoint] = []

    def build(function: str, policy: Policy | None = None) -> Enforced:
        policy = policy or role_policy(template, ROLES[function], logical_tables)
        endpoint = PermissionEnforcingEndpoint(dynamodb_endpoint, policy, role=ROLES[function]).__enter__()
        opened.append(endpoint)
        store = DynamoDBStore(dynamodb_table_names, client=make_client(endpoint.url, REGION))
        return Enforced(store, endpoint)

    yield build
    for endpoint in opened:
        endpoint.__exit__(None, None, None)


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi() as api:
        yield api


def settings_for(tmp_path: Path, twilio_api: FakeTwilioApi, **extra: Any) -> Settings:
    """Each function's settings as deployed: its public URL, Twilio's REST API (local), the salt."""
    return Settings(
        store="dynamodb", data_dir=tmp_path / "data", public_base_url=PUBLIC, hash_salt=SALT,
        twilio_auth_token=TOKEN, twilio_account_sid=ACCOUNT_SID, twilio_from_number="+15550100100",
        twilio_api_base=twilio_api.base_url, **extra,
    )


def assert_allowed_and_no_scan(endpoint: PermissionEnforcingEndpoint) -> None:
    """Every call was granted, and none read a whole table."""
    refused = [(call.operation, call.needed) for call in endpoint.refused()]
    assert refused == [], f"calls the role may not make: {refused}"
    assert "Scan" not in endpoint.operations()
    assert endpoint.calls, "the conversation made no DynamoDB call: it did not run against the table"


# --- SMS: symptom -> questions -> verdict -> TIPS -> CALL -> time -> DELETE, and Twilio's delivery report ---------

SMS_CONVERSATION = [
    "my calf locked up during my run",  # the symptom
    "no",  # a question
    "no",  # another: the verdict
    "TIPS",
    "CALL",
    "2",  # the time to call back: the request is stored
]


def sms_line(enforced_store: Store, settings: Settings) -> TwilioPoster:
    app = create_app(settings, enforced_store, CONTENT)
    poster = TwilioPoster(app.test_client(), sender=PATIENT)
    return poster


def signed_post(poster: TwilioPoster, text: str) -> str:
    reply = poster(text, signed_url=PUBLIC + "/sms", token=TOKEN)
    assert reply.status == 200
    return reply.text


def test_sms_conversation_runs_whole_under_the_sms_roles_grants(
    enforced: Callable[..., Enforced], admin_store: Store, tmp_path: Path, twilio_api: FakeTwilioApi
) -> None:
    sms = enforced("sms")
    poster = sms_line(sms.store, settings_for(tmp_path, twilio_api))
    replies = [signed_post(poster, text) for text in SMS_CONVERSATION]
    assert not any(trouble in reply for reply in replies for trouble in STORE_TROUBLE), replies
    assert "Your callback request is saved" in replies[-1]
    (callback,) = admin_store.scan("callbacks")
    assert callback.data["phone"] == PATIENT

    # Staff are texted by the notifier (its own role), and Twilio reports the text delivered to the SMS function.
    notify = enforced("staff_notify")
    settings = settings_for(tmp_path, twilio_api)
    assert notifications.send_owed(settings, notify.store, CONTENT).sent == 1
    (message,) = twilio_api.messages
    form = status_report(message, twilio_api.sids[0], "delivered")
    url = message["StatusCallback"]
    response = poster.client.post(
        "/sms/status?" + urlsplit(url).query, data=urlencode(form), content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": sign(form, url, TOKEN)},
    )
    assert response.status_code == 204
    assert admin_store.get("callbacks", callback.key).data["notified"] is True

    erased = signed_post(poster, "DELETE")
    assert "erased" in erased
    assert admin_store.scan("callbacks") == []
    assert_allowed_and_no_scan(sms.endpoint)
    assert_allowed_and_no_scan(notify.endpoint)


@pytest.mark.parametrize(
    ("action", "resource", "step"),
    [
        # Without the index grant DELETE cannot find the number's requests: it fails, nothing is erased.
        ("dynamodb:Query", "/index/callbacks_by_phone", "DELETE"),
        # Without PutItem on the callbacks table the request cannot be stored.
        ("dynamodb:PutItem", ":table/{callbacks}", "2"),
        # Without BatchGetItem no message can even be read.
        ("dynamodb:BatchGetItem", ":table/{conversations}", "my calf locked up during my run"),
    ],
)
def test_sms_conversation_fails_when_a_grant_is_broken_on_purpose(
    template: dict[str, Any], logical_tables: dict[str, str], dynamodb_table_names: dict[str, str],
    enforced: Callable[..., Enforced], tmp_path: Path, twilio_api: FakeTwilioApi,
    action: str, resource: str, step: str,
) -> None:
    broken = without(role_policy(template, "SmsRole", logical_tables), action, resource.format(**dynamodb_table_names))
    sms = enforced("sms", broken)
    poster = sms_line(sms.store, settings_for(tmp_path, twilio_api))
    for text in [*SMS_CONVERSATION, "DELETE"]:
        reply = signed_post(poster, text)
        if text == step:
            break
    assert sms.endpoint.refused(), "the broken grant was never needed"
    assert action in {needed[0] for call in sms.endpoint.refused() for needed in call.needed}
    assert step != "DELETE" or "erased" not in reply


# --- Alexa: launch -> verdict -> tips -> text me -> (link) -> callback -> forget -----------------------------------

ALEXA_CONVERSATION: list[Callable[[AlexaDevice], Any]] = [
    lambda device: device.launch(),
    lambda device: device.describe(body_part="calf", feeling="locked", context="exercise"),
    lambda device: device.no(),
    lambda device: device.no(),  # the verdict
    lambda device: device.intent("TipsIntent"),
    lambda device: device.intent("TextMeIntent"),
    lambda device: device.yes(),  # link this number's history with the voice one
    lambda device: device.callback(),  # "ask the clinic to call me": when?
    lambda device: device.callback("morning"),  # stored for staff
    lambda device: device.intent("ForgetHistoryIntent"),
]


def test_alexa_conversation_runs_whole_under_the_alexa_roles_grants(
    enforced: Callable[..., Enforced], admin_store: Store, tmp_path: Path, twilio_api: FakeTwilioApi
) -> None:
    alexa = enforced("alexa")
    settings = settings_for(tmp_path, twilio_api, alexa_skill_id=None)
    # The clinic's health-data switch on: the most the skill ever stores (history, link, a callback with its summary).
    skill = build_skill(settings, alexa.store, api_client=LocalProfileApiClient(), content=KEEPING_HEALTH_DATA,
                        send_text=functools.partial(send_sms, settings))
    device = AlexaDevice(lambda envelope: invoke(skill, envelope), api_access_token=local_access_token(MOBILE))
    *steps, forget = ALEXA_CONVERSATION
    speech = [plain(step(device).ssml) for step in steps]
    assert "texted" in speech[5] and "linked" in speech[6]
    assert speech[8].startswith("Done:")
    phone = hashed_id("phone", MOBILE, SALT)
    [callback] = admin_store.query(CALLBACKS_BY_PHONE, phone)
    assert callback.data["channel"] == "alexa" and callback.data["window"] == "morning"
    assert len(twilio_api.messages) == 1 and twilio_api.messages[0]["To"] == MOBILE
    speech.append(plain(forget(device).ssml))
    assert not any(trouble in said for said in speech for trouble in STORE_TROUBLE), speech
    # Forgotten on both sides of the link: the voice memory, the number's history and conversation, its callback.
    assert admin_store.query(CALLBACKS_BY_PHONE, phone) == []
    assert admin_store.get("attributes", phone) is None
    assert not [r for r in admin_store.scan("attributes") if r.key.startswith("alexa_")]
    assert_allowed_and_no_scan(alexa.endpoint)


# --- The staff inbox and the notifier ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    found = Issuer()
    yield found
    found.close()


def test_staff_inbox_and_notifier_work_under_their_roles_grants(
    enforced: Callable[..., Enforced], admin_store: Store, tmp_path: Path, twilio_api: FakeTwilioApi,
    issuer: Issuer,
) -> None:
    sms = enforced("sms")
    poster = sms_line(sms.store, settings_for(tmp_path, twilio_api))
    for text in SMS_CONVERSATION:
        signed_post(poster, text)
    (callback,) = admin_store.scan("callbacks")

    notify = enforced("staff_notify")
    settings = settings_for(tmp_path, twilio_api)
    stream_event = {"Records": [{"eventName": "INSERT", "dynamodb": {"Keys": {"pk": {"S": callback.key}}}}]}
    assert notifications.stream_callback_ids(stream_event) == [callback.key]
    assert notifications.send_one(settings, notify.store, CONTENT, callback.key) is True
    assert notifications.send_owed(settings, notify.store, CONTENT, time.time() + 3600).sent == 1  # unconfirmed

    staff = enforced("staff")
    app = create_staff_app(
        settings_for(tmp_path, twilio_api, staff_issuer=issuer.url, staff_client_id=CLIENT_ID), staff.store, CONTENT
    )
    client = app.test_client()
    headers = {"Authorization": f"Bearer {issuer.token()}"}
    rows = client.get("/staff/api/callbacks", headers=headers).get_json()["callbacks"]
    assert [row["key"] for row in rows] == [callback.key]
    history = client.get(f"/staff/api/callbacks/{callback.key}/history", headers=headers)
    assert history.status_code == 200
    text = client.post(f"/staff/api/callbacks/{callback.key}/text", headers=headers,
                       json={"body": inbox.default_text_back(CONTENT)})
    assert text.status_code == 200
    for status in ("called", "done"):
        assert client.post(f"/staff/api/callbacks/{callback.key}/status", headers=headers,
                           json={"status": status}).status_code == 200
    assert admin_store.get("callbacks", callback.key).data["status"] == "done"
    for role in (notify, staff):
        assert_allowed_and_no_scan(role.endpoint)


def test_every_role_reaches_only_the_tables_and_indexes_it_was_shown_to_need(
    template: dict[str, Any], logical_tables: dict[str, str]
) -> None:
    # The grants, as the report prints them: each a real need shown by the conversations above.
    granted = {function: role_policy(template, role, logical_tables).granted() for function, role in ROLES.items()}
    assert not any(action == "dynamodb:Scan" for pairs in granted.values() for action, _ in pairs)
    assert not any(resource.endswith("*") for pairs in granted.values() for _, resource in pairs)
