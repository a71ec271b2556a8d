"""GoogleSQL that an outside sweep over bigquery-emulator-duckdb's query cases (values recorded
against BigQuery) found answered differently from BigQuery's documented behaviour:

- INT64 shifts: `-8 >> 1` was -4 (DuckDB extends the sign; the reference: `>>` fills the vacant
  bits with 0, 9223372036854775804), `1 << 63` failed with `Overflow in left shift` and `1 << 64`
  with `Left-shift value 64 is out of range` (the reference: the bits shifted out are dropped, and
  a count of 64 or more gives 0); a negative count is `Bitwise shift by negative offset.`;
- `MAX_BY(x, y)` / `MIN_BY(x, y)` skipped rows whose `x` is NULL (`MAX_BY(x, y)` over ('a', 1),
  (NULL, 2) was 'a'); the reference makes them `ANY_VALUE(x HAVING MAX y)`: NULL;
- a STRING cast to DATE, DATETIME or TIME read texts BigQuery refuses (`'2024/05/06'`,
  `'24-05-06'`, surrounding whitespace, a time with an offset): the reference requires the
  literal format (`YYYY-[M]M-[D]D`, `[H]H:[M]M:[S]S[.F]`); SAFE_CAST is NULL, CAST an error;
- `TRIM(s)` (and LTRIM/RTRIM) without a set kept tabs, newlines and other Unicode whitespace
  (`TRIM('\\t\\u3000a\\n')` was unchanged); the reference removes all whitespace characters.

Each row is our own query with the answer Google's GoogleSQL reference gives, run on the local
warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

S, INT, D, DT, T = "STRING", "INT64", "DATE", "DATETIME", "TIME"

# `<<` drops the bits shifted out, `>>` fills with 0; a count of 64 or more gives 0
SHIFTS = [
    ("1 << 63", -9223372036854775808, INT),
    ("5 << 64", 0, INT),
    ("7 >> 70", 0, INT),
    ("-16 >> 2", 4611686018427387900, INT),
    ("SELECT x >> 62 FROM UNNEST([-1]) AS x", 3, INT),
    ("SELECT x << 1 FROM UNNEST([4611686018427387904]) AS x", -9223372036854775808, INT),
    ("SELECT MAX(x >> 1) FROM UNNEST([-2, 4]) AS x", 9223372036854775807, INT),
]

# MAX_BY / MIN_BY: the x of the row with the greatest / least y, NULL included
MAX_BY_NULLS = [
    ("SELECT MAX_BY(name, score) FROM UNNEST([STRUCT('a' AS name, 1 AS score), (NULL, 9)])", None, S),
    ("SELECT MIN_BY(name, score) FROM UNNEST([STRUCT(CAST(NULL AS STRING) AS name, 1 AS score), ('b', 9)])", None, S),
    ("SELECT MAX_BY(name, score) OVER () FROM UNNEST([STRUCT('a' AS name, 1 AS score), (NULL, 9)]) LIMIT 1", None, S),
]

# STRING -> DATE / DATETIME / TIME takes the literal format only
CANONICAL_TEXT = [
    ("SAFE_CAST('2024/05/06' AS DATE)", None, D),
    ("SELECT SAFE_CAST(x AS DATE) FROM UNNEST(['2024/05/06']) AS x", None, D),
    ("SELECT SAFE_CAST(x AS DATE) FROM UNNEST(['24-05-06']) AS x", None, D),
    ("SELECT SAFE_CAST(x AS DATE) FROM UNNEST([' 2024-05-06']) AS x", None, D),
    ("SELECT SAFE_CAST(x AS DATETIME) FROM UNNEST(['2024-05-06 10:20:30 ']) AS x", None, DT),
    ("SELECT SAFE_CAST(x AS TIME) FROM UNNEST(['10:20:30+02:00']) AS x", None, T),
]

# TRIM / LTRIM / RTRIM without a set remove every Unicode whitespace character
WHITESPACE_TRIMS = [
    ("TRIM('\\t\\u3000a b\\n')", "a b", S),
    ("LTRIM('\\r\\n\\u0085a ')", "a ", S),
    ("RTRIM(' a\\u2028\\x0b')", " a", S),
    ("SELECT TRIM(x) FROM UNNEST(['\\tb\\t']) AS x", "b", S),
]

FAMILIES = {
    "shifts": SHIFTS,
    "max_by_nulls": MAX_BY_NULLS,
    "canonical_text": CANONICAL_TEXT,
    "whitespace_trims": WHITESPACE_TRIMS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


@pytest.mark.parametrize(
    "sql, fragment",
    [
        ("SELECT 1 << -1", "Bitwise shift by negative offset"),
        ("SELECT x >> -2 FROM UNNEST([8]) AS x", "Bitwise shift by negative offset"),
        ("SELECT CAST(x AS DATE) FROM UNNEST(['2024/05/06']) AS x", "Invalid date: '2024/05/06'"),
        ("SELECT CAST('2024/05/06' AS DATE)", "Invalid date: '2024/05/06'"),
        ("SELECT CAST(x AS TIME) FROM UNNEST(['10:20:30+02:00']) AS x", 'Invalid time string "10:20:30+02:00"'),
    ],
)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
