"""Vertex AI long-running operations (`google.longrunning.Operation`).

Everything the emulator does behind an operation finishes before the create call answers, so
every operation is born `done: true` with its `response` (or `error`) and the clients never
wait. Operations are kept as JSON files under `<data>/vertex/operations/` so a later
`GET .../operations/{id}` (aiplatform polls `/ui/{name}`, the v1 clients `/v1/{name}`) finds them.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from ...core.workspace import atomic_write_text
from ..server.errors import not_found
from .engine.model_registry import now_rfc3339

EMPTY = "type.googleapis.com/google.protobuf.Empty"


def any_type(version: str, message: str) -> str:
    """The `@type` of a Vertex message in the API version the request used."""
    return f"type.googleapis.com/google.cloud.aiplatform.{version}.{message}"


def version_of(request_path: str) -> str:
    return "v1beta1" if request_path.startswith("/v1beta1/") else "v1"


class Operations:
    """Finished operations, one JSON file each."""

    def __init__(self, root: Path):
        self.root = root

    def finish(
        self,
        parent: str,
        *,
        response: dict[str, Any] | None = None,
        response_type: str = EMPTY,
        metadata_type: str | None = None,
        error: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record a finished operation under `parent` (a location or a resource name) and
        return it as the API answers it."""
        ident = str(10**17 + secrets.randbelow(9 * 10**17))
        stamp = now_rfc3339()
        op: dict[str, Any] = {"name": f"{parent}/operations/{ident}", "done": True}
        if metadata_type:
            op["metadata"] = {
                "@type": metadata_type,
                "genericMetadata": {"createTime": stamp, "updateTime": stamp},
            }
        if error is not None:
            op["error"] = error
        else:
            op["response"] = {"@type": response_type, **(response or {})}
        atomic_write_text(self.root / f"{ident}.json", json.dumps(op))
        return op

    def get(self, name: str) -> dict[str, Any]:
        """The operation called `name`; 404 in Google's shape when there is none."""
        ident = name.rsplit("/", 1)[-1]
        path = self.root / f"{ident}.json"
        if not ident.isdigit() or not path.is_file():
            raise not_found(f"Operation {name} is not found.")
        op = json.loads(path.read_text(encoding="utf-8"))
        if op["name"] != name:
            raise not_found(f"Operation {name} is not found.")
        return op
