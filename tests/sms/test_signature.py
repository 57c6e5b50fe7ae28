"""Every POST /sms must carry Twilio's signature over the configured public URL; anything else is 403."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.stores import Store
from tests.sms.conftest import AUTH_TOKEN, PUBLIC_BASE_URL, TwilioPoster, make_settings, sign, twilio_params
from tests.sms.helpers import nothing_stored


def test_signature_valid_request_gets_one_reply(twilio_post: TwilioPoster) -> None:
    reply = twilio_post("my calf locked up")
    assert reply.status == 200
    assert reply.content_type.startswith("text/xml")
    assert "Right now:" in reply.text


@pytest.mark.parametrize(
    ("case", "options"),
    [
        ("missing header", {"signature": ""}),
        ("garbage signature", {"signature": "bm90IGEgc2lnbmF0dXJl"}),
        ("signed with another token", {"token": "someone-elses-token"}),
        ("signed for the app's own local URL", {"signed_url": "http://localhost/sms"}),
        (
            "signed for the Lambda's stage URL",
            {"signed_url": "https://abc123.execute-api.us-east-1.amazonaws.com/dev/sms"},
        ),
        ("signed for http instead of https", {"signed_url": PUBLIC_BASE_URL.replace("https", "http") + "/sms"}),
        ("signed for another path", {"signed_url": PUBLIC_BASE_URL + "/sms/"}),
    ],
)
def test_signature_bad_signature_or_url_is_forbidden_and_stores_nothing(
    twilio_post: TwilioPoster, memory_store: Store, case: str, options: dict
) -> None:
    reply = twilio_post("STOP", **options)
    assert reply.status == 403, case
    assert reply.messages == []
    assert nothing_stored(memory_store), case


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("body changed after signing", lambda p: {**p, "Body": "DELETE"}),
        ("sender changed after signing", lambda p: {**p, "From": "+15550100999"}),
        ("field added after signing", lambda p: {**p, "AddOns": '{"status":"successful"}'}),
        ("field dropped after signing", lambda p: {k: v for k, v in p.items() if k != "NumMedia"}),
    ],
)
def test_signature_tampered_parameters_are_forbidden_and_store_nothing(
    twilio_post: TwilioPoster, memory_store: Store, case: str, change
) -> None:
    params = twilio_params("my calf locked up during my run")
    reply = twilio_post("", params=params, post_params=change(params))
    assert reply.status == 403, case
    assert nothing_stored(memory_store), case


def test_signature_query_string_is_part_of_the_signed_url(twilio_post: TwilioPoster, memory_store: Store) -> None:
    params = twilio_params("hi")
    signed_url = PUBLIC_BASE_URL + "/sms?clinic=main"
    assert twilio_post("", params=params, signed_url=signed_url, query="clinic=main").status == 200
    other = twilio_params("hi")
    assert twilio_post("", params=other, signed_url=signed_url, query="clinic=other").status == 403


def test_signature_standard_port_in_signed_url_still_validates(twilio_post: TwilioPoster) -> None:
    # Twilio signs https on :443 without the port but has been seen both ways (platform b-2, [T8]).
    reply = twilio_post("hi", signed_url="https://cramp.clinic.example:443/hooks/sms")
    assert reply.status == 200


def test_signature_ignores_host_headers_a_proxy_could_forge(twilio_post: TwilioPoster) -> None:
    params = twilio_params("hi")
    headers = {"X-Twilio-Signature": sign(params), "Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    response = twilio_post.client.post("/sms", data=params, headers=headers)
    assert response.status_code == 200
    forged = {"X-Twilio-Signature": sign(params, "https://evil.example/sms"), "Host": "evil.example"}
    assert twilio_post.client.post("/sms", data=params, headers=forged).status_code == 403


def test_signature_without_configured_token_fails_closed(tmp_path: Path, memory_store: Store) -> None:
    from sms.app import create_app

    app = create_app(make_settings(tmp_path, twilio_auth_token=""), memory_store)
    poster = TwilioPoster(app.test_client())
    assert poster("hi", token="").status == 403
    assert poster("hi", token=AUTH_TOKEN).status == 403
    assert nothing_stored(memory_store)


def test_signature_get_request_is_not_a_webhook(twilio_post: TwilioPoster) -> None:
    assert twilio_post.client.get("/sms").status_code == 405


def test_signature_header_absent_is_forbidden_and_stores_nothing(
    twilio_post: TwilioPoster, memory_store: Store
) -> None:
    response = twilio_post.client.post("/sms", data=twilio_params("STOP"))
    assert response.status_code == 403
    assert nothing_stored(memory_store)


def test_signature_configured_url_with_its_port_accepts_twilio_signing_without_it(
    tmp_path: Path, memory_store: Store
) -> None:
    from sms.app import create_app

    app = create_app(make_settings(tmp_path, public_base_url="https://cramp.clinic.example:443/hooks"), memory_store)
    poster = TwilioPoster(app.test_client())
    assert poster("hi", signed_url="https://cramp.clinic.example/hooks/sms").status == 200
    assert poster("hi", signed_url="https://cramp.clinic.example:443/hooks/sms").status == 200
    assert poster("hi", signed_url="https://cramp.clinic.example:8443/hooks/sms").status == 403


@pytest.mark.parametrize(
    ("configured", "signed", "accepted"),
    [
        ("https://cramp.clinic.example/hooks/sms", "https://cramp.clinic.example/hooks/sms", True),
        ("https://cramp.clinic.example/hooks/sms", "https://cramp.clinic.example:443/hooks/sms", True),
        ("https://cramp.clinic.example/hooks/sms", "https://cramp.clinic.example:8443/hooks/sms", False),
        ("https://cramp.clinic.example:8443/hooks/sms", "https://cramp.clinic.example:8443/hooks/sms", True),
        ("https://cramp.clinic.example:8443/hooks/sms", "https://cramp.clinic.example/hooks/sms", True),
        ("https://cramp.clinic.example:8443/hooks/sms", "https://cramp.clinic.example:443/hooks/sms", False),
        ("http://cramp.clinic.example/hooks/sms", "http://cramp.clinic.example:80/hooks/sms", True),
        ("http://cramp.clinic.example/hooks/sms", "https://cramp.clinic.example/hooks/sms", False),
        ("https://cramp.clinic.example/hooks/sms?a=1", "https://cramp.clinic.example:443/hooks/sms?a=1", True),
    ],
)
def test_signature_check_accepts_the_configured_url_with_or_without_its_default_port(
    tmp_path: Path, configured: str, signed: str, accepted: bool
) -> None:
    from werkzeug.datastructures import MultiDict

    from sms.signature import is_valid_signature

    params = MultiDict(twilio_params("my calf locked up"))

    assert is_valid_signature(make_settings(tmp_path), configured, params, sign(params, signed)) is accepted


def test_signature_check_of_a_field_posted_twice_covers_both_values(tmp_path: Path) -> None:
    from werkzeug.datastructures import MultiDict

    from sms.signature import is_valid_signature

    single = twilio_params("my calf locked up")
    doubled = MultiDict([*single.items(), ("Body", "DELETE")])
    url = PUBLIC_BASE_URL + "/sms"
    settings = make_settings(tmp_path)

    assert is_valid_signature(settings, url, doubled, sign(doubled, url)) is True
    assert is_valid_signature(settings, url, doubled, sign(single, url)) is False


def test_signature_check_refuses_odd_and_altered_signatures(tmp_path: Path) -> None:
    from werkzeug.datastructures import MultiDict

    from sms.signature import is_valid_signature

    params = MultiDict(twilio_params("my calf locked up"))
    url = PUBLIC_BASE_URL + "/sms"
    good = sign(params, url)
    settings = make_settings(tmp_path)
    odd = [good + "x", good[:-1], good[:-1] + ("A" if good[-1] != "A" else "B"), good.lower(), "é" * len(good),
           good[:-1] + "é", "\ud800" * len(good), " " + good[1:], "\x00" * len(good)]

    assert is_valid_signature(settings, url, params, good) is True
    for signature in odd:
        assert is_valid_signature(settings, url, params, signature) is False, signature


def test_signature_during_a_token_rotation_both_tokens_are_accepted_and_a_third_is_refused(
    tmp_path: Path, memory_store: Store
) -> None:
    from sms.app import create_app

    settings = make_settings(
        tmp_path, twilio_auth_token="new-token-after-rotation", twilio_previous_auth_token=AUTH_TOKEN
    )
    poster = TwilioPoster(create_app(settings, memory_store).test_client())

    assert poster("my calf locked up", token="new-token-after-rotation").status == 200
    assert poster("my calf locked up", token=AUTH_TOKEN).status == 200
    refused = poster("STOP", token="a-third-token-nobody-configured")
    assert refused.status == 403 and refused.messages == []


def test_signature_non_ascii_header_is_forbidden_not_an_error(twilio_post: TwilioPoster, memory_store: Store) -> None:
    for signature in ("é" * 28, "é☂" * 14):
        reply = twilio_post("my calf locked up", signature=signature)

        assert reply.status == 403, signature
        assert reply.messages == []
    assert nothing_stored(memory_store)


@pytest.mark.parametrize(("base", "query", "url"), [
    ("https://cramp.clinic.example/hooks", "", "https://cramp.clinic.example/hooks/sms"),
    ("https://cramp.clinic.example/hooks/", "", "https://cramp.clinic.example/hooks/sms"),
    ("https://cramp.clinic.example/TX", "", "https://cramp.clinic.example/TX/sms"),
    ("https://cramp.clinic.example", "kind=staff&callback=cb_1",
     "https://cramp.clinic.example/sms?kind=staff&callback=cb_1"),
], ids=["plain", "trailing-slash", "ends-in-x", "with-query"])
def test_signature_url_twilio_signed_is_the_public_url_path_and_query(
    tmp_path: Path, base: str, query: str, url: str
) -> None:
    from sms.signature import expected_url

    settings = make_settings(tmp_path, public_base_url=base)
    assert (expected_url(settings, query) if query else expected_url(settings)) == url
