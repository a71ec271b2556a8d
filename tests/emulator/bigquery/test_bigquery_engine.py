"""The BigQuery engine on DuckDB: public tables, functions, catalog, DML, rows, loads, exports."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
from decimal import Decimal
from importlib import resources

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from llmops.core.data import COURSE_QUERY
from llmops.core.errors import NotFoundError, QueryError
from llmops.emulator.bigquery.engine import BigQueryEngine, QueryResult
from llmops.emulator.bigquery.googlesql import normalize_field

QUESTIONS = "`bigquery-public-data.stackoverflow.posts_questions`"
ANSWERS = "`bigquery-public-data.stackoverflow.posts_answers`"


@pytest.fixture(scope="module")
def shared():
    """One in-memory engine for read-only tests (loading the public tables once)."""
    with BigQueryEngine() as e:
        yield e


@pytest.fixture
def local(tmp_path):
    """An engine that may export under tmp_path (as the CLI's may under its workspace)."""
    with BigQueryEngine(local_root=tmp_path) as e:
        yield e


@pytest.fixture
def engine(tmp_path):
    with BigQueryEngine(default_project="proj", gcs_root=tmp_path / "gcs") as e:
        e.create_dataset("proj", "ds")
        yield e


def rows(result: QueryResult) -> list[dict]:
    return result.table.to_pylist()


# ----------------------------------------------------------------------- public tables


def test_course_query_returns_the_samples_500_rows(shared):
    result = shared.query(COURSE_QUERY)
    assert result.table.num_rows == 500
    assert result.table.column_names == ["input_text", "output_text"]
    assert result.schema == [
        {"name": "input_text", "type": "STRING", "mode": "NULLABLE"},
        {"name": "output_text", "type": "STRING", "mode": "NULLABLE"},
    ]
    assert all(r["input_text"] and r["output_text"] for r in rows(result))


def test_regexp_contains_is_a_substring_match(shared):
    # two real questions carry python only inside other tags (e.g. oci-python-sdk)
    n = rows(shared.query(f"SELECT COUNT(*) AS n FROM {QUESTIONS} WHERE REGEXP_CONTAINS(tags, 'python')"))[0]["n"]
    exact = rows(shared.query(f"SELECT COUNTIF(tags = 'python') AS n FROM {QUESTIONS}"))[0]["n"]
    assert n > exact >= 500


def test_public_tables_have_bigquerys_schema_and_types(shared):
    expected = json.loads((resources.files("llmops") / "data" / "stackoverflow" / "schema.json").read_text())
    for table in ("posts_questions", "posts_answers"):
        info = shared.get_table("bigquery-public-data", "stackoverflow", table)
        assert info["schema"] == [normalize_field(f) for f in expected[table]]
        assert info["num_rows"] == 600 and info["type"] == "TABLE"
    # the two tables differ, as in BigQuery
    q = {
        f["name"]: f["type"]
        for f in shared.get_table("bigquery-public-data", "stackoverflow", "posts_questions")["schema"]
    }
    a = {
        f["name"]: f["type"]
        for f in shared.get_table("bigquery-public-data", "stackoverflow", "posts_answers")["schema"]
    }
    assert (q["parent_id"], a["parent_id"]) == ("STRING", "INT64")
    assert (q["view_count"], a["view_count"]) == ("INT64", "STRING")


def test_timestamps_are_read_as_utc(shared):
    (r,) = rows(shared.query(f"SELECT creation_date FROM {ANSWERS} WHERE id = 10182780"))
    assert r["creation_date"] == dt.datetime(2012, 4, 16, 22, 47, 48, 30000, tzinfo=dt.UTC)


def test_information_schema_tables_lists_both_tables(shared):
    result = shared.query("SELECT * FROM `bigquery-public-data.stackoverflow.INFORMATION_SCHEMA.TABLES`")
    names = [r["table_name"] for r in rows(result)]
    assert names == ["posts_answers", "posts_questions"]
    first = rows(result)[0]
    assert first["table_catalog"] == "bigquery-public-data" and first["table_schema"] == "stackoverflow"
    assert first["table_type"] == "BASE TABLE"
    assert [f["name"] for f in result.schema][:4] == ["table_catalog", "table_schema", "table_name", "table_type"]
    assert first["ddl"].startswith("CREATE TABLE `bigquery-public-data.stackoverflow.posts_answers`\n(\n  id INT64,\n")


def test_information_schema_columns_and_schemata(shared):
    cols = rows(
        shared.query(
            "SELECT column_name, data_type, ordinal_position FROM bigquery-public-data.stackoverflow.INFORMATION_SCHEMA.COLUMNS "
            "WHERE table_name = 'posts_answers' AND column_name IN ('id', 'creation_date', 'parent_id') ORDER BY ordinal_position"
        )
    )
    assert cols == [
        {"column_name": "id", "data_type": "INT64", "ordinal_position": 1},
        {"column_name": "creation_date", "data_type": "TIMESTAMP", "ordinal_position": 8},
        {"column_name": "parent_id", "data_type": "INT64", "ordinal_position": 16},
    ]
    schemata = rows(
        shared.query("SELECT schema_name, location FROM `bigquery-public-data.region-us.INFORMATION_SCHEMA.SCHEMATA`")
    )
    assert schemata == [{"schema_name": "stackoverflow", "location": "US"}]


# ----------------------------------------------------------------------- functions


def test_common_functions(shared):
    (r,) = rows(
        shared.query(
            """SELECT
                SAFE_CAST('x' AS INT64) AS safe_cast, SAFE_CAST('7' AS INT64) AS cast_ok,
                STARTS_WITH('python', 'py') AS sw, ENDS_WITH('python', 'on') AS ew,
                SPLIT('a|b|c', '|') AS parts, ARRAY_LENGTH(SPLIT('a|b|c', '|')) AS n_parts,
                MOD(7, 3) AS m, ABS(-2) AS a, IF(1 > 0, 'y', 'n') AS iff, IFNULL(NULL, 5) AS ifn,
                COALESCE(NULL, NULL, 'c') AS co, SAFE_DIVIDE(1, 0) AS sd, SAFE_DIVIDE(6, 3) AS sd2,
                LOWER('AbC') AS lo, UPPER('abc') AS up, LENGTH('héllo') AS len, SUBSTR('abcdef', 2, 3) AS sub,
                TRIM('  x ') AS tr, REPLACE('aXa', 'X', 'b') AS rep,
                REGEXP_EXTRACT('<p>hi</p>', r'<p>(.*?)</p>') AS rx,
                CONCAT('a', 'b', 'c') AS cc, CONCAT('a', NULL) AS cc_null,
                TO_JSON_STRING(STRUCT(1 AS a, 'x' AS b)) AS js,
                STRUCT(1 AS a, 'b' AS b) AS st, [1, 2, 3] AS arr,
                LENGTH(GENERATE_UUID()) AS uuid_len
            """
        )
    )
    assert r == {
        "safe_cast": None,
        "cast_ok": 7,
        "sw": True,
        "ew": True,
        "parts": ["a", "b", "c"],
        "n_parts": 3,
        "m": 1,
        "a": 2,
        "iff": "y",
        "ifn": 5,
        "co": "c",
        "sd": None,
        "sd2": 2.0,
        "lo": "abc",
        "up": "ABC",
        "len": 5,
        "sub": "bcd",
        "tr": "x",
        "rep": "aba",
        "rx": "hi",
        "cc": "abc",
        "cc_null": None,
        "js": '{"a":1,"b":"x"}',
        "st": {"a": 1, "b": "b"},
        "arr": [1, 2, 3],
        "uuid_len": 36,
    }


def test_date_and_time_functions(shared):
    (r,) = rows(
        shared.query(
            f"""SELECT EXTRACT(YEAR FROM creation_date) AS y,
                   FORMAT_TIMESTAMP('%Y-%m-%d %H:%M', creation_date) AS f,
                   FORMAT_DATE('%Y/%m', DATE '2021-03-04') AS fd,
                   TIMESTAMP_DIFF(TIMESTAMP '2020-01-02 00:00:00 UTC', creation_date, DAY) AS td,
                   DATE_DIFF(DATE '2020-03-01', DATE '2020-01-01', DAY) AS dd,
                   creation_date < TIMESTAMP '2020-01-01' AS before_2020,
                   CURRENT_TIMESTAMP() > creation_date AS past
               FROM {ANSWERS} WHERE id = 10182780"""
        )
    )
    assert r == {
        "y": 2012,
        "f": "2012-04-16 22:47",
        "fd": "2021/03",
        "td": 2816,
        "dd": 60,
        "before_2020": True,
        "past": True,
    }


def test_bigquery_semantics_that_differ_from_duckdb(shared):
    result = shared.query(
        """SELECT EXTRACT(DAYOFWEEK FROM DATE '2024-01-07') AS dow,
                  EXTRACT(WEEK FROM DATE '2024-01-06') AS week0,
                  DATE_TRUNC(DATE '2024-01-17', MONTH) AS month_start,
                  DATE_ADD(DATE '2024-01-31', INTERVAL 1 DAY) AS next_day,
                  TIMESTAMP_DIFF(TIMESTAMP '2024-01-02 00:01:00', TIMESTAMP '2024-01-01 23:59:00', DAY) AS whole_days,
                  1.5 AS float_literal,
                  FORMAT('%d-%s', 7, 'x') AS formatted,
                  SAFE.PARSE_DATE('%Y%m%d', 'nope') AS safe_null"""
    )
    assert rows(result) == [
        {
            "dow": 1,
            "week0": 0,
            "month_start": dt.date(2024, 1, 1),
            "next_day": dt.date(2024, 2, 1),
            "whole_days": 0,
            "float_literal": 1.5,
            "formatted": "7-x",
            "safe_null": None,
        }
    ]
    types = {f["name"]: f["type"] for f in result.schema}
    assert (types["month_start"], types["next_day"], types["float_literal"]) == ("DATE", "DATE", "FLOAT64")


def test_functions_needing_missing_extensions_are_named(shared):
    with pytest.raises(QueryError, match="NET.FORMAT_IP is not supported"):
        shared.query("SELECT NET.FORMAT_IP(1)")
    with pytest.raises(QueryError, match="ST_GEOHASH is not supported"):
        shared.query("SELECT ST_GEOHASH(ST_GEOGPOINT(1, 2))")


def test_aggregates_unnest_and_qualify(shared):
    top = rows(
        shared.query(
            f"SELECT tag, COUNT(*) AS n FROM {QUESTIONS}, UNNEST(SPLIT(tags, '|')) AS tag GROUP BY tag ORDER BY n DESC, tag LIMIT 1"
        )
    )
    assert top[0]["tag"] == "python" and top[0]["n"] >= 500
    (agg,) = rows(
        shared.query(
            "SELECT STRING_AGG(x, ',' ORDER BY x) AS s, ARRAY_AGG(x ORDER BY x) AS a, APPROX_COUNT_DISTINCT(x) AS d, "
            "COUNTIF(x > 'a') AS c, SUM(LENGTH(x)) AS total FROM UNNEST(['b', 'a', 'c']) AS x"
        )
    )
    assert agg == {"s": "a,b,c", "a": ["a", "b", "c"], "d": 3, "c": 2, "total": 3}
    assert isinstance(agg["total"], int)  # DuckDB's HUGEINT sums come back as INT64
    q = rows(shared.query(f"SELECT id FROM {QUESTIONS} WHERE id > 0 QUALIFY ROW_NUMBER() OVER (ORDER BY id) <= 2"))
    assert len(q) == 2


def test_farm_fingerprint_matches_bigquery():
    pytest.importorskip("farmhash")
    with BigQueryEngine() as e:
        got = rows(
            e.query(
                """WITH example AS (
                  SELECT 1 AS x, "foo" AS y, true AS z UNION ALL
                  SELECT 2 AS x, "apple" AS y, false AS z UNION ALL
                  SELECT 3 AS x, "" AS y, true AS z)
                SELECT FARM_FINGERPRINT(CONCAT(CAST(x AS STRING), y, CAST(z AS STRING))) AS f FROM example ORDER BY x"""
            )
        )
    # the values in BigQuery's documentation of FARM_FINGERPRINT
    assert [r["f"] for r in got] == [-1541654101129638711, 2794438866806483259, -4880158226897771312]


def test_farm_fingerprint_keeps_nulls_and_rows_across_vectors():
    pytest.importorskip("farmhash")
    with BigQueryEngine() as e:
        # 5,000 rows span several of DuckDB's vectors; every third value is NULL
        got = rows(
            e.query(
                """SELECT COUNT(*) AS n, COUNT(f) AS hashed,
                          COUNTIF(f = FARM_FINGERPRINT(CAST(i AS STRING))) AS same,
                          ANY_VALUE(IF(i = 2, f, NULL)) AS two
                   FROM (SELECT i, FARM_FINGERPRINT(IF(MOD(i, 3) = 0, NULL, CAST(i AS STRING))) AS f
                         FROM UNNEST(GENERATE_ARRAY(1, 5000)) AS i)"""
            )
        )
    import farmhash

    two = farmhash.fingerprint64("2")
    assert got == [{"n": 5000, "hashed": 3334, "same": 3334, "two": two - (1 << 64) if two >= 1 << 63 else two}]


def test_unnamed_columns_are_named_like_bigquery(shared):
    result = shared.query("SELECT 1, 'x' AS named, 2 + 2")
    assert result.table.column_names == ["f0_", "named", "f1_"]


# ----------------------------------------------------------------------- parameters


def test_named_parameters(shared):
    r = rows(
        shared.query(
            f"SELECT COUNT(*) AS n FROM {ANSWERS} WHERE creation_date >= @since AND id < @max_id",
            {"since": "2020-01-01", "max_id": 0},
        )
    )
    assert r == [{"n": 500}]
    r = rows(shared.query("SELECT @d AS d", {"d": "2020-01-01 10:00:00"}, param_types={"d": "TIMESTAMP"}))
    assert r[0]["d"] == dt.datetime(2020, 1, 1, 10, tzinfo=dt.UTC)
    r = rows(shared.query("SELECT @x AS x, @l AS l", {"x": 1.5, "l": [1, 2], "unused": 3}))
    assert r == [{"x": 1.5, "l": [1, 2]}]


def test_positional_parameters(shared):
    assert rows(shared.query("SELECT ? AS a, ? AS b", [1, "x"])) == [{"a": 1, "b": "x"}]
    with pytest.raises(QueryError, match=r"2 positional \(\?\) parameters but 1"):
        shared.query("SELECT ?, ?", [1])


def test_missing_parameter_is_named(shared):
    with pytest.raises(QueryError) as info:
        shared.query("SELECT @since AS s, @other AS o", {"other": 1})
    assert "@since" in str(info.value) and "--param since=" in str(info.value)


# ----------------------------------------------------------------------- errors


def test_unknown_table_names_the_table_and_how_to_list_tables(shared):
    with pytest.raises(NotFoundError) as info:
        shared.query("SELECT * FROM `bigquery-public-data.stackoverflow.posts_nope`")
    msg = str(info.value)
    assert "Not found: Table bigquery-public-data:stackoverflow.posts_nope" in msg
    assert "INFORMATION_SCHEMA.TABLES" in msg and "\n" not in msg
    assert info.value.reason == "notFound" and isinstance(info.value, QueryError)


def test_unknown_dataset(shared):
    with pytest.raises(NotFoundError, match="Not found: Dataset llmops-local:nope"):
        shared.query("SELECT * FROM nope.t")


@pytest.mark.parametrize(
    "sql, fragment",
    [
        (f"SELECT nope FROM {ANSWERS}", "Unrecognized name: nope"),
        ("SELECT foo_bar(1)", "Function not found: foo_bar at [1:8]"),
        ("SELECT CAST('x' AS INT64)", "Bad int64 value: x"),
    ],
)
def test_duckdb_errors_are_reworded_to_one_line(shared, sql, fragment):
    with pytest.raises(QueryError) as info:
        shared.query(sql)
    assert fragment in str(info.value) and "\n" not in str(info.value)
    assert "LINE 1" not in str(info.value)


# ----------------------------------------------------------------------- DDL and DML


def test_ddl_and_dml_statements(engine):
    assert engine.query("CREATE TABLE ds.t (a INT64 NOT NULL, b STRING, n NUMERIC)").statement_type == "CREATE_TABLE"
    ins = engine.query("INSERT INTO ds.t (a, b, n) VALUES (1, 'x', 1.5), (2, 'y', NULL), (3, NULL, NULL)")
    assert (ins.statement_type, ins.num_dml_affected_rows) == ("INSERT", 3)
    assert engine.query("UPDATE ds.t SET b = 'z' WHERE a = 1").num_dml_affected_rows == 1
    assert engine.query("DELETE ds.t WHERE a = 3").num_dml_affected_rows == 1
    merge = engine.query(
        "MERGE ds.t T USING (SELECT 2 AS a, 'm' AS b UNION ALL SELECT 4, 'new') S ON T.a = S.a "
        "WHEN MATCHED THEN UPDATE SET b = S.b WHEN NOT MATCHED THEN INSERT (a, b) VALUES (S.a, S.b)"
    )
    assert (merge.statement_type, merge.num_dml_affected_rows) == ("MERGE", 2)
    got = rows(engine.query("SELECT a, b, n FROM t ORDER BY a", default_dataset="ds"))
    assert got == [
        {"a": 1, "b": "z", "n": Decimal("1.5")},
        {"a": 2, "b": "m", "n": None},
        {"a": 4, "b": "new", "n": None},
    ]
    assert (
        engine.query("CREATE OR REPLACE TABLE ds.t2 AS SELECT a FROM ds.t").statement_type == "CREATE_TABLE_AS_SELECT"
    )
    assert engine.query("CREATE VIEW ds.v AS SELECT a FROM ds.t2 WHERE a > 1").statement_type == "CREATE_VIEW"
    assert [(t["table"], t["type"]) for t in engine.list_tables("proj", "ds")] == [
        ("t", "TABLE"),
        ("t2", "TABLE"),
        ("v", "VIEW"),
    ]
    assert engine.get_table("proj", "ds", "t")["schema"][0] == {"name": "a", "type": "INT64", "mode": "REQUIRED"}
    assert engine.query("DROP TABLE ds.t2").statement_type == "DROP_TABLE"
    with pytest.raises(NotFoundError, match="Not found: Table proj:ds.missing"):
        engine.query("CREATE TABLE ds.t3 AS SELECT * FROM ds.missing")
    with pytest.raises(QueryError, match="NOT NULL"):
        engine.query("INSERT ds.t (b) VALUES ('no a')")


def test_schema_statements(engine):
    engine.query("CREATE SCHEMA other OPTIONS(location='EU')")
    assert engine.get_dataset("proj", "other")["location"] == "EU"
    with pytest.raises(QueryError, match="already exists") as info:
        engine.query("CREATE SCHEMA other")
    assert info.value.reason == "duplicate"
    engine.query("CREATE SCHEMA IF NOT EXISTS other")
    engine.query("CREATE TABLE other.t (a INT64)")
    with pytest.raises(QueryError, match="Dataset proj:other is still in use") as info:
        engine.query("DROP SCHEMA other")
    assert info.value.reason == "resourceInUse"
    engine.query("DROP SCHEMA other CASCADE")
    with pytest.raises(NotFoundError):
        engine.get_dataset("proj", "other")


def test_scripts_temp_functions_and_temp_tables(engine):
    r = engine.query(
        "CREATE TEMP FUNCTION add1(x INT64) RETURNS INT64 AS (x + 1); "
        "CREATE TEMP TABLE tmp AS SELECT 41 AS v; SELECT add1(v) AS answer FROM tmp",
        default_dataset="ds",
    )
    assert rows(r) == [{"answer": 42}] and r.statement_type == "SCRIPT"
    # temp objects live only as long as the script
    with pytest.raises(QueryError):
        engine.query("SELECT add1(1)")


def test_wildcard_tables(engine):
    engine.query(
        "CREATE TABLE ds.events_2019 (v INT64); CREATE TABLE ds.events_2020 (v INT64); "
        "INSERT INTO ds.events_2019 VALUES (1); INSERT INTO ds.events_2020 VALUES (2), (3)"
    )
    star = engine.query("SELECT * FROM `proj.ds.events_*` ORDER BY v")
    assert rows(star) == [{"v": 1}, {"v": 2}, {"v": 3}]  # _TABLE_SUFFIX is a pseudo-column
    by_suffix = rows(
        engine.query(
            "SELECT _TABLE_SUFFIX AS s, COUNT(*) AS n FROM ds.`events_*` WHERE _TABLE_SUFFIX >= '2020' GROUP BY s"
        )
    )
    assert by_suffix == [{"s": "2020", "n": 2}]
    with pytest.raises(NotFoundError, match="no table matches"):
        engine.query("SELECT * FROM `ds.nothing_*`")


# ----------------------------------------------------------------------- catalog


def test_dataset_catalog(engine):
    with pytest.raises(QueryError) as info:
        engine.create_dataset("proj", "ds")
    assert info.value.reason == "duplicate"
    assert engine.create_dataset("proj", "ds", exists_ok=True)["dataset"] == "ds"
    engine.create_dataset("proj", "second", location="EU", description="d", labels={"k": "v"})
    listed = engine.list_datasets("proj")
    assert [d["dataset"] for d in listed] == ["ds", "second"]
    second = engine.get_dataset("proj", "second")
    assert (second["location"], second["description"], second["labels"]) == ("EU", "d", {"k": "v"})
    engine.create_table("proj", "second", "t", [{"name": "a", "type": "STRING"}])
    with pytest.raises(QueryError, match="not empty"):
        engine.delete_dataset("proj", "second")
    engine.delete_dataset("proj", "second", delete_contents=True)
    assert [d["dataset"] for d in engine.list_datasets("proj")] == ["ds"]
    with pytest.raises(QueryError, match="invalid dataset name"):
        engine.create_dataset("proj", "bad-name")


def test_table_catalog_and_schema_updates(engine):
    schema = [
        {"name": "id", "type": "INTEGER", "mode": "REQUIRED", "description": "the id"},
        {"name": "tags", "type": "STRING", "mode": "REPEATED"},
        {"name": "meta", "type": "RECORD", "fields": [{"name": "k", "type": "STRING"}, {"name": "v", "type": "FLOAT"}]},
        {"name": "at", "type": "TIMESTAMP"},
        {"name": "raw", "type": "BYTES"},
        {"name": "doc", "type": "JSON"},
    ]
    info = engine.create_table("proj", "ds", "t", schema, description="a table")
    assert info["schema"] == [normalize_field(f) for f in schema]
    assert info["description"] == "a table" and info["num_rows"] == 0 and info["created"] is not None
    with pytest.raises(QueryError, match="already exists"):
        engine.create_table("proj", "ds", "t", schema)
    updated = engine.update_table_schema("proj", "ds", "t", [*schema, {"name": "extra", "type": "DATE"}])
    assert updated["schema"][-1] == {"name": "extra", "type": "DATE", "mode": "NULLABLE"}
    with pytest.raises(QueryError, match="drops field"):
        engine.update_table_schema("proj", "ds", "t", schema[:1])
    engine.delete_table("proj", "ds", "t")
    with pytest.raises(NotFoundError, match="Not found: Table proj:ds.t"):
        engine.get_table("proj", "ds", "t")
    with pytest.raises(NotFoundError):
        engine.delete_table("proj", "ds", "t")


# ----------------------------------------------------------------------- rows and loads


@pytest.fixture
def typed_table(engine):
    engine.create_table(
        "proj",
        "ds",
        "r",
        [
            {"name": "id", "type": "INT64", "mode": "REQUIRED"},
            {"name": "name", "type": "STRING"},
            {"name": "at", "type": "TIMESTAMP"},
            {"name": "score", "type": "FLOAT64"},
            {"name": "ok", "type": "BOOL"},
            {"name": "amount", "type": "NUMERIC"},
            {"name": "tags", "type": "STRING", "mode": "REPEATED"},
            {"name": "meta", "type": "RECORD", "fields": [{"name": "k", "type": "STRING"}]},
            {"name": "raw", "type": "BYTES"},
            {"name": "doc", "type": "JSON"},
            {"name": "day", "type": "DATE"},
        ],
    )
    return engine


def test_insert_rows_converts_bigquery_json_values(typed_table):
    errors = typed_table.insert_rows(
        "proj",
        "ds",
        "r",
        [
            {
                "id": "1",
                "name": "a",
                "at": "2020-01-01 00:00:00 UTC",
                "score": "1.5",
                "ok": "true",
                "amount": "2.25",
                "tags": ["x", "y"],
                "meta": {"k": "v"},
                "raw": "aGk=",
                "doc": {"a": 1},
                "day": "2020-02-03",
            },
            {"id": 2, "at": 1577836800.5, "ok": False},
        ],
    )
    assert errors == []
    got = rows(typed_table.query("SELECT * FROM proj.ds.r ORDER BY id"))
    assert got[0]["at"] == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert (got[0]["score"], got[0]["ok"], got[0]["amount"], got[0]["tags"], got[0]["meta"]) == (
        1.5,
        True,
        Decimal("2.25"),
        ["x", "y"],
        {"k": "v"},
    )
    assert got[0]["raw"] == b"hi" and json.loads(got[0]["doc"]) == {"a": 1} and got[0]["day"] == dt.date(2020, 2, 3)
    assert got[1]["at"] == dt.datetime(2020, 1, 1, 0, 0, 0, 500000, tzinfo=dt.UTC) and got[1]["tags"] == []


def test_insert_rows_all_or_nothing_by_default(typed_table):
    errors = typed_table.insert_rows(
        "proj", "ds", "r", [{"id": 1}, {"id": "x"}, {"name": "no id"}, {"id": 4, "nope": 1}]
    )
    by_index = {e["index"]: e["errors"][0] for e in errors}
    assert by_index[0]["reason"] == "stopped"
    assert (
        by_index[1]["reason"] == "invalid"
        and by_index[1]["message"] == "Cannot convert value to integer (bad value): x"
    )
    assert by_index[2]["reason"] == "invalid" and "Missing required field: id" in by_index[2]["message"]
    assert by_index[3]["reason"] == "invalid" and "no such field: nope" in by_index[3]["message"]
    assert typed_table.get_table("proj", "ds", "r")["num_rows"] == 0


def test_insert_rows_skip_invalid_and_ignore_unknown(typed_table):
    errors = typed_table.insert_rows(
        "proj", "ds", "r", [{"id": 1}, {"id": "x"}, {"id": 3, "nope": 1}], skip_invalid=True
    )
    assert [e["index"] for e in errors] == [1, 2]
    assert typed_table.get_table("proj", "ds", "r")["num_rows"] == 1
    assert typed_table.insert_rows("proj", "ds", "r", [{"id": 5, "nope": 1}], ignore_unknown=True) == []
    assert typed_table.get_table("proj", "ds", "r")["num_rows"] == 2


def test_load_table_modes(engine):
    data = pa.table({"a": [1, 2], "b": ["x", "y"]})
    assert engine.load_table("proj", "ds", "l", data) == 2
    assert engine.get_table("proj", "ds", "l")["schema"] == [
        {"name": "a", "type": "INT64", "mode": "NULLABLE"},
        {"name": "b", "type": "STRING", "mode": "NULLABLE"},
    ]
    engine.load_table("proj", "ds", "l", data, mode="append")
    assert engine.get_table("proj", "ds", "l")["num_rows"] == 4
    engine.load_table("proj", "ds", "l", data.slice(0, 1), mode="replace")
    assert engine.get_table("proj", "ds", "l")["num_rows"] == 1
    with pytest.raises(QueryError, match="Already Exists: Table proj:ds.l") as info:
        engine.load_table("proj", "ds", "l", data, mode="empty")
    assert info.value.reason == "duplicate"
    with pytest.raises(QueryError, match="no such field"):
        engine.load_table("proj", "ds", "l", pa.table({"zzz": [1]}))
    assert engine.get_table("proj", "ds", "l")["num_rows"] == 1  # the failed load changed nothing
    schema = [{"name": "a", "type": "NUMERIC"}, {"name": "b", "type": "STRING", "mode": "REQUIRED"}]
    engine.load_table("proj", "ds", "typed", data, schema=schema)
    assert engine.get_table("proj", "ds", "typed")["schema"][0]["type"] == "NUMERIC"
    with pytest.raises(NotFoundError):
        engine.load_table("proj", "missing", "t", data)


# ----------------------------------------------------------------------- exports


def test_export_formats(local, tmp_path):
    sql = f"SELECT id, title FROM {QUESTIONS} WHERE id BETWEEN @lo AND @hi ORDER BY id"
    info = local.export(sql, tmp_path / "out.jsonl", params={"lo": -3, "hi": -1})
    assert info == {"uris": [str(tmp_path / "out.jsonl")], "rows": 3, "files": 1}
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in lines] == ["-3", "-2", "-1"]  # INT64 as strings in JSON exports
    local.export(sql, f"file://{tmp_path}/out.csv", format="csv", params={"lo": -3, "hi": -1})
    assert (tmp_path / "out.csv").read_text().splitlines()[0] == "id,title"
    local.export(sql, tmp_path / "out.parquet", format="parquet", params={"lo": -3, "hi": -1})
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 3
    local.export(sql, tmp_path / "out.jsonl.gz", params={"lo": -3, "hi": -1})
    assert len(gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()).splitlines()) == 3
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["out.csv", "out.jsonl", "out.jsonl.gz", "out.parquet"]  # no temp files left


