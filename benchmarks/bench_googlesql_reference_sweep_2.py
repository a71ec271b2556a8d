"""Cost of the second reference sweep's per-row rewrites (docs/googlesql.md, "Reference sweep"),
each as a ratio to the DuckDB expression the translation used before (same data, same
connection, median of 5 runs).

    python benchmarks/bench_googlesql_reference_sweep_2.py [--rows N] [--only NAME]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, print_ratios

from llmops.emulator.bigquery import udfs

CASES = [
    # (name, GoogleSQL through the translator, the DuckDB expression it replaced)
    (
        "UNIX_SECONDS rounded down",
        "SELECT MAX(UNIX_SECONDS(ts)) FROM b.t",
        "SELECT MAX(CAST(epoch(ts) AS BIGINT)) FROM b.t",
    ),
    ("UNIX_MILLIS rounded down", "SELECT MAX(UNIX_MILLIS(ts)) FROM b.t", "SELECT MAX(epoch_ms(ts)) FROM b.t"),
    (
        "ARRAY_SLICE NULL offset check",
        "SELECT SUM(ARRAY_LENGTH(ARRAY_SLICE(a, 1, g))) FROM b.t",
        "SELECT SUM(len(list_slice(a, 2, least(g, len(a)) + 1))) FROM b.t",
    ),
    ("DIV zero-divisor check", "SELECT SUM(DIV(i, g + 1)) FROM b.t", "SELECT SUM(i // (g + 1)) FROM b.t"),
    ("MOD zero-divisor check", "SELECT SUM(MOD(i, g + 1)) FROM b.t", "SELECT SUM(i % (g + 1)) FROM b.t"),
    (
        "BAG_OF_WORDS",
        "SELECT SUM(ARRAY_LENGTH(BAG_OF_WORDS(SPLIT(s, '')))) FROM b.t",
        "SELECT SUM(len(map_keys(list_aggregate(string_split(s, ''), 'histogram')))) FROM b.t",
    ),
    (
        "PARSE_NUMERIC with commas",
        "SELECT SUM(PARSE_NUMERIC(s)) FROM b.t",
        "SELECT SUM(CAST(s AS DECIMAL(38, 9))) FROM b.t",
    ),
    (
        "PARSE_JSON narrow numbers",
        "SELECT COUNT(PARSE_JSON(j)) FROM b.t",
        "SELECT count(json(j)) FROM b.t",
    ),
    (
        "PARSE_JSON wide numbers (UDF)",
        "SELECT COUNT(PARSE_JSON(w, wide_number_mode => 'round')) FROM b.t",
        "SELECT count(json(w)) FROM b.t",
    ),
    (
        "CAST(STRING AS INTERVAL) (UDF)",
        "SELECT COUNT(CAST(h AS INTERVAL)) FROM b.t",
        "SELECT count(CAST(h AS INTERVAL)) FROM b.t",
    ),
]


def main() -> None:
    args = arguments(__doc__, 1_000_000).parse_args()
    engine = engine_with_table(
        "SELECT x AS i, MOD(x, 5) AS g, TIMESTAMP_MICROS(x * 1234567) AS ts, "
        "[x, x + 1, x + 2, x + 3] AS a, CAST(x AS STRING) || '.25' AS s, "
        "CONCAT('{\"id\": ', CAST(x AS STRING), ', \"v\": [1, 2.5]}') AS j, "
        "CONCAT('[', CAST(x AS STRING), '12345678901234567890]') AS w, "
        "CONCAT(CAST(MOD(x, 24) AS STRING), ':', CAST(MOD(x, 60) AS STRING), ':05') AS h "
        f"FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS x"
    )
    with engine.connection() as con:
        udfs.register(con)
        print_ratios(engine, con, CASES, only=args.only, baseline="before s")


if __name__ == "__main__":
    main()
