"""Views and persistent functions whose bodies call GoogleSQL functions the engine implements as
UDFs (SHA512, NET.HOST, FORMAT's %T, ST_GEOGPOINT, a JavaScript function...).

What was wrong: a view keeps its translated SQL, which calls the engine's UDFs by their own
names; the engine registered a UDF only when the query's own text called it. So reading such a
view failed with "function __BQ_SHA512 is not supported by the local warehouse" on `llmops sql`'s
path (a new connection per query) at once, and through the emulator after every restart. A
persistent SQL function calling SHA512 could not even be created, and a table function doing so
was refused as if it called ML.
"""

from __future__ import annotations

import hashlib

import pytest
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

from llmops.emulator.bigquery.engine import BigQueryEngine
from llmops.testing import start_emulator

SHA512_A = hashlib.sha512(b"a").hexdigest()
SHA512_1 = hashlib.sha512(b"1").hexdigest()

DEFINITIONS = [
    "CREATE VIEW ds.hashes AS SELECT TO_HEX(SHA512('a')) AS h, NET.HOST('http://a.b/c') AS host, "
    "FORMAT('%T', 'x') AS t, ST_ASTEXT(ST_GEOGPOINT(1, 2)) AS g",
    "CREATE VIEW ds.over_view AS SELECT h, host FROM ds.hashes",
    "CREATE FUNCTION ds.hex512(x STRING) AS (TO_HEX(SHA512(x)))",
    "CREATE VIEW ds.calls_function AS SELECT ds.hex512('a') AS h",
    "CREATE TABLE FUNCTION ds.hashed(n INT64) AS (SELECT TO_HEX(SHA512(CAST(n AS STRING))) AS h)",
    "CREATE VIEW ds.reads_table_function AS SELECT h FROM ds.hashed(1)",
]

READS = [
    ("SELECT * FROM ds.hashes", [{"h": SHA512_A, "host": "a.b", "t": '"x"', "g": "POINT(1 2)"}]),
    ("SELECT * FROM ds.over_view", [{"h": SHA512_A, "host": "a.b"}]),
    ("SELECT ds.hex512('a') AS h", [{"h": SHA512_A}]),
    ("SELECT * FROM ds.calls_function", [{"h": SHA512_A}]),
    ("SELECT * FROM ds.hashed(1)", [{"h": SHA512_1}]),
    ("SELECT * FROM ds.reads_table_function", [{"h": SHA512_1}]),
]


@pytest.fixture(scope="module")
def warehouse_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("views-udfs") / "warehouse.duckdb"
    engine = BigQueryEngine(path, default_project="p")
    engine.create_dataset("p", "ds")
    for sql in DEFINITIONS:
        engine.query(sql, default_dataset="ds")
    return path


@pytest.mark.parametrize(("sql", "rows"), READS, ids=[r[0] for r in READS])
def test_read_from_a_new_engine(warehouse_file, sql, rows):
    engine = BigQueryEngine(warehouse_file, default_project="p")
    assert engine.query(sql, default_dataset="ds").table.to_pylist() == rows


def test_read_through_the_client_after_an_emulator_restart(tmp_path):
    def client(running):
        return bigquery.Client(
            project="p",
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=running.endpoint),
            location="US",
        )

    first = start_emulator(tmp_path)
    try:
        bq = client(first)
        bq.create_dataset("ds")
        for sql in DEFINITIONS:
            bq.query_and_wait(sql, job_config=bigquery.QueryJobConfig(default_dataset="p.ds"))
    finally:
        first.server.stop()
    second = start_emulator(tmp_path)
    try:
        bq = client(second)
        config = bigquery.QueryJobConfig(default_dataset="p.ds")
        for sql, rows in READS:
            assert [dict(r) for r in bq.query_and_wait(sql, job_config=config)] == rows, sql
    finally:
        second.server.stop()


def test_a_javascript_function_called_by_a_view(tmp_path):
    pytest.importorskip("py_mini_racer")
    path = tmp_path / "warehouse.duckdb"
    engine = BigQueryEngine(path, default_project="p")
    engine.create_dataset("p", "ds")
    engine.query("CREATE FUNCTION ds.shout(x STRING) RETURNS STRING LANGUAGE js AS 'return x + \"!\";'")
    engine.query("CREATE VIEW ds.shouted AS SELECT ds.shout('a') AS s", default_dataset="ds")
    fresh = BigQueryEngine(path, default_project="p")
    assert fresh.query("SELECT * FROM ds.shouted").table.to_pylist() == [{"s": "a!"}]


def test_a_table_function_calling_ml_is_still_refused(warehouse_file):
    engine = BigQueryEngine(warehouse_file, default_project="p")
    with pytest.raises(Exception, match="may not call ML"):
        engine.query(
            "CREATE TABLE FUNCTION ds.embedded() AS "
            "(SELECT * FROM ML.GENERATE_EMBEDDING(MODEL ds.m, (SELECT 'a' AS content)))"
        )
