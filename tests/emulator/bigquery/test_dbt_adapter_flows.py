"""What the real dbt-bigquery adapter (dbt-core 1.12, dbt-bigquery 1.12) sends, through the BigQuery
client; the SQL is copied from dbt's logs, trimmed to what matters. Before:

- `alter table `p`.`d`.`t` set OPTIONS()` (every seed, every table without labels or description)
  failed with a DuckDB syntax error: the empty OPTIONS() was not taken for "set nothing";
- a CREATE TABLE ... AS SELECT job had no `configuration.query.destinationTable`: BigQuery names
  the created table there, and dbt reads the new table's numRows from it (`'NoneType' object has
  no attribute 'path'` for every table and incremental model);
- `tables.get` on a SELECT job's destinationTable (its anonymous results table, which dbt reads
  for the row count of every `dbt debug`, test, docs and freshness query) answered 404 "Not
  found: Dataset _<hash>" (and so did `tabledata.list`, `client.list_rows(job.destination)`);
- a model contract's `create or replace table t (id int64 not null, ...) OPTIONS() as (select ...)`
  made `id` NULLABLE (the column list's NOT NULL was dropped) and let NULLs in;
- a model's WHERE after a FROM-less UNION ALL branch (a mistake) answered DuckDB's `Referenced
  column "order_id" was not found because the FROM clause is missing`, not "Unrecognized name".
"""

from __future__ import annotations

import pytest
from google.api_core.exceptions import BadRequest, NotFound
from googlesql_cases import assert_fails_locally, assert_fails_through_client

from llmops.core.errors import QueryError


def run(client, sql: str) -> list[dict]:
    return [dict(r) for r in client.query(sql).result()]


# ---------------------------------------------------------------- ALTER ... SET OPTIONS()


