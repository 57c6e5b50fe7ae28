"""Erasing a number's callback requests (DELETE). Storing them is shared with the Alexa skill: shared/callbacks.py."""

from __future__ import annotations

from shared.records import CALLBACKS, CALLBACKS_BY_PHONE
from shared.stores import Store


def erase_callbacks(store: Store, phone_hash: str) -> int:
    """Delete every callback request made from this number, found through its phone-hash index; returns how many."""
    mine = [record.key for record in store.query(CALLBACKS_BY_PHONE, phone_hash)]
    for key in mine:
        store.delete(CALLBACKS, key)
    return len(mine)
