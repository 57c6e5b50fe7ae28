"""The state-store contract shared by the memory, SQLite and DynamoDB implementations."""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, Protocol, cast

from shared.records import COLLECTIONS, Index

logger = logging.getLogger(__name__)

# A (collection, key) pair: what get_many reads.
Item = tuple[str, str]


class _NotRead(Enum):
    NOT_READ = "not read"


# update() and rewrite() read the record first unless the caller hands over what it already read (None: absent).
NOT_READ = _NotRead.NOT_READ

# Backoff between update() attempts: full jitter over a window that starts at one read-write cycle
# (microseconds in memory, milliseconds against DynamoDB) and doubles, so racing writers spread out
# whatever the backend's speed. The cap keeps eight attempts within about 1.5 s of Alexa's 8 s budget.
_BACKOFF_FLOOR_S = 0.001
_BACKOFF_CAP_S = 0.2


@dataclass(frozen=True)
class Record:
    """One stored document with its optimistic-locking version."""

    key: str
    data: dict
    version: int
    expires_at: float | None = None


AlreadyRead = Record | None | Literal[_NotRead.NOT_READ]


class VersionConflict(Exception):
    """The stored version differs from the one the writer read (or the key already exists)."""


class StoreUnavailable(Exception):
    """The backend is unreachable or failing; callers should give a safe reply."""


class Store(Protocol):
    """Versioned key-value documents grouped in the fixed COLLECTIONS (shared/records.py)."""

    def get(self, collection: str, key: str) -> Record | None:
        """Return the live record, or None when it is missing or expired."""
        ...

    def get_many(self, items: Sequence[Item]) -> list[Record | None]:
        """Return the live record (or None) for each (collection, key), in order: one round trip where the
        backend can (DynamoDB's BatchGetItem), so a turn that needs several records waits for one answer."""
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

        The returned record holds `data` itself (what was stored is a separate JSON copy).
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

    def purge_deleted(self) -> None:
        """After an erasure: leave no copy of deleted or overwritten values in the backend's own files (SQLite's
        write-ahead log); StoreUnavailable when that cannot be done now. Never inside a transaction."""
        ...

    def query(
        self,
        index: Index,
        value: str,
        *,
        sort_at_most: str | float | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[Record]:
        """Return the live records whose `index.partition` field equals `value`, ordered by the sort field
        (ascending, or descending with newest_first), only those whose sort value is at most `sort_at_most`
        when given, and at most `limit` of them. Deployed it reads the index, eventually consistent."""
        ...

    def transaction(self) -> AbstractContextManager[bool]:
        """Run the calls made inside as one unit: all of its writes are kept, or none; yields True.

        A nested transaction joins the outer one. SQLite and memory hold a lock from the start, so the calls inside
        see each other's writes and a version conflict shows at once. DynamoDB sends the unit's writes in one
        TransactWriteItems when it ends, each with its version check, so a conflict there is raised (as
        VersionConflict) when the `with` block ends: the caller runs the unit again on fresh reads. Nothing slow (a
        network call, a sleep) belongs inside: SQLite holds its write lock until the end.
        """
        ...


def check_collection(collection: str) -> None:
    """Raise ValueError for a collection name outside COLLECTIONS."""
    if collection not in COLLECTIONS:
        raise ValueError(f"unknown collection {collection!r}; expected one of {COLLECTIONS}")


def encode_data(data: dict) -> str:
    """Serialise record data to JSON, rejecting anything that is not a JSON object."""
    if not isinstance(data, dict):
        raise TypeError(f"record data must be a dict, not {type(data).__name__}")
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


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


class QueryByFilter:
    """`query` for a store that keeps each collection whole at hand (memory, SQLite): filter and sort the collection,
    with the same membership rules as a DynamoDB index (the partition a string, the sort value of its kind)."""

    def query(
        self: Store,
        index: Index,
        value: str,
        *,
        sort_at_most: str | float | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[Record]:
        """Return the live records of the index's partition `value`, ordered by its sort field."""
        found = [record for record in self.scan(index.collection) if in_partition(index, record.data, value)]
        if index.sort is not None:
            found = [record for record in found if sort_value(index, record.data) is not None]
            if sort_at_most is not None:
                found = [record for record in found if sort_value(index, record.data) <= sort_at_most]
            found.sort(key=lambda record: (sort_value(index, record.data), record.key), reverse=newest_first)
        return found[:limit] if limit is not None else found


def in_partition(index: Index, data: dict, value: str | None = None) -> bool:
    """True when the record's data puts it in the index (in partition `value`, when given)."""
    partition = data.get(index.partition)
    if not isinstance(partition, str) or not partition:
        return False
    if index.sort is not None and sort_value(index, data) is None:
        return False
    return value is None or partition == value


def sort_value(index: Index, data: dict) -> str | float | None:
    """The record's sort value for the index, or None when it has none of the index's kind (then it is left out)."""
    value = data.get(index.sort) if index.sort else None
    if index.sort_kind == "S":
        return value if isinstance(value, str) and value else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def update(
    store: Store,
    collection: str,
    key: str,
    change: Callable[[dict | None], dict],
    *,
    expires_at: float | None = None,
    attempts: int = 8,
    already_read: AlreadyRead = NOT_READ,
) -> Record:
    """Read, apply change, write with a version check; on VersionConflict re-read and re-apply."""

    def with_expiry(current: Record | None) -> tuple[dict, float | None]:
        return change(current.data if current is not None else None), expires_at

    # with_expiry never asks for a delete, so a record is always written.
    return cast(Record, rewrite(store, collection, key, with_expiry, attempts=attempts, already_read=already_read))


def rewrite(
    store: Store,
    collection: str,
    key: str,
    change: Callable[[Record | None], tuple[dict, float | None] | None],
    *,
    attempts: int = 8,
    already_read: AlreadyRead = NOT_READ,
) -> Record | None:
    """Like update, for a change that also picks the expiry from what it read: `change` gets the record (or None)
    and gives the new data with its expiry, or None to delete the record. Returns what was written.

    `already_read` is the record as the caller read it in this transaction (a batch read): the first attempt
    starts from it instead of reading again; an attempt after a conflict reads afresh.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(attempts):
        started = time.monotonic()
        current = already_read if attempt == 0 and already_read is not NOT_READ else store.get(collection, key)
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