def test_an_empty_set_options_leaves_a_table_and_a_view_as_they_are(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    run(bigquery_client, f"create table `{p}`.`{d}`.`raw_orders` (id INT64) OPTIONS(description='seeded')")
    run(bigquery_client, f"create view `{p}`.`{d}`.`stg_orders` OPTIONS() as select id from `{p}`.`{d}`.`raw_orders`")
    run(bigquery_client, f"\n    alter table `{p}`.`{d}`.`raw_orders` set OPTIONS()\n  ")
    run(bigquery_client, f"alter view `{p}`.`{d}`.`stg_orders` set OPTIONS()")
    assert bigquery_client.get_table(f"{p}.{d}.raw_orders").description == "seeded"
    assert bigquery_client.get_table(f"{p}.{d}.stg_orders").table_type == "VIEW"
    with pytest.raises(NotFound):
        run(bigquery_client, f"alter table `{p}`.`{d}`.`missing` set OPTIONS()")


def test_an_empty_set_options_locally(warehouse):
    warehouse.query_result("CREATE SCHEMA IF NOT EXISTS dbt_alter")
    warehouse.query_result("CREATE OR REPLACE TABLE dbt_alter.t (id INT64)")
    warehouse.query_result("alter table dbt_alter.t set OPTIONS()")
    with pytest.raises(QueryError, match="not found"):
        warehouse.query_result("alter table dbt_alter.missing set OPTIONS()")


# ---------------------------------------------------------------- CTAS jobs and their destination


def test_a_ctas_job_names_the_created_table_as_its_destination(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    job = bigquery_client.query(
        f"create or replace table `{p}`.`{d}`.`orders`\n    OPTIONS()\n    as (\n"
        "select order_id, status from unnest([struct(1 as order_id, 'placed' as status), (2, 'shipped')])\n    );"
    )
    job.result()
    assert job.statement_type == "CREATE_TABLE_AS_SELECT"
    assert (job.destination.project, job.destination.dataset_id, job.destination.table_id) == (p, d, "orders")
    assert bigquery_client.get_table(job.destination).num_rows == 2
    again = bigquery_client.get_job(job.job_id, location=job.location)
    assert again.destination.table_id == "orders"


def test_a_select_jobs_results_table_has_metadata(bigquery_client):
    job = bigquery_client.query("select 1 as id union all select 2")
    job.result()
    assert job.destination.dataset_id.startswith("_") and job.destination.table_id.startswith("anon")
    table = bigquery_client.get_table(job.destination)
    assert table.num_rows == 2
    assert [(f.name, f.field_type) for f in table.schema] == [("id", "INTEGER")]
    assert sorted(r["id"] for r in bigquery_client.list_rows(job.destination)) == [1, 2]
    with pytest.raises(NotFound):
        bigquery_client.get_table(f"{job.destination.project}.{job.destination.dataset_id}.anon{'0' * 40}")


# ---------------------------------------------------------------- model contracts

CONTRACT = (
    "create or replace table {t}\n  (\n    customer_id int64 not null,\n    first_name string,\n"
    "    signup_date date,\n    \n    primary key (customer_id) not enforced\n    )\n    OPTIONS()\n    as (\n"
    "    select customer_id, first_name, signup_date\n    from (\n{query}\n    ) as model_subq\n    );"
)
ROWS = "select 1 as customer_id, 'Michael' as first_name, date '2024-01-01' as signup_date"
NULL_KEY = "select cast(null as int64) as customer_id, 'Shawn' as first_name, date '2024-01-02' as signup_date"


def test_a_contract_keeps_not_null_through_the_client(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    run(bigquery_client, CONTRACT.format(t=f"`{p}`.`{d}`.`customer_contract`", query=ROWS))
    table = bigquery_client.get_table(f"{p}.{d}.customer_contract")
    assert [(f.name, f.field_type, f.mode) for f in table.schema] == [
        ("customer_id", "INTEGER", "REQUIRED"),
        ("first_name", "STRING", "NULLABLE"),
        ("signup_date", "DATE", "NULLABLE"),
    ]
    assert table.table_constraints.primary_key.columns == ["customer_id"]
    assert_fails_through_client(
        bigquery_client,
        CONTRACT.format(t=f"`{p}`.`{d}`.`null_contract`", query=NULL_KEY),
        "Required field customer_id cannot be null",
    )
    with pytest.raises(NotFound):
        bigquery_client.get_table(f"{p}.{d}.null_contract")


def test_a_contract_keeps_not_null_locally(warehouse):
    warehouse.query_result("CREATE SCHEMA IF NOT EXISTS dbt_contract")
    warehouse.query_result(CONTRACT.format(t="dbt_contract.c", query=ROWS))
    columns = warehouse.query_result(
        "SELECT column_name, is_nullable FROM dbt_contract.INFORMATION_SCHEMA.COLUMNS "
        "WHERE table_name = 'c' ORDER BY ordinal_position"
    )
    assert [tuple(r.values()) for r in columns.table.to_pylist()] == [
        ("customer_id", "NO"),
        ("first_name", "YES"),
        ("signup_date", "YES"),
    ]
    assert_fails_locally(
        warehouse, CONTRACT.format(t="dbt_contract.n", query=NULL_KEY), "Required field customer_id cannot be null"
    )


def test_an_unlisted_ctas_column_stays_nullable(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    run(bigquery_client, f"create table `{p}`.`{d}`.`t` (a int64, b string not null) as select 1, 'x'")
    modes = [f.mode for f in bigquery_client.get_table(f"{p}.{d}.t").schema]
    assert modes == ["NULLABLE", "REQUIRED"]
    with pytest.raises(BadRequest):
        run(bigquery_client, f"insert into `{p}`.`{d}`.`t` (a, b) values (2, null)")


# ---------------------------------------------------------------- a model's mistake, in BigQuery's words

FROMLESS = (
    "select order_id, status from unnest([struct(1 as order_id, 'placed' as status)])\n"
    "union all select 7, 'placed'\n\nwhere order_id >= 6"
)


def test_a_name_in_a_fromless_select_is_unrecognized(warehouse, bigquery_client):
    assert_fails_locally(warehouse, FROMLESS, "nrecognized name: order_id")
    assert_fails_through_client(bigquery_client, FROMLESS, "nrecognized name: order_id")
