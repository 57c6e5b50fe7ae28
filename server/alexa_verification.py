"""Verify that an HTTPS request really comes from Alexa, using only the `cryptography` package.

The SDK's own verifier (ask-sdk-webservice-support) cannot be imported on OpenSSL 3.0.10+ because of
oscrypto, so this module implements Amazon's checklist for skills hosted as a web service:
https://developer.amazon.com/docs/alexa/custom-skills/host-a-custom-skill-as-a-web-service.html
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import posixpath
import re
import ssl
import threading
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as ChainVerificationError

logger = logging.getLogger(__name__)

ECHO_API_DOMAIN = "echo-api.amazon.com"
CERT_URL_HOST = "s3.amazonaws.com"
CERT_URL_PATH_PREFIX = "/echo.api/"
# Alexa's API endpoints by region (context.System.apiEndpoint); the skill sends the person's access token there.
ALEXA_API_HOSTS = frozenset({"api.amazonalexa.com", "api.eu.amazonalexa.com", "api.fe.amazonalexa.com"})
CERT_CHAIN_URL_HEADER = "signaturecertchainurl"
SIGNATURE_HEADER = "signature-256"
FETCH_TIMEOUT_SECONDS = 3
# Amazon's chain is a few kilobytes; the cap stops a hostile S3 object from filling memory.
MAX_PEM_BYTES = 256 * 1024
# Amazon signs with one certificate at a time and rotates it rarely; a few entries cover a rotation, and the bound
# keeps requests naming ever new (valid-looking) URLs from growing the cache.
MAX_CACHED_CHAINS = 8

_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


class VerificationError(Exception):
    """A request failed one of Alexa's web-service checks; the message names the check, never the body."""


def fetch_pem_over_https(url: str) -> bytes:
    """Download the PEM certificate chain Amazon published at `url`."""
    # The URL has already passed the https://s3.amazonaws.com/echo.api/ form check, so no other scheme
    # (file:, ftp:) can reach urlopen.
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
        return response.read(MAX_PEM_BYTES + 1)


def load_default_trusted_roots() -> list[x509.Certificate]:
    """Return certifi's roots if certifi is installed, else the system CA bundle, loaded once."""
    with _default_roots_lock:
        if not _default_roots:
            _default_roots.extend(_read_root_bundle())
        return list(_default_roots)


_default_roots: list[x509.Certificate] = []
_default_roots_lock = threading.Lock()


