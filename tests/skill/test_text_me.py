"""'Alexa, text me that': the Customer Profile API and Twilio's REST API each served on loopback as the real
ones answer, the real ask-sdk service client and the real twilio client talking to them over HTTP."""

from __future__ import annotations

import functools
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model.services import ApiClientRequest

from shared import handover
from shared.config import Settings
from shared.content import load_content
from shared.identity import hashed_id
from shared.reader import read
from shared.render import SMS_LIMIT, is_gsm7, sms_length
from shared.stores import Store, store_from_settings
from shared.triage import assess
from skill.app import build_skill, invoke
from skill.profile import LocalProfileApiClient, e164, local_access_token
from skill.texting import compose_text
from sms import optouts
from sms.outbound import send_sms
from tests.skill.alexa_device import KEEPING_HEALTH_DATA, SKILL_ID, USER_ID, AlexaDevice
from tests.skill.profile_api import CONSENTED, MOBILE_NUMBER_PATH, NO_CONSENT, NO_NUMBER, FakeProfileApi
from tests.sms.twilio_api import FakeTwilioApi

SALT = "test-salt-for-text-me"
ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-twilio-auth-token-for-text-me"
LINE_NUMBER = "+15550100100"
MOBILE = "+15550001111"
CONTENT = load_content()
LEXICON = CONTENT.language("en-US").lexicon
WORDS = CONTENT.language("en-US").words
CLINIC = CONTENT.clinic
SCOPE = "alexa::profile:mobile_number:read"


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    """Twilio's Messages API on loopback."""
    with FakeTwilioApi() as api:
        yield api


@pytest.fixture
def settings(tmp_path: Path, twilio_api: FakeTwilioApi) -> Settings:
    """Skill settings with Twilio credentials, the REST client pointed at the local API."""
    return Settings(
        store="memory", data_dir=tmp_path / "data", alexa_skill_id=SKILL_ID, hash_salt=SALT,
        twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN, twilio_from_number=LINE_NUMBER,
        twilio_api_base=twilio_api.base_url,
    )


@pytest.fixture
def store() -> Store:
    """An empty in-memory store shared by the skill and the SMS line."""
    return store_from_settings("memory")


@pytest.fixture
def skill(settings: Settings, store: Store) -> CustomSkill:
    """The skill as deployed (ask-sdk's DefaultApiClient, the SMS line's sender), over the store, for a clinic in
    Amazon's HIPAA-eligible programme: clinic.yaml's health-data switch on (the switch off is tested below)."""
    return build_skill(settings, store, content=KEEPING_HEALTH_DATA, send_text=functools.partial(send_sms, settings))


@pytest.fixture
def default_speaker(
    settings: Settings, store: Store, profile_api: FakeProfileApi
) -> Callable[..., AlexaDevice]:
    """An Echo, consented, talking to the skill as packaged: the health-data switch off."""
    skill = build_skill(settings, store, send_text=functools.partial(send_sms, settings))
    return lambda **options: AlexaDevice(
        lambda envelope: invoke(skill, envelope), api_endpoint=profile_api.endpoint, api_access_token=CONSENTED,
        **options,
    )


@pytest.fixture
def speaker(skill: CustomSkill, profile_api: FakeProfileApi) -> Callable[..., AlexaDevice]:
    """An Echo whose requests carry the local API endpoint and a token that decides the profile's answer."""
    return lambda token=CONSENTED, **options: AlexaDevice(
        lambda envelope: invoke(skill, envelope), api_endpoint=profile_api.endpoint, api_access_token=token, **options
    )


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def phone_hash(number: str = MOBILE) -> str:
    """The store key of a number under the test salt."""
    return hashed_id("phone", number, SALT)


def reach_calf_cramp_verdict(device: AlexaDevice) -> None:
    """Describe a calf cramp during exercise and answer the two questions, up to the verdict."""
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    verdict = device.no()
    assert "cramp" in verdict.speech


