"""The local server's edge guards, attacked the way the issue-17 attack run attacked them:

- the staff inbox: a guesser's wrong passwords lock out only the guesser's device (never staff on another), a
  session cookie copied before sign-out opens nothing after it, and a sign-in without the form's token is refused;
- the Alexa simulator switch: with it on, a page on another site posting an envelope (text/plain or JSON, any
  cross-site header) runs nothing, and an envelope naming a foreign apiEndpoint is refused;
- the certificate cache: ?v=N and other spellings of Amazon's chain URL download it once, ever new valid-looking
  URLs never grow the cache past its bound, and a URL off Amazon's bucket is never fetched.

The composed server runs in-process (werkzeug's client, each "device" its own address), as the staff sign-in
throttle tells devices apart by address and every loopback request shares one; the verifier is the real one with
a chain built for the run (it must not trust a test root, nor reach Amazon from here).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ATTACKER_ADDRESS = "203.0.113.9"
STAFF_ADDRESS = "198.51.100.7"


def _tally(counts: dict[str, dict[str, int]], kind: str, refused: bool) -> None:
    entry = counts.setdefault(kind, {"sent": 0, "refused": 0})
    entry["sent"] += 1
    entry["refused"] += int(refused)


def staff_inbox(workdir: Path) -> dict[str, Any]:
    """Guessing, a copied cookie after sign-out, and a form without its token, against the staff sign-in."""
    from server.app import build_server
    from tests.server.conftest import FakeClock, InProcess, csrf_from, local_settings, open_test_store

    settings = local_settings(workdir / "staff")
    store = open_test_store(settings)
    server = InProcess(settings, store, build_server(settings, store, clock=FakeClock()), FakeClock())
    counts: dict[str, dict[str, int]] = {}
    attacker = server.another_browser(ATTACKER_ADDRESS)
    for _ in range(30):
        _tally(counts, "staff: wrong password from one device (30 tries)", attacker.sign_in("guess").status_code != 303)
    _tally(counts, "staff: the guesser's device, right password, while locked out",
           attacker.sign_in().status_code == 429)
    nurse = server.another_browser(STAFF_ADDRESS)
    staff_in = nurse.sign_in().status_code == 303 and nurse.get("/staff").status_code == 200
    copied = nurse.client.get_cookie("cramp_session", domain="127.0.0.1").value
    nurse.post("/staff/logout", data={"csrf_token": csrf_from(nurse.get("/staff").data)})
    thief = server.another_browser(ATTACKER_ADDRESS)
    thief.client.set_cookie("cramp_session", copied, domain="127.0.0.1")
    revoked = thief.get("/staff").status_code == 401
    _tally(counts, "staff: session cookie copied before sign-out, used after it", revoked)
    fresh = server.another_browser("192.0.2.44")
    fresh.get("/staff")
    _tally(counts, "staff: sign-in form posted without its CSRF token",
           fresh.post("/staff/login", data={"password": settings.staff_password}).status_code == 400)
    store.close()
    return {"counts": counts, "staff_on_another_device_signed_in": staff_in}


def simulator_switch(workdir: Path) -> dict[str, Any]:
    """Cross-site posts and foreign apiEndpoints against POST /alexa with the simulator switch on."""
    from server.app import build_server
    from tests.server.conftest import FakeClock, InProcess, local_settings, open_test_store
    from tests.skill.alexa_device import AlexaDevice

    settings = local_settings(workdir / "simulator", alexa_local_simulator=True)
    store = open_test_store(settings)
    server = InProcess(settings, store, build_server(settings, store, clock=FakeClock()), FakeClock())

    def envelope(api_endpoint: str | None = None) -> str:
        options = {"api_endpoint": api_endpoint} if api_endpoint else {}
        device = AlexaDevice(lambda _: {}, now=datetime.now(UTC), **options)
        return json.dumps(device.envelope("launch_request"))

    counts: dict[str, dict[str, int]] = {}
    cross_site = {
        "text/plain fetch from another site": ({"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"},
                                               "text/plain"),
        "old browser's text/plain form": ({"Origin": "https://attacker.example"}, "text/plain"),
        "JSON fetch from another site": ({"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"},
                                         "application/json"),
        "sandboxed frame (Origin: null)": ({"Origin": "null"}, "application/json"),
        "DNS rebinding (Host: attacker's name)": ({"Host": "rebind.attacker.example:8080"}, "application/json"),
    }
    for kind, (headers, content_type) in cross_site.items():
        for _ in range(5):
            response = server.post("/alexa", data=envelope(), content_type=content_type, headers=dict(headers))
            _tally(counts, f"simulator: {kind}", response.status_code in (400, 403))
    for endpoint in ("https://api.amazonalexa.com.attacker.example", "http://127.0.0.1:9/", "https://evil.example"):
        response = server.post("/alexa", data=envelope(endpoint), content_type="application/json")
        _tally(counts, "simulator: envelope naming a foreign apiEndpoint", response.status_code == 400)
    written = len(store.scan("attributes")) + len(store.scan("conversations"))
    local = server.post("/alexa", data=envelope(), content_type="application/json")
    store.close()
    return {"counts": counts, "local_program_answered": local.status_code == 200,
            "records_written_by_refused_requests": written}


def certificate_cache() -> dict[str, Any]:
    """Spellings of one chain URL, ever new URLs, and URLs off Amazon's bucket, through the real verifier."""
    from server.alexa_verification import MAX_CACHED_CHAINS, RequestVerifier, VerificationError
    from tests.skill.alexa_ca import CERT_URL, build_ca

    now = datetime.now(UTC)
    ca = build_ca(now)
    identity = ca.issue_signing_identity()
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return identity.chain_pem()

    verifier = RequestVerifier(None, trusted_roots=[ca.root_cert], fetch_pem=fetch)
    body = json.dumps({"version": "1.0", "request": {"type": "LaunchRequest", "requestId": "r",
                                                       "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ")}}).encode()

    def verify(url: str) -> bool:
        try:
            verifier.verify(identity.headers(body, cert_url=url), body)
        except VerificationError:
            return False
        return True

    spellings = [f"{CERT_URL}?v={n}" for n in range(100)] + [CERT_URL + "#x", CERT_URL.replace("https://", "HTTPS://")]
    accepted = sum(verify(url) for url in spellings)
    downloads_for_spellings = len(fetched)
    for n in range(100):
        verify(f"https://s3.amazonaws.com/echo.api/cert-{n}.pem")
    biggest = len(verifier._chains)
    before = len(fetched)
    off_bucket = ["https://evil.example/echo.api/cert.pem", "http://s3.amazonaws.com/echo.api/cert.pem",
                  "https://s3.amazonaws.com/other.bucket/cert.pem", "https://s3.amazonaws.com:8443/echo.api/cert.pem"]
    refused = sum(not verify(url) for url in off_bucket)
    return {
        "spellings_sent": len(spellings), "spellings_accepted": accepted,
        "downloads_for_spellings": downloads_for_spellings,
        "distinct_urls_sent": 100, "cache_entries_at_most": biggest, "cache_bound": MAX_CACHED_CHAINS,
        "off_bucket_sent": len(off_bucket), "off_bucket_refused": refused, "off_bucket_fetched": len(fetched) - before,
    }


def run(workdir: Path) -> dict[str, Any]:
    """All three."""
    return {"staff": staff_inbox(workdir), "simulator": simulator_switch(workdir),
            "certificates": certificate_cache()}


def main() -> int:
    """`python -m reliability.guards`: print the results as JSON."""
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory(prefix="cramp-guards-") as tmp:
        print(json.dumps(run(Path(tmp)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