def _read_root_bundle() -> list[x509.Certificate]:
    try:
        import certifi

        path: str | None = certifi.where()
    except ImportError:
        path = ssl.get_default_verify_paths().cafile
    if not path:
        return []
    try:
        with open(path, "rb") as bundle:
            data = bundle.read()
    except OSError:
        return []
    roots = []
    # Certificates are parsed one by one so that a single root cryptography rejects (certifi ships one
    # with a negative serial, which is deprecated and will become an error) does not drop the whole store.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for block in _PEM_BLOCK.findall(data):
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return roots


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RequestVerifier:
    """Checks signature, certificate chain, timestamp and skill id of Alexa web-service requests."""

    def __init__(
        self,
        skill_id: str | None,
        *,
        trusted_roots: list[x509.Certificate] | None = None,
        fetch_pem: Callable[[str], bytes] | None = None,
        now: Callable[[], datetime] | None = None,
        max_skew_seconds: int = 150,
    ) -> None:
        self._skill_id = skill_id
        self._trusted_roots = list(trusted_roots) if trusted_roots is not None else None
        self._fetch_pem = fetch_pem or fetch_pem_over_https
        self._now = now or _utc_now
        self._max_skew_seconds = max_skew_seconds
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._chains: OrderedDict[str, list[x509.Certificate]] = OrderedDict()  # by normalised URL, least recent first
        self._fetch_locks: dict[str, threading.Lock] = {}

    def verify(self, headers: Mapping[str, str], raw_body: bytes) -> dict:
        """Return the parsed request envelope, or raise VerificationError."""
        try:
            return self._verify(headers, raw_body)
        except VerificationError as error:
            logger.warning("Rejected Alexa request: %s", error)
            raise

    def _verify(self, headers: Mapping[str, str], raw_body: bytes) -> dict:
        now = self._now()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        lowered = {name.lower(): value for name, value in headers.items()}
        chain = self._chain_for(normalised_cert_url(lowered.get(CERT_CHAIN_URL_HEADER, "")))
        leaf = chain[0]
        self._check_signing_cert(leaf, chain[1:], now)
        check_signature(leaf, lowered.get(SIGNATURE_HEADER, ""), raw_body)
        envelope = parse_envelope(raw_body)
        check_timestamp(envelope, now, self._max_skew_seconds)
        if self._skill_id is not None:
            check_application_id(envelope, self._skill_id)
        return envelope

    def _chain_for(self, url: str) -> list[x509.Certificate]:
        """The chain at a normalised URL: from the cache, else downloaded once however many requests wait for it."""
        with self._lock:
            cached = self._cached(url)
            if cached is not None:
                return cached
            url_lock = self._fetch_locks.setdefault(url, threading.Lock())
        # One lock per URL: concurrent first requests fetch once, and a slow fetch of one URL does not
        # hold up requests whose chain is already cached.
        with url_lock:
            with self._lock:
                cached = self._cached(url)
            if cached is not None:
                return cached
            try:
                chain = parse_pem_chain(self._fetch(url))
                with self._lock:
                    self._chains[url] = chain
                    while len(self._chains) > MAX_CACHED_CHAINS:
                        self._chains.popitem(last=False)
                return chain
            finally:
                with self._lock:
                    self._fetch_locks.pop(url, None)

    def _cached(self, url: str) -> list[x509.Certificate] | None:
        chain = self._chains.get(url)
        if chain is not None:
            self._chains.move_to_end(url)
        return chain

    def _fetch(self, url: str) -> bytes:
        try:
            pem = self._fetch_pem(url)
        except Exception as error:
            raise VerificationError("cert chain: could not download the certificate chain") from error
        if len(pem) > MAX_PEM_BYTES:
            raise VerificationError("cert chain: certificate chain download is too large")
        return pem

    def _check_signing_cert(
        self, leaf: x509.Certificate, intermediates: list[x509.Certificate], now: datetime
    ) -> None:
        if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
            raise VerificationError("signing cert: outside its not-before / not-after dates")
        try:
            san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound as error:
            raise VerificationError("signing cert: has no subject alternative names") from error
        if ECHO_API_DOMAIN not in san.get_values_for_type(x509.DNSName):
            raise VerificationError(f"signing cert: subject alternative names lack {ECHO_API_DOMAIN}")
        verifier = (
            PolicyBuilder()
            .store(self._trust_store())
            .time(now)
            .build_server_verifier(x509.DNSName(ECHO_API_DOMAIN))
        )
        try:
            verifier.verify(leaf, intermediates)
        except ChainVerificationError as error:
            raise VerificationError("cert chain: does not lead to a trusted root") from error

    def _trust_store(self) -> Store:
        with self._lock:
            if self._store is None:
                roots = self._trusted_roots
                if roots is None:
                    roots = load_default_trusted_roots()
                if not roots:
                    raise VerificationError("cert chain: no trusted root certificates are available")
                self._store = Store(roots)
            return self._store


def normalised_cert_url(url: str) -> str:
    """The SignatureCertChainUrl as https://s3.amazonaws.com/echo.api/..., or VerificationError unless it meets
    Amazon's rules: scheme https and host s3.amazonaws.com (any case), port 443 if one is given, and a path that,
    normalised, starts with /echo.api/ (case-sensitive).

    The cache is keyed, and the download made, by this form alone: query, fragment and user info are dropped, so
    "?v=1", "?v=2" ... name one chain, fetched once.
    """
    if not url:
        raise VerificationError("cert url: SignatureCertChainUrl header is missing")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise VerificationError("cert url: SignatureCertChainUrl is not a valid URL") from error
    if parts.scheme.lower() != "https":
        raise VerificationError("cert url: scheme is not https")
    if (parts.hostname or "").lower() != CERT_URL_HOST:
        raise VerificationError(f"cert url: host is not {CERT_URL_HOST}")
    if port is not None and port != 443:
        raise VerificationError("cert url: port is not 443")
    # posixpath, not os.path: URL paths use "/" on every OS (the SDK's os.path.sep check breaks on
    # Windows). Unquoting first stops "%2e%2e" from slipping a parent-directory step past the check.
    path = posixpath.normpath(unquote(parts.path))
    if not path.startswith(CERT_URL_PATH_PREFIX):
        raise VerificationError(f"cert url: path does not start with {CERT_URL_PATH_PREFIX}")
    return f"https://{CERT_URL_HOST}{quote(path, safe='/')}"