def test_text_me_after_verdict_sends_summary_relief_and_clinic_number_through_twilio(
    speaker: Callable[..., AlexaDevice], twilio_api: FakeTwilioApi, profile_api: FakeProfileApi
) -> None:
    device = speaker()
    reach_calf_cramp_verdict(device)

    reply = device.intent("TextMeIntent")

    assert reply.speech.startswith("Done. I've texted the summary and the clinic's number to your mobile.")
    assert profile_api.requests == [{"path": MOBILE_NUMBER_PATH, "authorization": f"Bearer {CONSENTED}"}]
    [request] = twilio_api.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert request["basic_auth"] == (ACCOUNT_SID, AUTH_TOKEN)
    assert request["form"]["To"] == MOBILE
    assert request["form"]["From"] == LINE_NUMBER
    body = request["form"]["Body"]
    relief = WORDS["relief"][assess(read("hard knot in my calf during exercise", LEXICON), CONTENT).relief_id]
    assert body.startswith(f"Cramp Check by {CLINIC['name']}.\nMost likely a cramp")
    assert f"Right now: {relief}" in body
    assert CLINIC["phone"] in body
    assert body.endswith("Not a diagnosis. Reply CALL, TIPS or STOP.")
    assert is_gsm7(body) and sms_length(body) <= SMS_LIMIT


def test_text_me_without_consent_sends_permission_card_and_texts_nothing(
    speaker: Callable[..., AlexaDevice], twilio_api: FakeTwilioApi
) -> None:
    device = speaker(NO_CONSENT)
    reach_calf_cramp_verdict(device)

    reply = device.intent("TextMeIntent")

    # One short sentence (issue 15): the permission card does the rest.
    assert reply.speech == "I need your permission to text you; see your Alexa app."
    assert reply.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
    assert reply.ends_session
    assert twilio_api.requests == []


def test_text_me_with_no_api_access_token_asks_permission_without_calling_the_api(
    speaker: Callable[..., AlexaDevice], twilio_api: FakeTwilioApi, profile_api: FakeProfileApi
) -> None:
    reply = speaker("").intent("TextMeIntent")

    assert reply.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
    assert profile_api.requests == [] and twilio_api.requests == []


def test_text_me_when_profile_has_no_number_says_so_and_gives_the_clinic_number(
    speaker: Callable[..., AlexaDevice], twilio_api: FakeTwilioApi
) -> None:
    device = speaker(NO_NUMBER)
    reach_calf_cramp_verdict(device)

    reply = device.intent("TextMeIntent")

    assert reply.speech.startswith("There's no mobile number on your account to text.")
    assert f"{CLINIC['name']} is on {CLINIC['phone_spoken']}" in reply.speech
    assert "Most likely a cramp." in reply.card["content"]
    assert twilio_api.requests == []


def test_text_me_to_an_opted_out_number_sends_nothing_and_asks_for_start_first(
    speaker: Callable[..., AlexaDevice], twilio_api: FakeTwilioApi, store: Store
) -> None:
    optouts.record_opt_out(store, phone_hash(), "STOP", 1_700_000_000.0)
    device = speaker()
    reach_calf_cramp_verdict(device)

    reply = device.intent("TextMeIntent")

    assert "asked us to stop texting it, so I won't send anything" in reply.speech
    assert "text START to" in reply.speech
    assert f'<say-as interpret-as="telephone">{LINE_NUMBER}</say-as>' in reply.ssml
    assert twilio_api.requests == []
    assert store.get("conversations", phone_hash()) is None


def test_text_me_when_twilio_fails_apologises_and_seeds_nothing(
    speaker: Callable[..., AlexaDevice], twilio_api: FakeTwilioApi, store: Store
) -> None:
    twilio_api.failing = True
    device = speaker()
    reach_calf_cramp_verdict(device)

    reply = device.intent("TextMeIntent")

    assert reply.speech.startswith("Sorry, I couldn't send the text.")
    assert CLINIC["phone_spoken"] in reply.speech
    assert store.get("conversations", phone_hash()) is None


