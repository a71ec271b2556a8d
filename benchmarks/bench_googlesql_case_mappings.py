"""Cost of UPPER/LOWER with Unicode's full case mapping and of INITCAP's ZetaSQL delimiters
(`casemapping.py`) on a 1,000,000-row table, as a ratio to DuckDB's own upper/lower and to the
INITCAP sqlglot wrote before (same data, same connection, median of 5 runs). Columns: `a` ASCII
text, `l` accented Latin text, `g` German text with `ß` in one row of 100, `e` Greek capitals
(every value holds `Σ`: each goes to the Python UDF).

    python benchmarks/bench_googlesql_case_mappings.py [--rows N] [--only NAME]
"""

from __future__ import annotations

import sqlglot
from rewrite_costs import arguments, engine_with_table, print_ratios

from llmops.emulator.bigquery import udfs


def main() -> None:
    args = arguments(__doc__, 1_000_000).parse_args()
    engine = engine_with_table(
        "SELECT CONCAT('row number ', CAST(i AS STRING)) AS a, CONCAT('café crème ', CAST(i AS STRING)) AS l, "
        "CONCAT(IF(MOD(i, 100) = 0, 'straße ', 'strasse '), CAST(i AS STRING)) AS g, "
        f"CONCAT('ΟΔΟΣ ', CAST(i AS STRING)) AS e FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS i"
    )
    initcap = sqlglot.transpile("SELECT MAX(INITCAP(a)) FROM b.t", read="bigquery", write="duckdb")[0]
    cases = [
        ("UPPER(ASCII)", "SELECT MAX(UPPER(a)) FROM b.t", "SELECT MAX(upper(a)) FROM b.t"),
        ("LOWER(ASCII)", "SELECT MAX(LOWER(a)) FROM b.t", "SELECT MAX(lower(a)) FROM b.t"),
        ("UPPER(accented Latin)", "SELECT MAX(UPPER(l)) FROM b.t", "SELECT MAX(upper(l)) FROM b.t"),
        ("UPPER(1% with ß)", "SELECT MAX(UPPER(g)) FROM b.t", "SELECT MAX(upper(g)) FROM b.t"),
        ("LOWER(Greek, all with Σ)", "SELECT MAX(LOWER(e)) FROM b.t", "SELECT MAX(lower(e)) FROM b.t"),
        ("INITCAP(ASCII)", "SELECT MAX(INITCAP(a)) FROM b.t", initcap),
    ]
    with engine.connection() as con:
        udfs.register(con)
        print_ratios(engine, con, cases, only=args.only, baseline="DuckDB s", rows_for_cost=args.rows)


if __name__ == "__main__":
    main()
