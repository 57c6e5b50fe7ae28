"""State stores behind one small interface; `store_from_settings` picks the implementation."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from shared.records import COLLECTIONS
from shared.stores.base import (
    NOT_READ,
    AlreadyRead,
    Record,
    Store,
    StoreUnavailable,
    VersionConflict,
    rewrite,
    update,
)

if TYPE_CHECKING:
    from shared.config import Settings

__all__ = [
    "AlreadyRead",
    "COLLECTIONS",
    "NOT_READ",
    "Record",
    "Store",
    "StoreUnavailable",
    "VersionConflict",
    "open_store",
    "store_from_settings",
    "rewrite",
    "update",
]

KINDS = ("memory", "sqlite", "dynamodb")


def store_from_settings(
    kind: str,
    *,
    path: str | os.PathLike[str] | None = None,
    table_names: Mapping[str, str] | None = None,
    endpoint_url: str | None = None,
    region: str = "us-east-1",
) -> Store:
    """Build the store named by kind ("memory", "sqlite" or "dynamodb") from plain options."""
    # Each implementation is imported only when chosen, so a Lambda never loads sqlite3 and local runs never
    # pay for the DynamoDB module; none of them connects before its first call.
    if kind == "memory":
        from shared.stores.memory import MemoryStore

        return MemoryStore()
    if kind == "sqlite":
        if not path:
            raise ValueError("the sqlite store needs a path")
        from shared.stores.sqlite import SQLiteStore

        return SQLiteStore(path)
    if kind == "dynamodb":
        if table_names is None:
            raise ValueError("the dynamodb store needs table_names")
        from shared.stores.dynamodb import DynamoDBStore

        return DynamoDBStore(table_names, endpoint_url=endpoint_url, region=region)
    raise ValueError(f"unknown store kind {kind!r}; expected one of {KINDS}")


def open_store(settings: Settings) -> Store:
    """The store the settings ask for: SQLite under the data directory locally, DynamoDB when deployed."""
    return store_from_settings(
        settings.store,
        path=settings.sqlite_path,
        table_names=settings.table_names,
        endpoint_url=settings.dynamodb_endpoint,
        region=settings.aws_region,
    )
