"""Per-number conversation state: one record keyed by the phone hash, expiring after a silence."""

from __future__ import annotations

from shared.content import Content
from shared.dialogue import Conversation, Event, Message, Turn, next_step
from shared.stores import Store, update

COLLECTION = "conversations"


def load_conversation(store: Store, phone_hash: str) -> Conversation:
    """The live conversation for this number, or a fresh one (after expiry or for a new number)."""
    record = store.get(COLLECTION, phone_hash)
    return Conversation.from_dict(record.data.get("conversation") if record else None)


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
    turns: list[Turn] = []

    def change(data: dict | None) -> dict:
        # Runs again on every conflict, on the state the competing message left: no update is lost.
        conversation = Conversation.from_dict((data or {}).get("conversation"))
        turn = next_step(conversation, event, message, content)
        turns.append(turn)
        return {"conversation": turn.conversation.to_dict(), "updated_at": now}

    update(store, COLLECTION, phone_hash, change, expires_at=now + ttl_seconds)
    return turns[-1]


def forget_conversation(store: Store, phone_hash: str) -> None:
    """Erase the conversation state for this number."""
    store.delete(COLLECTION, phone_hash)
