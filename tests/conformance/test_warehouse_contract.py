"""The Warehouse contract, for every registered warehouse: GoogleSQL with typed named
parameters, loads, inserts, table listing, exports to the backend's own store, and one-line
errors."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pyarrow as pa
import pytest

from llmops.core.errors import LlmopsError, NotFoundError, QueryError

QUESTIONS = "bigquery-public-data.stackoverflow.posts_questions"

BREAKS: dict[tuple[str, str], str] = {}
"""(backend, case) -> how the backend differs from the contract; each a strict xfail."""


@pytest.fixture
def wh(warehouse_backend):
    return warehouse_backend.backend


def _dataset() -> str:
    return f"conformance_{uuid.uuid4().hex[:10]}"


def _qualified(tables: list[str], dataset_table: str) -> list[str]:
    return [t for t in tables if t.endswith(f".{dataset_table}") and len(t.split(".")) == 3]


PARAMS = [
    ("n", 42, pa.int64(), 42),
    ("s", "it's; DROP TABLE x", pa.string(), "it's; DROP TABLE x"),
    ("f", 2.5, pa.float64(), 2.5),
    ("b", True, pa.bool_(), True),
    ("d", dt.date(2020, 2, 29), pa.date32(), dt.date(2020, 2, 29)),
    ("xs", [3, 1, 2], pa.list_(pa.int64()), [3, 1, 2]),
    ("ss", ["a", "b"], pa.list_(pa.string()), ["a", "b"]),
]


@pytest.mark.parametrize(("name", "value", "arrow_type", "expected"), PARAMS, ids=[p[0] for p in PARAMS])
def test_typed_parameter_round_trips_with_its_arrow_type(
    known_break, warehouse_backend, name, value, arrow_type, expected
):
    known_break(BREAKS, warehouse_backend.name, name)
    wh = warehouse_backend.backend
    table = wh.query(f"SELECT @{name} AS v", {name: value})
    assert table.num_rows == 1
    got = table.schema.field("v").type
    if pa.types.is_list(arrow_type):  # the item field's name is not part of the contract
        assert pa.types.is_list(got) and got.value_type == arrow_type.value_type
    else:
        assert got == arrow_type
    assert table.column("v").to_pylist() == [expected]


def test_struct_parameter_keeps_its_field_names_and_int64(wh):
    table = wh.query("SELECT @s AS s, @s.camelCase AS c", {"s": {"camelCase": 7, "Name": "x"}})
    field_type = table.schema.field("s").type
    assert [field_type.field(i).name for i in range(field_type.num_fields)] == ["camelCase", "Name"]
    assert field_type.field("camelCase").type == pa.int64() and table.schema.field("c").type == pa.int64()
    assert table.to_pylist() == [{"s": {"camelCase": 7, "Name": "x"}, "c": 7}]


def test_timestamp_parameter_is_a_utc_timestamp(wh):
    when = dt.datetime(2021, 3, 4, 5, 6, 7, 123456, tzinfo=dt.UTC)
    table = wh.query("SELECT @t AS t", {"t": when})
    field_type = table.schema.field("t").type
    assert pa.types.is_timestamp(field_type) and field_type.tz in ("UTC", "+00:00", "Etc/UTC")
    assert table.column("t").to_pylist() == [when]


def test_parameters_are_bound_not_formatted(wh):
    table = wh.query("SELECT COUNT(*) AS n FROM UNNEST(@xs) AS x WHERE x > @min", {"xs": [1, 5, 9], "min": 4})
    assert table.column("n").to_pylist() == [2]


@pytest.mark.course_data
def test_the_course_table_is_queryable(wh):
    table = wh.query(
        f"SELECT id, title, tags FROM `{QUESTIONS}` WHERE REGEXP_CONTAINS(tags, @tag) ORDER BY id LIMIT @n",
        {"tag": "python", "n": 3},
    )
    assert table.num_rows == 3 and table.column_names == ["id", "title", "tags"]
    assert all("python" in t for t in table.column("tags").to_pylist())


def test_load_append_replace_then_query(wh):
    table = f"{_dataset()}.people"
    data = pa.table({"id": [1, 2], "name": ["a", "b"]})
    assert wh.load(table, data) == 2
    assert wh.load(table, data, mode="append") == 2
    assert wh.query(f"SELECT COUNT(*) AS n FROM {table}").column("n").to_pylist() == [4]
    assert wh.load(table, pa.table({"id": [7], "name": ["z"]}), mode="replace") == 1
    assert wh.query(f"SELECT id, name FROM {table}").to_pylist() == [{"id": 7, "name": "z"}]


def test_insert_rows_into_a_loaded_table(wh):
    table = f"{_dataset()}.t"
    wh.load(table, pa.table({"a": [1], "b": ["x"]}))
    assert wh.insert_rows(table, [{"a": 2, "b": "y"}, {"a": 3, "b": None}]) == 2
    rows = wh.query(f"SELECT a, b FROM {table} ORDER BY a").to_pylist()
    assert rows == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"a": 3, "b": None}]


def test_tables_lists_a_loaded_table_fully_qualified(wh):
    ds = _dataset()
    wh.load(f"{ds}.listed", pa.table({"a": [1]}))
    assert len(_qualified(wh.tables(), f"{ds}.listed")) == 1


def test_export_writes_jsonl_to_its_store_that_reads_back_equal(warehouse_backend, wh):
    ds = _dataset()
    rows = [{"id": i, "name": f"n{i}", "score": i / 2} for i in range(5)]
    wh.load(f"{ds}.src", pa.Table.from_pylist(rows))
    dest = warehouse_backend.scratch("export.jsonl")
    result = wh.export(f"SELECT id, name, score FROM {ds}.src WHERE id >= @lo ORDER BY id", dest, {"lo": 1})
    assert result.rows == 4 and result.uris == [dest]
    with warehouse_backend.store.open(dest, "rb") as f:
        back = [json.loads(line) for line in f.read().decode("utf-8").splitlines()]
    # BigQuery's JSON exports write INT64 as strings ("to preserve 64-bit precision"), on both backends
    assert sorted(back, key=lambda r: int(r["id"])) == [{**r, "id": str(r["id"])} for r in rows[1:]]


def test_bad_sql_is_a_one_line_query_error(wh):
    with pytest.raises(QueryError) as info:
        wh.query("SELEC 1")
    assert "\n" not in str(info.value)


def test_unknown_table_is_not_found_or_a_query_error(wh):
    with pytest.raises((NotFoundError, QueryError)) as info:
        wh.query(f"SELECT * FROM `{_dataset()}.missing`")
    assert isinstance(info.value, LlmopsError) and "\n" not in str(info.value)
