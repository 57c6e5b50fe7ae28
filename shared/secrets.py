"""Secrets for the deployed functions: SSM Parameter Store SecureStrings, read once per cold start.

serverless.yml gives each function only the *names* of the parameters its role may read, in CRAMP_SSM_<NAME>
variables. `load_secrets()` fetches their values in one GetParameters call and exports them under the
variables `Settings.from_env()` reads, so configuration still enters in one place. Call it before
`Settings.from_env()` in each Lambda entry point. Local mode never reaches for AWS: there the values come
from the environment or the local-only defaults, as before.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, MutableMapping
from typing import Any

from shared.config import Settings

logger = logging.getLogger(__name__)

# CRAMP_SSM_<X> names the parameter; the value lands in the variable Settings.from_env() reads.
PARAMETER_VARIABLES: dict[str, str] = {
    "CRAMP_SSM_TWILIO_AUTH_TOKEN": "TWILIO_AUTH_TOKEN",
    "CRAMP_SSM_TWILIO_ACCOUNT_SID": "TWILIO_ACCOUNT_SID",
    "CRAMP_SSM_HASH_SALT": "CRAMP_HASH_SALT",
    "CRAMP_SSM_ALEXA_SKILL_ID": "CRAMP_ALEXA_SKILL_ID",
    "CRAMP_SSM_STAFF_PASSWORD": "CRAMP_STAFF_PASSWORD",
    "CRAMP_SSM_TWILIO_AUTH_TOKEN_PREVIOUS": "TWILIO_AUTH_TOKEN_PREVIOUS",
}
# Parameters that exist only for a while: the Twilio token being rotated out is put in SSM when a rotation starts
# and deleted when it ends (docs/deploying.md), so its absence is normal, not an error.
OPTIONAL_PARAMETERS = frozenset({"CRAMP_SSM_TWILIO_AUTH_TOKEN_PREVIOUS"})

# GetParameters accepts at most 10 names per call.
_BATCH = 10
# Alexa drops a response after 8 s, and a cold start reads SSM before the first answer: fail fast (two attempts of
# at most 1 s each way: 4 s; docs/deploying.md, "Timeouts add up").
_CONNECT_TIMEOUT_S = 1
_READ_TIMEOUT_S = 1
_MAX_ATTEMPTS = 2

_cache: dict[str, str] = {}
_lock = threading.Lock()


class SecretsError(RuntimeError):
    """A parameter is missing or unreadable. The message names parameters, never values."""


def make_client(region: str | None = None, endpoint_url: str | None = None) -> Any:
    """Build an SSM client with short timeouts (boto3 is imported here, never at module import)."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=_CONNECT_TIMEOUT_S,
        read_timeout=_READ_TIMEOUT_S,
        retries={"total_max_attempts": _MAX_ATTEMPTS, "mode": "standard"},
    )
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return boto3.session.Session().client("ssm", region_name=region, endpoint_url=endpoint_url, config=config)


def get_secrets(
    names: Iterable[str], *, client: Any = None, optional: Iterable[str] = ()
) -> dict[str, str]:
    """Return the decrypted values of the named SecureStrings, asking SSM only for names not yet cached.

    A name in `optional` that SSM does not hold is left out of the result instead of failing.
    """
    wanted = list(dict.fromkeys(names))
    may_lack = set(optional)
    with _lock:
        missing = [name for name in wanted if name not in _cache]
        if missing:
            _cache.update(_fetch(missing, client if client is not None else make_client(), may_lack))
        return {name: _cache[name] for name in wanted if name in _cache}


def get_secret(name: str, *, client: Any = None) -> str:
    """Return one SecureString's decrypted value, fetched at most once per process."""
    return get_secrets([name], client=client)[name]


def forget_cached_secrets() -> None:
    """Drop cached values, so the next read goes to SSM again (after a rotation, or between tests)."""
    with _lock:
        _cache.clear()


def load_secrets(environ: MutableMapping[str, str] | None = None, *, client: Any = None) -> list[str]:
    """In deployed mode, export the SSM parameters named by CRAMP_SSM_* variables; return the variables set."""
    env = os.environ if environ is None else environ
    if env.get("CRAMP_MODE", "local") != "deployed":
        return []
    targets = {target: env[source] for source, target in PARAMETER_VARIABLES.items() if env.get(source)}
    if not targets:
        return []
    optional = {env[source] for source in OPTIONAL_PARAMETERS if env.get(source)}
    values = get_secrets(sorted(set(targets.values())), client=client, optional=optional)
    loaded = sorted(target for target, name in targets.items() if name in values)
    for target in loaded:
        env[target] = values[targets[target]]
    logger.info("secrets loaded from ssm", extra={"variables": ",".join(loaded)})
    return loaded


def _fetch(names: list[str], client: Any, optional: set[str]) -> dict[str, str]:
    """One GetParameters call per 10 names, with decryption; every name not in `optional` must exist."""
    from botocore.exceptions import BotoCoreError, ClientError

    values: dict[str, str] = {}
    for start in range(0, len(names), _BATCH):
        batch = names[start : start + _BATCH]
        try:
            reply = client.get_parameters(Names=batch, WithDecryption=True)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Unknown")
            raise SecretsError(f"SSM GetParameters failed ({code}) for {batch}") from exc
        except BotoCoreError as exc:
            raise SecretsError(f"SSM GetParameters failed ({type(exc).__name__}) for {batch}") from exc
        invalid = [name for name in reply.get("InvalidParameters") or [] if name not in optional]
        if invalid:
            raise SecretsError(f"SSM parameters not found: {sorted(invalid)}; see docs/deploying.md")
        for parameter in reply.get("Parameters", []):
            values[parameter["Name"]] = parameter["Value"]
    absent = [name for name in names if name not in values and name not in optional]
    if absent:
        raise SecretsError(f"SSM returned no value for {absent}")
    return values


def settings_for_lambda() -> Settings:
    """A Lambda's settings: the SSM secrets exported into the environment first, then Settings.from_env()."""
    load_secrets()
    return Settings.from_env()
