"""Hashed ids: the stored keys of every phone number and Alexa user, so they must never change."""

from __future__ import annotations

import pytest

from shared.identity import hashed_id

# Keys already stored by earlier versions (computed before hashed_id moved to stdlib hmac), across salts shorter
# and longer than SHA-256's 64-byte block, where HMAC switches from padding the key to hashing it first.
STORED_KEYS = [
    ("phone", "+15551234567", "bench-hash-salt-4f1c9a7e2b", "phone_a24e760e1a87ed6105c7b8cbf2561966"),
    ("alexa", " amzn1.ask.account.AEXAMPLE \n", "local-only-salt", "alexa_6989f7d21f9ce62251b180c08dce036b"),
    ("phone", "+447700900123", "x" * 65, "phone_e995d147a617aaafcf55f651af942323"),
    ("phone", "+15550001111", "sél-ünïcode-☂", "phone_2ed0a5660bc4f658db212d8ee2984aa7"),
    ("phone", "+15550001111", "", "phone_679728bc7b8185fcfc0619f128dfe1b2"),
]


@pytest.mark.parametrize(("kind", "raw_id", "salt", "stored"), STORED_KEYS)
def test_hashed_id_gives_the_keys_already_stored(kind: str, raw_id: str, salt: str, stored: str) -> None:
    assert hashed_id(kind, raw_id, salt) == stored


def test_hashed_id_another_salt_gives_another_key() -> None:
    assert hashed_id("phone", "+15551234567", "salt-one") != hashed_id("phone", "+15551234567", "salt-two")
    assert hashed_id("phone", "+15551234567", "salt-one") == hashed_id("phone", " +15551234567 ", "salt-one")
