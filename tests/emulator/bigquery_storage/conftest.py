"""Shared helpers for the BigQuery Storage API tests: a typed table and the emulator's counters."""

from __future__ import annotations

import pytest

COLUMNS = (
    "SELECT x AS id, CONCAT('row-', CAST(x AS STRING)) AS name, x / 4 AS score, MOD(x, 2) = 0 AS even, "
    "TIMESTAMP_ADD(TIMESTAMP '2024-01-01 00:00:00+00', INTERVAL x SECOND) AS at, "
    "DATE_ADD(DATE '2024-01-01', INTERVAL MOD(x, 30) DAY) AS day, CAST(x AS NUMERIC) / 8 AS amount, "
    "[x, x + 1] AS pair, STRUCT(x AS n, 'k' AS tag) AS info FROM UNNEST(GENERATE_ARRAY(1, {n})) AS x"
)


@pytest.fixture
def typed_table(bigquery_client, dataset):
    """A 3,000-row table with scalar, array and struct columns; its `project.dataset.table` id."""
    table_id = f"{dataset.project}.{dataset.dataset_id}.typed"
    bigquery_client.query(f"CREATE TABLE `{table_id}` AS {COLUMNS.format(n=3000)}").result()
    return table_id


@pytest.fixture
def read_counters(http):
    """A function returning how many read sessions the emulator opened per table resource name."""

    def counters() -> dict[str, int]:
        body = http.get("/emulator/v1/bigquerystorage").json()
        return body["read"]["tables"]

    return counters
