"""HMAC keys of service accounts (`/storage/v1/projects/PROJECT/hmacKeys`): create, list, get,
activate/deactivate and delete, with Cloud Storage's rules (a key is deleted only once
INACTIVE; a deleted key is listed only with showDeletedKeys). The keys are kept in the store's
metadata folder; the emulator does not check XML API requests signed with them."""

from __future__ import annotations

import base64
import json
import os
import secrets
import string
import threading
import time
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..server.errors import ApiError, required
from ..server.http import JSONResponse, read_json
from ..server.routing import SegmentRouter
from .store import ObjectStore, rfc3339

_STATES = ("ACTIVE", "INACTIVE")
_ALNUM = string.ascii_uppercase + string.digits


def _not_found(access_id: str) -> ApiError:
    return ApiError(404, f"Access ID not found in project: {access_id[:80]}", "notFound")


class HmacKeys:
    """The HMAC keys of every project, in one JSON file."""

    def __init__(self, store: ObjectStore):
        self.path = Path(store.meta_dir) / "hmac-keys.json"
        self._lock = threading.Lock()

    def _load(self) -> dict[str, dict[str, Any]]:
        return json.loads(self.path.read_text()) if self.path.is_file() else {}

    def _save(self, keys: dict[str, dict[str, Any]]) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(keys))
        os.replace(tmp, self.path)

    def create(self, project: str, email: str) -> dict[str, Any]:
        if "@" not in email:
            raise ApiError(400, f"Invalid serviceAccountEmail {email[:80]!r}", "invalid")
        access_id = "GOOG1E" + "".join(secrets.choice(_ALNUM) for _ in range(55))
        now = rfc3339(time.time())
        meta = {
            "kind": "storage#hmacKeyMetadata",
            "id": f"{project}/{access_id}",
            "accessId": access_id,
            "projectId": project,
            "serviceAccountEmail": email,
            "state": "ACTIVE",
            "timeCreated": now,
            "updated": now,
            "etag": base64.b64encode(b"1").decode(),
        }
        with self._lock:
            keys = self._load()
            keys[access_id] = meta
            self._save(keys)
        secret = base64.b64encode(secrets.token_bytes(30)).decode()
        return {"kind": "storage#hmacKey", "metadata": meta, "secret": secret}

    def get(self, project: str, access_id: str) -> dict[str, Any]:
        meta = self._load().get(access_id)
        if meta is None or meta["projectId"] != project:
            raise _not_found(access_id)
        return meta

    def list(self, project: str, email: str | None, show_deleted: bool) -> list[dict[str, Any]]:
        return [
            m
            for m in self._load().values()
            if m["projectId"] == project
            and (email is None or m["serviceAccountEmail"] == email)
            and (show_deleted or m["state"] != "DELETED")
        ]

    def update(self, project: str, access_id: str, body: dict[str, Any]) -> dict[str, Any]:
        state = body.get("state")
        if state not in _STATES:
            raise ApiError(400, f"state must be ACTIVE or INACTIVE, got {state!r}", "invalid")
        with self._lock:
            keys = self._load()
            meta = keys.get(access_id)
            if meta is None or meta["projectId"] != project:
                raise _not_found(access_id)
            if meta["state"] == "DELETED":
                raise ApiError(400, "A deleted HMAC key cannot be updated", "invalid")
            if body.get("etag") and body["etag"] != meta["etag"]:
                raise ApiError(
                    412, "The HMAC key's etag does not match; it was changed since you read it", "conditionNotMet"
                )
            if meta["state"] != state:
                serial = int(base64.b64decode(meta["etag"]) or b"0") + 1
                meta.update(
                    state=state, updated=rfc3339(time.time()), etag=base64.b64encode(str(serial).encode()).decode()
                )
            self._save(keys)
            return meta

    def delete(self, project: str, access_id: str) -> None:
        with self._lock:
            keys = self._load()
            meta = keys.get(access_id)
            if meta is None or meta["projectId"] != project or meta["state"] == "DELETED":
                raise _not_found(access_id)
            if meta["state"] != "INACTIVE":
                raise ApiError(400, "Cannot delete an ACTIVE HMAC key: deactivate it first", "invalid")
            meta.update(state="DELETED", updated=rfc3339(time.time()))
            self._save(keys)


def add_hmac_routes(router: SegmentRouter, store: ObjectStore) -> None:
    """The hmacKeys methods on the JSON API's router."""
    keys = HmacKeys(store)

    async def create(request: Request, project: str) -> Response:
        email = request.query_params.get("serviceAccountEmail")
        if not email:
            raise required("serviceAccountEmail")
        return JSONResponse(await run_in_threadpool(keys.create, project, email))

    async def list_keys(request: Request, project: str) -> Response:
        qp = request.query_params
        show = qp.get("showDeletedKeys", "").lower() == "true"
        items = await run_in_threadpool(keys.list, project, qp.get("serviceAccountEmail"), show)
        return JSONResponse({"kind": "storage#hmacKeysMetadata", "items": items})

    async def get(request: Request, project: str, access_id: str) -> Response:
        return JSONResponse(await run_in_threadpool(keys.get, project, access_id))

    async def update(request: Request, project: str, access_id: str) -> Response:
        body = await read_json(request, limit=64 * 1024)
        return JSONResponse(await run_in_threadpool(keys.update, project, access_id, body))

    async def delete(request: Request, project: str, access_id: str) -> Response:
        await run_in_threadpool(keys.delete, project, access_id)
        return Response(status_code=204)

    router.route("projects/{project}/hmacKeys", "POST")(create)
    router.route("projects/{project}/hmacKeys", "GET")(list_keys)
    router.route("projects/{project}/hmacKeys/{access_id}", "GET")(get)
    router.route("projects/{project}/hmacKeys/{access_id}", "PUT")(update)
    router.route("projects/{project}/hmacKeys/{access_id}", "DELETE")(delete)
