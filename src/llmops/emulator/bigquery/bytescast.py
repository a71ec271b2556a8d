"""CAST(string AS BYTES) is the string's UTF-8 bytes. DuckDB's VARCHAR -> BLOB cast reads
`\\xHH` escapes and refuses other than ASCII text, so `CAST('é' AS BYTES)` failed and
`CAST('\\x41' AS BYTES)` was one byte."""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_BLOB = (exp.DataType.Type.VARBINARY, exp.DataType.Type.BINARY, exp.DataType.Type.BLOB)
BYTES_CAST = "bytes_cast"
"""Meta key of the CASE a CAST(x AS BYTES) became: the function rewrites know it is BYTES."""


def _utf8(value: exp.Expression) -> exp.Expression:
    """`value`'s UTF-8 bytes if it is a string, else DuckDB's cast (BYTES to BYTES); binds for any type."""
    as_text = exp.Anonymous(this="encode", expressions=[exp.cast(value.copy(), "VARCHAR")])
    is_text = exp.EQ(
        this=exp.Anonymous(this="typeof", expressions=[value.copy()]), expression=exp.Literal.string("VARCHAR")
    )
    new = exp.Case(ifs=[exp.If(this=is_text, true=as_text)], default=exp.cast(value.copy(), "BLOB"))
    new.meta[BYTES_CAST] = True
    return new


def strings_to_bytes(stmt: exp.Expression) -> None:
    """Rewrite the query's own CAST/SAFE_CAST(... AS BYTES) (run before the parameters and the
    function rewrites add casts of their own)."""
    for node in reversed(find_all(stmt, exp.Cast, exp.TryCast)):
        if node.to.this not in _BLOB or isinstance(node.this, exp.ByteString) or node.args.get("format"):
            continue  # CAST ... FORMAT 'BASE64' and the like are castformat.py's
        if any(p.name in ("", "?") for p in node.this.find_all(exp.Placeholder)):
            continue  # a positional ? cannot be copied: DuckDB's own cast
        node.replace(exp.paren(_utf8(node.this), copy=False))
