"""Vertex AI datasets and their versions, as Vertex AI prompt management uses them.

A prompt is a `datasets/{id}` whose `metadataSchemaUri` is the text-prompt schema and whose
`metadata` holds the prompt; each saved version is a `datasets/{id}/datasetVersions/{v}` that
keeps a copy of the dataset's `metadata` and `modelReference` as they were when it was made
(`vertexai.Client().prompts` reads the prompt from the version). Served under
`projects/{p}/locations/{l}/`: `datasets` (create, list with a `filter`), `datasets/{id}` (GET,
PATCH with or without `updateMask`, DELETE), `datasets/{id}/datasetVersions` (create, list),
`datasets/{id}/datasetVersions/{v}` (GET, DELETE, `:restore`, which puts the version's prompt
back on the dataset) and `datasets/{id}/operations/{op}`. Creates, deletes and restores answer
finished long-running operations (see `operations`). `metadata` is a `Struct` and is stored
verbatim: the two prompt SDKs spell its keys differently and each reads back only its own.
Kept as JSON files under `<data>/vertex/datasets/{id}/`.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.workspace import atomic_write_text
from ..server.errors import bad_request, not_found, required
from ..server.http import page_of, read_json
from .engine.model_registry import now_rfc3339
from .generate import reject_unknown_verb
from .operations import EMPTY, Operations, any_type, version_of

if TYPE_CHECKING:
    from .routes import VertexHandlers

SCHEMA_PREFIX = "gs://google-cloud-aiplatform/schema/dataset/metadata/"
TEXT_PROMPT_SCHEMA = SCHEMA_PREFIX + "text_prompt_1.0.0.yaml"
_UPDATABLE = {"displayName", "description", "labels", "metadata", "modelReference"}
_SNAKE = {
    "display_name": "displayName",
    "model_reference": "modelReference",
    "metadata_schema_uri": "metadataSchemaUri",
}
_FILTER_TERM = re.compile(r'^\s*([A-Za-z_.\-0-9]+)\s*=\s*"([^"]*)"\s*$')


def _camel(body: dict[str, Any]) -> dict[str, Any]:
    """The request's top-level proto fields under their camelCase names (both spellings arrive)."""
    return {_SNAKE.get(k, k): v for k, v in body.items()}


def _filter(text: str | None) -> list[tuple[str, str]]:
    """`display_name="x" AND labels.k="v"` as (field, value) pairs; 400 for anything else."""
    if not text or not text.strip():
        return []
    out = []
    for term in re.split(r"\s+AND\s+", text.strip()):
        m = _FILTER_TERM.match(term)
        field = _SNAKE.get(m.group(1), m.group(1)) if m else ""
        if not m or not (field in ("displayName", "metadataSchemaUri") or field.startswith("labels.")):
            raise bad_request(
                f"Unsupported filter term {term.strip()!r}: the emulator filters datasets on "
                'display_name="...", metadata_schema_uri="..." and labels.KEY="..." joined by AND',
                location="filter",
            )
        out.append((field, m.group(2)))
    return out


def _matches(resource: dict[str, Any], terms: list[tuple[str, str]]) -> bool:
    for field, value in terms:
        if field.startswith("labels."):
            found = (resource.get("labels") or {}).get(field[len("labels.") :])
        else:
            found = resource.get(field)
        if found != value:
            return False
    return True


