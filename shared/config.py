"""Settings enter once, from the environment (prefix CRAMP_, plus the platforms' own names)."""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from shared.records import COLLECTIONS

# Fixed local-only values, so the local server and its try-it page work with no accounts. They are
# refused in deployed mode, where every secret must come from SSM through the environment.
LOCAL_HASH_SALT = "local-only-salt"
LOCAL_TWILIO_TOKEN = "local-only-twilio-token"  # noqa: S105 - refused in deployed mode
LOCAL_STAFF_PASSWORD = "local-staff"  # noqa: S105 - refused in deployed mode
MIN_SALT_CHARS = 16
# A shared password guarded by a login throttle, but whoever learns it reads patients' numbers: long enough that
# guessing is hopeless. Repeats count little (a run of one letter is no stronger than two of it).
STAFF_PASSWORD_MIN_CHARS = 12
STAFF_PASSWORD_MIN_BITS = 60
# The first guesses of every password-guessing list; an entropy estimate alone rates "Password1234" well.
COMMON_PASSWORD_PARTS = ("password", "passw0rd", "qwerty", "letmein", "welcome", "admin", "123456", "abc123")
STAFF_PASSWORD_RULE = (
    f"at least {STAFF_PASSWORD_MIN_CHARS} characters and about {STAFF_PASSWORD_MIN_BITS} bits of entropy, not "
    "counting common passwords in it (e.g. four unrelated words, or 12 mixed letters, digits and symbols)"
)


def content_dir_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """CRAMP_CONTENT_DIR: a folder of the clinic's own content files, or None for the packaged content."""
    env = os.environ if environ is None else environ
    return env.get("CRAMP_CONTENT_DIR") or None


class SettingsError(ValueError):
    """The environment is missing something or asks for something unsafe."""


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach: localhost, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def staff_password_bits(password: str) -> float:
    """A rough entropy estimate: each character worth log2 of the character classes used, repeats discounted."""
    pool = sum(
        size
        for present, size in (
            (any(c.islower() for c in password), 26),
            (any(c.isupper() for c in password), 26),
            (any(c.isdigit() for c in password), 10),
            (any(not c.isalnum() for c in password), 33),
        )
        if present
    )
    counted = min(len(password), 2 * len(set(password)))
    return counted * math.log2(pool) if pool else 0.0


