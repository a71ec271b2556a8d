"""SQL in the shape dbt-bigquery's macros write it (table and view materializations with empty
OPTIONS(), incremental MERGE, tests, `_dbt_max_partition` scripts, persist_docs ALTERs with
separately backticked names, model contracts with NOT ENFORCED keys), through the BigQuery client.
`ALTER TABLE `p`.`d`.`t` ALTER COLUMN ... SET OPTIONS` was refused ("the ALTER statement") before:
the name had its parts backticked one by one."""

from __future__ import annotations


def run(client, sql: str) -> list[dict]:
    return [dict(r) for r in client.query(sql).result()]


def test_a_dbt_model_lifecycle(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    t = f"`{p}`.`{d}`.`orders`"
    run(
        bigquery_client,
        f"create or replace table {t}\n    partition by timestamp_trunc(ts, day)\n    cluster by id\n    OPTIONS()\n"
        "    as (\n      select 1 as id, timestamp '2024-01-01' as ts, 'a' as v\n    );",
    )
    run(bigquery_client, f"create or replace view `{p}`.`{d}`.`orders_v`\n  OPTIONS()\n  as select * from {t};")
    tests = run(
        bigquery_client,
        "select count(*) as failures, count(*) != 0 as should_warn, count(*) != 0 as should_error "
        f"from (select id from {t} where id is null) dbt_internal_test",
    )
    assert tests == [{"failures": 0, "should_warn": False, "should_error": False}]
    latest = run(
        bigquery_client,
        f"declare _dbt_max_partition timestamp default (select max(ts) from {t} where ts is not null); "
        "select _dbt_max_partition as m",
    )
    assert str(latest[0]["m"]) == "2024-01-01 00:00:00+00:00"
    run(
        bigquery_client,
        f"merge into {t} as DBT_INTERNAL_DEST using (select 2 as id, timestamp '2024-01-02' as ts, 'b' as v) "
        "as DBT_INTERNAL_SOURCE on (DBT_INTERNAL_SOURCE.id = DBT_INTERNAL_DEST.id) when matched then update set "
        "`id` = DBT_INTERNAL_SOURCE.`id`,`ts` = DBT_INTERNAL_SOURCE.`ts`,`v` = DBT_INTERNAL_SOURCE.`v` "
        "when not matched then insert (`id`, `ts`, `v`) values (`id`, `ts`, `v`)",
    )
    run(bigquery_client, f'alter table {t} set OPTIONS(description="""The model""", labels=[(\'dbt\', \'yes\')])')
    run(bigquery_client, f'alter table {t} alter column `id` set options (description="""the id""")')
    table = bigquery_client.get_table(f"{p}.{d}.orders")
    assert table.description == "The model" and table.labels == {"dbt": "yes"}
    assert [f.description for f in table.schema] == ["the id", None, None]
    assert table.num_rows == 2 and table.clustering_fields == ["id"]
    assert bigquery_client.get_table(f"{p}.{d}.orders_v").view_query == f"select * from {t}"


def test_a_dbt_contract_with_keys(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    run(
        bigquery_client,
        f"create or replace table `{p}`.`{d}`.`c` (id INT64 NOT NULL, v STRING, primary key (id) not enforced); "
        f"insert into `{p}`.`{d}`.`c` (id, v) select 1, 'x'",
    )
    table = bigquery_client.get_table(f"{p}.{d}.c")
    assert table.table_constraints.primary_key.columns == ["id"] and table.num_rows == 1
