"""DynamoDB store for the deployed Lambdas: one table per collection, conditional writes for versions.

boto3 is imported inside functions, never at module import: it is among the heaviest imports of a cold start.
Items expired by `expires_at` are filtered here too: DynamoDB's TTL deletes them only within about
two days, and until then they still appear in reads and scans.

Each request is a network round trip the person waits for, one after another: a turn reads what it needs in one
BatchGetItem (get_many) and a transaction sends all of its writes in one TransactWriteItems.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from shared.records import COLLECTIONS, INDEXES, Index
from shared.stores.base import (
    CreateOnceByPut,
    Item,
    Record,
    StoreUnavailable,
    VersionConflict,
    check_collection,
    decode_data,
    encode_data,
    in_partition,
    is_expired,
    sort_value,
)

logger = logging.getLogger(__name__)

# Alexa drops a response after 8 s and Twilio a webhook after 15 s: a dead or black-holed endpoint must fail well
# before either, cold start included (docs/deploying.md, "Timeouts add up"). DynamoDB answers in milliseconds, so two
# attempts of at most 1 s to connect and 1 s to read keep one failing call within 4 s.
_CONNECT_TIMEOUT_S = 1
_READ_TIMEOUT_S = 1
_MAX_ATTEMPTS = 2

_TABLE_POLL_S = 0.2
# BatchGetItem reads at most 100 keys a call; TransactWriteItems writes at most 100 items.
_BATCH_KEYS = 100
_TRANSACTION_ITEMS = 100
# BatchGetItem may leave keys unprocessed under throttling: they are asked again after a short pause.
_UNPROCESSED_PAUSE_S = 0.05
_UNPROCESSED_ATTEMPTS = 5

# Names rather than bare words in expressions, so a future DynamoDB reserved word cannot break them.
_NAMES = {"#version": "version", "#expires": "expires_at"}
_CREATE_CONDITION = "attribute_not_exists(pk) OR #expires <= :now"
_REPLACE_CONDITION = "#version = :expected AND (attribute_not_exists(#expires) OR #expires > :now)"


def make_client(endpoint_url: str | None = None, region: str = "us-east-1") -> Any:
    """Build a low-level DynamoDB client with short timeouts and one retry."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=_CONNECT_TIMEOUT_S,
        read_timeout=_READ_TIMEOUT_S,
        retries={"total_max_attempts": _MAX_ATTEMPTS, "mode": "standard"},
    )
    # A private session: the default one is shared module state and not safe to build from threads.
    session = boto3.session.Session()
    return session.client("dynamodb", region_name=region, endpoint_url=endpoint_url, config=config)


def index_key_schema(index: Index) -> list[dict[str, str]]:
    """The index's KeySchema as DynamoDB (and CloudFormation) write it."""
    schema = [{"AttributeName": index.partition, "KeyType": "HASH"}]
    if index.sort is not None:
        schema.append({"AttributeName": index.sort, "KeyType": "RANGE"})
    return schema


def table_definition(collection: str) -> dict[str, Any]:
    """A collection's table as CreateTable takes it: key `pk`, and its indexes projecting every attribute."""
    attributes = {"pk": "S"}
    indexes = []
    for index in INDEXES:
        if index.collection != collection:
            continue
        attributes[index.partition] = "S"
        if index.sort is not None:
            attributes[index.sort] = index.sort_kind
        indexes.append(
            {"IndexName": index.name, "KeySchema": index_key_schema(index), "Projection": {"ProjectionType": "ALL"}}
        )
    definition: dict[str, Any] = {
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": kind} for name, kind in attributes.items()],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if indexes:
        definition["GlobalSecondaryIndexes"] = indexes
    return definition


def create_tables(client: Any, table_names: Mapping[str, str], *, wait_seconds: float = 60.0) -> None:
    """Create missing on-demand tables keyed by `pk`, with their indexes, and wait until they are ACTIVE.

    For tests and local development only. TTL on `expires_at` is declared in the deployed table
    (CloudFormation), not here: dynalite does not implement UpdateTimeToLive.
    """
    for collection, table in table_names.items():
        try:
            client.create_table(TableName=table, **table_definition(collection))
        except client.exceptions.ResourceInUseException:
            logger.info("table %s already exists", table)
    deadline = time.monotonic() + wait_seconds
    for table in table_names.values():
        while client.describe_table(TableName=table)["Table"]["TableStatus"] != "ACTIVE":
            if time.monotonic() > deadline:
                raise TimeoutError(f"table {table} not ACTIVE after {wait_seconds} s")
            time.sleep(_TABLE_POLL_S)


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"expires_at must be a finite epoch time, not {value!r}")
    return repr(float(value))