def test_export_to_unwritable_destination_leaves_nothing(local, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(QueryError, match="cannot write export") as info:
        local.export(f"SELECT id FROM {QUESTIONS}", blocker / "sub" / "out.jsonl")
    assert "\n" not in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_failed_export_leaves_no_file(local, tmp_path):
    with pytest.raises(QueryError):
        local.export("SELECT CAST(title AS INT64) AS x FROM " + QUESTIONS, tmp_path / "out.jsonl")
    assert list(tmp_path.iterdir()) == []


def test_export_data_statement_to_gcs_root(engine, tmp_path):
    engine.query("CREATE TABLE ds.t AS SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'")
    r = engine.query(
        "EXPORT DATA OPTIONS(uri='gs://bkt/out/part-*.json', format='JSON', overwrite=true) AS SELECT * FROM ds.t ORDER BY a"
    )
    assert r.statement_type == "EXPORT_DATA"
    assert r.export == {"uris": ["gs://bkt/out/part-000000000000.json"], "rows": 2, "files": 1}
    written = tmp_path / "gcs" / "bkt" / "out" / "part-000000000000.json"
    assert [json.loads(x) for x in written.read_text().splitlines()] == [{"a": "1", "b": "x"}, {"a": "2", "b": "y"}]
    engine.query(
        "EXPORT DATA OPTIONS(uri='gs://bkt/csv/*.csv', format='CSV', header=false) AS SELECT * FROM ds.t ORDER BY a"
    )
    assert (tmp_path / "gcs" / "bkt" / "csv" / "000000000000.csv").read_text().splitlines() == ["1,x", "2,y"]
    with pytest.raises(QueryError, match="already exists"):
        engine.query("EXPORT DATA OPTIONS(uri='gs://bkt/csv/*.csv', format='CSV') AS SELECT 1")


def test_gcs_export_without_object_storage_is_an_error(shared):
    with pytest.raises(QueryError, match="no object storage"):
        shared.query("EXPORT DATA OPTIONS(uri='gs://b/x-*.json', format='JSON') AS SELECT 1 AS a")


# ----------------------------------------------------------------------- files and connections


def test_file_engine_opens_per_call_and_persists(tmp_path):
    path = tmp_path / "wh.duckdb"
    e = BigQueryEngine(path, default_project="p")
    e.create_dataset("p", "d")
    e.query("CREATE TABLE d.t AS SELECT 1 AS a")
    # no connection is held between calls: another connection can open the file now
    con = duckdb.connect(str(path))
    assert con.execute('SELECT a FROM "p.d"."t"').fetchall() == [(1,)]
    con.close()
    again = BigQueryEngine(path, default_project="p")
    assert rows(again.query("SELECT a FROM d.t")) == [{"a": 1}]
    assert again.get_table("p", "d", "t")["created"] is not None


def test_translate_returns_duckdb_sql(shared):
    sql = shared.translate("SELECT CONCAT(a, b) FROM d.t", default_project="p")
    assert sql == 'SELECT a || b AS f0_ FROM "p.d"."t"'


def test_farm_fingerprint_twice_on_a_held_connection(tmp_path):
    from llmops.emulator.bigquery.engine import BigQueryEngine

    engine = BigQueryEngine(tmp_path / "held.duckdb", keep_open=True)
    try:
        for _ in range(2):
            assert engine.query("SELECT FARM_FINGERPRINT('a') AS h").table.num_rows == 1
    finally:
        engine.close()


@pytest.mark.parametrize("uri", ["gs://../x/f-*.json", "gs://.llmops-storage/f-*.json", "gs://B/../../f.json"])
def test_export_refuses_bucket_names_that_escape_storage(tmp_path, uri):
    from llmops.emulator.bigquery.engine import BigQueryEngine

    engine = BigQueryEngine(None, gcs_root=tmp_path / "gcs")
    try:
        with pytest.raises(QueryError, match="invalid export uri"):
            engine.query(f"EXPORT DATA OPTIONS(uri='{uri}', format='JSON') AS SELECT 1 AS x")
    finally:
        engine.close()
    assert not (tmp_path / "x").exists()


def test_calls_inside_kept_open_share_one_opening_of_the_file_and_its_sandbox(tmp_path, monkeypatch):
    engine = BigQueryEngine(tmp_path / "warehouse.duckdb")
    opened = []
    real_open = engine._open_file
    monkeypatch.setattr(engine, "_open_file", lambda: opened.append(1) or real_open())
    engine.query("CREATE SCHEMA `llmops-local.ds`")
    engine.query("CREATE TABLE `llmops-local.ds.t` AS SELECT 1 AS x")
    assert len(opened) == 2
    with engine.kept_open():
        assert engine.query("SELECT x FROM ds.t", default_dataset="ds").table.to_pylist() == [{"x": 1}]
        engine.query("INSERT INTO `llmops-local.ds.t` VALUES (2)")
        with engine.connection() as con:
            assert con.execute("SELECT current_setting('enable_external_access')").fetchall() == [(False,)]
        # a Python function registered by one call is called again by the next (on cursors of
        # one connection, the second call crashed the process)
        for _ in range(2):
            assert engine.query("SELECT FARM_FINGERPRINT('a') AS f").table.to_pylist() == [{"f": -5528939962900187677}]
        # another thread's calls open the file for themselves
        other_thread = []
        worker = threading.Thread(target=lambda: other_thread.append(engine.query("SELECT 1 AS one").table.num_rows))
        worker.start()
        worker.join()
        assert other_thread == [1]
    assert len(opened) == 4
    # the file is closed again: another connection (another process's) can open it
    other = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    assert sorted(other.execute('SELECT x FROM "llmops-local.ds".t').fetchall()) == [(1,), (2,)]
    other.close()
    engine.close()
