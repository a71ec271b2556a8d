"""BigQuery ML's scalar functions, which the local warehouse refused by name.

Each row is a call with the answer Google's reference pages give (their examples, or the
documented formula), run on the local warehouse and through the real BigQuery client:

- ML.DISTANCE(v1, v2 [, 'EUCLIDEAN' | 'MANHATTAN' | 'COSINE']) of dense ARRAY<numeric> vectors
  and sparse ARRAY<STRUCT<INT64 | STRING, numeric>> ones (a dimension left out is 0), NULL for a
  NULL vector;
- ML.LP_NORM(vector, degree) for degree 0, 1, 2, p > 1 and +inf, and ML.NORMALIZER(vector [, p]);
- ML.NGRAMS(tokens, [min, max] | n [, separator]);
- ML.BUCKETIZE(value, split_points [, exclude_boundaries]): `bin_<n>` from 1, a split point
  opening the bucket above it;
- ML.HASH_BUCKETIZE(string, n): FARM_FINGERPRINT read unsigned, modulo n (the page's a, b, c, d
  into 0, 1, 1, 2);
- ML.POLYNOMIAL_EXPAND(STRUCT(...) [, degree]) and ML.FEATURE_CROSS(STRUCT(...) [, degree]):
  STRUCTs whose fields are named by joining the feature names with `_`.

- the analytic ML.MIN_MAX_SCALER, ML.STANDARD_SCALER (sample standard deviation) and
  ML.MAX_ABS_SCALER with OVER ().

Mistakes are one-line 400s; what is not served (the other analytic ML.* functions, BUCKETIZE's
other output formats, HASH_BUCKETIZE's bucket size 0, a scaler of a constant) is refused by name.
"""

from __future__ import annotations

import math

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

F64 = "FLOAT64"
SPARSE_A = "[('a', 1.0), ('b', 2.0)]"
SPARSE_B = "[('b', 6.0), ('c', 1.0)]"

DISTANCES = [
    ("ML.DISTANCE([1.0, 2.0], [4.0, 6.0])", 5.0, F64),
    ("ML.DISTANCE([1.0, 2.0], [4.0, 6.0], 'EUCLIDEAN')", 5.0, F64),
    ("ML.DISTANCE([1.0, 2.0], [4.0, 6.0], 'MANHATTAN')", 7.0, F64),
    ("ML.DISTANCE([1, 2], [4, 6], 'MANHATTAN')", 7.0, F64),
    ("ML.DISTANCE([1.0, 0.0], [0.0, 2.0], 'COSINE')", 1.0, F64),
    ("ML.DISTANCE([2, 0], [-3, 0], 'COSINE')", 2.0, F64),
    (f"ML.DISTANCE({SPARSE_A}, {SPARSE_B}, 'MANHATTAN')", 6.0, F64),
    (f"ML.DISTANCE({SPARSE_A}, {SPARSE_B})", pytest.approx(math.sqrt(18)), F64),
    ("ML.DISTANCE([(1, 3.0)], [(2, 4.0)], 'EUCLIDEAN')", 5.0, F64),
    ("ML.DISTANCE([(1, 3.0)], [(2, 4.0)], 'MANHATTAN')", 7.0, F64),
    ("ML.DISTANCE([(1, 3.0)], [(2, 4.0)], 'COSINE')", 1.0, F64),
    ("ML.DISTANCE(CAST(NULL AS ARRAY<FLOAT64>), [1.0], 'MANHATTAN')", None, F64),
    ("ML.DISTANCE(CAST([] AS ARRAY<FLOAT64>), CAST([] AS ARRAY<FLOAT64>), 'MANHATTAN')", 0.0, F64),
]

