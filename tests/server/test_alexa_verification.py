"""Alexa web-service request verification against a real certificate chain built in the test."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from server.alexa_verification import MAX_CACHED_CHAINS, RequestVerifier, VerificationError
from tests.skill.alexa_ca import CERT_URL, CertificateAuthority, SigningIdentity, build_ca

NOW = datetime(2026, 11, 25, 19, 0, 0, tzinfo=UTC)
SKILL_ID = "amzn1.ask.skill.6a7f2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
USER_ID = "amzn1.ask.account.AHZCRAMPCHECKTESTUSER7Q3LXN2KD"


def iso(moment: datetime) -> str:
    """Format a moment the way Alexa writes request timestamps."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def launch_envelope(
    *,
    timestamp: str = iso(NOW),
    application_id: str = SKILL_ID,
    in_context: bool = True,
    in_session: bool = True,
) -> dict:
    """Return a LaunchRequest envelope in the shape Alexa posts to a web-service endpoint."""
    application = {"applicationId": application_id}
    user = {"userId": USER_ID}
    envelope: dict = {
        "version": "1.0",
        "request": {
            "type": "LaunchRequest",
            "requestId": "amzn1.echo-api.request.0b4f3a52-77e1-4c3e-9d7a-1f6e2b8c9d10",
            "timestamp": timestamp,
            "locale": "en-US",
            "shouldLinkResultBeShown": False,
        },
    }
    if in_session:
        envelope["session"] = {
            "new": True,
            "sessionId": "amzn1.echo-api.session.5c2d9e7a-0f1b-4a6c-8e3d-2b7f4a9c1e05",
            "application": application,
            "attributes": {},
            "user": user,
        }
    if in_context:
        envelope["context"] = {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": "amzn1.ask.device.TESTDEVICE", "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
                "apiAccessToken": "test-access-token",
            }
        }
    return envelope


def encode(envelope: dict) -> bytes:
    """Serialise an envelope to the raw bytes that get signed."""
    return json.dumps(envelope).encode("utf-8")


class CountingFetcher:
    """Serves a fixed PEM chain for any URL and records each download."""

    def __init__(self, pem: bytes) -> None:
        self.pem = pem
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.pem


def make_verifier(
    identity: SigningIdentity,
    ca: CertificateAuthority,
    *,
    skill_id: str | None = SKILL_ID,
    now: datetime = NOW,
) -> tuple[RequestVerifier, CountingFetcher]:
    """Build a verifier that trusts `ca` and downloads `identity`'s chain."""
    fetcher = CountingFetcher(identity.chain_pem())
    verifier = RequestVerifier(skill_id, trusted_roots=[ca.root_cert], fetch_pem=fetcher, now=lambda: now)
    return verifier, fetcher


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return build_ca(NOW)


@pytest.fixture(scope="module")
def identity(ca: CertificateAuthority) -> SigningIdentity:
    return ca.issue_signing_identity()


@pytest.fixture()
def verifier(identity: SigningIdentity, ca: CertificateAuthority) -> RequestVerifier:
    return make_verifier(identity, ca)[0]


def test_verify_signed_launch_request_returns_envelope(verifier, identity):
    body = encode(launch_envelope())

    envelope = verifier.verify(identity.headers(body), body)

    assert envelope["request"]["type"] == "LaunchRequest"
    assert envelope["context"]["System"]["application"]["applicationId"] == SKILL_ID


def test_verify_leaf_signed_directly_by_root_returns_envelope():
    root_only = build_ca(NOW, with_intermediate=False)
    identity = root_only.issue_signing_identity()
    verifier, _ = make_verifier(identity, root_only)
    body = encode(launch_envelope())

    assert verifier.verify(identity.headers(body), body)["request"]["type"] == "LaunchRequest"


def test_verify_header_names_in_any_case_returns_envelope(verifier, identity):
    body = encode(launch_envelope())
    headers = {name.lower(): value for name, value in identity.headers(body).items()}
    headers["SIGNATURE-256"] = headers.pop("signature-256")

    assert verifier.verify(headers, body)["request"]["type"] == "LaunchRequest"


