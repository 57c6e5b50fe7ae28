"""The voice-to-text hand-off on the store: seed the SMS line with a voice assessment, keep each channel's
episode history, and link a phone number's history with an Alexa user's (shared/erasure.py forgets both sides).

Both channels keep their history in the "attributes" collection, one document per person: the Alexa skill's
persistent attributes under "alexa_<hash>", the SMS line's under "phone_<hash>". A link is written on both
documents ("linked": the other key) and only counts while both point at each other, so a stale one-sided link
(the number later linked to another Alexa account) joins nothing. No framework is imported here: the skill
and the SMS line both call it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from shared.config import Settings
from shared.content import Content
from shared.dialogue import Conversation, Step
from shared.facts import Observations
from shared.records import (
    ATTRIBUTES,
    CONVERSATIONS,
    EPISODE_RECORDED,
    EPISODES,
    LINKED,
    MAX_EPISODES,
    OPTOUTS,
    RATE,
    RECENT_DAYS,
)
from shared.stores import NOT_READ, AlreadyRead, Record, Store, VersionConflict, update

logger = logging.getLogger(__name__)


class TextNotSent(Exception):
    """A text could not be handed over for sending (no credentials, the network, or the SMS API refused it)."""


# How the skill's "text me that" sends, injected by its entry point: (number, body) -> the message's id, raising
# TextNotSent when it cannot. The SMS line's sender (sms/outbound.py) is one; the skill never imports it.
TextSender = Callable[[str, str], str]


def line_number(settings: Settings, content: Content) -> str:
    """The number people text (and text START to): the SMS line's sending number, else the clinic's."""
    return settings.twilio_from_number or content.clinic["phone"]


def is_opted_out(store: Store, phone_hash: str) -> bool:
    """True when this number has opted out of texts (sms/optouts.py records it), on either channel."""
    return store.get(OPTOUTS, phone_hash) is not None


def seed_conversation(store: Store, phone_hash: str, observations: Observations, *, now: float, ttl: int) -> None:
    """Store the voice assessment as this number's SMS conversation, at its verdict, so CALL and TIPS work at once."""
    # The relief step was spoken and is in the text just sent: the SMS line must not repeat it.
    conversation = Conversation(step=Step.VERDICT, observations=observations, relief_given=True)
    update(
        store,
        CONVERSATIONS,
        phone_hash,
        # The episode is already in the Alexa history: the SMS line must not count it again. The silence limit
        # (hours) outlasts any rate window (minutes), so the record's expiry covers the kept count too.
        # The rate count is kept: neither "text me" nor "forget me" resets the line's rate limit.
        lambda current: {
            "conversation": conversation.to_dict(),
            "updated_at": now,
            EPISODE_RECORDED: True,
            **_rate_count_of(current),
        },
        expires_at=now + ttl,
    )


def _rate_count_of(data: dict | None) -> dict:
    """The SMS rate count held in a conversation record, as the fields to carry into its next version."""
    return {RATE: data[RATE]} if data and data.get(RATE) is not None else {}


def _episodes_in(data: dict | None) -> list[dict]:
    kept = data.get(EPISODES) if data is not None else None
    return [episode for episode in kept or [] if isinstance(episode, dict)]


def episodes(store: Store, key: str) -> list[dict]:
    """The episodes kept for one person on one channel (an "alexa_..." or "phone_..." key), oldest first."""
    record = store.get(ATTRIBUTES, key)
    return _episodes_in(record.data if record is not None else None)


def _linked_from(store: Store, key: str, data: dict | None) -> tuple[str | None, dict | None]:
    """The linked key named in `data` (the record under `key`) if the other side agrees, and the other's data."""
    other = data.get(LINKED) if data is not None else None
    if not isinstance(other, str) or other == key:
        return None, None
    back = store.get(ATTRIBUTES, other)
    return (other, back.data) if back is not None and back.data.get(LINKED) == key else (None, None)


def linked_key(store: Store, key: str) -> str | None:
    """The other channel's key this person's history is joined with, if both sides still agree."""
    record = store.get(ATTRIBUTES, key)
    return _linked_from(store, key, record.data if record is not None else None)[0]


def count_recent(kept: Iterable[dict], today: date, days: int = RECENT_DAYS) -> int:
    """How many of these episodes fall within the last `days` days up to today."""
    count = 0
    for episode in kept:
        try:
            day = date.fromisoformat(episode["date"])
        except (KeyError, TypeError, ValueError):
            continue
        if timedelta(0) <= today - day < timedelta(days=days):
            count += 1
    return count


def _appending(entry: dict, since: date) -> Callable[[dict | None], dict]:
    """The change that adds one episode to a history document, keeping the last ten since `since` (the clinic's
    retention) and any link."""

    def change(data: dict | None) -> dict:
        data = dict(data or {})
        kept = [episode for episode in data.get(EPISODES) or [] if isinstance(episode, dict) and _on_or_after(
            episode, since)]
        data[EPISODES] = (kept + [entry])[-MAX_EPISODES:]
        return data

    return change


def _on_or_after(episode: dict, since: date) -> bool:
    try:
        return date.fromisoformat(episode["date"]) >= since
    except (KeyError, TypeError, ValueError):
        return False


class EpisodeHistory:
    """One person's history on one channel for one turn: counting its episodes and recording one more read
    the document once between them (an SMS first message does both)."""

    def __init__(self, store: Store, key: str, already_read: AlreadyRead = NOT_READ) -> None:
        self._store = store
        self._key = key
        self._record = already_read  # the document as the turn read it (a batch read), else read on first use

    def _current(self) -> Record | None:
        if self._record is NOT_READ:
            self._record = self._store.get(ATTRIBUTES, self._key)
        return self._record

    def joined(self) -> list[dict]:
        """This person's episodes on this channel plus those on the linked channel."""
        # The link and the episodes come from the same snapshot of the record.
        record = self._current()
        data = record.data if record is not None else None
        other, other_data = _linked_from(self._store, self._key, data)
        return _episodes_in(data) + (_episodes_in(other_data) if other else [])

    def record(self, day: date, body_part: str | None, verdict: str, *, now: float, retention_seconds: int) -> None:
        """Append one episode, keeping the last ten within the clinic's retention and any link; writes over the
        document `joined` read, which then expires `retention_seconds` after `now` unless written again."""
        since = day - timedelta(seconds=retention_seconds)
        change = _appending({"date": day.isoformat(), "body_part": body_part, "verdict": verdict}, since)
        expires_at = now + retention_seconds
        record = self._current()
        self._record = NOT_READ
        try:
            self._store.put(
                ATTRIBUTES,
                self._key,
                change(record.data if record is not None else None),
                expected_version=record.version if record is not None else 0,
                expires_at=expires_at,
            )
        except VersionConflict:
            # Written since it was read (the Alexa side of a link, say): read it again and re-apply, as update() does.
            update(self._store, ATTRIBUTES, self._key, change, expires_at=expires_at)


def link_phone(store: Store, phone_hash: str, alexa_key: str, *, expires_at: float) -> None:
    """Write the phone side of a link (the skill writes its own side through its persistent attributes); the
    document then expires at `expires_at` (the clinic's retention) unless written again."""

    def change(data: dict | None) -> dict:
        data = dict(data or {})
        data[LINKED] = alexa_key
        return data

    update(store, ATTRIBUTES, phone_hash, change, expires_at=expires_at)
    logger.info("histories linked", extra={"phone_hash": phone_hash, "user": alexa_key})