@dataclass
class _Write:
    """A write waiting for its transaction's end: the last data for one key, under the first write's condition."""

    table: str
    key: str
    condition: dict[str, Any]  # the version check of the unit's first write to this key (a delete may have none)
    item: dict[str, Any] | None  # the item to put; None: delete

    def record(self) -> Record | None:
        """What a read inside the unit gets: a fresh copy of the record as it will be stored (None: deleted)."""
        return _record(self.item) if self.item is not None else None

    def request(self) -> dict[str, Any]:
        """The write as TransactWriteItems takes it ({"Put": ...} or {"Delete": ...})."""
        if self.item is None:
            return {"Delete": {"TableName": self.table, "Key": {"pk": {"S": self.key}}, **self.condition}}
        return {"Put": {"TableName": self.table, "Item": self.item, **self.condition}}


@dataclass
class _Unit:
    """One transaction's writes by (collection, key), sent together when it ends."""

    writes: dict[Item, _Write] = field(default_factory=dict)


def _index_attributes(collection: str, data: dict) -> dict[str, Any]:
    """The top-level attributes that put a record into its collection's indexes (a DynamoDB index reads only
    top-level attributes; the record itself stays one JSON document in `data`)."""
    attributes: dict[str, Any] = {}
    for index in INDEXES:
        if index.collection != collection or not in_partition(index, data):
            continue
        attributes[index.partition] = {"S": data[index.partition]}
        if index.sort is not None:
            value = sort_value(index, data)
            attributes[index.sort] = {"S": value} if index.sort_kind == "S" else {"N": repr(value)}
    return attributes


def _record(item: dict[str, Any]) -> Record:
    expires = item.get("expires_at")
    return Record(
        key=item["pk"]["S"],
        data=decode_data(item["data"]["S"]),
        version=int(item["version"]["N"]),
        expires_at=float(expires["N"]) if expires is not None else None,
    )


def _cancelled_by_a_condition(response: dict[str, Any]) -> bool:
    """True when a cancelled transaction failed on a version check or met another writer's transaction."""
    reasons = response.get("CancellationReasons") or []
    return any(reason.get("Code") in ("ConditionalCheckFailed", "TransactionConflict") for reason in reasons)