LP_NORMS = [
    # the reference page's example
    ("ML.LP_NORM([4.1, 0.5, 1.0], 2.0)", pytest.approx(math.sqrt(4.1**2 + 0.5**2 + 1.0)), F64),
    ("ML.LP_NORM([3.0, 0.0, 2.5], 2.0)", pytest.approx(math.sqrt(15.25)), F64),
    ("ML.LP_NORM([3.0, 4.0], 2.0)", 5.0, F64),
    ("ML.LP_NORM([3, -4], 1.0)", 7.0, F64),
    ("ML.LP_NORM([3.0, -4.0], CAST('inf' AS FLOAT64))", 4.0, F64),
    ("ML.LP_NORM([3.0, 0.0, 1.0], 0.0)", 2.0, F64),
    ("ML.LP_NORM([1.0, 2.0], 3.0)", pytest.approx(9 ** (1 / 3)), F64),
    ("ML.LP_NORM(CAST(NULL AS ARRAY<FLOAT64>), 2.0)", None, F64),
    # ML.NORMALIZER: the reference page's example, and the other degrees
    ("ML.NORMALIZER([4.0, 1.0, 2.0, 2.0, 0.0])", [0.8, 0.2, 0.4, 0.4, 0.0], F64),
    ("ML.NORMALIZER([3, -4], 1.0)", [3 / 7, -4 / 7], F64),
    ("ML.NORMALIZER([3, -4], CAST('+inf' AS FLOAT64))", [0.75, -1.0], F64),
    ("ML.NORMALIZER(CAST(NULL AS ARRAY<FLOAT64>)) IS NULL", True, "BOOL"),
]

NGRAMS = [
    # the reference page's example
    ("ML.NGRAMS(['a', 'b', 'c'], [2, 3], '#')", ["a#b", "a#b#c", "b#c"], "STRING"),
    ("ML.NGRAMS(['a', 'b', 'c'], 2)", ["a b", "b c"], "STRING"),
    ("ML.NGRAMS(['x', 'y', 'z'], [1, 2])", ["x", "x y", "y", "y z", "z"], "STRING"),
    ("ML.NGRAMS(['x', 'y'], 3)", [], "STRING"),
]

BUCKETS = [
    # the reference page's example
    ("ML.BUCKETIZE(2.5, [1, 2, 3])", "bin_3", "STRING"),
    ("ML.BUCKETIZE(2.5, [1, 2, 3], TRUE)", "bin_2", "STRING"),
    ("ML.BUCKETIZE(0, [1, 2, 3])", "bin_1", "STRING"),
    ("ML.BUCKETIZE(2, [1, 2, 3])", "bin_3", "STRING"),
    ("ML.BUCKETIZE(3, [1, 2, 3])", "bin_4", "STRING"),
    ("ML.BUCKETIZE(5, [1, 2, 3, 4], TRUE)", "bin_3", "STRING"),
    ("ML.BUCKETIZE(2.5, [1, 2, 3], FALSE, 'bucket_names')", "bin_3", "STRING"),
    ("ML.BUCKETIZE(CAST(NULL AS FLOAT64), [1, 2, 3])", None, "STRING"),
    # the reference page's example: a, b, c, d into 0, 1, 1, 2
    (
        "SELECT STRING_AGG(CAST(ML.HASH_BUCKETIZE(f, 3) AS STRING), ',' ORDER BY f) "
        "FROM UNNEST(['a', 'b', 'c', 'd']) AS f",
        "0,1,1,2",
        "STRING",
    ),
    ("ML.HASH_BUCKETIZE('d', 3)", 2, "INT64"),
    ("ML.HASH_BUCKETIZE(CAST(NULL AS STRING), 3)", None, "INT64"),
]

STRUCTS = [
    # the reference pages' examples
    (
        "ML.POLYNOMIAL_EXPAND(STRUCT(2 AS f1, 3 AS f2))",
        {"f1": 2.0, "f1_f1": 4.0, "f1_f2": 6.0, "f2": 3.0, "f2_f2": 9.0},
        None,
    ),
    (
        "ML.FEATURE_CROSS(STRUCT('a' AS f1, 'b' AS f2, 'c' AS f3))",
        {"f1_f2": "a_b", "f1_f3": "a_c", "f2_f3": "b_c"},
        None,
    ),
    (
        "ML.FEATURE_CROSS(STRUCT('a' AS f1, 'b' AS f2, 'c' AS f3), 3)",
        {"f1_f2": "a_b", "f1_f2_f3": "a_b_c", "f1_f3": "a_c", "f2_f3": "b_c"},
        None,
    ),
    ("ML.POLYNOMIAL_EXPAND(STRUCT(2 AS x), 3)", {"x": 2.0, "x_x": 4.0, "x_x_x": 8.0}, None),
    (
        "SELECT ML.POLYNOMIAL_EXPAND(STRUCT(a, b), 1) FROM (SELECT 1.5 AS a, 2 AS b)",
        {"a": 1.5, "b": 2.0},
        None,
    ),
]


