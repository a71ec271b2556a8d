"""A load's `decimalTargetTypes`: the type a Parquet, ORC or Avro decimal becomes when the file's
own schema makes the table's (a new table, or WRITE_TRUNCATE without a schema in the job).

The REST reference (JobConfigurationLoad.decimalTargetTypes): in the order NUMERIC, BIGNUMERIC,
STRING, the first listed type that supports the column's precision and scale is picked (STRING
supports all); if none does, the widest listed type is, and a value it cannot hold fails the
load. Defaults: ["NUMERIC", "STRING"] for ORC, ["NUMERIC"] for the other formats. The emulator
ignored the field and made every such column NUMERIC or BIGNUMERIC by its precision and scale.

A value that NUMERIC (or BIGNUMERIC) cannot hold exactly, digits beyond its scale included, fails
the load ("out of valid NUMERIC range", the words BigQuery's error carries) rather than being
rounded. Parquet and ORC decimal columns nested in STRUCTs or ARRAYs keep the file's precision
and scale; Avro's are converted wherever they are."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyarrow as pa

ORDER = ("NUMERIC", "BIGNUMERIC", "STRING")
# (integer digits, fraction digits) each type holds
_HOLDS = {"NUMERIC": (29, 9), "BIGNUMERIC": (38, 38)}


def targets(config: dict[str, Any], fmt: str) -> list[str]:
    """The job's decimalTargetTypes (checked), or the format's default."""
    given = config.get("decimalTargetTypes")
    if not given:
        return ["NUMERIC", "STRING"] if fmt == "ORC" else ["NUMERIC"]
    from .loads import LoadError

    if not isinstance(given, list) or any(t not in ORDER for t in given):
        raise LoadError(f"Invalid decimalTargetTypes {given!r}; use NUMERIC, BIGNUMERIC and STRING")
    if len(set(given)) != len(given):
        raise LoadError(f"decimalTargetTypes cannot contain duplicate types: {given!r}")
    return list(given)


def target_type(precision: int, scale: int, listed: list[str]) -> str:
    """The type a decimal(precision, scale) column is loaded as, per the reference's rule."""
    for t in ORDER:
        if t in listed and (t == "STRING" or _supports(t, precision, scale)):
            return t
    return [t for t in ORDER if t in listed][-1]  # the widest listed


def _supports(t: str, precision: int, scale: int) -> bool:
    integers, fractions = _HOLDS[t]
    return scale <= fractions and precision - scale <= integers


def apply(table: pa.Table, listed: list[str], kind: str) -> pa.Table:
    """`table` with each top-level decimal column converted to the type `listed` picks."""
    for i, field in enumerate(table.schema):
        if not pa.types.is_decimal(field.type):
            continue
        p, s = field.type.precision, field.type.scale
        t = target_type(p, s, listed)
        column = table.column(i)
        if t == "STRING":
            column = column.cast(pa.string())
        elif t == "NUMERIC":
            column = _exact(column, pa.decimal128(38, 9), t, field.name, kind)
        elif pa.types.is_decimal128(field.type) and not _supports("NUMERIC", p, s):
            pass  # the engine keeps DECIMAL(p, s) exactly and reports it as BIGNUMERIC
        else:
            column = _exact(column, pa.decimal256(76, 38), t, field.name, kind)
        table = table.set_column(i, pa.field(field.name, column.type, field.nullable), column)
    return table


def _exact(column: pa.ChunkedArray, to: pa.DataType, t: str, name: str, kind: str) -> pa.ChunkedArray:
    try:
        return column.cast(to)  # a safe cast: no digit is dropped
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    from .loads import LoadError

    for value in column.to_pylist():
        if value is not None and not holds(t, value):
            raise LoadError(f"Error while reading data, error message: {kind} column {_out_of_range(t, name, value)}")
    raise LoadError(f"Error while reading data, error message: {kind} column '{name}' cannot be loaded as {t}")


def holds(t: str, value: Decimal) -> bool:
    """Whether NUMERIC or BIGNUMERIC holds `value` exactly."""
    integers, fractions = _HOLDS[t]
    _, digits, exponent = value.as_tuple()  # no arithmetic: 38 digits pass Python's 28-digit context
    dropped = digits[len(digits) + int(exponent) + fractions :] if -int(exponent) > fractions else ()
    return not any(dropped) and len(digits) + int(exponent) <= integers


def _out_of_range(t: str, name: str, value: Decimal) -> str:
    return f"'{name}' holds the value {value}, which is out of valid {t} range"


def avro_converter(t: str, name: str) -> Callable[[Any], Any]:
    """fastavro's Decimal of an Avro decimal field loaded as `t` (ValueError if `t` cannot hold it)."""
    if t == "STRING":
        return lambda v: None if v is None else str(v)

    def convert(v: Any) -> Any:
        if v is not None and not holds(t, v):
            raise ValueError(f"field {_out_of_range(t, name, v)}")
        return v

    return convert
