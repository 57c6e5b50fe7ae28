"""The deployed staff inbox (staff/app.py): no access without a valid Cognito-style access token, checked by the
function itself against the keys it is configured to trust (a locally generated RSA key, its JWKS served on
loopback as Cognito publishes a pool's); signed-in staff see and change requests, logged under their own id."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient

from shared.callbacks import owed_fields
from shared.config import Settings
from shared.content import load_content
from shared.stores import Store, store_from_settings
from sms.outbound import read_outbox
from staff.app import create_app
from tests.server.test_staff import NOW, store_callback_record

CLIENT_ID = "staffinboxclient0000000000"
STAFF_SUB = "3c1f7a2e-5b6d-4e8f-9a0b-1c2d3e4f5a6b"
PATIENT = "+15550100142"


class Issuer:
    """A stand-in for a Cognito user pool's issuer: an RSA key whose public half is served as its JWKS."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwks = json.dumps({"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
                status, body = (200, jwks) if self.path.endswith("/.well-known/jwks.json") else (404, b"{}")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/us-east-1_TESTPOOL"

    def token(self, key: Any = None, **changes: Any) -> str:
        """An access token as Cognito issues one, signed with this issuer's key (or `key`)."""
        now = int(time.time())
        claims = {"sub": STAFF_SUB, "iss": self.url, "client_id": CLIENT_ID, "token_use": "access",
                  "scope": "openid email", "auth_time": now, "iat": now, "exp": now + 3600,
                  "jti": uuid.uuid4().hex, "username": "nurse.jones"}
        claims.update(changes)
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    found = Issuer()
    yield found
    found.close()


@pytest.fixture
def store() -> Store:
    return store_from_settings("memory")


@pytest.fixture
def settings(tmp_path: Path, issuer: Issuer) -> Settings:
    return Settings(
        store="memory", data_dir=tmp_path / "data", public_base_url="https://cramp.clinic.example",
        hash_salt="test-salt-for-staff-inbox", staff_issuer=issuer.url, staff_client_id=CLIENT_ID,
        staff_sign_in_url="https://cramp-check-dev-123456789012.auth.us-east-1.amazoncognito.com",
    )


@pytest.fixture
def client(settings: Settings, store: Store) -> FlaskClient:
    store_callback_record(store, "cb_one", 5, phone=PATIENT, window="evening", content_version="2026.12-3",
                          **owed_fields(NOW.timestamp()))
    return create_app(settings, store, load_content()).test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_staff_page_holds_no_patient_data_and_names_the_sign_in_pages(client: FlaskClient) -> None:
    page = client.get("/staff")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert PATIENT not in html and "evening" not in html
    assert 'data-sign-in-url="https://cramp-check-dev-123456789012.auth.us-east-1.amazoncognito.com"' in html
    assert f'data-client-id="{CLIENT_ID}"' in html and 'data-redirect-uri="https://cramp.clinic.example/staff"' in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.get("/staff/inbox.js").status_code == 200


@pytest.mark.parametrize(
    "why",
    ["none", "not bearer", "garbage", "expired", "other key", "other issuer", "other client", "id token", "no sub",
     "alg none", "hmac with the public key"],
)
def test_staff_api_refuses_a_request_without_valid_claims(client: FlaskClient, issuer: Issuer, why: str) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers = {
        "none": {},
        "not bearer": {"Authorization": issuer.token()},
        "garbage": bearer("not.a.token"),
        "expired": bearer(issuer.token(exp=int(time.time()) - 120, iat=int(time.time()) - 3720)),
        "other key": bearer(issuer.token(key=other_key)),
        "other issuer": bearer(issuer.token(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OTHER")),
        "other client": bearer(issuer.token(client_id="someoneelsesclient")),
        "id token": bearer(issuer.token(token_use="id")),
        "no sub": bearer(issuer.token(sub=None)),
        "alg none": bearer(jwt.encode({"sub": STAFF_SUB, "iss": issuer.url, "client_id": CLIENT_ID,
                                       "token_use": "access", "exp": int(time.time()) + 60,
                                       "iat": int(time.time())}, None, algorithm="none",
                                      headers={"kid": issuer.kid})),
        "hmac with the public key": bearer(_hmac_token(issuer)),
    }[why]
    for method, path, body in (
        ("get", "/staff/api/callbacks", None),
        ("get", "/staff/api/callbacks/cb_one/history", None),
        ("post", "/staff/api/callbacks/cb_one/status", {"status": "done"}),
        ("post", "/staff/api/callbacks/cb_one/text", {"body": "hello"}),
    ):
        response = getattr(client, method)(path, headers=headers, json=body)
        assert response.status_code == 401, (why, path)
        assert PATIENT not in response.get_data(as_text=True)
    # Nothing was changed by the refused requests.
    listed = client.get("/staff/api/callbacks", headers=bearer(issuer.token())).get_json()["callbacks"]
    assert [row["status"] for row in listed] == ["new"]


def _hmac_token(issuer: Issuer) -> str:
    """The classic confusion attack: HS256 keyed with the public key's PEM."""
    public = issuer.key.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "kid": issuer.kid}).encode())
    claims = jwt.utils.base64url_encode(json.dumps({"sub": STAFF_SUB, "iss": issuer.url, "client_id": CLIENT_ID,
                                                    "token_use": "access", "exp": int(time.time()) + 60,
                                                    "iat": int(time.time())}).encode())
    signature = jwt.utils.base64url_encode(hmac.new(pem, header + b"." + claims, hashlib.sha256).digest())
    return (header + b"." + claims + b"." + signature).decode()