def _scaled(call: str, values: str) -> str:
    """The scaled values of the reference page's example, as one string in the order of f."""
    return (
        f"SELECT STRING_AGG(FORMAT('%T', o), ' ' ORDER BY f) FROM "
        f"(SELECT f, {call} OVER () AS o FROM UNNEST({values}) AS f)"
    )


SCALERS = [
    (_scaled("ML.MIN_MAX_SCALER(f)", "[1, 2, 3, 4, 5]"), "0.0 0.25 0.5 0.75 1.0", "STRING"),
    (
        "SELECT ARRAY_AGG(o ORDER BY f) FROM (SELECT f, ML.STANDARD_SCALER(f) OVER () AS o FROM UNNEST([1, 2, 3, 4, 5]) AS f)",
        [-1.2649110640673518, -0.6324555320336759, 0.0, 0.6324555320336759, 1.2649110640673518],
        F64,
    ),
    (_scaled("ML.MAX_ABS_SCALER(f)", "[NULL, -3, 1, 2, 3, 4, 5]"), "NULL -0.6 0.2 0.4 0.6 0.8 1.0", "STRING"),
    (
        "SELECT STRING_AGG(FORMAT('%T', o), ' ' ORDER BY g, f) FROM (SELECT g, f, ML.MIN_MAX_SCALER(f) "
        "OVER (PARTITION BY g) AS o FROM UNNEST([STRUCT(1 AS g, 1 AS f), (1, 3), (2, 10), (2, 20), (2, 15)]))",
        "0.0 1.0 0.0 0.5 1.0",
        "STRING",
    ),
]

