"""Through google-cloud-bigquery: what googleapis/python-bigquery's own system tests exercised and
the emulator got wrong (see "Other emulators' client suites" in docs/emulator.md), as BigQuery
documents it:

- the child jobs of a script that run inside its BEGIN TRANSACTION ... COMMIT had no
  `statistics.transactionInfo` (BigQuery: "Information of the multi-statement transaction if this
  job is part of one", the same `transactionId` for every statement of one transaction).
"""

from __future__ import annotations


def test_child_jobs_inside_a_transaction_carry_its_transaction_info(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.ledger"
    bigquery_client.query(f"CREATE TABLE `{table}` (foo STRING, bar INT64)").result()
    script = (
        f"SELECT 0 AS before_tx; BEGIN TRANSACTION; "
        f"INSERT INTO `{table}` VALUES ('one', 1), ('two', 2), ('three', 3); "
        f"UPDATE `{table}` SET bar = bar + 1 WHERE bar > 1; COMMIT TRANSACTION; "
        f"BEGIN TRANSACTION; DELETE FROM `{table}` WHERE bar = 1; COMMIT TRANSACTION; SELECT 1 AS after_tx"
    )
    job = bigquery_client.query(script)
    job.result()
    assert job.transaction_info is None  # a script's parent job is not part of its transactions
    children = {c.query: c for c in bigquery_client.list_jobs(parent_job=job)}
    first = {children[q].transaction_info.transaction_id for q in children if q.startswith(("INSERT", "UPDATE"))}
    second = children[f"DELETE FROM `{table}` WHERE bar = 1"].transaction_info.transaction_id
    assert len(first) == 1 and "" not in first and second and second not in first
    assert children["SELECT 0 AS before_tx"].transaction_info is None
    assert children["SELECT 1 AS after_tx"].transaction_info is None
