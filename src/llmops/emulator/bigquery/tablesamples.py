"""`TABLESAMPLE SYSTEM (10.0 PERCENT)` with a FLOAT64 literal, as ibis writes `t.sample(0.1,
method="block")`: BigQuery takes a literal (or a parameter) of 0 to 100 there, INT64 or FLOAT64.
The translator types a float literal as `CAST(10.0 AS DOUBLE)`, which DuckDB's grammar does not
take inside TABLESAMPLE ("syntax error at or near CAST"), so the sample's size goes back to the
plain number."""

from __future__ import annotations

from sqlglot import exp

from .census import find_all


def plain_sample_sizes(stmt: exp.Expression) -> None:
    """A TABLESAMPLE's percent, size or rows that is a cast number literal, as the literal."""
    for sample in find_all(stmt, exp.TableSample):
        for key in ("percent", "size", "rows"):
            value = sample.args.get(key)
            if isinstance(value, exp.Cast) and isinstance(value.this, exp.Literal) and value.this.is_number:
                sample.set(key, value.this.copy())
