"""What DDL statements set is kept, as BigQuery keeps it (each was silently dropped before):

- `CREATE VIEW ... OPTIONS(labels=..., friendly_name=...)`: the view's labels and friendly name;
- `CREATE MATERIALIZED VIEW ... OPTIONS(description=..., enable_refresh=...,
  refresh_interval_minutes=...)` and `ALTER MATERIALIZED VIEW ... SET OPTIONS(...)`: its
  description and refresh settings (`materializedView.enableRefresh`, `refreshIntervalMs`);
- `CREATE SNAPSHOT TABLE ... CLONE t OPTIONS(description=..., labels=...)` and `CREATE TABLE c
  CLONE t OPTIONS(...)`: the new table's description and labels;
- `ALTER TABLE ... ADD COLUMN c T OPTIONS(description=...)`: the column's description;
- `ALTER TABLE ... ALTER COLUMN c SET DEFAULT e` / `DROP DEFAULT`: the field's
  `defaultValueExpression` and INFORMATION_SCHEMA.COLUMNS' `column_default` (the default applied
  to inserts, but neither showed it);
- `ALTER TABLE ... RENAME COLUMN`: the column keeps its field options (default expression,
  `STRING(10)`'s maxLength, REQUIRED fields inside a STRUCT, which were no longer enforced:
  a NULL went in), and a dropped column's are gone (a column added again under the name
  inherited them); several RENAME COLUMN actions in one statement, as BigQuery's DDL reference
  writes them, run (they were refused: sqlglot parses one).

- descriptions of fields inside a STRUCT: `STRUCT<e TIMESTAMP OPTIONS(description = ...)>` in
  CREATE TABLE or ADD COLUMN (the DDL reference's "Adding a RECORD column" example was a syntax
  error; in CREATE TABLE the description was dropped), and a nested field's `description` in a
  REST schema (`SchemaField(..., description=...)` inside a RECORD came back None): kept, shown
  by `tables.get` and INFORMATION_SCHEMA.COLUMN_FIELD_PATHS;
- the same example's `D INT64 NOT NULL` inside the new STRUCT is a REQUIRED nested field.

And `ALTER TABLE ... ADD COLUMN c T DEFAULT e` is refused, as BigQuery's default values page says
("You cannot add a new column with a default value to an existing table"), and so is `ADD COLUMN
c T NOT NULL` (the DDL reference: "You cannot add a REQUIRED column to an existing table
schema"); both were accepted."""

from __future__ import annotations

import uuid

import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery


@pytest.fixture
def ds(bigquery_client):
    name = f"kept_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(name)
    bigquery_client.query_and_wait(f"CREATE TABLE {name}.t (a INT64, b STRING)")
    yield name
    bigquery_client.delete_dataset(name, delete_contents=True, not_found_ok=True)


def test_view_options(bigquery_client, ds):
    bigquery_client.query_and_wait(
        f"CREATE VIEW {ds}.v OPTIONS(description = 'a view', friendly_name = 'V', labels = [('team', 'ml')]) "
        f"AS SELECT a FROM {ds}.t"
    )
    view = bigquery_client.get_table(f"{ds}.v")
    assert (view.description, view.friendly_name, view.labels) == ("a view", "V", {"team": "ml"})
    bigquery_client.query_and_wait(f"CREATE OR REPLACE VIEW {ds}.v AS SELECT b FROM {ds}.t")
    view = bigquery_client.get_table(f"{ds}.v")
    assert (view.description, view.friendly_name, view.labels, view.view_query) == (
        None,
        None,
        {},
        f"SELECT b FROM {ds}.t",
    )
    with pytest.raises(gexc.BadRequest, match="Invalid view option: colour"):
        bigquery_client.query_and_wait(f"CREATE VIEW {ds}.w OPTIONS(colour = 'red') AS SELECT 1 AS x")


def test_materialized_view_options(bigquery_client, ds):
    bigquery_client.query_and_wait(
        f"CREATE MATERIALIZED VIEW {ds}.mv OPTIONS(description = 'counts', enable_refresh = false, "
        f"refresh_interval_minutes = 60) AS SELECT a, COUNT(*) AS n FROM {ds}.t GROUP BY a"
    )
    mv = bigquery_client.get_table(f"{ds}.mv")
    assert (mv.description, mv.mview_enable_refresh, mv.mview_refresh_interval.total_seconds()) == (
        "counts",
        False,
        3600,
    )
    bigquery_client.query_and_wait(f"ALTER MATERIALIZED VIEW {ds}.mv SET OPTIONS(enable_refresh = true)")
    mv = bigquery_client.get_table(f"{ds}.mv")
    assert (mv.mview_enable_refresh, mv.mview_refresh_interval.total_seconds()) == (True, 3600)
    with pytest.raises(gexc.BadRequest, match="refresh_interval_minutes must be between 1 minute and 7 days"):
        bigquery_client.query_and_wait(f"ALTER MATERIALIZED VIEW {ds}.mv SET OPTIONS(refresh_interval_minutes = 0)")