class DatasetStore:
    """The datasets of one emulator: `<root>/{id}/dataset.json` and `<root>/{id}/versions/{v}.json`."""

    def __init__(self, root: Path, operations: Operations):
        self.root = root
        self.operations = operations
        self._lock = threading.Lock()

    # --- files ---------------------------------------------------------------------------------
    def _dir(self, ident: str, prefix: str) -> Path:
        path = self.root / ident
        if not ident.isdigit() or not (path / "dataset.json").is_file():
            raise not_found(f"Dataset {prefix}/datasets/{ident} is not found.")
        return path

    def _read(self, path: Path) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def _write(self, path: Path, resource: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(resource))

    def _version_path(self, ident: str, version: str, prefix: str) -> Path:
        path = self._dir(ident, prefix) / "versions" / f"{version}.json"
        if not version.isdigit() or not path.is_file():
            raise not_found(f"DatasetVersion {prefix}/datasets/{ident}/datasetVersions/{version} is not found.")
        return path

    # --- datasets ------------------------------------------------------------------------------
    def create(self, body: dict[str, Any], prefix: str, api: str) -> dict[str, Any]:
        body = _camel(body)
        if not body.get("displayName"):
            raise required("dataset.display_name")
        schema = body.get("metadataSchemaUri")
        if not schema:
            raise required("dataset.metadata_schema_uri")
        if not isinstance(schema, str) or not schema.startswith(SCHEMA_PREFIX):
            raise bad_request(
                f"Invalid metadata_schema_uri {schema!r}: use one of Vertex's dataset schemas, e.g. {TEXT_PROMPT_SCHEMA}",
                location="dataset.metadata_schema_uri",
            )
        metadata = body.get("metadata")
        if schema == TEXT_PROMPT_SCHEMA and not isinstance(metadata, dict):
            raise bad_request(
                "A text-prompt dataset needs its prompt in metadata (an object)", location="dataset.metadata"
            )
        if body.get("labels") is not None and not isinstance(body["labels"], dict):
            raise bad_request("labels must map keys to values", location="dataset.labels")
        stamp = now_rfc3339()
        with self._lock:
            ident = str(10**18 + secrets.randbelow(8 * 10**18))
            resource: dict[str, Any] = {
                "name": f"{prefix}/datasets/{ident}",
                "displayName": body["displayName"],
                "metadataSchemaUri": schema,
                "createTime": stamp,
                "updateTime": stamp,
                "etag": secrets.token_hex(8),
            }
            for key in ("description", "metadata", "modelReference", "labels"):
                if body.get(key) is not None:
                    resource[key] = body[key]
            self._write(self.root / ident / "dataset.json", resource)
        return self.operations.finish(
            resource["name"],
            response=resource,
            response_type=any_type(api, "Dataset"),
            metadata_type=any_type(api, "CreateDatasetOperationMetadata"),
        )

    def get(self, ident: str, prefix: str) -> dict[str, Any]:
        return self._read(self._dir(ident, prefix) / "dataset.json")

    def list_datasets(self, prefix: str, terms: list[tuple[str, str]]) -> list[dict[str, Any]]:
        found = []
        for path in sorted(self.root.glob("*/dataset.json")) if self.root.is_dir() else []:
            resource = self._read(path)
            if resource["name"].startswith(prefix + "/") and _matches(resource, terms):
                found.append(resource)
        return sorted(found, key=lambda r: r["createTime"])

    def update(self, ident: str, body: dict[str, Any], mask: str | None, prefix: str) -> dict[str, Any]:
        body = _camel(body)
        if mask:
            paths = [_SNAKE.get(p.strip(), p.strip()) for p in mask.split(",") if p.strip()]
        else:  # no mask: the fields present (vertexai.Client sends the parent location as `name`)
            paths = [k for k in body if k in _UPDATABLE]
        bad = [p for p in paths if p not in _UPDATABLE]
        if bad:
            raise bad_request(
                f"updateMask names {', '.join(bad)}, which cannot be updated; updatable: "
                + ", ".join(sorted(_UPDATABLE)),
                location="update_mask",
            )
        with self._lock:
            path = self._dir(ident, prefix) / "dataset.json"
            resource = self._read(path)
            for field in paths:
                if body.get(field) is None:
                    resource.pop(field, None)
                else:
                    resource[field] = body[field]
            if not resource.get("displayName"):
                raise required("dataset.display_name")
            resource["updateTime"] = now_rfc3339()
            resource["etag"] = secrets.token_hex(8)
            self._write(path, resource)
        return resource

    def delete(self, ident: str, prefix: str) -> dict[str, Any]:
        with self._lock:
            shutil.rmtree(self._dir(ident, prefix))
        return self.operations.finish(prefix, response_type=EMPTY, metadata_type=None)

    # --- versions ------------------------------------------------------------------------------
    def create_version(self, ident: str, body: dict[str, Any], prefix: str, api: str) -> dict[str, Any]:
        body = _camel(body)
        with self._lock:
            dataset = self.get(ident, prefix)
            versions = self.root / ident / "versions"
            taken = [int(p.stem) for p in versions.glob("*.json")] if versions.is_dir() else []
            number = str(max(taken, default=0) + 1)
            stamp = now_rfc3339()
            resource: dict[str, Any] = {
                "name": f"{dataset['name']}/datasetVersions/{number}",
                "displayName": body.get("displayName") or f"{dataset['displayName']} v{number}",
                "createTime": stamp,
                "updateTime": stamp,
                "etag": secrets.token_hex(8),
            }
            for key in ("metadata", "modelReference"):
                if dataset.get(key) is not None:
                    resource[key] = dataset[key]
            self._write(versions / f"{number}.json", resource)
        return self.operations.finish(
            dataset["name"],
            response=resource,
            response_type=any_type(api, "DatasetVersion"),
            metadata_type=any_type(api, "CreateDatasetVersionOperationMetadata"),
        )

    def get_version(self, ident: str, version: str, prefix: str) -> dict[str, Any]:
        return self._read(self._version_path(ident, version, prefix))

    def list_versions(self, ident: str, prefix: str) -> list[dict[str, Any]]:
        versions = self._dir(ident, prefix) / "versions"
        found = [self._read(p) for p in versions.glob("*.json")] if versions.is_dir() else []
        return sorted(found, key=lambda r: int(r["name"].rsplit("/", 1)[-1]))

    def delete_version(self, ident: str, version: str, prefix: str) -> dict[str, Any]:
        with self._lock:
            self._version_path(ident, version, prefix).unlink()
        return self.operations.finish(prefix, response_type=EMPTY)

    def restore_version(self, ident: str, version: str, prefix: str, api: str) -> dict[str, Any]:
        with self._lock:
            saved = self._read(self._version_path(ident, version, prefix))
            path = self.root / ident / "dataset.json"
            dataset = self._read(path)
            for key in ("metadata", "modelReference"):
                if saved.get(key) is None:
                    dataset.pop(key, None)
                else:
                    dataset[key] = saved[key]
            dataset["updateTime"] = now_rfc3339()
            dataset["etag"] = secrets.token_hex(8)
            self._write(path, dataset)
        return self.operations.finish(
            prefix,
            response=saved,
            response_type=any_type(api, "DatasetVersion"),
            metadata_type=any_type(api, "RestoreDatasetVersionOperationMetadata"),
        )


