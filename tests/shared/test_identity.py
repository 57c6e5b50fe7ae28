"""Hashed ids: the stored keys of every phone number and Alexa user, so they must never change."""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest

from shared.identity import hashed_id

# Salts around SHA-256's 64-byte block, where HMAC switches from padding the key to hashing it first.
SALTS = ["", "s", "bench-hash-salt-4f1c9a7e2b", "x" * 63, "x" * 64, "x" * 65, "y" * 300, "sél-ünïcode-☂"]


def _reference(kind: str, raw_id: str, salt: str) -> str:
    digest = hmac.new(salt.encode(), f"{kind}:{raw_id.strip()}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}_{digest[:32]}"


@pytest.mark.parametrize("salt", SALTS)
def test_hashed_id_every_salt_length_gives_the_keys_already_stored(salt: str) -> None:
    for kind, raw_id in [("phone", "+15551234567"), ("alexa", " amzn1.ask.account.AEXAMPLE \n"), ("phone", "")]:
        assert hashed_id(kind, raw_id, salt) == _reference(kind, raw_id, salt)


def test_hashed_id_random_ids_and_salts_match_hmac_sha256() -> None:
    rng = random.Random(20261125)
    for _ in range(2000):
        salt = "".join(rng.choice("ab€1 ") for _ in range(rng.randrange(0, 140)))
        raw_id = "+" + "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 16)))
        assert hashed_id("phone", raw_id, salt) == _reference("phone", raw_id, salt)


def test_hashed_id_another_salt_gives_another_key() -> None:
    assert hashed_id("phone", "+15551234567", "salt-one") != hashed_id("phone", "+15551234567", "salt-two")
    assert hashed_id("phone", "+15551234567", "salt-one") == hashed_id("phone", " +15551234567 ", "salt-one")
