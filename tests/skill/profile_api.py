"""A local stand-in for the Alexa Customer Profile API, served over HTTPS on loopback as Amazon serves it.

ask-sdk's DefaultApiClient refuses anything but https, so the server has its own self-signed certificate
(for 127.0.0.1) and `trust()` points `requests` at it through REQUESTS_CA_BUNDLE. It answers
GET /v2/accounts/~current/settings/Profile.mobileNumber per bearer token as the real API does: 200 with
{"countryCode", "phoneNumber"}, 204 with no body when the profile has no number, 403 when the person has not
granted `alexa::profile:mobile_number:read`, 401 for a token it does not know.
"""

from __future__ import annotations

import ipaddress
import json
import ssl
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

MOBILE_NUMBER_PATH = "/v2/accounts/~current/settings/Profile.mobileNumber"
# Tokens the fake knows; the envelope's context.System.apiAccessToken picks the answer.
CONSENTED = "token-consented"
NO_CONSENT = "token-no-consent"
NO_NUMBER = "token-no-number"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, written as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "profile-api.pem", directory / "profile-api.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class FakeProfileApi:
    """The mobile-number endpoint; `numbers` maps a consented token to (countryCode, phoneNumber)."""

    def __init__(self, directory: Path) -> None:
        self.numbers: dict[str, tuple[str, str]] = {CONSENTED: ("+1", "5550001111")}
        self.no_number = {NO_NUMBER}
        self.no_consent = {NO_CONSENT}
        self.requests: list[dict[str, str]] = []
        self.cert_path, key_path = _self_signed(directory)
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
                authorization = self.headers.get("Authorization", "")
                api.requests.append({"path": self.path, "authorization": authorization})
                token = authorization.removeprefix("Bearer ")
                if self.path != MOBILE_NUMBER_PATH:
                    self._reply(404, {"code": "NOT_FOUND", "message": "not found"})
                elif token in api.no_consent:
                    self._reply(403, {"code": "ACCESS_DENIED", "message": "Access denied with reason: FORBIDDEN"})
                elif token in api.no_number:
                    self._reply(204, None)
                elif token in api.numbers:
                    country, number = api.numbers[token]
                    self._reply(200, {"countryCode": country, "phoneNumber": number})
                else:
                    self._reply(401, {"code": "INVALID_TOKEN", "message": "The authentication token is invalid."})

            def _reply(self, status: int, payload: dict | None) -> None:
                self.send_response(status)
                if payload is None:
                    self.end_headers()
                    return
                body = json.dumps(payload).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, key_path)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        """The value for context.System.apiEndpoint."""
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeProfileApi:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
