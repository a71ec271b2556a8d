"""Result pages written column-wise as JSON bytes say exactly what the per-cell encoding says."""

from __future__ import annotations

import json

import pytest

from llmops.emulator.bigquery.encoding import SHORT_COLUMN, encode_rows, encode_rows_json
from llmops.emulator.bigquery.engine import BigQueryEngine

QUERIES = {
    "scalars": (
        "SELECT * FROM UNNEST([STRUCT(1 AS i, 1.5 AS f, TRUE AS b, 'a\"b\\\\c\\n\\td\\x01é✓😀' AS s,"
        " DATE '2024-01-02' AS d, TIMESTAMP '2024-01-02 03:04:05.123456+00' AS ts,"
        " DATETIME '2024-01-02 03:04:05' AS dtm, TIME '03:04:05.5' AS tm, NUMERIC '1.50' AS n,"
        " BIGNUMERIC '-0.000000000000000001' AS bn, b'\\x00\\xff' AS by, JSON '{\"k\": [1, \"x\"]}' AS j),"
        " STRUCT(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
        " STRUCT(-9223372036854775808, -0.0, FALSE, '', DATE '0001-01-01', TIMESTAMP '9999-12-31 23:59:59.999999+00',"
        " DATETIME '2024-01-02 03:04:05.000001', TIME '00:00:00', NUMERIC '0', BIGNUMERIC '12345.678', b'', JSON 'null')])"
    ),
    "special floats": "SELECT x FROM UNNEST([1.0, CAST('NaN' AS FLOAT64), CAST('inf' AS FLOAT64), NULL, 1e300]) AS x",
    "nested": (
        "SELECT [1, 2] AS a, ARRAY<STRING>[] AS e, STRUCT('x\"' AS s, [STRUCT(1 AS k)] AS r) AS st,"
        " [STRUCT('q' AS v, NULL AS w)] AS rs"
    ),
}


@pytest.fixture(scope="module")
def engine():
    with BigQueryEngine() as engine:
        yield engine


@pytest.mark.parametrize("timestamps", ["INT64", "FLOAT64", "ISO8601_STRING"])
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_json_bytes_match_the_cell_encoding(engine, name, timestamps):
    result = engine.query(QUERIES[name])
    expected = encode_rows(result.table, result.schema, timestamps=timestamps)
    raw = encode_rows_json(result.table, result.schema, timestamps=timestamps)
    assert raw == json.dumps(expected, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode()
    assert expected  # the query produced rows


def test_a_slice_and_an_empty_page(engine):
    result = engine.query("SELECT x, CAST(x AS STRING) AS s FROM UNNEST(GENERATE_ARRAY(1, 50)) AS x")
    page = result.table.slice(10, 5)
    assert json.loads(encode_rows_json(page, result.schema)) == encode_rows(page, result.schema)
    assert json.loads(encode_rows_json(page, result.schema))[0] == {"f": [{"v": "11"}, {"v": "11"}]}
    assert encode_rows_json(result.table.slice(0, 0), result.schema) == b"[]"


def test_short_columns_written_value_by_value_say_what_the_arrow_casts_say(engine):
    # INT64 and BOOL columns of up to SHORT_COLUMN values skip the Arrow cast; longer ones take it
    result = engine.query(
        "SELECT x, MOD(x, 3) = 0 AS b FROM UNNEST([-9223372036854775808, 9223372036854775807, NULL, 0, 3]"
        " || GENERATE_ARRAY(1, 60)) AS x WITH OFFSET o ORDER BY o"
    )
    assert result.table.num_rows > SHORT_COLUMN
    long = encode_rows(result.table, result.schema)
    short = encode_rows(result.table.slice(0, 5), result.schema)
    assert short == long[:5]
    assert short[:3] == [
        {"f": [{"v": "-9223372036854775808"}, {"v": "false"}]},
        {"f": [{"v": "9223372036854775807"}, {"v": "false"}]},
        {"f": [{"v": None}, {"v": None}]},
    ]
