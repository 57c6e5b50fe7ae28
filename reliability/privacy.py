"""Security and privacy: forged, tampered, replayed and stale requests are refused on both channels; the logs
never hold a phone number, an Alexa user id or a message body; nobody is texted after STOP.

SMS runs against the real server (the real twilio RequestValidator). Alexa runs through the real WSGI endpoint
and RequestVerifier in-process, with a certificate chain built for the run and served in place of Amazon's
(the server cannot fetch Amazon's real chain for test signatures, and must not trust a test root).
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from reliability.harness import (
    HASH_SALT,
    SKILL_ID,
    ServerProcess,
    alexa_envelope,
    alexa_user_id,
    launch,
    log_lines,
    new_sid,
    phone_number,
    post_sms,
    twilio_form,
    twilio_signature,
)
from shared.identity import hashed_id
from shared.stores import store_from_settings

STOP_FOLLOW_UPS = ("my calf cramped again", "HELP", "CALL", "1", "TIPS", "NEW", "is anyone there?")
# A one-word body ("locked", "minutes", "TIPS") is also the product's own vocabulary (rule ids, steps, keywords)
# and proves nothing when found in a log line; a phrase of two words or more does.
MIN_BODY_CHARS = 8
PHONE_PATTERN = re.compile(r"\+\d{10,15}")


def _tally(counts: dict[str, dict[str, int]], kind: str, refused: bool) -> None:
    entry = counts.setdefault(kind, {"sent": 0, "refused": 0})
    entry["sent"] += 1
    entry["refused"] += int(refused)


# --- SMS -----------------------------------------------------------------------------------------------


def sms_refusals(server: ServerProcess, session: requests.Session) -> dict[str, Any]:
    """Forged and tampered webhooks must get 403 and change nothing; a replay must change nothing."""
    counts: dict[str, dict[str, int]] = {}
    store_path = server.data_dir / "cramp-check.sqlite3"
    url = server.url + "/sms"
    for index in range(10):
        sender = phone_number(3000 + index)
        form = twilio_form("my calf cramped up hard while running", sender)
        good = twilio_signature(url, form)
        attacks: dict[str, tuple[dict[str, str], str]] = {
            "tampered: body changed after signing": ({**form, "Body": "CALL"}, good),
            "tampered: sender changed after signing": ({**form, "From": phone_number(3100 + index)}, good),
            "tampered: parameter added after signing": ({**form, "Extra": "1"}, good),
            "forged: signed with another auth token": (form, twilio_signature(url, form, "not-the-token")),
            "forged: signed for another URL": (form, twilio_signature("https://evil.example/sms", form)),
            "forged: no signature": (form, ""),
            "forged: garbage signature": (form, "bm90IGEgc2lnbmF0dXJl"),
        }
        for kind, (posted, signature) in attacks.items():
            answer = post_sms(session, server.url, posted, signature=signature)
            _tally(counts, kind, answer.status == 403)
    store = store_from_settings("sqlite", path=store_path)
    try:
        touched = [r.key for r in store.scan("conversations")]
    finally:
        store.close()
    # Replays: Twilio signatures carry no timestamp, so a captured request stays valid; the MessageSid claim
    # is what must stop it from being handled twice.
    for index in range(10):
        sender = phone_number(3200 + index)
        form = twilio_form("my lower back is stiff after lifting", sender)
        first = post_sms(session, server.url, form)
        before = _conversation(store_path, sender)
        for _ in range(3):
            again = post_sms(session, server.url, form)
            unchanged = _conversation(store_path, sender) == before and again.messages == first.messages
            _tally(counts, "replayed: same signed request again", unchanged)
    return {"counts": counts, "records_written_by_refused_requests": len(touched)}


def _conversation(store_path: Path, sender: str) -> dict | None:
    store = store_from_settings("sqlite", path=store_path)
    try:
        record = store.get("conversations", hashed_id("phone", sender, HASH_SALT))
        return record.data if record else None
    finally:
        store.close()


def sms_stale_replays(workdir: Path, count: int = 5) -> dict[str, int]:
    """A captured message replayed 29 days later, inside the 30-day claim retention: refused (recorded reply,
    nothing changed)? And replayed after the retention, the documented residual: handled again?

    Twilio's signature has no timestamp, so the claim is the only replay guard. The replay 29 days on runs
    the line's clock forward (the claim must still be live then); the one after the retention plays the
    expiries by deleting the claim and the conversation, which is what DynamoDB's TTL does.
    """
    from reliability.load import reference_settings
    from sms.app import create_app
    from sms.idempotency import claim_key
    from sms.inbound import Inbound

    store = store_from_settings("memory")
    line = create_app(reference_settings(workdir), store).extensions["cramp_sms"]
    real_clock = line.clock
    refused = handled_again = 0
    for index in range(count):
        sender = phone_number(6000 + index)
        phone_hash = hashed_id("phone", sender, HASH_SALT)
        inbound = Inbound(sender=sender, body="CALL", sid=new_sid(), num_media=0)
        line.handle(Inbound(sender=sender, body="my calf cramped up hard while running", sid=new_sid(), num_media=0))
        first = line.handle(inbound)
        before = store.get("conversations", phone_hash)
        claim = store.get("conversations", claim_key(inbound.sid or ""))
        later = real_clock() + 29 * 24 * 3600
        line.clock = lambda later=later: later
        try:
            again = line.handle(inbound)
        finally:
            line.clock = real_clock
        after = store.get("conversations", phone_hash)
        still_claimed = claim is not None and claim.expires_at is not None and claim.expires_at > later
        unchanged = before is not None and after is not None and before.version == after.version
        refused += int(still_claimed and unchanged and again == first)
        store.delete("conversations", claim_key(inbound.sid or ""))
        store.delete("conversations", phone_hash)
        line.handle(inbound)
        handled_again += int(store.get("conversations", phone_hash) is not None)
    return {"sent": count, "refused": refused, "after_retention_sent": count, "after_retention_handled": handled_again}


def stop_is_final(server: ServerProcess, session: requests.Session, numbers: int = 5) -> dict[str, int]:
    """After STOP, nothing at all is sent to the number: no reply, no callback, nothing in the outbox."""
    from shared.config import Settings
    from sms.outbound import read_outbox

    replies_after_stop = 0
    sent_after_stop = 0
    for index in range(numbers):
        sender = phone_number(4000 + index)
        for body in ("my calf cramped up hard while running", "STOP"):
            post_sms(session, server.url, twilio_form(body, sender))
        for body in STOP_FOLLOW_UPS:
            answer = post_sms(session, server.url, twilio_form(body, sender))
            sent_after_stop += 1
            replies_after_stop += int(answer.status != 200 or bool(answer.messages))
    outbox = read_outbox(Settings(store="memory", data_dir=server.data_dir))
    stopped = {phone_number(4000 + i) for i in range(numbers)}
    store = store_from_settings("sqlite", path=server.data_dir / "cramp-check.sqlite3")
    try:
        hashes = {hashed_id("phone", n, HASH_SALT) for n in stopped}
        callbacks = sum(1 for r in store.scan("callbacks") if r.data.get("phone_hash") in hashes)
    finally:
        store.close()
    return {
        "numbers_stopped": numbers,
        "messages_after_stop": sent_after_stop,
        "replies_after_stop": replies_after_stop,
        "outbox_messages_to_stopped_numbers": sum(1 for m in outbox if m.get("to") in stopped),
        "callbacks_after_stop": callbacks,
    }


# --- Alexa ---------------------------------------------------------------------------------------------


def alexa_refusals(workdir: Path) -> dict[str, Any]:
    """Tampered, forged, stale and replayed Alexa requests through the real verifier: 400 and nothing stored."""
    from werkzeug.test import Client

    from server.alexa_endpoint import AlexaWebApp
    from server.alexa_verification import RequestVerifier
    from shared.config import Settings
    from skill.app import build_skill
    from tests.skill.alexa_ca import CERT_URL, build_ca

    now = datetime.now(UTC)
    ca = build_ca(now)
    identity = ca.issue_signing_identity()
    pem = identity.chain_pem()
    stranger = build_ca(now, name="Not Amazon").issue_signing_identity()
    store = store_from_settings("memory")
    settings = Settings(store="memory", data_dir=workdir, hash_salt=HASH_SALT, alexa_skill_id=SKILL_ID)
    served = {CERT_URL: pem, CERT_URL.replace("cert-12", "cert-99"): stranger.chain_pem()}
    verifier = RequestVerifier(SKILL_ID, trusted_roots=[ca.root_cert], fetch_pem=lambda url: served[url])
    client = Client(AlexaWebApp(settings, build_skill(settings, store), verifier))

    def post(body: bytes, headers: dict[str, str]) -> int:
        return client.post("/alexa", data=body, headers={**headers, "Content-Type": "application/json"}).status_code

    def envelope(index: int, *, age_s: float = 0, skill_id: str = SKILL_ID) -> bytes:
        doc = alexa_envelope(alexa_user_id(5000 + index), launch(), session_id=f"amzn1.echo-api.session.{index}",
                             new=True, attributes={}, now=now - timedelta(seconds=age_s), skill_id=skill_id)
        return json.dumps(doc).encode()

    counts: dict[str, dict[str, int]] = {}
    accepted = 0
    for index in range(10):
        body = envelope(index)
        headers = identity.headers(body)
        attacks = {
            "tampered: body changed after signing": (body.replace(b"LaunchRequest", b"SessionEndedRequest"), headers),
            "tampered: user id changed after signing": (
                body.replace(alexa_user_id(5000 + index).encode(), alexa_user_id(5999).encode()), headers),
            "tampered: byte appended": (body + b" ", headers),
            "forged: signed by a key Amazon never certified": (body, stranger.headers(body, CERT_URL)),
            "forged: chain from an untrusted root": (body, stranger.headers(body, CERT_URL.replace("cert-12",
                                                                                                   "cert-99"))),
            "forged: cert URL off Amazon's bucket": (body, {**headers, "SignatureCertChainUrl":
                                                            "https://evil.example/echo.api/cert.pem"}),
            "forged: cert URL path traversal": (body, {**headers, "SignatureCertChainUrl":
                                                       "https://s3.amazonaws.com/echo.api/../evil/cert.pem"}),
            "forged: no signature": (body, {"SignatureCertChainUrl": CERT_URL}),
            "forged: signed, another skill's id": (envelope(index, skill_id="amzn1.ask.skill.other"), None),
            "stale: signed 151 s ago": (envelope(index, age_s=151), None),
            "stale: signed an hour ago": (envelope(index, age_s=3600), None),
            "stale: timestamp 10 min in the future": (envelope(index, age_s=-600), None),
        }
        for kind, (sent, sent_headers) in attacks.items():
            status = post(sent, sent_headers if sent_headers is not None else identity.headers(sent))
            _tally(counts, kind, status == 400)
        accepted += int(post(body, headers) == 200)
        # Amazon's checklist stops replays with the 150 s timestamp window only; inside it a copy is accepted.
        _tally(counts, "replayed within 150 s (Amazon's scheme accepts it)", post(body, headers) == 400)
    # A captured request replayed after the 150 s window is stale: the verifier's clock is moved on.
    late = RequestVerifier(SKILL_ID, trusted_roots=[ca.root_cert], fetch_pem=lambda url: served[url],
                           now=lambda: datetime.now(UTC) + timedelta(seconds=151))
    late_client = Client(AlexaWebApp(settings, build_skill(settings, store), late))
    for index in range(10):
        body = envelope(index)
        status = late_client.post("/alexa", data=body, headers={**identity.headers(body),
                                                                 "Content-Type": "application/json"}).status_code
        _tally(counts, "replayed: captured request sent again after 150 s", status == 400)
    refused_users = [alexa_user_id(5999)]
    stored_for_forged = sum(1 for r in store.scan("attributes")
                            if r.key in {hashed_id("alexa", u, HASH_SALT) for u in refused_users})
    return {"counts": counts, "genuine_accepted": accepted, "genuine_sent": 10,
            "records_written_by_refused_requests": stored_for_forged}


# --- logs ----------------------------------------------------------------------------------------------


def scan_logs(paths: list[Path], phones: list[str], bodies: list[str], user_ids: list[str]) -> dict[str, Any]:
    """Every log line, searched for the run's phone numbers (any format), Alexa user ids and message bodies."""
    needles: dict[str, str] = {}
    for phone in phones:
        digits = phone.lstrip("+")
        for form in (phone, digits, digits[-10:]):
            needles[form] = "phone number"
    for user_id in user_ids:
        needles[user_id] = "Alexa user id"
    for body in bodies:
        if len(body) >= MIN_BODY_CHARS and " " in body.strip():
            needles[body.lower()] = "message body"
    lines = [line for path in paths for line in log_lines(path)]
    hits: dict[str, int] = {}
    examples: list[str] = []
    for line in lines:
        lowered = line.lower()
        for needle, kind in needles.items():
            if needle.lower() in lowered:
                hits[kind] = hits.get(kind, 0) + 1
                if len(examples) < 5:
                    examples.append(f"{kind} '{needle}' in: {line[:160]}")
        if PHONE_PATTERN.search(line):
            hits["phone-shaped text"] = hits.get("phone-shaped text", 0) + 1
    return {"lines_scanned": len(lines), "files": len(paths), "needles": len(needles), "hits": hits,
            "examples": examples}


