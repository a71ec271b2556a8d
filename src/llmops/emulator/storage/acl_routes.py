"""`/storage/v1/b/{bucket}/acl`, `/defaultObjectAcl` and `/o/{object}/acl`: list, get, insert,
update and delete ACL entries (Cloud Storage's BucketAccessControls and ObjectAccessControls)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..server.errors import ApiError, required
from ..server.http import JSONResponse, read_json
from ..server.routing import SegmentRouter
from .acl import acl_resource, default_acl, validate_acl
from .store import ObjectStore

Entries = list[dict[str, str]]


class AclHandlers:
    """ACL entry routes over the store's `acl` and `defaultObjectAcl` fields."""

    def __init__(self, store: ObjectStore):
        self.store = store

    def _project(self, bucket: str) -> str | None:
        return self.store.get_bucket(bucket).get("project")

    def _get(self, bucket: str, object: str | None, field: str) -> Entries:
        if object is not None:
            doc = self.store.get_object(bucket, object)
        else:
            doc = self.store.get_bucket(bucket)
        return list(doc.get(field) or default_acl(self._project(bucket)))

    def _set(self, bucket: str, object: str | None, field: str, entries: Entries) -> None:
        if object is not None:
            self.store.update_object(bucket, object, {field: entries})
        else:
            self.store.update_bucket(bucket, {field: entries})

    def _kind(self, object: str | None, field: str) -> str:
        return "objectAccessControl" if object is not None or field == "defaultObjectAcl" else "bucketAccessControl"

    def _ids(self, bucket: str, object: str | None) -> dict[str, str]:
        return {"bucket": bucket, **({"object": object} if object is not None else {})}

    async def _run(self, fn: Callable[[], Any]) -> Any:
        return await run_in_threadpool(fn)

    def handlers(self, field: str, with_object: bool) -> dict[str, Callable[..., Awaitable[Response]]]:
        bucket_level = field == "acl" and not with_object

        async def list_entries(request: Request, bucket: str, object: str | None = None) -> Response:
            entries = await self._run(lambda: self._get(bucket, object, field))
            return JSONResponse(acl_resource(entries, self._kind(object, field), **self._ids(bucket, object)))

        def find(entries: Entries, entity: str) -> int:
            for i, e in enumerate(entries):
                if e["entity"] == entity:
                    return i
            raise ApiError(404, f"No ACL entry for entity {entity[:100]!r}", "notFound")

        def one(bucket: str, object: str | None, entry: dict[str, str]) -> Response:
            return JSONResponse(
                {"kind": f"storage#{self._kind(object, field)}", **self._ids(bucket, object), **entry, "etag": "CAE="}
            )

        async def get_entry(request: Request, bucket: str, entity: str, object: str | None = None) -> Response:
            entries = await self._run(lambda: self._get(bucket, object, field))
            return one(bucket, object, entries[find(entries, entity)])

        async def insert_entry(request: Request, bucket: str, object: str | None = None) -> Response:
            body = await read_json(request, limit=64 * 1024)
            if not body.get("entity"):
                raise required("entity")
            entry = validate_acl([body], field=field, bucket_level=bucket_level)[0]

            def change() -> None:
                entries = [e for e in self._get(bucket, object, field) if e["entity"] != entry["entity"]]
                self._set(
                    bucket, object, field, validate_acl([*entries, entry], field=field, bucket_level=bucket_level)
                )

            await self._run(change)
            return one(bucket, object, entry)

        async def update_entry(request: Request, bucket: str, entity: str, object: str | None = None) -> Response:
            body = await read_json(request, limit=64 * 1024)
            entry = validate_acl([{**body, "entity": entity}], field=field, bucket_level=bucket_level)[0]

            def change() -> None:
                entries = self._get(bucket, object, field)
                entries[find(entries, entity)] = entry
                self._set(bucket, object, field, entries)

            await self._run(change)
            return one(bucket, object, entry)

        async def delete_entry(request: Request, bucket: str, entity: str, object: str | None = None) -> Response:
            def change() -> None:
                entries = self._get(bucket, object, field)
                del entries[find(entries, entity)]
                self._set(bucket, object, field, entries)

            await self._run(change)
            return Response(status_code=204)

        return {
            "list": list_entries,
            "get": get_entry,
            "insert": insert_entry,
            "update": update_entry,
            "delete": delete_entry,
        }


def add_acl_routes(router: SegmentRouter, store: ObjectStore) -> None:
    """Register the ACL routes of buckets, default object ACLs and objects on `router`."""
    acl = AclHandlers(store)
    for base, field, with_object in (
        ("b/{bucket}/acl", "acl", False),
        ("b/{bucket}/defaultObjectAcl", "defaultObjectAcl", False),
        ("b/{bucket}/o/{object}/acl", "acl", True),
    ):
        h = acl.handlers(field, with_object)
        router.route(base, "GET")(h["list"])
        router.route(base, "POST")(h["insert"])
        router.route(base + "/{entity}", "GET")(h["get"])
        router.route(base + "/{entity}", "PUT", "PATCH")(h["update"])
        router.route(base + "/{entity}", "DELETE")(h["delete"])
