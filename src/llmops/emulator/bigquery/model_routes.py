"""The BigQuery `models` REST resource (get, list, delete) over the remote models that
`CREATE MODEL ... REMOTE WITH CONNECTION` keeps (the engine's model catalog). Updating a model
through the API (models.patch) is refused by name: recreate it with CREATE OR REPLACE MODEL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..server.errors import ApiError
from ..server.http import JSONResponse, base_url, page_of
from .jobs import sql_table
from .resources import etag, ms

if TYPE_CHECKING:
    from .api import BigQueryApi


def model_resource(
    request: Request, project: str, dataset: str, found: dict[str, Any], location: str
) -> dict[str, Any]:
    """A remote model as BigQuery's Model resource."""
    created = ms(found["created"])
    connection = str(found.get("connection") or "")
    region, _, name = connection.partition(".")
    info: dict[str, Any] = {"endpoint": found["endpoint"]}
    if name:
        info["connection"] = f"projects/{project}/locations/{region}/connections/{name}"
    res: dict[str, Any] = {
        "kind": "bigquery#model",
        "modelReference": {"projectId": project, "datasetId": dataset, "modelId": found["model"]},
        "creationTime": created,
        "lastModifiedTime": created,
        "location": location,
        "remoteModelInfo": info,
    }
    res["etag"] = etag(res)
    res["selfLink"] = f"{base_url(request)}/bigquery/v2/projects/{project}/datasets/{dataset}/models/{found['model']}"
    return res


def model_routes(state: BigQueryApi) -> list[BaseRoute]:
    """Routes of projects/{p}/datasets/{d}/models[/{m}]."""

    def location() -> str:
        return state.config.location

    async def one(project: str, dataset: str, model: str) -> dict[str, Any]:
        found = await run_in_threadpool(state.bigquery.list_models, project, dataset, model)
        if not found:
            raise ApiError(404, f"Not found: Model {project}:{dataset}.{model}", "notFound")
        return found[0]

    async def get(request: Request) -> Response:
        p, d, m = (request.path_params[k] for k in ("project", "dataset", "model"))
        return JSONResponse(model_resource(request, p, d, await one(p, d, m), location()))

    async def delete(request: Request) -> Response:
        p, d, m = (request.path_params[k] for k in ("project", "dataset", "model"))
        await one(p, d, m)
        await run_in_threadpool(state.bigquery.query, f"DROP MODEL {sql_table(p, d, m)}", default_project=p)
        return Response(status_code=204)

    async def patch(request: Request) -> Response:
        raise ApiError(
            501,
            "Updating a model (models.patch) is not supported by the emulator; recreate it with CREATE OR REPLACE MODEL",
            "notImplemented",
        )

    async def list_(request: Request) -> Response:
        p, d = request.path_params["project"], request.path_params["dataset"]
        items = await run_in_threadpool(state.bigquery.list_models, p, d)
        resources = [model_resource(request, p, d, m, location()) for m in items]
        return JSONResponse(page_of(request, resources, "models", size_param="maxResults", default=1000))

    base = "/bigquery/v2/projects/{project}/datasets/{dataset}/models"
    return [
        Route(base, list_, methods=["GET"]),
        Route(base + "/{model}", get, methods=["GET"]),
        Route(base + "/{model}", patch, methods=["PATCH", "PUT"]),
        Route(base + "/{model}", delete, methods=["DELETE"]),
    ]
