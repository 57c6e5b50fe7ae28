"""Salted, keyed hashes of phone numbers and Alexa user ids: stable keys for storage and logs, never the id."""

from __future__ import annotations

import functools
import hashlib
from typing import Any

# SHA-256's block size: RFC 2104 pads (or first hashes) the key to this many bytes.
_BLOCK_BYTES = 64
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))


@functools.lru_cache(maxsize=8)
def _keyed_states(salt: str) -> tuple[Any, Any]:
    """SHA-256 states that have already absorbed the salt's inner and outer HMAC pads (RFC 2104)."""
    # hmac.new sets the key up and looks the digest up in OpenSSL on every call (~10 us inside a request, where
    # its code is cold); these two states are keyed once per salt (there is one per deployment) and copied.
    key = salt.encode()
    if len(key) > _BLOCK_BYTES:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK_BYTES, b"\0")
    return hashlib.sha256(key.translate(_INNER_PAD)), hashlib.sha256(key.translate(_OUTER_PAD))


def hashed_id(kind: str, raw_id: str, salt: str) -> str:
    """HMAC-SHA256 of `kind:raw_id` keyed with the salt, as 32 hex characters (e.g. 'phone', '+15551234567')."""
    inner_keyed, outer_keyed = _keyed_states(salt)
    inner = inner_keyed.copy()
    inner.update(f"{kind}:{raw_id.strip()}".encode())
    outer = outer_keyed.copy()
    outer.update(inner.digest())
    return f"{kind}_{outer.hexdigest()[:32]}"