def strong_staff_password(password: str) -> bool:
    """True when the password meets STAFF_PASSWORD_RULE (common passwords inside it are taken out first)."""
    rest = password
    for part in COMMON_PASSWORD_PARTS:
        rest = re.sub(re.escape(part), "", rest, flags=re.IGNORECASE)
    return len(rest) >= STAFF_PASSWORD_MIN_CHARS and staff_password_bits(rest) >= STAFF_PASSWORD_MIN_BITS


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Tests build it directly; servers and Lambdas use from_env()."""

    mode: str = "local"  # local | deployed
    store: str = "sqlite"  # memory | sqlite | dynamodb
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    hash_salt: str = LOCAL_HASH_SALT
    twilio_auth_token: str = LOCAL_TWILIO_TOKEN
    # The token Twilio signed with before a rotation: accepted beside twilio_auth_token until the rotation ends.
    twilio_previous_auth_token: str | None = None
    twilio_account_sid: str | None = None
    twilio_from_number: str | None = None
    twilio_api_base: str | None = None  # tests point the REST client at a local server
    alexa_skill_id: str | None = None
    alexa_local_simulator: bool = False  # skips Alexa signature checks; local loopback only
    # An apiEndpoint accepted besides Alexa's own hosts: a stand-in Customer Profile API on this machine.
    alexa_local_api_endpoint: str | None = None
    staff_password: str | None = LOCAL_STAFF_PASSWORD
    dynamodb_endpoint: str | None = None
    aws_region: str = "us-east-1"
    table_names: Mapping[str, str] = field(default_factory=lambda: {c: f"cramp-check-{c}" for c in COLLECTIONS})
    sms_rate_limit: int = 20
    sms_rate_window_seconds: int = 600
    conversation_ttl_seconds: int = 4 * 3600
    content_dir: str | None = None
    try_it_enabled: bool | None = None  # None: only when bound to loopback
    # The deployed staff inbox (staff/): the Cognito user pool's issuer URL, its app client id and its sign-in
    # domain; the keys are read from <issuer>/.well-known/jwks.json unless staff_jwks_url says otherwise.
    staff_issuer: str | None = None
    staff_client_id: str | None = None
    staff_sign_in_url: str | None = None
    staff_jwks_url: str | None = None

    @property
    def deployed(self) -> bool:
        """True in the cloud, where no local shortcut is allowed."""
        return self.mode == "deployed"

    @property
    def twilio_signing_tokens(self) -> tuple[str, ...]:
        """The auth tokens an inbound request's signature may be made with: the current one, then the previous."""
        return tuple(token for token in (self.twilio_auth_token, self.twilio_previous_auth_token) if token)

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file of the local default store."""
        return self.data_dir / "cramp-check.sqlite3"

    @property
    def on_loopback(self) -> bool:
        """True when the server listens only where this machine alone can reach it."""
        return is_loopback(self.host)

    @property
    def exposed(self) -> bool:
        """True when others can reach the server (deployed, or bound beyond loopback): no local shortcut then."""
        return self.deployed or not self.on_loopback

    def validate(self) -> Settings:
        """Refuse unsafe combinations, with a message that says what to set."""
        if self.mode not in ("local", "deployed"):
            raise SettingsError("CRAMP_MODE must be 'local' or 'deployed'")
        if self.store not in ("memory", "sqlite", "dynamodb"):
            raise SettingsError("CRAMP_STORE must be memory, sqlite or dynamodb")
        if self.alexa_local_api_endpoint is not None:
            api = urlsplit(self.alexa_local_api_endpoint)
            if self.exposed or api.scheme != "https" or not is_loopback(api.hostname or ""):
                raise SettingsError("CRAMP_ALEXA_LOCAL_API_ENDPOINT must be https on 127.0.0.1, and only on a "
                                    "local server bound to loopback")
        if self.try_it_enabled and not self.on_loopback and not self.deployed:
            public_host = urlsplit(self.public_base_url).hostname or ""
            if public_host in ("", "0.0.0.0", "::"):  # noqa: S104 - the names refused here
                raise SettingsError("CRAMP_TRY_IT=1 beyond loopback needs CRAMP_PUBLIC_BASE_URL: the address people "
                                    "open (the try-it page answers only there)")
        if not self.exposed:
            return self
        # Deployed, or bound where others can connect: the local values are public (they are in this file), so
        # each one would let anyone on the network forge texts, reverse phone hashes or read the staff inbox.
        needed = []
        if self.hash_salt == LOCAL_HASH_SALT or len(self.hash_salt) < MIN_SALT_CHARS:
            needed.append(f"CRAMP_HASH_SALT ({MIN_SALT_CHARS}+ random characters, not the local one)")
        # An empty token is allowed (a function that never sends or checks SMS needs none); the SMS webhook fails
        # closed on it.
        if self.twilio_auth_token == LOCAL_TWILIO_TOKEN:
            needed.append("TWILIO_AUTH_TOKEN (the Twilio account's own token, not the local one)")
        if self.twilio_previous_auth_token is not None:
            if self.twilio_previous_auth_token == LOCAL_TWILIO_TOKEN:
                needed.append("TWILIO_AUTH_TOKEN_PREVIOUS unset or the account's previous token, not the local one")
            if not self.twilio_auth_token:
                needed.append("TWILIO_AUTH_TOKEN, the current token, beside TWILIO_AUTH_TOKEN_PREVIOUS")
        if self.staff_password == LOCAL_STAFF_PASSWORD:
            needed.append("CRAMP_STAFF_PASSWORD (your own; the local one is printed on the sign-in page)")
        elif self.staff_password and not strong_staff_password(self.staff_password):
            needed.append(f"CRAMP_STAFF_PASSWORD stronger: {STAFF_PASSWORD_RULE}")
        if self.alexa_local_simulator:
            needed.append("CRAMP_ALEXA_LOCAL_SIMULATOR unset (it skips Alexa's signature checks; loopback only)")
        if needed:
            where = "deployed mode" if self.deployed else f"a server bound to {self.host or 'all addresses'}"
            raise SettingsError(f"{where} needs real secrets; set " + "; ".join(needed))
        return self

    def check_alexa_skill_id(self) -> Settings:
        """Refuse to serve the Alexa skill deployed without its skill id, which keeps out other skills' requests."""
        if self.deployed and not self.alexa_skill_id:
            raise SettingsError("deployed mode needs CRAMP_ALEXA_SKILL_ID (amzn1.ask.skill...) to answer Alexa")
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from the environment and validate them; a variable set to "" counts as unset."""
        # Sourcing .env.example sets every variable, most of them empty: empty must mean "use the default".
        env = {name: value for name, value in (os.environ if environ is None else environ).items() if value != ""}
        mode = env.get("CRAMP_MODE", "local")
        port = int(env.get("PORT", "8000"))
        host = env.get("CRAMP_HOST", "127.0.0.1")
        local = mode == "local"
        tables = {c: env.get(f"CRAMP_TABLE_{c.upper()}", f"cramp-check-{c}") for c in COLLECTIONS}
        try_it = env.get("CRAMP_TRY_IT")
        return cls(
            mode=mode,
            store=env.get("CRAMP_STORE", "sqlite" if local else "dynamodb"),
            data_dir=Path(env.get("CRAMP_DATA_DIR", "data")),
            host=host,
            port=port,
            public_base_url=env.get("CRAMP_PUBLIC_BASE_URL", f"http://{host}:{port}").rstrip("/"),
            hash_salt=env.get("CRAMP_HASH_SALT", LOCAL_HASH_SALT if local else ""),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", LOCAL_TWILIO_TOKEN if local else ""),
            twilio_previous_auth_token=env.get("TWILIO_AUTH_TOKEN_PREVIOUS"),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID"),
            twilio_from_number=env.get("CRAMP_SMS_FROM"),
            twilio_api_base=env.get("CRAMP_TWILIO_API_BASE"),
            alexa_skill_id=env.get("CRAMP_ALEXA_SKILL_ID"),
            alexa_local_simulator=env.get("CRAMP_ALEXA_LOCAL_SIMULATOR", "") == "1",
            alexa_local_api_endpoint=env.get("CRAMP_ALEXA_LOCAL_API_ENDPOINT") or None,
            staff_password=env.get("CRAMP_STAFF_PASSWORD", LOCAL_STAFF_PASSWORD if local else None),
            dynamodb_endpoint=env.get("CRAMP_DYNAMODB_ENDPOINT"),
            aws_region=env.get("AWS_REGION", "us-east-1"),
            table_names=tables,
            content_dir=content_dir_from_env(env),
            try_it_enabled=None if try_it is None else try_it == "1",
            staff_issuer=env.get("CRAMP_STAFF_ISSUER"),
            staff_client_id=env.get("CRAMP_STAFF_CLIENT_ID"),
            staff_sign_in_url=env.get("CRAMP_STAFF_SIGN_IN_URL"),
            staff_jwks_url=env.get("CRAMP_STAFF_JWKS_URL"),
        ).validate()
