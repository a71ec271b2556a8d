"""BigQuery sessions through the client: `QueryJobConfig(create_session=True)`, then the
`session_id` connection property. Before, both answered 501 "Sessions ... are not supported".

What a session keeps between its queries, as Google documents: temporary tables (bare or
`_SESSION.t`), temporary functions, variables, a transaction, `@@dataset_id`; `@@session_id`;
`CALL BQ.ABORT_SESSION()` ends it."""

from __future__ import annotations

import threading

import pytest
from google.api_core import exceptions
from google.cloud import bigquery


def start(client, sql: str) -> tuple[str, bigquery.QueryJob]:
    job = client.query(sql, job_config=bigquery.QueryJobConfig(create_session=True))
    job.result()
    return job.session_info.session_id, job


def in_session(session_id: str, **kwargs) -> bigquery.QueryJobConfig:
    return bigquery.QueryJobConfig(
        connection_properties=[bigquery.ConnectionProperty("session_id", session_id)], **kwargs
    )


def rows(client, sql: str, config: bigquery.QueryJobConfig | None = None) -> list[tuple]:
    return [tuple(r) for r in client.query_and_wait(sql, job_config=config)]


def test_temporary_tables_functions_and_variables_carry_over(bigquery_client):
    sid, first = start(
        bigquery_client,
        "DECLARE bonus INT64 DEFAULT 5; CREATE TEMP TABLE scores AS SELECT 1 AS x UNION ALL SELECT 2",
    )
    assert sid and first.statement_type == "SCRIPT"
    cfg = in_session(sid)
    job = bigquery_client.query("SELECT SUM(x) + bonus AS s FROM _SESSION.scores", job_config=cfg)
    assert [tuple(r) for r in job.result()] == [(8,)]
    assert job.statement_type == "SELECT"  # one statement: not a script
    assert job.session_info.session_id == sid
    assert rows(bigquery_client, "SELECT COUNT(*) FROM scores", cfg) == [(2,)]
    rows(bigquery_client, "CREATE TEMP FUNCTION twice(v INT64) AS (v * 2)", cfg)
    rows(bigquery_client, "SET bonus = bonus + 1", cfg)
    assert rows(
        bigquery_client,
        "SELECT twice(MAX(x)), bonus, @@session_id = @sid FROM scores",
        in_session(sid, query_parameters=[bigquery.ScalarQueryParameter("sid", "STRING", sid)]),
    ) == [(4, 6, True)]


def test_a_session_is_private(bigquery_client):
    one, _ = start(bigquery_client, "CREATE TEMP TABLE t AS SELECT 'one' AS who")
    two, _ = start(bigquery_client, "CREATE TEMP TABLE t AS SELECT 'two' AS who")
    assert one != two
    assert rows(bigquery_client, "SELECT who FROM t", in_session(one)) == [("one",)]
    assert rows(bigquery_client, "SELECT who FROM t", in_session(two)) == [("two",)]
    with pytest.raises(exceptions.BadRequest, match="must be qualified with a dataset"):
        rows(bigquery_client, "SELECT who FROM t")  # outside any session


