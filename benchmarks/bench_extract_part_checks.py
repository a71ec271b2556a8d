"""What checking EXTRACT's date part against its argument's type costs a query (extractparts.py):
where the translator does not know the argument's type (a table's column), `EXTRACT(HOUR FROM
ts)` reads `EXTRACT(HOUR FROM CASE WHEN typeof(ts) = 'DATE' THEN error(...) ELSE ts END)`, so a
DATE is BigQuery's error rather than 0.

A table `b.t` of `--rows` TIMESTAMPs; each case sums one part over it, against the same
translation with the check taken out again (the SQL the translator wrote before) on the same
connection (median of 5).
"""

from __future__ import annotations

import re

from rewrite_costs import arguments, engine_with_table, print_ratios, translated

_GUARD = re.compile(r"CASE WHEN TYPEOF\(ts\) = 'DATE' THEN ERROR\('[^']*'\) ELSE ts END")


def main() -> None:
    args = arguments(__doc__, 2_000_000).parse_args()
    engine = engine_with_table(
        "SELECT TIMESTAMP_ADD(TIMESTAMP '2024-01-01', INTERVAL i SECOND) AS ts "
        f"FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS i"
    )
    queries = [
        ("EXTRACT(HOUR FROM ts)", "SELECT SUM(EXTRACT(HOUR FROM ts)) FROM b.t"),
        ("EXTRACT(MICROSECOND FROM ts)", "SELECT SUM(EXTRACT(MICROSECOND FROM ts)) FROM b.t"),
        ("EXTRACT(DATE FROM ts)", "SELECT MAX(EXTRACT(DATE FROM ts)) FROM b.t"),
    ]
    with engine.connection() as con:
        # the baseline: the translation without the check (its table named as the cases name it)
        cases = []
        for name, sql in queries:
            unchecked = _GUARD.sub("ts", translated(engine, con, sql))
            assert unchecked != translated(engine, con, sql), name
            cases.append((name, sql, unchecked.replace('"llmops-local.b"."t"', "b.t")))
        print_ratios(
            engine, con, cases, only=args.only, label="checked part", baseline="unchecked s", rows_for_cost=args.rows
        )


if __name__ == "__main__":
    main()