def test_verify_tampered_body_rejected_by_signature_check(verifier, identity):
    body = encode(launch_envelope())
    headers = identity.headers(body)
    tampered = body.replace(b"LaunchRequest", b"SessionEndedRequest")

    with pytest.raises(VerificationError, match="^signature:"):
        verifier.verify(headers, tampered)


def test_verify_reserialised_json_rejected_by_signature_check(verifier, identity):
    # Same JSON value, different bytes: the signature covers the raw body, so re-serialising breaks it.
    body = encode(launch_envelope())
    headers = identity.headers(body)
    reserialised = json.dumps(json.loads(body), indent=2).encode("utf-8")

    with pytest.raises(VerificationError, match="^signature:"):
        verifier.verify(headers, reserialised)


def test_verify_missing_signature_header_rejected(verifier, identity):
    body = encode(launch_envelope())
    headers = identity.headers(body)
    del headers["Signature-256"]

    with pytest.raises(VerificationError, match="^signature: Signature-256 header is missing"):
        verifier.verify(headers, body)


def test_verify_only_legacy_sha1_signature_header_rejected(verifier, identity):
    body = encode(launch_envelope())
    headers = {"SignatureCertChainUrl": CERT_URL, "Signature": identity.sign(body, hashes.SHA1())}

    with pytest.raises(VerificationError, match="^signature: Signature-256 header is missing"):
        verifier.verify(headers, body)


@pytest.mark.parametrize(
    "signature",
    ["not base64 at all!", "c2lnbmF0dXJl", "AAAA" * 64],
    ids=["not-base64", "short-bytes", "zero-bytes-of-key-length"],
)
def test_verify_garbage_signature_header_rejected(verifier, identity, signature):
    body = encode(launch_envelope())
    headers = {**identity.headers(body), "Signature-256": signature}

    with pytest.raises(VerificationError, match="^signature:"):
        verifier.verify(headers, body)


def test_verify_sha1_signature_in_signature_256_header_rejected(verifier, identity):
    body = encode(launch_envelope())
    headers = {**identity.headers(body), "Signature-256": identity.sign(body, hashes.SHA1())}

    with pytest.raises(VerificationError, match="^signature: does not match"):
        verifier.verify(headers, body)


def test_verify_signature_by_key_outside_certificate_rejected(verifier, identity, ca):
    impostor = ca.issue_signing_identity()
    body = encode(launch_envelope())
    headers = {**identity.headers(body), "Signature-256": impostor.sign(body)}

    with pytest.raises(VerificationError, match="^signature: does not match"):
        verifier.verify(headers, body)


@pytest.mark.parametrize(
    "cert_url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
        "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
        "https://notamazon.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/%2e%2e/echo-api-cert.pem",
        "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com:notaport/echo.api/echo-api-cert.pem",
        "",
    ],
    ids=[
        "http-scheme",
        "path-case",
        "port-563",
        "other-host",
        "lookalike-host",
        "dot-dot",
        "encoded-dot-dot",
        "other-path",
        "bad-port",
        "empty",
    ],
)
def test_verify_malformed_cert_url_rejected_before_download(identity, ca, cert_url):
    verifier, fetcher = make_verifier(identity, ca)
    body = encode(launch_envelope())

    with pytest.raises(VerificationError, match="^cert url:"):
        verifier.verify(identity.headers(body, cert_url=cert_url), body)
    assert fetcher.urls == []


def test_verify_missing_cert_url_header_rejected(verifier, identity):
    body = encode(launch_envelope())
    headers = identity.headers(body)
    del headers["SignatureCertChainUrl"]

    with pytest.raises(VerificationError, match="^cert url: SignatureCertChainUrl header is missing"):
        verifier.verify(headers, body)


