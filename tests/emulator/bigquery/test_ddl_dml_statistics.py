"""BigQuery's job statistics for DDL and DML statements, as google-cloud-bigquery reads them."""

from __future__ import annotations


def test_ddl_and_dml_jobs_report_type_operation_target_and_rows(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.stats"
    created = bigquery_client.query(f"CREATE TABLE `{table}` (id INT64, v STRING)")
    created.result()
    assert created.statement_type == "CREATE_TABLE"
    assert created.ddl_operation_performed == "CREATE"
    target = created.ddl_target_table
    assert (target.project, target.dataset_id, target.table_id) == (dataset.project, dataset.dataset_id, "stats")

    inserted = bigquery_client.query(f"INSERT INTO `{table}` VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    inserted.result()
    assert (inserted.statement_type, inserted.num_dml_affected_rows) == ("INSERT", 3)
    assert inserted.ddl_operation_performed is None

    updated = bigquery_client.query(f"UPDATE `{table}` SET v = 'z' WHERE id > 1")
    updated.result()
    assert (updated.statement_type, updated.num_dml_affected_rows) == ("UPDATE", 2)
    assert updated._job_statistics()["dmlStats"] == {"updatedRowCount": "2"}

    dropped = bigquery_client.query(f"DROP TABLE `{table}`")
    dropped.result()
    assert (dropped.statement_type, dropped.ddl_operation_performed) == ("DROP_TABLE", "DROP")
    assert dropped.ddl_target_table.table_id == "stats"

    selected = bigquery_client.query("SELECT 1")
    selected.result()
    assert selected.statement_type == "SELECT" and selected.ddl_target_table is None
