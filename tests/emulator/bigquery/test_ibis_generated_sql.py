"""What an outside sweep with ibis (ibis-framework 12.0.0's BigQuery backend and its own backend
test suite, run against the emulator) found answered differently from BigQuery. ibis is not a
dependency: each case is the SQL or the API call ibis made, run through the real BigQuery client
(and, for SQL, on the local warehouse too).

- ibis keeps its in-memory tables in the dataset of a query's anonymous results: it runs
  `SELECT 1`, reads the job's `destinationTable` dataset (`_<hash>`) and loads, creates, reads and
  deletes tables there (`CREATE TABLE `p._<hash>.t` AS ...`). In BigQuery that hidden dataset is
  the user's own; the emulator named it but answered 404 "Not found: Dataset" for everything
  written to it.
- `SAFE_CAST(DATETIME('2023-01-01T00:00:00') AS INT64)` (ibis's `try_cast` of a timestamp to int)
  answered NULL; GoogleSQL casts to INT64 only from BOOL, the numeric types and STRING, so BigQuery
  refuses it ("Invalid cast from DATETIME to INT64", SAFE_CAST included; ibis's own test expects
  the 400). Likewise DATE, TIMESTAMP, TIME and INTERVAL operands (`CAST(DATE ... AS INT64)` failed
  with DuckDB's "Unimplemented type for cast").
- `INITCAP(CAST(ts AS STRING FORMAT 'DAY'))` (ibis's `day_of_week.full_name()`) was a 500: sqlglot's
  DuckDB INITCAP parses the text of its operand again, and the FORMAT cast's rewrite is DuckDB text
  it cannot read. BigQuery: `Saturday` for 2023-01-07.
- `TABLESAMPLE SYSTEM (10.0 PERCENT)` (ibis's `t.sample(0.1, method="block")`) failed with "syntax
  error at or near CAST": a FLOAT64 literal is a valid sample size in BigQuery.
"""

from __future__ import annotations

import io
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)


def _results_dataset(client) -> str:
    """The dataset of a query's anonymous destination table, found as ibis finds it."""
    job = client.query("SELECT 1")
    job.result()
    return job.destination.dataset_id


def test_tables_can_be_made_in_the_results_dataset(bigquery_client):
    dataset = _results_dataset(bigquery_client)
    name = f"ibis_memtable_{uuid.uuid4().hex[:8]}"
    project = bigquery_client.project
    bigquery_client.query_and_wait(f"CREATE TABLE `{project}.{dataset}.{name}` AS SELECT 1 AS x, 'a' AS y")
    rows = list(bigquery_client.query_and_wait(f"SELECT x, y FROM `{project}.{dataset}.{name}`"))
    assert [tuple(r.values()) for r in rows] == [(1, "a")]
    assert bigquery_client.get_table(f"{project}.{dataset}.{name}").num_rows == 1
    bigquery_client.delete_table(f"{project}.{dataset}.{name}")


def test_loads_go_to_the_results_dataset(bigquery_client):
    from google.cloud import bigquery

    dataset = _results_dataset(bigquery_client)
    table = f"{bigquery_client.project}.{dataset}.ibis_load_{uuid.uuid4().hex[:8]}"
    buf = io.BytesIO()
    pq.write_table(pa.table({"a": [1, 2, 3]}), buf)
    buf.seek(0)
    config = bigquery.LoadJobConfig(source_format="PARQUET")
    bigquery_client.load_table_from_file(buf, table, job_config=config).result()
    assert bigquery_client.query_and_wait(f"SELECT SUM(a) FROM `{table}`").to_arrow().column(0).to_pylist() == [6]
    bigquery_client.delete_table(table)


def test_the_results_dataset_is_hidden_from_lists(bigquery_client):
    dataset = _results_dataset(bigquery_client)
    assert dataset not in [d.dataset_id for d in bigquery_client.list_datasets()]
    assert dataset in [d.dataset_id for d in bigquery_client.list_datasets(include_all=True)]


@pytest.mark.parametrize(
    "sql, fragment",
    [
        # ibis: t.timestamp_col.try_cast("int") over a DATETIME
        ("SELECT SAFE_CAST(DATETIME('2023-01-01T00:00:00') AS INT64) AS c", "Invalid cast from DATETIME to INT64"),
        ("SELECT CAST(DATE '2023-01-01' AS INT64)", "Invalid cast from DATE to INT64"),
        ("SELECT SAFE_CAST(TIMESTAMP '2023-01-01 00:00:00+00' AS INT64)", "Invalid cast from TIMESTAMP to INT64"),
        ("SELECT SAFE_CAST(x AS INT64) FROM UNNEST([TIME '10:00:00']) AS x", "Invalid cast from TIME to INT64"),
    ],
)
def test_no_cast_from_a_date_or_time_to_int64(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


_DAYS = "UNNEST([DATETIME '2023-01-07 10:00:00', DATETIME '2023-01-09 00:00:00']) AS ts"
# INITCAP of an operand that is neither a column nor a literal
INITCAPS = [
    (f"SELECT INITCAP(CAST(ts AS STRING FORMAT 'DAY')) FROM {_DAYS} LIMIT 1", "Saturday", "STRING"),
    # ibis: t.group_by("g").agg(t.ts.day_of_week.full_name().length().sum())
    (f"SELECT SUM(LENGTH(INITCAP(CAST(ts AS STRING FORMAT 'DAY')))) FROM {_DAYS}", 14, "INT64"),
    (f"SELECT INITCAP(CAST(ts AS STRING FORMAT 'DAY'), 'R') FROM {_DAYS} LIMIT 1", "SatuRDay", "STRING"),
]
ROWS = case_params({"initcap": INITCAPS})


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_initcap_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_initcap_through_the_client(bigquery_client):
    check_through_client(bigquery_client, INITCAPS)


def test_tablesample_takes_a_float_literal(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.t AS SELECT x FROM UNNEST(GENERATE_ARRAY(1, 10)) AS x")
    assert run(f"SELECT COUNT(*) FROM {ds}.t AS t0 TABLESAMPLE system (100.0 PERCENT)") == [(10,)]
    assert run(f"SELECT COUNT(*) FROM {ds}.t TABLESAMPLE SYSTEM (0.0 PERCENT)") == [(0,)]
