"""GoogleSQL -> DuckDB translation: names, INFORMATION_SCHEMA, parameters, types, errors."""

from __future__ import annotations

import duckdb
import pytest

from llmops.core.data import COURSE_QUERY
from llmops.core.errors import NotFoundError, QueryError
from llmops.emulator.bigquery import googlesql as g
from llmops.emulator.bigquery.googlesql import BigQueryError, translate


def one(sql: str, **kw) -> g.Statement:
    kw.setdefault("default_dataset", "d")  # bare names in these tests are tables of dataset d
    script = translate(sql, **kw)
    assert len(script.statements) == 1
    return script.statements[0]


def test_course_query_maps_names_and_keeps_double_quoted_strings_as_strings():
    st = one(COURSE_QUERY)
    assert st.statement_type == "SELECT"
    assert '"bigquery-public-data.stackoverflow"."posts_questions" AS q' in st.sql
    assert '"bigquery-public-data.stackoverflow"."posts_answers" AS a' in st.sql
    assert "REGEXP_MATCHES(q.tags, 'python')" in st.sql  # substring semantics, like REGEXP_CONTAINS
    assert "a.creation_date >= '2020-01-01'" in st.sql
    assert st.tables == (
        ("bigquery-public-data", "stackoverflow", "posts_questions"),
        ("bigquery-public-data", "stackoverflow", "posts_answers"),
    )


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "`bigquery-public-data.stackoverflow.posts_questions`",
            ("bigquery-public-data", "stackoverflow", "posts_questions"),
        ),
        (
            "bigquery-public-data.stackoverflow.posts_questions",
            ("bigquery-public-data", "stackoverflow", "posts_questions"),
        ),
        (
            "`bigquery-public-data`.stackoverflow.posts_questions",
            ("bigquery-public-data", "stackoverflow", "posts_questions"),
        ),
        ("mydata.t", ("proj-x", "mydata", "t")),
        ("`mydata.t`", ("proj-x", "mydata", "t")),
    ],
)
def test_table_names_resolve_with_default_project(name, expected):
    st = one(f"SELECT * FROM {name}", default_project="proj-x")
    assert st.tables == (expected,)
    assert g.duckdb_table(*expected) in st.sql


def test_single_part_names_use_default_dataset_but_not_ctes():
    st = one("WITH a AS (SELECT 1 AS x) SELECT * FROM a JOIN t ON TRUE", default_project="p", default_dataset="d")
    assert st.tables == (("p", "d", "t"),)
    assert "FROM a " in st.sql
    # without a default dataset a bare name must be a CTE or a temp table of the script (as on
    # BigQuery); DuckDB would otherwise resolve it to a system view or a file
    with pytest.raises(BigQueryError, match='Table "t" must be qualified with a dataset'):
        one("SELECT * FROM t", default_dataset=None)
    with pytest.raises(BigQueryError, match="must be qualified"):
        one("SELECT * FROM duckdb_settings", default_dataset=None)
    assert len(translate("CREATE TEMP TABLE t AS SELECT 1 AS x; SELECT * FROM t").statements) == 2


def test_translation_is_cached():
    a = translate("SELECT 1 AS x", default_project="p")
    b = translate("SELECT 1 AS x", default_project="p")
    assert a is b
    assert translate("SELECT 1 AS x", default_project="q") is not a


def test_unnamed_columns_get_bigquery_names():
    st = one("SELECT 1, COUNT(*), x AS y, t.z FROM t")
    assert "CAST(1 AS BIGINT) AS f0_" in st.sql and "COUNT(*) AS f1_" in st.sql
    assert "x AS y" in st.sql and "f2_" not in st.sql


@pytest.mark.parametrize(
    "sql, fragment",
    [
        ("SELECT SAFE_CAST(x AS INT64) FROM t", "TRY_CAST(x AS BIGINT)"),
        ("SELECT COUNTIF(s = 'a') FROM t", "COUNT(CASE WHEN s = 'a' THEN 1 END)"),
        ("SELECT SPLIT(tags, '|') FROM t", "STR_SPLIT(tags, '|')"),
        ("SELECT CAST(x AS NUMERIC) FROM t", "DECIMAL(38, 9)"),
        (
            "SELECT CAST(x AS TIMESTAMP), CAST(y AS DATETIME) FROM t",
            "CAST(x AS TIMESTAMPTZ) AS f0_, CAST(y AS TIMESTAMP) AS f1_",
        ),
        ("SELECT FARM_FINGERPRINT(s) FROM t", g.FARM_FINGERPRINT_UDF),
    ],
)
def test_function_translations(sql, fragment):
    assert fragment.upper() in one(sql).sql.upper()


def test_named_and_positional_parameters():
    st = one("SELECT * FROM t WHERE a = @a AND b = @b AND c = @a")
    assert "$a" in st.sql and "$b" in st.sql
    assert st.params == ("a", "b")
    pos = one("SELECT ?, ?")
    assert pos.positional == 2
    with pytest.raises(BigQueryError, match="mixes"):
        translate("SELECT @a, ?")


