"""The engine's cheaper paths for small queries give what the general path gives."""

from __future__ import annotations

import time

import pytest

from llmops.core.errors import NotFoundError, QueryError
from llmops.emulator.bigquery import engine as engine_module
from llmops.emulator.bigquery import tablekinds
from llmops.emulator.bigquery.engine import BigQueryEngine


@pytest.fixture(scope="module")
def eng(tmp_path_factory):
    with BigQueryEngine(tmp_path_factory.mktemp("fast") / "w.duckdb", default_project="p", keep_open=True) as e:
        yield e


SOURCELESS = [
    ("SELECT @x + 1 AS y", {"x": 41}, {"x": "INT64"}),
    ("SELECT 'a' AS s, 1.5 AS f, TRUE AS b, CAST(NULL AS INT64) AS n, CAST(NULL AS STRING) AS ns", None, None),
    ("SELECT @s AS s, @f * 2 AS f", {"s": "from me", "f": 1.25}, {"s": "STRING", "f": "FLOAT64"}),
    ("SELECT 1 AS a UNION ALL SELECT 2 UNION ALL SELECT NULL", None, None),
    ("SELECT 1 AS a, 2 AS a", None, None),
    ("SELECT 1", None, None),
    ("SELECT CAST('nan' AS FLOAT64) AS x, CAST('inf' AS FLOAT64) AS y, 9223372036854775807 AS big", None, None),
    # types outside the plain ones: their Arrow columns come from DuckDB
    ("SELECT TIMESTAMP '2024-01-02 03:04:05.678901+00' AS t, DATE '2024-01-02' AS d", None, None),
    ("SELECT NUMERIC '1.5' AS n, [1, 2] AS a, STRUCT(1 AS x, 'y' AS z) AS s, b'ab' AS by", None, None),
    ("SELECT 1 AS a LIMIT 0", None, None),
]


@pytest.mark.parametrize(("sql", "params", "types"), SOURCELESS)
def test_a_select_without_from_gives_the_general_paths_rows_and_schema(eng, monkeypatch, sql, params, types):
    fast = eng.query(sql, params, param_types=types)
    monkeypatch.setattr(engine_module, "_FAST_ROWS", False)
    general = eng.query(sql, params, param_types=types)
    assert fast.schema == general.schema
    assert fast.table.schema == general.table.schema
    assert repr(fast.table.to_pylist()) == repr(general.table.to_pylist())  # NaN != NaN
    assert fast.statement_type == general.statement_type == "SELECT"


@pytest.mark.parametrize("sql", ["SELECT ERROR('boom')", "SELECT 1 / 0", "SELECT CAST('x' AS INT64)", "SELECT @nope"])
def test_a_select_without_from_fails_as_the_general_path_does(eng, monkeypatch, sql):
    with pytest.raises(QueryError) as fast:
        eng.query(sql)
    monkeypatch.setattr(engine_module, "_FAST_ROWS", False)
    with pytest.raises(QueryError) as general:
        eng.query(sql)
    assert type(fast.value) is type(general.value)
    assert str(fast.value) == str(general.value)


def test_words_that_make_rows_take_the_general_path():
    for sql in ("SELECT * FROM t", "SELECT unnest(range(10))", "select x from(select 1 x)", 'SELECT 1 AS "from"'):
        assert engine_module._ROW_SOURCE.search(sql)
    assert not engine_module._ROW_SOURCE.search("SELECT $1 + 1 AS y, from_base64('') AS fromage")


def test_a_policy_or_an_expiration_set_after_queries_applies_to_the_next_query(tmp_path):
    """The engine keeps its last catalog probe between queries; every write path drops it."""
    with BigQueryEngine(tmp_path / "w.duckdb", default_project="p", keep_open=True) as e:
        e.create_dataset("p", "ds")
        e.query("CREATE TABLE `p.ds.t` AS SELECT x FROM UNNEST([1, 2, 3]) AS x")
        read = "SELECT x FROM `p.ds.t` ORDER BY x"
        assert e.query(read).table.column("x").to_pylist() == [1, 2, 3]
        assert e.query(read).table.column("x").to_pylist() == [1, 2, 3]  # from the kept probe
        e.query("CREATE ROW ACCESS POLICY small ON `p.ds.t` FILTER USING (x < 3)")
        assert e.query(read).table.column("x").to_pylist() == [1, 2]
        e.query("DROP ALL ROW ACCESS POLICIES ON `p.ds.t`")
        assert e.query(read).table.column("x").to_pylist() == [1, 2, 3]
        day = int((time.time() + 86400) * 1000)
        tablekinds.set_expiration(e, "p", "ds", "t", str(day))  # as tables.patch does
        assert e.query(read).table.num_rows == 3
        tablekinds.set_expiration(e, "p", "ds", "t", str(int(time.time() * 1000) + 300))
        assert e.query(read).table.num_rows == 3
        time.sleep(0.4)
        with pytest.raises(NotFoundError, match="t"):
            e.query(read)
