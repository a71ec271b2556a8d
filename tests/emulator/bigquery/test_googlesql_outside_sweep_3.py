"""GoogleSQL forms a third look at the outside sweep found ignored or refused: REGEXP_INSTR's
occurrence_position from a column, APPROX_QUANTILES with DISTINCT and RESPECT NULLS,
PERCENTILE_DISC/PERCENTILE_CONT with RESPECT NULLS, ARRAY_CONCAT_AGG with LIMIT. Each row is our
own query with the result Google's reference documents (its examples where it has them), run on
the local warehouse (`llmops sql`'s path) and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest
from googlesql_cases import (
    as_query,
    assert_fails_locally,
    assert_fails_through_client,
    client_queries,
    same_type,
    single_value,
)

INT, S, F = "INTEGER", "STRING", "FLOAT"

_EMAIL = "(SELECT 'a@gmail.com' AS s, {} AS o)"

# (query or expression, BigQuery's documented result, its type or None)
REGEXP_INSTR = [
    # the reference's example: 0 the start of the match, 1 the position after it, NULL NULL
    ("REGEXP_INSTR('a@gmail.com', '@[^.]*', 1, 1, 1)", 8, INT),
    ("REGEXP_INSTR('a@gmail.com', '@[^.]*', 1, 1, 0)", 2, INT),
    (f"SELECT REGEXP_INSTR(s, '@[^.]*', 1, 1, o) FROM {_EMAIL.format(1)}", 8, INT),
    (f"SELECT REGEXP_INSTR(s, '@[^.]*', 1, 1, o) FROM {_EMAIL.format(0)}", 2, INT),
    (f"SELECT REGEXP_INSTR(s, '@[^.]*', 1, 1, o) FROM {_EMAIL.format('CAST(NULL AS INT64)')}", None, INT),
    ("SELECT REGEXP_INSTR(s, '[a-z]+', 3, 2, o) FROM (SELECT 'ab@cd-ef' AS s, 1 AS o)", 9, INT),
]

_TEN = "UNNEST([1, 1, 1, 4, 5, 6, 7, 8, 9, 10]) AS x"
_TEN_NULLS = "UNNEST([NULL, NULL, 1, 1, 1, 4, 5, 6, 7, 8, 9, 10]) AS x"
APPROX_QUANTILES = [
    # the reference's examples (a NULL element cannot leave a query in an ARRAY: %T writes it)
    (f"SELECT APPROX_QUANTILES(DISTINCT x, 2) FROM {_TEN}", [1, 6, 10], INT),
    (f"SELECT APPROX_QUANTILES(x, 2) FROM {_TEN}", [1, 5, 10], INT),
    (f"SELECT FORMAT('%T', APPROX_QUANTILES(x, 2 RESPECT NULLS)) FROM {_TEN_NULLS}", "[NULL, 4, 10]", S),
    (f"SELECT FORMAT('%T', APPROX_QUANTILES(DISTINCT x, 2 RESPECT NULLS)) FROM {_TEN_NULLS}", "[NULL, 6, 10]", S),
    (f"SELECT APPROX_QUANTILES(x, 2 IGNORE NULLS) FROM {_TEN_NULLS}", [1, 5, 10], INT),
    (f"SELECT APPROX_QUANTILES(DISTINCT x, 2) FROM {_TEN_NULLS}", [1, 6, 10], INT),
]

_LETTERS = "UNNEST(['c', NULL, 'b', 'a']) AS x"
_NUMBERS = "UNNEST([0, 3, NULL, 1, 2]) AS x"
PERCENTILES = [
    # the reference's examples: NULLs take part, ordered first
    (f"SELECT PERCENTILE_DISC(x, 0 RESPECT NULLS) OVER () FROM {_LETTERS} LIMIT 1", None, S),
    (f"SELECT PERCENTILE_DISC(x, 0.5 RESPECT NULLS) OVER () FROM {_LETTERS} LIMIT 1", "a", S),
    (f"SELECT PERCENTILE_DISC(x, 1 RESPECT NULLS) OVER () FROM {_LETTERS} LIMIT 1", "c", S),
    (f"SELECT PERCENTILE_CONT(x, 0 RESPECT NULLS) OVER () FROM {_NUMBERS} LIMIT 1", None, F),
    (f"SELECT PERCENTILE_CONT(x, 0.01 RESPECT NULLS) OVER () FROM {_NUMBERS} LIMIT 1", 0.0, F),
    (f"SELECT PERCENTILE_CONT(x, 0.5 RESPECT NULLS) OVER () FROM {_NUMBERS} LIMIT 1", 1.0, F),
    (f"SELECT PERCENTILE_CONT(x, 0.9 RESPECT NULLS) OVER () FROM {_NUMBERS} LIMIT 1", 2.6, F),
    (f"SELECT PERCENTILE_CONT(x, 1 RESPECT NULLS) OVER () FROM {_NUMBERS} LIMIT 1", 3.0, F),
    # without RESPECT NULLS the NULL is left out (the reference's 0.03 and 2.7)
    (f"SELECT PERCENTILE_CONT(x, 0.9) OVER () FROM {_NUMBERS} LIMIT 1", 2.7, F),
    # per partition: a partition of NULLs only is NULL
    (
        "SELECT ARRAY_AGG(m IGNORE NULLS ORDER BY g) FROM (SELECT g, PERCENTILE_CONT(x, 0.5 RESPECT NULLS) "
        "OVER (PARTITION BY g) AS m FROM UNNEST([STRUCT(1 AS g, 1.0 AS x), (1, NULL), (1, 3.0), (2, NULL), (3, 5.0)]))",
        [1.0, 1.0, 1.0, 5.0],
        F,
    ),
]

_ARRAYS = "(SELECT [1, 2, 3, 4] AS x UNION ALL SELECT [5, 6] UNION ALL SELECT [7, 8, 9])"
ARRAY_CONCAT_AGG = [
    # the reference's example: LIMIT counts input arrays, not elements
    (f"SELECT ARRAY_CONCAT_AGG(x ORDER BY ARRAY_LENGTH(x) LIMIT 2) FROM {_ARRAYS}", [5, 6, 7, 8, 9], INT),
    (f"SELECT ARRAY_CONCAT_AGG(x ORDER BY ARRAY_LENGTH(x) DESC LIMIT 1) FROM {_ARRAYS}", [1, 2, 3, 4], INT),
    # a NULL key sorts first; a NULL array is left out
    (
        "SELECT ARRAY_CONCAT_AGG(x ORDER BY y LIMIT 1) FROM (SELECT ['1'] AS x, '1' AS y UNION ALL SELECT ['2', '3'], NULL)",
        ["2", "3"],
        S,
    ),
    (
        "SELECT ARRAY_CONCAT_AGG(x ORDER BY y LIMIT 2) FROM (SELECT [1] AS x, 1 AS y UNION ALL "
        "SELECT CAST(NULL AS ARRAY<INT64>), 2 UNION ALL SELECT [3], 3 UNION ALL SELECT [4], 4)",
        [1, 3],
        INT,
    ),
]

FAMILIES = {
    "regexp_instr": REGEXP_INSTR,
    "approx_quantiles": APPROX_QUANTILES,
    "percentiles": PERCENTILES,
    "array_concat_agg": ARRAY_CONCAT_AGG,
}

ROWS = [
    pytest.param(as_query(q), want, typ, id=f"{name}-{i}")
    for name, rows in FAMILIES.items()
    for i, (q, want, typ) in enumerate(rows)
]

# bad arguments and what the local warehouse cannot answer: named errors
FAILING = [
    (f"SELECT REGEXP_INSTR(s, '@[^.]*', 1, 1, o) FROM {_EMAIL.format(2)}", "occurrence_position must be 0 or 1"),
    ("SELECT REGEXP_INSTR('a@gmail.com', '@[^.]*', 1, 1, 2)", "occurrence_position must be 0 or 1"),
    ("SELECT ARRAY_CONCAT_AGG(x LIMIT n) FROM (SELECT [1] AS x, 1 AS n)", "LIMIT must be a non-negative INT64 literal"),
    (
        "SELECT PERCENTILE_CONT(x, 0.5 RESPECT NULLS) OVER () FROM UNNEST([NUMERIC '1', NULL]) AS x",
        "PERCENTILE_CONT of NUMERIC with RESPECT NULLS is not supported",
    ),
    (
        f"SELECT APPROX_QUANTILES(DISTINCT x, 0) FROM {_TEN}",
        "The second argument to APPROX_QUANTILES function must be positive",
    ),
]


def _same(got, want) -> bool:
    if want == [] and got is None:
        return True  # a NULL array: BigQuery's API hands it back as []
    if isinstance(want, float) and isinstance(got, float):
        return got == pytest.approx(want)
    return got == want


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    got, kind = single_value(warehouse, sql)
    assert _same(got, want), got
    assert same_type(kind, typ), kind


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    """Each family's FROM-less rows as the columns of one query; a row with a FROM on its own."""
    for sql, cases in client_queries(FAMILIES[family]):
        result = bigquery_client.query_and_wait(sql)
        values = list(next(iter(result)).values())
        for (q, want, typ), got, field in zip(cases, values, result.schema, strict=True):
            assert _same(got, want), (q, got)
            assert same_type(field.field_type, typ), (q, field.field_type)


@pytest.mark.parametrize("sql, message", FAILING)
def test_local_warehouse_fails(warehouse, sql, message):
    assert_fails_locally(warehouse, sql, message)


@pytest.mark.parametrize("sql, message", FAILING)
def test_bigquery_client_fails(bigquery_client, sql, message):
    assert_fails_through_client(bigquery_client, sql, message)
