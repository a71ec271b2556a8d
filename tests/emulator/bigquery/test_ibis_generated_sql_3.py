"""The third round of the ibis sweep (ibis-framework 12.0.0's BigQuery backend test suite against
the emulator).

- A Parquet, ORC or Avro load whose lists hold a NULL element (ibis's `ibis.memtable` of
  `[[3, 2, None], [None]]`: ibis loads a memtable with `load_table_from_dataframe`, a Parquet file):
  a BigQuery table's ARRAY cannot hold a NULL element (a REPEATED field's values are never NULL;
  the GoogleSQL reference's array type: such an array may exist inside a query, never in what is
  written), and ibis's marks record BigQuery's BadRequest for those memtables. The emulator stored
  the NULL elements, and the queries over them answered (`array_remove` answered `[3]` for
  `[3, 2, NULL]`). A JSON row's `[1, null]` was already refused. The NULL array itself, and lists
  without NULL elements, still load.

- A STRING with more than six fractional digits cast to TIMESTAMP, DATETIME or TIME (ibis's
  `ibis.literal("2023-01-07 13:20:05.561000231").cast(dt.Timestamp(scale=9))`, written as
  `CAST('...' AS DATETIME)`): the reference's canonical formats have "up to six fractional digits";
  ibis's mark records BigQuery's 400 `Invalid timestamp: '2023-01-07 13:20:05.561000231'`. The
  emulator truncated to the microsecond and answered. SAFE_CAST is NULL; six digits still cast.

- `GENERATE_ARRAY(0, ARRAY_LENGTH(ARRAY(SELECT ...)) - 1)` (ibis's `unnest` of an `ibis.range`): an
  argument holding a subquery failed with DuckDB's "subqueries in lambda expressions are not
  supported" (the series' rewrite read its arguments inside lambdas); BigQuery answers the series.

The local warehouse has no load jobs (it refuses `LOAD DATA` by name); its side here is the load
jobs' reader, `loads.read_load_data`, which the emulator's load jobs call.
"""

from __future__ import annotations

import io
import uuid

import fastavro
import pandas as pd
import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    check_locally,
    check_through_client,
)

from llmops.emulator.bigquery.loads import LoadError, read_load_data

REFUSED = "Array cannot have a null element; error in writing field"
SCHEMA = [{"name": "a", "type": "INTEGER", "mode": "REPEATED"}]


