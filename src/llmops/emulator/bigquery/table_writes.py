"""What `tables.insert`, `tables.patch` and `tables.update` carry beyond the columns the ordinary
handlers (routes.py) create: a table without a schema, and schema field options (fieldopts.py).

A table created without a schema, as BigQuery allows, holds one placeholder column
(`tablekinds.NO_SCHEMA_COLUMN`) that the tables resource never shows; the first schema given by
`tables.patch`/`update` or a load job replaces it. The wrappers here put that column into a
schemaless `tables.insert` body before the ordinary handler creates the table (so labels,
description and expiration are stored as for any other table), and record the field options of a
successful write, answering with them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..server.http import JSONResponse, read_body
from . import fieldopts
from .resources import etag
from .tablekinds import NO_SCHEMA_FIELD

if TYPE_CHECKING:
    from .api import BigQueryApi

_TABLES = "/datasets/{dataset}/tables"
_TABLE = "/datasets/{dataset}/tables/{table}"
_OTHER_KINDS = ("view", "materializedView", "externalDataConfiguration", "snapshotDefinition", "cloneDefinition")
Endpoint = Callable[[Request], Awaitable[Response]]


def wrap_table_writes(routes: list[BaseRoute], state: BigQueryApi) -> list[BaseRoute]:
    """`routes` with `tables.insert` accepting a body without schema fields, and the table writes
    keeping schema field options."""
    out: list[BaseRoute] = []
    for route in routes:
        writes = (route.methods or set()) & {"POST", "PATCH", "PUT"} if isinstance(route, Route) else set()
        if isinstance(route, Route) and route.path.endswith(_TABLES) and "POST" in writes:
            route = Route(route.path, _write(route.endpoint, state, creates=True), methods=["POST"])
        elif isinstance(route, Route) and route.path.endswith(_TABLE) and writes - {"POST"}:
            route = Route(route.path, _write(route.endpoint, state, creates=False), methods=sorted(writes))
        out.append(route)
    return out


def _write(endpoint: Endpoint, state: BigQueryApi, *, creates: bool) -> Endpoint:
    async def write(request: Request) -> Response:
        raw = await read_body(request, state.config.max_request_bytes)
        try:
            body: Any = json.loads(raw) if raw.strip() else None
        except ValueError:
            body = None  # the handler answers the parse error
        if creates and isinstance(body, dict) and _wants_empty_table(body):
            raw = json.dumps({**body, "schema": {"fields": [{**NO_SCHEMA_FIELD}]}}).encode()
        schema = body.get("schema") if isinstance(body, dict) else None
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if creates and isinstance(fields, list) and isinstance(body.get("defaultCollation"), str):
            fields = _inherit_collation(fields, body["defaultCollation"])
        if isinstance(fields, list):
            await run_in_threadpool(fieldopts.check, state.bigquery, fields)  # before anything is written
        response = await endpoint(_replayed(request, raw))
        if response.status_code != 200 or not isinstance(fields, list):
            return response
        resource = json.loads(bytes(response.body))
        ref = resource["tableReference"]
        p, d, t = str(ref["projectId"]), str(ref["datasetId"]), str(ref["tableId"])
        options = await run_in_threadpool(fieldopts.record, state.bigquery, p, d, t, fields)
        fieldopts.merge((resource.get("schema") or {}).get("fields") or [], options)
        resource.pop("etag", None)
        resource["etag"] = etag(resource)
        return JSONResponse(resource)

    return write


def _inherit_collation(fields: list[Any], collation: str) -> list[Any]:
    """`fields` with each STRING field that names no collation given the table's default, as
    BigQuery's new STRING fields inherit `defaultCollation` (a later change of the default leaves
    them as they are)."""
    out = []
    for f in fields:
        if isinstance(f, dict):
            if str(f.get("type", "")).upper() == "STRING" and collation and not f.get("collation"):
                f = {**f, "collation": collation}
            if isinstance(f.get("fields"), list):
                f = {**f, "fields": _inherit_collation(f["fields"], collation)}
        out.append(f)
    return out


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
