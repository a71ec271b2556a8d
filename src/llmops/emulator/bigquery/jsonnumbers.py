"""PARSE_JSON's `wide_number_mode`: a JSON number that a JSON value cannot hold exactly (one
outside INT64 and UINT64 that is not a FLOAT64 either, or a decimal a FLOAT64 does not
round-trip) is an error in the default `'exact'` mode and rounded to the nearest FLOAT64 in
`'round'` (`{"id": 922337203685477580701}` -> `{"id":9.223372036854776e+20}`). DuckDB's json()
kept every number's text as written, so both modes answered the unrounded number.

The text goes to a Python UDF only where it holds a run of 16 digits (a dot among them) or a
three-digit exponent: shorter numbers are always exact, and the guard is folded for a literal.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from sqlglot import exp

from .census import find_all

PARSE_JSON_NUMBERS_UDF = "__bq_parse_json_numbers"
_MODES = ("exact", "round")
# a number token (JSON's grammar), or a string literal to step over
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?')
_WIDE = "[0-9][0-9.]{15,}|[eE][+-]?[0-9]{3}"


# JSON's grammar has no trailing comma and no NaN or Infinity, which DuckDB's json() reads
# (`PARSE_JSON('[1,]')` was `[1]`); looked for outside the string literals, only where the
# text holds one of them at all (folded for a literal)
_LENIENT = r",\s*[]}]|NaN|Infinity"
_STRICT = (
    f"CASE WHEN regexp_matches(_A, '{_LENIENT}') AND regexp_matches(regexp_replace(_A, "
    + "'\"(?:[^\"\\\\]|\\\\.)*\"', '\"\"', 'g'), "
    + f"'{_LENIENT}') THEN error('Malformed JSON: ' || _A) ELSE _A END"
)


def _exact(token: str) -> bool:
    if re.fullmatch(r"-?[0-9]+", token):
        value = int(token)
        if -(2**63) <= value < 2**64:
            return True
        as_float = float(value)
        return not math.isinf(as_float) and int(as_float) == value
    as_float = float(token)
    # the double's shortest text, or its exact binary value, is the number written
    return not math.isinf(as_float) and Decimal(token) in (Decimal(repr(as_float)), Decimal(as_float))


def wide_numbers(text: str, mode: str) -> str:
    """`text` with each number that a JSON value cannot hold exactly rounded (`mode` 'round') or
    BigQuery's error ('exact'); a number past FLOAT64's range is an error in both modes."""

    def number(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith('"'):
            return token
        try:
            if _exact(token):
                return token
            rounded = float(token)
        except (ValueError, InvalidOperation, OverflowError):
            rounded = math.inf
        if mode != "round" or math.isinf(rounded):
            raise ValueError(f"The JSON number {token} cannot be stored without loss of precision")
        return repr(rounded)

    return _TOKEN.sub(number, text)


def _under_safe(node: exp.Expression) -> bool:
    """Whether `node` is the call of a SAFE. prefix (whose invalid mode is NULL, checked per row)."""
    return isinstance(node.parent, exp.SafeFunc)


def rewrite_parse_json_modes(stmt: exp.Expression) -> None:
    """Each PARSE_JSON call of `stmt` with BigQuery's treatment of wide numbers."""
    from .functions import _invalid, _t

    node: exp.Expr
    for node in find_all(stmt, exp.ParseJSON):
        option = node.args.get("expression")
        mode = "exact"
        computed: exp.Expression | None = None
        if isinstance(option, exp.Kwarg) and option.this.name.lower() == "wide_number_mode":
            if (
                isinstance(option.expression, exp.Literal)
                and option.expression.is_string
                and option.expression.name in _MODES
            ):
                mode = option.expression.name
            elif isinstance(option.expression, exp.Literal) and option.expression.is_string and not _under_safe(node):
                raise _invalid(f"Invalid `wide_number_mode` specified: {option.expression.name}")
            else:
                # "a named argument with a STRING value": a column or an expression, checked per row
                computed = option.expression
            node.set("expression", None)
        elif option is not None:
            continue  # another argument: left to the existing checks
        text = node.this
        if computed is not None:
            guarded = _t(
                "CASE WHEN _B IS NULL OR _B NOT IN ('exact', 'round') "
                "THEN error('Invalid `wide_number_mode` specified: ' || coalesce(_B, 'NULL')) "
                f"WHEN regexp_matches(_A, '{_WIDE}') THEN {PARSE_JSON_NUMBERS_UDF}(_A, _B) ELSE _A END",
                _t(_STRICT, exp.paren(text.copy(), copy=False)),
                exp.cast(computed.copy(), "VARCHAR"),
            )
            text.replace(guarded)
            continue
        guarded = _t(
            f"CASE WHEN regexp_matches(_A, '{_WIDE}') THEN {PARSE_JSON_NUMBERS_UDF}(_A, '{mode}') ELSE _A END",
            _t(_STRICT, exp.paren(text.copy(), copy=False)),
        )
        text.replace(guarded)
