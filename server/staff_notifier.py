"""The local server's stand-in for the deployed staff_notify function: texts staff about callback requests.

Deployed, the callbacks table's stream starts each staff text at once and a schedule sends every owed text that is
due each minute (serverless.yml). Locally this thread does both: the SMS line wakes it when a request is stored,
and it looks for due texts every `interval` seconds, so the patient's webhook never waits for Twilio here either.
"""

from __future__ import annotations

import logging
import threading

from shared.config import Settings
from shared.content import Content
from shared.stores import Store
from sms.notifications import send_owed

logger = logging.getLogger(__name__)

# The deployed schedule's rate (serverless.yml, staff_notify: rate(1 minute)).
RETRY_INTERVAL_SECONDS = 60


class StaffNotifier:
    """Sends owed staff texts at start, whenever woken, and every `interval` seconds, until stopped."""

    def __init__(self, settings: Settings, store: Store, content: Content,
                 interval: float = RETRY_INTERVAL_SECONDS) -> None:
        self.settings = settings
        self.store = store
        self.content = content
        self.interval = interval
        self._stop = threading.Event()
        self._woken = threading.Event()
        self._thread = threading.Thread(target=self._run, name="staff-notifier", daemon=True)

    def start(self) -> StaffNotifier:
        """Begin sending in the background."""
        self._thread.start()
        return self

    def wake(self, callback_id: str | None = None) -> None:
        """A callback request was stored: look for owed texts now rather than at the next interval."""
        self._woken.set()

    def run_round(self) -> None:
        """Send every owed text that is due now, in the caller's thread (the try-it page shows it at once)."""
        send_owed(self.settings, self.store, self.content)

    def stop(self) -> None:
        """Stop after the round in progress, if any."""
        self._stop.set()
        self._woken.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._woken.clear()
            try:
                self.run_round()
            except Exception:  # noqa: BLE001 - a store outage must not end the notifier; the next round tries again
                logger.warning("staff notification round failed", exc_info=True)
            self._woken.wait(self.interval)
