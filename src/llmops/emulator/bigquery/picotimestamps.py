"""BigQuery's picosecond timestamps, TIMESTAMP(12) (a schema field's `timestampPrecision: 12`).

The engine holds one as a DuckDB `STRUCT(__bq_ts12_micros TIMESTAMPTZ, __bq_ts12_picos BIGINT)`:
the timestamp rounded down to its microsecond, and the picoseconds past that microsecond
(0-999,999). A struct of two fields compares and sorts field by field, so ORDER BY, MIN/MAX,
GROUP BY, DISTINCT, joins and comparisons of two TIMESTAMP(12) values are DuckDB's own; the
plain TIMESTAMP (TIMESTAMPTZ) is untouched. The distinctive field names are how a column type
is known to be TIMESTAMP(12) again (`field_of_struct`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

MICROS = "__bq_ts12_micros"
PICOS = "__bq_ts12_picos"
DUCKDB_TYPE = f"STRUCT({MICROS} TIMESTAMP WITH TIME ZONE, {PICOS} BIGINT)"
"""The engine's column type of a TIMESTAMP(12), as DuckDB writes it (typeof, error texts)."""
PRECISIONS = ("6", "12")
"""The values of `timestampPrecision` BigQuery documents: 6 (microseconds, the default), 12."""

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_TEXT = re.compile(
    r"^\s*(?P<date>\d{4}-\d{1,2}-\d{1,2})(?:[T ](?P<time>\d{1,2}:\d{1,2}:\d{1,2})(?:\.(?P<frac>\d+))?)?"
    r"(?P<zone>\s*(?:Z|UTC|[+-]\d{1,2}(?::?\d{2})?))?\s*$",
    re.IGNORECASE,
)


def precision_of(field: dict[str, Any]) -> int:
    """A TIMESTAMP field's precision: 12 for a picosecond field, else 6."""
    return 12 if str(field.get("timestampPrecision") or "6") == "12" else 6


def is_pico(field: dict[str, Any]) -> bool:
    """Whether a (normalized) schema field is a TIMESTAMP(12)."""
    return field.get("type") == "TIMESTAMP" and precision_of(field) == 12


def check_precision(field: dict[str, Any], where: str) -> str | None:
    """A REST field's `timestampPrecision` as BigQuery keeps it ("6" or "12", None when absent);
    another value, or one on a type other than TIMESTAMP, is a ValueError naming `where`."""
    value = field.get("timestampPrecision")
    if value is None:
        return None
    text = str(value).strip()
    if text not in PRECISIONS:
        raise ValueError(
            f"Invalid timestampPrecision {value!r} for field {field.get('name')!r} at {where}: "
            "it must be 6 (microseconds) or 12 (picoseconds)"
        )
    if str(field.get("type") or "").upper() != "TIMESTAMP":
        raise ValueError(
            f"timestampPrecision is only allowed for TIMESTAMP fields; field {field.get('name')!r} at {where} "
            f"is {str(field.get('type')).upper()}"
        )
    return text


def field_of_struct(name: str, dtype: Any, nullable: bool) -> dict[str, Any] | None:
    """The TIMESTAMP(12) schema field of the engine's struct type, else None."""
    children = getattr(dtype, "children", None) or []
    if [n for n, _ in children] != [MICROS, PICOS]:
        return None
    return {
        "name": name,
        "type": "TIMESTAMP",
        "mode": "NULLABLE" if nullable else "REQUIRED",
        "timestampPrecision": "12",
    }


def arrow_type() -> Any:
    """The Arrow type of the engine's TIMESTAMP(12) values."""
    import pyarrow as pa

    return pa.struct([pa.field(MICROS, pa.timestamp("us", tz="UTC")), pa.field(PICOS, pa.int64())])


# ------------------------------------------------------------------------------ values


