"""The bitwise operators of BYTES (operators reference, "Bitwise operators"): `~b`, `a & b`,
`a | b`, `a ^ b` and `b << n`, `b >> n` answer BYTES of the first operand's length; DuckDB has
none of them for BLOB (each failed with "No matching signature for operator ... BYTES").

The bytes are read as a DuckDB BIT string of the same bits, whose operators keep the length, and
written back as a BLOB; no Python UDF. `&`, `|` and `^` of BYTES of different lengths and a
negative shift are ZetaSQL's errors (`functions/bitwise.h`); a shift by the bit length or more
is all zero bytes (DuckDB's `least` would skip a NULL count). Empty BYTES stay empty (DuckDB has no empty BIT string).
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .census import find_all
from .coltypes import TYPE_KEY, known_type

_LENGTHS = (
    "error('Bitwise binary operator for BYTES requires equal length of the inputs. Got ' || "
    "octet_length(_A) || ' bytes on the left hand side and ' || octet_length(_B) || "
    "' bytes on the right hand side.')"
)
_BINARY = (
    f"CASE WHEN octet_length(_A) <> octet_length(_B) THEN {_LENGTHS} WHEN octet_length(_A) = 0 THEN _A "
    "ELSE CAST({} AS BLOB) END"
)
_OPERATIONS = {
    exp.BitwiseAnd: "CAST(_A AS BIT) & CAST(_B AS BIT)",
    exp.BitwiseOr: "CAST(_A AS BIT) | CAST(_B AS BIT)",
    exp.BitwiseXor: "xor(CAST(_A AS BIT), CAST(_B AS BIT))",
}
_SHIFT = (
    "CASE WHEN _B < 0 THEN error('Bitwise shift by negative offset.') WHEN _B IS NULL THEN NULL "
    "WHEN octet_length(_A) = 0 THEN _A "
    "ELSE CAST(CAST(_A AS BIT) {} CAST(least(_B, 8 * octet_length(_A)) AS INTEGER) AS BLOB) END"
)
_NOT = "CASE WHEN octet_length(_A) = 0 THEN _A ELSE CAST(~CAST(_A AS BIT) AS BLOB) END"


def _is_bytes(node: Any) -> bool:
    from .functions import _is_bytes as shown_bytes

    return isinstance(node, exp.Expression) and (shown_bytes(node) or known_type(node) == "BYTES")


def rewrite_bytes_bitwise(stmt: exp.Expression) -> None:
    """Each bitwise operator whose first operand is BYTES (either one for `&`, `|`, `^`) as DuckDB
    BIT string operations."""
    from .functions import _t

    kinds = (exp.BitwiseNot, exp.BitwiseLeftShift, exp.BitwiseRightShift, *_OPERATIONS)
    node: Any
    for node in reversed(find_all(stmt, *kinds)):
        if isinstance(node, exp.BitwiseNot):
            new = _t(_NOT, node.this) if _is_bytes(node.this) else None
        elif isinstance(node, exp.BitwiseLeftShift | exp.BitwiseRightShift):
            op = "<<" if isinstance(node, exp.BitwiseLeftShift) else ">>"
            new = _t(_SHIFT.format(op), node.this, node.expression) if _is_bytes(node.this) else None
        elif _is_bytes(node.this) or _is_bytes(node.expression):
            a, b = (exp.cast(v, "BLOB") if isinstance(v, exp.Null) else v for v in (node.this, node.expression))
            new = _t(_BINARY.format(_OPERATIONS[type(node)]), a, b)
        else:
            new = None
        if new is not None:
            # a CAST AS BYTES, which the BYTES forms of RIGHT, BIT_COUNT... recognize
            typed = exp.cast(new, exp.DataType.build("BLOB", dialect="duckdb"))
            typed.meta[TYPE_KEY] = "BYTES"
            node.replace(typed)


def is_bit_string(node: exp.Expression) -> bool:
    """A value this module reads as a DuckDB BIT string (whose shifts are not INT64's)."""
    return isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.BIT