@pytest.mark.parametrize(
    "cert_url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?v=7#part",
        "https://s3.amazonaws.com/echo.api//./echo-api-cert.pem",
    ],
    ids=["plain", "port-443", "upper-scheme-and-host", "dot-dot-back-into-echo-api", "query-and-fragment",
         "empty-and-dot-segments"],
)
def test_verify_accepted_cert_url_forms_download_the_normalised_url(identity, ca, cert_url):
    verifier, fetcher = make_verifier(identity, ca)
    body = encode(launch_envelope())

    envelope = verifier.verify(identity.headers(body, cert_url=cert_url), body)

    assert envelope["request"]["type"] == "LaunchRequest"
    assert fetcher.urls == ["https://s3.amazonaws.com/echo.api/echo-api-cert.pem"]


def test_verify_cert_url_variants_of_one_chain_download_it_once(identity, ca):
    verifier, fetcher = make_verifier(identity, ca)
    body = encode(launch_envelope())
    variants = [f"{CERT_URL}?v={n}" for n in range(50)] + [
        CERT_URL.replace("https://s3.amazonaws.com", "HTTPS://S3.AmazonAWS.com:443"), CERT_URL + "#x",
        CERT_URL.replace("/echo.api/", "/echo.api/./"), CERT_URL.replace("https://", "https://someone@"),
    ]

    for cert_url in variants:
        verifier.verify(identity.headers(body, cert_url=cert_url), body)

    assert fetcher.urls == [CERT_URL]


def test_verify_chain_cache_is_bounded_and_keeps_the_recently_used(identity, ca):
    verifier, fetcher = make_verifier(identity, ca)
    body = encode(launch_envelope())
    in_use = "https://s3.amazonaws.com/echo.api/echo-api-cert-current.pem"

    for n in range(40):  # ever new URLs, each of them valid-looking, between requests signed with the real one
        verifier.verify(identity.headers(body, cert_url=f"https://s3.amazonaws.com/echo.api/cert-{n}.pem"), body)
        verifier.verify(identity.headers(body, cert_url=in_use), body)
    verifier.verify(identity.headers(body, cert_url="https://s3.amazonaws.com/echo.api/cert-0.pem"), body)

    assert fetcher.urls.count(in_use) == 1, "the chain in use stayed cached"
    assert fetcher.urls.count("https://s3.amazonaws.com/echo.api/cert-0.pem") == 2, "old entries were dropped"
    assert len(verifier._chains) <= MAX_CACHED_CHAINS


def test_verify_expired_signing_cert_rejected(ca, identity):
    expired = ca.issue_signing_identity(
        not_before=NOW - timedelta(days=400), not_after=NOW - timedelta(days=1), key=identity.key
    )
    verifier, _ = make_verifier(expired, ca)
    body = encode(launch_envelope())

    with pytest.raises(VerificationError, match="^signing cert: outside its not-before / not-after"):
        verifier.verify(expired.headers(body), body)


def test_verify_not_yet_valid_signing_cert_rejected(ca, identity):
    early = ca.issue_signing_identity(
        not_before=NOW + timedelta(days=1), not_after=NOW + timedelta(days=300), key=identity.key
    )
    verifier, _ = make_verifier(early, ca)
    body = encode(launch_envelope())

    with pytest.raises(VerificationError, match="^signing cert: outside its not-before / not-after"):
        verifier.verify(early.headers(body), body)


@pytest.mark.parametrize(
    ("dns_names", "reason"),
    [
        (("echo-api.example.com", "www.amazon.com"), "lack echo-api.amazon.com"),
        ((), "has no subject alternative names"),
    ],
    ids=["other-names", "no-san"],
)
def test_verify_signing_cert_without_echo_api_san_rejected(ca, identity, dns_names, reason):
    wrong_name = ca.issue_signing_identity(dns_names=dns_names, key=identity.key)
    verifier, _ = make_verifier(wrong_name, ca)
    body = encode(launch_envelope())

    with pytest.raises(VerificationError, match=f"^signing cert: .*{reason}"):
        verifier.verify(wrong_name.headers(body), body)


