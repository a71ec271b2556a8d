"""Requests that arrive together: changes to one table or dataset take turns (DuckDB failed the
later of two conflicting ones, some as 500s), reads do not wait for them, and the first queries
of a project all find its hidden dataset of query results.

Found by the small-query benchmark (8 clients): one got a 500 (DuckDB's "Schema ... already
exists"): two requests both found the hidden dataset missing and both created it."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from llmops.emulator.bigquery.engine import BigQueryEngine

THREADS = 8


def _together(fn, n: int = THREADS) -> list:
    """fn(i) from n threads released at the same moment; each one's result or exception."""
    barrier = threading.Barrier(n)

    def call(i):
        barrier.wait()
        try:
            return fn(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(call, range(n)))


def test_create_dataset_exists_ok_from_many_threads(tmp_path):
    engine = BigQueryEngine(tmp_path / "bq.duckdb")
    try:
        for _ in range(10):
            name = f"ds_{uuid.uuid4().hex[:8]}"
            got = _together(lambda i, n=name: engine.create_dataset("p", n, exists_ok=True))
            assert [g for g in got if isinstance(g, Exception)] == []
            assert {g["dataset"] for g in got} == {name}
    finally:
        engine.close()


def test_first_queries_of_a_project_at_once(bigquery_client):
    for _ in range(5):
        client = _project_client(bigquery_client, f"p-{uuid.uuid4().hex[:8]}")
        got = _together(lambda i, c=client: [tuple(r.values()) for r in c.query_and_wait(f"SELECT {i} + 1 AS y")])
        assert got == [[(i + 1,)] for i in range(THREADS)]


def _project_client(bigquery_client, project: str):
    from google.cloud import bigquery

    return bigquery.Client(
        project=project,
        credentials=bigquery_client._credentials,
        client_options={"api_endpoint": bigquery_client._connection.API_BASE_URL},
        location="US",
    )


def _no_errors(got: list) -> None:
    assert [g for g in got if isinstance(g, Exception)] == []


def test_concurrent_changes_to_one_table_take_turns(bigquery_client, dataset):
    """DuckDB failed the later of two conflicting changes ("Conflict on update!", "Catalog
    write-write conflict", a 500 for a REST call); BigQuery queues them."""
    from google.cloud import bigquery

    client, dataset = bigquery_client, dataset.dataset_id
    client.query_and_wait(f"CREATE TABLE {dataset}.t AS SELECT x FROM UNNEST(GENERATE_ARRAY(1, 10)) AS x")
    _no_errors(_together(lambda i: client.query_and_wait(f"CREATE TABLE IF NOT EXISTS {dataset}.once (x INT64)")))
    _no_errors(_together(lambda i: client.query_and_wait(f"CREATE OR REPLACE TABLE {dataset}.r AS SELECT {i} AS x")))
    _no_errors(_together(lambda i: client.query_and_wait(f"UPDATE {dataset}.t SET x = x + 1 WHERE TRUE")))
    assert [tuple(r.values()) for r in client.query_and_wait(f"SELECT MIN(x), MAX(x) FROM {dataset}.t")] == [
        (1 + THREADS, 10 + THREADS)
    ]
    _no_errors(_together(lambda i: client.query_and_wait(f"CREATE OR REPLACE VIEW {dataset}.v AS SELECT {i} AS x")))
    _no_errors(
        _together(lambda i: client.query_and_wait(f"CREATE OR REPLACE FUNCTION {dataset}.f(x INT64) AS (x + {i})"))
    )
    schema = [bigquery.SchemaField("x", "INT64")]
    _no_errors(
        _together(
            lambda i: client.create_table(bigquery.Table(f"{client.project}.{dataset}.c", schema), exists_ok=True)
        )
    )
    _no_errors(
        _together(
            lambda i: client.copy_table(
                f"{dataset}.t", f"{dataset}.cp", job_config=bigquery.CopyJobConfig(write_disposition="WRITE_TRUNCATE")
            ).result()
        )
    )
    _no_errors(_together(lambda i: client.delete_table(f"{dataset}.c", not_found_ok=True)))
    _no_errors(_together(lambda i: client.query_and_wait(f"DROP TABLE IF EXISTS {dataset}.cp")))


def test_concurrent_dataset_calls(bigquery_client, unique):
    names = [f"cds_{unique}_{i}" for i in range(THREADS)]
    _no_errors(_together(lambda i: bigquery_client.create_dataset(names[0], exists_ok=True)))
    _no_errors(_together(lambda i: bigquery_client.query_and_wait(f"CREATE SCHEMA IF NOT EXISTS {names[1]}")))
    for name in names[:2]:
        _no_errors(
            _together(lambda i, n=name: bigquery_client.delete_dataset(n, delete_contents=True, not_found_ok=True))
        )


def test_a_read_does_not_wait_for_a_change(tmp_path):
    """Catalog reads (get_table, list_tables...) go on while another thread's change holds its turn."""
    engine = BigQueryEngine(tmp_path / "bq.duckdb")
    try:
        engine.create_dataset("p", "d")
        engine.query("CREATE TABLE `p.d.t` AS SELECT 1 AS x")
        done = threading.Event()
        with engine.changing():
            reader = threading.Thread(
                target=lambda: (engine.get_table("p", "d", "t"), engine.list_tables("p", "d"), done.set())
            )
            reader.start()
            reader.join(timeout=60)
            assert done.is_set()
    finally:
        engine.close()


def test_close_while_a_query_runs(tmp_path):
    """The emulator's shutdown closes the engine while a job may still run on one of its cursors:
    DuckDB refused ("connection is busy with another call") and the process aborted on exit
    (SIGABRT after SIGTERM). The query is interrupted and the database closed."""
    engine = BigQueryEngine(tmp_path / "bq.duckdb", keep_open=True)
    started, outcome = threading.Event(), []

    def slow():
        started.set()
        try:
            engine.query(
                "SELECT COUNT(*) FROM UNNEST(GENERATE_ARRAY(1, 30000)) AS a, UNNEST(GENERATE_ARRAY(1, 30000)) AS b "
                "WHERE MOD(a * b, 7) = 3"
            )
            outcome.append("finished")
        except Exception as exc:  # the interruption, in the query's thread
            outcome.append(type(exc).__name__)

    worker = threading.Thread(target=slow)
    worker.start()
    started.wait()
    import time

    time.sleep(0.3)  # let it reach DuckDB
    engine.close()
    worker.join(timeout=60)
    assert not worker.is_alive() and outcome
    assert engine._db is None


def test_the_size_of_a_table_dropped_while_it_is_measured_is_0():
    """tables.delete measures a table it found; a second delete at the same moment could drop it
    between the size's two reads, and DuckDB's CatalogException was a 500 (seen once in a full
    run). A missing table's size is 0, so the delete goes on to its own 404."""
    import duckdb

    from llmops.emulator.bigquery import dryrun

    con = duckdb.connect()
    con.execute('CREATE SCHEMA "p.d"; CREATE TABLE "p.d".t AS SELECT 1 AS x')

    class DropsAfterItsFirstRead:
        first = True

        def execute(self, sql, params=None):
            rows = (con.execute(sql, params) if params else con.execute(sql)).fetchall()
            if self.first:
                self.first = False
                con.execute('DROP TABLE "p.d".t')  # the other request's delete
            return type("Result", (), {"fetchall": lambda _self: rows})()

    assert dryrun.table_bytes(con, "p", "d", "t") == 8
    assert dryrun.table_bytes(DropsAfterItsFirstRead(), "p", "d", "t") == 0
