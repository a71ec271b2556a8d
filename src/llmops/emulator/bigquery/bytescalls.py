"""The BYTES overloads of `BIT_COUNT`, `SPLIT`, `FARM_FINGERPRINT` and `EDIT_DISTANCE`, and the
named error for a BYTES argument whose type stays unknown.

`BIT_COUNT(bytes)` counts the set bits of every byte; `SPLIT(bytes, delimiter)` is an
ARRAY<BYTES> (an empty delimiter splits into single bytes; a NULL one gives NULL);
`FARM_FINGERPRINT(bytes)` fingerprints the bytes (a STRING is fingerprinted as its UTF-8 bytes,
so `FARM_FINGERPRINT(b'abc') = FARM_FINGERPRINT('abc')`); `EDIT_DISTANCE(bytes, bytes)` counts
byte edits (`EDIT_DISTANCE(b'\xc3\xa9', b'e')` is 2 where the STRINGs' is 1). DuckDB has
none of these overloads (FARM_FINGERPRINT's UDF took VARCHAR, levenshtein takes VARCHAR), and where the translator cannot tell BYTES from STRING or INT64 (see
"Type-dependent functions" in docs/googlesql.md) its "No function matches" error is reported as
`unknown_bytes_error`, which names the GoogleSQL function and the cast that fixes the query.
"""

from __future__ import annotations

import re

from sqlglot import exp

from ...core.errors import QueryError
from .census import find_all
from .coltypes import checked, known_type

_BIT_COUNT = "CAST(CASE WHEN octet_length(_A) = 0 THEN 0 ELSE bit_count(CAST(_A AS BIT)) END AS BIGINT)"
# each byte as one character (code point 256 + byte), so that string_split finds only whole bytes
_CHARS = "array_to_string(list_transform(range(octet_length(_X)), i -> chr(256 + CAST('0x' || substr(hex(_X), 2 * i + 1, 2) AS INTEGER))), '')"
_SPLIT = (
    "CASE WHEN _A IS NULL OR _B IS NULL THEN NULL WHEN octet_length(_A) = 0 THEN [''::BLOB] "
    "ELSE list_transform(string_split("
    + _CHARS.replace("_X", "_A")
    + ", "
    + _CHARS.replace("_X", "_B")
    + "), p -> unhex(array_to_string(list_transform(string_split(p, ''), c -> printf('%02X', unicode(c) - 256)), ''))) END"
)


def _bytes_argument(arg: exp.Expression | None) -> tuple[bool, bool]:
    """(is BYTES, only as inferred): whether `arg` is BYTES, and whether that needs a typeof() check."""
    from .functions import _is_bytes

    if _is_bytes(arg):
        return True, False
    known = isinstance(arg, exp.Expression) and known_type(arg) == "BYTES"
    return known, known


def _bit_count(node: exp.BitwiseCount) -> exp.Expression | None:
    from .functions import _t

    is_bytes, inferred = _bytes_argument(node.this)
    if not is_bytes:
        return None
    new = _t(_BIT_COUNT, node.this)
    return checked(new, (node.this, "BYTES")) if inferred else new


def _split(node: exp.Split) -> exp.Expression | None:
    from .functions import _positional, _t

    is_bytes, inferred = _bytes_argument(node.this)
    if node.expression is None or _positional(node):
        return None
    if not is_bytes:
        delimiter = node.expression
        if isinstance(delimiter, exp.Literal) and delimiter.is_string and delimiter.this:
            return None
        # an empty string splits into [''] whatever the delimiter; DuckDB answers [] for ''
        return _t("CASE WHEN _A = '' AND _B IS NOT NULL THEN [''] ELSE _C END", node.this, delimiter, node.copy())
    if isinstance(node.expression, exp.Null):
        return exp.cast(exp.Null(), "BLOB[]")
    new = _t(_SPLIT, node.this, node.expression)
    return checked(new, (node.this, "BYTES")) if inferred else new


def farm_fingerprint_call(node: exp.Expression) -> exp.Expression:
    """FARM_FINGERPRINT(value) as a call of the engine's UDF for its type (STRING or BYTES)."""
    from .googlesql import FARM_FINGERPRINT_BYTES_UDF, FARM_FINGERPRINT_UDF

    args = [a.copy() for a in node.expressions]
    is_bytes, inferred = _bytes_argument(args[0]) if len(args) == 1 else (False, False)
    new = exp.Anonymous(this=FARM_FINGERPRINT_BYTES_UDF if is_bytes else FARM_FINGERPRINT_UDF, expressions=args)
    return checked(new, (args[0], "BYTES")) if inferred else new


