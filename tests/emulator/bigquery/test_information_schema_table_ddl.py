"""INFORMATION_SCHEMA.TABLES' `ddl` recreates the table or view, as BigQuery's page shows it: a
view's `CREATE VIEW ... AS query;` (it was NULL), and in a CREATE TABLE the column descriptions,
defaults and type parameters, PARTITION BY, CLUSTER BY and the table's OPTIONS (only the column
names, types and NOT NULL were written, so the statement recreated a different table)."""

from __future__ import annotations

import uuid

WANT_TABLE = """CREATE TABLE `{project}.{ds}.t`
(
  id INT64 NOT NULL OPTIONS(description="the key"),
  name STRING(10) DEFAULT 'x',
  price NUMERIC(5, 2),
  rec STRUCT<x STRING>,
  ts TIMESTAMP
)
PARTITION BY DATE(ts)
CLUSTER BY name
OPTIONS(
  description="a table",
  labels=[("team", "ml")]
);"""

CREATE_TABLE = (
    "CREATE TABLE {ds}.t (id INT64 NOT NULL OPTIONS(description='the key'), name STRING(10) DEFAULT 'x', "
    "price NUMERIC(5, 2), rec STRUCT<x STRING>, ts TIMESTAMP) PARTITION BY DATE(ts) CLUSTER BY name "
    "OPTIONS(description='a table', labels=[('team', 'ml')])"
)
DDL = "SELECT table_name, ddl FROM {ds}.INFORMATION_SCHEMA.TABLES ORDER BY table_name"


def test_ddl_of_tables_and_views(env):
    run, ds, _ = env
    run(CREATE_TABLE.format(ds=ds))
    run(f"CREATE VIEW {ds}.v AS SELECT 100 AS id")
    run(f"CREATE TABLE {ds}.r (k INT64) PARTITION BY RANGE_BUCKET(k, GENERATE_ARRAY(0, 100, 10))")
    ddl = dict(run(DDL.format(ds=ds)))
    project = ddl["t"].split("`")[1].split(".")[0]
    assert ddl["t"] == WANT_TABLE.format(project=project, ds=ds)
    assert ddl["v"] == f"CREATE VIEW `{project}.{ds}.v`\nAS SELECT 100 AS id;"
    assert ddl["r"] == (
        f"CREATE TABLE `{project}.{ds}.r`\n(\n  k INT64\n)\nPARTITION BY RANGE_BUCKET(k, GENERATE_ARRAY(0, 100, 10));"
    )


def test_the_ddl_recreates_the_table(bigquery_client):
    ds = f"ddl_{uuid.uuid4().hex[:8]}"
    copy = f"{ds}_copy"
    bigquery_client.create_dataset(ds)
    bigquery_client.create_dataset(copy)
    try:
        bigquery_client.query_and_wait(CREATE_TABLE.format(ds=ds))
        (ddl,) = [r["ddl"] for r in bigquery_client.query_and_wait(DDL.format(ds=ds))]
        bigquery_client.query_and_wait(ddl.replace(f".{ds}.t`", f".{copy}.t`"))
        before, after = bigquery_client.get_table(f"{ds}.t"), bigquery_client.get_table(f"{copy}.t")
        assert [f.to_api_repr() for f in after.schema] == [f.to_api_repr() for f in before.schema]
        assert (after.time_partitioning.field, after.clustering_fields, after.labels, after.description) == (
            "ts",
            ["name"],
            {"team": "ml"},
            "a table",
        )
    finally:
        for name in (ds, copy):
            bigquery_client.delete_dataset(name, delete_contents=True, not_found_ok=True)


def test_a_plain_table_is_as_before(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.plain (x INT64)")
    ((ddl,),) = run(f"SELECT ddl FROM {ds}.INFORMATION_SCHEMA.TABLES")
    assert ddl.endswith(f".{ds}.plain`\n(\n  x INT64\n);")
