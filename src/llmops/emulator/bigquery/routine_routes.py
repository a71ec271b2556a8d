"""The BigQuery `routines` REST resource (insert, get, list, update/patch, delete) over the
routine catalog that DDL writes too (routines.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..server.errors import bad_request
from ..server.http import JSONResponse, base_url, page_of, read_json
from . import routines

if TYPE_CHECKING:
    from .api import BigQueryApi


def _json(request: Request, resource: dict[str, Any]) -> dict[str, Any]:
    ref = resource["routineReference"]
    return {
        "kind": "bigquery#routine",
        **resource,
        "selfLink": f"{base_url(request)}/bigquery/v2/projects/{ref['projectId']}/datasets/{ref['datasetId']}"
        f"/routines/{ref['routineId']}",
    }


def routine_routes(state: BigQueryApi) -> list[BaseRoute]:
    """Routes of projects/{p}/datasets/{d}/routines[/{r}]."""

    def engine() -> Any:
        return state.bigquery

    async def body_of(request: Request, project: str, dataset: str, routine: str | None = None) -> dict[str, Any]:
        body = await read_json(request, limit=state.config.max_request_bytes)
        if not isinstance(body, dict):
            raise bad_request("The request body must be a Routine object")
        ref = dict(body.get("routineReference") or {})
        if ref.get("projectId", project) != project or ref.get("datasetId", dataset) != dataset:
            raise bad_request("routineReference does not match the request path", location="routineReference")
        if routine is not None and ref.get("routineId", routine) != routine:
            raise bad_request("routineReference.routineId does not match the request path", location="routineReference")
        ref.update(projectId=project, datasetId=dataset)
        if routine is not None:
            ref["routineId"] = routine
        return {**body, "routineReference": ref}

    async def insert(request: Request) -> Response:
        p, d = request.path_params["project"], request.path_params["dataset"]
        body = await body_of(request, p, d)
        stored = await run_in_threadpool(routines.put_routine, engine(), body, replace=False)
        return JSONResponse(_json(request, stored))

    async def get(request: Request) -> Response:
        p, d, r = (request.path_params[k] for k in ("project", "dataset", "routine"))
        return JSONResponse(_json(request, await run_in_threadpool(routines.get_routine, engine(), p, d, r)))

    async def update(request: Request) -> Response:
        p, d, r = (request.path_params[k] for k in ("project", "dataset", "routine"))
        body = await body_of(request, p, d, r)
        # the Python client's update_routine sends only the fields it changes, so PUT merges too
        body = {**await run_in_threadpool(routines.get_routine, engine(), p, d, r), **body}
        stored = await run_in_threadpool(routines.put_routine, engine(), body, replace=True)
        return JSONResponse(_json(request, stored))

    async def delete(request: Request) -> Response:
        p, d, r = (request.path_params[k] for k in ("project", "dataset", "routine"))
        await run_in_threadpool(routines.delete_routine, engine(), p, d, r)
        return Response(status_code=204)

    async def list_(request: Request) -> Response:
        p, d = request.path_params["project"], request.path_params["dataset"]
        items = await run_in_threadpool(routines.list_routines, engine(), p, d)
        body = page_of(request, [_json(request, r) for r in items], "routines", size_param="maxResults", default=1000)
        return JSONResponse({"kind": "bigquery#routineList", "etag": str(len(items)), **body})

    base = "/bigquery/v2/projects/{project}/datasets/{dataset}/routines"
    return [
        Route(base, list_, methods=["GET"]),
        Route(base, insert, methods=["POST"]),
        Route(base + "/{routine}", get, methods=["GET"]),
        Route(base + "/{routine}", update, methods=["PUT", "PATCH"]),
        Route(base + "/{routine}", delete, methods=["DELETE"]),
    ]