def test_a_transaction_spans_queries(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.ledger"
    rows(bigquery_client, f"CREATE TABLE `{table}` (n INT64)")
    sid, _ = start(bigquery_client, f"BEGIN TRANSACTION; INSERT INTO `{table}` VALUES (1)")
    cfg = in_session(sid)
    assert rows(bigquery_client, f"SELECT COUNT(*) FROM `{table}`", cfg) == [(1,)]  # its own change
    assert rows(bigquery_client, f"SELECT COUNT(*) FROM `{table}`") == [(0,)]  # not committed yet
    rows(bigquery_client, "ROLLBACK TRANSACTION", cfg)
    rows(bigquery_client, f"BEGIN TRANSACTION; INSERT INTO `{table}` VALUES (2)", cfg)
    rows(bigquery_client, "COMMIT TRANSACTION", cfg)
    assert rows(bigquery_client, f"SELECT n FROM `{table}`") == [(2,)]
    with pytest.raises(exceptions.BadRequest, match="no active transaction"):
        rows(bigquery_client, "COMMIT TRANSACTION", cfg)


def test_an_error_in_a_transaction_rolls_it_back(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.audit"
    rows(bigquery_client, f"CREATE TABLE `{table}` (n INT64)")
    sid, _ = start(bigquery_client, f"BEGIN TRANSACTION; INSERT INTO `{table}` VALUES (1)")
    cfg = in_session(sid)
    with pytest.raises(exceptions.BadRequest, match="division by zero"):
        rows(bigquery_client, f"INSERT INTO `{table}` SELECT 1 / 0", cfg)
    assert rows(bigquery_client, f"SELECT COUNT(*) FROM `{table}`", cfg) == [(0,)]
    rows(bigquery_client, "BEGIN TRANSACTION", cfg)  # none is open any more
    rows(bigquery_client, "ROLLBACK TRANSACTION", cfg)


def test_default_dataset_set_in_the_session(bigquery_client, dataset):
    rows(bigquery_client, f"CREATE TABLE `{dataset.project}.{dataset.dataset_id}.things` AS SELECT 7 AS v")
    sid, _ = start(bigquery_client, f"SET @@dataset_id = '{dataset.dataset_id}'")
    cfg = in_session(sid)
    assert rows(bigquery_client, "SELECT v, @@dataset_id FROM things", cfg) == [(7, dataset.dataset_id)]


def test_dry_run_in_a_session_knows_its_temporary_tables(bigquery_client):
    sid, _ = start(bigquery_client, "CREATE TEMP TABLE t AS SELECT 1 AS x")
    job = bigquery_client.query("SELECT x FROM t", job_config=in_session(sid, dry_run=True))
    assert [f.name for f in job.schema] == ["x"]


def test_abort_session_ends_it(bigquery_client):
    sid, _ = start(bigquery_client, "CREATE TEMP TABLE t AS SELECT 1 AS x")
    cfg = in_session(sid)
    rows(bigquery_client, "CALL BQ.ABORT_SESSION()", cfg)
    with pytest.raises(exceptions.BadRequest, match=f"Session {sid} was not found"):
        rows(bigquery_client, "SELECT 1", cfg)
    other, _ = start(bigquery_client, "SELECT 1")
    rows(bigquery_client, f"CALL BQ.ABORT_SESSION('{other}')")  # by id, from outside it
    with pytest.raises(exceptions.BadRequest, match="was not found"):
        rows(bigquery_client, "SELECT 1", in_session(other))


def test_queries_of_one_session_run_one_at_a_time(bigquery_client):
    sid, _ = start(bigquery_client, "DECLARE n INT64 DEFAULT 0")
    cfg = in_session(sid)
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(5):
                rows(bigquery_client, "SET n = n + 1", cfg)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert rows(bigquery_client, "SELECT n", cfg) == [(20,)]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (lambda: in_session("no-such-session"), "Session no-such-session was not found"),
        (
            lambda: bigquery.QueryJobConfig(
                create_session=True, connection_properties=[bigquery.ConnectionProperty("session_id", "x")]
            ),
            "createSession cannot be combined",
        ),
    ],
)
def test_bad_session_requests_are_400(bigquery_client, config, message):
    with pytest.raises(exceptions.BadRequest, match=message):
        bigquery_client.query("SELECT 1", job_config=config()).result()


def test_session_variables_outside_a_session_are_named_errors(bigquery_client):
    with pytest.raises(exceptions.BadRequest, match="Setting @@dataset_id is not supported"):
        rows(bigquery_client, "SET @@dataset_id = 'd'")
    with pytest.raises(exceptions.BadRequest, match="must run in a session"):
        rows(bigquery_client, "CALL BQ.ABORT_SESSION()")
    with pytest.raises(exceptions.NotFound, match="_SESSION.t"):
        rows(bigquery_client, "SELECT * FROM _SESSION.t")
    assert rows(bigquery_client, "SELECT @@session_id") == [(None,)]
