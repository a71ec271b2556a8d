"""The emulated BigQuery Storage API: a gRPC server on a second port next to the REST server,
reading and writing the tables of the emulator's BigQuery engine.

The port is the free one the system gives, or `LLMOPS_EMULATOR_GRPC_PORT`; it is bound on first
use of `endpoint` (so `llmops emulator start` can print it before serving) and served from
`start()`. `GET /emulator/v1/bigquerystorage` reports the endpoint and what was served.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from typing import TYPE_CHECKING, Any

from ...core.errors import ConfigError
from ..bigquery.api import BigQueryApi
from ..server.api import EmulatedApi, Emulator

if TYPE_CHECKING:
    import grpc
    from starlette.routing import BaseRoute

    from .read import ReadService
    from .write import WriteService

PORT_ENV = "LLMOPS_EMULATOR_GRPC_PORT"
log = logging.getLogger("llmops.emulator")


class BigQueryStorageApi(EmulatedApi):
    """BigQuery Storage v1 over gRPC: BigQueryRead (Arrow) and BigQueryWrite (proto/Arrow rows)."""

    name = "bigquerystorage"
    prefixes = ("/emulator/v1/bigquerystorage",)
    description = "BigQuery Storage API v1 over gRPC (Read: Arrow streams; Write: default, committed, pending)"

    def __init__(self, emulator: Emulator):
        super().__init__(emulator)
        self._server: grpc.Server | None = None
        self._port: int | None = None
        self._started = False
        self._lock = threading.Lock()
        self.read: ReadService | None = None
        self.write: WriteService | None = None
        self.unavailable: str | None = None
        """Why the gRPC server is not served, if it is not."""

    @property
    def host(self) -> str:
        host = self.config.bind_host.strip("[]")
        return f"[{host}]" if ":" in host else host

    @property
    def endpoint(self) -> str | None:
        """`host:port` of the gRPC server (what `client_options={"api_endpoint": ...}` takes);
        None without google-cloud-bigquery-storage installed."""
        with self._lock:
            self._bind()
        return f"{self.host}:{self._port}" if self._port else None

    def _bind(self) -> None:
        if self._server is not None or self.unavailable:
            return
        try:
            import google.cloud.bigquery_storage_v1  # noqa: F401
        except ImportError:
            self.unavailable = "google-cloud-bigquery-storage is not installed (pip install 'llmops[gcp]')"
            log.warning("BigQuery Storage API not served: %s", self.unavailable)
            return
        from .read import ReadService
        from .server import build_server
        from .tables import Tables
        from .write import WriteService

        raw = os.environ.get(PORT_ENV, "0").strip() or "0"
        if not raw.isdigit() or int(raw) > 65535:
            raise ConfigError(f"{PORT_ENV}={raw!r} is not a port number", fix=f"set {PORT_ENV} to 0..65535 or unset it")
        tables = Tables(self.emulator.api(BigQueryApi))
        self.read = ReadService(tables, self.config.location)
        self.write = WriteService(tables, self.config.location)
        server = build_server(self.read, self.write, token=self.config.token)
        try:
            port = server.add_insecure_port(f"{self.host}:{raw}")
        except RuntimeError:
            port = 0
        if not port:
            server.stop(None)
            raise ConfigError(
                f"cannot serve the BigQuery Storage API on {self.host}:{raw}",
                fix=f"free that port or set {PORT_ENV} to another (0 picks a free one)",
            )
        self._server, self._port = server, port

    def start(self) -> None:
        with self._lock:
            self._bind()
            if not self._started and self._server is not None:
                self._server.start()
                self._started = True

    def close(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop(grace=1).wait(5)
            self._server, self._port, self._started = None, None, False

    def status(self) -> dict[str, Any]:
        """The gRPC endpoint and the Read and Write counters."""
        return {
            "kind": "llmops#bigqueryStorage",
            "endpoint": self.endpoint,
            "serving": self._started,
            "unavailable": self.unavailable,
            "tokenRequired": self.config.token is not None,
            "read": dataclasses.asdict(self.read.counters) if self.read else {},
            "write": dataclasses.asdict(self.write.counters) if self.write else {},
        }

    def routes(self) -> list[BaseRoute]:
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def status(request: Request) -> JSONResponse:
            return JSONResponse(self.status())

        return [Route(self.prefixes[0], status, methods=["GET"])]
