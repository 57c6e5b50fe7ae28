"""What health information is kept, and for how long: the clinic's two decisions in clinic.yaml.

- `alexa_health_data` (default false): whether the Alexa skill may keep health information between sessions. Off,
  the skill keeps no episode history (recurrence is asked, not remembered), never joins the voice and text
  histories, seeds no text conversation, and a callback or "text me that" made by voice carries only the relief
  step, the clinic's number and the time window, never a triage summary. On only for a skill enrolled in Amazon's
  HIPAA-eligible skill programme: an account in the clinic's own name, Amazon's BAA accepted, decided before the
  skill is first published (docs/deploying.md, "Alexa health policy"; platform b-1 [A3]).
- `retention_days` (default 90): how long any stored health record lives. Episode histories and callback
  requests carry it as their expiry (DynamoDB's TTL deletes them; every store treats them as gone at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ALEXA_HEALTH_DATA = "alexa_health_data"
RETENTION_DAYS = "retention_days"
DEFAULT_RETENTION_DAYS = 90
DAY_SECONDS = 24 * 3600


class HealthDataError(ValueError):
    """clinic.yaml holds a value for the health-data settings that cannot be used."""


@dataclass(frozen=True)
class HealthData:
    """The clinic's health-data policy."""

    alexa_keeps_health_data: bool = False
    retention_days: int = DEFAULT_RETENTION_DAYS

    @property
    def retention_seconds(self) -> int:
        """The retention period in seconds."""
        return self.retention_days * DAY_SECONDS

    def expires_at(self, now: float) -> float:
        """When a health record written at `now` must be gone."""
        return now + self.retention_seconds


def health_data_of(clinic: dict[str, Any]) -> HealthData:
    """The policy clinic.yaml sets (its defaults where it says nothing); raises HealthDataError for a bad value."""
    switch = clinic.get(ALEXA_HEALTH_DATA, False)
    if not isinstance(switch, bool):
        raise HealthDataError(f"{ALEXA_HEALTH_DATA} must be true or false, not {switch!r}")
    days = clinic.get(RETENTION_DAYS, DEFAULT_RETENTION_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise HealthDataError(f"{RETENTION_DAYS} must be a whole number of days, at least 1, not {days!r}")
    return HealthData(alexa_keeps_health_data=switch, retention_days=days)
