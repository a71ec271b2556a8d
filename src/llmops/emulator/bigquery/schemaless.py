"""`tables.insert` without a schema, as BigQuery allows: the table is created with no columns.

DuckDB has no zero-column tables, so such a table holds one placeholder column
(`tablekinds.NO_SCHEMA_COLUMN`) that the tables resource never shows; the first schema given by
`tables.patch`/`update` or a load job replaces it. `wrap_insert_table` puts that column into a
schemaless `tables.insert` body before the ordinary handler creates the table, so labels,
description and expiration are stored as for any other table.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..server.http import read_body
from .tablekinds import NO_SCHEMA_FIELD

_TABLES = "/datasets/{dataset}/tables"
_OTHER_KINDS = ("view", "materializedView", "externalDataConfiguration", "snapshotDefinition", "cloneDefinition")


def wrap_insert_table(routes: list[BaseRoute], limit: int) -> list[BaseRoute]:
    """`routes` with the `tables.insert` route accepting a body without schema fields."""
    out: list[BaseRoute] = []
    for route in routes:
        if isinstance(route, Route) and route.path.endswith(_TABLES) and "POST" in (route.methods or ()):
            route = Route(route.path, _schemaless(route.endpoint, limit), methods=["POST"])
        out.append(route)
    return out


def _schemaless(
    endpoint: Callable[[Request], Awaitable[Response]], limit: int
) -> Callable[[Request], Awaitable[Response]]:
    async def insert_table(request: Request) -> Response:
        raw = await read_body(request, limit)
        try:
            body: Any = json.loads(raw) if raw.strip() else None
        except ValueError:
            body = None  # the handler answers the parse error
        if isinstance(body, dict) and _wants_empty_table(body):
            body = {**body, "schema": {"fields": [{**NO_SCHEMA_FIELD}]}}
            raw = json.dumps(body).encode()
        return await endpoint(_replayed(request, raw))

    return insert_table


def _wants_empty_table(body: dict[str, Any]) -> bool:
    schema = body.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return (schema is None or isinstance(schema, dict)) and not fields and not any(body.get(k) for k in _OTHER_KINDS)


def _replayed(request: Request, raw: bytes) -> Request:
    """A request over the same scope whose body is `raw` (the original was read already)."""
    headers = [(k, v) for k, v in request.scope["headers"] if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(raw)).encode()))
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    return Request({**request.scope, "headers": headers}, receive)