def test_text_me_when_profile_api_is_unreachable_gives_the_number_and_the_card(
    skill: CustomSkill, twilio_api: FakeTwilioApi, closed_port: int
) -> None:
    device = AlexaDevice(lambda envelope: invoke(skill, envelope), api_endpoint=f"https://127.0.0.1:{closed_port}")
    reach_calf_cramp_verdict(device)

    reply = device.intent("TextMeIntent")

    assert reply.speech == (
        f"Sorry, I couldn't send the text. {CLINIC['name']} is on {CLINIC['phone_spoken']}; "
        "the summary is on your card."
    )
    assert "Most likely a cramp." in reply.card["content"]
    assert reply.ends_session
    assert twilio_api.requests == []


def test_text_me_seeds_the_sms_line_at_the_verdict_with_the_voice_observations(
    speaker: Callable[..., AlexaDevice], store: Store
) -> None:
    device = speaker()
    reach_calf_cramp_verdict(device)

    device.intent("TextMeIntent")

    record = store.get("conversations", phone_hash())
    assert record is not None and record.expires_at is not None
    conversation = record.data["conversation"]
    assert conversation["step"] == "verdict"
    assert conversation["observations"]["body_part"] == "calf"
    assert MOBILE not in str(record.data)


def test_text_me_asks_once_to_link_and_yes_links_both_sides(
    speaker: Callable[..., AlexaDevice], store: Store
) -> None:
    device = speaker()
    reach_calf_cramp_verdict(device)

    offer = device.intent("TextMeIntent")
    assert offer.speech.endswith("Shall I link your voice and text history?")
    assert offer.reprompt == "Say yes to link your voice and text history, or no to keep them apart."
    assert not offer.ends_session
    linked = device.yes()

    assert linked.speech.startswith("Done. Your voice and text histories are linked.")
    alexa_key = hashed_id("alexa", USER_ID, SALT)
    assert handover.linked_key(store, alexa_key) == phone_hash()
    assert handover.linked_key(store, phone_hash()) == alexa_key
    again = speaker()
    reach_calf_cramp_verdict(again)
    assert "link" not in again.intent("TextMeIntent").speech


def test_text_me_link_declined_is_remembered_and_never_asked_again(
    speaker: Callable[..., AlexaDevice], store: Store
) -> None:
    device = speaker()
    reach_calf_cramp_verdict(device)
    device.intent("TextMeIntent")

    declined = device.no()

    assert declined.speech == "All right, I'll keep them apart."
    assert handover.linked_key(store, phone_hash()) is None
    again = speaker()
    reach_calf_cramp_verdict(again)
    reply = again.intent("TextMeIntent")
    assert "link" not in reply.speech and reply.ends_session


def test_text_me_before_any_description_texts_the_clinic_details_only(
    speaker: Callable[..., AlexaDevice], twilio_api: FakeTwilioApi, store: Store
) -> None:
    reply = speaker().intent("TextMeIntent")

    assert reply.speech.startswith("Done. I've texted the clinic's number to your mobile.")
    body = twilio_api.requests[0]["form"]["Body"]
    assert body == (
        f"Cramp Check by {CLINIC['name']}.\nClinic: {CLINIC['phone']} ({CLINIC['hours']}). Not a diagnosis. "
        "Reply CALL for a callback, TIPS for tips, STOP to opt out."
    )
    assert store.get("conversations", phone_hash()) is None


@pytest.mark.parametrize(
    "description",
    [
        "hard knot in my calf during exercise that will not let go",
        "my eyelid keeps twitching on and off for days",
        "lower back went stiff after lifting a box, sore to move for hours",
        "calf cramp, the leg is swollen, red and warm",
        "cramp in my hand since I started a new medicine",
        "my neck is stiff and I have a fever and a bad headache",
        "my thigh cramps at night every night this week",
    ],
)
def test_compose_text_every_route_is_gsm7_within_two_segments_with_the_clinic(description: str) -> None:
    assessment = assess(read(description, LEXICON), CONTENT)

    for summary in (True, False):
        text = compose_text(assessment, "en-US", CONTENT, summary)

        assert is_gsm7(text) and sms_length(text) <= SMS_LIMIT, text
        assert CLINIC["phone"] in text and not text.endswith("...")
        if assessment.urgency == "emergency":
            assert text.startswith(f"Cramp Check by {CLINIC['name']}.\nCall 911 now.")
        else:
            assert f"Right now: {WORDS['relief'][assessment.relief_id]}" in text


