"""Salted, keyed hashes of phone numbers and Alexa user ids: stable keys for storage and logs, never the id."""

from __future__ import annotations

import hmac


def hashed_id(kind: str, raw_id: str, salt: str) -> str:
    """HMAC-SHA256 of `kind:raw_id` keyed with the salt, as 32 hex characters (e.g. 'phone', '+15551234567')."""
    digest = hmac.digest(salt.encode(), f"{kind}:{raw_id.strip()}".encode(), "sha256")
    return f"{kind}_{digest.hex()[:32]}"
