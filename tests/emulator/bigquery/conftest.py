"""Fixtures shared by the BigQuery tests that run every case both ways: on the local warehouse
and through the real BigQuery client against the emulator."""

from __future__ import annotations

import uuid

import pytest

from llmops.backends.local.warehouse import DuckDBWarehouse
from llmops.core.config import Settings
from llmops.core.errors import QueryError


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """One local warehouse for the module's GoogleSQL cases (`llmops sql`'s path)."""
    wh = DuckDBWarehouse(Settings(workspace=tmp_path_factory.mktemp("cases") / "ws"))
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def scratch_warehouse(tmp_path_factory):
    """One local warehouse for the module (each test gets its own dataset in it)."""
    wh = DuckDBWarehouse(Settings(workspace=tmp_path_factory.mktemp("scripts") / "ws"))
    yield wh
    wh.close()


@pytest.fixture(params=["local", "client"])
def env(request):
    """(run(sql) -> rows as tuples, a fresh dataset's name, the error type) for each path."""
    ds = f"ds_{uuid.uuid4().hex[:8]}"
    if request.param == "local":
        wh = request.getfixturevalue("scratch_warehouse")
        wh.query_result(f"CREATE SCHEMA {ds}")

        def run(sql):
            return [tuple(r.values()) for r in wh.query_result(sql).table.to_pylist()]

        yield run, ds, QueryError
        wh.query_result(f"DROP SCHEMA {ds} CASCADE")
        return
    from google.api_core.exceptions import GoogleAPICallError

    client = request.getfixturevalue("bigquery_client")
    client.create_dataset(ds)

    def run(sql):
        return [tuple(r.values()) for r in client.query(sql).result()]

    yield run, ds, GoogleAPICallError
    client.delete_dataset(ds, delete_contents=True, not_found_ok=True)
