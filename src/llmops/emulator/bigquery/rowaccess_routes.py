"""REST `rowAccessPolicies` of a table: list, get, insert, update, delete and batchDelete.

The same catalog as `CREATE ROW ACCESS POLICY` (rowaccess.py); `grantees` is input only, as on
BigQuery: stored, never returned.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..server.errors import bad_request, required
from ..server.http import JSONResponse, query_int, read_json
from . import rowaccess
from .resources import etag

if TYPE_CHECKING:
    from .api import BigQueryApi


def _stamp(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _resource(p: str, d: str, t: str, policy: dict[str, Any]) -> dict[str, Any]:
    res: dict[str, Any] = {
        "rowAccessPolicyReference": {"projectId": p, "datasetId": d, "tableId": t, "policyId": policy["policy_id"]},
        "filterPredicate": policy["filter_predicate"],
        "creationTime": _stamp(policy["created"]),
        "lastModifiedTime": _stamp(policy["modified"]),
    }
    res["etag"] = etag(res)
    return res


def rowaccess_routes(state: BigQueryApi) -> list[BaseRoute]:
    """Routes of projects/{p}/datasets/{d}/tables/{t}/rowAccessPolicies[/{policy}]."""

    def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
        eng = state.bigquery
        with eng.connection() as con:
            eng._table_info(con, *args[:3])  # 404 for a missing dataset or table
            return fn(eng, con, *args, **kwargs)

    def path(request: Request) -> tuple[str, str, str]:
        return request.path_params["project"], request.path_params["dataset"], request.path_params["table"]

    async def body_of(request: Request, policy: str | None) -> tuple[str, str, list[str]]:
        p, d, t = path(request)
        body = await read_json(request, limit=state.config.max_request_bytes)
        ref = body.get("rowAccessPolicyReference") or {}
        if not isinstance(ref, dict):
            raise bad_request("rowAccessPolicyReference must be an object", location="rowAccessPolicyReference")
        for key, want in (("projectId", p), ("datasetId", d), ("tableId", t), ("policyId", policy)):
            if want is not None and ref.get(key) not in (None, want):
                raise bad_request(
                    f"rowAccessPolicyReference.{key} does not match the request path",
                    location="rowAccessPolicyReference",
                )
        policy_id = policy or ref.get("policyId")
        if not policy_id:
            raise required("rowAccessPolicyReference.policyId")
        predicate = body.get("filterPredicate")
        if not isinstance(predicate, str) or not predicate.strip():
            raise required("filterPredicate")
        grantees = body.get("grantees") or []
        if not isinstance(grantees, list) or not all(isinstance(g, str) for g in grantees):
            raise bad_request("grantees must be a list of strings", location="grantees")
        return str(policy_id), predicate, grantees

    async def list_(request: Request) -> Response:
        p, d, t = path(request)
        size = query_int(request, "pageSize", None, minimum=1)
        token = request.query_params.get("pageToken") or "0"
        if not token.isdigit():
            raise bad_request(f"Invalid pageToken {token!r}", location="pageToken")
        offset = int(token)
        policies = await run_in_threadpool(run, lambda _e, con, *a: rowaccess.list_policies(con, *a), p, d, t)
        page = policies[offset : offset + size] if size else policies[offset:]
        body: dict[str, Any] = {}
        if page:
            body["rowAccessPolicies"] = [_resource(p, d, t, x) for x in page]
        if size and offset + size < len(policies):
            body["nextPageToken"] = str(offset + size)
        return JSONResponse(body)

    async def get(request: Request) -> Response:
        p, d, t = path(request)
        policy = request.path_params["policy"]
        found = await run_in_threadpool(run, lambda _e, con, *a: rowaccess.get_policy(con, *a), p, d, t, policy)
        return JSONResponse(_resource(p, d, t, found))

    async def insert(request: Request) -> Response:
        p, d, t = path(request)
        policy, predicate, grantees = await body_of(request, None)
        made = await run_in_threadpool(run, rowaccess.create_policy, p, d, t, policy, predicate, grantees)
        return JSONResponse(_resource(p, d, t, made))

    async def update(request: Request) -> Response:
        p, d, t = path(request)
        policy, predicate, grantees = await body_of(request, request.path_params["policy"])

        def replace(eng: Any, con: Any, *a: Any) -> dict[str, Any]:
            rowaccess.get_policy(con, p, d, t, policy)  # update needs an existing policy
            return rowaccess.create_policy(eng, con, *a, replace=True)

        made = await run_in_threadpool(run, replace, p, d, t, policy, predicate, grantees)
        return JSONResponse(_resource(p, d, t, made))

    async def delete(request: Request) -> Response:
        p, d, t = path(request)
        policy = request.path_params["policy"]
        await run_in_threadpool(
            run, lambda _e, con, *a: rowaccess.delete_policy(con, *a, missing_ok=False), p, d, t, policy
        )
        return Response(status_code=204)

    async def batch_delete(request: Request) -> Response:
        p, d, t = path(request)
        body = await read_json(request, limit=state.config.max_request_bytes)
        ids = body.get("policyIds")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise required("policyIds")

        def drop(_e: Any, con: Any, *a: Any) -> None:
            for i in ids:
                rowaccess.get_policy(con, p, d, t, i)  # all exist, or nothing is deleted
            for i in ids:
                rowaccess.delete_policy(con, p, d, t, i, missing_ok=True)

        await run_in_threadpool(run, drop, p, d, t)
        return Response(status_code=204)

    base = "/bigquery/v2/projects/{project}/datasets/{dataset}/tables/{table}/rowAccessPolicies"
    return [
        Route(base, list_, methods=["GET"]),
        Route(base, insert, methods=["POST"]),
        Route(base + ":batchDelete", batch_delete, methods=["POST"]),
        Route(base + "/{policy}", get, methods=["GET"]),
        Route(base + "/{policy}", update, methods=["PUT"]),
        Route(base + "/{policy}", delete, methods=["DELETE"]),
    ]
