"""Vertex AI endpoints: create, get, list, delete, `:deployModel`, `:undeployModel` (each a
finished long-running operation, see `operations`), and the predictions they serve.

An endpoint's Vertex record (display name, labels, deployed models, traffic split) is a JSON file
under `<data>/vertex/endpoints/`; the model registry's `endpoints/<id>` record says which tuned
model answers its predictions: the deployed model with the largest traffic share. Endpoints a
tuning job created have no Vertex record until one is changed; theirs is derived from the registry.
"""

from __future__ import annotations

import json
import secrets
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.errors import NotFoundError
from ...core.workspace import atomic_write_text
from ..server.errors import ApiError, bad_request, not_found, required
from ..server.http import read_json
from .engine.model_registry import now_rfc3339
from .generate import reject_unknown_verb
from .operations import EMPTY, Operations, any_type, version_of
from .resources import DEPLOYED_CREATE_TIME, label_filter, labels_match, model_id

if TYPE_CHECKING:
    from .routes import VertexHandlers

PREDICT_VERBS = ("predict", "generateContent", "streamGenerateContent", "countTokens", "computeTokens")
ENDPOINT_VERBS = (*PREDICT_VERBS, "deployModel", "undeployModel", "serverStreamingPredict")


def _prefix(project: str, location: str) -> str:
    return f"projects/{project}/locations/{location}"


def failed_precondition(message: str) -> ApiError:
    return ApiError(400, message, "failedPrecondition", status="FAILED_PRECONDITION")


