"""Per-number conversation state: one record keyed by the phone hash, holding the dialogue and the rate count.

Every message that reaches the rate limit rewrites this record once, version-checked: the count and, when the
message moves the dialogue, the conversation too (on DynamoDB a competing message makes it re-read and re-apply
both, so neither a count nor a dialogue step is lost). The two parts expire separately inside the one record:

- the conversation lives until CONVERSATION_UNTIL, set to now + the silence limit only when a message advances
  it; a message that does not (HELP, a picture, unreadable text, one over the limit) keeps that time as it was;
- the rate window is kept until it ends (sms/ratelimit.py); an ended one is ignored and replaced by a new one.

The record itself expires at the later of the two, so the count survives the conversation's expiry and DELETE
(which leaves only the count), and a conversation is not kept alive by the count. A conversation past its time
that still sits in a record kept for the count (only when a window outlasts it) is treated as absent and dropped
at the next write; until then it is as unreadable as any expired record DynamoDB has not yet swept away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from shared.content import Content
from shared.dialogue import Conversation, Event, Message, Reply, Turn, next_step
from shared.records import CONVERSATIONS, EPISODE_RECORDED, RATE
from shared.stores import NOT_READ, AlreadyRead, Record, Store, rewrite
from sms.ratelimit import RateDecision, RateLimit

# The last message applied to the conversation and the state it was applied to, kept with the state in one
# write: a redelivery that takes over a dead attempt's claim re-applies that message to the same state
# instead of applying it a second time.
LAST_SID = "last_sid"
BEFORE_LAST = "before_last"
# When the conversation expires, kept in the record because the record may live longer (for the rate count).
CONVERSATION_UNTIL = "conversation_until"
_CONVERSATION_FIELDS = ("conversation", "updated_at", EPISODE_RECORDED, LAST_SID, BEFORE_LAST)


class CountedTurn(NamedTuple):
    """What one counted message did: the rate decision and, when it was allowed, the dialogue's turn."""

    rate: RateDecision
    turn: Turn | None = None
    new_episode: bool = False


def _live_conversation(record: Record | None, now: float) -> dict:
    """The conversation fields of a stored record (with CONVERSATION_UNTIL), or {} when there is none or it expired."""
    if record is None or "conversation" not in record.data:
        return {}
    data = record.data
    # Written before the count moved in (or by handover.seed_conversation): the record's expiry was the conversation's.
    until = data.get(CONVERSATION_UNTIL, record.expires_at)
    if until is not None and until <= now:
        return {}
    kept = {name: data[name] for name in _CONVERSATION_FIELDS if name in data}
    kept[CONVERSATION_UNTIL] = until
    return kept


def _expiry(data: dict, limit: RateLimit) -> float | None:
    """The record's expiry: the later of the conversation's end and the rate window's end."""
    ends: list[float] = []
    if "conversation" in data:
        if data[CONVERSATION_UNTIL] is None:
            return None
        ends.append(data[CONVERSATION_UNTIL])
    if data.get(RATE) is not None:
        ends.append(limit.window_end(data[RATE]))
    return max(ends) if ends else None


def _rewrite(
    store: Store,
    phone_hash: str,
    change: Callable[[Record | None], dict | None],
    limit: RateLimit,
    already_read: AlreadyRead = NOT_READ,
) -> None:
    """Read the record (unless the turn already did), let `change` give its new data (None: nothing to keep) and
    write it with a version check; after a conflict, re-read and re-apply. The expiry follows from the data."""

    def with_expiry(current: Record | None) -> tuple[dict, float | None] | None:
        data = change(current)
        return None if data is None else (data, _expiry(data, limit))

    rewrite(store, CONVERSATIONS, phone_hash, with_expiry, already_read=already_read)


def load_conversation(
    store: Store,
    phone_hash: str,
    now: float,
    content: Content,
    already_read: AlreadyRead = NOT_READ,
) -> Conversation:
    """The live conversation for this number, or a fresh one (after expiry or for a new number)."""
    record = store.get(CONVERSATIONS, phone_hash) if already_read is NOT_READ else already_read
    conversation = _live_conversation(record, now)
    return Conversation.from_dict(conversation.get("conversation"), content)


