"""Type-dependent GoogleSQL rewrites: column types are asked for only when needed, and a rewrite
chosen from an inferred type is checked by DuckDB (a wrong inference is an error, not an answer)."""

from __future__ import annotations

import duckdb
import pytest

from llmops.emulator.bigquery.googlesql import translate

TABLE = ("llmops-local", "ds", "t")


def _never(tables):
    raise AssertionError(f"column types asked for {tables}")


def test_no_lookup_without_a_type_dependent_call():
    script = translate("SELECT a + 1, a - 1, INITCAP(s) FROM ds.t WHERE s = 'x'", column_types=_never)
    assert not script.wants_types


def test_a_sum_of_columns_asks_for_their_types_in_one_statement_only():
    # `d + n` may add an INT64 to a DATE, which DuckDB does only with its 32-bit INTEGER
    asked = []
    translate("SELECT a + b FROM ds.t", column_types=lambda tables: asked.append(tables) or ())
    assert asked == [(TABLE,)]
    script = translate("SELECT 1; SELECT a + b FROM ds.t", column_types=_never)  # a script: no second pass
    assert not script.wants_types


def test_lookup_names_the_tables_and_unknown_types_keep_the_refusal():
    asked = []
    script = translate("SELECT d1 - d2 FROM ds.t", column_types=lambda tables: asked.append(tables) or ())
    assert asked == [(TABLE,)]
    assert "DATE_DIFF" in script.sql  # no schema found: the named refusal stays


def test_a_wrong_inference_is_an_error_not_an_answer():
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "llmops-local.ds"')
    con.execute("""CREATE TABLE "llmops-local.ds".t AS SELECT DATE '2021-05-20' AS d""")
    lying = ((*TABLE, (("d", "TIMESTAMP"),)),)
    sql = translate("SELECT DATE_TRUNC(d, MONTH) FROM ds.t", column_types=lambda tables: lying).sql
    with pytest.raises(duckdb.Error, match="inferred a wrong argument type"):
        con.execute(sql).fetchall()


def test_dry_run_schema_uses_the_column_types():
    from llmops.emulator.bigquery.engine import BigQueryEngine

    engine = BigQueryEngine(None, keep_open=True)
    try:
        engine.query("CREATE SCHEMA ds")
        engine.query("CREATE TABLE ds.t AS SELECT TIMESTAMP '2008-12-25 15:30:00+00' AS ts, DATE '2021-01-01' AS d")
        schema = engine.dry_run("SELECT DATE_TRUNC(ts, MONTH) AS m, d - d AS i FROM ds.t").schema
    finally:
        engine.close()
    assert [f["type"] for f in schema] == ["TIMESTAMP", "INTERVAL"]


def test_cast_to_string_of_a_column_of_known_plain_type_is_duckdbs_cast():
    """CAST(col AS STRING) of an INT64/STRING/DATE/... column needs no per-type CASE (kilobytes of
    SQL that every later rewrite walks); a FLOAT64 column keeps BigQuery's number text; a lying
    schema is an error, not DuckDB's text."""
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "llmops-local.ds"')
    con.execute("""CREATE TABLE "llmops-local.ds".t AS SELECT 7::BIGINT AS n, 2.0::DOUBLE AS f""")
    types = ((*TABLE, (("n", "INT64"), ("f", "FLOAT64"))),)
    plain = translate("SELECT CAST(n AS STRING) FROM ds.t", column_types=lambda tables: types).sql
    assert "PRINTF" not in plain.upper() and len(plain) < 400, plain
    assert con.execute(plain).fetchall() == [("7",)]
    number = translate("SELECT CAST(f AS STRING) FROM ds.t", column_types=lambda tables: types).sql
    assert "PRINTF" in number.upper()
    assert con.execute(number).fetchall() == [("2",)]  # BigQuery's text; DuckDB's own is 2.0
    lying = ((*TABLE, (("f", "INT64"),)),)
    wrong = translate("SELECT CAST(f AS STRING) FROM ds.t", column_types=lambda tables: lying).sql
    with pytest.raises(duckdb.Error, match="inferred a wrong argument type"):
        con.execute(wrong).fetchall()