class EndpointsApi:
    """The endpoint routes of one emulator's Vertex AI API."""

    def __init__(self, handlers: VertexHandlers):
        self.handlers = handlers
        data = handlers.state.data_dir / "vertex"
        self.root: Path = data / "endpoints"
        self.operations = Operations(data / "operations")
        self._lock = threading.Lock()

    @property
    def registry(self) -> Any:
        return self.handlers.service.registry

    # --- records -------------------------------------------------------------------------------
    def _path(self, ident: str) -> Path:
        return self.root / f"{ident}.json"

    def record(self, ident: str) -> dict[str, Any] | None:
        """The endpoint's Vertex record (derived from the registry for a tuning job's endpoint),
        or None when there is no such endpoint."""
        if not ident.isdigit():
            return None
        path = self._path(ident)
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
        try:
            endpoint = self.registry.get_endpoint(f"endpoints/{ident}")
            model = self.registry.get_model(endpoint.model)
        except NotFoundError:
            return None
        return {
            "displayName": model.display_name,
            "createTime": DEPLOYED_CREATE_TIME,
            "updateTime": DEPLOYED_CREATE_TIME,
            "deployedModels": [
                {
                    "id": ident,
                    "model": model.name,
                    "displayName": model.display_name,
                    "createTime": DEPLOYED_CREATE_TIME,
                }
            ],
            "trafficSplit": {ident: 100},
        }

    def _save(self, ident: str, record: dict[str, Any]) -> None:
        record["updateTime"] = now_rfc3339()
        atomic_write_text(self._path(ident), json.dumps(record, indent=2))
        split = record.get("trafficSplit") or {}
        serving = max(record["deployedModels"], key=lambda d: split.get(d["id"], 0), default=None)
        self.registry.bind_endpoint(ident, serving["model"] if serving else None)

    def resource(self, ident: str, record: dict[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {"name": f"{prefix}/endpoints/{ident}", "displayName": record["displayName"]}
        for key in ("description", "labels"):
            if record.get(key):
                out[key] = record[key]
        if record["deployedModels"]:
            out["deployedModels"] = [
                {**d, "model": f"{prefix}/models/{model_id(d['model'])}", "modelVersionId": "1"}
                for d in record["deployedModels"]
            ]
        if record.get("trafficSplit"):
            out["trafficSplit"] = record["trafficSplit"]
        out["createTime"] = record["createTime"]
        out["updateTime"] = record["updateTime"]
        return out

    def _existing(self, ident: str, prefix: str) -> dict[str, Any]:
        found = self.record(ident)
        if found is None:
            raise not_found(f"Endpoint `{prefix}/endpoints/{ident}` not found.")
        return found

    # --- create, list -----------------------------------------------------------------------
    def _create(self, body: dict[str, Any], wanted: str | None, prefix: str, version: str) -> dict[str, Any]:
        display = body.get("displayName") or body.get("display_name")
        if not isinstance(display, str) or not display.strip():
            raise required("endpoint.display_name")
        labels = body.get("labels") or {}
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            raise bad_request("labels must map strings to strings", location="labels")
        if wanted is not None and (not wanted.isdigit() or len(wanted) > 19):
            raise bad_request(
                f"Invalid endpointId {wanted!r}: the emulator takes numeric ids of up to 19 digits",
                location="endpointId",
            )
        with self._lock:
            ident = wanted or str(10**9 + secrets.randbelow(9 * 10**9))
            if self.record(ident) is not None:
                raise ApiError(409, f"Endpoint {prefix}/endpoints/{ident} already exists.", "conflict")
            stamp = now_rfc3339()
            record: dict[str, Any] = {
                "displayName": display,
                "description": body.get("description") or "",
                "labels": labels,
                "createTime": stamp,
                "deployedModels": [],
                "trafficSplit": {},
            }
            self._save(ident, record)
        return self.operations.finish(
            f"{prefix}/endpoints/{ident}",
            response=self.resource(ident, record, prefix),
            response_type=any_type(version, "Endpoint"),
            metadata_type=any_type(version, "CreateEndpointOperationMetadata"),
        )

    async def endpoints(self, request: Request, project: str, location: str) -> Response:
        prefix = _prefix(project, location)
        if request.method == "POST":
            body = await read_json(request)
            version = version_of(request.url.path)
            wanted = request.query_params.get("endpointId") or request.query_params.get("endpoint_id")
            return JSONResponse(await run_in_threadpool(self._create, body, wanted, prefix, version))
        terms = label_filter(request.query_params.get("filter"))

        def build() -> list[dict[str, Any]]:
            idents = {p.stem for p in self.root.glob("*.json")} if self.root.is_dir() else set()
            idents |= {model_id(e.name) for e in self.registry.list_endpoints()}
            out = []
            for ident in sorted(idents):
                record = self.record(ident)
                if record is not None and labels_match(resource := self.resource(ident, record, prefix), terms):
                    out.append(resource)
            return out

        from ..server.http import page_of

        return JSONResponse(page_of(request, await run_in_threadpool(build), "endpoints"))

    # --- one endpoint ----------------------------------------------------------------------
    async def endpoint(self, request: Request, project: str, location: str, endpoint: str) -> Response:
        ident, sep, verb = endpoint.partition(":")
        prefix = _prefix(project, location)
        version = version_of(request.url.path)
        if request.method == "GET":
            if sep:
                raise reject_unknown_verb(verb, ())
            record = await run_in_threadpool(self._existing, ident, prefix)
            return JSONResponse(self.resource(ident, record, prefix))
        if request.method == "DELETE":
            return JSONResponse(await run_in_threadpool(self._delete, ident, prefix, version))
        if request.method == "PATCH":
            if sep:
                raise reject_unknown_verb(verb, ())
            body = await read_json(request)
            mask = request.query_params.get("updateMask") or request.query_params.get("update_mask") or ""
            return JSONResponse(await run_in_threadpool(self._update, ident, body, mask, prefix))
        if verb not in ENDPOINT_VERBS:
            raise reject_unknown_verb(verb or "(none)", ENDPOINT_VERBS)
        if verb in ("deployModel", "undeployModel"):
            body = await read_json(request)
            act = self._deploy if verb == "deployModel" else self._undeploy
            return JSONResponse(await run_in_threadpool(act, ident, body, prefix, version))
        record = await run_in_threadpool(self._existing, ident, prefix)
        if not record["deployedModels"]:
            raise failed_precondition(f"Endpoint {prefix}/endpoints/{ident} does not have any deployed models.")
        split = record.get("trafficSplit") or {}
        serving = max(record["deployedModels"], key=lambda d: split.get(d["id"], 0))
        m = await run_in_threadpool(self.handlers._tuned, serving["model"], f"{prefix}/models/{serving['model']}")
        if verb == "serverStreamingPredict":
            from .legacy_chat import stream_predict

            return await stream_predict(self.handlers, request, f"endpoints/{ident}")
        extra = {
            "deployedModelId": serving["id"],
            "model": f"{prefix}/models/{model_id(m.name)}",
            "modelDisplayName": m.display_name,
            "modelVersionId": "1",
        }
        return await self.handlers.generate(
            request, f"endpoints/{ident}", verb, f"{prefix}/models/{model_id(m.name)}@1", extra
        )

    def _deploy(self, ident: str, body: dict[str, Any], prefix: str, version: str) -> dict[str, Any]:
        deployed = body.get("deployedModel") or body.get("deployed_model")
        if not isinstance(deployed, dict) or not isinstance(deployed.get("model"), str) or not deployed["model"]:
            raise required("deployed_model.model")
        ref = deployed["model"]
        try:
            model = self.handlers.service.get_tuned_model(ref)
        except NotFoundError:
            raise not_found(f"Model {ref} does not exist.") from None
        with self._lock:
            record = self._existing(ident, prefix)
            new_id = str(10**9 + secrets.randbelow(9 * 10**9))
            entry = {
                "id": new_id,
                "model": model.name,
                "displayName": deployed.get("displayName") or model.display_name,
                "createTime": now_rfc3339(),
            }
            split = _traffic(body, new_id, [d["id"] for d in record["deployedModels"]] + [new_id])
            if split is None:
                split = dict(record.get("trafficSplit") or {})
                split.setdefault(new_id, 0 if split else 100)
            record["deployedModels"].append(entry)
            record["trafficSplit"] = split
            self._save(ident, record)
        out = {**entry, "model": f"{prefix}/models/{model_id(model.name)}", "modelVersionId": "1"}
        return self.operations.finish(
            f"{prefix}/endpoints/{ident}",
            response={"deployedModel": out},
            response_type=any_type(version, "DeployModelResponse"),
            metadata_type=any_type(version, "DeployModelOperationMetadata"),
        )

    def _undeploy(self, ident: str, body: dict[str, Any], prefix: str, version: str) -> dict[str, Any]:
        gone = body.get("deployedModelId") or body.get("deployed_model_id")
        if not isinstance(gone, str) or not gone:
            raise required("deployed_model_id")
        with self._lock:
            record = self._existing(ident, prefix)
            remaining = [d for d in record["deployedModels"] if d["id"] != gone]
            if len(remaining) == len(record["deployedModels"]):
                raise bad_request(f"Deployed model {gone} is not deployed to endpoint {prefix}/endpoints/{ident}.")
            split = _traffic(body, None, [d["id"] for d in remaining])
            if split is None:
                old = {k: v for k, v in (record.get("trafficSplit") or {}).items() if k != gone}
                split = _renormalised(old, [d["id"] for d in remaining])
            record["deployedModels"] = remaining
            record["trafficSplit"] = split
            self._save(ident, record)
        return self.operations.finish(
            f"{prefix}/endpoints/{ident}",
            response={},
            response_type=any_type(version, "UndeployModelResponse"),
            metadata_type=any_type(version, "UndeployModelOperationMetadata"),
        )

    def _delete(self, ident: str, prefix: str, version: str) -> dict[str, Any]:
        with self._lock:
            record = self._existing(ident, prefix)
            if record["deployedModels"]:
                raise failed_precondition(
                    f"The Endpoint {prefix}/endpoints/{ident} has deployed or being-deployed DeployedModel(s); "
                    "undeploy them first."
                )
            self._path(ident).unlink(missing_ok=True)
            self.registry.bind_endpoint(ident, None)
        return self.operations.finish(
            f"{prefix}/endpoints/{ident}",
            response_type=EMPTY,
            metadata_type=any_type(version, "DeleteOperationMetadata"),
        )

    def _update(self, ident: str, body: dict[str, Any], mask: str, prefix: str) -> dict[str, Any]:
        """`endpoints.patch`: display name, description, labels and traffic split (the fields
        named in `mask`; the request logging config is `logging_config`'s)."""
        paths = [p.strip() for p in mask.split(",") if p.strip()]
        fields = []
        for path in paths:
            key = _UPDATABLE.get(path)
            if key is None:
                raise bad_request(
                    f"update_mask path {path!r} cannot be updated; updatable: display_name, description, labels, "
                    "traffic_split, predict_request_response_logging_config",
                    location="update_mask",
                )
            if key:
                fields.append(key)
        if not paths:
            raise required("update_mask")
        with self._lock:
            record = self._existing(ident, prefix)
            for key in fields:
                value = body.get(key, body.get(_SNAKE[key]))
                if key == "displayName":
                    if not isinstance(value, str) or not value.strip():
                        raise bad_request("display_name must be a non-empty string", location="endpoint.display_name")
                    record["displayName"] = value
                elif key == "description":
                    if value is not None and not isinstance(value, str):
                        raise bad_request("description must be a string", location="endpoint.description")
                    record["description"] = value or ""
                elif key == "labels":
                    from .models import _labels

                    record["labels"] = _labels(value or {})
                else:
                    ids = [d["id"] for d in record["deployedModels"]]
                    split = _traffic({"trafficSplit": value or {}}, None, ids)
                    if split is None and ids:
                        raise bad_request(
                            "trafficSplit percentages must add up to 100, got 0", location="traffic_split"
                        )
                    record["trafficSplit"] = split or {}
            self._save(ident, record)
        return self.resource(ident, record, prefix)

    # --- operations ----------------------------------------------------------------------------
    async def operation(self, request: Request, name: str) -> Response:
        if request.method == "DELETE":
            return JSONResponse({})
        name = name.split(":", 1)[0]
        if not name.startswith("projects/") or "/operations/" not in name:
            raise not_found(f"Operation {name} is not found.")
        return JSONResponse(await run_in_threadpool(self.operations.get, name))


_UPDATABLE = {
    **{k: k for k in ("displayName", "description", "labels", "trafficSplit")},
    **{"display_name": "displayName", "traffic_split": "trafficSplit"},
    "predictRequestResponseLoggingConfig": "",
    "predict_request_response_logging_config": "",
}
_SNAKE = {
    "displayName": "display_name",
    "description": "description",
    "labels": "labels",
    "trafficSplit": "traffic_split",
}


def _traffic(body: dict[str, Any], new_id: str | None, ids: list[str]) -> dict[str, int] | None:
    """The request's traffic split (`"0"` naming the model being deployed), checked: None when
    the request has none."""
    raw = body.get("trafficSplit") or body.get("traffic_split")
    if not raw:
        return None
    if not isinstance(raw, dict):
        raise bad_request("trafficSplit must map deployed model ids to percentages", location="traffic_split")
    out: dict[str, int] = {}
    for key, value in raw.items():
        key = new_id if key == "0" and new_id else key
        if key not in ids:
            raise bad_request(f"trafficSplit names {key!r}, which is not deployed here", location="traffic_split")
        try:
            pct = int(value)
        except (TypeError, ValueError):
            raise bad_request(f"trafficSplit[{key!r}] must be a percentage", location="traffic_split") from None
        if pct < 0 or pct > 100 or pct != value:
            raise bad_request(f"trafficSplit[{key!r}] must be an integer 0..100", location="traffic_split")
        if pct:
            out[key] = pct
    if ids and sum(out.values()) != 100:
        raise bad_request(
            f"trafficSplit percentages must add up to 100, got {sum(out.values())}", location="traffic_split"
        )
    return out


def _renormalised(split: dict[str, int], ids: list[str]) -> dict[str, int]:
    total = sum(split.values())
    if not ids:
        return {}
    if total <= 0:
        return {ids[0]: 100}
    out = {k: v * 100 // total for k, v in split.items() if v}
    first = next(iter(out))
    out[first] += 100 - sum(out.values())
    return out
