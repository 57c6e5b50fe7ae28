"""SQLite store, the local default: one file that survives restarts, safe across threads and processes."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

from shared.stores.base import (
    CreateOnceByPut,
    Item,
    QueryByFilter,
    Record,
    StoreUnavailable,
    VersionConflict,
    check_collection,
    decode_data,
    encode_data,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A locked database is retried a few times, each waiting up to the busy timeout; the worst case
# (about 1.6 s) stays well inside Alexa's 8 s budget, and a transaction holds the lock for one turn only.
_ATTEMPTS = 3
_BUSY_TIMEOUT_S = 0.5
_RETRY_PAUSE_S = 0.02
# Expired rows (health records past the clinic's retention, shared/health_data.py) are never read, and are deleted
# when the file is first opened and then at most this often, on a write: the file holds nothing past its retention
# for longer than this, as DynamoDB's TTL deletes them deployed.
PURGE_INTERVAL_S = 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    version INTEGER NOT NULL,
    expires_at REAL,
    PRIMARY KEY (collection, key)
)
"""

_SELECT_LIVE = (
    "SELECT key, data, version, expires_at FROM records WHERE collection = ? AND (expires_at IS NULL OR expires_at > ?)"
)
# Version 0 means "absent": insert, or take over a row whose expiry has passed; a live row makes
# the DO UPDATE's WHERE false, so nothing changes and rowcount is 0.
_CREATE = (
    "INSERT INTO records (collection, key, data, version, expires_at) VALUES (?, ?, ?, 1, ?)"
    " ON CONFLICT (collection, key) DO UPDATE"
    " SET data = excluded.data, version = 1, expires_at = excluded.expires_at"
    " WHERE records.expires_at IS NOT NULL AND records.expires_at <= ?"
)
_PURGE = "DELETE FROM records WHERE expires_at IS NOT NULL AND expires_at <= ?"
_REPLACE = (
    "UPDATE records SET data = ?, version = version + 1, expires_at = ?"
    " WHERE collection = ? AND key = ? AND version = ? AND (expires_at IS NULL OR expires_at > ?)"
)


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """Hold the write lock from the first read, so check-and-write cannot interleave with another writer."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        # A failed COMMIT leaves the transaction open; without this the connection's next BEGIN fails.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


class SQLiteStore(CreateOnceByPut, QueryByFilter):
    """All collections in one `records` table of one WAL-mode database file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        # Bumped by close(), so threads drop connections opened before it.
        self._generation = 0
        self._schema_ready = False
        self._purged_at = float("-inf")

    def _open(self) -> sqlite3.Connection:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves instead of the module's deferred BEGIN.
        conn = sqlite3.connect(self._path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            with self._lock:
                if not self._schema_ready:
                    # WAL lets readers proceed while one writer commits; the mode is stored in the file.
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute(_SCHEMA)
                    self._schema_ready = True
                self._connections.append(conn)
            # In WAL mode, NORMAL skips the fsync on every commit yet keeps each committed transaction through
            # a crash or kill of the process (only an OS crash or power loss can drop the last commits). That
            # is the local default's durability target, and it makes a write ~3x cheaper (see docs/benchmarks.md).
            conn.execute("PRAGMA synchronous=NORMAL")
            # Erasure erases: a deleted or rewritten record's bytes are zeroed in the page (and in freed pages), not
            # left as free space a file reader could still see (erasure, a purged health record). A per-connection
            # setting, so set on every one.
            conn.execute("PRAGMA secure_delete=ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "generation", -1) != self._generation:
            conn = self._open()
            self._local.conn = conn
            self._local.generation = self._generation
        return conn

    def _run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run one operation, retrying a locked or unopenable database briefly, then StoreUnavailable.

        Inside a transaction the operation runs on the transaction's connection with no retry: SQLite may have
        rolled the whole transaction back on that error, and a retry would then commit on its own.
        """
        conn = getattr(self._local, "transaction", None)
        if conn is not None:
            return self._run_in_transaction(conn, operation)
        failure: Exception | None = None
        for attempt in range(_ATTEMPTS):
            try:
                return operation(self._connection())
            except sqlite3.OperationalError as exc:
                failure = exc
                logger.warning("sqlite operation failed (attempt %d of %d): %s", attempt + 1, _ATTEMPTS, exc)
                if attempt < _ATTEMPTS - 1:
                    time.sleep(_RETRY_PAUSE_S)
            except (sqlite3.DatabaseError, OSError) as exc:
                raise StoreUnavailable(f"sqlite store at {self._path} failed: {exc}") from exc
        raise StoreUnavailable(f"sqlite store at {self._path} unavailable: {failure}") from failure

    def _run_in_transaction(self, conn: sqlite3.Connection, operation: Callable[[sqlite3.Connection], T]) -> T:
        if self._local.failed:
            raise StoreUnavailable(f"sqlite store at {self._path}: the transaction already failed")
        try:
            return operation(conn)
        except (sqlite3.DatabaseError, OSError) as exc:
            # Even if the caller catches this, every later call and the commit fail too: nothing half-done is kept.
            self._local.failed = True
            logger.warning("sqlite operation failed inside a transaction: %s", exc)
            raise StoreUnavailable(f"sqlite store at {self._path} failed: {exc}") from exc

    @contextmanager
    def transaction(self) -> Iterator[bool]:
        """One BEGIN IMMEDIATE ... COMMIT around every call inside (a nested one joins it); an exception rolls back.

        The write lock is held from BEGIN to COMMIT, so another writer (thread or process) waits on the busy
        timeout meanwhile: keep what runs inside short, with no network calls or sleeps.
        """
        local = self._local
        if getattr(local, "transaction", None) is not None:
            yield True  # nested: the outer transaction commits or rolls back
            return
        def begin(conn: sqlite3.Connection) -> sqlite3.Connection:
            conn.execute("BEGIN IMMEDIATE")
            return conn

        conn = self._run(begin)
        local.transaction, local.failed = conn, False
        try:
            yield True
            if local.failed:
                raise StoreUnavailable(f"sqlite store at {self._path}: the transaction failed")
            try:
                conn.execute("COMMIT")
            except (sqlite3.DatabaseError, OSError) as exc:
                raise StoreUnavailable(f"sqlite store at {self._path} could not commit: {exc}") from exc
        except BaseException:
            self._roll_back(conn)
            raise
        finally:
            local.transaction = None

    def _roll_back(self, conn: sqlite3.Connection) -> None:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except (sqlite3.DatabaseError, OSError) as exc:
            # A connection stuck inside a transaction would fail every later BEGIN on this thread: drop it.
            logger.warning("sqlite rollback failed, connection dropped: %s", exc)
            self._local.conn = None
            conn.close()

    def _own_transaction(self, conn: sqlite3.Connection) -> AbstractContextManager[None]:
        """A write's own BEGIN IMMEDIATE ... COMMIT, unless it runs inside the caller's transaction."""
        return nullcontext() if getattr(self._local, "transaction", None) is conn else _immediate(conn)

    def get(self, collection: str, key: str) -> Record | None:
        """Return the live record, or None when it is missing or expired."""
        check_collection(collection)

        def read(conn: sqlite3.Connection) -> tuple | None:
            return conn.execute(_SELECT_LIVE + " AND key = ?", (collection, time.time(), key)).fetchone()

        row = self._run(read)
        if row is None:
            return None
        return Record(key=row[0], data=decode_data(row[1]), version=row[2], expires_at=row[3])

    def get_many(self, items: Sequence[Item]) -> list[Record | None]:
        """Return the live record (or None) for each (collection, key), in order."""
        return [self.get(collection, key) for collection, key in items]

    def put(
        self,
        collection: str,
        key: str,
        data: dict,
        *,
        expected_version: int,
        expires_at: float | None = None,
    ) -> Record:
        """Write atomically if the stored version equals expected_version (0: absent or expired)."""
        check_collection(collection)
        text = encode_data(data)

        def write(conn: sqlite3.Connection) -> None:
            now = time.time()
            self._purge_if_due(conn, now)
            with self._own_transaction(conn):
                if expected_version == 0:
                    cursor = conn.execute(_CREATE, (collection, key, text, expires_at, now))
                else:
                    cursor = conn.execute(_REPLACE, (text, expires_at, collection, key, expected_version, now))
                if cursor.rowcount != 1:
                    # Inside a caller's transaction this changed nothing, so the transaction stays usable.
                    raise VersionConflict(f"{collection}: expected version {expected_version}")

        self._run(write)
        return Record(key=key, data=data, version=expected_version + 1, expires_at=expires_at)

    def purge_expired(self) -> int:
        """Delete every expired row now; return how many went."""
        return self._run(lambda conn: self._purge(conn, time.time()))

    def _purge_if_due(self, conn: sqlite3.Connection, now: float) -> None:
        if now - self._purged_at >= PURGE_INTERVAL_S and getattr(self._local, "transaction", None) is None:
            self._purge(conn, now)

    def _purge(self, conn: sqlite3.Connection, now: float) -> int:
        self._purged_at = now
        with self._own_transaction(conn):
            removed = conn.execute(_PURGE, (now,)).rowcount
        if removed:
            logger.info("expired records purged", extra={"count": removed})
        return removed

    def delete(self, collection: str, key: str) -> None:
        """Remove the record; deleting a missing key is not an error."""
        check_collection(collection)

        def remove(conn: sqlite3.Connection) -> None:
            with self._own_transaction(conn):
                conn.execute("DELETE FROM records WHERE collection = ? AND key = ?", (collection, key))

        self._run(remove)

    def scan(self, collection: str) -> list[Record]:
        """Return every live record of the collection."""
        check_collection(collection)

        def read(conn: sqlite3.Connection) -> list[tuple]:
            return conn.execute(_SELECT_LIVE, (collection, time.time())).fetchall()

        return [
            Record(key=key, data=decode_data(text), version=version, expires_at=exp)
            for key, text, version, exp in self._run(read)
        ]

    def purge_deleted(self) -> None:
        """Copy the write-ahead log into the database and truncate it to nothing: the log still holds every earlier
        version of a changed page (the erased values too) until then. Busy while another connection is reading."""
        if getattr(self._local, "transaction", None) is not None:
            raise RuntimeError("purge_deleted cannot run inside a transaction")

        def checkpoint(conn: sqlite3.Connection) -> None:
            busy, _log_frames, _copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                # Reported, not raised, by SQLite: retried like a locked database, then StoreUnavailable.
                raise sqlite3.OperationalError("database is locked: the checkpoint could not finish")

        self._run(checkpoint)

    def close(self) -> None:
        """Close every connection this store opened; later calls reopen the file."""
        with self._lock:
            connections, self._connections = self._connections, []
            self._generation += 1
        for conn in connections:
            conn.close()
