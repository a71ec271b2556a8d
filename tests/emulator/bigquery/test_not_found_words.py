"""A query naming a table or dataset that does not exist fails with BigQuery's words, `Not found:
Table p:d.t was not found in location US` / `Not found: Dataset p:d` (it was the emulator's own
"table `p.d.t` not found", which code matching BigQuery's "Not found: Table" missed), locally
and through the client; and a view's resource has no `numRows`/`numBytes`, as BigQuery's
(`Table.num_rows` was 0)."""

from __future__ import annotations

import uuid

import pytest
from google.api_core import exceptions as gexc

from llmops.core.errors import NotFoundError


def test_missing_table_and_dataset_locally(warehouse):
    ds = f"nf_{uuid.uuid4().hex[:8]}"
    warehouse.query_result(f"CREATE SCHEMA {ds}")
    with pytest.raises(NotFoundError, match=f"Not found: Table llmops-local:{ds}.nope was not found in location US"):
        warehouse.query_result(f"SELECT * FROM {ds}.nope")
    with pytest.raises(NotFoundError, match=f"Not found: Dataset llmops-local:{ds}_gone"):
        warehouse.query_result(f"SELECT * FROM {ds}_gone.t")


def test_missing_table_and_dataset_through_the_client(bigquery_client):
    ds = f"nf_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(ds)
    try:
        project = bigquery_client.project
        with pytest.raises(gexc.NotFound, match=f"Not found: Table {project}:{ds}.nope was not found in location US"):
            bigquery_client.query_and_wait(f"SELECT * FROM {ds}.nope")
        with pytest.raises(gexc.NotFound, match=f"Not found: Dataset {project}:{ds}_gone"):
            bigquery_client.query_and_wait(f"INSERT {ds}_gone.t (a) VALUES (1)")
        bigquery_client.query_and_wait(f"CREATE VIEW {ds}.v AS SELECT 1 AS x")
        view = bigquery_client.get_table(f"{ds}.v")
        assert (view.table_type, view.num_rows, view.num_bytes) == ("VIEW", None, None)
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)