def parse_pem_chain(pem: bytes) -> list[x509.Certificate]:
    """Parse every certificate in a PEM chain; the first one is Amazon's signing certificate."""
    try:
        chain = x509.load_pem_x509_certificates(pem)
    except ValueError as error:
        raise VerificationError("cert chain: download is not a PEM certificate chain") from error
    if not chain:
        raise VerificationError("cert chain: download holds no certificates")
    return chain


def check_signature(leaf: x509.Certificate, signature_header: str, raw_body: bytes) -> None:
    """Raise VerificationError unless Signature-256 is the leaf's RSA SHA-256 signature of the raw body."""
    if not signature_header:
        raise VerificationError("signature: Signature-256 header is missing")
    try:
        signature = base64.b64decode(signature_header, validate=True)
    except (binascii.Error, ValueError) as error:
        raise VerificationError("signature: Signature-256 header is not base64") from error
    public_key = leaf.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise VerificationError("signature: signing certificate does not hold an RSA key")
    try:
        public_key.verify(signature, raw_body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as error:
        raise VerificationError("signature: does not match the request body") from error


def parse_envelope(raw_body: bytes) -> dict:
    """Parse the request body as a JSON object, or raise VerificationError."""
    try:
        envelope = json.loads(raw_body)
    except ValueError:
        # `from None`: JSONDecodeError and UnicodeDecodeError carry the whole body, which must not reach
        # a traceback or a log.
        raise VerificationError("body: not valid JSON") from None
    if not isinstance(envelope, dict):
        raise VerificationError("body: not a JSON object")
    return envelope


def check_timestamp(envelope: dict, now: datetime, max_skew_seconds: int) -> None:
    """Raise VerificationError unless request.timestamp lies within `max_skew_seconds` of `now`."""
    request = envelope.get("request")
    timestamp = request.get("timestamp") if isinstance(request, dict) else None
    if not isinstance(timestamp, str):
        raise VerificationError("timestamp: request.timestamp is missing")
    try:
        sent_at = datetime.fromisoformat(timestamp)
    except ValueError as error:
        raise VerificationError("timestamp: request.timestamp is not ISO 8601") from error
    if sent_at.tzinfo is None:
        # Alexa writes every timestamp in UTC.
        sent_at = sent_at.replace(tzinfo=UTC)
    if abs((now - sent_at).total_seconds()) > max_skew_seconds:
        raise VerificationError(f"timestamp: more than {max_skew_seconds} seconds from now")


def check_api_endpoint(envelope: dict, local_api_endpoint: str | None = None) -> None:
    """Raise VerificationError unless context.System.apiEndpoint is one of Alexa's API hosts (or the configured
    local stand-in): the skill sends the person's access token there and texts whatever number comes back."""
    system = envelope.get("context", {}).get("System") if isinstance(envelope.get("context"), dict) else None
    endpoint = system.get("apiEndpoint") if isinstance(system, dict) else None
    if endpoint is None:
        return  # nothing will be called
    if not isinstance(endpoint, str):
        raise VerificationError("api endpoint: not a URL")
    if local_api_endpoint is not None and endpoint.rstrip("/") == local_api_endpoint.rstrip("/"):
        return
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError as error:
        raise VerificationError("api endpoint: not a URL") from error
    if (
        parts.scheme.lower() != "https"
        or (parts.hostname or "").lower() not in ALEXA_API_HOSTS
        or port not in (None, 443)
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise VerificationError("api endpoint: not one of Alexa's API hosts")


def check_application_id(envelope: dict, skill_id: str) -> None:
    """Raise VerificationError unless the envelope's application id equals `skill_id`."""
    if _application_id(envelope) != skill_id:
        raise VerificationError("skill id: application id does not match this skill")


def _application_id(envelope: dict) -> str | None:
    for path in (("context", "System", "application"), ("session", "application")):
        node: object = envelope
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get("applicationId"), str):
            return node["applicationId"]
    return None
