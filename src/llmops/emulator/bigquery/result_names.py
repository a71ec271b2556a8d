"""The column names of a query job's result when two of its columns share a name.

A query's result is a table (its anonymous destination, read through tabledata.list,
getQueryResults and the Storage Read API), and a table's column names are unique regardless of
case: a later column whose name an earlier one has is named `name_1` (`name_2`, ... while taken),
as BigQuery's anonymous result tables do (`SELECT q.*, b.*` of two tables with an `id` column
gives `id` and `id_1`). With a destinationTable BigQuery refuses such a result instead:
"Duplicate column names in the result are not supported when a destination table is present".
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..server.errors import ApiError


def duplicates(names: list[str]) -> list[str]:
    """The names that more than one column has (case-insensitively), in the order they first repeat."""
    first: dict[str, str] = {}
    repeated: dict[str, str] = {}
    for name in names:
        key = name.lower()
        if key in first:
            repeated.setdefault(key, first[key])
        else:
            first[key] = name
    return list(repeated.values())


def unique(names: list[str]) -> list[str]:
    """`names` with each repeated name after its first suffixed `_1`, `_2`, ... (the first free one)."""
    taken = {n.lower() for n in names}
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        if name.lower() in seen:
            n = 1
            while f"{name}_{n}".lower() in taken:
                n += 1
            name = f"{name}_{n}"
            taken.add(name.lower())
        seen.add(name.lower())
        out.append(name)
    return out


def for_job(result: Any, *, destination: bool) -> Any:
    """The result as the job reports it: repeated column names made unique, or 400 when the job
    writes a destinationTable."""
    names = [f["name"] for f in result.schema or []]
    repeated = duplicates(names)
    if not repeated:
        return result
    if destination:
        raise ApiError(
            400,
            "Duplicate column names in the result are not supported when a destination table is present. "
            f"Found duplicate(s): {', '.join(repeated)}",
            "invalidQuery",
        )
    renamed = unique(names)
    schema = [{**f, "name": n} for f, n in zip(result.schema, renamed, strict=True)]
    table = result.table
    if table.num_columns == len(renamed):
        table = table.rename_columns(renamed)
    return dataclasses.replace(result, schema=schema, table=table)
