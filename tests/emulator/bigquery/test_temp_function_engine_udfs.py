"""A temporary function whose body the translator writes with one of the engine's Python UDFs
(UPPER/LOWER of non-ASCII text, INITCAP's delimiters, ...) works when the script's queries call
nothing else that needs those UDFs: the UDFs the body calls are registered with the script's.
`CREATE TEMP FUNCTION f(s STRING) AS (LOWER(s)); SELECT f('ABC')` failed with "function
__BQ_LOWER is not supported by the local warehouse" (BigQuery: `abc`)."""

from __future__ import annotations

SCRIPT = (
    "CREATE TEMP FUNCTION f(s STRING) AS (LOWER(s) || '|' || INITCAP(s) || '|' || UPPER('straße')); "
    "SELECT f('ÄB CD') AS x"
)
WANT = "äb cd|Äb Cd|STRASSE"


def test_a_temp_functions_engine_udfs_locally(warehouse):
    assert warehouse.query_result(SCRIPT).table.to_pylist() == [{"x": WANT}]


def test_a_temp_functions_engine_udfs_through_the_client(bigquery_client):
    assert [dict(r) for r in bigquery_client.query_and_wait(SCRIPT)] == [{"x": WANT}]
