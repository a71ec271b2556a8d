"""INFORMATION_SCHEMA.COLUMNS has every column of BigQuery's documented schema that the emulator
can answer: `is_generated` (NEVER: only automatically generated embedding columns are ALWAYS),
`generation_expression`, `is_stored` and `is_updatable` (NULL for ordinary columns), and
`policy_tags` (the column's policy tag names, ARRAY<STRING>). Queries written for BigQuery that
name them (catalog scripts list them explicitly, as Google's page recommends) failed with
"unrecognized name"."""

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
