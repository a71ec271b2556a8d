"""NaN's place in an order, and window frame offsets and bounds, as BigQuery has them (fifth
ZetaSQL sweep, groups 1, 7 and 10).

GoogleSQL orders NULL < NaN < -inf < ... < +inf ascending (the reverse descending). A plain
`ORDER BY column` did; DuckDB's NaN-above-+inf still answered:

- ORDER BY an expression, or a SELECT alias or position of one (`SELECT x * 2 AS y ... ORDER BY y`,
  groupby_single_computed_column_double, grouping_sets_with_alias);
- a window ORDER BY with a frame clause: `COUNT(*) OVER (ORDER BY x RANGE BETWEEN UNBOUNDED
  PRECEDING AND CURRENT ROW)` counted NaN last, and offsets reached from NaN rows
  (analytic_sum_range_*);
- PERCENTILE_CONT and PERCENTILE_DISC (also with RESPECT NULLS) took NaN for the greatest value
  (analytic_percentile_cont, _interpolation, _respect_nulls);
- `UNNEST(ARRAY(SELECT col FROM table ORDER BY col))`, whose column type sqlglot's optimizer left
  unknown (orderby_duplicates_single_base_column_double_*).

A frame offset that is NULL, NaN or negative, or +inf where an infinite key of the other sign
would make the bound NaN, is BigQuery's error; the local warehouse answered (a NULL query
parameter as an empty frame, NaN and +inf as bounds) (analytic_window_frames:
range_window_null_offset_*, range_window_nan_offset_*, range_window_inf_offset_*).

A RANGE bound of an INT64 key past INT64's range (`x + 9223372036854775807 FOLLOWING`) failed
with "Overflow in addition of INT64"; ZetaSQL's bound takes in every key on that side (group 10).
"""

from __future__ import annotations

import pytest
from google.cloud import bigquery
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

from llmops.core.errors import QueryError

STR = "STRING"
NAN = "CAST('nan' AS FLOAT64)"
INF = "CAST('inf' AS FLOAT64)"
VALUES = f"UNNEST([1.0, {NAN}, -{INF}, 2.0]) AS x"


def _listed(array: str) -> str:
    """An ARRAY<FLOAT64> as one STRING, in the array's order."""
    return f"ARRAY_TO_STRING(ARRAY(SELECT CAST(e AS STRING) FROM UNNEST({array}) AS e WITH OFFSET o ORDER BY o), ',')"


def _framed(over: str, values: str) -> str:
    """Each row's key and window value `<key>:<value>`, in key order as GoogleSQL sorts it."""
    return (
        "SELECT STRING_AGG(CONCAT(IFNULL(CAST(x AS STRING), 'null'), ':', CAST(w AS STRING)), ' ' ORDER BY r) "
        f"FROM (SELECT x, {over} AS w, RANK() OVER (ORDER BY x, v) AS r FROM {values})"
    )


KEYED = f"UNNEST([STRUCT({NAN} AS x, 1 AS v), (-{INF}, 2), (1, 4), (2, 8), (2.5, 16), ({INF}, 32), ({NAN}, 64), (NULL, 128)])"

EXPRESSION_KEYS = [
    # an expression, an alias of one, its position; ascending and descending
    (_listed(f"ARRAY(SELECT x * 2 FROM {VALUES} ORDER BY x * 2)"), "nan,-inf,2,4", STR),
    (_listed(f"ARRAY(SELECT x * 2 AS y FROM {VALUES} ORDER BY y)"), "nan,-inf,2,4", STR),
    (_listed(f"ARRAY(SELECT x * 2 AS y FROM {VALUES} ORDER BY 1 DESC)"), "4,2,-inf,nan", STR),
    (_listed(f"ARRAY(SELECT x + 0 AS y FROM {VALUES} ORDER BY y DESC NULLS FIRST)"), "2,1,-inf,nan", STR),
    (
        f"SELECT STRING_AGG(CAST(x / 2 AS STRING), ',' ORDER BY x / 2) FROM {VALUES}",
        "nan,-inf,0.5,1",
        STR,
    ),
]

