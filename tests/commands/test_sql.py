"""`llmops sql`: rows as a table or JSON, parameters, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from llmops.core.data import COURSE_QUERY


def test_course_query_as_json(cli):
    r = cli("sql", COURSE_QUERY, "--json")
    assert r.code == 0, r.err
    rows = r.json()
    assert len(rows) == 500 and set(rows[0]) == {"input_text", "output_text"}


def test_information_schema_tables(cli):
    r = cli("sql", "SELECT * FROM `bigquery-public-data.stackoverflow.INFORMATION_SCHEMA.TABLES`", "--json")
    assert r.code == 0, r.err
    assert sorted(row["table_name"] for row in r.json()) == ["posts_answers", "posts_questions"]


def test_json_values_timestamps_and_parameters(cli):
    r = cli(
        "sql",
        "SELECT id, creation_date, CAST(1.5 AS NUMERIC) AS n, [1, 2] AS arr, STRUCT(1 AS a) AS s "
        "FROM `bigquery-public-data.stackoverflow.posts_answers` WHERE id = @id",
        "--param",
        "id=10182780",
        "--json",
    )
    assert r.code == 0, r.err
    assert r.json() == [
        {
            "id": 10182780,
            "creation_date": "2012-04-16T22:47:48.030000+00:00",
            "n": "1.5",
            "arr": [1, 2],
            "s": {"a": 1},
        }
    ]


def test_json_intervals_and_numerics_are_written_as_bigquery_writes_them(cli):
    r = cli(
        "sql",
        "SELECT DATE '2024-03-01' - DATE '2024-01-01' AS d, INTERVAL -5 DAY AS i, "
        "MAKE_INTERVAL(1, 2, 3, 4, 5, 6) AS m, [INTERVAL 90 MINUTE] AS a, "
        "CAST(100 AS NUMERIC) AS n, CAST(-0.25 AS BIGNUMERIC) AS b",
        "--json",
    )
    assert r.code == 0, r.err
    assert r.json() == [
        {"d": "0-0 60 0:0:0", "i": "0-0 -5 0:0:0", "m": "1-2 3 4:5:6", "a": ["0-0 0 1:30:0"], "n": "100", "b": "-0.25"}
    ]


def test_table_output_and_max_rows(cli):
    r = cli(
        "sql",
        "SELECT id FROM `bigquery-public-data.stackoverflow.posts_questions` ORDER BY id",
        "--max-rows",
        "3",
        "--format",
        "table",
    )
    assert r.code == 0, r.err
    assert "-500" in r.out and "-497" not in r.out
    assert "600 rows (597 not shown" in r.out
    j = cli(
        "sql",
        "SELECT id FROM `bigquery-public-data.stackoverflow.posts_questions` ORDER BY id",
        "--json",
        "--max-rows",
        "2",
    )
    assert [row["id"] for row in j.json()] == [-500, -499]


def test_csv_when_piped_or_asked(cli):
    sql = "SELECT 1 AS x, 'a,b' AS s, [1, 2] AS arr UNION ALL SELECT 2, NULL, []"
    piped = cli("sql", sql + " ORDER BY x")  # stdout is not a terminal here
    assert piped.code == 0 and piped.out == 'x,s,arr\n1,"a,b","[1, 2]"\n2,,[]\n'
    assert cli("sql", sql + " ORDER BY x", "--format", "csv").out == piped.out
    assert cli("sql", "SELECT 1 AS x", "--format", "json").json() == [{"x": 1}]


def test_statements_without_rows(cli):
    r = cli("sql", "CREATE SCHEMA mine; CREATE TABLE mine.t (a INT64); INSERT INTO mine.t VALUES (1), (2)")
    assert r.code == 0, r.err
    assert "SCRIPT done" in r.out
    r = cli("sql", "DELETE FROM mine.t WHERE a = 1")
    assert "DELETE done, 1 rows affected" in r.out


def test_query_from_stdin_in_a_subprocess(workspace):
    env = {**os.environ, "LLMOPS_WORKSPACE": str(workspace)}
    code = "import sys; from llmops.cli import main; sys.exit(main(sys.argv[1:]))"
    out = subprocess.run(
        [sys.executable, "-c", code, "sql", "-", "--json"],
        input="SELECT 1 AS one, 'x' AS two",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [{"one": 1, "two": "x"}]


def test_bad_inputs_fail_with_one_line(cli):
    cases = {
        "SELEC 1": 'Syntax error: Unexpected integer literal "1" at [1:7]',
        "SELECT * FROM ML.PREDICT(MODEL `p.d.m`, (SELECT 1))": "Not found: Model p.d.m",
        "SELECT * FROM ML.EXPLAIN_PREDICT(MODEL `p.d.m`, (SELECT 1))": "ML.EXPLAIN_PREDICT is not supported by the local",
        "SELECT * FROM `bigquery-public-data.stackoverflow.nope`": "Not found: Table bigquery-public-data:stackoverflow.nope",
        "SELECT @since AS s": "@since has no value",
    }
    for sql, fragment in cases.items():
        r = cli("sql", sql)
        assert r.code == 1, sql
        assert fragment in r.err, (sql, r.err)
        assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
        assert r.out == ""


def test_bad_param_syntax(cli):
    r = cli("sql", "SELECT @a", "--param", "novalue")
    assert r.code == 1 and "name=value" in r.err


def test_values_and_errors_are_printed_as_written_not_as_emoji_codes(cli):
    r = cli("sql", "SELECT 'a:smile:b' AS s")
    assert r.code == 0, r.err
    assert "a:smile:b" in r.out
    r = cli("sql", "SELECT CAST('1' AS INTERVAL)")
    assert r.code == 1
    assert "'Y-M D H:M:S'" in r.err  # rich read `:M:` as an emoji code before
