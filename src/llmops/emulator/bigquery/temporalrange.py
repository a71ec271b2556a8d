"""GoogleSQL's DATE, DATETIME and TIMESTAMP run from 0001-01-01 to 9999-12-31 23:59:59.999999;
BigQuery fails a query whose arithmetic leaves that range (`DATETIME_ADD(DATETIME
'9999-12-31 23:59:59.999999', INTERVAL 1 MICROSECOND)`: "... causes overflow"). DuckDB's dates
and timestamps reach further, so such a value came back as year 10000 or 0000, which no client
can read (Python's datetime stops at year 9999: the CLI failed with a traceback). The engine
checks the temporal columns of a result, also inside arrays and structs, before answering;
results without one pay only a look at their schema.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from .googlesql import BigQueryError

_DAY_MIN, _DAY_MAX = -719162, 2932896  # 0001-01-01 and 9999-12-31 as days since 1970-01-01
_US_MIN, _US_MAX = _DAY_MIN * 86_400_000_000, (_DAY_MAX + 1) * 86_400_000_000 - 1


def _is_temporal(dtype: pa.DataType) -> bool:
    return pa.types.is_date32(dtype) or pa.types.is_timestamp(dtype)


def _has_temporal(dtype: pa.DataType) -> bool:
    if _is_temporal(dtype):
        return True
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return _has_temporal(dtype.value_type)
    if pa.types.is_struct(dtype):
        return any(_has_temporal(dtype.field(i).type) for i in range(dtype.num_fields))
    return False


def _outside(arr: pa.Array, path: str) -> tuple[str, str] | None:
    """(path, kind) of the first value in `arr` outside GoogleSQL's range, or None."""
    dtype = arr.type
    if _is_temporal(dtype):
        if len(arr) == arr.null_count:
            return None
        raw = arr.cast(pa.int32() if pa.types.is_date32(dtype) else pa.int64())
        if pa.types.is_timestamp(dtype) and dtype.unit != "us":
            return None  # the engine answers microseconds; another unit is not a GoogleSQL value
        low, high = (_DAY_MIN, _DAY_MAX) if pa.types.is_date32(dtype) else (_US_MIN, _US_MAX)
        bounds = pc.min_max(raw)
        if bounds["min"].as_py() < low or bounds["max"].as_py() > high:
            kind = "DATE" if pa.types.is_date32(dtype) else ("TIMESTAMP" if dtype.tz else "DATETIME")
            return path, kind
        return None
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return _outside(arr.flatten(), path)
    if pa.types.is_struct(dtype):
        for i in range(dtype.num_fields):
            field = dtype.field(i)
            if _has_temporal(field.type):
                found = _outside(arr.field(i), f"{path}.{field.name}")
                if found:
                    return found
    return None


def check(table: pa.Table) -> None:
    """Raise BigQuery's out-of-range error when a DATE, DATETIME or TIMESTAMP in `table` (a
    query's result) lies outside 0001-01-01 .. 9999-12-31 23:59:59.999999."""
    for name, column in zip(table.column_names, table.columns, strict=True):
        if not _has_temporal(column.type):
            continue
        for chunk in column.chunks:
            found = _outside(chunk, name)
            if found is not None:
                path, kind = found
                last = dt.date.max.isoformat() + ("" if kind == "DATE" else " 23:59:59.999999")
                raise BigQueryError(
                    f"{kind} value out of range in field {path}: the date arithmetic causes overflow "
                    f"(GoogleSQL's {kind} runs from {dt.date.min.isoformat()} to {last})",
                    fix="keep the arithmetic inside that range, e.g. test the operand with IF before adding",
                )
