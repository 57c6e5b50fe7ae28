"""The state-store contract shared by the memory, SQLite and DynamoDB implementations."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from json.encoder import c_make_encoder, encode_basestring_ascii
from typing import Any, Protocol, cast

logger = logging.getLogger(__name__)

# conversations: SMS dialogue state per phone hash (expires) and MessageSid claims (expire);
# attributes: Alexa persistent attributes / episode history per user;
# optouts: per phone hash, never expire;
# callbacks: callback requests for clinic staff, never expire.
COLLECTIONS = ("conversations", "attributes", "optouts", "callbacks")

# Backoff between update() attempts: full jitter over a window that starts at one read-write cycle
# (microseconds in memory, milliseconds against DynamoDB) and doubles, so racing writers spread out
# whatever the backend's speed. The cap keeps eight attempts within about 1.5 s of Alexa's 8 s budget.
_BACKOFF_FLOOR_S = 0.001
_BACKOFF_CAP_S = 0.2


@dataclass(frozen=True, init=False)
class Record:
    """One stored document with its optimistic-locking version."""

    key: str
    data: dict
    version: int
    expires_at: float | None = None

    def __init__(self, key: str, data: dict, version: int, expires_at: float | None = None) -> None:
        # The generated __init__'s fields, defaults and frozen instance, filled with one dict update instead of
        # an object.__setattr__ per field: every get and put of a turn builds one.
        self.__dict__.update(key=key, data=data, version=version, expires_at=expires_at)


class VersionConflict(Exception):
    """The stored version differs from the one the writer read (or the key already exists)."""


class StoreUnavailable(Exception):
    """The backend is unreachable or failing; callers should give a safe reply."""


class Store(Protocol):
    """Versioned key-value documents grouped in the fixed COLLECTIONS."""

    def get(self, collection: str, key: str) -> Record | None:
        """Return the live record, or None when it is missing or expired."""
        ...

    def put(
        self,
        collection: str,
        key: str,
        data: dict,
        *,
        expected_version: int,
        expires_at: float | None = None,
    ) -> Record:
        """Write atomically if the stored version equals expected_version (0: absent or expired).

        The returned record holds `data` itself rather than a decoded copy of what was stored (the stored
        JSON is separate, so changing either later cannot reach the other); decoding it again cost every
        write a JSON parse that no caller needed.
        """
        ...

    def claim(self, collection: str, key: str, data: dict, *, expires_at: float | None = None) -> bool:
        """Create the record if absent or expired; return False if a live one already exists."""
        ...

    def delete(self, collection: str, key: str) -> None:
        """Remove the record; deleting a missing key is not an error."""
        ...

    def scan(self, collection: str) -> list[Record]:
        """Return every live record of the collection, in no particular order."""
        ...

    def transaction(self) -> AbstractContextManager[bool]:
        """Run the calls made inside as one unit; yields True when an exception inside undoes all their writes.

        SQLite and memory yield True: the calls inside see each other's writes, nobody else sees them before
        the end, and a nested transaction joins the outer one. DynamoDB yields False and keeps each call
        its own write (see DynamoDBStore.transaction), so callers must stay correct with partial writes there.
        Nothing slow (a network call, a sleep) belongs inside: SQLite holds its write lock until the end.
        """
        ...

    def prefetch(self, items: Iterable[tuple[str, str]]) -> None:
        """Inside a transaction, read these (collection, key) records in one round trip where the backend can,
        so the gets that follow in the same transaction need none; elsewhere, and on other backends, nothing.
        """
        ...


def check_collection(collection: str) -> None:
    """Raise ValueError for a collection name outside COLLECTIONS."""
    if collection not in COLLECTIONS:
        raise ValueError(f"unknown collection {collection!r}; expected one of {COLLECTIONS}")


# Built once: json.dumps with any non-default option builds a new encoder on every call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), sort_keys=True)
# JSONEncoder.encode still builds its C encoder (and a closure) on every call; this one is built once, with the
# same options, and gives the same text. It keeps no circular-reference markers (a shared markers dict would be
# left dirty by a failed encode): record data is built from plain JSON values, and a cycle would still raise
# (RecursionError instead of ValueError) before anything is written.
_C_ENCODER = (
    c_make_encoder(
        None,
        _ENCODER.default,
        encode_basestring_ascii,
        None,
        _ENCODER.key_separator,
        _ENCODER.item_separator,
        _ENCODER.sort_keys,
        _ENCODER.skipkeys,
        _ENCODER.allow_nan,
    )
    if c_make_encoder is not None
    else None
)


def encode_data(data: dict) -> str:
    """Serialise record data to JSON, rejecting anything that is not a JSON object."""
    if not isinstance(data, dict):
        raise TypeError(f"record data must be a dict, not {type(data).__name__}")
    if _C_ENCODER is None:
        return _ENCODER.encode(data)
    return "".join(_C_ENCODER(data, 0))


def decode_data(text: str) -> dict[str, Any]:
    """Parse stored JSON back into a fresh dict."""
    return json.loads(text)


def is_expired(expires_at: float | None, now: float) -> bool:
    """Tell whether a record with this expiry counts as absent at `now`."""
    return expires_at is not None and expires_at <= now


class CreateOnceByPut:
    """`claim` for a store whose `put(expected_version=0)` is already an atomic create-if-absent."""

    def claim(self: Store, collection: str, key: str, data: dict, *, expires_at: float | None = None) -> bool:
        """Create the record if absent or expired; return False if a live one already exists."""
        try:
            self.put(collection, key, data, expected_version=0, expires_at=expires_at)
        except VersionConflict:
            return False
        return True


def update(
    store: Store,
    collection: str,
    key: str,
    change: Callable[[dict | None], dict],
    *,
    expires_at: float | None = None,
    attempts: int = 8,
) -> Record:
    """Read, apply change, write with a version check; on VersionConflict re-read and re-apply."""

    def with_expiry(current: Record | None) -> tuple[dict, float | None]:
        return change(current.data if current is not None else None), expires_at

    # with_expiry never asks for a delete, so a record is always written.
    return cast(Record, rewrite(store, collection, key, with_expiry, attempts=attempts))


def rewrite(
    store: Store,
    collection: str,
    key: str,
    change: Callable[[Record | None], tuple[dict, float | None] | None],
    *,
    attempts: int = 8,
) -> Record | None:
    """Like update, for a change that also picks the expiry from what it read: `change` gets the record (or None)
    and gives the new data with its expiry, or None to delete the record. Returns what was written."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(attempts):
        started = time.monotonic()
        current = store.get(collection, key)
        decided = change(current)
        if decided is None:
            store.delete(collection, key)
            return None
        new_data, expires_at = decided
        expected = current.version if current is not None else 0
        try:
            return store.put(collection, key, new_data, expected_version=expected, expires_at=expires_at)
        except VersionConflict:
            if attempt == attempts - 1:
                break
            logger.debug("version conflict in %s, attempt %d of %d", collection, attempt + 1, attempts)
            cycle = max(_BACKOFF_FLOOR_S, time.monotonic() - started)
            # Jitter is for spreading out writers, not security, so the plain PRNG is right here.
            time.sleep(random.uniform(0, min(_BACKOFF_CAP_S, cycle * 2**attempt)))  # noqa: S311
    raise VersionConflict(f"{collection}: gave up after {attempts} conflicting writes")