class DynamoDBStore(CreateOnceByPut):
    """Each collection is its own table; `version` guards writes through ConditionExpression."""

    def __init__(
        self,
        table_names: Mapping[str, str],
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        client: Any = None,
    ) -> None:
        missing = [name for name in COLLECTIONS if not table_names.get(name)]
        unknown = sorted(set(table_names) - set(COLLECTIONS))
        if missing or unknown:
            raise ValueError(f"table_names: missing {missing}, unknown {unknown}")
        self._tables = dict(table_names)
        # A transaction's writes, per thread: one store serves every thread of the local server.
        self._local = threading.local()
        # Building the client opens no connection; the first request does.
        self._client = client if client is not None else make_client(endpoint_url, region)

    def _table(self, collection: str) -> str:
        check_collection(collection)
        return self._tables[collection]

    def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        """Send one request, mapping failed conditions to VersionConflict and all else to StoreUnavailable."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self._client, operation)(**request)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Unknown")
            if code == "ConditionalCheckFailedException":
                raise VersionConflict(f"{request.get('TableName')}: condition failed") from exc
            if code == "TransactionCanceledException" and _cancelled_by_a_condition(exc.response):
                raise VersionConflict("transaction cancelled: a record changed since it was read") from exc
            logger.warning("dynamodb %s on %s failed: %s", operation, request.get("TableName"), code)
            raise StoreUnavailable(f"dynamodb {operation} failed: {code}") from exc
        except BotoCoreError as exc:
            logger.warning("dynamodb %s on %s failed: %s", operation, request.get("TableName"), type(exc).__name__)
            raise StoreUnavailable(f"dynamodb {operation} failed: {type(exc).__name__}") from exc

    def purge_deleted(self) -> None:
        """Nothing this code can do: DynamoDB removes a deleted item itself; the tables' point-in-time backups keep it
        until it rolls off (35 days, shared/erasure.py says so in the erasure's reply)."""

    @contextmanager
    def transaction(self) -> Iterator[bool]:
        """Collect every write made inside and send them as one TransactWriteItems at the end (one write: a plain
        conditional write); an exception inside sends nothing. A nested transaction joins the outer one.

        Each write keeps the version check it was made with, so a record another writer changed since this unit
        read it fails the whole unit with VersionConflict, raised as the `with` block ends; the caller runs the
        unit again on fresh reads. Reads inside see this unit's own writes. A transactional write costs twice the
        write capacity of a plain one (on-demand tables bill it so): a few cents a month at a clinic's volume, for
        one round trip instead of one per write and no half-done turn.
        """
        if getattr(self._local, "unit", None) is not None:
            yield True
            return
        unit = self._local.unit = _Unit()
        try:
            yield True
        finally:
            self._local.unit = None
        self._commit(unit)

    def _commit(self, unit: _Unit) -> None:
        writes = [write.request() for write in unit.writes.values()]
        if len(writes) > _TRANSACTION_ITEMS:
            raise StoreUnavailable(f"a transaction of {len(writes)} writes exceeds DynamoDB's {_TRANSACTION_ITEMS}")
        if len(writes) == 1:
            [(kind, request)] = writes[0].items()
            self._call("put_item" if kind == "Put" else "delete_item", **request)
        elif writes:
            self._call("transact_write_items", TransactItems=writes)

    def get(self, collection: str, key: str) -> Record | None:
        """Return the live record, or None when it is missing or expired."""
        unit = self._unit()
        if unit is not None and (collection, key) in unit.writes:
            return unit.writes[(collection, key)].record()
        reply = self._call("get_item", TableName=self._table(collection), Key={"pk": {"S": key}}, ConsistentRead=True)
        item = reply.get("Item")
        if item is None:
            return None
        record = _record(item)
        return None if is_expired(record.expires_at, time.time()) else record

    def get_many(self, items: Sequence[Item]) -> list[Record | None]:
        """Return the live record (or None) for each (collection, key), in order, read by BatchGetItem."""
        found: dict[Item, Record] = {}
        wanted = list(dict.fromkeys(items))
        for start in range(0, len(wanted), _BATCH_KEYS):
            found.update(self._batch_get(wanted[start : start + _BATCH_KEYS]))
        unit = self._unit()
        now = time.time()
        records: list[Record | None] = []
        for item in items:
            if unit is not None and item in unit.writes:
                records.append(unit.writes[item].record())
            else:
                record = found.get(item)
                records.append(None if record is None or is_expired(record.expires_at, now) else record)
        return records

    def _batch_get(self, items: list[Item]) -> dict[Item, Record]:
        by_table: dict[str, str] = {}
        request: dict[str, Any] = {}
        for collection, key in items:
            table = self._table(collection)
            by_table[table] = collection
            request.setdefault(table, {"Keys": [], "ConsistentRead": True})["Keys"].append({"pk": {"S": key}})
        found: dict[Item, Record] = {}
        for attempt in range(_UNPROCESSED_ATTEMPTS):
            reply = self._call("batch_get_item", RequestItems=request)
            for table, rows in reply.get("Responses", {}).items():
                for row in rows:
                    found[(by_table[table], row["pk"]["S"])] = _record(row)
            request = reply.get("UnprocessedKeys") or {}
            if not request:
                return found
            time.sleep(_UNPROCESSED_PAUSE_S * 2**attempt)
        raise StoreUnavailable("dynamodb batch_get_item left keys unprocessed (throttled)")

    def _unit(self) -> _Unit | None:
        return getattr(self._local, "unit", None)

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
        table = self._table(collection)
        text = encode_data(data)
        version = expected_version + 1
        record = Record(key=key, data=data, version=version, expires_at=expires_at)
        item: dict[str, Any] = {
            **_index_attributes(collection, data),
            "pk": {"S": key},
            "data": {"S": text},
            "version": {"N": str(version)},
        }
        if expires_at is not None:
            item["expires_at"] = {"N": _number(expires_at)}
        unit = self._unit()
        if unit is None:
            self._call("put_item", TableName=table, Item=item, **self._version_condition(expected_version))
            return record
        earlier = unit.writes.get((collection, key))
        if earlier is None:
            condition = self._version_condition(expected_version)
        else:
            # Written before in this unit: checked against that write now, sent once under the first condition.
            written = earlier.record()
            if (written.version if written is not None else 0) != expected_version:
                raise VersionConflict(f"{table}: expected version {expected_version}")
            condition = earlier.condition
        unit.writes[(collection, key)] = _Write(table, key, condition, item)
        return record

    @staticmethod
    def _version_condition(expected_version: int) -> dict[str, Any]:
        values: dict[str, Any] = {":now": {"N": _number(time.time())}}
        if expected_version == 0:
            return {
                "ConditionExpression": _CREATE_CONDITION,
                "ExpressionAttributeNames": {"#expires": _NAMES["#expires"]},
                "ExpressionAttributeValues": values,
            }
        values[":expected"] = {"N": str(expected_version)}
        return {
            "ConditionExpression": _REPLACE_CONDITION,
            "ExpressionAttributeNames": _NAMES,
            "ExpressionAttributeValues": values,
        }

    def claim(self, collection: str, key: str, data: dict, *, expires_at: float | None = None) -> bool:
        """Create the record if absent or expired; return False if a live one already exists."""
        if self._unit() is not None and self.get(collection, key) is not None:
            # Inside a unit the create is only checked when it is sent: a record that exists already would fail
            # every retry of the unit, so it is looked up first.
            return False
        return super().claim(collection, key, data, expires_at=expires_at)

    def delete(self, collection: str, key: str) -> None:
        """Remove the record; deleting a missing key is not an error."""
        table = self._table(collection)
        unit = self._unit()
        if unit is None:
            self._call("delete_item", TableName=table, Key={"pk": {"S": key}})
            return
        # After a write in this unit the delete keeps that write's version check, so a conflict still shows.
        earlier = unit.writes.get((collection, key))
        unit.writes[(collection, key)] = _Write(table, key, earlier.condition if earlier else {}, None)

    def query(
        self,
        index: Index,
        value: str,
        *,
        sort_at_most: str | float | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[Record]:
        """Return the live records of the index's partition `value` by Query on the global secondary index,
        following pages until `limit` live records are found. Eventually consistent (DynamoDB offers no other on a
        global index). Inside a transaction it does not see the unit's unsent writes: nothing queries inside one."""
        names = {"#p": index.partition}
        values: dict[str, Any] = {":p": {"S": value}}
        condition = "#p = :p"
        if index.sort is not None and sort_at_most is not None:
            names["#s"] = index.sort
            values[":s"] = {"S": sort_at_most} if index.sort_kind == "S" else {"N": _number(float(sort_at_most))}
            condition += " AND #s <= :s"
        request: dict[str, Any] = {
            "TableName": self._table(index.collection),
            "IndexName": index.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not newest_first,
        }
        if limit is not None:
            request["Limit"] = limit
        records: list[Record] = []
        now = time.time()
        while True:
            page = self._call("query", **request)
            records.extend(
                record
                for record in (_record(item) for item in page.get("Items", []))
                if not is_expired(record.expires_at, now)
            )
            last_key = page.get("LastEvaluatedKey")
            if not last_key or (limit is not None and len(records) >= limit):
                break
            request["ExclusiveStartKey"] = last_key
        return records[:limit] if limit is not None else records

    def scan(self, collection: str) -> list[Record]:
        """Return every live record of the collection, following scan pages (1 MB each).

        For tests and administration only: no request path reads a whole table (the deployed roles may not Scan), it
        finds records by key or through an index (query). Inside a transaction it does not see the unit's unsent
        writes.
        """
        request: dict[str, Any] = {"TableName": self._table(collection), "ConsistentRead": True}
        records: list[Record] = []
        while True:
            page = self._call("scan", **request)
            records.extend(_record(item) for item in page.get("Items", []))
            last_key = page.get("LastEvaluatedKey")
            if not last_key:
                break
            request["ExclusiveStartKey"] = last_key
        now = time.time()
        return [record for record in records if not is_expired(record.expires_at, now)]
