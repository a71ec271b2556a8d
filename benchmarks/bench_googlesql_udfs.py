"""Cost of the GoogleSQL semantic rewrites and Python UDFs on a 1,000,000-row table, as a ratio
to the closest DuckDB native expression (same data, same connection, median of 5 runs); and of
the generative AI functions over 1,000 prompts, as a ratio to ML.GENERATE_TEXT over the same rows
(both one call of the emulated model per row; median of 3 runs).

    python benchmarks/bench_googlesql_udfs.py [--rows N] [--model-rows N] [--only NAME]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, median_seconds, print_ratios

from llmops.emulator.bigquery import udfs
from llmops.emulator.bigquery.engine import BigQueryEngine

CASES = [
    # (name, GoogleSQL through the translator, DuckDB native baseline)
    ("CAST(FLOAT64 AS INT64)", "SELECT SUM(CAST(f AS INT64)) FROM b.t", "SELECT SUM(CAST(f AS BIGINT)) FROM b.t"),
    ("CAST(STRING AS INT64)", "SELECT SUM(CAST(s AS INT64)) FROM b.t", "SELECT SUM(CAST(s AS BIGINT)) FROM b.t"),
    ("a / b (zero check)", "SELECT SUM(f / (i + 1)) FROM b.t", "SELECT SUM(f / (i + 1)) FROM b.t"),
    ("COUNTIF", "SELECT COUNTIF(i > 10) FROM b.t", "SELECT COUNT_IF(i > 10) FROM b.t"),
    ("arr[OFFSET(1)]", "SELECT SUM(a[OFFSET(1)]) FROM b.t", "SELECT SUM(a[2]) FROM b.t"),
    (
        "FORMAT_TIMESTAMP %E3S",
        "SELECT MAX(FORMAT_TIMESTAMP('%H:%M:%E3S', ts)) FROM b.t",
        "SELECT MAX(strftime(ts, '%H:%M:%S.%g')) FROM b.t",
    ),
    (
        "TO_JSON_STRING(TIMESTAMP)",
        "SELECT MAX(TO_JSON_STRING(ts)) FROM b.t",
        "SELECT MAX(CAST(to_json(ts) AS VARCHAR)) FROM b.t",
    ),
    # Python UDFs (udfs.py), each against the nearest DuckDB built-in
    ("SHA512 (UDF)", "SELECT MAX(SHA512(s)) FROM b.t", "SELECT MAX(sha256(s)) FROM b.t"),
    ("TO_BASE32 (UDF)", "SELECT MAX(TO_BASE32(bs)) FROM b.t", "SELECT MAX(to_base64(bs)) FROM b.t"),
    (
        "JSON_FLATTEN (UDF)",
        "SELECT SUM(ARRAY_LENGTH(JSON_FLATTEN(JSON_ARRAY(a, a)))) FROM b.t",
        "SELECT SUM(len(json_extract(json_array(a, a), '$[*][*]'))) FROM b.t",
    ),
    (
        "CAST FORMAT 'BASE8' (UDF)",
        "SELECT MAX(CAST(bs AS STRING FORMAT 'BASE8')) FROM b.t",
        "SELECT MAX(to_base64(bs)) FROM b.t",
    ),
    (
        "CAST(STRING AS BYTES FORMAT 'BASE8') (UDF)",
        "SELECT MAX(CAST(CAST(bs AS STRING FORMAT 'BASE8') AS BYTES FORMAT 'BASE8')) FROM b.t",
        "SELECT MAX(from_base64(to_base64(bs))) FROM b.t",
    ),
    (
        "NET.HOST (UDF)",
        "SELECT MAX(NET.HOST(url)) FROM b.t",
        "SELECT MAX(regexp_extract(url, '//([^/:]+)', 1)) FROM b.t",
    ),
    (
        "NET.REG_DOMAIN (UDF)",
        "SELECT MAX(NET.REG_DOMAIN(url)) FROM b.t",
        "SELECT MAX(regexp_extract(url, '//([^/:]+)', 1)) FROM b.t",
    ),
    (
        "NET.IP_FROM_STRING (UDF)",
        "SELECT MAX(NET.IP_FROM_STRING(ip)) FROM b.t",
        "SELECT MAX(CAST(ip AS BLOB)) FROM b.t",
    ),
    (
        "NET.IPV4_TO_INT64 (UDF)",
        "SELECT SUM(NET.IPV4_TO_INT64(NET.IPV4_FROM_INT64(i))) FROM b.t",
        "SELECT SUM(i) FROM b.t",
    ),
    # SEARCH (textsearch.py): tokens of a STRING, of a STRUCT's STRINGs, a backtick term, against
    # DuckDB's substring and word-boundary tests (which do not tokenize)
    (
        "SEARCH(STRING) (UDF)",
        "SELECT COUNTIF(SEARCH(url, 'h7 uk')) FROM b.t",
        "SELECT COUNT(*) FILTER (contains(url, 'h7') AND contains(url, 'uk')) FROM b.t",
    ),
    (
        "SEARCH(STRUCT) (UDF)",
        "SELECT COUNTIF(SEARCH((s, url), 'h7')) FROM b.t",
        "SELECT COUNT(*) FILTER (regexp_matches(s, '\\bh7\\b') OR regexp_matches(url, '\\bh7\\b')) FROM b.t",
    ),
    (
        "SEARCH backtick (UDF)",
        "SELECT COUNTIF(SEARCH(url, '`example.co`')) FROM b.t",
        "SELECT COUNT(*) FILTER (regexp_matches(url, '\\bexample\\.co\\b')) FROM b.t",
    ),
    (
        "SEARCH(ARRAY) (UDF)",
        "SELECT COUNTIF(SEARCH([s, url], 'h7')) FROM b.t",
        "SELECT COUNT(*) FILTER (regexp_matches(s, '\\bh7\\b') OR regexp_matches(url, '\\bh7\\b')) FROM b.t",
    ),
    # DuckDB SQL rewrites
    (
        "APPROX_TOP_SUM",
        "SELECT APPROX_TOP_SUM(g, i, 5) FROM b.t",
        "SELECT g, SUM(i) AS s FROM b.t GROUP BY g ORDER BY s DESC LIMIT 5",
    ),
    (
        "HLL_COUNT.EXTRACT(INIT)",
        "SELECT HLL_COUNT.EXTRACT(HLL_COUNT.INIT(g)) FROM b.t",
        "SELECT approx_count_distinct(g) FROM b.t",
    ),
    ("EXTRACT(WEEK(MONDAY))", "SELECT SUM(EXTRACT(WEEK(MONDAY) FROM d)) FROM b.t", "SELECT SUM(week(d)) FROM b.t"),
    (
        "DATE - DATE (INTERVAL)",
        "SELECT MAX(d - DATE '2020-01-01') FROM b.t",
        "SELECT MAX(to_days(CAST(d - DATE '2020-01-01' AS INTEGER))) FROM b.t",
    ),
    ("col - col (DATE guard)", "SELECT SUM(i - g) FROM b.t", "SELECT SUM(i - g) FROM b.t"),
    # the reference sweep's rewrites (DuckDB SQL)
    (
        "CAST(FLOAT64 AS STRING)",
        "SELECT MAX(CAST(f / 7 AS STRING)) FROM b.t",
        "SELECT MAX(CAST(f / 7 AS VARCHAR)) FROM b.t",
    ),
    (
        "CAST(NUMERIC AS STRING)",
        "SELECT MAX(CAST(CAST(i AS NUMERIC) / 8 AS STRING)) FROM b.t",
        "SELECT MAX(CAST(CAST(i AS DECIMAL(38, 9)) / 8 AS VARCHAR)) FROM b.t",
    ),
    (
        "TO_JSON_STRING(FLOAT64)",
        "SELECT MAX(TO_JSON_STRING(f)) FROM b.t",
        "SELECT MAX(CAST(to_json(f) AS VARCHAR)) FROM b.t",
    ),
    (
        "TO_JSON_STRING(STRUCT) (UDF)",
        "SELECT MAX(TO_JSON_STRING(STRUCT(i, f, s))) FROM b.t",
        "SELECT MAX(CAST(to_json({'i': i, 'f': f, 's': s}) AS VARCHAR)) FROM b.t",
    ),
    ("SQRT (domain check)", "SELECT SUM(SQRT(f)) FROM b.t", "SELECT SUM(sqrt(f)) FROM b.t"),
    (
        "LIKE (backslash escape)",
        "SELECT COUNTIF(s LIKE '1%') FROM b.t",
        "SELECT COUNT(*) FILTER (s LIKE '1%') FROM b.t",
    ),
    ("ROUND(col) (type kept)", "SELECT SUM(ROUND(f)) FROM b.t", "SELECT SUM(round(f)) FROM b.t"),
    ("CAST(BYTES AS STRING)", "SELECT MAX(CAST(bs AS STRING)) FROM b.t", "SELECT MAX(CAST(bs AS VARCHAR)) FROM b.t"),
    # the JSON mutators (jsonedit.py UDFs) against DuckDB's json_merge_patch, which also rewrites a document
    (
        "JSON_SET (UDF)",
        "SELECT MAX(CAST(JSON_SET(JSON_OBJECT('a', i, 'b', s), '$.c', f) AS STRING)) FROM b.t",
        "SELECT MAX(CAST(json_merge_patch(json_object('a', i, 'b', s), json_object('c', f)) AS VARCHAR)) FROM b.t",
    ),
    (
        "JSON_STRIP_NULLS (UDF)",
        "SELECT MAX(CAST(JSON_STRIP_NULLS(JSON_OBJECT('a', i, 'b', CAST(NULL AS STRING))) AS STRING)) FROM b.t",
        "SELECT MAX(CAST(json_merge_patch(json_object('a', i, 'b', NULL), '{}') AS VARCHAR)) FROM b.t",
    ),
    (
        "TO_JSON_STRING pretty (UDF)",
        "SELECT MAX(TO_JSON_STRING(STRUCT(i, s), TRUE)) FROM b.t",
        "SELECT MAX(CAST(to_json({'i': i, 's': s}) AS VARCHAR)) FROM b.t",
    ),
    (
        "DATETIME_BUCKET",
        "SELECT MAX(DATETIME_BUCKET(DATETIME(ts), INTERVAL 15 MINUTE)) FROM b.t",
        "SELECT MAX(time_bucket(INTERVAL 15 MINUTE, CAST(ts AS TIMESTAMP), TIMESTAMP '1950-01-01')) FROM b.t",
    ),
    # BYTES overloads of string functions (bytestext.py) vs the same function of the STRING column
    (
        "SUBSTR(BYTES)",
        "SELECT MAX(SUBSTR(CAST(bs AS BYTES), 2, 3)) FROM b.t",
        "SELECT MAX(substr(s, 2, 3)) FROM b.t",
    ),
    (
        "REPLACE(BYTES)",
        "SELECT MAX(REPLACE(CAST(bs AS BYTES), b'1', b'x')) FROM b.t",
        "SELECT MAX(replace(s, '1', 'x')) FROM b.t",
    ),
    (
        "STARTS_WITH(BYTES)",
        "SELECT COUNTIF(STARTS_WITH(CAST(bs AS BYTES), b'1')) FROM b.t",
        "SELECT COUNT(*) FILTER (starts_with(s, '1')) FROM b.t",
    ),
    # CONTAINS_SUBSTR (substrsearch.py): NFKC case folding in SQL for ASCII text, a UDF otherwise
    (
        "CONTAINS_SUBSTR(STRING)",
        "SELECT COUNTIF(CONTAINS_SUBSTR(url, 'H12')) FROM b.t",
        "SELECT COUNT(*) FILTER (contains(lower(url), 'h12')) FROM b.t",
    ),
    (
        "CONTAINS_SUBSTR((s, url))",
        "SELECT COUNTIF(CONTAINS_SUBSTR((s, url), 'H12')) FROM b.t",
        "SELECT COUNT(*) FILTER (contains(lower(s), 'h12') OR contains(lower(url), 'h12')) FROM b.t",
    ),
    (
        "CONTAINS_SUBSTR(ARRAY) (UDF)",
        "SELECT COUNTIF(CONTAINS_SUBSTR(a, '12')) FROM b.t",
        "SELECT COUNT(*) FILTER (contains(CAST(a AS VARCHAR), '12')) FROM b.t",
    ),
    # BigQuery ML's scalar functions (mlscalars.py, vectordistances.py) vs DuckDB's list distances
    (
        "ML.DISTANCE EUCLIDEAN",
        "SELECT SUM(ML.DISTANCE(v, [1.0, 2.0, 3.0])) FROM b.t",
        "SELECT SUM(list_distance(v, [1.0, 2.0, 3.0]::DOUBLE[])) FROM b.t",
    ),
    (
        "ML.DISTANCE COSINE",
        "SELECT SUM(ML.DISTANCE(v, [1.0, 2.0, 3.0], 'COSINE')) FROM b.t",
        "SELECT SUM(list_cosine_distance(v, [1.0, 2.0, 3.0]::DOUBLE[])) FROM b.t",
    ),
    (
        "ML.DISTANCE MANHATTAN",
        "SELECT SUM(ML.DISTANCE(v, [1.0, 2.0, 3.0], 'MANHATTAN')) FROM b.t",
        "SELECT SUM(list_distance(v, [1.0, 2.0, 3.0]::DOUBLE[])) FROM b.t",
    ),
    (
        "ML.DISTANCE sparse EUCLIDEAN",
        "SELECT SUM(ML.DISTANCE(sv, [('a', 1.0), ('c', 2.0)])) FROM b.t",
        "SELECT SUM(list_distance([f, 1.0, 0.0], [1.0, 0.0, 2.0])) FROM b.t",
    ),
    (
        "ML.LP_NORM 2",
        "SELECT SUM(ML.LP_NORM(v, 2.0)) FROM b.t",
        "SELECT SUM(sqrt(list_inner_product(v, v))) FROM b.t",
    ),
]


_ML_TEXT = (
    "SELECT COUNT(ml_generate_text_llm_result) FROM ML.GENERATE_TEXT(MODEL b.gemini, TABLE b.p, "
    "STRUCT(0 AS temperature, 128 AS max_output_tokens, TRUE AS flatten_json_output))"
)
_PARAMS = 'model_params => JSON \'{"generation_config": {"temperature": 0, "max_output_tokens": 128}}\''
MODEL_CASES = [
    # (name, GoogleSQL, GoogleSQL baseline) over the --model-rows prompts of b.p
    ("AI.GENERATE (UDF)", f"SELECT COUNT(AI.GENERATE(prompt, {_PARAMS}).result) FROM b.p", _ML_TEXT),
    ("AI.GENERATE_BOOL (UDF)", f"SELECT COUNTIF(AI.GENERATE_BOOL(prompt, {_PARAMS}).result) FROM b.p", _ML_TEXT),
    (
        "AI.GENERATE output_schema (UDF)",
        f"SELECT SUM(AI.GENERATE(prompt, {_PARAMS}, output_schema => 'city STRING, n INT64').n) FROM b.p",
        _ML_TEXT,
    ),
    (
        "AI.GENERATE_TABLE (UDF)",
        "SELECT SUM(n) FROM AI.GENERATE_TABLE(MODEL b.gemini, TABLE b.p, STRUCT('city STRING, n INT64' AS "
        "output_schema, 0 AS temperature, 128 AS max_output_tokens))",
        _ML_TEXT,
    ),
]


def main() -> None:
    parser = arguments(__doc__, 1_000_000)
    parser.add_argument("--model-rows", type=int, default=1_000, help="prompts for the generative AI functions")
    args = parser.parse_args()
    n = args.rows
    engine = engine_with_table(
        f"SELECT x AS i, x * 1.5 AS f, CAST(x AS STRING) AS s, [x, x + 1] AS a, "
        f"TIMESTAMP_ADD(TIMESTAMP '2024-01-01', INTERVAL x MILLISECOND) AS ts, CAST(CAST(x AS STRING) AS BYTES) AS bs, "
        f"CONCAT('http://www.h', CAST(MOD(x, 1000) AS STRING), '.example.co.uk/p?q=1') AS url, "
        f"CONCAT('10.0.', CAST(MOD(x, 256) AS STRING), '.1') AS ip, MOD(x, 1000) AS g, "
        f"DATE_ADD(DATE '2020-01-01', INTERVAL MOD(x, 3000) DAY) AS d, [x * 1.5, 0.5, MOD(x, 7) * 1.0] AS v, "
        f"[STRUCT('a' AS k, x * 1.5 AS m), ('b', 1.0)] AS sv "
        f"FROM UNNEST(GENERATE_ARRAY(1, {n})) AS x"
    )
    with engine.connection() as con:
        udfs.register(con)
        print_ratios(engine, con, CASES, only=args.only, width=28)
    _model_cases(engine, args.model_rows, args.only)


def _model_cases(engine: BigQueryEngine, n: int, only: str) -> None:
    """The generative AI functions against ML.GENERATE_TEXT over the same `n` prompts."""
    cases = [c for c in MODEL_CASES if only in c[0]]
    if not cases:
        return
    engine.query(
        "CREATE MODEL b.gemini REMOTE WITH CONNECTION `us.conn` OPTIONS (endpoint = 'gemini-2.5-flash');"
        "CREATE TABLE b.p AS SELECT CONCAT('Describe city number ', CAST(x AS STRING), ' in one sentence') "
        f"AS prompt FROM UNNEST(GENERATE_ARRAY(1, {n})) AS x",
        default_project="llmops-local",
    )
    print(f"\n{'model call (per row)':32} {'GoogleSQL ms':>12} {'ML ms':>10} {'ratio':>6}")
    for name, googlesql, baseline in cases:
        ours = median_seconds(lambda sql=googlesql: engine.query(sql, default_project="llmops-local"), runs=3)
        base = median_seconds(lambda sql=baseline: engine.query(sql, default_project="llmops-local"), runs=3)
        print(f"{name:32} {ours / n * 1000:12.3f} {base / n * 1000:10.3f} {ours / base:6.2f}")


if __name__ == "__main__":
    main()
