"""A query of several plain statements is a script, as on BigQuery: the parent job's
statementType is SCRIPT with `numChildJobs`, and `jobs.list(parentJobId=...)` lists one child job
per statement, with its own text, statement type and rows (procedural scripts did this; plain
`SELECT 1; SELECT 2` listed no child jobs). A failing statement fails the parent and shows as a
failed child after the ones that ran."""

from __future__ import annotations

import pytest
from google.api_core import exceptions


def _children(client, parent):
    return sorted(client.list_jobs(parent_job=parent), key=lambda j: j.job_id)


def test_each_statement_of_a_plain_script_is_a_child_job(bigquery_client, dataset):
    table = f"`{dataset.project}.{dataset.dataset_id}.t`"
    sql = f"CREATE TABLE {table} (a INT64);\nINSERT {table} VALUES (1), (2);\nSELECT SUM(a) AS total FROM {table}"
    parent = bigquery_client.query(sql)
    assert [r.total for r in parent.result()] == [3]
    parent.reload()
    assert parent.statement_type == "SCRIPT"
    assert parent.num_child_jobs == 3
    children = _children(bigquery_client, parent)
    assert [c.query for c in children] == [
        f"CREATE TABLE {table} (a INT64)",
        f"INSERT {table} VALUES (1), (2)",
        f"SELECT SUM(a) AS total FROM {table}",
    ]
    assert [c.statement_type for c in children] == ["CREATE_TABLE", "INSERT", "SELECT"]
    assert [c.parent_job_id for c in children] == [parent.job_id] * 3
    assert [r.total for r in children[2].result()] == [3]


def test_a_failing_statement_fails_the_script_after_the_children_that_ran(bigquery_client):
    parent = bigquery_client.query("SELECT 1 AS a; SELECT 1 / 0 AS b; SELECT 3 AS c")
    with pytest.raises(exceptions.BadRequest, match="division by zero"):
        parent.result()
    children = _children(bigquery_client, parent)
    assert [c.query for c in children] == ["SELECT 1 AS a", "SELECT 1 / 0 AS b"]
    assert children[0].error_result is None
    assert "division by zero" in children[1].error_result["message"]


def test_a_single_statement_has_no_child_jobs(bigquery_client):
    job = bigquery_client.query("SELECT 1 AS a;")
    job.result()
    assert job.statement_type == "SELECT"
    assert job.num_child_jobs in (None, 0)
    assert list(bigquery_client.list_jobs(parent_job=job)) == []