class DatasetsApi:
    """The `datasets` routes (see the module docstring)."""

    def __init__(self, handlers: VertexHandlers):
        self.store = DatasetStore(handlers.state.data_dir / "vertex" / "datasets", handlers.endpoints.operations)

    async def datasets(self, request: Request, project: str, location: str) -> Response:
        prefix = f"projects/{project}/locations/{location}"
        if request.method == "POST":
            body = await read_json(request)
            api = version_of(request.url.path)
            return JSONResponse(await run_in_threadpool(self.store.create, body, prefix, api))
        terms = _filter(request.query_params.get("filter"))
        found = await run_in_threadpool(self.store.list_datasets, prefix, terms)
        return JSONResponse(page_of(request, found, "datasets"))

    async def dataset(self, request: Request, project: str, location: str, dataset: str) -> Response:
        prefix = f"projects/{project}/locations/{location}"
        if ":" in dataset:
            raise reject_unknown_verb(dataset.split(":", 1)[1], ())
        if request.method == "DELETE":
            return JSONResponse(await run_in_threadpool(self.store.delete, dataset, prefix))
        if request.method == "PATCH":
            body = await read_json(request)
            mask = request.query_params.get("updateMask") or request.query_params.get("update_mask")
            return JSONResponse(await run_in_threadpool(self.store.update, dataset, body, mask, prefix))
        return JSONResponse(await run_in_threadpool(self.store.get, dataset, prefix))

    async def versions(self, request: Request, project: str, location: str, dataset: str) -> Response:
        prefix = f"projects/{project}/locations/{location}"
        if request.method == "POST":
            body = await read_json(request)
            api = version_of(request.url.path)
            return JSONResponse(await run_in_threadpool(self.store.create_version, dataset, body, prefix, api))
        found = await run_in_threadpool(self.store.list_versions, dataset, prefix)
        return JSONResponse(page_of(request, found, "datasetVersions"))

    async def version(self, request: Request, project: str, location: str, dataset: str, version: str) -> Response:
        prefix = f"projects/{project}/locations/{location}"
        ident, _, verb = version.partition(":")
        if verb and verb != "restore":
            raise reject_unknown_verb(verb, ("restore",))
        if verb:
            api = version_of(request.url.path)
            return JSONResponse(await run_in_threadpool(self.store.restore_version, dataset, ident, prefix, api))
        if request.method == "DELETE":
            return JSONResponse(await run_in_threadpool(self.store.delete_version, dataset, ident, prefix))
        return JSONResponse(await run_in_threadpool(self.store.get_version, dataset, ident, prefix))

    async def operation(self, request: Request, project: str, location: str, dataset: str, op: str) -> Response:
        name = f"projects/{project}/locations/{location}/datasets/{dataset}/operations/{op.split(':', 1)[0]}"
        return JSONResponse(await run_in_threadpool(self.store.operations.get, name))
