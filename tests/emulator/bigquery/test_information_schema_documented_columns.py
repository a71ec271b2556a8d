"""INFORMATION_SCHEMA views have the columns of BigQuery's documented schemas that the emulator
can answer; queries written for BigQuery that name them (catalog scripts list columns explicitly,
as Google's pages recommend) failed with "unrecognized name":

- COLUMNS: `is_generated` (NEVER: only automatically generated embedding columns are ALWAYS),
  `generation_expression`, `is_stored` and `is_updatable` (NULL for ordinary columns), and
  `policy_tags` (the column's policy tag names, ARRAY<STRING>);
- COLUMN_FIELD_PATHS: `policy_tags`, per field path;
- TABLES: `managed_table_type` (NATIVE for a table), `is_fine_grained_mutations_enabled` (NO),
  and the replication columns, `sync_status` and `upsert_stream_apply_watermark` (NULL: the
  emulator has no replicas and no change data capture).

- TABLE_STORAGE: `managed_table_type`, `last_metadata_index_refresh_time`,
  `table_deletion_reason` and `table_deletion_time`, and a row with `deleted` TRUE for each table
  dropped within the time travel window (USER_DELETED, TABLE_EXPIRATION or DATASET_DELETION: the
  emulator keeps them now, restorable, test_restore_deleted_tables.py).

And the region- or project-wide views (`region-us.INFORMATION_SCHEMA.SCHEMATA`, `.TABLES`, ...)
no longer list the hidden dataset that holds a session's temporary tables, which `datasets.list`
already left out."""

from __future__ import annotations

import uuid

from google.cloud import bigquery

LISTED = (
    "SELECT column_name, ordinal_position, is_nullable, data_type, is_generated, generation_expression, "
    "is_stored, is_hidden, is_updatable, is_system_defined, is_partitioning_column, "
    "clustering_ordinal_position, policy_tags FROM {ds}.INFORMATION_SCHEMA.COLUMNS WHERE table_name = 't' "
    "ORDER BY ordinal_position"
)
WANT = [
    ("id", 1, "NO", "INT64", "NEVER", None, None, "NO", None, "NO", "NO", None, []),
    ("name", 2, "YES", "STRING", "NEVER", None, None, "NO", None, "NO", "NO", None, []),
]


def test_locally(warehouse):
    ds = f"cols_{uuid.uuid4().hex[:8]}"
    warehouse.query_result(f"CREATE SCHEMA {ds}")
    warehouse.query_result(f"CREATE TABLE {ds}.t (id INT64 NOT NULL, name STRING)")
    rows = warehouse.query_result(LISTED.format(ds=ds)).table.to_pylist()
    assert [tuple(r.values()) for r in rows] == WANT


def test_through_the_client_with_policy_tags(bigquery_client, dataset):
    ds = dataset.dataset_id
    tag = f"projects/{dataset.project}/locations/us/taxonomies/1/policyTags/2"
    schema = [
        bigquery.SchemaField("id", "INT64", mode="REQUIRED"),
        bigquery.SchemaField("name", "STRING", policy_tags=bigquery.PolicyTagList([tag])),
    ]
    bigquery_client.create_table(bigquery.Table(f"{dataset.project}.{ds}.t", schema=schema))
    rows = [tuple(r.values()) for r in bigquery_client.query(LISTED.format(ds=ds)).result()]
    assert rows == [WANT[0], (*WANT[1][:-1], [tag])]


TABLES = (
    "SELECT table_name, table_type, managed_table_type, is_insertable_into, is_fine_grained_mutations_enabled, "
    "replica_source_catalog, replica_source_schema, replica_source_name, replication_status, replication_error, "
    "sync_status, upsert_stream_apply_watermark FROM {ds}.INFORMATION_SCHEMA.TABLES ORDER BY table_name"
)
TABLES_WANT = [
    ("t", "BASE TABLE", "NATIVE", "YES", "NO", None, None, None, None, None, None, None),
    ("v", "VIEW", None, "NO", "NO", None, None, None, None, None, None, None),
]


