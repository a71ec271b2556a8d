"""The emulated BigQuery v2 REST API over the GoogleSQL-on-DuckDB engine."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...core.errors import LlmopsError
from ..server.api import EmulatedApi, Emulator
from ..server.uploads import UploadSessions
from ..storage.api import StorageApi
from ..storage.store import ObjectStore
from .sessions import SessionStore

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from .engine import BigQueryEngine


_V2 = "/bigquery/v2"


def _without_v2_prefix(routes: list[BaseRoute]) -> list[BaseRoute]:
    """The `/bigquery/v2/projects/...` routes again at `/projects/...`: the Node.js client
    (@google-cloud/bigquery) takes BIGQUERY_EMULATOR_HOST itself as its base URL, so under that
    variable its calls arrive without the `/bigquery/v2` (its uploads keep theirs)."""
    from starlette.routing import Route

    return [
        Route(r.path[len(_V2) :], r.endpoint, methods=sorted(r.methods or ()))
        for r in routes
        if isinstance(r, Route) and r.path.startswith(_V2 + "/projects")
    ]


class BigQueryApi(EmulatedApi):
    """BigQuery v2: datasets, tables, tabledata, jobs and load uploads."""

    name = "bigquery"
    prefixes = ("/bigquery/v2", "/upload/bigquery/v2", "/projects")
    description = "BigQuery REST API v2 (GoogleSQL on DuckDB)"

    def __init__(self, emulator: Emulator):
        super().__init__(emulator)
        storage = emulator.api(StorageApi)
        self.storage: ObjectStore = storage.store
        self.uploads: UploadSessions = storage.uploads
        self._engine: BigQueryEngine | None = None
        self._engine_lock = threading.Lock()
        self.job_resources: Callable[[], list[dict]] = list
        """The jobs run so far (the job runner sets it), for INFORMATION_SCHEMA.JOBS."""
        self.file_loads: Callable[[str, dict], dict] | None = None
        """Runs a load configuration as a load job does (the job runner sets it), for LOAD DATA."""
        self.table_fields: Callable[[str, str, str], tuple[dict[str, Any], str]] = lambda p, d, t: ({}, "")
        """A table's REST fields and the creation time they belong to (the handlers set it), for
        the table options the engine enforces (require_partition_filter)."""
        self.sessions = SessionStore()

    @property
    def bigquery(self) -> BigQueryEngine:
        """The engine over `<data>/bigquery/warehouse.duckdb`, opened on first use."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    from .engine import BigQueryEngine, QueryLimits

                    folder = self.data_dir / "bigquery"
                    folder.mkdir(parents=True, exist_ok=True)
                    cfg = self.config
                    # Each call gets its own cursor on the held database: queries run in
                    # parallel, and nothing serialises them (a long one delays no other request).
                    self._engine = BigQueryEngine(
                        folder / "warehouse.duckdb",
                        default_project=cfg.default_project,
                        gcs_root=self.storage.root,
                        keep_open=True,
                        limits=QueryLimits(
                            max_query_bytes=cfg.max_query_bytes,
                            max_query_tokens=cfg.max_query_tokens,
                            timeout_s=cfg.query_timeout_s,
                            memory_limit=cfg.query_memory_limit,
                        ),
                    )
                    self._engine.job_resources = lambda: self.job_resources()
                    self._engine.file_loads = self._file_loads
                    self._engine.end_session = self.sessions.end
                    self._engine.rest_table_fields = lambda p, d, t: self.table_fields(p, d, t)
                    from .session_tables import drop_leftovers

                    drop_leftovers(self._engine)  # no session outlives the emulator that opened it
        return self._engine

    def _file_loads(self, project: str, config: dict) -> dict:
        if self.file_loads is None:
            raise LlmopsError("LOAD DATA needs the emulator's job runner", fix="start the emulator's BigQuery API")
        return self.file_loads(project, config)

    def routes(self) -> list[BaseRoute]:
        from .iam_routes import iam_routes
        from .routes import routes
        from .rowaccess_routes import rowaccess_routes
        from .table_writes import wrap_table_writes

        own = wrap_table_writes(routes(self), self)
        served = own + rowaccess_routes(self) + iam_routes(self)
        return served + _without_v2_prefix(served)

    def start(self) -> None:
        if self.config.warm_start:
            threading.Thread(target=lambda: self.bigquery, name="bigquery-warm-start", daemon=True).start()

    def close(self) -> None:
        self.sessions.close_all()
        with self._engine_lock:  # an engine still opening (the warm start's thread) finishes first
            if self._engine is not None:
                self._engine.close()
                self._engine = None
