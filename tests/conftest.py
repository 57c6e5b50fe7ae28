"""Shared pytest fixtures for Cramp Check."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.stores import COLLECTIONS, Store, store_from_settings
from tests.dynamodb_local import REGION, DynamoDBServer, drop_tables, dynamodb_client, make_tables
from tests.skill.profile_api import FakeProfileApi

# --- Stores -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def aws_test_credentials() -> Iterator[None]:
    """Dummy AWS credentials and region for the session, so nothing reaches for real ones."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(scope="session")
def dynamodb_endpoint(aws_test_credentials: None) -> Iterator[str]:
    """Endpoint URL of one local DynamoDB-compatible server shared by the whole session."""
    with DynamoDBServer() as server:
        yield server.endpoint_url


@pytest.fixture(scope="session")
def dynamodb_admin(dynamodb_endpoint: str) -> Any:
    """One boto3 DynamoDB client on the test server for creating and dropping tables."""
    return dynamodb_client(dynamodb_endpoint)


@pytest.fixture
def dynamodb_table_names(dynamodb_admin: Any) -> Iterator[dict[str, str]]:
    """Fresh, uniquely named tables for every collection, dropped after the test."""
    run = uuid.uuid4().hex[:12]
    names = {collection: f"test-{run}-{collection}" for collection in COLLECTIONS}
    make_tables(dynamodb_admin, names)
    yield names
    drop_tables(dynamodb_admin, names)


@pytest.fixture(params=["memory", "sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store implementation in turn, empty, against its real backend."""
    if request.param == "memory":
        yield store_from_settings("memory")
    elif request.param == "sqlite":
        sqlite_store = store_from_settings("sqlite", path=tmp_path / "state" / "cramp.sqlite3")
        yield sqlite_store
        sqlite_store.close()
    else:
        # Looked up lazily so that memory/sqlite-only runs never start the DynamoDB server.
        yield store_from_settings(
            "dynamodb",
            table_names=request.getfixturevalue("dynamodb_table_names"),
            endpoint_url=request.getfixturevalue("dynamodb_endpoint"),
            region=REGION,
        )


@pytest.fixture
def profile_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProfileApi]:
    """Alexa's Customer Profile API on https://127.0.0.1, its certificate trusted by this process's `requests`."""
    with FakeProfileApi(tmp_path) as api:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(api.cert_path))
        yield api
