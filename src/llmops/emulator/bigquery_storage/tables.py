"""The Storage API's view of the emulator's BigQuery tables: resource names, schemas, reads and
appends, through the engine's public methods only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import sqlglot
from sqlglot.errors import SqlglotError

from ...core.errors import LlmopsError
from ..bigquery import anonymous, picotimestamps
from ..bigquery.googlesql import bq_field_to_arrow
from .errors import from_engine, invalid, not_found

if TYPE_CHECKING:
    from ..bigquery.api import BigQueryApi

_NAME = r"[^/`\\\s]+"
TABLE_RE = re.compile(rf"^projects/({_NAME})/datasets/({_NAME})/tables/({_NAME})$")
COLUMN_RE = re.compile(r"^[^`\\\n\r.]{1,300}$")


@dataclass(frozen=True)
class TableRef:
    """One table by BigQuery Storage resource name: projects/P/datasets/D/tables/T."""

    project: str
    dataset: str
    table: str

    @property
    def path(self) -> str:
        return f"projects/{self.project}/datasets/{self.dataset}/tables/{self.table}"

    @property
    def sql(self) -> str:
        return f"`{self.project}.{self.dataset}.{self.table}`"


def parse_table(path: str, where: str = "table") -> TableRef:
    """A table resource name, or INVALID_ARGUMENT naming the expected form."""
    m = TABLE_RE.match(path or "")
    if not m:
        raise invalid(f"{where} {path!r} is not a table name; use projects/PROJECT/datasets/DATASET/tables/TABLE")
    table = m.group(3)
    if "$" in table or "@" in table:
        raise invalid(f"{where} {path!r} names a partition or snapshot decorator; read the table itself")
    return TableRef(m.group(1), m.group(2), table)


_EXTENSION_METADATA = {
    "GEOGRAPHY": {
        b"ARROW:extension:name": b"google:sqlType:geography",
        b"ARROW:extension:metadata": b'{"encoding": "WKT"}',
    },
    "DATETIME": {b"ARROW:extension:name": b"google:sqlType:datetime"},
    "JSON": {b"ARROW:extension:name": b"google:sqlType:json"},
}
"""The Arrow extension names the Read API marks a top-level GEOGRAPHY (WKT text), DATETIME and
JSON column with (python-bigquery gives its REST pages' Arrow the same since its issue 894)."""


def arrow_field(f: dict[str, Any]) -> pa.Field:
    """The Arrow field the Read API sends for a BigQuery schema field: a BIGNUMERIC, at any depth,
    is `decimal256(76, 38)`, as BigQuery sends it (the engine's DECIMAL(38, 18) casts to it exactly,
    and a wide value, bignumerics.py, is one already); a GEOGRAPHY, DATETIME or JSON column carries
    its extension name."""
    metadata = _EXTENSION_METADATA.get(f.get("type", "")) if f.get("mode") != "REPEATED" else None
    return pa.field(f["name"], _read_api_type(f), nullable=f.get("mode") != "REQUIRED", metadata=metadata)


def _read_api_type(f: dict[str, Any]) -> pa.DataType:
    if f.get("type") == "BIGNUMERIC":
        base: pa.DataType = pa.decimal256(76, 38)
    elif f.get("type") == "RECORD":
        base = pa.struct([pa.field(s["name"], _read_api_type(s)) for s in f["fields"]])
    else:
        return bq_field_to_arrow(f)
    return pa.list_(base) if f.get("mode") == "REPEATED" else base


class Tables:
    """Table metadata, reads and appends on the emulator's BigQuery engine."""

    def __init__(self, bigquery: BigQueryApi):
        self.bigquery = bigquery

    def _anonymous(self, ref: TableRef) -> Any:
        """A query's anonymous result table (the job's destinationTable), or None."""
        if not anonymous.is_anonymous(ref.dataset):
            return None
        result = anonymous.of(self.bigquery).get(ref.project, ref.dataset, ref.table)
        if result is None:
            raise not_found(f"Not found: Table {ref.project}:{ref.dataset}.{ref.table} (query results expire)")
        return result

    def info(self, ref: TableRef) -> dict[str, Any]:
        """engine.get_table's metadata; NOT_FOUND for a missing dataset or table."""
        result = self._anonymous(ref)
        if result is not None:
            return {"type": "TABLE", "schema": result.schema, "num_rows": result.table.num_rows}
        try:
            info = self.bigquery.bigquery.get_table(ref.project, ref.dataset, ref.table)
        except LlmopsError as exc:
            raise from_engine(exc) from None
        return info

    def read(self, ref: TableRef, selected: list[str], restriction: str, picos: int = 0) -> tuple[list[dict], pa.Table]:
        """The table's (selected) fields in table order and its rows matching `restriction`
        (a GoogleSQL boolean expression), as one consistent snapshot. `picos`: the session's
        PicosTimestampPrecision for TIMESTAMP(12) columns (see `_picosecond_columns`)."""
        fields, table = self._read(ref, selected, restriction)
        return _picosecond_columns(fields, table, picos)

    def _read(self, ref: TableRef, selected: list[str], restriction: str) -> tuple[list[dict], pa.Table]:
        info = self.info(ref)
        if info.get("features", {}).get("type") == "MATERIALIZED_VIEW":
            info = {**info, "type": "TABLE"}  # refreshed on read: the query below reads its view
        if info["type"] != "TABLE":
            raise invalid(f"{ref.path} is a {info['type'].lower()}; the Read API reads tables (query the view instead)")
        fields: list[dict] = info["schema"]
        if selected:
            by_name = {f["name"].lower(): f for f in fields}
            for name in selected:
                if "." in name:
                    raise invalid(
                        f"selected field {name!r} names a nested field; the emulator selects top-level columns "
                        f"(select {name.split('.', 1)[0]!r})"
                    )
                if name.lower() not in by_name:
                    raise invalid(f"selected field {name!r} is not a column of {ref.path}; use one of its columns")
            wanted = {n.lower() for n in selected}
            fields = [f for f in fields if f["name"].lower() in wanted]
        for f in fields:
            if not COLUMN_RE.match(f["name"]):
                raise invalid(f"column {f['name']!r} of {ref.path} cannot be read through the emulator's Read API")
        result = self._anonymous(ref)
        if result is not None:
            if restriction.strip():
                raise invalid(f"row_restriction is not supported on query results ({ref.path}); read it whole")
            table = result.table.select([f["name"] for f in fields])
            return fields, self._typed(fields, table)
        cols = ", ".join(f"`{f['name']}`" for f in fields)
        sql = f"SELECT {cols} FROM {ref.sql}"
        if restriction.strip():
            sql += f" WHERE ({restriction})"
            _single_select(sql, restriction)
        try:
            result = self.bigquery.bigquery.query(sql, default_project=ref.project)
        except LlmopsError as exc:
            if restriction.strip() and getattr(exc, "reason", "") != "notFound":
                raise invalid(f"row_restriction {restriction!r} is not a valid filter: {exc}") from None
            raise from_engine(exc) from None
        return fields, self._typed(fields, result.table)

    def _typed(self, fields: list[dict], table: pa.Table) -> pa.Table:
        schema = pa.schema([arrow_field(f) for f in fields])
        try:
            table = pa.Table.from_arrays(
                [table.column(i).cast(schema.field(i).type) for i in range(len(fields))], schema=schema
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            pass  # a type the engine holds differently: send its own
        return table

    def insert(self, ref: TableRef, rows: list[dict]) -> list[dict]:
        """Append rows (BigQuery's JSON row values); insertAll's per-row errors, nothing written on any."""
        try:
            return self.bigquery.bigquery.insert_rows(ref.project, ref.dataset, ref.table, rows)
        except LlmopsError as exc:
            raise from_engine(exc) from None


_PICOS_MICROS, _PICOS_NANOS, _PICOS_PICOS = 1, 2, 3
"""PicosTimestampPrecision's TIMESTAMP_PRECISION_MICROS, _NANOS and _PICOS (0, unspecified: micros)."""


def _picosecond_columns(fields: list[dict], table: pa.Table, picos: int) -> tuple[list[dict], pa.Table]:
    """TIMESTAMP(12) columns as the Read API documents them: a TIMESTAMP rounded down to the
    microsecond (the default) or nanosecond, or for TIMESTAMP_PRECISION_PICOS the ISO 8601 text
    with twelve fraction digits (a STRING)."""
    if not any(picotimestamps.is_pico(f) for f in fields):
        return fields, table
    out_fields, columns = [], []
    for f, column in zip(fields, table.columns, strict=True):
        if picotimestamps.is_pico(f) and pa.types.is_struct(column.type):
            plain = {k: v for k, v in f.items() if k != "timestampPrecision"}
            if picos == _PICOS_PICOS:
                column, plain = picotimestamps.iso_column(column), {**plain, "type": "STRING"}
            elif picos == _PICOS_NANOS:
                column = picotimestamps.nanos_column(column)
            else:
                column = picotimestamps.micros_column(column)
            f = plain
        out_fields.append(f)
        columns.append(column)
    schema = pa.schema(
        [pa.field(f["name"], c.type, nullable=f.get("mode") != "REQUIRED") for f, c in zip(out_fields, columns)]
    )
    return out_fields, pa.Table.from_arrays(columns, schema=schema)


def _single_select(sql: str, restriction: str) -> None:
    """Refuse a row restriction that is more than one boolean expression (e.g. `1=1); DROP ...`)."""
    try:
        parsed = sqlglot.parse(sql, read="bigquery")
    except SqlglotError:
        raise invalid(f"row_restriction {restriction!r} is not a valid GoogleSQL filter expression") from None
    if len(parsed) != 1 or not isinstance(parsed[0], sqlglot.exp.Select):
        raise invalid(f"row_restriction {restriction!r} must be a single boolean expression")
    if any(node is not parsed[0] for node in parsed[0].find_all(sqlglot.exp.Select)):
        raise invalid(f"row_restriction {restriction!r} may not hold a subquery")