def run(workdir: Path, load_result: dict[str, Any] | None = None) -> dict[str, Any]:
    """Refusals on both channels, STOP, and the log scan (of the load run's log and this run's own)."""
    server = ServerProcess(data_dir=workdir / "privacy-data", log_path=workdir / "privacy-server.log")
    with server, requests.Session() as session:
        sms = sms_refusals(server, session)
        stop = stop_is_final(server, session)
    alexa = alexa_refusals(workdir)
    logs = [server.log_path]
    phones = [phone_number(i) for i in (*range(3000, 3010), *range(3100, 3110), *range(3200, 3210),
                                        *range(4000, 4005))]
    bodies = list(STOP_FOLLOW_UPS) + ["my calf cramped up hard while running", "my lower back is stiff after lifting"]
    user_ids: list[str] = []
    if load_result:
        logs.append(Path(load_result["log_path"]))
        phones += load_result["phone_numbers"]
        bodies += load_result["sent_bodies"]
        user_ids += load_result["alexa_user_ids"]
    return {"sms": sms, "stale_sms": sms_stale_replays(workdir), "stop": stop, "alexa": alexa,
            "logs": scan_logs(logs, phones, bodies, user_ids)}


def main() -> int:
    """`python -m reliability.privacy`: print the counts as JSON."""
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory(prefix="cramp-privacy-") as tmp:
        result = run(Path(tmp))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