FAMILIES = {
    "distances": DISTANCES,
    "lp_norms": LP_NORMS,
    "ngrams": NGRAMS,
    "buckets": BUCKETS,
    "structs": STRUCTS,
    "scalers": SCALERS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_expanded_field_names_keep_the_reference_order(bigquery_client):
    """The STRUCT's fields are in the order the reference pages print them."""
    schema = (
        bigquery_client.query(
            "SELECT ML.POLYNOMIAL_EXPAND(STRUCT(2 AS f1, 3 AS f2)) AS p, "
            "ML.FEATURE_CROSS(STRUCT('a' AS f1, 'b' AS f2, 'c' AS f3), 3) AS c"
        )
        .result()
        .schema
    )
    assert [f.name for f in schema[0].fields] == ["f1", "f1_f1", "f1_f2", "f2", "f2_f2"]
    assert {f.field_type for f in schema[0].fields} == {"FLOAT"}
    assert [f.name for f in schema[1].fields] == ["f1_f2", "f1_f2_f3", "f1_f3", "f2_f3"]


def test_table_columns(env):
    """The LP_NORM page's table, and sparse vectors that the table's schema shows."""
    run, ds, _ = env
    run(
        f"CREATE TABLE {ds}.t1 (v1 ARRAY<FLOAT64>, v2 ARRAY<FLOAT64>, "
        "s1 ARRAY<STRUCT<k STRING, v FLOAT64>>, s2 ARRAY<STRUCT<k STRING, v FLOAT64>>)"
    )
    run(f"INSERT {ds}.t1 (v1, v2, s1, s2) VALUES ([4.1, 0.5, 1.0], [3.0, 0.0, 2.5], {SPARSE_A}, {SPARSE_B})")
    ((v1_norm, v2_norm, manhattan, sparse_manhattan, sparse_cosine),) = run(
        "SELECT ML.LP_NORM(v1, 2.0), ML.LP_NORM(v2, 2.0), ML.DISTANCE(v1, v2, 'MANHATTAN'), "
        f"ML.DISTANCE(s1, s2, 'MANHATTAN'), ML.DISTANCE(s1, s2, 'COSINE') FROM {ds}.t1"
    )
    assert v1_norm == pytest.approx(math.sqrt(18.06))
    assert v2_norm == pytest.approx(math.sqrt(15.25))
    assert manhattan == pytest.approx(1.1 + 0.5 + 1.5)
    assert sparse_manhattan == 6.0
    # a = (1, 2, 0), b = (0, 6, 1) over (a, b, c)
    assert sparse_cosine == pytest.approx(1 - 12 / (math.sqrt(5) * math.sqrt(37)))


ERRORS = [
    ("SELECT ML.DISTANCE([1.0], [2.0], 'CHEBYSHEV')", "ML.DISTANCE's type must be one of EUCLIDEAN, MANHATTAN, COSINE"),
    ("SELECT ML.DISTANCE([1.0, 2.0], [2.0], 'MANHATTAN')", "Array length mismatch: 2 and 1."),
    (
        "SELECT ML.DISTANCE([('a', 1.0), ('a', 2.0)], [('b', 1.0)], 'MANHATTAN')",
        "Duplicate index a found in the input array.",
    ),
    ("SELECT ML.DISTANCE([1.0])", "No matching signature for function ML.DISTANCE"),
    ("SELECT ML.LP_NORM([1.0], 0.5)", "ML.LP_NORM's degree must be 0.0, at least 1.0, or +inf"),
    ("SELECT ML.NGRAMS(['a', 'b'], [3, 2])", "ML.NGRAMS's range must be n-gram sizes from at least 1"),
    ("SELECT ML.BUCKETIZE(1, [3, 1])", "ML.BUCKETIZE's split points must be in ascending order"),
    ("SELECT ML.BUCKETIZE(1, [1, CAST('inf' AS FLOAT64)])", "ML.BUCKETIZE's split points must be finite numbers"),
    ("SELECT ML.HASH_BUCKETIZE('a', -1)", "ML.HASH_BUCKETIZE's hash_bucket_size must be at least 0"),
    ("SELECT ML.POLYNOMIAL_EXPAND(STRUCT(1 AS a), 5)", "ML.POLYNOMIAL_EXPAND's degree must be in the range [1, 4]"),
    ("SELECT ML.FEATURE_CROSS(STRUCT('a' AS a, 'b' AS b), 1)", "ML.FEATURE_CROSS's degree must be in the range [2, 4]"),
    ("SELECT ML.FEATURE_CROSS(STRUCT('a' AS a, 'b' AS a))", "ML.FEATURE_CROSS got the feature a twice"),
    ("SELECT ML.FEATURE_CROSS(STRUCT('a' AS a, 2 AS b))", "ML.FEATURE_CROSS takes STRING features; b is not a STRING"),
    ("SELECT ML.POLYNOMIAL_EXPAND(STRUCT(1 AS a, 1 + 1))", "ML.POLYNOMIAL_EXPAND takes named features"),
    (
        "SELECT ML.POLYNOMIAL_EXPAND(STRUCT(" + ", ".join(f"{i} AS f{i}" for i in range(11)) + "))",
        "ML.POLYNOMIAL_EXPAND takes 1 to 10 features, not 11",
    ),
    (
        "SELECT ML.MIN_MAX_SCALER(x) FROM UNNEST([1, 2]) AS x",
        "ML.MIN_MAX_SCALER is an analytic function: call it with OVER()",
    ),
    # not served: refused by name
    (
        "SELECT ML.QUANTILE_BUCKETIZE(x, 2) OVER () FROM UNNEST([1, 2]) AS x",
        "ML.QUANTILE_BUCKETIZE is not supported by the local warehouse",
    ),
    (
        "SELECT ML.MIN_MAX_SCALER(x) OVER (ORDER BY x) FROM UNNEST([1, 2]) AS x",
        "with ORDER BY or a frame is not supported",
    ),
    (
        "SELECT ML.STANDARD_SCALER(x) OVER () FROM UNNEST([1]) AS x",
        "ML.STANDARD_SCALER of a constant column is not supported",
    ),
    ("SELECT ML.BUCKETIZE(1, [1], FALSE, 'bucket_ranges')", "output_format other than 'bucket_names' is not supported"),
    ("SELECT ML.NORMALIZER([0.0, 0.0])", "ML.NORMALIZER of a zero vector is not supported by the local warehouse"),
    ("SELECT ML.HASH_BUCKETIZE('a', 0)", "hash_bucket_size 0 is not supported by the local warehouse"),
    (
        "SELECT ML.FEATURE_CROSS(s) FROM (SELECT STRUCT('a' AS x, 'b' AS y) AS s)",
        "ML.FEATURE_CROSS of a STRUCT that is not written out as STRUCT(...) in the query is not supported",
    ),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
