"""The deployed-mode guards of shared/config.py, word for word and at their edges: what a person starting a server or
deploying a function is told to set must be exactly right, and each limit holds at its boundary (the mutation run,
reliability/mutation.py, found that only the guards' presence was tested)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from shared.config import (
    LOCAL_HASH_SALT,
    LOCAL_STAFF_PASSWORD,
    LOCAL_TWILIO_TOKEN,
    MIN_SALT_CHARS,
    STAFF_PASSWORD_RULE,
    Settings,
    SettingsError,
    is_loopback,
    staff_password_bits,
    strong_staff_password,
)
from tests.shared.test_config import DEPLOYED


def refusal(settings: Settings) -> str:
    """The message validate() refuses these settings with."""
    with pytest.raises(SettingsError) as refused:
        settings.validate()
    return str(refused.value)


@pytest.mark.parametrize(("change", "message"), [
    ({"mode": "production"}, "CRAMP_MODE must be 'local' or 'deployed'"),
    ({"store": "postgres"}, "CRAMP_STORE must be memory, sqlite or dynamodb"),
    ({"hash_salt": LOCAL_HASH_SALT},
     f"deployed mode needs real secrets; set CRAMP_HASH_SALT ({MIN_SALT_CHARS}+ random characters, not the local one)"),
    ({"twilio_auth_token": LOCAL_TWILIO_TOKEN},
     "deployed mode needs real secrets; set TWILIO_AUTH_TOKEN (the Twilio account's own token, not the local one)"),
    ({"twilio_previous_auth_token": LOCAL_TWILIO_TOKEN},
     "deployed mode needs real secrets; set TWILIO_AUTH_TOKEN_PREVIOUS unset or the account's previous token, not "
     "the local one"),
    ({"twilio_auth_token": "", "twilio_previous_auth_token": "an-old-token"},
     "deployed mode needs real secrets; set TWILIO_AUTH_TOKEN, the current token, beside TWILIO_AUTH_TOKEN_PREVIOUS"),
    ({"staff_password": LOCAL_STAFF_PASSWORD},
     "deployed mode needs real secrets; set CRAMP_STAFF_PASSWORD (your own; the local one is printed on the sign-in "
     "page)"),
    ({"staff_password": "short"}, f"deployed mode needs real secrets; set CRAMP_STAFF_PASSWORD stronger: "
                                  f"{STAFF_PASSWORD_RULE}"),
    ({"alexa_local_simulator": True},
     "deployed mode needs real secrets; set CRAMP_ALEXA_LOCAL_SIMULATOR unset (it skips Alexa's signature checks; "
     "loopback only)"),
    ({"hash_salt": LOCAL_HASH_SALT, "alexa_local_simulator": True},
     f"deployed mode needs real secrets; set CRAMP_HASH_SALT ({MIN_SALT_CHARS}+ random characters, not the local "
     "one); CRAMP_ALEXA_LOCAL_SIMULATOR unset (it skips Alexa's signature checks; loopback only)"),
    ({"alexa_local_api_endpoint": "https://127.0.0.1:9443"},
     "CRAMP_ALEXA_LOCAL_API_ENDPOINT must be https on 127.0.0.1, and only on a local server bound to loopback"),
], ids=["mode", "store", "salt", "token", "previous-token", "previous-without-current", "printed-password",
        "weak-password", "simulator", "two-at-once", "local-api-endpoint"])
def test_deployed_guard_says_exactly_what_to_set(change: dict, message: str) -> None:
    assert refusal(replace(DEPLOYED, **change)) == message


@pytest.mark.parametrize(("host", "where"), [("0.0.0.0", "a server bound to 0.0.0.0"),  # noqa: S104 - under test
                                             ("", "a server bound to all addresses")])
def test_server_beyond_loopback_names_the_address_it_is_bound_to(host: str, where: str) -> None:
    local = Settings(host=host, hash_salt=LOCAL_HASH_SALT)
    assert refusal(local).startswith(f"{where} needs real secrets; set CRAMP_HASH_SALT")


def test_deployed_without_skill_id_says_exactly_what_to_set() -> None:
    with pytest.raises(SettingsError) as refused:
        replace(DEPLOYED, alexa_skill_id=None).check_alexa_skill_id()
    assert str(refused.value) == "deployed mode needs CRAMP_ALEXA_SKILL_ID (amzn1.ask.skill...) to answer Alexa"


def test_hash_salt_of_exactly_the_minimum_length_is_accepted_one_less_is_not() -> None:
    assert replace(DEPLOYED, hash_salt="s" * MIN_SALT_CHARS).validate()
    assert "CRAMP_HASH_SALT" in refusal(replace(DEPLOYED, hash_salt="s" * (MIN_SALT_CHARS - 1)))


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:9443", "https://10.0.0.5:9443", "https://api.example.org"],
                         ids=["plain-http", "private-address", "public-name"])
def test_local_api_endpoint_must_be_https_and_loopback_even_on_a_loopback_server(endpoint: str) -> None:
    assert refusal(Settings(alexa_local_api_endpoint=endpoint)).startswith("CRAMP_ALEXA_LOCAL_API_ENDPOINT must be")


@pytest.mark.parametrize("public", ["", "http://0.0.0.0:8080", "http://[::]:8080", "/no-host"],
                         ids=["unset", "any-ipv4", "any-ipv6", "no-host"])
def test_try_it_beyond_loopback_needs_an_address_people_can_open(public: str) -> None:
    settings = replace(DEPLOYED, mode="local", host="192.0.2.10", try_it_enabled=True, public_base_url=public)
    assert refusal(settings) == ("CRAMP_TRY_IT=1 beyond loopback needs CRAMP_PUBLIC_BASE_URL: the address people open "
                                 "(the try-it page answers only there)")


@pytest.mark.parametrize("host", ["X127.0.0.1", "127.0.0.1X", "[::1]X"])
def test_is_loopback_refuses_an_address_with_anything_around_it(host: str) -> None:
    assert not is_loopback(host)


@pytest.mark.parametrize(("password", "bits"), [
    ("", 0.0),
    ("abcd", 4 * math.log2(26)),
    ("ABCD", 4 * math.log2(26)),
    ("1234", 4 * math.log2(10)),
    ("!@#$", 4 * math.log2(33)),
    ("aB3!", 4 * math.log2(26 + 26 + 10 + 33)),
    ("ababababab", 4 * math.log2(26)),  # ten letters, two distinct: counted as four
], ids=["empty", "lower", "upper", "digits", "symbols", "all-classes", "repeats"])
def test_staff_password_bits_count_each_class_and_discount_repeats(password: str, bits: float) -> None:
    assert staff_password_bits(password) == pytest.approx(bits)


def test_strong_staff_password_does_not_count_a_common_password_inside_it() -> None:
    # Sixteen varied characters, but "password" is the first guess of every list: the eight left are too few.
    assert not strong_staff_password("password!7Kz#qW9")
    assert not strong_staff_password("Password!7Kz")
    assert strong_staff_password("Zebra!7Kz#qW")


def test_strong_staff_password_either_side_of_the_minimum_bits() -> None:
    assert strong_staff_password("abcdefgh1234")  # 12 x log2(36) = 62.0 bits
    assert not strong_staff_password("abcdefghijkl")  # 12 x log2(26) = 56.4 bits