def test_verify_signing_cert_from_untrusted_ca_rejected(ca, identity):
    impostor_ca = build_ca(NOW, name="Impostor Root CA")
    impostor = impostor_ca.issue_signing_identity(key=identity.key)
    # The verifier trusts only the genuine root, while the impostor serves its own full chain.
    verifier = RequestVerifier(
        SKILL_ID,
        trusted_roots=[ca.root_cert],
        fetch_pem=CountingFetcher(impostor.chain_pem() + impostor_ca.root_cert.public_bytes(Encoding.PEM)),
        now=lambda: NOW,
    )
    body = encode(launch_envelope())

    with pytest.raises(VerificationError, match="^cert chain: does not lead to a trusted root"):
        verifier.verify(impostor.headers(body), body)


def test_verify_default_roots_do_not_trust_test_ca(identity):
    verifier = RequestVerifier(SKILL_ID, fetch_pem=CountingFetcher(identity.chain_pem()), now=lambda: NOW)
    body = encode(launch_envelope())

    with pytest.raises(VerificationError, match="^cert chain: does not lead to a trusted root"):
        verifier.verify(identity.headers(body), body)


def test_verify_chain_missing_intermediate_rejected(ca, identity):
    leaf_only = SigningIdentity(key=identity.key, cert=identity.cert, intermediates=())
    verifier, _ = make_verifier(leaf_only, ca)
    body = encode(launch_envelope())

    with pytest.raises(VerificationError, match="^cert chain: does not lead to a trusted root"):
        verifier.verify(leaf_only.headers(body), body)


@pytest.mark.parametrize("offset", [-151, 151], ids=["151s-old", "151s-ahead"])
def test_verify_timestamp_beyond_150_seconds_rejected(verifier, identity, offset):
    body = encode(launch_envelope(timestamp=iso(NOW + timedelta(seconds=offset))))

    with pytest.raises(VerificationError, match="^timestamp: more than 150 seconds"):
        verifier.verify(identity.headers(body), body)


@pytest.mark.parametrize("offset", [-150, 150], ids=["150s-old", "150s-ahead"])
def test_verify_timestamp_within_150_seconds_returns_envelope(verifier, identity, offset):
    body = encode(launch_envelope(timestamp=iso(NOW + timedelta(seconds=offset))))

    assert verifier.verify(identity.headers(body), body)["request"]["type"] == "LaunchRequest"


def test_verify_timestamp_with_milliseconds_returns_envelope(verifier, identity):
    body = encode(launch_envelope(timestamp="2026-11-25T18:59:30.567Z"))

    assert verifier.verify(identity.headers(body), body)["request"]["type"] == "LaunchRequest"


@pytest.mark.parametrize(
    "timestamp", ["yesterday", "", 1795633200000], ids=["words", "empty", "epoch-number"]
)
def test_verify_unreadable_timestamp_rejected(verifier, identity, timestamp):
    body = encode(launch_envelope(timestamp=timestamp))

    with pytest.raises(VerificationError, match="^timestamp:"):
        verifier.verify(identity.headers(body), body)


def test_verify_wrong_skill_id_rejected(verifier, identity):
    body = encode(launch_envelope(application_id="amzn1.ask.skill.00000000-some-other-skill"))

    with pytest.raises(VerificationError, match="^skill id: application id does not match"):
        verifier.verify(identity.headers(body), body)


def test_verify_skill_id_read_from_session_when_context_absent_returns_envelope(verifier, identity):
    body = encode(launch_envelope(in_context=False))

    envelope = verifier.verify(identity.headers(body), body)

    assert envelope["session"]["application"]["applicationId"] == SKILL_ID


def test_verify_envelope_without_application_id_rejected(verifier, identity):
    body = encode(launch_envelope(in_context=False, in_session=False))

    with pytest.raises(VerificationError, match="^skill id:"):
        verifier.verify(identity.headers(body), body)


