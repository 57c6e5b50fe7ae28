"""DynamoDB store for the deployed Lambdas: one table per collection, conditional writes for versions.

boto3 costs about 236 ms to import, so it is imported inside functions, never at module import.
Items expired by `expires_at` are filtered here too: DynamoDB's TTL deletes them only within about
two days, and until then they still appear in reads and scans.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from shared.stores.base import (
    COLLECTIONS,
    CreateOnceByPut,
    Record,
    StoreUnavailable,
    VersionConflict,
    check_collection,
    decode_data,
    encode_data,
    is_expired,
)

logger = logging.getLogger(__name__)

# Alexa drops a response after 8 s. A dead or black-holed endpoint must fail well before that:
# two attempts of at most 2 s to connect and 2 s to read keep one call near 4 s in the worst case.
_CONNECT_TIMEOUT_S = 2
_READ_TIMEOUT_S = 2
_MAX_ATTEMPTS = 2

_TABLE_POLL_S = 0.2

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
        retries={"max_attempts": _MAX_ATTEMPTS, "mode": "standard"},
    )
    # A private session: the default one is shared module state and not safe to build from threads.
    session = boto3.session.Session()
    return session.client("dynamodb", region_name=region, endpoint_url=endpoint_url, config=config)


def create_tables(client: Any, table_names: Mapping[str, str], *, wait_seconds: float = 60.0) -> None:
    """Create missing on-demand tables keyed by `pk` and wait until they are ACTIVE.

    For tests and local development only. TTL on `expires_at` is declared in the deployed table
    (CloudFormation), not here: dynalite does not implement UpdateTimeToLive.
    """
    for table in table_names.values():
        try:
            client.create_table(
                TableName=table,
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
            )
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


def _record(item: dict[str, Any]) -> Record:
    expires = item.get("expires_at")
    return Record(
        key=item["pk"]["S"],
        data=decode_data(item["data"]["S"]),
        version=int(item["version"]["N"]),
        expires_at=float(expires["N"]) if expires is not None else None,
    )


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
            logger.warning("dynamodb %s on %s failed: %s", operation, request.get("TableName"), code)
            raise StoreUnavailable(f"dynamodb {operation} failed: {code}") from exc
        except BotoCoreError as exc:
            logger.warning("dynamodb %s on %s failed: %s", operation, request.get("TableName"), type(exc).__name__)
            raise StoreUnavailable(f"dynamodb {operation} failed: {type(exc).__name__}") from exc

    @contextmanager
    def transaction(self) -> Iterator[bool]:
        """No grouping: every call inside stays its own conditional write, and an exception undoes none of them.

        DynamoDB's TransactWriteItems needs every write of the unit up front and cannot read its own writes,
        while a turn decides its writes from what it read earlier in the same turn; emulating that would add
        round trips to every turn and double the write cost. The callers stay correct with partial writes
        instead: the MessageSid claim's lease and takeover and the conversation's last-message re-apply
        (sms/idempotency.py, sms/state.py).
        """
        yield False

    def prefetch(self, items: Iterable[tuple[str, str]]) -> None:
        """Nothing to do: no transaction keeps prefetched records current here, so each get stays its own read."""

    def get(self, collection: str, key: str) -> Record | None:
        """Return the live record, or None when it is missing or expired."""
        reply = self._call("get_item", TableName=self._table(collection), Key={"pk": {"S": key}}, ConsistentRead=True)
        item = reply.get("Item")
        if item is None:
            return None
        record = _record(item)
        return None if is_expired(record.expires_at, time.time()) else record

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
        item: dict[str, Any] = {"pk": {"S": key}, "data": {"S": text}, "version": {"N": str(version)}}
        if expires_at is not None:
            item["expires_at"] = {"N": _number(expires_at)}
        values: dict[str, Any] = {":now": {"N": _number(time.time())}}
        if expected_version == 0:
            condition = _CREATE_CONDITION
            names = {"#expires": _NAMES["#expires"]}
        else:
            condition = _REPLACE_CONDITION
            names = _NAMES
            values[":expected"] = {"N": str(expected_version)}
        self._call(
            "put_item",
            TableName=table,
            Item=item,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
        return Record(key=key, data=data, version=version, expires_at=expires_at)

    def delete(self, collection: str, key: str) -> None:
        """Remove the record; deleting a missing key is not an error."""
        self._call("delete_item", TableName=self._table(collection), Key={"pk": {"S": key}})

    def scan(self, collection: str) -> list[Record]:
        """Return every live record of the collection, following scan pages (1 MB each)."""
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
