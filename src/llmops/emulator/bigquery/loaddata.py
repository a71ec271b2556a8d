"""`LOAD DATA [OVERWRITE] INTO table [(column list)] FROM FILES(format = ..., uris = [...], ...)`:
a load job run from SQL. The statement becomes the REST load configuration a load job takes, and
the emulator runs it with its load jobs' reader (`engine.file_loads`); the local warehouse, which
has no object storage, refuses it by name."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .googlesql import BigQueryError, Statement

_FORMATS = {
    "CSV": "CSV",
    "JSON": "NEWLINE_DELIMITED_JSON",
    "NEWLINE_DELIMITED_JSON": "NEWLINE_DELIMITED_JSON",
    "PARQUET": "PARQUET",
    "AVRO": "AVRO",
    "ORC": "ORC",
}
_OPTIONS = {
    "skip_leading_rows": "skipLeadingRows",
    "field_delimiter": "fieldDelimiter",
    "allow_jagged_rows": "allowJaggedRows",
    "allow_quoted_newlines": "allowQuotedNewlines",
    "max_bad_records": "maxBadRecords",
    "null_marker": "nullMarker",
    "quote": "quote",
    "encoding": "encoding",
    "ignore_unknown_values": "ignoreUnknownValues",
    "enable_logical_types": "useAvroLogicalTypes",
    "preserve_ascii_control_characters": "preserveAsciiControlCharacters",
}
"""FILES(...) options -> the load configuration's fields (BigQuery's LOAD DATA reference)."""


def translate(stmt: exp.LoadData, ctx: Any) -> Statement:
    """The Statement the engine hands to the emulator's load jobs."""
    from .tablekinds import _resolve_name

    if stmt.args.get("temp"):
        raise BigQueryError(
            "LOAD DATA INTO TEMP TABLE is not supported by the local warehouse", fix="load into a dataset's table"
        )
    target = stmt.this
    columns: list[dict[str, Any]] | None = None
    if isinstance(target, exp.Schema):
        from .googlesql import duckdb_type_to_field

        columns = [
            duckdb_type_to_field(c.name, c.args["kind"].sql("duckdb"))
            for c in target.expressions
            if isinstance(c, exp.ColumnDef)
        ]
        target = target.this
    project, dataset, table = _resolve_name(target.sql("bigquery"), ctx)
    files = stmt.args.get("files")
    options: dict[str, Any] = {}
    fmt = None
    for prop in files.expressions if files is not None else []:
        if isinstance(prop, exp.FileFormatProperty):
            fmt = prop.this.name.upper()
            continue
        name = prop.name.lower()
        value = prop.args.get("value")
        if name == "uris":
            items = value.expressions if isinstance(value, exp.Array) else [value]
            if not items or not all(isinstance(i, exp.Literal) and i.is_string for i in items):
                raise BigQueryError(
                    "LOAD DATA's uris must be an array of string literals", fix="uris = ['gs://bucket/file.csv']"
                )
            options["sourceUris"] = [i.name for i in items]
        elif name == "decimal_target_types":
            items = value.expressions if isinstance(value, exp.Array) else [value]
            if not all(isinstance(i, exp.Literal) and i.is_string for i in items):
                raise BigQueryError(
                    "LOAD DATA's decimal_target_types must be an array of string literals",
                    fix="decimal_target_types = ['NUMERIC', 'BIGNUMERIC']",
                )
            options["decimalTargetTypes"] = [i.name.upper() for i in items]
        elif name == "format":
            fmt = value.name.upper() if isinstance(value, exp.Literal) else str(value).upper()
        elif name in _OPTIONS:
            if not isinstance(value, (exp.Literal, exp.Boolean)):
                raise BigQueryError(f"LOAD DATA option {name} must be a literal", fix=f"write {name} = <literal>")
            options[_OPTIONS[name]] = value.this if isinstance(value, exp.Boolean) else value.name
        else:
            raise BigQueryError(
                f"LOAD DATA option {name} is not supported by the local warehouse",
                fix="use format, uris, decimal_target_types, " + ", ".join(sorted(_OPTIONS)),
            )
    if fmt not in _FORMATS:
        raise BigQueryError(
            f"LOAD DATA format {fmt or '(missing)'} is not supported",
            fix="format = 'CSV', 'JSON', 'PARQUET', 'AVRO' or 'ORC'",
        )
    if not options.get("sourceUris"):
        raise BigQueryError("LOAD DATA needs uris", fix="FROM FILES(format = 'CSV', uris = ['gs://bucket/file.csv'])")
    config: dict[str, Any] = {
        **options,
        "sourceFormat": _FORMATS[fmt],
        "destinationTable": {"projectId": project, "datasetId": dataset, "tableId": table},
        "writeDisposition": "WRITE_TRUNCATE" if stmt.args.get("overwrite") else "WRITE_APPEND",
        "createDisposition": "CREATE_IF_NEEDED",
    }
    if columns is not None:
        config["schema"] = {"fields": columns}
    else:
        config["autodetect"] = True
    target_ref = (project, dataset, table)
    return Statement(
        sql="", statement_type="LOAD_DATA", target=target_ref, tables=(target_ref,), options={"load": config}
    )
