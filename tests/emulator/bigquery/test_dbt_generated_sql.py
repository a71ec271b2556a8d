"""Statements and REST calls dbt-bigquery (dbt-core 1.11.16, dbt-bigquery 1.11.3) sends for a
realistic project (seeds, views, tables, merge / insert_overwrite / microbatch incremental models,
snapshots, generic tests, docs generate), copied from dbt's logs and replayed through the real
BigQuery client. test_dbt_adapter_flows.py has the earlier ones. Before:

- an `insert_overwrite` model with `partition_by={..., 'copy_partitions': true}` failed on its
  second run: dbt copies each partition of its `__dbt_tmp` table with a copy job from `tmp$20240101`
  to `model$20240101` (WRITE_TRUNCATE), and the emulator refused a copy job's partition decorators
  ("Partition decorators are not supported by the emulator here"). BigQuery copies one partition
  so ("Copy partitions" in Managing partitioned table data);
- `on_schema_change: append_new_columns` on a model whose STRUCT column gained a field sends
  `tables.update` with the RECORD's new field (BigQuery's "Add a nested column to a RECORD
  column"): the emulator answered 200 and kept the old RECORD, so the MERGE after it dropped the
  new field's values and `payload.extra_field` failed 'Could not find key "extra_field" in struct';
- `dbt clone`'s `create or replace table `p`.`d`.`t` clone `p`.`d`.`s`` (each name part backticked)
  was not read as a CLONE: 'syntax error at or near "CLONE"';
- `persist_docs: {columns: true}` on a view patches the view's schema with column descriptions:
  400 "The schema of a view cannot be changed" (BigQuery takes the descriptions).
"""

from __future__ import annotations

import pytest
from google.api_core.exceptions import BadRequest, NotFound
from google.cloud import bigquery


def run(client, sql: str) -> list[dict]:
    return [dict(r) for r in client.query(sql).result()]


# ---------------------------------------------------------------- copy_partitions

TARGET = (
    "\n    create or replace table {t}\n      \n    partition by order_date\n    \n\n    \n    OPTIONS()\n"
    "    as (\n      \nselect order_date, count(*) as n\n"
    "from unnest([date '2024-01-01', date '2024-01-02', date '2024-01-02']) as order_date group by 1\n    );\n  "
)
TMP = (
    "\n    create or replace table {t}\n      \n    partition by order_date\n    \n\n    \n    OPTIONS(\n"
    "      expiration_timestamp=TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 12 hour)\n    )\n    as (\n      \n"
    "select order_date, count(*) as n from unnest([date '2024-01-02', date '2024-01-03']) as order_date\n"
    "group by 1\n    );\n  "
)


def copy_partition(client, source: str, destination: str) -> bigquery.CopyJob:
    """As dbt-bigquery's `copy_table` of a `materialization='table'` relation: WRITE_TRUNCATE."""
    config = bigquery.CopyJobConfig(write_disposition="WRITE_TRUNCATE")
    job = client.copy_table(source, destination, job_config=config)
    job.result()
    return job


