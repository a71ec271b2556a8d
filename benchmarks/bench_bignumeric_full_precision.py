"""Cost of BIGNUMERIC at full precision (bignumerics.py) against today's DECIMAL(38, 18) column.

Over a table of N rows (median of 5 runs, one connection; the text narrowing once, the widening
and the Python conversion 3 times) holding the engine's BIGNUMERIC `n`
(DECIMAL(38, 18)) and the same values wide in the two struct forms the plan weighs
(docs/googlesql.md, "BIGNUMERIC at full precision"):
- `w`: `STRUCT(__bignumeric BIGNUM)`, the value times 10^38 (what step 1 serves);
- `w2`: `STRUCT(__bignumeric BIGNUM, __narrow DECIMAL(38, 18))`, the same plus the engine's value
  where it fits (NULL where it does not), ordered and compared by the first field all the same.
Cases, each against the same query over `n`:
- narrowing a wide column to DECIMAL(38, 18) with the check that refuses a value that does not
  fit: through the BIGNUM's text (`w`) or the kept field (`w2`), summed;
- SUM exact through BIGNUM (`SUM(w.__bignumeric)`), MAX of the struct;
- widening a DECIMAL(38, 18) on a write (its text's digits, 20 zeros appended, cast to BIGNUM);
- turning a result column of `w` into Arrow decimal256(76, 38) in Python (step 1's
  `decimal_columns`) against DuckDB's own Arrow output of `n`.

    python benchmarks/bench_bignumeric_full_precision.py [--rows N]
"""

from __future__ import annotations

from rewrite_costs import TABLE, arguments, engine_with_table, median_seconds, print_ratio

from llmops.emulator.bigquery import bignumerics

WIDEN = "{'__bignumeric': CAST(replace(CAST(n AS VARCHAR), '.', '') || '00000000000000000000' AS BIGNUM)}"


def narrow_text(col: str) -> str:
    """DECIMAL(38, 18) of a `w` value through its BIGNUM's text; an error where it does not fit."""
    digits = f"ltrim(CAST({col}.__bignumeric AS VARCHAR), '-')"
    padded = f"lpad({digits}, CAST(greatest(length({digits}), 39) AS INTEGER), '0')"
    sign = f"CASE WHEN starts_with(CAST({col}.__bignumeric AS VARCHAR), '-') THEN '-' ELSE '' END"
    return (
        f"CASE WHEN {col} IS NULL THEN NULL WHEN length({padded}) <= 58 AND right({padded}, 20) = "
        f"'00000000000000000000' THEN CAST({sign} || left({padded}, length({padded}) - 38) || '.' || "
        f"left(right({padded}, 38), 18) AS DECIMAL(38, 18)) ELSE error('beyond DECIMAL(38, 18)') END"
    )


def narrow_field(col: str) -> str:
    """DECIMAL(38, 18) of a `w2` value from its kept field; an error where it does not fit."""
    return f"CASE WHEN {col}.__narrow IS NOT NULL OR {col} IS NULL THEN {col}.__narrow ELSE error('beyond') END"


def main() -> None:
    n = arguments(__doc__, 1_000_000, only=False).parse_args().rows
    engine = engine_with_table(
        f"SELECT CAST(x AS BIGNUMERIC) / 7 - 50000 AS n FROM UNNEST(GENERATE_ARRAY(1, {n})) AS x"
    )
    print(f"{n:,} rows")
    with engine.connection() as con:
        con.execute(
            f"CREATE TABLE wide AS SELECT n, w, {{'__bignumeric': w.__bignumeric, '__narrow': n}} AS w2 "
            f"FROM (SELECT n, {WIDEN} AS w FROM {TABLE})"
        )

        def time(sql: str, runs: int = 5) -> float:
            return median_seconds(lambda: con.execute(sql).fetchall(), runs=runs)

        print(f"{'case':40} {'wide s':>12} {'DECIMAL s':>10} {'ratio':>6}")
        base_sum = time("SELECT SUM(n) FROM wide")
        print_ratio(
            "narrow with check, text (w), SUM", time(f"SELECT SUM({narrow_text('w')}) FROM wide", runs=1), base_sum, 40
        )
        print_ratio(
            "narrow with check, field (w2), SUM", time(f"SELECT SUM({narrow_field('w2')}) FROM wide"), base_sum, 40
        )
        print_ratio("exact SUM through BIGNUM (w)", time("SELECT SUM(w.__bignumeric) FROM wide"), base_sum, 40)
        print_ratio("MAX of the struct (w)", time("SELECT MAX(w) FROM wide"), time("SELECT MAX(n) FROM wide"), 40)
        print_ratio("MAX of the struct (w2)", time("SELECT MAX(w2) FROM wide"), time("SELECT MAX(n) FROM wide"), 40)
        print_ratio(
            "widen on write (MAX of the widened)",
            time(f"SELECT MAX({WIDEN}) FROM wide", runs=3),
            time("SELECT MAX(n) FROM wide"),
            40,
        )
        ours = median_seconds(
            lambda: bignumerics.decimal_columns(con.sql("SELECT w FROM wide").to_arrow_table()), runs=3
        )
        base = median_seconds(lambda: con.sql("SELECT n FROM wide").to_arrow_table(), runs=3)
        print_ratio("result column to decimal256 (Python)", ours, base, 40)


if __name__ == "__main__":
    main()
