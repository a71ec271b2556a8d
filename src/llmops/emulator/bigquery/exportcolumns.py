"""The SELECT list an extract job exports a table through, so that CSV and newline-delimited
JSON files hold values as BigQuery writes them ("Export table data"): TIMESTAMP as
`2024-01-01 00:00:00 UTC`, BYTES as base64, NUMERIC/BIGNUMERIC without trailing zeros, GEOGRAPHY
as WKT, JSON as its text (in JSON files INT64 as strings, "to preserve 64-bit precision", at
every level: jsonexport.py writes them).
CSV cannot hold nested or repeated fields: a table with one is BigQuery's error. Avro and
Parquet keep their own types and take the table as it is.

NULL fields are left out and `<`, `>`, `&` escaped by the JSON writer (jsonexport.py).

In JSON files the line writer gives values nested in RECORDs and ARRAYs the same forms (INT64,
BYTES, TIMESTAMP); other nested values keep the engine's forms."""

from __future__ import annotations

from typing import Any

from .googlesql import BigQueryInvalid

_TEXT = {
    "TIMESTAMP": "REPLACE(CAST({c} AS STRING), '+00', ' UTC')",
    "BYTES": "TO_BASE64({c})",
    "NUMERIC": "CAST({c} AS STRING)",
    "BIGNUMERIC": "CAST({c} AS STRING)",
    "GEOGRAPHY": "ST_ASTEXT({c})",
    "JSON": "TO_JSON_STRING({c})",
}
_CSV_ONLY = {"BOOL": "CAST({c} AS STRING)", "FLOAT64": "CAST({c} AS STRING)"}


def select_list(fields: list[dict[str, Any]], fmt: str, table: str) -> str:
    """The GoogleSQL SELECT list exporting a table of `fields` as `fmt` (CSV or JSON) writes it;
    BigQueryInvalid for a nested or repeated field in a CSV export."""
    items = []
    for field in fields:
        name, kind = field["name"], _base(field["type"])
        column = f"`{name}`"
        nested = field.get("mode") == "REPEATED" or kind in ("RECORD", "RANGE")
        if fmt == "CSV" and nested and kind != "RANGE":
            raise BigQueryInvalid(
                f"Operation cannot be performed on a nested schema. Field: {name}",
                fix=f"export {table} as NEWLINE_DELIMITED_JSON, AVRO or PARQUET, or select the flat columns first",
            )
        forms = {**_TEXT, **_CSV_ONLY} if fmt == "CSV" else _TEXT
        if nested or kind not in forms:
            items.append(column)
        else:
            items.append(f"{forms[kind].format(c=column)} AS {column}")
    return ", ".join(items)


def _base(kind: str) -> str:
    return {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL"}.get(kind.upper(), kind.upper())