# KEYED's rows in GoogleSQL's order: NULL (v 128), NaN (1, 64), -inf (2), 1 (4), 2 (8), 2.5 (16), inf (32)
FRAMES = [
    # NULL and NaN rows are each other's peers; an offset reaches neither from a number
    (
        _framed("COUNT(*) OVER (ORDER BY x RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)", KEYED),
        "null:1 nan:3 nan:3 -inf:4 1:5 2:6 2.5:7 inf:8",
        STR,
    ),
    (
        _framed("SUM(v) OVER (ORDER BY x RANGE BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING)", KEYED),
        "null:128 nan:193 nan:193 -inf:195 1:207 2:223 2.5:223 inf:255",
        STR,
    ),
    # descending: 1 PRECEDING reaches the key + 1; NaN and NULL come last
    (
        _framed("SUM(v) OVER (ORDER BY x DESC RANGE BETWEEN 1 PRECEDING AND UNBOUNDED FOLLOWING)", KEYED),
        "null:128 nan:193 nan:193 -inf:195 1:207 2:223 2.5:223 inf:255",
        STR,
    ),
    (
        _framed("SUM(v) OVER (ORDER BY x, v ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)", KEYED),
        "null:128 nan:129 nan:65 -inf:66 1:6 2:12 2.5:24 inf:48",
        STR,
    ),
    # the TRIAGE repro: (nan, 1) (-inf, 2) (1, 3)
    (
        _framed(
            "COUNT(*) OVER (ORDER BY x RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
            f"UNNEST([STRUCT(1.0 AS x, 0 AS v), ({NAN}, 0), (-{INF}, 0)])",
        ),
        "nan:1 -inf:2 1:3",
        STR,
    ),
]

P5 = f"UNNEST([1.0, {NAN}, -{INF}, NULL, 3.0, 5.0]) AS x"
P_NULLS = f"UNNEST([NULL, {NAN}, 1.0, 2.0, 3.0]) AS x"


def _percentile(call: str, values: str) -> str:
    return f"SELECT CAST({call} OVER () AS STRING) FROM {values} LIMIT 1"


PERCENTILES = [
    # the values in GoogleSQL's order: NaN, -inf, 1, 3, 5 (NULL left out)
    (_percentile("PERCENTILE_CONT(x, 0)", P5), "nan", STR),
    (_percentile("PERCENTILE_CONT(x, 0.125)", P5), "nan", STR),  # between NaN and -inf
    (_percentile("PERCENTILE_CONT(x, 0.375)", P5), "-inf", STR),  # between -inf and 1
    (_percentile("PERCENTILE_CONT(x, 0.625)", P5), "2", STR),  # between 1 and 3
    (_percentile("PERCENTILE_CONT(x, 1)", P5), "5", STR),
    (_percentile("PERCENTILE_DISC(x, 0)", P5), "nan", STR),
    (_percentile("PERCENTILE_DISC(x, 0.4)", P5), "-inf", STR),
    (_percentile("PERCENTILE_DISC(x, 0.6)", P5), "1", STR),
    # RESPECT NULLS: NULL, NaN, 1, 2, 3
    (_percentile("PERCENTILE_CONT(x, 0.25 RESPECT NULLS)", P_NULLS), "nan", STR),
    (_percentile("PERCENTILE_CONT(x, 0.375 RESPECT NULLS)", P_NULLS), "nan", STR),  # between NaN and 1
    (_percentile("PERCENTILE_CONT(x, 0.625 RESPECT NULLS)", P_NULLS), "1.5", STR),
    (_percentile("PERCENTILE_DISC(x, 0.4 RESPECT NULLS)", P_NULLS), "nan", STR),
    (_percentile("PERCENTILE_DISC(x, 0.6 RESPECT NULLS)", P_NULLS), "1", STR),
]


