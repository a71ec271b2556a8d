"""BigQuery fails a query whose result holds an array with a NULL element ("Array cannot have a
null element; error in writing field f"); inside the query such arrays are fine. DuckDB lists
may hold NULLs, so the engine checks the ARRAY columns of a result (and ARRAYs inside STRUCTs)
before answering. Results without an ARRAY column pay only a look at their schema.

A table cannot store one either (a REPEATED field's values are never NULL): load jobs check the
Arrow table read from a Parquet, ORC or Avro file with `first_null_element` (JSON rows are
checked row by row in the engine's `convert_row`).
"""

from __future__ import annotations

import pyarrow as pa

from .googlesql import BigQueryError


def _has_list(dtype: pa.DataType) -> bool:
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return True
    if pa.types.is_struct(dtype):
        return any(_has_list(dtype.field(i).type) for i in range(dtype.num_fields))
    return False


def _null_element(arr: pa.Array, path: str) -> str | None:
    """The path of the first ARRAY in `arr` with a NULL element, or None."""
    dtype = arr.type
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        values = arr.flatten()  # only the elements of non-NULL arrays
        if values.null_count:
            return path
        return _null_element(values, path) if _has_list(values.type) else None
    if pa.types.is_struct(dtype):
        for i in range(dtype.num_fields):
            field = dtype.field(i)
            if _has_list(field.type):
                found = _null_element(arr.field(i), f"{path}.{field.name}")
                if found:
                    return found
    return None


def first_null_element(table: pa.Table) -> str | None:
    """The field path (`a`, `s.arr`) of the first ARRAY in `table` with a NULL element, or None."""
    for name, column in zip(table.column_names, table.columns, strict=True):
        if not _has_list(column.type):
            continue
        for chunk in column.chunks:
            path = _null_element(chunk, name)
            if path is not None:
                return path
    return None


def check(table: pa.Table) -> None:
    """Raise BigQuery's error when an ARRAY in `table` (a query's result) has a NULL element."""
    path = first_null_element(table)
    if path is not None:
        raise BigQueryError(
            f"Array cannot have a null element; error in writing field {path}",
            fix="drop the NULL elements (ARRAY_AGG(x IGNORE NULLS), or filter them out of the array)",
        )
