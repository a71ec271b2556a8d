"""Options set by DDL are kept and listed as BigQuery lists them:

- `CREATE SCHEMA d OPTIONS(description=..., friendly_name=..., labels=...,
  default_table_expiration_days=...)` set the dataset's fields (`datasets.get` showed none of
  them: only ALTER SCHEMA ... SET OPTIONS kept them); an option BigQuery does not have is a 400;
- `CREATE FUNCTION ... OPTIONS(description=...)` and `CREATE PROCEDURE ... OPTIONS(description=...)`
  set the routine's description (dropped before);
- INFORMATION_SCHEMA.SCHEMATA_OPTIONS, ROUTINE_OPTIONS and CONSTRAINT_COLUMN_USAGE are served
  (they were refused by name), with the columns and values of BigQuery's pages;
- a named foreign key is `table.name` in TABLE_CONSTRAINTS and KEY_COLUMN_USAGE, as BigQuery's
  pages show (`orders.order_customer`, `composite_fk.composite_fk`); it was the bare name;
- labels, friendly names and descriptions set by `datasets.patch`/`tables.patch`
  (`client.update_dataset`, `update_table`) show in SCHEMATA_OPTIONS and TABLE_OPTIONS (only
  DDL's did), and a description a patch clears is gone from `tables.get` too (a DDL-set one
  came back)."""

from __future__ import annotations

import uuid

import pytest
from google.api_core import exceptions as gexc


def test_create_schema_options_set_the_dataset_fields(bigquery_client):
    ds = f"opts_{uuid.uuid4().hex[:8]}"
    bigquery_client.query_and_wait(
        f"CREATE SCHEMA {ds} OPTIONS(description = 'kept', friendly_name = 'Kept', "
        "labels = [('org', 'dev')], default_table_expiration_days = 2.5)"
    )
    try:
        got = bigquery_client.get_dataset(ds)
        assert (got.description, got.friendly_name, got.labels) == ("kept", "Kept", {"org": "dev"})
        assert got.default_table_expiration_ms == 216_000_000
        # IF NOT EXISTS on an existing dataset changes nothing, as on BigQuery
        bigquery_client.query_and_wait(f"CREATE SCHEMA IF NOT EXISTS {ds} OPTIONS(description = 'other')")
        assert bigquery_client.get_dataset(ds).description == "kept"
        bigquery_client.query_and_wait(f"CREATE TABLE {ds}.t (a INT64)")
        assert bigquery_client.get_table(f"{ds}.t").expires is not None  # the default expiration applies
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


def test_create_schema_with_an_unknown_option_is_refused(bigquery_client):
    ds = f"opts_{uuid.uuid4().hex[:8]}"
    with pytest.raises(gexc.BadRequest, match="Invalid schema option: colour"):
        bigquery_client.query_and_wait(f"CREATE SCHEMA {ds} OPTIONS(colour = 'red')")
    with pytest.raises(gexc.NotFound):
        bigquery_client.get_dataset(ds)


SCHEMATA_OPTIONS = (
    "SELECT schema_name, option_name, option_type, option_value FROM `region-us`.INFORMATION_SCHEMA.SCHEMATA_OPTIONS "
    "WHERE schema_name = '{ds}' ORDER BY option_name"
)


def _schemata_options_rows(ds):
    return [
        (ds, "default_table_expiration_days", "FLOAT64", "90.0"),
        (ds, "description", "STRING", '"a dataset"'),
        (ds, "labels", "ARRAY<STRUCT<STRING, STRING>>", '[STRUCT("org", "dev")]'),
    ]


def test_schemata_options(env):
    run, ds, _ = env
    fresh = f"{ds}_o"
    run(
        f"CREATE SCHEMA {fresh} OPTIONS(description = 'a dataset', labels = [('org', 'dev')], "
        "default_table_expiration_days = 90)"
    )
    try:
        assert run(SCHEMATA_OPTIONS.format(ds=fresh)) == _schemata_options_rows(fresh)
        assert run(SCHEMATA_OPTIONS.format(ds=ds)) == []  # no options set
        run(f"ALTER SCHEMA {fresh} SET OPTIONS(description = 'changed', labels = NULL)")
        assert run(SCHEMATA_OPTIONS.format(ds=fresh)) == [
            (fresh, "default_table_expiration_days", "FLOAT64", "90.0"),
            (fresh, "description", "STRING", '"changed"'),
        ]
    finally:
        run(f"DROP SCHEMA {fresh} CASCADE")


def test_schemata_options_is_not_qualified_by_dataset(env):
    run, ds, error = env
    with pytest.raises(error, match="qualified by project or region, not by dataset"):
        run(f"SELECT * FROM {ds}.INFORMATION_SCHEMA.SCHEMATA_OPTIONS")