def test_verify_without_configured_skill_id_accepts_any_application(identity, ca):
    verifier, _ = make_verifier(identity, ca, skill_id=None)
    body = encode(launch_envelope(application_id="amzn1.ask.skill.00000000-some-other-skill"))

    assert verifier.verify(identity.headers(body), body)["request"]["type"] == "LaunchRequest"


@pytest.mark.parametrize(
    "body",
    [b'{"request": {"timestamp": ', b"\xff\xfe not utf-8", b'["a", "list"]'],
    ids=["truncated", "not-utf8", "not-an-object"],
)
def test_verify_malformed_json_rejected(verifier, identity, body):
    with pytest.raises(VerificationError, match="^body:"):
        verifier.verify(identity.headers(body), body)


def test_verify_two_requests_download_chain_once(identity, ca):
    verifier, fetcher = make_verifier(identity, ca)
    first = encode(launch_envelope())
    second = encode(launch_envelope(timestamp=iso(NOW - timedelta(seconds=5))))

    verifier.verify(identity.headers(first), first)
    verifier.verify(identity.headers(second), second)

    assert fetcher.urls == [CERT_URL]


def test_verify_concurrent_first_requests_download_chain_once(identity, ca):
    started = threading.Event()
    release = threading.Event()
    fetcher = CountingFetcher(identity.chain_pem())

    def slow_fetch(url: str) -> bytes:
        started.set()
        release.wait(timeout=5)
        return fetcher(url)

    verifier = RequestVerifier(SKILL_ID, trusted_roots=[ca.root_cert], fetch_pem=slow_fetch, now=lambda: NOW)
    body = encode(launch_envelope())
    results: list[dict] = []
    threads = [
        threading.Thread(target=lambda: results.append(verifier.verify(identity.headers(body), body)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    started.wait(timeout=5)
    # Let the other three requests reach the cache while the first download is still in flight.
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(timeout=10)

    assert len(results) == 4
    assert fetcher.urls == [CERT_URL]


def test_verify_failed_download_rejected_and_retried_next_time(identity, ca):
    attempts: list[str] = []

    def unreachable(url: str) -> bytes:
        attempts.append(url)
        raise urllib.error.URLError("connection refused")

    verifier = RequestVerifier(SKILL_ID, trusted_roots=[ca.root_cert], fetch_pem=unreachable, now=lambda: NOW)
    body = encode(launch_envelope())

    for _ in range(2):
        with pytest.raises(VerificationError, match="^cert chain: could not download"):
            verifier.verify(identity.headers(body), body)
    assert attempts == [CERT_URL, CERT_URL]


@pytest.mark.parametrize(
    "download",
    [
        b"<Error><Code>AccessDenied</Code></Error>",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ],
    ids=["s3-error-page", "broken-pem"],
)
def test_verify_download_without_certificates_rejected(identity, ca, download):
    verifier = RequestVerifier(
        SKILL_ID, trusted_roots=[ca.root_cert], fetch_pem=CountingFetcher(download), now=lambda: NOW
    )
    body = encode(launch_envelope())

    with pytest.raises(VerificationError, match="^cert chain:"):
        verifier.verify(identity.headers(body), body)


def test_verify_rejection_logs_failed_check_without_body_or_user(verifier, identity, caplog):
    body = encode(launch_envelope(application_id="amzn1.ask.skill.00000000-some-other-skill"))

    with caplog.at_level(logging.DEBUG), pytest.raises(VerificationError) as raised:
        verifier.verify(identity.headers(body), body)

    assert "skill id" in caplog.text
    for secret in (USER_ID, "LaunchRequest", "some-other-skill"):
        assert secret not in caplog.text
        assert secret not in str(raised.value)


def test_verify_malformed_json_error_does_not_carry_body(verifier, identity):
    body = b'{"userId": "' + USER_ID.encode() + b'", '

    with pytest.raises(VerificationError) as raised:
        verifier.verify(identity.headers(body), body)

    assert USER_ID not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