def test_parameter_types_cast_the_parameter():
    st = one("SELECT @d", param_types={"d": "TIMESTAMP"})
    assert "CAST($d AS TIMESTAMPTZ)" in st.sql


@pytest.mark.parametrize(
    "name, view, condition",
    [
        ("`bigquery-public-data.stackoverflow.INFORMATION_SCHEMA.TABLES`", "TABLES", "table_schema = 'stackoverflow'"),
        (
            "bigquery-public-data.stackoverflow.INFORMATION_SCHEMA.COLUMNS",
            "COLUMNS",
            "table_catalog = 'bigquery-public-data'",
        ),
        ("mydata.INFORMATION_SCHEMA.TABLES", "TABLES", "table_catalog = 'p'"),
        ("`region-us`.INFORMATION_SCHEMA.SCHEMATA", "SCHEMATA", "catalog_name = 'p'"),
        ("`other.region-us.INFORMATION_SCHEMA.SCHEMATA`", "SCHEMATA", "catalog_name = 'other'"),
    ],
)
def test_information_schema_becomes_a_filtered_relation(name, view, condition):
    script = translate(f"SELECT * FROM {name}", default_project="p")
    assert script.info_schema == {view}
    sql = script.statements[0].sql
    assert g.INFO_SCHEMA_VIEWS[view] in sql and condition in sql


def test_unknown_information_schema_view_is_named():
    with pytest.raises(BigQueryError, match="INFORMATION_SCHEMA.STREAMING_TIMELINE is not supported"):
        translate("SELECT * FROM `region-us`.INFORMATION_SCHEMA.STREAMING_TIMELINE")


def test_schema_statements_map_to_duckdb_schemas():
    st = one("CREATE SCHEMA IF NOT EXISTS `p.d` OPTIONS(location='EU')")
    assert st.statement_type == "CREATE_SCHEMA" and st.target == ("p", "d", "")
    assert st.sql == 'CREATE SCHEMA IF NOT EXISTS "p.d"'
    assert st.options["location"] == "EU"
    drop = one("DROP SCHEMA d CASCADE", default_project="x")
    assert drop.sql == 'DROP SCHEMA "x.d" CASCADE' and drop.statement_type == "DROP_SCHEMA"


def test_dml_statement_types_and_targets():
    assert one("INSERT d.t (a) VALUES (1)", default_project="p").target == ("p", "d", "t")
    delete = one("DELETE d.t WHERE a = 1", default_project="p")
    assert delete.sql.startswith('DELETE FROM "p.d"."t"') and delete.statement_type == "DELETE"
    assert one("CREATE OR REPLACE TABLE d.t AS SELECT 1 AS a").statement_type == "CREATE_TABLE_AS_SELECT"
    assert (
        one(
            "CREATE TABLE d.t (a INT64) PARTITION BY RANGE_BUCKET(a, GENERATE_ARRAY(0, 10)) CLUSTER BY a"
        ).statement_type
        == "CREATE_TABLE"
    )
    assert one("DROP TABLE d.t", default_project="p").target == ("p", "d", "t")


def test_temp_function_becomes_a_macro():
    script = translate("CREATE TEMP FUNCTION add1(x INT64) RETURNS INT64 AS (x + 1); SELECT add1(2) AS y")
    fn, sel = script.statements
    assert fn.statement_type == "CREATE_FUNCTION"
    assert fn.sql.startswith('CREATE OR REPLACE TEMPORARY MACRO "add1"("x") AS (CAST(')
    assert script.statement_type == "SELECT"
    assert duckdb.connect().execute(fn.sql).execute(sel.sql).fetchall() == [(3,)]


def test_wildcard_tables_become_placeholders_without_the_suffix_in_star():
    script = translate("SELECT * FROM `p.d.events_*` WHERE _TABLE_SUFFIX > '2019'")
    (wc,) = script.wildcards
    assert (wc.project, wc.dataset, wc.prefix) == ("p", "d", "events_")
    assert wc.relation in script.statements[0].sql
    assert "EXCLUDE (_TABLE_SUFFIX)" in script.statements[0].sql


def test_export_data_options():
    st = one("EXPORT DATA OPTIONS(uri='gs://b/x/*.json', format='JSON', overwrite=true) AS SELECT 1 AS a")
    assert st.statement_type == "EXPORT_DATA"
    assert st.export_options == {"uri": "gs://b/x/*.json", "format": "jsonl", "overwrite": True}
    assert st.export_query == "SELECT CAST(1 AS BIGINT) AS a"


