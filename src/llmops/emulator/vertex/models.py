"""Vertex AI model resources beyond get and list: the publisher models list (no project in the
path), `models.update` (display name, description, labels) and `:mergeVersionAliases`.

Aliases are the model registry's: an alias names one tuned model across the emulator, so
setting it on a model moves it from any other (Vertex keeps aliases per model; a model's
aliases read the same either way).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..server.errors import ApiError, bad_request, not_found, required
from ..server.http import read_json
from .embeddings import MODELS as EMBEDDING_MODELS
from .embeddings import publisher_resource as embedding_publisher_model
from .resources import BASE_MODEL_LABEL, base_model_names, model_id, model_resource, publisher_model

if TYPE_CHECKING:
    from .routes import VertexHandlers

ALIAS = re.compile(r"^[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]$")
LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
SYSTEM_LABELS = (BASE_MODEL_LABEL, "tune-type")
UPDATABLE = {"displayName": "display_name", "description": "description", "labels": "labels"}
_SNAKE = {"display_name": "displayName", "description": "description", "labels": "labels"}


def publisher_models() -> list[dict[str, Any]]:
    """Every foundation model the emulator serves, as publisher model resources."""
    out = [r for r in (publisher_model(m) for m in base_model_names()) if r is not None]
    out.extend(embedding_publisher_model(m) for m in EMBEDDING_MODELS)
    seen: set[str] = set()
    unique = []
    for r in out:
        key = f"{r['name']}@{r['versionId']}"
        if key not in seen:
            seen.add(key)
            unique.append(r)
    return unique


def full_model_resource(handlers: VertexHandlers, m: Any, prefix: str) -> dict[str, Any]:
    """A tuned model's resource with its description and the user's labels."""
    out = model_resource(m, prefix)
    record = handlers.service.registry.model_record(m.name)
    if record.get("description"):
        out["description"] = record["description"]
    out["labels"] = {**(record.get("labels") or {}), **out["labels"]}
    if record.get("updated"):
        out["updateTime"] = record["updated"]
    return out


class ModelsApi:
    """Publisher model list, model update and version aliases."""

    def __init__(self, handlers: VertexHandlers):
        self.handlers = handlers

    async def list_publisher_models(self, request: Request, publisher: str) -> Response:
        if publisher != "google":
            raise not_found(f"Publisher `publishers/{publisher}` is not found.")
        if (request.query_params.get("filter") or "").strip():
            raise bad_request(
                "The emulator's publisher model list takes no filter; list all and filter client-side",
                location="filter",
            )
        from ..server.http import page_of

        return JSONResponse(page_of(request, publisher_models(), "publisherModels"))

    async def update(self, request: Request, project: str, location: str, model: str) -> Response:
        prefix = f"projects/{project}/locations/{location}"
        ref = model.split("@", 1)[0]
        body = await read_json(request)
        mask = request.query_params.get("updateMask") or request.query_params.get("update_mask")
        if mask:
            paths = [p.strip() for p in mask.split(",") if p.strip()]
            fields = []
            for path in paths:
                key = _SNAKE.get(path, path)
                if key not in UPDATABLE:
                    raise bad_request(
                        f"update_mask path {path!r} cannot be updated; updatable: display_name, description, labels",
                        location="update_mask",
                    )
                fields.append(key)
        else:
            fields = [k for k in UPDATABLE if k in body or _snake(k) in body]
        if not fields:
            raise required("update_mask")
        changes: dict[str, Any] = {}
        for key in fields:
            value = body.get(key, body.get(_snake(key)))
            if key == "labels":
                changes["labels"] = _labels(value or {})
            elif key == "displayName":
                if not isinstance(value, str) or not value.strip():
                    raise bad_request("display_name must be a non-empty string", location="model.display_name")
                if len(value) > 128:
                    raise bad_request("display_name is longer than 128 characters", location="model.display_name")
                changes["display_name"] = value
            else:
                if value is not None and not isinstance(value, str):
                    raise bad_request("description must be a string", location="model.description")
                changes["description"] = value or ""

        def apply() -> dict[str, Any]:
            m = self.handlers._tuned(f"models/{ref}" if ref.isdigit() else ref, f"{prefix}/models/{ref}")
            self.handlers.service.registry.update_model(m.name, changes)
            m = self.handlers.service.get_tuned_model(m.name)
            return full_model_resource(self.handlers, m, prefix)

        return JSONResponse(await run_in_threadpool(apply))

    def version_of(self, ref: str, version: str, prefix: str) -> Any:
        """The tuned model `ref` at `version` (`1`, `default` or one of its aliases: each tuned
        model has one version); 404 for any other version."""
        m = self.handlers._tuned(ref, f"{prefix}/{ref}")
        if version not in ("1", "default", *m.aliases):
            raise not_found(f"Model {prefix}/models/{model_id(m.name)}@{version} does not exist.")
        return m

    def delete(self, ref: str, prefix: str, version: str) -> dict[str, Any]:
        """`models.delete`: a finished operation; 400 while any endpoint has the model deployed."""
        from .endpoints import failed_precondition
        from .operations import EMPTY, any_type

        m = self.handlers._tuned(ref, f"{prefix}/{ref}")
        endpoints = self.handlers.endpoints
        with endpoints._lock:
            idents = {p.stem for p in endpoints.root.glob("*.json")} if endpoints.root.is_dir() else set()
            idents |= {model_id(e.name) for e in self.handlers.service.registry.list_endpoints()}
            serving = sorted(
                ident
                for ident in idents
                if any(d["model"] == m.name for d in (endpoints.record(ident) or {}).get("deployedModels", []))
            )
            if serving:
                raise failed_precondition(
                    f"Model {prefix}/models/{model_id(m.name)} is deployed to "
                    + ", ".join(f"{prefix}/endpoints/{i}" for i in serving)
                    + "; undeploy it from every endpoint before deleting it"
                )
            self.handlers.service.registry.delete_model(m.name)
        return endpoints.operations.finish(
            prefix, response_type=EMPTY, metadata_type=any_type(version, "DeleteOperationMetadata")
        )

    @staticmethod
    def upload_refused(prefix: str) -> ApiError:
        """`models:upload` (a model from a serving container): not something the emulator runs."""
        return ApiError(
            400,
            f"models:upload under {prefix} is not emulated: the emulator cannot run serving containers, so "
            "its models (and their versions) come from tuning jobs; tune a model (tunings.tune, "
            "`llmops tune`) or upload to Vertex AI itself",
            "failedPrecondition",
            status="FAILED_PRECONDITION",
        )

    async def merge_aliases(self, request: Request, ref: str, prefix: str) -> Response:
        body = await read_json(request)
        aliases = body.get("versionAliases", body.get("version_aliases"))
        if not isinstance(aliases, list) or not aliases or not all(isinstance(a, str) for a in aliases):
            raise required("version_aliases")
        for alias in aliases:
            bare = alias.removeprefix("-")
            if not ALIAS.match(bare):
                raise bad_request(
                    f"Invalid version alias {bare!r}: use [a-z][a-zA-Z0-9-]{{0,126}}[a-z0-9]",
                    location="version_aliases",
                )
            if bare == "default" and alias.startswith("-"):
                raise bad_request(
                    "The `default` alias cannot be removed; set it on another version", location="version_aliases"
                )

        def apply() -> dict[str, Any]:
            service = self.handlers.service
            m = self.handlers._tuned(ref, f"{prefix}/{ref}")
            for alias in aliases:
                if alias == "default":
                    continue
                if alias.startswith("-"):
                    if alias[1:] in m.aliases:
                        service.registry.remove_alias(alias[1:])
                else:
                    service.set_alias(m.name, alias)
            return full_model_resource(self.handlers, service.get_tuned_model(m.name), prefix)

        return JSONResponse(await run_in_threadpool(apply))


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()


def _labels(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise bad_request("labels must map strings to strings", location="model.labels")
    out = {}
    for k, v in value.items():
        if k in SYSTEM_LABELS:
            continue  # the tuning labels stay what the tuning job set
        if not isinstance(k, str) or not LABEL_KEY.match(k):
            raise bad_request(
                f"Invalid label key {k!r}: lower-case letters, digits, '_' and '-', starting with a letter",
                location="model.labels",
            )
        if not isinstance(v, str) or not LABEL_VALUE.match(v):
            raise bad_request(
                f"Invalid value for label {k!r}: lower-case letters, digits, '_' and '-', at most 63",
                location="model.labels",
            )
        out[k] = v
    return out
