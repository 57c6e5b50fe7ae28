"""In-process store for tests and single-process demos; same semantics as the persistent stores."""

from __future__ import annotations

import threading
import time

from shared.stores.base import (
    CreateOnceByPut,
    Record,
    VersionConflict,
    check_collection,
    decode_data,
    encode_data,
    is_expired,
)


class MemoryStore(CreateOnceByPut):
    """A dict guarded by one lock; data is kept as JSON so callers never share mutable state."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str], tuple[str, int, float | None]] = {}

    def _live_row(self, collection: str, key: str, now: float) -> tuple[str, int, float | None] | None:
        row = self._rows.get((collection, key))
        if row is None or is_expired(row[2], now):
            return None
        return row

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
            self._rows[(collection, key)] = (text, expected_version + 1, expires_at)
        return Record(key=key, data=decode_data(text), version=expected_version + 1, expires_at=expires_at)

    def delete(self, collection: str, key: str) -> None:
        """Remove the record; deleting a missing key is not an error."""
        check_collection(collection)
        with self._lock:
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