def test_copy_partitions_replaces_the_copied_partitions_only(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    target, tmp = f"{p}.{d}.daily_copy_partitions", f"{p}.{d}.daily_copy_partitions__dbt_tmp152825477538"
    run(bigquery_client, TARGET.format(t=f"`{p}`.`{d}`.`daily_copy_partitions`"))
    run(bigquery_client, TMP.format(t=f"`{p}`.`{d}`.`daily_copy_partitions__dbt_tmp152825477538`"))
    days = run(
        bigquery_client, f"\n    select distinct date(order_date)\n    from `{p}`.`{d}`.`{tmp.split('.')[-1]}`\n  "
    )
    assert sorted(r["f0_"].strftime("%Y%m%d") for r in days) == ["20240102", "20240103"]
    job = None
    for day in ("20240102", "20240103"):
        job = copy_partition(bigquery_client, f"{tmp}${day}", f"{target}${day}")
    assert job is not None and job.state == "DONE" and job.error_result is None
    run(bigquery_client, f"drop table if exists `{p}`.`{d}`.`{tmp.split('.')[-1]}`")
    rows = run(bigquery_client, f"select format_date('%F', order_date) as day, n from `{target}` order by 1")
    # 2024-01-01 untouched, 2024-01-02 replaced (2 rows -> 1), 2024-01-03 new
    assert [(r["day"], r["n"]) for r in rows] == [("2024-01-01", 1), ("2024-01-02", 1), ("2024-01-03", 1)]
    table = bigquery_client.get_table(target)
    assert table.time_partitioning.field == "order_date" and table.num_rows == 3


def test_a_copied_partition_keeps_write_dispositions(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    run(bigquery_client, TARGET.format(t=f"`{p}`.`{d}`.`dest`"))
    run(bigquery_client, TMP.format(t=f"`{p}`.`{d}`.`src`"))
    append = bigquery.CopyJobConfig(write_disposition="WRITE_APPEND")
    bigquery_client.copy_table(f"{p}.{d}.src$20240102", f"{p}.{d}.dest$20240102", job_config=append).result()
    rows = run(bigquery_client, f"select n from `{p}.{d}.dest` where order_date = '2024-01-02' order by n")
    assert [r["n"] for r in rows] == [1, 2]
    # WRITE_EMPTY (the default) needs the destination partition empty
    with pytest.raises(Exception, match="Already Exists|already exists|has rows"):
        bigquery_client.copy_table(f"{p}.{d}.src$20240102", f"{p}.{d}.dest$20240102").result()
    bigquery_client.copy_table(f"{p}.{d}.src$20240103", f"{p}.{d}.dest$20240103").result()
    assert bigquery_client.get_table(f"{p}.{d}.dest").num_rows == 4


def test_a_partition_copied_to_a_new_table_and_the_mistakes(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    run(bigquery_client, TARGET.format(t=f"`{p}`.`{d}`.`src`"))
    job = bigquery_client.copy_table(f"{p}.{d}.src$20240102", f"{p}.{d}.only_jan_2")
    job.result()
    rows = run(bigquery_client, f"select format_date('%F', order_date) as day, n from `{p}.{d}.only_jan_2`")
    assert [(r["day"], r["n"]) for r in rows] == [("2024-01-02", 2)]
    # a row of another partition, a decorator on a table that is not partitioned, a missing destination
    with pytest.raises(BadRequest, match="different partitions"):
        copy_partition(bigquery_client, f"{p}.{d}.src$20240102", f"{p}.{d}.src$20240101")
    run(bigquery_client, f"create table `{p}.{d}.flat` (order_date DATE, n INT64)")
    with pytest.raises(BadRequest, match="not partitioned"):
        copy_partition(bigquery_client, f"{p}.{d}.src$20240102", f"{p}.{d}.flat$20240102")
    with pytest.raises(NotFound):
        copy_partition(bigquery_client, f"{p}.{d}.src$20240102", f"{p}.{d}.missing$20240102")
    # a snapshot copies a whole table: a decorator there is refused by name
    snap = bigquery.CopyJobConfig(operation_type="SNAPSHOT")
    with pytest.raises(BadRequest, match="Partition decorators are not supported"):
        bigquery_client.copy_table(f"{p}.{d}.src$20240102", f"{p}.{d}.snap", job_config=snap).result()
    assert [(r["day"], r["n"]) for r in rows] == [("2024-01-02", 2)]
    whole = run(bigquery_client, f"select n from `{p}.{d}.src` order by order_date")
    assert [r["n"] for r in whole] == [1, 2]


# ---------------------------------------------------------------- nested columns added by a schema update

STRUCT_V1 = (
    "\n    create or replace table {t}\n      \n    \n    \n\n    \n    OPTIONS()\n    as (\n      \n"
    "with source_data as (\n    select 1 as id, struct('foo' as nested_field) as payload union all\n"
    "    select 2 as id, struct('bar' as nested_field) as payload\n)\n"
    "    select id, struct(payload.nested_field as nested_field) as payload from source_data\n    );\n  "
)
STRUCT_TMP = (
    "\n    create or replace table {t}\n      \n    \n    \n\n    \n    OPTIONS(\n"
    "      expiration_timestamp=TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 12 hour)\n    )\n    as (\n      \n"
    "with source_data as (\n"
    "    select 1 as id, struct('foo' as nested_field, cast(null as string) as extra_field) as payload union all\n"
    "    select 2 as id, struct('bar' as nested_field, 'baz' as extra_field) as payload union all\n"
    "    select 3 as id, struct('baz' as nested_field, 'qux' as extra_field) as payload\n)\n"
    "    select id, struct(payload.nested_field as nested_field, payload.extra_field as extra_field) as payload "
    "from source_data\n    );\n  "
)
STRUCT_MERGE = (
    "-- back compat for old kwarg name\n  \n  \n        \n    \n        \n    \n    \n\n"
    "    merge into {t} as DBT_INTERNAL_DEST\n        using (\n        select\n        * from {tmp}\n"
    "        ) as DBT_INTERNAL_SOURCE\n        on ((DBT_INTERNAL_SOURCE.id = DBT_INTERNAL_DEST.id))\n\n"
    "    \n    when matched then update set\n"
    "        `id` = DBT_INTERNAL_SOURCE.`id`,`payload` = DBT_INTERNAL_SOURCE.`payload`\n    \n\n"
    "    when not matched then insert\n        (`id`, `payload`)\n    values\n        (`id`, `payload`)\n\n\n    "
)


def add_nested_field(client, table_id: str, column: str, field: dict) -> bigquery.Table:
    """As dbt-bigquery's STRUCT sync: the table's schema with one more field in a RECORD, `update_table`."""
    table = client.get_table(table_id)
    schema = [f.to_api_repr() for f in table.schema]
    for f in schema:
        if f["name"] == column:
            f["fields"].append(field)
    table.schema = [bigquery.SchemaField.from_api_repr(f) for f in schema]
    return client.update_table(table, ["schema"])


def test_append_new_columns_adds_a_field_inside_a_struct(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    t, tmp = f"`{p}`.`{d}`.`incremental_struct_append`", f"`{p}`.`{d}`.`incremental_struct_append__dbt_tmp154929717112`"
    run(bigquery_client, STRUCT_V1.format(t=t))
    run(bigquery_client, STRUCT_TMP.format(t=tmp))
    updated = add_nested_field(
        bigquery_client, f"{p}.{d}.incremental_struct_append", "payload", {"name": "extra_field", "type": "STRING"}
    )
    assert [f.name for f in updated.schema[1].fields] == ["nested_field", "extra_field"]
    again = bigquery_client.get_table(f"{p}.{d}.incremental_struct_append")
    assert [(f.name, f.field_type) for f in again.schema[1].fields] == [
        ("nested_field", "STRING"),
        ("extra_field", "STRING"),
    ]
    run(bigquery_client, STRUCT_MERGE.format(t=t, tmp=tmp))
    rows = run(
        bigquery_client,
        f"select id, payload.nested_field as nested_field, payload.extra_field as extra_field from {t} order by id",
    )
    assert [tuple(r.values()) for r in rows] == [(1, "foo", None), (2, "bar", "baz"), (3, "baz", "qux")]


def test_a_nested_field_added_inside_a_repeated_record_and_the_mistakes(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    run(bigquery_client, f"create table `{p}.{d}.items` as select 1 as id, [struct(1 as a), struct(2 as a)] as xs")
    add_nested_field(bigquery_client, f"{p}.{d}.items", "xs", {"name": "b", "type": "STRING", "mode": "NULLABLE"})
    run(bigquery_client, f"insert into `{p}.{d}.items` values (2, [struct(3 as a, 'c' as b)])")
    rows = run(bigquery_client, f"select id, x.a, x.b from `{p}.{d}.items`, unnest(xs) as x order by id, a")
    assert [tuple(r.values()) for r in rows] == [(1, 1, None), (1, 2, None), (2, 3, "c")]
    with pytest.raises(BadRequest, match="REQUIRED"):
        add_nested_field(bigquery_client, f"{p}.{d}.items", "xs", {"name": "c", "type": "INT64", "mode": "REQUIRED"})
    table = bigquery_client.get_table(f"{p}.{d}.items")
    schema = [f.to_api_repr() for f in table.schema]
    schema[1]["fields"] = schema[1]["fields"][1:]  # leaves out xs.a
    table.schema = [bigquery.SchemaField.from_api_repr(f) for f in schema]
    with pytest.raises(BadRequest, match="drops field xs.a"):
        bigquery_client.update_table(table, ["schema"])
    assert [f.name for f in bigquery_client.get_table(f"{p}.{d}.items").schema[1].fields] == ["a", "b"]


# ---------------------------------------------------------------- dbt clone

CLONE = "\n    drop table if exists {t};\n    create or replace\n      table {t}\n      clone {s};\n\n"


def test_dbt_clone_of_a_table_with_backticked_name_parts(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    run(bigquery_client, f"create table `{p}`.`{d}`.`table_model` as select 1 as id, 'a' as name")
    run(bigquery_client, f"create schema `{p}`.`{d}_other`")
    try:
        script = CLONE.format(t=f"`{p}`.`{d}_other`.`table_model`", s=f"`{p}`.`{d}`.`table_model`")
        run(bigquery_client, script)
        run(bigquery_client, script)  # `dbt clone` again replaces it
        clone = bigquery_client.get_table(f"{p}.{d}_other.table_model")
        assert clone.table_type == "TABLE" and clone.num_rows == 1
        rows = run(bigquery_client, f"select id, name from `{p}`.`{d}_other`.`table_model`")
        assert [tuple(r.values()) for r in rows] == [(1, "a")]
    finally:
        bigquery_client.delete_dataset(f"{p}.{d}_other", delete_contents=True, not_found_ok=True)


# ---------------------------------------------------------------- persist_docs on a view


def test_persist_docs_sets_a_views_column_descriptions(bigquery_client, dataset):
    """dbt's persist_docs (columns) patches a view's schema with the descriptions; BigQuery takes
    that for a view as long as the columns stay as the query makes them."""
    p, d = dataset.project, dataset.dataset_id
    run(
        bigquery_client,
        f"create or replace view `{p}`.`{d}`.`view_model`\n  OPTIONS()\n  as select 1 as id, 'a' as name;",
    )
    view = bigquery_client.get_table(f"{p}.{d}.view_model")
    view.schema = [
        bigquery.SchemaField("id", "INTEGER", description="The id"),
        bigquery.SchemaField("name", "STRING", description="A name"),
    ]
    bigquery_client.update_table(view, ["schema"])
    got = bigquery_client.get_table(f"{p}.{d}.view_model")
    assert [(f.name, f.description) for f in got.schema] == [("id", "The id"), ("name", "A name")]
    assert [tuple(r.values()) for r in run(bigquery_client, f"select * from `{p}.{d}.view_model`")] == [(1, "a")]
    got.schema = [bigquery.SchemaField("id", "STRING"), bigquery.SchemaField("name", "STRING")]
    with pytest.raises(BadRequest, match="schema of a view cannot be changed"):
        bigquery_client.update_table(got, ["schema"])
