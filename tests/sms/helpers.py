"""Small assertions shared by the SMS tests."""

from __future__ import annotations

from shared.render import SMS_LIMIT, is_gsm7, sms_length
from shared.stores import COLLECTIONS, Store


def stored(store: Store) -> dict[str, list]:
    """Every live record in every collection, by collection."""
    return {collection: store.scan(collection) for collection in COLLECTIONS}


def nothing_stored(store: Store) -> bool:
    """True when no collection holds a record."""
    return not any(stored(store).values())


def assert_sms_text(text: str, limit: int = SMS_LIMIT) -> None:
    """A reply a phone shows cheaply: not empty, GSM-7 only, within its segment budget."""
    assert text.strip(), "empty reply"
    assert is_gsm7(text), f"not GSM-7: {[ch for ch in text if not is_gsm7(ch)]!r} in {text!r}"
    assert sms_length(text) <= limit, f"{sms_length(text)} units > {limit}: {text!r}"


def conversation_erased(store: Store, phone_hash: str) -> bool:
    """True when the number's record is gone or holds nothing but its rate-limit window (which DELETE keeps)."""
    record = store.get("conversations", phone_hash)
    return record is None or set(record.data) == {"rate"}
