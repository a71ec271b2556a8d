"""What other emulators' client suites expect and the emulator answered otherwise, reproduced
through google-cloud-bigquery (the 2026-12-04 third rerun, docs/emulator.md "Other emulators'
client suites"):

- The Recidiviz-derived suite's `test_read_bigquery_storage` streams BigQuery's BIGNUMERIC
  maximum, 5.7896044618658097711785492504343953926634992332820282019728792003956564819967E+38
  (GoogleSQL's data types reference), with `insert_rows_json`, then reads it through the Read
  API. A stored BIGNUMERIC of 39 integer digits (10^38 up to that maximum) was refused by name
  ("storing a value of 39 integer digits"): the row was built into Arrow's decimal256(76, 38),
  whose 76 digits of precision do not admit the value times 10^38 though its 256 bits hold it.
- googleapis/nodejs-bigquery's system test "should return partial errors" streams `{name: true}`
  into a STRING field and expects BigQuery's row error "Conversion from bool to std::string is
  unsupported."; the emulator answered its own "Cannot convert value to string: true (field
  name).". BigQuery's other known insertAll wordings likewise (rowerrorwords.py).
"""

from __future__ import annotations

import io
import json
import uuid
from decimal import Decimal

import pytest
from google.cloud import bigquery

MAX = "5.7896044618658097711785492504343953926634992332820282019728792003956564819967E+38"
MIN = "-5.7896044618658097711785492504343953926634992332820282019728792003956564819968E+38"
VALUES = [MAX, MIN, "1e38", "-100000000000000000000000000000000000000.5", "1e-38"]


def _table(client) -> str:
    ds = client.create_dataset(f"bn39_{uuid.uuid4().hex[:8]}")
    table = bigquery.Table(
        f"{ds.project}.{ds.dataset_id}.t",
        schema=[bigquery.SchemaField("i", "INTEGER"), bigquery.SchemaField("b", "BIGNUMERIC")],
    )
    client.create_table(table)
    return f"{ds.project}.{ds.dataset_id}.t"


def _rows() -> list[dict]:
    return [{"i": i, "b": v} for i, v in enumerate(VALUES)] + [{"i": len(VALUES), "b": None}]


def _want() -> dict[int, Decimal | None]:
    return {**{i: Decimal(v) for i, v in enumerate(VALUES)}, len(VALUES): None}


def _check(client, table: str) -> None:
    want = _want()
    assert {r["i"]: r["b"] for r in client.list_rows(table)} == want
    got = client.query(f"SELECT i, b FROM `{table}`").result()
    assert {r["i"]: r["b"] for r in got} == want
    arrow = client.list_rows(table).to_arrow(create_bqstorage_client=True)
    assert dict(zip(arrow.column("i").to_pylist(), arrow.column("b").to_pylist(), strict=True)) == want
    # compared and ordered exactly in the wide column
    got = client.query(f"SELECT i FROM `{table}` WHERE b >= 1e38 ORDER BY b DESC").result()
    assert [r["i"] for r in got] == [0, 2]


def test_insert_rows_json_of_the_bignumeric_maximum(bigquery_client):
    """The suite's step: insert_rows_json of the maximum (and the minimum) into a BIGNUMERIC column."""
    table = _table(bigquery_client)
    assert bigquery_client.insert_rows_json(table, _rows()) == []
    _check(bigquery_client, table)
    # one more unit in the last place is beyond BigQuery's BIGNUMERIC: the row is invalid
    past = "578960446186580977117854925043439539266.34992332820282019728792003956564819968"
    errors = bigquery_client.insert_rows_json(table, [{"i": 9, "b": past}])
    assert [e["errors"][0]["reason"] for e in errors] == ["invalid"]
    assert len(list(bigquery_client.list_rows(table))) == len(VALUES) + 1


@pytest.mark.parametrize("fmt", ["NEWLINE_DELIMITED_JSON", "CSV"])
def test_a_load_of_39_integer_digits(bigquery_client, fmt):
    table = _table(bigquery_client)
    if fmt == "CSV":
        data = "\n".join(f"{r['i']},{r['b'] or ''}" for r in _rows())
    else:
        data = "\n".join(json.dumps(r) for r in _rows())
    config = bigquery.LoadJobConfig(source_format=fmt)
    bigquery_client.load_table_from_file(io.BytesIO(data.encode()), table, job_config=config).result()
    _check(bigquery_client, table)


def test_the_maximum_alone_in_a_table_of_one_column(bigquery_client):
    ds = bigquery_client.create_dataset(f"bn39_{uuid.uuid4().hex[:8]}")
    table = f"{ds.project}.{ds.dataset_id}.one"
    bigquery_client.create_table(bigquery.Table(table, schema=[bigquery.SchemaField("b", "BIGNUMERIC")]))
    assert bigquery_client.insert_rows_json(table, [{"b": MAX}]) == []
    assert [r["b"] for r in bigquery_client.list_rows(table)] == [Decimal(MAX)]


def _errors(client, rows: list[dict]) -> list[tuple[int, str, str, str]]:
    ds = client.create_dataset(f"rowerr_{uuid.uuid4().hex[:8]}")
    table = f"{ds.project}.{ds.dataset_id}.t"
    schema = [
        bigquery.SchemaField("name", "STRING"),
        bigquery.SchemaField("n", "INTEGER"),
        bigquery.SchemaField("x", "FLOAT"),
        bigquery.SchemaField("tags", "STRING"),
    ]
    client.create_table(bigquery.Table(table, schema=schema))
    errors = client.insert_rows_json(table, rows)
    assert list(client.list_rows(table)) == []  # an invalid row stops the others
    return sorted(
        (e["index"], e["errors"][0]["reason"], e["errors"][0]["location"], e["errors"][0]["message"]) for e in errors
    )


def test_the_nodejs_system_tests_partial_errors(bigquery_client):
    got = _errors(bigquery_client, [{"name": "dave"}, {"name": True}])
    assert got == [
        (0, "stopped", "", ""),
        (1, "invalid", "name", "Conversion from bool to std::string is unsupported."),
    ]


@pytest.mark.parametrize(
    ("row", "location", "message"),
    [
        ({"tags": ["a", "b"]}, "tags", "Array specified for non-repeated field: tags."),
        ({"tags": {"a": 1}}, "tags", "This field: tags is not a record."),
        ({"n": 5.69}, "n", "Cannot convert value to integer (bad value): 5.69"),
        ({"n": "12abc"}, "n", "Cannot convert value to integer (bad value): 12abc"),
        ({"x": "SPY"}, "x", "Cannot convert value to floating point (bad value): SPY"),
    ],
)
def test_bigquerys_insert_all_row_error_words(bigquery_client, row, location, message):
    assert _errors(bigquery_client, [row]) == [(0, "invalid", location, message)]