def count_message(
    store: Store, phone_hash: str, limit: RateLimit, already_read: AlreadyRead = NOT_READ
) -> RateDecision:
    """Count a message that leaves the conversation as it is (HELP, a picture, unreadable text)."""
    decisions: list[RateDecision] = []

    def change(record: Record | None) -> dict:
        decision, rate = limit.count(record.data.get(RATE) if record is not None else None)
        decisions.append(decision)
        return {**_live_conversation(record, limit.now), RATE: rate}

    _rewrite(store, phone_hash, change, limit, already_read)
    return decisions[-1]


def count_and_forget(store: Store, phone_hash: str, limit: RateLimit) -> None:
    """DELETE: count it and keep nothing but the count, whatever the limit says (erasure is never refused; the
    count stays so DELETE cannot reset the limit)."""

    def change(record: Record | None) -> dict:
        return {RATE: limit.count(record.data.get(RATE) if record is not None else None)[1]}

    _rewrite(store, phone_hash, change, limit)


def forget_conversation(store: Store, phone_hash: str, limit: RateLimit) -> None:
    """Erase the conversation, keeping only a rate window that has not ended (DELETE from an opted-out number)."""

    def change(record: Record | None) -> dict | None:
        rate = limit.live(record.data.get(RATE)) if record is not None else None
        return {RATE: rate} if rate is not None else None

    _rewrite(store, phone_hash, change, limit)


def count_and_advance(
    store: Store,
    phone_hash: str,
    event: Event,
    message: Message,
    content: Content,
    limit: RateLimit,
    *,
    locale: str,
    ttl_seconds: int,
    recent_episodes: Callable[[], int] | None = None,
    message_sid: str | None = None,
    already_read: AlreadyRead = NOT_READ,
) -> CountedTurn:
    """Count the message and, when it is allowed, apply its event to the conversation: one versioned write.

    The turn tells whether it finished a new episode (its first verdict or emergency). `recent_episodes` gives
    the count of recent episodes (this one included) that a new conversation or a NEW episode starts with; it is
    only called when one starts. A `message_sid` already applied last is applied again to the state it found, so
    the same turn comes back and the conversation moves once (its count is taken again, as a redelivery's is).
    """
    now = limit.now
    results: list[CountedTurn] = []

    def change(record: Record | None) -> dict:
        # Runs again on every conflict, on the state the competing message left: no update is lost.
        decision, rate = limit.count(record.data.get(RATE) if record is not None else None)
        data = _live_conversation(record, now)
        if decision != RateDecision.ALLOW:
            results.append(CountedTurn(decision))
            return {**data, RATE: rate}
        again = (
            message_sid is not None and data.get(LAST_SID) == message_sid and isinstance(data.get(BEFORE_LAST), dict)
        )
        base = data[BEFORE_LAST] if again else data
        stored = base.get("conversation")
        fresh = not stored or event == Event.NEW
        conversation = Conversation.from_dict(stored, content)
        if fresh and recent_episodes is not None:
            observations = replace(conversation.observations, recent_episodes=recent_episodes())
            conversation = replace(conversation, observations=observations)
        turn = next_step(conversation, event, message, content=content, locale=locale)
        recorded = bool(base.get(EPISODE_RECORDED)) and not fresh
        finished = turn.reply in (Reply.ASSESSMENT, Reply.EMERGENCY)
        # Re-applied, the episode was recorded by the attempt that applied it first (right after its write):
        # recording it again would count one episode twice toward the recurrence rule.
        results.append(CountedTurn(decision, turn, finished and not recorded and not again))
        new = {
            "conversation": turn.conversation.to_dict(),
            "updated_at": now,
            EPISODE_RECORDED: recorded or finished,
            CONVERSATION_UNTIL: now + ttl_seconds,
            RATE: rate,
        }
        if message_sid is not None:
            before = {"conversation": stored, EPISODE_RECORDED: bool(base.get(EPISODE_RECORDED))}
            new |= {LAST_SID: message_sid, BEFORE_LAST: before}
        return new

    _rewrite(store, phone_hash, change, limit, already_read)
    return results[-1]
