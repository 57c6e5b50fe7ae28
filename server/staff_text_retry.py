"""The local server's stand-in for the deployed `notify_retry` schedule: staff texts that failed are sent again.

Deployed, a scheduled Lambda retries them every 5 minutes (serverless.yml); the local server runs the same
`retry_notifications` on a background thread at the same pace, so the inbox's "retried automatically" holds here.
"""

from __future__ import annotations

import logging
import threading

from shared.config import Settings
from shared.content import Content
from shared.stores import Store
from sms.callbacks import retry_notifications

logger = logging.getLogger(__name__)

# The deployed schedule's rate (serverless.yml, notify_retry: rate(5 minutes)).
RETRY_INTERVAL_SECONDS = 5 * 60


class StaffTextRetrier:
    """Sends pending staff texts again at start and then every `interval` seconds, until stopped."""

    def __init__(self, settings: Settings, store: Store, content: Content,
                 interval: float = RETRY_INTERVAL_SECONDS) -> None:
        self.settings = settings
        self.store = store
        self.content = content
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="staff-text-retry", daemon=True)

    def start(self) -> StaffTextRetrier:
        """Begin retrying in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the round in progress, if any."""
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                retry_notifications(self.settings, self.store, self.content)
            except Exception:  # noqa: BLE001 - a store outage must not end the retries; the next round tries again
                logger.warning("staff text retry round failed", exc_info=True)
            self._stop.wait(self.interval)