def parse(value: Any) -> dict[str, Any]:
    """A TIMESTAMP(12) from BigQuery's text (`2025-01-01T00:00:00.123456789012Z`, up to twelve
    fraction digits, a zone or offset) or from seconds since the epoch (a number, or its text);
    ValueError for anything else (a thirteenth fraction digit included)."""
    if isinstance(value, dict) and set(value) == {MICROS, PICOS}:
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return {MICROS: value.astimezone(dt.UTC), PICOS: 0}
    if isinstance(value, (int, float, decimal.Decimal)):
        return from_picos(_seconds_to_picos(decimal.Decimal(str(value))))
    text = str(value)
    m = _TEXT.match(text)
    if m is None:
        try:
            return from_picos(_seconds_to_picos(decimal.Decimal(text.strip())))
        except decimal.InvalidOperation:
            raise ValueError(text) from None
    frac = m["frac"] or ""
    if len(frac) > 12:
        raise ValueError(text)
    from .datetext import padded

    zone = (m["zone"] or "").strip()
    if zone.upper() in ("Z", "UTC", ""):
        zone = "+00:00"
    elif ":" not in zone:
        zone = f"{zone[0]}{int(zone[1:3] if len(zone) > 3 else zone[1:]):02d}:{zone[3:] or '00'}"
    else:
        sign, rest = zone[0], zone[1:]
        hours, minutes = rest.split(":")
        zone = f"{sign}{int(hours):02d}:{minutes}"
    whole = dt.datetime.fromisoformat(padded(f"{m['date']}T{m['time'] or '00:00:00'}") + zone)
    digits = frac.ljust(12, "0")
    micros = whole.astimezone(dt.UTC) + dt.timedelta(microseconds=int(digits[:6]))
    return {MICROS: micros, PICOS: int(digits[6:])}


def _seconds_to_picos(seconds: decimal.Decimal) -> int:
    if not seconds.is_finite():
        raise ValueError(seconds)
    picos = seconds.scaleb(12)
    if picos != picos.to_integral_value():
        raise ValueError(seconds)  # more than twelve fraction digits
    return int(picos)


def from_picos(picos: int) -> dict[str, Any]:
    """A TIMESTAMP(12) from picoseconds since the epoch."""
    micros, rest = divmod(picos, 1_000_000)
    return {MICROS: _EPOCH + dt.timedelta(microseconds=micros), PICOS: rest}


def to_picos(value: dict[str, Any]) -> int:
    """Picoseconds since the epoch of a TIMESTAMP(12) value."""
    delta = value[MICROS] - _EPOCH
    return ((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds) * 1_000_000 + value[PICOS]


def iso_text(value: dict[str, Any]) -> str:
    """`YYYY-MM-DDTHH:MM:SS.FFFFFFFFFFFFZ`, the ISO8601_STRING output format of a TIMESTAMP(12)."""
    utc = value[MICROS].astimezone(dt.UTC)
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}{value[PICOS]:06d}Z"


def is_value(value: Any) -> bool:
    """Whether a Python value is the engine's TIMESTAMP(12) (a dict of its two fields)."""
    return isinstance(value, dict) and len(value) == 2 and MICROS in value and PICOS in value


def isoformat(value: dict[str, Any]) -> str:
    """A TIMESTAMP(12) as Python's isoformat() writes a TIMESTAMP, with twelve fraction digits
    (`2023-01-01T12:00:00.123456789123+00:00`), for `llmops sql`."""
    return iso_text(value)[:-1] + "+00:00"


def micros_of(value: dict[str, Any]) -> dt.datetime:
    """The TIMESTAMP (microseconds, rounded down) of a TIMESTAMP(12) value."""
    return value[MICROS]


# ------------------------------------------------------------------------------ columns


def micros_column(column: Any) -> Any:
    """An Arrow column of TIMESTAMP(12) values as Arrow timestamps in microseconds (rounded down)."""
    import pyarrow.compute as pc

    return pc.struct_field(column, [0])


def nanos_column(column: Any) -> Any:
    """An Arrow column of TIMESTAMP(12) values as Arrow timestamps in nanoseconds (rounded down)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    nanos = pc.cast(micros_column(column), pa.timestamp("ns", tz="UTC"))
    extra = pc.cast(pc.divide(pc.struct_field(column, [1]), 1000), pa.int64()).cast(pa.duration("ns"))
    return pc.add(nanos, extra)


def iso_column(column: Any) -> Any:
    """An Arrow column of TIMESTAMP(12) values as their ISO8601_STRING texts (nulls kept)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # %S of a microsecond timestamp writes its six fraction digits
    head = pc.strftime(micros_column(column), format="%Y-%m-%dT%H:%M:%S", locale="C")
    picos = pc.utf8_lpad(pc.cast(pc.struct_field(column, [1]), pa.string()), 6, "0")
    return pc.binary_join_element_wise(head, picos, "Z", "")
