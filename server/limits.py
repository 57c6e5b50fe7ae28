"""How much the try-it page may do for one device when it is served beyond loopback (CRAMP_TRY_IT=1).

Each try-it turn signs a request on a visitor's behalf, and a fresh fictional phone per browser slips past the SMS
line's own per-number limit; a callback request also texts the clinic's staff phone. So visitors are counted by
address: turns per device, callback requests per device, and callback requests from the page in all.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

Clock = Callable[[], float]

TRY_TURNS_PER_DEVICE = 30
TRY_TURNS_WINDOW_SECONDS = 10 * 60
TRY_CALLBACKS_PER_DEVICE = 2
TRY_CALLBACKS_ALL_DEVICES = 20
TRY_CALLBACKS_WINDOW_SECONDS = 3600
MAX_TRACKED_DEVICES = 10_000
EVERYONE = "*"


class SlidingWindowLimit:
    """At most `allowed` events per key in any `window` seconds; thread-safe, bounded in keys."""

    def __init__(self, allowed: int, window: float, clock: Clock = time.monotonic) -> None:
        self.allowed = allowed
        self.window = window
        self._clock = clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait_seconds(self, key: str) -> float:
        """0 while `key` may have another event; else how long until the oldest counted one leaves the window."""
        now = self._clock()
        with self._lock:
            events = self._trimmed(key, now)
            if len(events) < self.allowed:
                return 0.0
            return events[0] + self.window - now

    def record(self, key: str, count: int = 1) -> None:
        """Count `count` events for `key` now."""
        if count <= 0:
            return
        now = self._clock()
        with self._lock:
            events = self._trimmed(key, now)
            events.extend([now] * count)
            self._events[key] = events
            self._events.move_to_end(key)
            while len(self._events) > MAX_TRACKED_DEVICES:
                self._events.popitem(last=False)

    def _trimmed(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events


class TryItLimits:
    """The try-it page's allowance per device and in all, beyond loopback."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.turns = SlidingWindowLimit(TRY_TURNS_PER_DEVICE, TRY_TURNS_WINDOW_SECONDS, clock)
        self.callbacks = SlidingWindowLimit(TRY_CALLBACKS_PER_DEVICE, TRY_CALLBACKS_WINDOW_SECONDS, clock)
        self.all_callbacks = SlidingWindowLimit(TRY_CALLBACKS_ALL_DEVICES, TRY_CALLBACKS_WINDOW_SECONDS, clock)

    def refusal(self, device: str) -> tuple[str, float] | None:
        """Why this device gets no more turns now, and for how long; None when it may go on."""
        wait = self.turns.wait_seconds(device)
        if wait:
            return "This page has answered a lot from your device.", wait
        wait = max(self.callbacks.wait_seconds(device), self.all_callbacks.wait_seconds(EVERYONE))
        if wait:
            return "The clinic has had enough callback requests from this page for now.", wait
        return None

    def took_turn(self, device: str, new_callbacks: int) -> None:
        """Count one turn and the callback requests it made."""
        self.turns.record(device)
        self.callbacks.record(device, new_callbacks)
        self.all_callbacks.record(EVERYONE, new_callbacks)