def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _orc(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    orc.write_table(table, buf)
    return buf.getvalue()


def _avro(rows: list[dict]) -> bytes:
    schema = {
        "type": "record",
        "name": "r",
        "fields": [{"name": "a", "type": ["null", {"type": "array", "items": ["null", "long"]}]}],
    }
    buf = io.BytesIO()
    fastavro.writer(buf, fastavro.parse_schema(schema), rows)
    return buf.getvalue()


WITH_NULL_ELEMENT = pa.table({"a": pa.array([[3, 2, None], [None], [42, 2]], pa.list_(pa.int64()))})
IN_A_STRUCT = pa.table({"s": pa.array([{"arr": [1, None]}], pa.struct([("arr", pa.list_(pa.int64()))]))})
FILES = [
    pytest.param("PARQUET", _parquet(WITH_NULL_ELEMENT), "a", id="parquet"),
    pytest.param("PARQUET", _parquet(IN_A_STRUCT), "s.arr", id="parquet-struct-field"),
    pytest.param("ORC", _orc(WITH_NULL_ELEMENT), "a", id="orc"),
    pytest.param("AVRO", _avro([{"a": [3, None]}, {"a": [1]}]), "a", id="avro"),
]


@pytest.mark.parametrize("fmt, data, path", FILES)
@pytest.mark.parametrize("with_schema", [True, False], ids=["schema", "own-schema"])
def test_a_null_element_fails_the_load_locally(fmt, data, path, with_schema):
    schema = SCHEMA if with_schema and path == "a" else None
    with pytest.raises(LoadError) as info:
        read_load_data(data, {"sourceFormat": fmt}, schema)
    assert f"{REFUSED} {path}" in info.value.message


def _dataset(client) -> str:
    ds = client.create_dataset(f"ibis3_{uuid.uuid4().hex[:8]}")
    return f"{ds.project}.{ds.dataset_id}"


@pytest.mark.parametrize("fmt, data, path", FILES)
def test_a_null_element_fails_the_load_through_the_client(bigquery_client, fmt, data, path):
    table = f"{_dataset(bigquery_client)}.t"
    config = bigquery.LoadJobConfig(source_format=fmt)
    with pytest.raises(BadRequest) as info:
        bigquery_client.load_table_from_file(io.BytesIO(data), table, job_config=config).result()
    assert f"{REFUSED} {path}" in str(info.value)


def test_an_ibis_memtable_with_a_null_element_fails_to_load(bigquery_client):
    # ibis's _register_in_memory_table: load_table_from_dataframe with the memtable's schema
    table = f"{_dataset(bigquery_client)}.t"
    frame = pd.DataFrame({"a": [[3, 2, None], [None], [42, 2], [2, 2], None]})
    config = bigquery.LoadJobConfig(
        schema=[bigquery.SchemaField("a", "INT64", mode="REPEATED")],
        write_disposition=bigquery.WriteDisposition.WRITE_EMPTY,
    )
    with pytest.raises(BadRequest) as info:
        bigquery_client.load_table_from_dataframe(frame, table, job_config=config).result()
    assert f"{REFUSED} a" in str(info.value)
    # nothing was written: the table is still empty for a load of a NULL array and arrays without
    # NULL elements, which still loads (the REST API sends a NULL array as [])
    frame = pd.DataFrame({"i": [1, 2, 3], "a": [[3, 2], None, []]})
    config.schema = [bigquery.SchemaField("i", "INT64"), bigquery.SchemaField("a", "INT64", mode="REPEATED")]
    bigquery_client.load_table_from_dataframe(frame, table, job_config=config).result()
    rows = bigquery_client.query(f"SELECT i, a FROM `{table}` ORDER BY i").result()
    assert [(r["i"], r["a"]) for r in rows] == [(1, [3, 2]), (2, []), (3, [])]


_NANOS = "2023-01-07 13:20:05.561000231"
FINER_THAN_MICROSECONDS = [
    # ibis: ibis.literal(...).cast(dt.Timestamp(scale=9))
    (f"SELECT CAST('{_NANOS}' AS DATETIME)", f'Invalid datetime string "{_NANOS}"'),
    (f"SELECT CAST('{_NANOS}' AS TIMESTAMP)", f"Invalid timestamp: '{_NANOS}'"),
    (f"SELECT TIMESTAMP '{_NANOS}+00'", f"Invalid timestamp: '{_NANOS}+00'"),
    (f"SELECT TIMESTAMP('{_NANOS}', 'America/Chicago')", f"Invalid timestamp: '{_NANOS}'"),
    ("SELECT DATETIME '2023-01-07 13:20:05.5610002'", 'Invalid datetime string "2023-01-07 13:20:05.5610002"'),
    ("SELECT DATETIME('2023-01-07 13:20:05.5610002')", 'Invalid datetime string "2023-01-07 13:20:05.5610002"'),
    ("SELECT TIME '13:20:05.5610002'", 'Invalid time string "13:20:05.5610002"'),
    (f"SELECT CAST(s AS TIMESTAMP) FROM UNNEST(['{_NANOS}']) AS s", f"Invalid timestamp: '{_NANOS}'"),
    (f"SELECT CAST(s AS DATETIME) FROM UNNEST(['{_NANOS}']) AS s", f'Invalid datetime string "{_NANOS}"'),
]


@pytest.mark.parametrize("sql, fragment", FINER_THAN_MICROSECONDS)
def test_more_than_six_fractional_digits_are_refused(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


MICROSECONDS = [
    (f"SAFE_CAST('{_NANOS}' AS DATETIME) IS NULL", True, "BOOL"),
    (f"SAFE_CAST('{_NANOS}' AS TIMESTAMP) IS NULL", True, "BOOL"),
    ("SAFE_CAST('13:20:05.5610002' AS TIME) IS NULL", True, "BOOL"),
    (
        f"SELECT COUNTIF(SAFE_CAST(s AS TIMESTAMP) IS NULL) FROM UNNEST(['{_NANOS}', '2023-01-07 13:20:05.5+01']) AS s",
        1,
        "INT64",
    ),
    ("CAST(CAST('2023-01-07 13:20:05.561021' AS DATETIME) AS STRING)", "2023-01-07 13:20:05.561021", "STRING"),
    ("UNIX_MICROS(TIMESTAMP '2023-01-07 13:20:05.561021+00')", 1673097605561021, "INT64"),
    ("CAST(TIME '13:20:05.000001' AS STRING)", "13:20:05.000001", "STRING"),
]


def test_safe_cast_is_null_and_six_fractional_digits_cast_locally(warehouse):
    for sql, want, typ in MICROSECONDS:
        check_locally(warehouse, sql, want, typ)


def test_six_fractional_digits_and_safe_cast_through_the_client(bigquery_client):
    check_through_client(bigquery_client, MICROSECONDS)


SERIES_OF_SUBQUERIES = [
    ("SELECT GENERATE_ARRAY(0, (SELECT 2))", [0, 1, 2], None),
    ("SELECT GENERATE_ARRAY((SELECT 1), 3)", [1, 2, 3], None),
    ("SELECT GENERATE_ARRAY(0.5, (SELECT 2))", [0.5, 1.5], None),
    # ibis: ibis.range(0, 2).unnest()
    (
        "SELECT ARRAY_AGG(pos ORDER BY pos) FROM UNNEST(GENERATE_ARRAY(0, ARRAY_LENGTH(IF(TRUE, "
        "ARRAY(SELECT r FROM UNNEST(GENERATE_ARRAY(0, 2, 1)) AS r WHERE r <> 2), [])) - 1)) AS pos",
        [0, 1],
        None,
    ),
]


def test_a_series_of_subquery_arguments_locally(warehouse):
    for sql, want, typ in SERIES_OF_SUBQUERIES:
        check_locally(warehouse, sql, want, typ)
    assert_fails_locally(warehouse, "SELECT GENERATE_ARRAY(0, 3, (SELECT 0))", "the step must not be 0")


def test_a_series_of_subquery_arguments_through_the_client(bigquery_client):
    check_through_client(bigquery_client, SERIES_OF_SUBQUERIES)