def test_snapshot_and_clone_options(bigquery_client, ds):
    bigquery_client.query_and_wait(
        f"CREATE SNAPSHOT TABLE {ds}.s CLONE {ds}.t OPTIONS(description = 'before', labels = [('k', 'v')])"
    )
    snap = bigquery_client.get_table(f"{ds}.s")
    assert (snap.table_type, snap.description, snap.labels) == ("SNAPSHOT", "before", {"k": "v"})
    bigquery_client.query_and_wait(f"CREATE TABLE {ds}.c CLONE {ds}.t OPTIONS(friendly_name = 'Clone')")
    assert bigquery_client.get_table(f"{ds}.c").friendly_name == "Clone"


def test_added_column_description(bigquery_client, ds):
    bigquery_client.query_and_wait(
        f"ALTER TABLE {ds}.t ADD COLUMN c STRING OPTIONS(description = 'added'), ADD COLUMN d INT64"
    )
    fields = {f.name: f.description for f in bigquery_client.get_table(f"{ds}.t").schema}
    assert fields == {"a": None, "b": None, "c": "added", "d": None}


def test_adding_a_column_with_a_default_is_refused(bigquery_client, ds):
    with pytest.raises(gexc.BadRequest, match="Cannot add column c with a default value to an existing table"):
        bigquery_client.query_and_wait(f"ALTER TABLE {ds}.t ADD COLUMN c STRING DEFAULT 'x'")
    assert [f.name for f in bigquery_client.get_table(f"{ds}.t").schema] == ["a", "b"]


COLUMN_DEFAULTS = (
    "SELECT column_name, column_default FROM {ds}.INFORMATION_SCHEMA.COLUMNS WHERE table_name = 't' ORDER BY 1"
)


def test_set_and_drop_default_through_the_client(bigquery_client, ds):
    bigquery_client.query_and_wait(f"ALTER TABLE {ds}.t ALTER COLUMN b SET DEFAULT 'zz'")
    schema = bigquery_client.get_table(f"{ds}.t").schema
    assert [(f.name, f.default_value_expression) for f in schema] == [("a", None), ("b", "'zz'")]
    bigquery_client.query_and_wait(f"INSERT {ds}.t (a) VALUES (1)")
    bigquery_client.query_and_wait(f"ALTER TABLE {ds}.t ALTER COLUMN b DROP DEFAULT")
    bigquery_client.query_and_wait(f"INSERT {ds}.t (a) VALUES (2)")
    rows = [tuple(r.values()) for r in bigquery_client.query_and_wait(f"SELECT a, b FROM {ds}.t ORDER BY a")]
    assert rows == [(1, "zz"), (2, None)]
    assert [f.default_value_expression for f in bigquery_client.get_table(f"{ds}.t").schema] == [None, None]
    with pytest.raises(gexc.BadRequest, match="nope"):
        bigquery_client.query_and_wait(f"ALTER TABLE {ds}.t ALTER COLUMN nope SET DEFAULT 1")


def test_set_default_locally(warehouse):
    ds = f"kept_{uuid.uuid4().hex[:8]}"
    warehouse.query_result(f"CREATE SCHEMA {ds}")
    warehouse.query_result(f"CREATE TABLE {ds}.t (a INT64, b TIMESTAMP)")
    warehouse.query_result(f"ALTER TABLE {ds}.t ALTER COLUMN b SET DEFAULT CURRENT_TIMESTAMP()")
    rows = warehouse.query_result(COLUMN_DEFAULTS.format(ds=ds)).table.to_pylist()
    assert [tuple(r.values()) for r in rows] == [("a", "NULL"), ("b", "CURRENT_TIMESTAMP()")]
    warehouse.query_result(f"INSERT {ds}.t (a) VALUES (1)")
    assert warehouse.query_result(f"SELECT b IS NOT NULL AS filled FROM {ds}.t").table.to_pylist() == [{"filled": True}]
    warehouse.query_result(f"ALTER TABLE {ds}.t ALTER COLUMN b SET DEFAULT NULL")  # clears it, as DROP DEFAULT
    rows = warehouse.query_result(COLUMN_DEFAULTS.format(ds=ds)).table.to_pylist()
    assert [tuple(r.values()) for r in rows] == [("a", "NULL"), ("b", "NULL")]


def test_view_labels_in_table_options_locally(warehouse):
    ds = f"kept_{uuid.uuid4().hex[:8]}"
    warehouse.query_result(f"CREATE SCHEMA {ds}")
    warehouse.query_result(f"CREATE VIEW {ds}.v OPTIONS(labels = [('team', 'ml')]) AS SELECT 1 AS x")
    rows = warehouse.query_result(
        f"SELECT table_name, option_name, option_value FROM {ds}.INFORMATION_SCHEMA.TABLE_OPTIONS"
    ).table.to_pylist()
    assert [tuple(r.values()) for r in rows] == [("v", "labels", '[STRUCT("team", "ml")]')]


