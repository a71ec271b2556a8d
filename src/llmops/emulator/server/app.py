"""The emulator's ASGI application: every API on one port.

Each API lives in its own module that exposes `routes(state) -> list[BaseRoute]` and is named in
`API_MODULES` (or added with `register_api`), so later APIs (Vertex AI, Kubeflow Pipelines) plug
in without touching the others. The app logs one line per request (method, path, status, bytes,
milliseconds; never headers, so never an Authorization value) and answers every error in
Google's shape.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..engines.storage import ObjectStore
from ...core.errors import LlmopsError
from .errors import ApiError, handle_exception
from .uploads import UploadSessions

log = logging.getLogger("llmops.emulator")

API_MODULES: list[str] = [
    "llmops.emulator.server.storage_routes",
    "llmops.emulator.server.bigquery_routes",
    "llmops.emulator.server.vertex_routes",
    "llmops.emulator.server.kfp_routes",
]
"""Modules whose `routes(state)` make up the app, in order."""


def register_api(module: str) -> None:
    """Add an API module (one with `routes(state) -> list[BaseRoute]`) to every app built later."""
    if module not in API_MODULES:
        API_MODULES.append(module)


@dataclass(frozen=True)
class EmulatorConfig:
    """What an emulator instance serves from and its limits."""

    data_dir: Path
    max_upload_bytes: int = 5 * 1024**3
    max_request_bytes: int = 100 * 1024**2
    default_project: str = "llmops-emulated"
    location: str = "US"
    warm_start: bool = False
    """Open the BigQuery engine (and its public tables) at startup rather than on first use."""


class EmulatorState:
    """The engines behind the routes, shared by every request of one app."""

    def __init__(self, config: EmulatorConfig):
        self.config = config
        self.data_dir = Path(config.data_dir).expanduser().resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.storage = ObjectStore(self.data_dir / "storage")
        self.uploads = UploadSessions(self.data_dir / "uploads", config.max_upload_bytes)
        self.apis: dict[str, Any] = {}
        """Per-API state that route modules keep (e.g. BigQuery's job store)."""
        self._bigquery: Any = None
        self._bq_lock = threading.Lock()
        self.bigquery_lock = threading.RLock()
        """Serialises calls into the BigQuery engine (one DuckDB connection)."""

    @property
    def bigquery(self) -> Any:
        """The BigQuery engine over `<data>/bigquery/warehouse.duckdb`, opened on first use."""
        if self._bigquery is None:
            with self._bq_lock:
                if self._bigquery is None:
                    from ..engines.bigquery import BigQueryEngine

                    folder = self.data_dir / "bigquery"
                    folder.mkdir(parents=True, exist_ok=True)
                    self._bigquery = BigQueryEngine(
                        folder / "warehouse.duckdb",
                        default_project=self.config.default_project,
                        gcs_root=self.storage.root,
                        keep_open=True,
                    )
        return self._bigquery

    def close(self) -> None:
        for api in self.apis.values():
            close = getattr(api, "close", None)
            if close:
                close()
        if self._bigquery is not None:
            self._bigquery.close()
            self._bigquery = None
        self.storage.close()


_SECRET_PARAMS = {"key", "access_token", "token", "x-goog-signature", "signature"}


def _loggable_path(scope: Scope) -> str:
    path = scope.get("path", "")
    qs = scope.get("query_string", b"").decode("latin-1")
    if not qs:
        return path
    pairs = [(k, "REDACTED" if k.lower() in _SECRET_PARAMS else v) for k, v in parse_qsl(qs, keep_blank_values=True)]
    return f"{path}?{urlencode(pairs)}"


class RequestLog:
    """One log line per request; headers are never logged."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        size = 0

        async def send_and_count(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_and_count)
        finally:
            if log.isEnabledFor(logging.INFO):
                ms = (time.perf_counter() - start) * 1000
                log.info("%s %s %d %dB %.1fms", scope["method"], _loggable_path(scope), status, size, ms)


def _core_routes(state: EmulatorState, apis: list[str]) -> list[BaseRoute]:
    async def index(request: Request) -> JSONResponse:
        return JSONResponse({"emulator": "llmops", "apis": apis, "data": str(state.data_dir)})

    async def token(request: Request) -> JSONResponse:
        # For clients that need credentials: a service-account file whose token_uri points here
        # gets a token that the emulator accepts (it accepts any bearer token).
        return JSONResponse({"access_token": "llmops-emulator", "expires_in": 3600, "token_type": "Bearer"})

    return [Route("/", index, methods=["GET"]), Route("/token", token, methods=["POST"])]


def create_app(config: EmulatorConfig | None = None, *, data_dir: str | Path | None = None, **kwargs: Any) -> Starlette:
    """The ASGI app for one emulator instance; its `state.emulator` holds the engines."""
    if config is None:
        if data_dir is None:
            raise ValueError("create_app needs a config or a data_dir")
        config = EmulatorConfig(data_dir=Path(data_dir), **kwargs)
    state = EmulatorState(config)
    routes: list[BaseRoute] = []
    names = []
    for module_name in API_MODULES:
        module = importlib.import_module(module_name)
        routes.extend(module.routes(state))
        names.append(module_name.rsplit(".", 1)[-1].removesuffix("_routes"))
    routes.extend(_core_routes(state, names))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if config.warm_start:
            threading.Thread(target=lambda: state.bigquery, name="bigquery-warm-start", daemon=True).start()
        try:
            yield
        finally:
            state.close()

    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: handle_exception,
            ApiError: handle_exception,
            LlmopsError: handle_exception,
            Exception: handle_exception,
        },
        lifespan=lifespan,
    )
    app.state.emulator = state
    app.add_middleware(RequestLog)
    return app
