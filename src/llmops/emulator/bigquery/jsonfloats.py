"""A FLOAT64 NaN or infinity in JSON_ARRAY and JSON_OBJECT is the JSON string "NaN", "Infinity" or
"-Infinity" in GoogleSQL's JSON encoding (`JSON_ARRAY(CAST('nan' AS FLOAT64))` is `["NaN"]`);
DuckDB's json_array / json_object wrote the bare token `NaN`, which is not JSON."""

from __future__ import annotations

from sqlglot import exp

from .coltypes import known_type
from .jsonbytes import constructor_values

_DOUBLES = (exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT)


def _is_float(value: exp.Expression) -> bool:
    if isinstance(value, exp.Cast) and value.to.this in _DOUBLES:
        return True
    return known_type(value) == "FLOAT64"


def _named_nonfinite(value: exp.Expression) -> None:
    if not _is_float(value):
        return
    v = value.copy()

    def text(word: str) -> exp.Expression:
        return exp.Anonymous(this="to_json", expressions=[exp.Literal.string(word)])

    value.replace(
        exp.Case(
            ifs=[
                exp.If(this=exp.Anonymous(this="isnan", expressions=[v.copy()]), true=text("NaN")),
                exp.If(
                    this=exp.Anonymous(this="isinf", expressions=[v.copy()]),
                    true=exp.If(
                        this=exp.GT(this=v.copy(), expression=exp.Literal.number(0)),
                        true=text("Infinity"),
                        false=text("-Infinity"),
                    ),
                ),
            ],
            default=exp.Anonymous(this="to_json", expressions=[v.copy()]),
        )
    )


def encode_json_floats(stmt: exp.Expression) -> None:
    """Each FLOAT64 argument of JSON_ARRAY and value of JSON_OBJECT as JSON, a NaN or infinity as
    its name."""
    for value in constructor_values(stmt):
        _named_nonfinite(value)
