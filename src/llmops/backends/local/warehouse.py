"""`duckdb` warehouse: GoogleSQL on the workspace's DuckDB file (`warehouse.duckdb`).

Queries run through the emulator's BigQueryEngine, which translates GoogleSQL to DuckDB and
preloads the public Stack Overflow tables. The file is opened per call and closed after it, so
pipeline components in other processes can use the same workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ...core.errors import DataError
from ...core.interfaces import StatementRunner, Warehouse
from ...core.types import ExportResult
from ...core.workspace import Workspace
from .plugin import DuckDBSettings

if TYPE_CHECKING:
    import pyarrow as pa


class DuckDBWarehouse(Warehouse, StatementRunner):
    """BigQuery's SQL dialect on a local DuckDB file, with the Stack Overflow sample preloaded."""

    description = "GoogleSQL (BigQuery dialect) on a local DuckDB file in the workspace."

    def __init__(self, settings):
        super().__init__(settings)
        self.project = settings.section(DuckDBSettings).project
        self._engine = None

    @property
    def engine(self):
        """The BigQueryEngine over the workspace file (created on first use)."""
        if self._engine is None:
            from ...emulator.bigquery.engine import BigQueryEngine

            workspace = Workspace(self.settings.workspace).ensure()
            # Exports (data preparation, EXPORT DATA) may write only inside the workspace; the
            # database itself may read and write only the log folder (its views over the
            # prediction and span segment files).
            logs = workspace.root / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            self._engine = BigQueryEngine(
                workspace.warehouse_path, default_project=self.project, local_root=workspace.root, data_roots=(logs,)
            )
        return self._engine

    def query(self, sql: str, params: Mapping[str, Any] | Sequence[Any] | None = None) -> pa.Table:
        return self.engine.query(sql, params).table

    def query_result(self, sql: str, params: Mapping[str, Any] | Sequence[Any] | None = None):
        """The full result: Arrow rows plus BigQuery schema and statement type."""
        return self.engine.query(sql, params)

    def export(
        self,
        sql: str,
        destination_uri: str,
        params: Mapping[str, Any] | Sequence[Any] | None = None,
        format: str = "jsonl",
    ) -> ExportResult:
        """Write the query's rows to a path or file:// URI inside the workspace (rows stream as
        Arrow, never as Python objects), under a temporary name renamed when complete."""
        info = self.engine.export(sql, destination_uri, format=format, params=params)
        return ExportResult(uris=list(info["uris"]), rows=int(info["rows"]))

    def kept_open(self) -> AbstractContextManager[None]:
        """Calls made inside share one opening of the warehouse file, which other processes
        wait for meanwhile (data preparation's probe and scan)."""
        return self.engine.kept_open()

    def stream_json_lines(
        self,
        sql: str,
        consume: Callable[[pa.RecordBatch], None],
        *,
        lines: Mapping[str, Sequence[str]],
        params: Mapping[str, Any] | Sequence[Any] | None = None,
    ) -> None:
        """Hand the query's rows to `consume` as Arrow batches, each `lines` entry (output name ->
        columns) rendered as the JSON line an EXPORT DATA in JSON format writes for those columns,
        byte for byte, newline included; for a caller that splits one scan into several files and
        writes them itself."""
        self.engine.stream_json_lines(sql, consume, lines=lines, params=params)

    def _split(self, table: str) -> tuple[str, str, str]:
        parts = table.strip("`").split(".")
        if len(parts) == 2:
            return self.project, parts[0], parts[1]
        if len(parts) == 3:
            return parts[0], parts[1], parts[2]
        raise DataError(
            f"table name {table!r} is not dataset.table or project.dataset.table", fix="qualify the table name"
        )

    def load(self, table: str, data: pa.Table, mode: str = "append") -> int:
        """Load Arrow rows; the dataset is created if missing (a local convenience)."""
        project, dataset, name = self._split(table)
        self.engine.create_dataset(project, dataset, exists_ok=True)
        return self.engine.load_table(project, dataset, name, data, mode=mode)

    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert JSON-like rows; all or none (BigQuery's default), DataError naming the first bad row."""
        project, dataset, name = self._split(table)
        rows = list(rows)
        errors = self.engine.insert_rows(project, dataset, name, [dict(r) for r in rows])
        invalid = [e for e in errors if e["errors"][0]["reason"] != "stopped"]
        if invalid:
            first = invalid[0]
            raise DataError(
                f"row {first['index']} cannot be inserted into {table}: {first['errors'][0]['message']}",
                fix="fix the row; no rows were inserted",
            )
        return len(rows)

    def tables(self) -> list[str]:
        return [f"{p}.{d}.{t}" for p, d, t in self.engine.all_tables()]

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