def test_renamed_and_dropped_columns_keep_or_lose_their_field_options(bigquery_client, ds):
    bigquery_client.query_and_wait(
        f"CREATE TABLE {ds}.f (a INT64, b STRING(3) DEFAULT 'x', r STRUCT<z INT64 NOT NULL>)"
    )
    bigquery_client.query_and_wait(f"ALTER TABLE {ds}.f RENAME COLUMN b TO b2, RENAME COLUMN r TO r2")
    schema = {f.name: f for f in bigquery_client.get_table(f"{ds}.f").schema}
    assert (schema["b2"].default_value_expression, schema["b2"].max_length) == ("'x'", 3)
    assert [(s.name, s.mode) for s in schema["r2"].fields] == [("z", "REQUIRED")]
    with pytest.raises(gexc.BadRequest, match="Required field r2.z cannot be null"):
        bigquery_client.query_and_wait(f"INSERT {ds}.f (a, r2) VALUES (1, STRUCT(NULL))")
    with pytest.raises(gexc.BadRequest):
        bigquery_client.query_and_wait(f"INSERT {ds}.f (a, b2) VALUES (1, 'four')")  # over STRING(3)
    bigquery_client.query_and_wait(f"ALTER TABLE {ds}.f DROP COLUMN b2")
    bigquery_client.query_and_wait(f"ALTER TABLE {ds}.f ADD COLUMN b2 STRING")
    schema = {f.name: f for f in bigquery_client.get_table(f"{ds}.f").schema}
    assert (schema["b2"].default_value_expression, schema["b2"].max_length) == (None, None)
    bigquery_client.query_and_wait(f"INSERT {ds}.f (a, b2, r2) VALUES (2, 'four', STRUCT(5))")


def test_renamed_column_keeps_its_default_locally(warehouse):
    ds = f"kept_{uuid.uuid4().hex[:8]}"
    warehouse.query_result(f"CREATE SCHEMA {ds}")
    warehouse.query_result(f"CREATE TABLE {ds}.t (a INT64, b STRING DEFAULT 'x')")
    warehouse.query_result(f"ALTER TABLE {ds}.t RENAME COLUMN b TO c")
    rows = warehouse.query_result(
        f"SELECT column_name, column_default FROM {ds}.INFORMATION_SCHEMA.COLUMNS WHERE table_name = 't' ORDER BY 1"
    ).table.to_pylist()
    assert [tuple(r.values()) for r in rows] == [("a", "NULL"), ("c", "'x'")]


DOCUMENTED_RECORD_COLUMN = (
    "ALTER TABLE {ds}.mytable ADD COLUMN A STRUCT< B GEOGRAPHY, C ARRAY <INT64>, D INT64 NOT NULL, "
    "E TIMESTAMP OPTIONS(description='creation time') >"
)


def test_the_reference_record_column_example(bigquery_client, ds):
    bigquery_client.query_and_wait(f"CREATE TABLE {ds}.mytable (x INT64)")
    bigquery_client.query_and_wait(DOCUMENTED_RECORD_COLUMN.format(ds=ds))
    record = {f.name: f for f in bigquery_client.get_table(f"{ds}.mytable").schema}["A"]
    assert [(f.name, f.mode, f.description) for f in record.fields] == [
        ("B", "NULLABLE", None),
        ("C", "REPEATED", None),
        ("D", "REQUIRED", None),
        ("E", "NULLABLE", "creation time"),
    ]
    with pytest.raises(gexc.BadRequest, match="Required field A.D cannot be null"):
        bigquery_client.query_and_wait(f"INSERT {ds}.mytable (x, A) VALUES (1, STRUCT(NULL, [], NULL, NULL))")
    with pytest.raises(gexc.BadRequest, match="Cannot add column R in REQUIRED mode"):
        bigquery_client.query_and_wait(f"ALTER TABLE {ds}.mytable ADD COLUMN R INT64 NOT NULL")


def test_nested_descriptions_locally(warehouse):
    ds = f"kept_{uuid.uuid4().hex[:8]}"
    warehouse.query_result(f"CREATE SCHEMA {ds}")
    warehouse.query_result(f"CREATE TABLE {ds}.t (a INT64, rec STRUCT<e TIMESTAMP OPTIONS(description = 'when')>)")
    warehouse.query_result(f"CREATE TABLE {ds}.mytable (x INT64)")
    warehouse.query_result(DOCUMENTED_RECORD_COLUMN.format(ds=ds))
    rows = warehouse.query_result(
        f"SELECT field_path, description FROM {ds}.INFORMATION_SCHEMA.COLUMN_FIELD_PATHS WHERE description IS NOT NULL"
    ).table.to_pylist()
    assert sorted(tuple(r.values()) for r in rows) == [("A.E", "creation time"), ("rec.e", "when")]


def test_nested_descriptions_through_rest(bigquery_client, ds):
    schema = [
        bigquery.SchemaField(
            "rec",
            "RECORD",
            description="the record",
            fields=[bigquery.SchemaField("e", "TIMESTAMP", description="when"), bigquery.SchemaField("f", "INT64")],
        )
    ]
    bigquery_client.create_table(bigquery.Table(f"{bigquery_client.project}.{ds}.r", schema=schema))
    (record,) = bigquery_client.get_table(f"{ds}.r").schema
    assert (record.description, [(f.name, f.description) for f in record.fields]) == (
        "the record",
        [("e", "when"), ("f", None)],
    )
