"""Text converted to BIGNUMERIC as a query runs (`CAST(s AS BIGNUMERIC)` of a STRING column,
`PARSE_BIGNUMERIC(s)`) is refused by name where the local BIGNUMERIC would round it.

BigQuery's BIGNUMERIC keeps 38 decimal digits; the engine's is DuckDB's DECIMAL(38, 18), whose
cast from text rounds at 18 (`PARSE_BIGNUMERIC('1.1234567890123456789012')` answered
1.123456789012345679) and fails past 20 integer digits in DuckDB's words. A literal of that kind
is refused when the query is translated (`bignumerics.py`); a text known only when the row is
read is checked per row here: more than 18 decimal digits after the last nonzero one, or more
than 20 integer digits, counting the exponent.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

# sign, integer digits (commas allowed, as PARSE_BIGNUMERIC takes them), fraction, exponent
_PARTS = r"^\s*[+-]?\s*([0-9,]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?\s*[+-]?\s*$"


def rounded_text_check(text: exp.Expression, converted: exp.Expression, what: str) -> exp.Expression:
    """`converted` (the DECIMAL(38, 18) of `text`), or the named refusal where the text holds
    digits that it would lose."""
    from .functions import _t

    parts = f"regexp_extract(_A, '{_PARTS}', ['i', 'f', 'e'])"
    exponent = f"coalesce(TRY_CAST(nullif({parts}.e, '') AS BIGINT), 0)"
    integer = f"length(ltrim(replace({parts}.i, ',', ''), '0'))"
    decimals = f"length(rtrim(coalesce({parts}.f, ''), '0'))"
    message = (
        f"{what} of a value with more than 20 integer or 18 decimal digits is not supported by the local "
        "warehouse, which keeps BIGNUMERIC within DECIMAL(38, 18) (it would round); round the text "
        "first, or run the query on BigQuery"
    )
    # a text of fewer than 20 characters without an exponent holds neither 19 decimals nor 21
    # integer digits: most rows skip the regular expression
    return _t(
        "CASE WHEN length(_A) < 20 AND strpos(_A, 'e') = 0 AND strpos(_A, 'E') = 0 THEN _B "
        f"WHEN {decimals} - {exponent} > 18 OR ({integer} > 0 AND {integer} + {exponent} > 20) "
        f"THEN error('{message}') ELSE _B END",
        text,
        converted,
    )


_MARK = "llmops_bignumeric_text"


def mark_text_casts(stmt: exp.Expression) -> None:
    """Mark each `CAST(s AS BIGNUMERIC)` / `SAFE_CAST` of a STRING, or of a value whose type the
    translation does not know, for `check_text_casts` (run while the target is still BIGNUMERIC,
    before the engine's types replace it). A SAFE_CAST is refused too: its NULL would be as wrong
    as the rounded value, since BigQuery converts the text."""
    from .coltypes import known_type

    for cast in find_all(stmt, exp.Cast):
        if cast.to.this != exp.DataType.Type.BIGDECIMAL or cast.to.expressions:
            continue
        if not isinstance(cast.this, exp.Literal) and known_type(cast.this) in ("STRING", None):
            cast.meta[_MARK] = known_type(cast.this) or "?"


def check_text_casts(stmt: exp.Expression) -> None:
    """The marked casts checked by `rounded_text_check`, after the other rewrites (which would
    otherwise rewrite the check's own string functions); a value of unknown type is checked only
    where DuckDB's typeof() says it is text (decided when DuckDB plans the query)."""
    from .semantics import case, type_is

    for cast in reversed(find_all(stmt, exp.Cast)):  # inner casts first: an outer one is replaced by copies
        kind = cast.meta.get(_MARK) if cast._meta else None
        if kind is None:
            continue
        cast.meta.pop(_MARK)
        what = "SAFE_CAST AS BIGNUMERIC" if isinstance(cast, exp.TryCast) else "CAST AS BIGNUMERIC"
        if kind == "STRING":
            cast.replace(rounded_text_check(cast.this.copy(), cast.copy(), what))
            continue
        text = exp.TryCast(this=cast.this.copy(), to=exp.DataType.build("VARCHAR"))
        checked = rounded_text_check(text, cast.copy(), what)
        cast.replace(case((type_is(cast.this, "VARCHAR"), checked), default=cast.copy()))
