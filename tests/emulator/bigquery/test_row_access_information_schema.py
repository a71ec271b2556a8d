"""Through google-cloud-bigquery: INFORMATION_SCHEMA.ROW_ACCESS_POLICIES lists a dataset's policies."""

from __future__ import annotations

import datetime as dt


def test_row_access_policies_view_lists_each_policy_of_the_dataset(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    for sql in (
        f"CREATE TABLE `{ds}.sales` (region STRING, n INT64)",
        f"CREATE TABLE `{ds}.other` (x INT64)",
        f"CREATE ROW ACCESS POLICY eu ON `{ds}.sales` GRANT TO ('allUsers') FILTER USING (region = 'EU')",
        f"CREATE ROW ACCESS POLICY big ON `{ds}.sales` FILTER USING (n > 10)",
    ):
        bigquery_client.query(sql).result()
    rows = list(
        bigquery_client.query(
            f"SELECT * FROM `{ds}`.INFORMATION_SCHEMA.ROW_ACCESS_POLICIES ORDER BY row_access_policy_name"
        ).result()
    )
    assert [r.row_access_policy_name for r in rows] == ["big", "eu"]
    assert {(r.table_catalog, r.table_schema, r.table_name) for r in rows} == {
        (dataset.project, dataset.dataset_id, "sales")
    }
    assert "region = 'EU'" in rows[1].filter_predicate
    assert isinstance(rows[0].creation_time, dt.datetime) and rows[0].last_modified_time >= rows[0].creation_time

    bigquery_client.query(f"DROP ALL ROW ACCESS POLICIES ON `{ds}.sales`").result()
    left = bigquery_client.query(f"SELECT count(*) AS n FROM `{ds}.INFORMATION_SCHEMA.ROW_ACCESS_POLICIES`").result()
    assert [r.n for r in left] == [0]
