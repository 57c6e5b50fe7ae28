"""Per-number rate limit: a fixed window counter; the first message over the limit gets one notice.

The count lives in the number's conversation record (sms/state.py), under RATE, so a message that advances the
conversation writes one record, version-checked, instead of two. This module only does the arithmetic.

Records the previous version kept apart ("rate:<phone_hash>") are no longer read: a number in the middle of a
window when this version starts gets a fresh window once, and those records expire by themselves at most one
window later (they were written with now + window). One extra window of messages per number, once, was judged
better than reading a second key on every message to carry a count that lasts ten minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RateDecision(StrEnum):
    """What to do with one more message from a number."""

    ALLOW = "allow"
    NOTICE = "notice"  # the first message over the limit: say we are pausing
    SILENCE = "silence"  # every later one in the same window: no reply


@dataclass(frozen=True)
class RateLimit:
    """The line's limit (messages per fixed window) at the time one message arrived."""

    limit: int
    window_seconds: int
    now: float

    def live(self, rate: dict | None) -> dict | None:
        """The stored window if it has not ended yet, else None."""
        if not isinstance(rate, dict) or self.now >= self.window_end(rate):
            return None
        return rate

    def window_end(self, rate: dict) -> float:
        """When the stored window ends (and the record need not keep it any longer)."""
        return rate["window_start"] + self.window_seconds

    def count(self, rate: dict | None) -> tuple[RateDecision, dict]:
        """Count one more message against the stored window (a new window once it has ended)."""
        current = self.live(rate) or {"window_start": self.now, "count": 0, "noticed": False}
        count = current["count"] + 1
        noticed = current["noticed"]
        if count <= self.limit:
            decision = RateDecision.ALLOW
        elif not noticed:
            decision, noticed = RateDecision.NOTICE, True
        else:
            decision = RateDecision.SILENCE
        return decision, {"window_start": current["window_start"], "count": count, "noticed": noticed}
