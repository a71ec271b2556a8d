"""The function names DuckDB SQL calls, as the translator's sandbox check sees them."""

from __future__ import annotations

import sqlglot

from llmops.emulator.bigquery import generation


def _names(sql: str) -> list[str]:
    return generation.generate(sqlglot.parse_one(sql, read="duckdb"))[1]


def test_user_named_and_known_functions_are_seen_as_written():
    tree = sqlglot.parse_one('SELECT lower(x), my_fn(1), "odd""name"(2) FROM t', read="duckdb")
    sql, names = generation.generate(tree)
    assert sql == 'SELECT LOWER(x), MY_FN(1), "ODD""NAME"(2) FROM t'
    assert names == ["LOWER", "MY_FN", '"ODD""NAME"']


def test_calls_inside_other_calls_and_qualified_calls_are_seen():
    # the innermost first: a call's name is read from its SQL once written
    assert _names("SELECT upper(read_csv('x')), t.read_json('y') FROM t") == ["READ_CSV", "UPPER", "read_json"]


def test_array_of_a_subquery_is_syntax_not_a_call():
    assert _names("SELECT ARRAY(SELECT 1), ARRAY_LENGTH([1])") == ["ARRAY_LENGTH"]


def test_nested_generation_keeps_each_list_apart():
    first = sqlglot.parse_one("SELECT abs(1)", read="duckdb")
    assert generation.generate(first)[1] == ["ABS"]
    assert generation.generate(sqlglot.parse_one("SELECT 1", read="duckdb"))[1] == []
