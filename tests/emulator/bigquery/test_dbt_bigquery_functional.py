"""Behaviours dbt-bigquery's own functional tests (dbt-labs/dbt-adapters `dbt-bigquery/tests/functional`,
dbt-core 1.11.16 with dbt-bigquery 1.11.3 and dbt-tests-adapter 1.20.0) found to differ from BigQuery,
each run on the local warehouse and through the real BigQuery client against the emulator. Before:

- `TestBigQueryTableConstraintsRollback`: a contract's `create or replace table t (id int64 not null,
  ...) as select null ...` was refused ("Required field id cannot be null") but had already dropped
  the table it was to replace, so the model's previous table was gone (404). BigQuery's CREATE OR
  REPLACE is one atomic statement: refused, it leaves the old table as it was.
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
