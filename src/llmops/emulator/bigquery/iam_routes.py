"""Table IAM (`tables.getIamPolicy`, `setIamPolicy`, `testIamPermissions`) and
`projects.getServiceAccount`.

Policies are stored per table (iam.py) and dropped with the table; nothing checks them: the emulator's caller may do everything, so `testIamPermissions` answers
every BigQuery permission asked.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..server.errors import ApiError, bad_request
from ..server.http import JSONResponse, read_json
from .googlesql import duckdb_schema
from .iam import CATALOG

if TYPE_CHECKING:
    from .api import BigQueryApi


def _etag(policy: dict[str, Any]) -> str:
    body = json.dumps({k: v for k, v in policy.items() if k != "etag"}, sort_keys=True)
    return "B" + hashlib.sha1(body.encode()).hexdigest()[:11]


_EMPTY = {"version": 1, "etag": "ACAB"}
"""The policy of a table nobody set one on, as BigQuery answers it."""


def _flat_strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            inner = _flat_strings(v)
            if inner is None:
                return None
            out += inner
        return out
    return None


def iam_routes(state: BigQueryApi) -> list[BaseRoute]:
    """Routes of tables/{t}:getIamPolicy|setIamPolicy|testIamPermissions and projects/{p}/serviceAccount."""

    def with_table(request: Request, fn: Any) -> Any:
        p, d, t = (request.path_params[k] for k in ("project", "dataset", "table"))
        eng = state.bigquery
        with eng.connection() as con:
            eng._table_info(con, p, d, t)  # 404 for a missing dataset or table
            return fn(con, duckdb_schema(p, d), t)

    def stored(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, Any]:
        rows = con.execute(
            f"SELECT policy FROM {CATALOG}.table_iam_policies WHERE schema_name = ? AND table_name = ?",
            [schema, table],
        ).fetchall()
        return json.loads(rows[0][0]) if rows else dict(_EMPTY)

    async def get_policy(request: Request) -> Response:
        await read_json(request, allow_empty=True, limit=state.config.max_request_bytes)
        return JSONResponse(await run_in_threadpool(with_table, request, stored))

    async def set_policy(request: Request) -> Response:
        body = await read_json(request, limit=state.config.max_request_bytes)
        policy = body.get("policy")
        if not isinstance(policy, dict):
            raise bad_request("policy must be an object", location="policy")
        bindings = policy.get("bindings") or []
        if not isinstance(bindings, list) or not all(
            isinstance(b, dict) and isinstance(b.get("role"), str) and isinstance(b.get("members", []), list)
            for b in bindings
        ):
            raise bad_request("policy.bindings must be a list of {role, members}", location="policy.bindings")

        def put(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, Any]:
            current = stored(con, schema, table)
            if policy.get("etag") and policy["etag"] != current.get("etag"):
                raise ApiError(
                    409,
                    "There were concurrent policy changes: the policy's etag does not match the table's",
                    "aborted",
                    status="ABORTED",
                )
            new: dict[str, Any] = {"version": int(policy.get("version") or 1)}
            if bindings:
                new["bindings"] = bindings
            new["etag"] = _etag(new)
            con.execute(
                f"INSERT OR REPLACE INTO {CATALOG}.table_iam_policies VALUES (?, ?, ?)",
                [schema, table, json.dumps(new)],
            )
            return new

        return JSONResponse(await run_in_threadpool(with_table, request, put))

    async def test_permissions(request: Request) -> Response:
        body = await read_json(request, limit=state.config.max_request_bytes)
        asked = _flat_strings(body.get("permissions") or [])
        if asked is None:
            raise bad_request("permissions must be a list of strings", location="permissions")
        await run_in_threadpool(with_table, request, lambda *_: None)
        granted = [p for p in dict.fromkeys(asked) if p.startswith("bigquery.")]
        return JSONResponse({"permissions": granted} if granted else {})

    async def service_account(request: Request) -> Response:
        project = request.path_params["project"]
        return JSONResponse(
            {
                "kind": "bigquery#getServiceAccountResponse",
                "email": f"bq-{project}@bigquery-encryption.iam.gserviceaccount.com",
            }
        )

    table = "/bigquery/v2/projects/{project}/datasets/{dataset}/tables/{table}"
    return [
        Route(table + ":getIamPolicy", get_policy, methods=["POST"]),
        Route(table + ":setIamPolicy", set_policy, methods=["POST"]),
        Route(table + ":testIamPermissions", test_permissions, methods=["POST"]),
        Route("/bigquery/v2/projects/{project}/serviceAccount", service_account, methods=["GET"]),
    ]