def test_constraint_column_usage_and_foreign_key_names(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.orders (o_okey INT64, PRIMARY KEY (o_okey) NOT ENFORCED)")
    run(
        f"CREATE TABLE {ds}.lineitem (l_id INT64, l_okey INT64, PRIMARY KEY (l_id) NOT ENFORCED, "
        f"CONSTRAINT lineitem_order FOREIGN KEY (l_okey) REFERENCES {ds}.orders(o_okey) NOT ENFORCED, "
        f"FOREIGN KEY (l_id) REFERENCES {ds}.orders(o_okey) NOT ENFORCED)"
    )
    usage = run(
        "SELECT table_name, column_name, constraint_schema, constraint_name "
        f"FROM {ds}.INFORMATION_SCHEMA.CONSTRAINT_COLUMN_USAGE ORDER BY table_name, constraint_name"
    )
    assert usage == [
        ("lineitem", "l_id", ds, "lineitem.pk$"),
        ("orders", "o_okey", ds, "lineitem.fk$2"),
        ("orders", "o_okey", ds, "lineitem.lineitem_order"),
        ("orders", "o_okey", ds, "orders.pk$"),
    ]
    names = run(f"SELECT constraint_name FROM {ds}.INFORMATION_SCHEMA.TABLE_CONSTRAINTS ORDER BY 1")
    assert names == [("lineitem.fk$2",), ("lineitem.lineitem_order",), ("lineitem.pk$",), ("orders.pk$",)]
    keys = run(
        f"SELECT constraint_name, column_name FROM {ds}.INFORMATION_SCHEMA.KEY_COLUMN_USAGE "
        "WHERE table_name = 'lineitem' ORDER BY 1"
    )
    assert keys == [("lineitem.fk$2", "l_id"), ("lineitem.lineitem_order", "l_okey"), ("lineitem.pk$", "l_id")]
    # the constraint is still dropped by its own name
    run(f"ALTER TABLE {ds}.lineitem DROP CONSTRAINT lineitem_order")
    assert run(f"SELECT count(*) FROM {ds}.INFORMATION_SCHEMA.CONSTRAINT_COLUMN_USAGE") == [(3,)]


def test_routine_options(env):
    run, ds, _ = env
    run(f"CREATE FUNCTION {ds}.plus_one(x INT64) RETURNS INT64 OPTIONS(description = 'adds one') AS (x + 1)")
    run(f"CREATE FUNCTION {ds}.bare(x INT64) AS (x)")
    run(
        f"CREATE PROCEDURE {ds}.p(x INT64) OPTIONS(strict_mode = false, description = 'a procedure') BEGIN SELECT x; END"
    )
    rows = run(
        "SELECT specific_schema, specific_name, option_name, option_type, option_value "
        f"FROM {ds}.INFORMATION_SCHEMA.ROUTINE_OPTIONS ORDER BY specific_name"
    )
    assert rows == [
        (ds, "p", "description", "STRING", '"a procedure"'),
        (ds, "plus_one", "description", "STRING", '"adds one"'),
    ]


def test_routine_description_through_the_client(bigquery_client, dataset):
    ds = dataset.dataset_id
    bigquery_client.query_and_wait(f"CREATE FUNCTION {ds}.f(x INT64) OPTIONS(description = 'doubles') AS (x * 2)")
    assert bigquery_client.get_routine(f"{dataset.project}.{ds}.f").description == "doubles"
    with pytest.raises(gexc.BadRequest, match="description must be a STRING"):
        bigquery_client.query_and_wait(f"CREATE FUNCTION {ds}.g(x INT64) OPTIONS(description = 3) AS (x)")


@pytest.fixture
def dataset(bigquery_client):
    made = bigquery_client.create_dataset(f"rout_{uuid.uuid4().hex[:8]}")
    yield made
    bigquery_client.delete_dataset(made, delete_contents=True, not_found_ok=True)


def test_rest_updates_show_in_the_option_views(bigquery_client, dataset):
    ds = dataset.dataset_id
    dataset.description, dataset.labels = "from rest", {"a": "1", "b": "2"}
    dataset = bigquery_client.update_dataset(dataset, ["description", "labels"])
    dataset.labels = {"a": None}  # a label set to null is deleted
    bigquery_client.update_dataset(dataset, ["labels"])

    def options(sql):
        return [tuple(r.values()) for r in bigquery_client.query_and_wait(sql)]

    assert options(
        "SELECT option_name, option_value FROM `region-us`.INFORMATION_SCHEMA.SCHEMATA_OPTIONS "
        f"WHERE schema_name = '{ds}' ORDER BY 1"
    ) == [("description", '"from rest"'), ("labels", '[STRUCT("b", "2")]')]
    bigquery_client.query_and_wait(f"CREATE TABLE {ds}.t (a INT64) OPTIONS(description = 'by ddl')")
    table = bigquery_client.get_table(f"{dataset.project}.{ds}.t")
    table.labels, table.friendly_name = {"x": "y"}, "T"
    table = bigquery_client.update_table(table, ["labels", "friendly_name"])
    listed = f"SELECT option_name, option_value FROM {ds}.INFORMATION_SCHEMA.TABLE_OPTIONS ORDER BY 1"
    assert options(listed) == [("description", '"by ddl"'), ("friendly_name", '"T"'), ("labels", '[STRUCT("x", "y")]')]
    table.description = None
    bigquery_client.update_table(table, ["description"])
    assert bigquery_client.get_table(f"{dataset.project}.{ds}.t").description is None
    assert options(listed) == [("friendly_name", '"T"'), ("labels", '[STRUCT("x", "y")]')]


def test_a_refused_create_schema_creates_nothing(env):
    run, ds, error = env
    with pytest.raises(error, match="default_table_expiration_days must be at least 1/24"):
        run(f"CREATE SCHEMA {ds}_short OPTIONS(default_table_expiration_days = 0.01)")
    listed = run(f"SELECT schema_name FROM `region-us`.INFORMATION_SCHEMA.SCHEMATA WHERE schema_name = '{ds}_short'")
    assert listed == []