def _counted(frame: str, values: str) -> str:
    """Each INT64 key's COUNT(*) over `frame`, `<key>:<count>` in key order."""
    return (
        "SELECT STRING_AGG(CONCAT(CAST(x AS STRING), ':', CAST(c AS STRING)), ' ' ORDER BY x) "
        f"FROM (SELECT x, COUNT(*) OVER (ORDER BY x {frame}) AS c FROM UNNEST({values}) AS x)"
    )


MAX = "9223372036854775807"
# a bound past INT64's range takes in every key on that side (analytic_window_frames:
# range_window_*_with_large_offsets_*, *_special_values_*; analytic_count_star_4)
INT64_BOUNDS = [
    (_counted(f"RANGE BETWEEN CURRENT ROW AND {MAX} FOLLOWING", "[1, 2, 3]"), "1:3 2:2 3:1", STR),
    (_counted(f"RANGE BETWEEN {MAX} PRECEDING AND {MAX} FOLLOWING", "[10, 11, 13]"), "10:3 11:3 13:3", STR),
    (
        _counted("RANGE BETWEEN 2 PRECEDING AND CURRENT ROW", f"[-{MAX} - 1, 0, {MAX}]"),
        f"-{int(MAX) + 1}:1 0:1 {MAX}:1",
        STR,
    ),
    (
        _counted("RANGE BETWEEN 1 FOLLOWING AND 2 FOLLOWING", f"[{MAX} - 2, {MAX} - 1, {MAX}]"),
        f"{int(MAX) - 2}:2 {int(MAX) - 1}:1 {MAX}:0",
        STR,
    ),
    (
        _counted(f"DESC RANGE BETWEEN {MAX} PRECEDING AND 1 PRECEDING", f"[-{MAX}, 0, {MAX}]"),
        f"-{MAX}:1 0:1 {MAX}:0",
        STR,
    ),
]

