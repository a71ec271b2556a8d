"""Cost of the rewrites that removed known differences (docs/googlesql.md, "Cost of the
rewrites"), each as a ratio to the DuckDB native expression it replaced (same data, same
connection, median of 5 runs), and of the NULL-array-element check on a result with an ARRAY
column (the query with the check vs without it).

    python benchmarks/bench_googlesql_differences.py [--rows N] [--only NAME]
"""

from __future__ import annotations

from unittest import mock

from rewrite_costs import arguments, engine_with_table, median_seconds, print_ratio, print_ratios

from llmops.emulator.bigquery import nullarrays

CASES = [
    # (name, GoogleSQL through the translator with the table's column types, DuckDB native baseline)
    ("AVG(NUMERIC) exact", "SELECT AVG(n) FROM b.t", "SELECT avg(n) FROM b.t"),
    ("AVG(NUMERIC) GROUP BY", "SELECT g, AVG(n) FROM b.t GROUP BY g", "SELECT g, avg(n) FROM b.t GROUP BY g"),
    ("NUMERIC / INT64 exact", "SELECT MAX(n / (i + 1)) FROM b.t", "SELECT MAX(n / (i + 1)) FROM b.t"),
    ("DIV(NUMERIC, INT64)", "SELECT MAX(DIV(n, g + 1)) FROM b.t", "SELECT MAX(n // (g + 1)) FROM b.t"),
    ("ROUND(INT64) FLOAT64", "SELECT SUM(ROUND(i)) FROM b.t", "SELECT SUM(round(i)) FROM b.t"),
    # arrayindexes.py: a bare index is OFFSET's checked subscript (an error out of range)
    ("arr[i] bare index", "SELECT SUM([g, i, 3][MOD(i, 3)]) FROM b.t", "SELECT SUM([g, i, 3][(i % 3) + 1]) FROM b.t"),
    # Python UDFs (udfs.py) on non-ASCII text (every row), and the ASCII rows that skip them
    ("SHA384 (UDF)", "SELECT MAX(SHA384(s)) FROM b.t", "SELECT MAX(sha256(s)) FROM b.t"),
    ("NORMALIZE NFKC (UDF)", "SELECT MAX(NORMALIZE(s, NFKC)) FROM b.t", "SELECT MAX(nfc_normalize(s)) FROM b.t"),
    (
        "NORMALIZE_AND_CASEFOLD (UDF)",
        "SELECT MAX(NORMALIZE_AND_CASEFOLD(s)) FROM b.t",
        "SELECT MAX(lower(nfc_normalize(s))) FROM b.t",
    ),
    (
        "JSON_KEYS (UDF)",
        "SELECT MAX(ARRAY_LENGTH(JSON_KEYS(j))) FROM b.t",
        "SELECT MAX(len(json_keys(j))) FROM b.t",
    ),
    # aggforms.py: RESPECT NULLS and LIMIT forms vs DuckDB's form without them
    (
        "APPROX_QUANTILES RESPECT NULLS",
        "SELECT APPROX_QUANTILES(NULLIF(g, 0), 4 RESPECT NULLS)[OFFSET(2)] FROM b.t",
        "SELECT quantile_disc(NULLIF(g, 0), [0, 0.25, 0.5, 0.75, 1])[3] FROM b.t",
    ),
    (
        "PERCENTILE_CONT RESPECT NULLS",
        "SELECT SUM(m) FROM (SELECT PERCENTILE_CONT(NULLIF(i % 7, 0), 0.5 RESPECT NULLS) OVER (PARTITION BY g) AS m FROM b.t)",
        "SELECT SUM(m) FROM (SELECT quantile_cont(NULLIF(i % 7, 0), 0.5) OVER (PARTITION BY g) AS m FROM b.t)",
    ),
    (
        "ARRAY_CONCAT_AGG LIMIT",
        "SELECT SUM(ARRAY_LENGTH(c)) FROM (SELECT ARRAY_CONCAT_AGG(a ORDER BY i LIMIT 10) AS c FROM b.t GROUP BY g)",
        "SELECT SUM(len(c)) FROM (SELECT flatten(list(a ORDER BY i)) AS c FROM b.t GROUP BY g)",
    ),
    # TO_JSON_STRING(TIMESTAMP) with its fraction padded to 3 or 6 digits (semantics.py)
    (
        "TO_JSON_STRING(TIMESTAMP) padded",
        "SELECT MAX(TO_JSON_STRING(TIMESTAMP_MICROS(i * 100000))) FROM b.t",
        "SELECT MAX(CAST(to_json(make_timestamp(i * 100000)) AS VARCHAR)) FROM b.t",
    ),
    # DATE + an INT64 column: the column cast to INTEGER under a typeof() guard (intervals.py)
    (
        "DATE + INT64 column",
        "SELECT MAX(DATE '2000-01-01' + g) FROM b.t",
        "SELECT MAX(DATE '2000-01-01' + CAST(g AS INTEGER)) FROM b.t",
    ),
    (
        "NORMALIZE NFKC ASCII rows",
        "SELECT MAX(NORMALIZE(CAST(i AS STRING), NFKC)) FROM b.t",
        "SELECT MAX(nfc_normalize(CAST(i AS VARCHAR))) FROM b.t",
    ),
    # LEAST of FLOAT64s is NaN where an argument is (nanaggregates.py: a GREATEST beside it)
    ("LEAST(FLOAT64, x) (NaN)", "SELECT SUM(LEAST(f, 500.5)) FROM b.t", "SELECT sum(least(f, 500.5)) FROM b.t"),
    # comparisons of a FLOAT64 with GoogleSQL's NaN answers (nancompare.py): as a filter, a join
    # condition and a value; and LIKE ANY UNNEST(array) (quantified.py) vs the ORs of the patterns
    (
        "FLOAT64 > x in WHERE (NaN)",
        "SELECT COUNT(*) FROM b.t WHERE f > 500.5",
        "SELECT count(*) FROM b.t WHERE f > 500.5",
    ),
    (
        "FLOAT64 = FLOAT64 join (NaN)",
        "SELECT COUNT(*) FROM b.t x JOIN b.t y ON x.f = y.f",
        "SELECT count(*) FROM b.t x JOIN b.t y ON x.f = y.f",
    ),
    (
        "FLOAT64 BETWEEN value (NaN)",
        "SELECT SUM(IF(f BETWEEN 10 AND 20000, 1, 0)) FROM b.t",
        "SELECT SUM(CASE WHEN f BETWEEN 10 AND 20000 THEN 1 ELSE 0 END) FROM b.t",
    ),
    (
        "ORDER BY FLOAT64 column (NaN)",
        "SELECT f FROM b.t ORDER BY f LIMIT 1 OFFSET 900000",
        "SELECT f FROM b.t ORDER BY f NULLS FIRST LIMIT 1 OFFSET 900000",
    ),
    # nanorder.py / percentiles.py: NaN first in an ORDER BY expression, a window (also with a
    # RANGE frame) and PERCENTILE_CONT/DISC of FLOAT64 values
    (
        "ORDER BY FLOAT64 alias (NaN)",
        "SELECT f / 2 AS h FROM b.t ORDER BY h DESC LIMIT 1 OFFSET 900000",
        "SELECT f / 2 AS h FROM b.t ORDER BY h DESC NULLS LAST LIMIT 1 OFFSET 900000",
    ),
    (
        "ROW_NUMBER by FLOAT64 (NaN)",
        "SELECT MAX(r) FROM (SELECT ROW_NUMBER() OVER (ORDER BY f) AS r FROM b.t)",
        "SELECT max(r) FROM (SELECT row_number() OVER (ORDER BY f NULLS FIRST) AS r FROM b.t)",
    ),
    (
        "RANGE frame on FLOAT64 (NaN)",
        "SELECT SUM(c) FROM (SELECT COUNT(*) OVER (ORDER BY f RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) AS c FROM b.t)",
        "SELECT sum(c) FROM (SELECT count(*) OVER (ORDER BY f NULLS FIRST RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) AS c FROM b.t)",
    ),
    (
        "PERCENTILE_CONT(FLOAT64) (NaN)",
        "SELECT SUM(m) FROM (SELECT PERCENTILE_CONT(f, 0.3) OVER (PARTITION BY g) AS m FROM b.t)",
        "SELECT sum(m) FROM (SELECT quantile_cont(f, 0.3) OVER (PARTITION BY g) AS m FROM b.t)",
    ),
    (
        "PERCENTILE_DISC(FLOAT64) (NaN)",
        "SELECT SUM(m) FROM (SELECT PERCENTILE_DISC(f, 0.3) OVER (PARTITION BY g) AS m FROM b.t)",
        "SELECT sum(m) FROM (SELECT quantile_disc(f, 0.3) OVER (PARTITION BY g) AS m FROM b.t)",
    ),
    (
        "ORDER BY INT64 column (NaN key folded)",
        "SELECT i FROM b.t ORDER BY i DESC LIMIT 1 OFFSET 900000",
        "SELECT i FROM b.t ORDER BY i DESC NULLS LAST LIMIT 1 OFFSET 900000",
    ),
    # floatoverflow.py: SUM of FLOAT64 values that overflows is an error (the largest magnitude
    # is one more aggregate); an INT64 SUM has the test folded away
    # decimalmath.py: exact NUMERIC results (were DOUBLEs), against DuckDB's double math
    ("SQRT(NUMERIC) exact", "SELECT SUM(SQRT(n)) FROM b.t", "SELECT sum(sqrt(CAST(n AS DOUBLE))) FROM b.t"),
    ("LN(NUMERIC) exact", "SELECT SUM(LN(n + 1)) FROM b.t", "SELECT sum(ln(CAST(n + 1 AS DOUBLE))) FROM b.t"),
    ("POW(NUMERIC, 2) exact", "SELECT SUM(POW(n, 2)) FROM b.t", "SELECT sum(pow(CAST(n AS DOUBLE), 2)) FROM b.t"),
    ("SUM(FLOAT64) overflow check", "SELECT SUM(f) FROM b.t", "SELECT sum(f) FROM b.t"),
    ("SUM(FLOAT64) GROUP BY", "SELECT g, SUM(f) FROM b.t GROUP BY g", "SELECT g, sum(f) FROM b.t GROUP BY g"),
    ("SUM(INT64) (check folded)", "SELECT SUM(i) FROM b.t", "SELECT sum(i) FROM b.t"),
    # statsaggregates.py: CORR's pair count and STDDEV_POP's finite-maximum guard (one more
    # aggregate each), as aggregates and per group
    ("CORR (fewer than 2 pairs: NULL)", "SELECT CORR(f, i) FROM b.t", "SELECT corr(f, i) FROM b.t"),
    (
        "CORR GROUP BY",
        "SELECT g, CORR(f, i) FROM b.t GROUP BY g",
        "SELECT g, corr(f, i) FROM b.t GROUP BY g",
    ),
    ("STDDEV_POP(FLOAT64) (one inf: NaN)", "SELECT STDDEV_POP(f) FROM b.t", "SELECT stddev_pop(f) FROM b.t"),
    (
        "STDDEV_POP GROUP BY",
        "SELECT g, STDDEV_POP(f) FROM b.t GROUP BY g",
        "SELECT g, stddev_pop(f) FROM b.t GROUP BY g",
    ),
    # statsaggregates.py: STDDEV/VARIANCE/CORR of FLOAT64 taken again of the values times 2^-540
    # where DuckDB's overflowed (one more aggregate; CORR three), COVAR's NaN for an infinity
    ("STDDEV_SAMP(FLOAT64) (overflow retried)", "SELECT STDDEV_SAMP(f) FROM b.t", "SELECT stddev_samp(f) FROM b.t"),
    (
        "STDDEV_SAMP(FLOAT64) GROUP BY",
        "SELECT g, STDDEV_SAMP(f) FROM b.t GROUP BY g",
        "SELECT g, stddev_samp(f) FROM b.t GROUP BY g",
    ),
    ("COVAR_POP (infinity: NaN)", "SELECT COVAR_POP(f, i) FROM b.t", "SELECT covar_pop(f, i) FROM b.t"),
    # statsaggregates.exact_decimal_spreads: NUMERIC values shifted by the group's minimum in
    # exact decimals (a list per group) before DuckDB's double STDDEV
    ("STDDEV_SAMP(NUMERIC) exact", "SELECT STDDEV_SAMP(n) FROM b.t", "SELECT stddev_samp(n) FROM b.t"),
    (
        "STDDEV_SAMP(NUMERIC) GROUP BY",
        "SELECT g, STDDEV_SAMP(n) FROM b.t GROUP BY g",
        "SELECT g, stddev_samp(n) FROM b.t GROUP BY g",
    ),
    # havingminmax.py: a scalar subquery over the group's rows gathered with ARRAY_AGG, against
    # DuckDB's own way of writing it (a window MAX, then a FILTERed aggregate)
    (
        "SUM(x HAVING MAX y) GROUP BY",
        "SELECT g, SUM(i HAVING MAX f) FROM b.t GROUP BY g",
        "SELECT g, sum(i) FILTER (WHERE f = m) FROM (SELECT g, i, f, max(f) OVER (PARTITION BY g) AS m FROM b.t) GROUP BY g",
    ),
    (
        "SUM(x HAVING MAX y)",
        "SELECT SUM(i HAVING MAX g) FROM b.t",
        "SELECT sum(i) FILTER (WHERE g = m) FROM (SELECT i, g, max(g) OVER () AS m FROM b.t)",
    ),
    # frameoffsets.py: a NUMERIC RANGE frame sorts its key as a scaled HUGEINT and cuts each
    # row's offset to the type's edge, against DuckDB's DECIMAL bounds (which overflow there)
    (
        "RANGE frame over NUMERIC",
        "SELECT SUM(c) FROM (SELECT COUNT(*) OVER (ORDER BY n RANGE BETWEEN 2 PRECEDING AND 2 FOLLOWING) AS c FROM b.t)",
        "SELECT sum(c) FROM (SELECT count(*) OVER (ORDER BY n RANGE BETWEEN 2 PRECEDING AND 2 FOLLOWING) AS c FROM b.t)",
    ),
    (
        "LIKE ANY UNNEST(array)",
        "SELECT COUNTIF(s LIKE ANY UNNEST(['%1', '%2%'])) FROM b.t",
        # the list form's LIKEs, with the backslash escape every GoogleSQL LIKE has
        "SELECT count(CASE WHEN s LIKE '%1' ESCAPE '\\' OR s LIKE '%2%' ESCAPE '\\' THEN 1 END) FROM b.t",
    ),
    # structs.py: a STRUCT written in the query IN a subquery, both sides' fields renamed by
    # position, against DuckDB's IN of STRUCTs whose names already match
    (
        "STRUCT IN (subquery) fieldwise",
        "SELECT COUNTIF(STRUCT(g AS k, i AS m) IN (SELECT STRUCT(x AS p, x AS q) FROM UNNEST(GENERATE_ARRAY(0, 99)) AS x)) FROM b.t",
        "SELECT count(CASE WHEN {'p': g, 'q': i} IN (SELECT {'p': x, 'q': x} FROM unnest(range(0, 100)) AS u(x)) THEN 1 END) FROM b.t",
    ),
]


def main() -> None:
    args = arguments(__doc__, 1_000_000).parse_args()
    n = args.rows
    engine = engine_with_table(
        f"SELECT x AS i, CAST(x AS NUMERIC) / 7 AS n, MOD(x, 1000) AS g, x / 7 AS f, "
        f"[x, x + 1, x + 2] AS a, CONCAT('Ｃａｆé ', CAST(x AS STRING)) AS s, "
        f"TO_JSON(STRUCT(x AS id, STRUCT(x AS b, 'c' AS c) AS a)) AS j "
        f"FROM UNNEST(GENERATE_ARRAY(1, {n})) AS x"
    )
    with engine.connection() as con:
        print_ratios(engine, con, CASES, only=args.only)
    if "null" in args.only.lower() or not args.only:
        query = "SELECT i, a FROM b.t"
        ours = median_seconds(lambda: engine.query(query))
        with mock.patch.object(nullarrays, "check", lambda table: None):
            base = median_seconds(lambda: engine.query(query))
        print_ratio("NULL-element check (query)", ours, base)


if __name__ == "__main__":
    main()
