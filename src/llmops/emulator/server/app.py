"""The emulator's ASGI application: every emulated API on one port.

Each API is an `EmulatedApi` registered through the `register_emulator_apis` hook (the built-in
BigQuery, Cloud Storage, Vertex AI and Kubeflow APIs too), so a plugin adds an API without
touching the others; routes of APIs with longer path prefixes are tried first. The app logs one line per request (method, path, status, bytes,
milliseconds; never headers, so never an Authorization value) and answers every error in
Google's shape.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...core.errors import LlmopsError
from .api import EmulatedApi, Emulator, EmulatorConfig
from .errors import ApiError, handle_exception
from .gateway import Gateway
from .guard import Guard
from .gzipbodies import GzipBodies
from .methodoverride import MethodOverride

log = logging.getLogger("llmops.emulator")


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
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
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
            ms = (time.perf_counter() - start) * 1000
            log.info("%s %s %d %dB %.1fms", scope["method"], _loggable_path(scope), status, size, ms)


def _core_routes(emulator: Emulator) -> list[BaseRoute]:
    async def index(request: Request) -> JSONResponse:
        return JSONResponse({"emulator": "llmops", "apis": list(emulator.api_classes)})

    async def token(request: Request) -> JSONResponse:
        # For clients that need credentials: a service-account file whose token_uri points here
        # gets a token that the emulator accepts (without --token it accepts any bearer token;
        # with one, this route is behind the token too, so it never hands it out).
        return JSONResponse(
            {"access_token": emulator.config.token or "llmops-emulator", "expires_in": 3600, "token_type": "Bearer"}
        )

    return [Route("/", index, methods=["GET"]), Route("/token", token, methods=["POST"])]


def create_app(
    config: EmulatorConfig | None = None,
    *,
    data_dir: str | Path | None = None,
    apis: dict[str, type[EmulatedApi]] | None = None,
    **kwargs: Any,
) -> Starlette:
    """The ASGI app for one emulator instance serving `apis` (default: every registered API);
    its `state.emulator` holds the API instances."""
    if config is None:
        if data_dir is None:
            raise ValueError("create_app needs a config or a data_dir")
        config = EmulatorConfig(data_dir=Path(data_dir), **kwargs)
    if apis is None:
        from .plugins import emulated_apis

        apis = emulated_apis()
    emulator = Emulator(config, apis)
    routes = [route for api in emulator.apis() for route in api.routes()] + _core_routes(emulator)
    # Routes with a longer literal path first: `/v1/projects/{p}` answers before `/v1/{rest}`.
    routes.sort(key=lambda r: -len(str(getattr(r, "path", "")).split("{", 1)[0]))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for api in emulator.apis():
            api.start()
        try:
            yield
        finally:
            emulator.close()

    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: handle_exception,
            ApiError: handle_exception,
            LlmopsError: handle_exception,
            # Client mistakes that surface deep in an engine (lone surrogates, text no header can
            # hold, nesting): answered as 400 without going through the server-error path.
            UnicodeError: handle_exception,
            RecursionError: handle_exception,
            Exception: handle_exception,
        },
        lifespan=lifespan,
    )
    app.state.emulator = emulator
    app.add_middleware(MethodOverride)  # inside Guard, which judges the method sent
    app.add_middleware(GzipBodies)
    app.add_middleware(Gateway)
    app.add_middleware(Guard, config=config)
    app.add_middleware(RequestLog)
    return app