@pytest.mark.parametrize(
    "sql, construct",
    [
        ("SELECT * FROM ML.EXPLAIN_PREDICT(MODEL `p.d.m`, (SELECT 1))", "ML.EXPLAIN_PREDICT"),
        ("SELECT ML.GENERATE_EMBEDDING(1)", "ML.GENERATE_EMBEDDING"),
        ("SELECT * FROM d.t FOR SYSTEM_TIME AS OF @ts", "query parameters in FOR SYSTEM_TIME AS OF"),
        ("DECLARE x INT64; SELECT x", "DECLARE"),
        ("CREATE TEMP FUNCTION f(x STRING) RETURNS STRING LANGUAGE js AS 'return x'", "js user-defined functions"),
        ("EXPORT DATA OPTIONS(uri='x.orc', format='ORC') AS SELECT 1", "format 'ORC'"),
    ],
)
def test_untranslatable_constructs_are_named(sql, construct):
    with pytest.raises(QueryError) as info:
        translate(sql)
    msg = str(info.value)
    assert construct in msg and "not supported by the local warehouse" in msg
    assert "\n" not in msg and info.value.reason == "invalidQuery"


@pytest.mark.parametrize(
    "sql, where",
    [
        ("SELEC 1", 'Syntax error: Unexpected integer literal "1" at [1:7]'),
        ("SELECT a FROM (SELECT 1 a", 'Syntax error: Expected ")" but got identifier a at [1:25]'),
        ("SELECT 1\nFROM", "Syntax error: Expected table name but got end of input at [2:"),
    ],
)
def test_syntax_errors_are_one_line_with_position(sql, where):
    with pytest.raises(BigQueryError) as info:
        translate(sql)
    assert where in str(info.value) and "\n" not in str(info.value)
    assert "<Token" not in str(info.value) and "sqlglot" not in str(info.value)


def test_empty_query_is_an_error():
    with pytest.raises(BigQueryError, match="empty"):
        translate("  ;  ")


def test_not_found_error_is_both_a_query_and_a_not_found_error():
    err = g.BigQueryNotFound("x")
    assert isinstance(err, QueryError) and isinstance(err, NotFoundError) and err.reason == "notFound"


# ----------------------------------------------------------------------- types


@pytest.mark.parametrize(
    "field, duck",
    [
        ({"name": "a", "type": "INTEGER"}, "BIGINT"),
        ({"name": "a", "type": "STRING", "mode": "REQUIRED"}, "VARCHAR NOT NULL"),
        ({"name": "a", "type": "TIMESTAMP", "mode": "REPEATED"}, "TIMESTAMPTZ[]"),
        ({"name": "a", "type": "NUMERIC"}, "DECIMAL(38,9)"),
        (
            {
                "name": "r",
                "type": "RECORD",
                "fields": [{"name": "x", "type": "FLOAT"}, {"name": "y", "type": "BOOL", "mode": "REQUIRED"}],
            },
            'STRUCT("x" DOUBLE, "y" BOOLEAN)',
        ),
    ],
)
def test_bigquery_fields_to_duckdb_types(field, duck):
    assert g.bq_field_to_duckdb(g.normalize_field(field)) == duck


@pytest.mark.parametrize(
    "duck, expected",
    [
        ("BIGINT", {"type": "INT64", "mode": "NULLABLE"}),
        ("HUGEINT", {"type": "INT64", "mode": "NULLABLE"}),
        ("TIMESTAMP WITH TIME ZONE", {"type": "TIMESTAMP", "mode": "NULLABLE"}),
        ("TIMESTAMP", {"type": "DATETIME", "mode": "NULLABLE"}),
        ("DECIMAL(38,9)", {"type": "NUMERIC", "mode": "NULLABLE"}),
        ("DECIMAL(38,18)", {"type": "BIGNUMERIC", "mode": "NULLABLE"}),
        ("JSON", {"type": "JSON", "mode": "NULLABLE"}),
        ("BLOB", {"type": "BYTES", "mode": "NULLABLE"}),
        ("VARCHAR[]", {"type": "STRING", "mode": "REPEATED"}),
        (
            "STRUCT(a INTEGER, b VARCHAR[])[]",
            {
                "type": "RECORD",
                "mode": "REPEATED",
                "fields": [
                    {"name": "a", "type": "INT64", "mode": "NULLABLE"},
                    {"name": "b", "type": "STRING", "mode": "REPEATED"},
                ],
            },
        ),
    ],
)
def test_duckdb_types_to_bigquery_fields(duck, expected):
    assert g.duckdb_type_to_field("c", duckdb.sqltype(duck)) == {"name": "c", **expected}


def test_unknown_schema_type_is_rejected():
    with pytest.raises(BigQueryError, match="unknown type 'VARCHAR2'"):
        g.normalize_field({"name": "a", "type": "VARCHAR2"})


def test_schema_names_round_trip():
    assert g.split_schema(g.duckdb_schema("bigquery-public-data", "stackoverflow")) == (
        "bigquery-public-data",
        "stackoverflow",
    )
    assert g.split_schema("main") is None


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT current_setting('threads')",
        "SELECT * FROM duckdb_settings()",
        "PRAGMA version",
        "COPY x TO '/tmp/y'",
    ],
)
def test_duckdb_host_access_is_refused(sql):
    """DuckDB's file and settings functions are not GoogleSQL; the emulator must not expose them."""
    with pytest.raises(BigQueryError) as info:
        translate(sql)
    assert "\n" not in str(info.value)