def test_staff_signed_in_sees_the_summary_content_version_and_how_to_reach_the_patient(
    client: FlaskClient, issuer: Issuer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = client.get("/staff/api/callbacks", headers=bearer(issuer.token()))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    (row,) = response.get_json()["callbacks"]
    assert row["phone"] == PATIENT and row["window"] == "evening" and row["summary"].startswith("cramp (strong)")
    assert row["content_version"] == "2026.12-3" and row["notified"] is False
    viewed = [r for r in caplog.records if r.getMessage() == "staff inbox viewed"]
    assert [(r.staff_user, r.view) for r in viewed] == [(STAFF_SUB, "inbox")]
    assert PATIENT not in json.dumps([vars(r) for r in caplog.records], default=str)


def test_staff_marks_called_and_done_each_change_logged_with_their_id(
    client: FlaskClient, issuer: Issuer, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        for status in ("called", "done"):
            reply = client.post("/staff/api/callbacks/cb_one/status", headers=bearer(issuer.token()),
                                json={"status": status})
            assert reply.status_code == 200
    data = store.get("callbacks", "cb_one").data
    assert data["status"] == "done" and data["done_by"] == data["called_by"] == STAFF_SUB
    assert "notify_queue" not in data  # staff have it: no staff text is owed any more
    changes = [(r.staff_user, r.callback_id, r.status) for r in caplog.records
               if r.getMessage() == "staff inbox: status changed"]
    assert changes == [(STAFF_SUB, "cb_one", "called"), (STAFF_SUB, "cb_one", "done")]
    assert client.post("/staff/api/callbacks/cb_gone/status", headers=bearer(issuer.token()),
                       json={"status": "done"}).status_code == 404
    assert client.post("/staff/api/callbacks/cb_one/status", headers=bearer(issuer.token()),
                       json={"status": "deleted"}).status_code == 400


def test_staff_texts_back_from_the_line_but_never_to_an_opted_out_number(
    client: FlaskClient, issuer: Issuer, store: Store, settings: Settings
) -> None:
    reply = client.post("/staff/api/callbacks/cb_one/text", headers=bearer(issuer.token()),
                        json={"body": "This is NextPain Care. We will call at 5pm."})
    assert reply.status_code == 200
    (sent,) = read_outbox(settings)
    assert sent["to"] == PATIENT and sent["body"] == "This is NextPain Care. We will call at 5pm."
    store.put("optouts", store.get("callbacks", "cb_one").data["phone_hash"], {"keyword": "STOP"}, expected_version=0)
    refused = client.post("/staff/api/callbacks/cb_one/text", headers=bearer(issuer.token()), json={"body": "Hi"})
    assert refused.status_code == 409 and "opted out" in refused.get_json()["error"]
    assert len(read_outbox(settings)) == 1
    too_long = client.post("/staff/api/callbacks/cb_one/text", headers=bearer(issuer.token()), json={"body": "x" * 400})
    assert too_long.status_code == 409


def test_staff_number_view_lists_that_numbers_requests(client: FlaskClient, issuer: Issuer, store: Store) -> None:
    store_callback_record(store, "cb_two", 60, phone=PATIENT)
    store_callback_record(store, "cb_other", 30, phone="+15550100199", phone_hash="phone_" + "1" * 32)
    found = client.get("/staff/api/callbacks/cb_one/history", headers=bearer(issuer.token())).get_json()
    assert [row["key"] for row in found["callbacks"]] == ["cb_one", "cb_two"]
    assert client.get("/staff/api/callbacks/cb_none/history", headers=bearer(issuer.token())).status_code == 404