@pytest.mark.parametrize(
    "description",
    [
        "hard knot in my calf during exercise that will not let go",
        "calf cramp, the leg is swollen, red and warm",
        "my neck is stiff and I have a fever and a bad headache",
        "my thigh cramps at night every night this week",
    ],
)
def test_compose_text_without_the_summary_names_no_verdict_and_no_reason(description: str) -> None:
    assessment = assess(read(description, LEXICON), CONTENT)

    text = compose_text(assessment, "en-US", CONTENT, summary=False)

    said = [WORDS["reasons"][rule] for rule in assessment.reason_ids]
    said += [WORDS["red_flags"][assessment.red_flag]] if assessment.red_flag else []
    assert not any(part.lower() in text.lower() for part in said), text
    assert "Most likely" not in text and "Leans toward" not in text


def test_text_me_by_default_texts_only_the_relief_step_and_the_clinic_and_keeps_nothing(
    default_speaker: Callable[..., AlexaDevice], twilio_api: FakeTwilioApi, store: Store
) -> None:
    device = default_speaker()
    reach_calf_cramp_verdict(device)

    reply = device.intent("TextMeIntent")

    assert reply.speech.startswith("Done. I've texted what to do and the clinic's number")
    assert reply.ends_session, "no link is offered: the skill keeps no health information between sessions"
    body = twilio_api.requests[0]["form"]["Body"]
    relief = WORDS["relief"][assess(read("hard knot in my calf during exercise", LEXICON), CONTENT).relief_id]
    assert body.startswith(f"Cramp Check by {CLINIC['name']}.\nRight now: {relief}\nClinic: {CLINIC['phone']}")
    assert "cramp" not in body.lower().replace("cramp check", "")
    assert store.get("conversations", phone_hash()) is None, "the SMS line is not seeded with the voice triage"
    assert store.get("attributes", phone_hash()) is None and store.scan("attributes") == []


def test_text_me_from_a_skill_built_without_a_text_sender_says_it_could_not_text(
    settings: Settings, profile_api: FakeProfileApi, twilio_api: FakeTwilioApi, store: Store
) -> None:
    skill = build_skill(settings, store)
    device = AlexaDevice(
        lambda envelope: invoke(skill, envelope), api_endpoint=profile_api.endpoint, api_access_token=CONSENTED
    )
    reach_calf_cramp_verdict(device)

    reply = device.intent("TextMeIntent")

    assert reply.speech.startswith("Sorry, I couldn't send the text.")
    assert "Most likely a cramp." in reply.card["content"]
    assert twilio_api.requests == [] and store.get("conversations", phone_hash()) is None


@pytest.mark.parametrize(
    ("token", "status", "number"),
    [
        (local_access_token("+12025550142"), 200, "+12025550142"),
        (local_access_token("+12025551234"), 204, None),  # outside the 555-01xx fiction block: never texted
        ("a-real-alexa-token", 403, None),
    ],
)
def test_local_profile_client_answers_only_for_try_it_fictional_numbers(
    token: str, status: int, number: str | None
) -> None:
    request = ApiClientRequest(
        url="https://api.amazonalexa.com" + MOBILE_NUMBER_PATH, method="GET",
        headers=[("Authorization", f"Bearer {token}")],
    )

    response = LocalProfileApiClient().invoke(request)

    assert response.status_code == status
    if number is not None:
        body = json.loads(response.body)
        assert e164(body["countryCode"], body["phoneNumber"]) == number
