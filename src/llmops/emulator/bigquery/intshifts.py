"""INT64 shifts as GoogleSQL answers them (operators reference, "Bitwise operators").

`X << Y` drops the bits shifted out (`1 << 63` is -9223372036854775808; DuckDB failed with
`Overflow in left shift`), `X >> Y` fills the vacant bits with 0 also for a negative X (`-8 >> 1`
is 9223372036854775804; DuckDB extended the sign: -4), either is 0 where Y is 64 or more (DuckDB:
`Left-shift value 64 is out of range`), and a negative Y is ZetaSQL's `Bitwise shift by negative
offset.`.

The INT64 operand is shifted as its unsigned 64-bit pattern (UHUGEINT, the count capped at 64),
masked to 64 bits and read back as a signed INT64; no Python UDF.
"""

from __future__ import annotations

from sqlglot import exp

from .bytesbits import is_bit_string
from .census import find_all
from .coltypes import known_type

_MASK = "18446744073709551615"
_SHIFT = (
    "CASE WHEN _B < 0 THEN error('Bitwise shift by negative offset.') ELSE CAST(((CAST((CAST(CAST(_A AS HUGEINT) "
    f"& {_MASK} AS UHUGEINT) {{}} CAST(CASE WHEN _B >= 64 THEN 64 ELSE _B END AS UHUGEINT)) & {_MASK} AS HUGEINT) "
    f"+ 9223372036854775808) & {_MASK}) - 9223372036854775808 AS BIGINT) END"
)


def _int64(node: exp.Expression) -> bool:
    """An INT64 operand; one of unknown type (an UNNEST alias) is taken for one unless it is a BYTES
    literal, INT64 being the only other type with shifts (BYTES shifts keep DuckDB's BLOB error)."""
    if isinstance(node, exp.Literal):
        return not node.is_string and node.is_int
    if is_bit_string(node):
        return False  # BYTES shifted as bits (bytesbits.py)
    return not isinstance(node, exp.ByteString) and known_type(node) in (None, "INT64")


def rewrite_int64_shifts(stmt: exp.Expression) -> None:
    """Every `<<` / `>>` whose first operand is an INT64 as the zero-filling 64-bit shift."""
    from .functions import _t

    for node in reversed(find_all(stmt, exp.BitwiseLeftShift, exp.BitwiseRightShift)):
        if _int64(node.this):
            op = "<<" if isinstance(node, exp.BitwiseLeftShift) else ">>"
            node.replace(_t(_SHIFT.format(op), node.this, node.expression))