def _edit_distance(node: exp.Levenshtein) -> exp.Expression | None:
    """EDIT_DISTANCE of two BYTES values: levenshtein over their texts of one character a byte;
    BYTES beside a STRING is BigQuery's "No matching signature" (as_text would read the STRING)."""
    from .bytestext import as_text
    from .functions import _invalid
    from .setoptypes import value_type

    def kind_of(value: exp.Expression) -> str | None:
        kind = value_type(value) or known_type(value)
        return kind.removesuffix(" literal") if kind else None

    pair = (node.this, node.expression)
    shown = [_bytes_argument(v) for v in pair]
    if not any(is_bytes for is_bytes, _ in shown):
        return None
    operands = []
    for value, (is_bytes, inferred) in zip(pair, shown, strict=True):
        if isinstance(value, exp.Null):
            continue
        if not is_bytes and kind_of(value) is not None:
            kinds = ", ".join("BYTES" if b else (kind_of(v) or "STRING") for v, (b, _) in zip(pair, shown, strict=True))
            raise _invalid(f"No matching signature for function EDIT_DISTANCE for argument types: {kinds}")
        if inferred or not is_bytes:  # the other's type unknown: DuckDB checks it is BYTES
            operands.append((value, "BYTES"))
    new = node.copy()
    new.set("this", as_text(node.this))
    new.set("expression", as_text(node.expression))
    return checked(new, *operands) if operands else new


def rewrite_bytes_calls(stmt: exp.Expression) -> None:
    """Rewrite the BYTES forms of BIT_COUNT, SPLIT and EDIT_DISTANCE in `stmt`."""
    rewrites = {exp.BitwiseCount: _bit_count, exp.Split: _split, exp.Levenshtein: _edit_distance}
    for node in reversed(find_all(stmt, exp.BitwiseCount, exp.Split, exp.Levenshtein)):
        new = rewrites[type(node)](node)  # type: ignore[operator]
        if new is not None:
            node.replace(new)


# DuckDB's function -> the GoogleSQL function whose BYTES overload it lacks
_GOOGLESQL = {
    "bit_count": "BIT_COUNT",
    "reverse": "REVERSE",
    "str_split": "SPLIT",
    "string_split": "SPLIT",
    "left": "LEFT",
    "right": "RIGHT",
    "length": "TO_CODE_POINTS",  # its STRING form (functions.py); LENGTH itself branches on typeof
    "lpad": "LPAD",
    "rpad": "RPAD",
    "instr": "INSTR",
    "strpos": "STRPOS",
    # bytestext.py's functions
    "substring": "SUBSTR",
    "replace": "REPLACE",
    "trim": "TRIM",
    "ltrim": "LTRIM",
    "rtrim": "RTRIM",
    "lower": "LOWER",
    "upper": "UPPER",
    "starts_with": "STARTS_WITH",
    "ends_with": "ENDS_WITH",
    "suffix": "ENDS_WITH",
    "ascii": "ASCII",
    "translate": "TRANSLATE",
    "regexp_matches": "REGEXP_CONTAINS",
    "regexp_extract": "REGEXP_EXTRACT",
    "regexp_extract_all": "REGEXP_EXTRACT_ALL",
    "regexp_replace": "REGEXP_REPLACE",
    "__bq_farm_fingerprint": "FARM_FINGERPRINT",
    "levenshtein": "EDIT_DISTANCE",
}


def unknown_bytes_error(message: str) -> QueryError | None:
    """The named error for DuckDB's "No function matches" of a BYTES argument, or None."""
    from .googlesql import BigQueryError

    m = re.search(r"No function matches the given name and argument types '(\w+)\((.*?)\)'", message)
    if not m or m.group(1) not in _GOOGLESQL or "BLOB" not in m.group(2):
        return None
    name = _GOOGLESQL[m.group(1)]
    return BigQueryError(
        f"{name} of a BYTES value whose type the local warehouse cannot infer is not supported",
        fix=f"cast the argument: {name}(CAST(x AS BYTES), ...)",
    )
