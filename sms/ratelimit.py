"""Per-number rate limit: a fixed window counter; the first message over the limit gets one notice."""

from __future__ import annotations

from enum import StrEnum

from shared.stores import Store, update

COLLECTION = "conversations"


class RateDecision(StrEnum):
    """What to do with one more message from a number."""

    ALLOW = "allow"
    NOTICE = "notice"  # the first message over the limit: say we are pausing
    SILENCE = "silence"  # every later one in the same window: no reply


def rate_key(phone_hash: str) -> str:
    """The record that counts this number's messages."""
    return f"rate:{phone_hash}"


def check_rate(store: Store, phone_hash: str, *, limit: int, window_seconds: int, now: float) -> RateDecision:
    """Count this message against the number's window and decide whether it gets a reply."""
    decisions: list[RateDecision] = []

    def change(data: dict | None) -> dict:
        if not data or now >= data["window_start"] + window_seconds:
            data = {"window_start": now, "count": 0, "noticed": False}
        count = data["count"] + 1
        noticed = data["noticed"]
        if count <= limit:
            decision = RateDecision.ALLOW
        elif not noticed:
            decision, noticed = RateDecision.NOTICE, True
        else:
            decision = RateDecision.SILENCE
        decisions.append(decision)
        return {"window_start": data["window_start"], "count": count, "noticed": noticed}

    update(store, COLLECTION, rate_key(phone_hash), change, expires_at=now + window_seconds)
    return decisions[-1]
