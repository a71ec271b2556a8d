"""`llmops sql "SQL"`: run GoogleSQL on the profile's warehouse and print the rows."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
import sys
from types import SimpleNamespace
from typing import Any

import typer

from ..core.errors import ConfigError
from ..core.interfaces import StatementResult, StatementRunner
from .common import FormatOption, JsonOption, console, output_format, parse_params, print_csv, print_json, session

CELL_WIDTH = 80
DEFAULT_TABLE_ROWS = 100


def json_value(value: Any) -> Any:
    """A cell as JSON: timestamps and dates as ISO strings (a TIMESTAMP(12) with twelve fraction
    digits), NUMERIC as a string, BYTES base64,
    INTERVAL as BigQuery's canonical text (`0-0 60 0:0:0`), a FLOAT64 NaN or infinity as BigQuery's
    REST API writes it ("NaN", "Infinity", "-Infinity": JSON has no such numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        from ..emulator.bigquery.encoding import float_text

        return float_text(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):  # as BigQuery writes NUMERIC: 1.5, not the local 1.500000000
        # normalize() in a context of BIGNUMERIC's 77 digits: the default 28 would round them
        return format(value.normalize(decimal.Context(prec=100)), "f") if value.is_finite() else str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dt.timedelta):
        return str(value)
    if hasattr(value, "nanoseconds") and hasattr(value, "months"):  # an INTERVAL from the local warehouse
        from ..emulator.bigquery.encoding import interval_text

        return interval_text(value)
    if type(value).__name__ == "relativedelta":  # an INTERVAL from google-cloud-bigquery
        from ..emulator.bigquery.encoding import interval_text

        months = 12 * value.years + value.months
        seconds = 3600 * value.hours + 60 * value.minutes + value.seconds
        nanos = 1000 * (1_000_000 * seconds + value.microseconds)
        return interval_text(SimpleNamespace(months=months, days=value.days, nanoseconds=nanos))
    if isinstance(value, dict):
        from ..emulator.bigquery import picotimestamps

        if picotimestamps.is_value(value):  # a TIMESTAMP(12) from the local warehouse
            return picotimestamps.isoformat(value)
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if not isinstance(value, str):
        value = (
            json.dumps(json_value(value), ensure_ascii=False)
            if isinstance(value, (dict, list))
            else str(json_value(value))
        )
    value = value.replace("\n", "⏎")
    return value if len(value) <= CELL_WIDTH else value[: CELL_WIDTH - 1] + "…"


def unique_column_names(names: list[str]) -> list[str]:
    """Result column names made unique as BigQuery does for `SELECT a.id, b.id`: later
    duplicates get `_1`, `_2`... (`id`, `id_1`), so rows keyed by name keep every column."""
    taken = {n.lower() for n in names}  # a later column's own name is not free either
    used: set[str] = set()
    out = []
    for name in names:
        new = name
        i = 0
        while new.lower() in used or (new != name and new.lower() in taken):
            i += 1
            new = f"{name}_{i}"
        used.add(new.lower())
        out.append(new)
    return out


def add_commands(cli: typer.Typer) -> None:
    @cli.command("sql")
    def sql_command(
        query: str = typer.Argument(..., help="GoogleSQL (BigQuery dialect); '-' reads it from stdin."),
        param: list[str] | None = typer.Option(
            None, "--param", "-P", help="Query parameter @name as name=value (repeatable)."
        ),
        json_: bool = JsonOption,
        fmt: str | None = FormatOption,
        max_rows: int | None = typer.Option(
            None,
            "--max-rows",
            help=f"Print at most N rows (default: all with --json, {DEFAULT_TABLE_ROWS} in the table).",
        ),
    ) -> None:
        """Run a GoogleSQL query on the warehouse (local DuckDB by default) and print the rows."""
        if query == "-":
            query = sys.stdin.read()
        if max_rows is not None and max_rows < 0:
            raise ConfigError(f"--max-rows must be 0 or more, not {max_rows}", fix="pass --max-rows N with N >= 0")
        warehouse = session().warehouse
        params = parse_params(param) or None
        result: StatementResult | None = None
        if isinstance(warehouse, StatementRunner):
            result = warehouse.query_result(query, params)
            table = result.table
        else:
            table = warehouse.query(query, params)
        if len(set(n.lower() for n in table.column_names)) != table.num_columns:
            table = table.rename_columns(unique_column_names(table.column_names))
        shape = output_format(fmt, json_)
        limit = max_rows if max_rows is not None else (DEFAULT_TABLE_ROWS if shape == "table" else None)
        shown = table if limit is None else table.slice(0, limit)
        rows = shown.to_pylist()
        if shape == "json":
            print_json([{k: json_value(v) for k, v in row.items()} for row in rows])
            return
        if shape == "csv" and table.num_columns:
            print_csv([{k: json_value(v) for k, v in row.items()} for row in rows], list(table.column_names))
            return
        if table.num_columns == 0:
            kind = result.statement_type if result is not None else "statement"
            affected = result.num_dml_affected_rows if result is not None else None
            export = result.export if result is not None else None
            detail = f", {affected} rows affected" if affected is not None else ""
            if export:
                detail = f", {export['rows']} rows written to {', '.join(export['uris'])}"
            console.print(f"{kind} done{detail}")
            return
        from rich.table import Table

        out = Table(*table.column_names, show_lines=False)
        for row in rows:
            out.add_row(*(_cell(v) for v in row.values()))
        console.print(out)
        more = table.num_rows - len(rows)
        console.print(
            f"{table.num_rows} row{'s' if table.num_rows != 1 else ''}"
            + (f" ({more} not shown; --max-rows N)" if more else "")
        )
