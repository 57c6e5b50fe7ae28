"""In-process store for tests and single-process demos; same semantics as the persistent stores."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from shared.stores.base import (
    CreateOnceByPut,
    Item,
    QueryByFilter,
    Record,
    VersionConflict,
    check_collection,
    decode_data,
    encode_data,
    is_expired,
)

Row = tuple[str, int, float | None]


class MemoryStore(CreateOnceByPut, QueryByFilter):
    """A dict guarded by one lock; data is kept as JSON so callers never share mutable state."""

    def __init__(self) -> None:
        # Re-entrant: a transaction holds the lock while the calls inside take it again.
        self._lock = threading.RLock()
        self._rows: dict[tuple[str, str], Row] = {}
        # While a transaction runs: each row it changed as it was before (None: absent), to restore on failure.
        self._undo: dict[tuple[str, str], Row | None] | None = None

    def _live_row(self, collection: str, key: str, now: float) -> Row | None:
        row = self._rows.get((collection, key))
        if row is None or is_expired(row[2], now):
            return None
        return row

    def _remember(self, item: tuple[str, str]) -> None:
        """Note a row's state before its first change in the running transaction (caller holds the lock)."""
        if self._undo is not None and item not in self._undo:
            self._undo[item] = self._rows.get(item)

    def purge_deleted(self) -> None:
        """Nothing to do: a deleted record is gone from memory with its last reference."""

    @contextmanager
    def transaction(self) -> Iterator[bool]:
        """Hold the lock over every call inside (a nested one joins it); an exception restores what they changed."""
        with self._lock:
            if self._undo is not None:
                # Only the thread holding the lock can see a running transaction: this one is nested in it.
                yield True
                return
            self._undo = {}
            try:
                yield True
            except BaseException:
                for item, row in self._undo.items():
                    if row is None:
                        self._rows.pop(item, None)
                    else:
                        self._rows[item] = row
                raise
            finally:
                self._undo = None

    def get_many(self, items: Sequence[Item]) -> list[Record | None]:
        """Return the live record (or None) for each (collection, key), in order."""
        with self._lock:
            return [self.get(collection, key) for collection, key in items]

    def get(self, collection: str, key: str) -> Record | None:
        """Return the live record, or None when it is missing or expired."""
        check_collection(collection)
        with self._lock:
            row = self._live_row(collection, key, time.time())
        if row is None:
            return None
        return Record(key=key, data=decode_data(row[0]), version=row[1], expires_at=row[2])

    def put(
        self,
        collection: str,
        key: str,
        data: dict,
        *,
        expected_version: int,
        expires_at: float | None = None,
    ) -> Record:
        """Write if the stored version equals expected_version (0: absent or expired)."""
        check_collection(collection)
        text = encode_data(data)
        with self._lock:
            row = self._live_row(collection, key, time.time())
            stored_version = row[1] if row is not None else 0
            if stored_version != expected_version:
                raise VersionConflict(f"{collection}: expected version {expected_version}")
            self._remember((collection, key))
            self._rows[(collection, key)] = (text, expected_version + 1, expires_at)
        return Record(key=key, data=data, version=expected_version + 1, expires_at=expires_at)

    def delete(self, collection: str, key: str) -> None:
        """Remove the record; deleting a missing key is not an error."""
        check_collection(collection)
        with self._lock:
            self._remember((collection, key))
            self._rows.pop((collection, key), None)

    def scan(self, collection: str) -> list[Record]:
        """Return every live record of the collection."""
        check_collection(collection)
        now = time.time()
        with self._lock:
            rows = [
                (key, row)
                for (coll, key), row in self._rows.items()
                if coll == collection and not is_expired(row[2], now)
            ]
        return [
            Record(key=key, data=decode_data(text), version=version, expires_at=exp)
            for key, (text, version, exp) in rows
        ]