FAMILIES = {
    "expression_keys": EXPRESSION_KEYS,
    "frames": FRAMES,
    "percentiles": PERCENTILES,
    "int64_bounds": INT64_BOUNDS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_a_tables_float64_column_sorts_nan_first(env):
    """groupby_single_computed_column_double, grouping_sets_with_alias (a SELECT alias and position
    of an expression), orderby_duplicates_single_base_column_double (inside UNNEST(ARRAY(...)))."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.t AS SELECT * FROM UNNEST([1.5, {NAN}, -{INF}, NULL, 0.5, 1.5]) AS d")
    rows = run(f"SELECT d * 2 AS c1, COUNT(*) AS cnt FROM {ds}.t GROUP BY c1 ORDER BY c1")
    assert [(str(a), b) for a, b in rows] == [("None", 1), ("nan", 1), ("-inf", 1), ("1.0", 1), ("3.0", 2)]
    rows = run(f"SELECT d + 1 AS x, COUNT(*) AS n FROM {ds}.t GROUP BY GROUPING SETS(x, ()) ORDER BY 1 DESC, 2")
    assert [(str(a), b) for a, b in rows] == [
        ("2.5", 2),
        ("1.5", 1),
        ("-inf", 1),
        ("nan", 1),
        ("None", 1),
        ("None", 6),
    ]
    rows = run(
        f"SELECT x, pos FROM UNNEST(ARRAY(SELECT d FROM {ds}.t WHERE d IS NOT NULL ORDER BY d DESC)) AS x "
        "WITH OFFSET pos ORDER BY pos"
    )
    assert [str(x) for x, _ in rows] == ["1.5", "1.5", "0.5", "-inf", "nan"]


OFFSET_ERRORS = [
    (
        "SELECT COUNT(*) OVER (ORDER BY x RANGE BETWEEN CAST(NULL AS INT64) PRECEDING AND CURRENT ROW) "
        "FROM UNNEST([1, 2]) AS x",
        "The boundary offset value cannot be null",
    ),
    (
        "SELECT COUNT(*) OVER (ORDER BY x ROWS BETWEEN CURRENT ROW AND CAST(NULL AS INT64) FOLLOWING) "
        "FROM UNNEST([1, 2]) AS x",
        "The boundary offset value cannot be null",
    ),
    (
        f"SELECT COUNT(*) OVER (ORDER BY x RANGE BETWEEN CURRENT ROW AND {NAN} FOLLOWING) FROM {VALUES}",
        "Window frame offset for PRECEDING or FOLLOWING must be non-negative, but was nan",
    ),
    (
        f"SELECT COUNT(*) OVER (ORDER BY x RANGE BETWEEN {INF} PRECEDING AND CURRENT ROW) "
        f"FROM UNNEST([1.0, {INF}]) AS x",
        "Offset value cannot be positive infinity when there exists a positive infinity order key for an "
        "offset PRECEDING on an ascending partition",
    ),
]


@pytest.mark.parametrize("sql, fragment", OFFSET_ERRORS)
def test_frame_offsets_bigquery_refuses(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


# analytic_window_frames' offsets given as query parameters
PARAMETER_ERRORS = [
    ("RANGE BETWEEN @off PRECEDING AND CURRENT ROW", "INT64", None, "The boundary offset value cannot be null"),
    ("RANGE BETWEEN 2 FOLLOWING AND @off FOLLOWING", "INT64", None, "The boundary offset value cannot be null"),
    (
        "RANGE BETWEEN @off PRECEDING AND CURRENT ROW",
        "INT64",
        -1,
        "Window frame offset for PRECEDING or FOLLOWING must be non-negative, but was -1",
    ),
    (
        "RANGE BETWEEN @off FOLLOWING AND 2 FOLLOWING",
        "FLOAT64",
        float("nan"),
        "Window frame offset for PRECEDING or FOLLOWING must be non-negative, but was nan",
    ),
    (
        "RANGE BETWEEN @off FOLLOWING AND 2 FOLLOWING",
        "FLOAT64",
        float("inf"),
        "Offset value cannot be positive infinity when there exists a negative infinity order key for an "
        "offset FOLLOWING on an ascending partition",
    ),
    (
        "RANGE BETWEEN 2 PRECEDING AND @off PRECEDING",
        "FLOAT64",
        float("inf"),
        "Offset value cannot be positive infinity when there exists a positive infinity order key for an "
        "offset PRECEDING on an ascending partition",
    ),
]
KEYS = f"UNNEST([1.0, -{INF}, {INF}, {NAN}]) AS x"


def _window(frame: str) -> str:
    return f"SELECT MIN(x) OVER w FROM {KEYS} WINDOW w AS (ORDER BY x {frame})"


@pytest.mark.parametrize("frame, kind, value, fragment", PARAMETER_ERRORS)
def test_frame_offset_parameters_bigquery_refuses(warehouse, bigquery_client, frame, kind, value, fragment):
    sql = _window(frame)
    with pytest.raises(QueryError) as info:
        warehouse.engine.query(sql, {"off": value}, param_types={"off": kind})
    assert fragment in str(info.value)
    from google.api_core.exceptions import BadRequest

    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("off", kind, value)])
    with pytest.raises(BadRequest) as err:
        bigquery_client.query_and_wait(sql, job_config=config)
    assert fragment in str(err.value)


def test_an_infinite_offset_that_reaches_no_infinite_key_answers(warehouse, bigquery_client):
    """range_window_inf_offset_9: +inf PRECEDING over -inf keys reaches back to -inf."""
    sql = _framed(
        "COUNT(*) OVER (ORDER BY x RANGE BETWEEN @off PRECEDING AND CURRENT ROW)",
        f"UNNEST([STRUCT(1.0 AS x, 0 AS v), ({NAN}, 0), (-{INF}, 0), (2.0, 0)])",
    )
    want = "nan:1 -inf:1 1:2 2:3"
    got = warehouse.engine.query(sql, {"off": float("inf")}, param_types={"off": "FLOAT64"}).table.to_pylist()
    assert list(got[0].values()) == [want]
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("off", "FLOAT64", float("inf"))])
    assert list(next(iter(bigquery_client.query_and_wait(sql, job_config=config))).values()) == [want]
