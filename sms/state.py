"""Per-number conversation state: one record keyed by the phone hash, expiring after a silence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from shared import handover
from shared.content import Content
from shared.dialogue import Conversation, Event, Message, Reply, Turn, next_step
from shared.stores import Store, update

COLLECTION = "conversations"
EPISODE_RECORDED = handover.EPISODE_RECORDED


# The last message applied to the conversation and the state it was applied to, kept with the state in one
# write: a redelivery that takes over a dead attempt's claim re-applies that message to the same state
# instead of applying it a second time.
LAST_SID = "last_sid"
BEFORE_LAST = "before_last"


def load_conversation(store: Store, phone_hash: str, content: Content | None = None) -> Conversation:
    """The live conversation for this number, or a fresh one (after expiry or for a new number)."""
    record = store.get(COLLECTION, phone_hash)
    return Conversation.from_dict(record.data.get("conversation") if record else None, content)


def advance(
    store: Store,
    phone_hash: str,
    event: Event,
    message: Message,
    content: Content,
    *,
    now: float,
    ttl_seconds: int,
) -> Turn:
    """Apply one event to the stored conversation with a version check, re-applying it after a conflict."""
    return advance_episode(store, phone_hash, event, message, content, now=now, ttl_seconds=ttl_seconds)[0]


def advance_episode(
    store: Store,
    phone_hash: str,
    event: Event,
    message: Message,
    content: Content,
    *,
    now: float,
    ttl_seconds: int,
    recent_episodes: Callable[[], int] | None = None,
    message_sid: str | None = None,
) -> tuple[Turn, bool]:
    """Like `advance`, and also tell whether this turn finished a new episode (its first verdict or emergency).

    `recent_episodes` gives the count of recent episodes (this one included) that a new conversation or a NEW
    episode starts with; it is only called when one starts. A `message_sid` already applied last is applied
    again to the state it found, so the same turn comes back and the conversation moves once.
    """
    results: list[tuple[Turn, bool]] = []

    def change(data: dict | None) -> dict:
        # Runs again on every conflict, on the state the competing message left: no update is lost.
        data = data or {}
        again = (
            message_sid is not None and data.get(LAST_SID) == message_sid and isinstance(data.get(BEFORE_LAST), dict)
        )
        base = data[BEFORE_LAST] if again else data
        stored = base.get("conversation")
        fresh = not stored or event == Event.NEW
        if not stored and recent_episodes is not None:
            # A new number's first message: what from_dict and two replace() calls would give, built once.
            conversation = Conversation.new(recent_episodes())
        else:
            conversation = Conversation.from_dict(stored, content)
            if fresh and recent_episodes is not None:
                observations = replace(conversation.observations, recent_episodes=recent_episodes())
                conversation = replace(conversation, observations=observations)
        turn = next_step(conversation, event, message, content)
        recorded = bool(base.get(EPISODE_RECORDED)) and not fresh
        finished = turn.reply in (Reply.ASSESSMENT, Reply.EMERGENCY)
        # Re-applied, the episode was recorded by the attempt that applied it first (right after its write):
        # recording it again would count one episode twice toward the recurrence rule.
        results.append((turn, finished and not recorded and not again))
        new = {"conversation": turn.conversation.to_dict(), "updated_at": now, EPISODE_RECORDED: recorded or finished}
        if message_sid is not None:
            before = {"conversation": stored, EPISODE_RECORDED: bool(base.get(EPISODE_RECORDED))}
            new |= {LAST_SID: message_sid, BEFORE_LAST: before}
        return new

    update(store, COLLECTION, phone_hash, change, expires_at=now + ttl_seconds)
    return results[-1]


def forget_conversation(store: Store, phone_hash: str) -> None:
    """Erase the conversation state for this number."""
    store.delete(COLLECTION, phone_hash)
