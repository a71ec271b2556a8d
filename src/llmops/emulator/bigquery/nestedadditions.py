"""Fields a schema update (`tables.patch` / `tables.update`) adds inside a RECORD column, as
BigQuery's "Add a nested column to a RECORD column" does: the new schema lists the RECORD with
one more field, NULLABLE or REPEATED, and existing rows read NULL there. dbt-bigquery's
`on_schema_change: append_new_columns` sends such an update for a STRUCT that gained a field.

A nested field left out or retyped is refused, as a top-level one is; DuckDB adds the field with
`ALTER TABLE t ADD COLUMN col.sub` (`col.element.sub` inside a REPEATED RECORD)."""

from __future__ import annotations

from typing import Any

from .googlesql import BigQueryInvalid, quote_ident


def additions(column: str, old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(DuckDB column path, new field) for each field `new` (a RECORD field of the update) adds
    inside `old` (the table's field of that name), outermost first."""
    if old.get("type") != "RECORD" or new.get("type") != "RECORD":
        return []
    path = quote_ident(old["name"]) if not column else column + "." + quote_ident(old["name"])
    if old.get("mode") == "REPEATED":
        path += ".element"
    have = {f["name"].lower(): f for f in old.get("fields") or []}
    given = {f["name"].lower() for f in new.get("fields") or []}
    for name, f in have.items():
        if name not in given:
            raise BigQueryInvalid(
                f"the new schema drops field {old['name']}.{f['name']}",
                fix="a schema update may only add fields or relax REQUIRED to NULLABLE",
            )
    out: list[tuple[str, dict[str, Any]]] = []
    for f in new.get("fields") or []:
        was = have.get(f["name"].lower())
        if was is None:
            if f["mode"] == "REQUIRED":
                raise BigQueryInvalid(f"cannot add REQUIRED field {old['name']}.{f['name']}", fix="add it as NULLABLE")
            out.append((path + "." + quote_ident(f["name"]), f))
            continue
        if was["type"] != f["type"] or (was.get("mode") == "REPEATED") != (f["mode"] == "REPEATED"):
            raise BigQueryInvalid(
                f"field {old['name']}.{f['name']} changed type from {was['type']} to {f['type']}",
                fix="a schema update may only add fields or relax REQUIRED to NULLABLE",
            )
        out += additions(path, was, f)
    return out
