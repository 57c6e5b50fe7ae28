"""Settings enter once, from the environment (prefix CRAMP_, plus the platforms' own names)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared.records import COLLECTIONS

# Fixed local-only values, so the local server and its try-it page work with no accounts. They are
# refused in deployed mode, where every secret must come from SSM through the environment.
LOCAL_HASH_SALT = "local-only-salt"
LOCAL_TWILIO_TOKEN = "local-only-twilio-token"  # noqa: S105 - refused in deployed mode
LOCAL_STAFF_PASSWORD = "local-staff"  # noqa: S105 - refused in deployed mode


class SettingsError(ValueError):
    """The environment is missing something or asks for something unsafe."""


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
    staff_password: str | None = LOCAL_STAFF_PASSWORD
    dynamodb_endpoint: str | None = None
    aws_region: str = "us-east-1"
    table_names: Mapping[str, str] = field(default_factory=lambda: {c: f"cramp-check-{c}" for c in COLLECTIONS})
    sms_rate_limit: int = 20
    sms_rate_window_seconds: int = 600
    conversation_ttl_seconds: int = 4 * 3600
    content_dir: str | None = None
    try_it_enabled: bool | None = None  # None: only when bound to loopback

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

    def validate(self) -> Settings:
        """Refuse unsafe combinations, with a message that says what to set."""
        if self.mode not in ("local", "deployed"):
            raise SettingsError("CRAMP_MODE must be 'local' or 'deployed'")
        if self.store not in ("memory", "sqlite", "dynamodb"):
            raise SettingsError("CRAMP_STORE must be memory, sqlite or dynamodb")
        if self.deployed:
            if self.hash_salt == LOCAL_HASH_SALT or len(self.hash_salt) < 16:
                raise SettingsError("deployed mode needs CRAMP_HASH_SALT (16+ characters, from SSM)")
            # An empty token is allowed here (a function that never sends or checks SMS needs none); the SMS
            # webhook fails closed on it.
            if self.twilio_auth_token == LOCAL_TWILIO_TOKEN:
                raise SettingsError("deployed mode refuses the local Twilio token; set TWILIO_AUTH_TOKEN from SSM")
            if self.twilio_previous_auth_token is not None:
                if self.twilio_previous_auth_token == LOCAL_TWILIO_TOKEN:
                    raise SettingsError("deployed mode refuses the local Twilio token as TWILIO_AUTH_TOKEN_PREVIOUS")
                if not self.twilio_auth_token:
                    raise SettingsError("TWILIO_AUTH_TOKEN_PREVIOUS is set without TWILIO_AUTH_TOKEN, the current one")
            if self.alexa_local_simulator:
                raise SettingsError("CRAMP_ALEXA_LOCAL_SIMULATOR is never allowed in deployed mode")
            if self.staff_password == LOCAL_STAFF_PASSWORD:
                raise SettingsError("deployed mode refuses the local staff password; set CRAMP_STAFF_PASSWORD")
        if self.alexa_local_simulator and self.host != "127.0.0.1":
            raise SettingsError("CRAMP_ALEXA_LOCAL_SIMULATOR is refused unless the server binds 127.0.0.1")
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
            staff_password=env.get("CRAMP_STAFF_PASSWORD", LOCAL_STAFF_PASSWORD if local else None),
            dynamodb_endpoint=env.get("CRAMP_DYNAMODB_ENDPOINT"),
            aws_region=env.get("AWS_REGION", "us-east-1"),
            table_names=tables,
            content_dir=env.get("CRAMP_CONTENT_DIR"),
            try_it_enabled=None if try_it is None else try_it == "1",
        ).validate()
