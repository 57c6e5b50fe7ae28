"""Salted, keyed hashes of phone numbers and Alexa user ids: stable keys for storage and logs, never the id."""

from __future__ import annotations

import hashlib
import hmac


def hashed_id(kind: str, raw_id: str, salt: str) -> str:
    """HMAC-SHA256 of `kind:raw_id` keyed with the salt, as 32 hex characters (e.g. 'phone', '+15551234567')."""
    digest = hmac.new(salt.encode(), f"{kind}:{raw_id.strip()}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}_{digest[:32]}"
