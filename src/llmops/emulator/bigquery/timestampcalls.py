"""TIMESTAMP functions DuckDB answered differently from BigQuery's reference.

- `UNIX_SECONDS` and `UNIX_MILLIS` drop the finer digits by rounding down (BigQuery: "truncates
  higher levels of precision by rounding down"); DuckDB's `epoch` and `epoch_ms` rounded to the
  nearest (`UNIX_MILLIS(TIMESTAMP '1970-01-01 00:00:00.0018+00')` was 2, BigQuery says 1).
- A string literal where `TIMESTAMP_DIFF`, `TIMESTAMP_ADD`, `TIMESTAMP_SUB` or `UNIX_*` take a
  TIMESTAMP is that TIMESTAMP (GoogleSQL's literal coercion): `TIMESTAMP_DIFF('2001-02-01
  01:00:00', '2001-02-01 00:00:01', HOUR)` was an engine error and `TIMESTAMP_ADD('2001-02-01
  01:00:00', INTERVAL 1 HOUR)` a DATETIME (`UNIX_*` of a literal must stay readable by the
  rounding-down rewrite above).
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all
from .functions import _t

# whole units of `epoch_us`, rounded toward negative infinity in integer arithmetic (a double
# would lose microseconds past the year 2255)
_FLOOR = "((epoch_us(_A) - ((epoch_us(_A) % {n} + {n}) % {n})) // {n})"
_EPOCHS: dict[type, int] = {exp.UnixSeconds: 1_000_000, exp.UnixMillis: 1_000}


def round_down_epochs(stmt: exp.Expression) -> None:
    """UNIX_SECONDS / UNIX_MILLIS as whole seconds / milliseconds rounded down."""
    node: exp.Expression
    for node in reversed(find_all(stmt, *_EPOCHS)):
        node.replace(_t(_FLOOR.format(n=_EPOCHS[type(node)]), exp.paren(node.this.copy(), copy=False)))


def timestamp_literal_arguments(stmt: exp.Expression) -> None:
    """The string literals TIMESTAMP_DIFF / _ADD / _SUB and UNIX_SECONDS / _MILLIS / _MICROS take as
    TIMESTAMPs."""
    to = exp.DataType.build("TIMESTAMP", dialect="bigquery")
    node: exp.Expr
    calls = (exp.TimestampDiff, exp.TimestampAdd, exp.TimestampSub, exp.UnixSeconds, exp.UnixMillis, exp.UnixMicros)
    for node in find_all(stmt, *calls):
        keys = ("this", "expression") if isinstance(node, exp.TimestampDiff) else ("this",)
        for key in keys:
            value = node.args.get(key)
            if isinstance(value, exp.Literal) and value.is_string:
                value.replace(exp.Cast(this=value.copy(), to=to.copy()))
