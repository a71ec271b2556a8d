"""The BigQuery `models` REST resource (get, list, patch, delete) over the engine's model catalog:
remote models (`CREATE MODEL ... REMOTE WITH CONNECTION`) and trained linear and logistic
regression models (`CREATE MODEL ... OPTIONS(model_type = ...) AS SELECT`, bqml_train), with their
modelType, featureColumns, labelColumns and trainingRuns. models.patch changes the fields
BigQuery lets a client write: description, friendlyName, labels and expirationTime."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..server.errors import ApiError
from ..server.http import JSONResponse, base_url, page_of, read_json
from .jobs import sql_table
from .resources import etag, ms

if TYPE_CHECKING:
    from .api import BigQueryApi


_OPTION_FIELDS = {
    "max_iterations": ("maxIterations", str),
    "learn_rate": ("learnRate", float),
    "ls_init_learn_rate": ("initialLearnRate", float),
    "learn_rate_strategy": ("learnRateStrategy", str),
    "l1_reg": ("l1Regularization", float),
    "l2_reg": ("l2Regularization", float),
    "optimize_strategy": ("optimizationStrategy", str),
    "data_split_method": ("dataSplitMethod", str),
    "data_split_eval_fraction": ("dataSplitEvalFraction", float),
    "early_stop": ("earlyStop", bool),
    "min_rel_progress": ("minRelativeProgress", float),
    "fit_intercept": ("fitIntercept", bool),
    "input_label_cols": ("inputLabelColumns", list),
}
_REGRESSION_FIELDS = {
    "mean_absolute_error": "meanAbsoluteError",
    "mean_squared_error": "meanSquaredError",
    "mean_squared_log_error": "meanSquaredLogError",
    "median_absolute_error": "medianAbsoluteError",
    "r2_score": "rSquared",
}
_CLASSIFICATION_FIELDS = {
    "precision": "precision",
    "recall": "recall",
    "accuracy": "accuracy",
    "f1_score": "f1Score",
    "log_loss": "logLoss",
    "roc_auc": "rocAuc",
}
PATCHABLE = ("description", "friendlyName", "labels", "expirationTime")


def _rfc3339(epoch_ms: int) -> str:
    at = dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _present(values: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    return {key: values[name] for name, key in fields.items() if values.get(name) is not None}


def _evaluation(spec: dict[str, Any]) -> dict[str, Any]:
    found = spec["metrics"]
    if spec["model_type"] == "LINEAR_REGRESSION":
        return {"regressionMetrics": _present(found, _REGRESSION_FIELDS)}
    aggregate = _present(found, _CLASSIFICATION_FIELDS)
    classes = spec["classes"]
    if len(classes) == 2:
        aggregate["threshold"] = 0.5
        return {
            "binaryClassificationMetrics": {
                "aggregateClassificationMetrics": aggregate,
                "positiveLabel": str(classes[1]).lower() if isinstance(classes[1], bool) else str(classes[1]),
                "negativeLabel": str(classes[0]).lower() if isinstance(classes[0], bool) else str(classes[0]),
            }
        }
    return {"multiClassClassificationMetrics": {"aggregateClassificationMetrics": aggregate}}


def _trained_fields(spec: dict[str, Any]) -> dict[str, Any]:
    """modelType, featureColumns, labelColumns and trainingRuns of a trained model."""
    options: dict[str, Any] = {}
    for name, (key, kind) in _OPTION_FIELDS.items():
        if name in spec["options"]:
            options[key] = kind(spec["options"][name])
    label_type = "FLOAT64" if spec["model_type"] == "LINEAR_REGRESSION" else spec["label_type"]
    run: dict[str, Any] = {
        "trainingOptions": options,
        "startTime": _rfc3339(spec["start_time"]),
        "results": [
            {
                k: v
                for k, v in (
                    ("index", it["index"]),
                    ("durationMs", str(it["duration_ms"])),
                    ("trainingLoss", it["loss"]),
                    ("evalLoss", it["eval_loss"]),
                    ("learnRate", it["learn_rate"]),
                )
                if v is not None
            }
            for it in spec["iterations"]
        ],
        "evaluationMetrics": _evaluation(spec),
    }
    return {
        "modelType": spec["model_type"],
        "featureColumns": [{"name": f["name"], "type": {"typeKind": f["type"]}} for f in spec["features"]],
        "labelColumns": [{"name": f"predicted_{spec['label']}", "type": {"typeKind": label_type}}],
        "trainingRuns": [run],
    }


def model_resource(
    request: Request, project: str, dataset: str, found: dict[str, Any], location: str
) -> dict[str, Any]:
    """A model of the catalog as BigQuery's Model resource."""
    created = ms(found["created"])
    res: dict[str, Any] = {
        "kind": "bigquery#model",
        "modelReference": {"projectId": project, "datasetId": dataset, "modelId": found["model"]},
        "creationTime": created,
        "lastModifiedTime": ms(found.get("modified") or found["created"]),
        "location": location,
    }
    meta = found.get("meta") or {}
    res.update({k: meta[k] for k in PATCHABLE if meta.get(k) not in (None, {})})
    spec = found.get("spec")
    if spec:
        res.update(_trained_fields(spec))
    else:
        connection = str(found.get("connection") or "")
        region, _, name = connection.partition(".")
        info: dict[str, Any] = {"endpoint": found["endpoint"]}
        if name:
            info["connection"] = f"projects/{project}/locations/{region}/connections/{name}"
        res["remoteModelInfo"] = info
    res["etag"] = etag(res)
    res["selfLink"] = f"{base_url(request)}/bigquery/v2/projects/{project}/datasets/{dataset}/models/{found['model']}"
    return res


def patched(meta: dict[str, Any], body: dict[str, Any], *, replace: bool) -> dict[str, Any]:
    """The model's writable fields after models.patch (`replace`: models.update's PUT)."""
    out = {} if replace else dict(meta)
    for key in PATCHABLE:
        if key not in body:
            continue
        value = body[key]
        if key == "labels" and not replace and isinstance(value, dict):
            labels = dict(out.get("labels") or {})
            for name, v in value.items():
                if v is None:
                    labels.pop(name, None)
                else:
                    labels[name] = str(v)
            value = labels
        elif key == "labels" and value is not None and not isinstance(value, dict):
            raise ApiError(400, "Invalid value for labels: expected an object of string values", "invalid")
        elif key == "expirationTime" and value is not None:
            try:
                value = str(int(value))
            except (TypeError, ValueError):
                raise ApiError(
                    400, f"Invalid value for expirationTime: {value!r} is not milliseconds since the epoch", "invalid"
                ) from None
        elif value is not None and not isinstance(value, str):
            raise ApiError(400, f"Invalid value for {key}: expected a string", "invalid")
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


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
        p, d, m = (request.path_params[k] for k in ("project", "dataset", "model"))
        body = await read_json(request)
        found = await one(p, d, m)
        meta = patched(found.get("meta") or {}, body, replace=request.method == "PUT")
        await run_in_threadpool(state.bigquery.patch_model, p, d, m, meta)
        # from what was written: a model patched to expire now answers once, then is gone
        written = {**found, "meta": meta, "modified": dt.datetime.now(dt.UTC)}
        return JSONResponse(model_resource(request, p, d, written, location()))

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