def test_tables_view_locally(warehouse):
    ds = f"tabs_{uuid.uuid4().hex[:8]}"
    warehouse.query_result(f"CREATE SCHEMA {ds}")
    warehouse.query_result(f"CREATE TABLE {ds}.t (id INT64)")
    warehouse.query_result(f"CREATE VIEW {ds}.v AS SELECT 1 AS x")
    rows = warehouse.query_result(TABLES.format(ds=ds)).table.to_pylist()
    assert [tuple(r.values()) for r in rows] == TABLES_WANT


def test_field_paths_list_policy_tags_through_the_client(bigquery_client, dataset):
    ds = dataset.dataset_id
    tag = f"projects/{dataset.project}/locations/us/taxonomies/1/policyTags/3"
    inner = bigquery.SchemaField("secret", "STRING", policy_tags=bigquery.PolicyTagList([tag]))
    schema = [bigquery.SchemaField("rec", "RECORD", fields=[inner, bigquery.SchemaField("n", "INT64")])]
    bigquery_client.create_table(bigquery.Table(f"{dataset.project}.{ds}.nested", schema=schema))
    sql = (
        f"SELECT field_path, policy_tags FROM {ds}.INFORMATION_SCHEMA.COLUMN_FIELD_PATHS "
        "WHERE table_name = 'nested' ORDER BY field_path"
    )
    rows = [tuple(r.values()) for r in bigquery_client.query(sql).result()]
    assert rows == [("rec", []), ("rec.n", []), ("rec.secret", [tag])]


def test_region_views_leave_out_a_sessions_hidden_dataset(bigquery_client, dataset):
    job = bigquery_client.query(
        "CREATE TEMP TABLE scratch AS SELECT 1 AS x", job_config=bigquery.QueryJobConfig(create_session=True)
    )
    job.result()
    assert job.session_info.session_id
    bigquery_client.query(f"CREATE TABLE {dataset.dataset_id}.kept AS SELECT 1 AS x").result()
    schemata = {
        r.schema_name for r in bigquery_client.query("SELECT schema_name FROM `region-us`.INFORMATION_SCHEMA.SCHEMATA")
    }
    tables = {
        (r.table_schema, r.table_name)
        for r in bigquery_client.query("SELECT table_schema, table_name FROM `region-us`.INFORMATION_SCHEMA.TABLES")
    }
    assert dataset.dataset_id in schemata and (dataset.dataset_id, "kept") in tables
    assert not any(s.startswith("_session_") for s in schemata)
    assert not any(t == "scratch" for _, t in tables)


def test_table_storage_lists_deleted_tables_with_their_reason(bigquery_client, unique):
    name = f"storage_{unique}"
    bigquery_client.create_dataset(name)
    other = f"storage_gone_{unique}"
    bigquery_client.create_dataset(other)
    try:
        bigquery_client.query(f"CREATE TABLE {name}.live AS SELECT 1 AS x").result()
        bigquery_client.query(f"CREATE TABLE {name}.dropped AS SELECT 1 AS x").result()
        bigquery_client.query(f"DROP TABLE {name}.dropped").result()
        bigquery_client.query(f"CREATE TABLE {other}.inside AS SELECT 1 AS x").result()
        bigquery_client.delete_dataset(other, delete_contents=True)
        sql = (
            "SELECT table_schema, table_name, deleted, table_deletion_reason, table_deletion_time IS NOT NULL, "
            "managed_table_type, last_metadata_index_refresh_time FROM `region-us`.INFORMATION_SCHEMA.TABLE_STORAGE "
            f"WHERE table_schema IN ('{name}', '{other}') ORDER BY table_schema, table_name"
        )
        rows = [tuple(r.values()) for r in bigquery_client.query(sql).result()]
        assert rows == [
            (name, "dropped", True, "USER_DELETED", True, "NATIVE", None),
            (name, "live", False, None, False, "NATIVE", None),
            (other, "inside", True, "DATASET_DELETION", True, "NATIVE", None),
        ]
    finally:
        bigquery_client.delete_dataset(name, delete_contents=True, not_found_ok=True)
