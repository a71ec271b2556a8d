"""Behaviours dbt-bigquery's own functional tests (dbt-labs/dbt-adapters `dbt-bigquery/tests/functional`,
dbt-core 1.11.16 with dbt-bigquery 1.11.3 and dbt-tests-adapter 1.20.0) found to differ from BigQuery,
each run on the local warehouse and through the real BigQuery client against the emulator. Before:

- `TestBigQueryTableConstraintsRollback`: a contract's `create or replace table t (id int64 not null,
  ...) as select null ...` was refused ("Required field id cannot be null") but had already dropped
  the table it was to replace, so the model's previous table was gone (404). BigQuery's CREATE OR
  REPLACE is one atomic statement: refused, it leaves the old table as it was;
- the materialized view tests (`test_materialized_view*.py`): a `create materialized view ...
  partition by datetime_trunc(d, day) cluster by id, value` lost its PARTITION BY and CLUSTER BY,
  so `tables.get` had no `timePartitioning` or `clustering` (dbt's `describe_relation` read
  `partition` None), and dbt's `call bq.refresh_materialized_view('p.d.mv')` was 404 "Not found:
  Procedure" (BigQuery's system procedure for a manual refresh).
"""

from __future__ import annotations

import pytest

CONTRACT = (
    "CREATE OR REPLACE TABLE {ds}.my_model (id INT64 NOT NULL, color STRING) AS SELECT {id} AS id, '{color}' AS color"
)


def test_a_refused_create_or_replace_keeps_the_old_table(env):
    run, ds, error = env
    run(CONTRACT.format(ds=ds, id="1", color="blue"))
    with pytest.raises(error, match="Required field id cannot be null"):
        run(CONTRACT.format(ds=ds, id="CAST(NULL AS INT64)", color="red"))
    assert run(f"SELECT id, color FROM {ds}.my_model") == [(1, "blue")]
    assert run(
        f"SELECT column_name, is_nullable FROM {ds}.INFORMATION_SCHEMA.COLUMNS "
        "WHERE table_name = 'my_model' ORDER BY ordinal_position"
    ) == [("id", "NO"), ("color", "YES")]


def test_a_refused_create_or_replace_keeps_a_table_of_another_shape(env):
    run, ds, error = env
    run(f"CREATE TABLE {ds}.t (a STRING, b INT64) OPTIONS(description = 'old')")
    run(f"INSERT INTO {ds}.t VALUES ('x', 1)")
    with pytest.raises(error, match="Required field id cannot be null"):
        run(f"CREATE OR REPLACE TABLE {ds}.t (id INT64 NOT NULL) AS SELECT CAST(NULL AS INT64) AS id")
    assert run(f"SELECT a, b FROM {ds}.t") == [("x", 1)]
    assert run(f"SELECT option_value FROM {ds}.INFORMATION_SCHEMA.TABLE_OPTIONS WHERE table_name = 't'") == [('"old"',)]


def test_a_refused_create_or_replace_after_a_comment_keeps_the_old_table(env):
    """dbt writes its query comment before the statement."""
    run, ds, error = env
    comment = '/* {"app": "dbt", "node_id": "model.test.my_model"} */\n'
    run(comment + CONTRACT.format(ds=ds, id="1", color="blue"))
    with pytest.raises(error, match="Required field id cannot be null"):
        run(comment + CONTRACT.format(ds=ds, id="CAST(NULL AS INT64)", color="red"))
    assert run(f"SELECT id, color FROM {ds}.my_model") == [(1, "blue")]


def test_a_create_or_replace_that_succeeds_still_replaces(env):
    run, ds, _ = env
    run(CONTRACT.format(ds=ds, id="1", color="blue"))
    run(CONTRACT.format(ds=ds, id="2", color="red"))
    assert run(f"SELECT id, color FROM {ds}.my_model") == [(2, "red")]


def test_a_refused_create_of_a_new_table_leaves_none(env):
    run, ds, error = env
    with pytest.raises(error, match="Required field id cannot be null"):
        run(CONTRACT.format(ds=ds, id="CAST(NULL AS INT64)", color="red"))
    assert run(f"SELECT count(*) FROM {ds}.INFORMATION_SCHEMA.TABLES WHERE table_name = 'my_model'") == [(0,)]


# ---------------------------------------------------------------- materialized views


MVIEW = (
    "CREATE MATERIALIZED VIEW IF NOT EXISTS {ds}.mv PARTITION BY DATETIME_TRUNC(d, DAY) CLUSTER BY id, value "
    "OPTIONS(enable_refresh = true, refresh_interval_minutes = 60, max_staleness = INTERVAL 45 MINUTE) "
    "AS SELECT id, value, d FROM {ds}.base"
)


def make_base(run, ds):
    run(
        f"CREATE TABLE {ds}.base PARTITION BY DATETIME_TRUNC(d, DAY) CLUSTER BY id, value AS "
        "SELECT 1 AS id, 100 AS value, DATETIME '2023-01-01 00:00:00' AS d"
    )


def test_a_materialized_view_keeps_its_partitioning_and_clustering(bigquery_client, dataset):
    run = lambda sql: list(bigquery_client.query(sql).result())  # noqa: E731
    ds = dataset.dataset_id
    make_base(run, ds)
    run(MVIEW.format(ds=ds))
    mv = bigquery_client.get_table(f"{dataset.project}.{ds}.mv")
    assert mv.table_type == "MATERIALIZED_VIEW"
    assert (mv.time_partitioning.type_, mv.time_partitioning.field) == ("DAY", "d")
    assert mv.clustering_fields == ["id", "value"]
    assert mv.mview_refresh_interval.total_seconds() == 3600
    rows = run(
        f"SELECT column_name, clustering_ordinal_position, is_partitioning_column FROM {ds}.INFORMATION_SCHEMA.COLUMNS "
        "WHERE table_name = 'mv' ORDER BY ordinal_position"
    )
    assert [tuple(r.values()) for r in rows] == [("id", 1, "NO"), ("value", 2, "NO"), ("d", None, "YES")]


def test_a_materialized_view_partitioned_by_a_missing_column_is_refused(bigquery_client, dataset):
    from google.api_core.exceptions import BadRequest

    ds = dataset.dataset_id
    make_base(lambda sql: bigquery_client.query(sql).result(), ds)
    with pytest.raises(BadRequest):
        bigquery_client.query(
            MVIEW.format(ds=ds).replace("DATETIME_TRUNC(d, DAY)", "DATETIME_TRUNC(nope, DAY)")
        ).result()
    assert [t.table_id for t in bigquery_client.list_tables(ds)] == ["base"]


def test_refresh_materialized_view_procedure(env):
    run, ds, error = env
    make_base(run, ds)
    run(MVIEW.format(ds=ds))
    assert run(f"CALL BQ.REFRESH_MATERIALIZED_VIEW('{ds}.mv')") == []
    run(f"INSERT INTO {ds}.base VALUES (2, 200, DATETIME '2023-01-02 00:00:00')")
    run(f"CALL bq.refresh_materialized_view('{ds}.mv')")
    assert run(f"SELECT id, value FROM {ds}.mv ORDER BY id") == [(1, 100), (2, 200)]
    with pytest.raises(error, match="Not found: Table"):
        run(f"CALL BQ.REFRESH_MATERIALIZED_VIEW('{ds}.nope')")
    with pytest.raises(error, match="is not a materialized view"):
        run(f"CALL BQ.REFRESH_MATERIALIZED_VIEW('{ds}.base')")
