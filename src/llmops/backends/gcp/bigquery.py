"""`bigquery` warehouse: google-cloud-bigquery, on Google Cloud or the emulator.

Query values are bound as BigQuery query parameters (never formatted into SQL). Exports run
`EXPORT DATA` inside BigQuery, so rows never pass through Python; BigQuery writes wildcard
shards, which are listed afterwards (and composed into one object when a single file was asked
for).
"""

from __future__ import annotations

import datetime as dt
import decimal
import fnmatch
import io
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.errors import ConfigError, DataError, NotFoundError, QueryError
from ...core.interfaces import Warehouse
from ...core.types import ExportResult
from .clients import bigquery_client, storage_client

if TYPE_CHECKING:
    import pyarrow as pa

EXPORT_FORMATS = {
    "jsonl": ("JSON", "jsonl"),
    "json": ("JSON", "jsonl"),
    "csv": ("CSV", "csv"),
    "parquet": ("PARQUET", "parquet"),
}
WRITE_MODES = {"append": "WRITE_APPEND", "replace": "WRITE_TRUNCATE", "empty": "WRITE_EMPTY"}


def _scalar_type(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT64"
    if isinstance(value, float):
        return "FLOAT64"
    if isinstance(value, decimal.Decimal):
        exponent = value.as_tuple().exponent  # a str for NaN and infinities
        return "NUMERIC" if isinstance(exponent, int) and abs(exponent) <= 9 and abs(value) < 10**29 else "BIGNUMERIC"
    if isinstance(value, dt.datetime):
        return "TIMESTAMP" if value.tzinfo is not None else "DATETIME"
    if isinstance(value, dt.date):
        return "DATE"
    if isinstance(value, dt.time):
        return "TIME"
    if isinstance(value, (bytes, bytearray)):
        return "BYTES"
    return "STRING"


def query_parameter(name: str | None, value: Any) -> Any:
    """A Python value as a google-cloud-bigquery query parameter (scalar, array or struct)."""
    from google.cloud import bigquery

    if isinstance(value, Mapping):
        return bigquery.StructQueryParameter(name, *[query_parameter(str(k), v) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        items = [v for v in value if v is not None]
        if items and isinstance(items[0], Mapping):
            return bigquery.ArrayQueryParameter(name, "STRUCT", [query_parameter(None, v) for v in items])
        element = _scalar_type(items[0]) if items else "STRING"
        if element == "INT64" and any(isinstance(v, float) for v in items):
            element = "FLOAT64"
        return bigquery.ArrayQueryParameter(name, element, list(value))
    return bigquery.ScalarQueryParameter(name, _scalar_type(value), value)


def query_parameters(params: Mapping[str, Any] | Sequence[Any] | None) -> list[Any]:
    if not params:
        return []
    if isinstance(params, Mapping):
        return [query_parameter(str(k), v) for k, v in params.items()]
    return [query_parameter(None, v) for v in params]


def _json_ready(value: Any) -> Any:
    """A Python value in BigQuery's JSON row representation (for insertAll)."""
    import base64

    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    return value


def _literal(text: str) -> str:
    from sqlglot import exp

    return exp.Literal.string(text).sql(dialect="bigquery")


def api_error(exc: Exception, what: str) -> Exception:
    """A google.api_core error as the matching one-line llmops error."""
    from google.api_core import exceptions as gexc

    message = getattr(exc, "message", None) or str(exc)
    message = " ".join(str(message).split())
    if isinstance(exc, gexc.NotFound):
        return NotFoundError(f"BigQuery: {message}", fix=f"check the names in the {what}")
    if isinstance(exc, (gexc.BadRequest, gexc.Conflict)):
        return QueryError(f"BigQuery: {message}", fix=f"fix the {what}")
    if isinstance(exc, gexc.Forbidden):
        return ConfigError(f"BigQuery refused the {what}: {message}", fix="check the project and your IAM roles")
    return QueryError(f"BigQuery failed the {what}: {message}", fix="try again; see the message for the cause")


class BigQueryWarehouse(Warehouse):
    """GoogleSQL on BigQuery through google-cloud-bigquery (ADC on Google Cloud, anonymous on the emulator)."""

    description = "Google BigQuery (google-cloud-bigquery); the emulated profile points it at `llmops emulator start`."

    def __init__(self, settings):
        super().__init__(settings)
        self._client = None
        self._storage = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = bigquery_client(self.settings)
        return self._client

    @property
    def project(self) -> str:
        return self.client.project

    def _job_config(self, params: Mapping[str, Any] | Sequence[Any] | None) -> Any:
        from google.cloud import bigquery

        return bigquery.QueryJobConfig(query_parameters=query_parameters(params))

    def query(self, sql: str, params: Mapping[str, Any] | Sequence[Any] | None = None) -> pa.Table:
        """Run GoogleSQL (a query or a script) with parameters bound; rows as Arrow."""
        from google.api_core import exceptions as gexc

        try:
            rows = self.client.query_and_wait(sql, job_config=self._job_config(params))
            return rows.to_arrow(create_bqstorage_client=False)
        except gexc.GoogleAPICallError as exc:
            raise api_error(exc, "query") from None

    def export(
        self,
        sql: str,
        destination_uri: str,
        params: Mapping[str, Any] | Sequence[Any] | None = None,
        format: str = "jsonl",
    ) -> ExportResult:
        """EXPORT DATA to gs://: a URI with '*' or ending in '/' gets BigQuery's shards; a plain
        object name gets exactly that object (the shards are composed into it)."""
        from google.api_core import exceptions as gexc

        if format.lower() not in EXPORT_FORMATS:
            raise ConfigError(f"unknown export format {format!r}", fix=f"use one of: {', '.join(EXPORT_FORMATS)}")
        bq_format, ext = EXPORT_FORMATS[format.lower()]
        if not destination_uri.startswith("gs://"):
            raise ConfigError(
                f"BigQuery exports only to gs:// URIs, not {destination_uri!r}", fix="export to gs://BUCKET/PATH"
            )
        single = None
        if "*" in destination_uri:
            pattern = destination_uri
        elif destination_uri.endswith("/"):
            pattern = f"{destination_uri}*.{ext}"
        else:
            single = destination_uri
            pattern = f"{destination_uri}.shards-{uuid.uuid4().hex[:12]}/*.{ext}"
        options = [f"uri={_literal(pattern)}", f"format='{bq_format}'", "overwrite=true"]
        if bq_format == "CSV":
            options.append("header=true")
        statement = f"EXPORT DATA OPTIONS({', '.join(options)}) AS\n{sql.strip().rstrip(';')}"
        try:
            job = self.client.query(statement, job_config=self._job_config(params))
            job.result()
        except gexc.GoogleAPICallError as exc:
            raise api_error(exc, "export query") from None
        shards = self._list_matching(pattern)
        stats = (job._properties.get("statistics") or {}).get("query", {}).get("exportDataStatistics") or {}
        rows = int(stats["rowCount"]) if "rowCount" in stats else self._count_rows(shards, bq_format)
        if single is None:
            return ExportResult(uris=shards, rows=rows)
        self._compose(shards, single)
        return ExportResult(uris=[single], rows=rows)

    # -------------------------------------------------------------- export helpers

    @property
    def storage(self) -> Any:
        if self._storage is None:
            self._storage = storage_client(self.settings)
        return self._storage

    def _list_matching(self, pattern: str) -> list[str]:
        bucket, _, name = pattern[len("gs://") :].partition("/")
        prefix = name.split("*", 1)[0]
        return sorted(
            f"gs://{bucket}/{b.name}"
            for b in self.storage.list_blobs(bucket, prefix=prefix)
            if fnmatch.fnmatchcase(b.name, name)
        )

    def _count_rows(self, uris: list[str], bq_format: str) -> int:
        if bq_format == "PARQUET":
            import pyarrow.parquet as pq

            return sum(pq.ParquetFile(io.BytesIO(self._blob(u).download_as_bytes())).metadata.num_rows for u in uris)
        lines = sum(self._blob(u).download_as_bytes().count(b"\n") for u in uris)
        return lines - (len(uris) if bq_format == "CSV" else 0)

    def _blob(self, uri: str) -> Any:
        bucket, _, name = uri[len("gs://") :].partition("/")
        return self.storage.bucket(bucket).blob(name)

    def _compose(self, shards: list[str], destination: str) -> None:
        """Concatenate shards into one object (Cloud Storage composes up to 32 at a time)."""
        target = self._blob(destination)
        if not shards:
            target.upload_from_string(b"")
            return
        sources = [self._blob(u) for u in shards]
        while len(sources) > 32:
            step = self._blob(f"{destination}.compose-{uuid.uuid4().hex[:8]}")
            step.compose(sources[:32])
            sources = [step, *sources[32:]]
        target.compose(sources)
        for blob in {b.name: b for b in sources + [self._blob(u) for u in shards]}.values():
            if blob.name != target.name:
                blob.delete()

    # -------------------------------------------------------------- tables

    def _table_id(self, table: str) -> str:
        parts = table.strip("`").split(".")
        if len(parts) == 2:
            return f"{self.project}.{parts[0]}.{parts[1]}"
        if len(parts) == 3:
            return ".".join(parts)
        raise DataError(
            f"table name {table!r} is not dataset.table or project.dataset.table", fix="qualify the table name"
        )

    def load(self, table: str, data: pa.Table, mode: str = "append") -> int:
        """Load Arrow rows as Parquet through a load job; a missing dataset is created."""
        import pyarrow.parquet as pq
        from google.api_core import exceptions as gexc
        from google.cloud import bigquery

        if mode not in WRITE_MODES:
            raise DataError(f"unknown load mode {mode!r}", fix="use append or replace")
        table_id = self._table_id(table)
        buffer = io.BytesIO()
        pq.write_table(data, buffer)
        buffer.seek(0)
        config = bigquery.LoadJobConfig(
            source_format=bigquery.SourceFormat.PARQUET, write_disposition=WRITE_MODES[mode]
        )
        try:
            self.client.create_dataset(table_id.rsplit(".", 1)[0], exists_ok=True)
            job = self.client.load_table_from_file(buffer, table_id, job_config=config, rewind=True)
            job.result()
        except gexc.GoogleAPICallError as exc:
            raise api_error(exc, f"load into {table_id}") from None
        return int(job.output_rows if job.output_rows is not None else data.num_rows)

    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Stream JSON rows (insertAll); all or none, DataError naming the first bad row."""
        from google.api_core import exceptions as gexc

        rows = [_json_ready(dict(r)) for r in rows]
        if not rows:
            return 0
        table_id = self._table_id(table)
        try:
            errors = self.client.insert_rows_json(table_id, rows)
        except gexc.GoogleAPICallError as exc:
            raise api_error(exc, f"insert into {table_id}") from None
        invalid = [e for e in errors if any(d.get("reason") != "stopped" for d in e.get("errors", []))]
        if invalid:
            first = invalid[0]
            detail = next(d for d in first["errors"] if d.get("reason") != "stopped")
            raise DataError(
                f"row {first['index']} cannot be inserted into {table_id}: {detail.get('message')}",
                fix="fix the row; no rows were inserted",
            )
        return len(rows)

    def tables(self) -> list[str]:
        from google.api_core import exceptions as gexc

        try:
            out = []
            for ds in self.client.list_datasets():
                out += [f"{t.project}.{t.dataset_id}.{t.table_id}" for t in self.client.list_tables(ds.reference)]
            return sorted(out)
        except gexc.GoogleAPICallError as exc:
            raise api_error(exc, "table listing") from None

    def close(self) -> None:
        for client in (self._client, self._storage):
            if client is not None:
                client.close()
        self._client = self._storage = None
