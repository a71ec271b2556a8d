"""Cloud Storage JSON API v1 over the object store, as `STORAGE_EMULATOR_HOST` clients expect.

`/storage/v1` (buckets, objects, IAM, copy/rewrite/compose, `alt=media` reads),
`/upload/storage/v1` (media, multipart and resumable uploads: 308 + `Range` until complete) and
`/download/storage/v1` (ranged reads). `mediaLink`, `selfLink` and resumable `Location` URLs
point back at the address the client used.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from ...core.errors import LlmopsError
from ..server.errors import ApiError, bad_request, required
from ..server.http import (
    JSONResponse,
    base_url,
    parse_json,
    parse_multipart_related,
    parse_range,
    query_bool,
    query_int,
    read_body,
    read_json,
    stream_body,
)
from ..server.routing import ALL_METHODS, SegmentRouter
from ..server.uploads import UploadSessions
from .acl import default_acl, predefined_acl
from .acl_routes import add_acl_routes
from .batch import BatchHandler
from .fields import apply_fields, parse_fields
from .hmac_keys import add_hmac_routes
from .store import (
    HashingWriter,
    ObjectStore,
    iter_file,
    validate_bucket_name,
    validate_object_fields,
    validate_object_name,
)
from .wire import objects_page
from .xml_api import PATH as PATH_STYLE
from .xml_api import PathStyleHandler

if TYPE_CHECKING:
    from .api import StorageApi

_PRECONDITIONS = ("ifGenerationMatch", "ifGenerationNotMatch", "ifMetagenerationMatch", "ifMetagenerationNotMatch")
_SOURCE_PRECONDITIONS = {
    "ifSourceGenerationMatch": "ifGenerationMatch",
    "ifSourceGenerationNotMatch": "ifGenerationNotMatch",
    "ifSourceMetagenerationMatch": "ifMetagenerationMatch",
    "ifSourceMetagenerationNotMatch": "ifMetagenerationNotMatch",
}
_SMALL_READ = 8 * 1024 * 1024
_HEADER_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _q(name: str) -> str:
    return quote(name, safe="")


def _preconditions(request: Request) -> dict[str, str]:
    return {k: request.query_params[k] for k in _PRECONDITIONS if request.query_params.get(k) not in (None, "")}


def _source_preconditions(request: Request) -> dict[str, str]:
    return {v: request.query_params[k] for k, v in _SOURCE_PRECONDITIONS.items() if request.query_params.get(k)}


class StorageHandlers:
    """The routes of the three Cloud Storage prefixes over one ObjectStore."""

    def __init__(self, store: ObjectStore, uploads: UploadSessions, max_request_bytes: int):
        self.store = store
        self.uploads = uploads
        self.max_request_bytes = max_request_bytes

    # ---------------------------------------------------------------- resources

    def object_json(self, request: Request, doc: dict[str, Any]) -> dict[str, Any]:
        base = base_url(request)
        b, n = doc["bucket"], doc["name"]
        out = dict(doc)
        if request.query_params.get("projection") == "full":
            out.setdefault("acl", default_acl(self._bucket_project(b)))
        else:
            out.pop("acl", None)
        out["selfLink"] = f"{base}/storage/v1/b/{_q(b)}/o/{_q(n)}"
        out["mediaLink"] = f"{base}/download/storage/v1/b/{_q(b)}/o/{_q(n)}?generation={doc['generation']}&alt=media"
        return out

    def _bucket_project(self, bucket: str) -> str | None:
        try:
            return self.store.get_bucket(bucket).get("project")
        except LlmopsError:
            return None

    def bucket_json(self, request: Request, doc: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in doc.items() if v is not None}
        if request.query_params.get("projection") == "full":
            out.setdefault("acl", default_acl(doc.get("project")))
            out.setdefault("defaultObjectAcl", default_acl(doc.get("project")))
        else:
            out.pop("acl", None)
            out.pop("defaultObjectAcl", None)
        out["selfLink"] = f"{base_url(request)}/storage/v1/b/{_q(doc['name'])}"
        return out

    # ---------------------------------------------------------------- buckets

    async def list_buckets(self, request: Request) -> Response:
        project = request.query_params.get("project")
        if not project:
            raise required("project")
        docs = await run_in_threadpool(
            self.store.list_buckets, project=project, prefix=request.query_params.get("prefix")
        )
        max_results = query_int(request, "maxResults", None, minimum=1)
        token = request.query_params.get("pageToken")
        if token:
            docs = [d for d in docs if d["name"] > _decode_name_token(token)]
        body: dict[str, Any] = {"kind": "storage#buckets"}
        if max_results and len(docs) > max_results:
            docs = docs[:max_results]
            body["nextPageToken"] = _encode_name_token(docs[-1]["name"])
        body["items"] = [self.bucket_json(request, d) for d in docs]
        return _json(request, body)

    async def insert_bucket(self, request: Request) -> Response:
        project = request.query_params.get("project")
        if not project:
            raise required("project")
        body = await read_json(request, limit=self.max_request_bytes)
        name = body.get("name")
        if not name:
            raise required("name")
        doc = await run_in_threadpool(self.store.create_bucket, name, project=project, settings=body)
        return _json(request, self.bucket_json(request, doc))

    async def get_bucket(self, request: Request, bucket: str) -> Response:
        doc = await run_in_threadpool(self.store.get_bucket, bucket)
        return _json(request, self.bucket_json(request, doc))

    async def patch_bucket(self, request: Request, bucket: str) -> Response:
        body = await read_json(request, limit=self.max_request_bytes)
        project = await run_in_threadpool(self._bucket_project, bucket)
        for param, field in (("predefinedAcl", "acl"), ("predefinedDefaultObjectAcl", "defaultObjectAcl")):
            if request.query_params.get(param):
                body[field] = predefined_acl(request.query_params[param], project, bucket_level=field == "acl")
        doc = await run_in_threadpool(self.store.update_bucket, bucket, body, replace=request.method == "PUT")
        return _json(request, self.bucket_json(request, doc))

    async def lock_retention(self, request: Request, bucket: str) -> Response:
        match = request.query_params.get("ifMetagenerationMatch")
        doc = await run_in_threadpool(self.store.lock_retention_policy, bucket, match)
        return _json(request, self.bucket_json(request, doc))

    async def service_account(self, request: Request, project: str) -> Response:
        # Cloud Storage's service agent for the project (the emulator's projects are all number 0).
        email = "service-0@gs-project-accounts.iam.gserviceaccount.com"
        return _json(request, {"kind": "storage#serviceAccount", "email_address": email})

    async def delete_bucket(self, request: Request, bucket: str) -> Response:
        await run_in_threadpool(self.store.delete_bucket, bucket)
        return Response(status_code=204)

    async def get_iam(self, request: Request, bucket: str) -> Response:
        version = query_int(request, "optionsRequestedPolicyVersion", None, minimum=1)
        return _json(request, await run_in_threadpool(self.store.get_iam_policy, bucket, version))

    async def set_iam(self, request: Request, bucket: str) -> Response:
        body = await read_json(request, limit=self.max_request_bytes)
        return _json(request, await run_in_threadpool(self.store.set_iam_policy, bucket, body))

    async def test_iam(self, request: Request, bucket: str) -> Response:
        await run_in_threadpool(self.store.get_bucket, bucket)
        permissions = request.query_params.getlist("permissions")
        if not permissions:
            raise required("permissions")
        return _json(request, {"kind": "storage#testIamPermissionsResponse", "permissions": permissions})

    # ---------------------------------------------------------------- objects

    async def list_objects(self, request: Request, bucket: str) -> Response:
        qp = request.query_params
        options: dict[str, Any] = {
            "prefix": qp.get("prefix", ""),
            "delimiter": qp.get("delimiter") or None,
            "page_token": qp.get("pageToken") or None,
            "max_results": query_int(request, "maxResults", None, minimum=1),
            "start_offset": qp.get("startOffset") or None,
            "end_offset": qp.get("endOffset") or None,
            "include_trailing_delimiter": query_bool(request, "includeTrailingDelimiter"),
            "match_glob": qp.get("matchGlob") or None,
        }
        versions, soft_deleted = query_bool(request, "versions"), query_bool(request, "softDeleted")
        if not versions and not soft_deleted and qp.get("projection") != "full":
            base = base_url(request)

            def live_page() -> bytes:
                return objects_page(*self.store.list_live(bucket, **options), base)

            page = await run_in_threadpool(live_page)
            if qp.get("fields"):
                return _json(request, json.loads(page))
            return Response(page, media_type="application/json")
        items, prefixes, token = await run_in_threadpool(
            self.store.list_objects, bucket, **options, versions=versions, soft_deleted=soft_deleted
        )
        body: dict[str, Any] = {"kind": "storage#objects"}
        if items:
            body["items"] = [self.object_json(request, d) for d in items]
        if prefixes:
            body["prefixes"] = prefixes
        if token:
            body["nextPageToken"] = token
        return _json(request, body)

    async def get_object(self, request: Request, bucket: str, object: str) -> Response:
        if request.query_params.get("alt") == "media":
            return await self.download(request, bucket, object)
        if request.query_params.get("alt") not in (None, "", "json"):
            raise bad_request(f"Unsupported alt={request.query_params['alt']!r}; use json or media", location="alt")
        doc = await run_in_threadpool(
            self.store.get_object,
            bucket,
            object,
            generation=request.query_params.get("generation"),
            preconditions=_preconditions(request),
            soft_deleted=query_bool(request, "softDeleted"),
        )
        return _json(request, self.object_json(request, doc))

    async def download(self, request: Request, bucket: str, object: str) -> Response:
        doc, path = await run_in_threadpool(
            self.store.open_object,
            bucket,
            object,
            generation=request.query_params.get("generation"),
            preconditions=_preconditions(request),
            soft_deleted=query_bool(request, "softDeleted"),
        )
        size = int(doc["size"])
        headers = {
            "Content-Type": _header_value(doc.get("contentType")) or "application/octet-stream",
            "Accept-Ranges": "bytes",
            "ETag": doc["etag"],
            "x-goog-generation": doc["generation"],
            "x-goog-metageneration": doc["metageneration"],
            "x-goog-stored-content-length": doc["size"],
            "x-goog-stored-content-encoding": _header_value(doc.get("contentEncoding")) or "identity",
            "x-goog-storage-class": _header_value(doc.get("storageClass")) or "STANDARD",
        }
        for key, header in (
            ("contentDisposition", "Content-Disposition"),
            ("cacheControl", "Cache-Control"),
            ("contentLanguage", "Content-Language"),
        ):
            value = _header_value(doc.get(key))
            if value:
                headers[header] = value
        for key, value in (doc.get("metadata") or {}).items():
            header_value = _header_value(value)
            if header_value is not None and _HEADER_TOKEN.fullmatch(key):
                headers[f"x-goog-meta-{key}"] = header_value
        if doc.get("contentEncoding") == "gzip":
            if _transcodes(request, doc) and await run_in_threadpool(_read_range, path, 0, 2) == b"\x1f\x8b":
                return _decompressed(request, path, headers)
            headers["Content-Encoding"] = "gzip"
        rng = parse_range(request.headers.get("range"), size)
        if rng is None:
            headers["x-goog-hash"] = f"crc32c={doc['crc32c']},md5={doc['md5Hash']}"
            start, end, status = 0, size - 1, 200
        else:
            start, end = rng
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        length = end - start + 1 if size else 0
        headers["Content-Length"] = str(length)
        if request.method == "HEAD":
            return Response(status_code=status, headers=headers)
        if length <= _SMALL_READ:
            data = await run_in_threadpool(_read_range, path, start, length)
            return Response(data, status_code=status, headers=headers)
        return StreamingResponse(iter_file(path, start, end), status_code=status, headers=headers)

    async def patch_object(self, request: Request, bucket: str, object: str) -> Response:
        body = await read_json(request, limit=self.max_request_bytes)
        if request.query_params.get("predefinedAcl"):
            project = await run_in_threadpool(self._bucket_project, bucket)
            body["acl"] = predefined_acl(request.query_params["predefinedAcl"], project)
        doc = await run_in_threadpool(
            self.store.update_object,
            bucket,
            object,
            body,
            replace=request.method == "PUT",
            preconditions=_preconditions(request),
        )
        return _json(request, self.object_json(request, doc))

    async def delete_object(self, request: Request, bucket: str, object: str) -> Response:
        await run_in_threadpool(
            self.store.delete_object,
            bucket,
            object,
            generation=request.query_params.get("generation"),
            preconditions=_preconditions(request),
        )
        return Response(status_code=204)

    async def restore_object(self, request: Request, bucket: str, object: str) -> Response:
        generation = request.query_params.get("generation")
        if not generation:
            raise required("generation")
        doc = await run_in_threadpool(
            self.store.restore_object, bucket, object, generation, preconditions=_preconditions(request)
        )
        return _json(request, self.object_json(request, doc))

    async def copy_object(self, request: Request, bucket: str, object: str, dbucket: str, dobject: str) -> Response:
        metadata = await read_json(request, allow_empty=True, limit=self.max_request_bytes)
        doc = await self._copy(request, bucket, object, dbucket, dobject, metadata)
        return _json(request, self.object_json(request, doc))

    async def rewrite_object(self, request: Request, bucket: str, object: str, dbucket: str, dobject: str) -> Response:
        metadata = await read_json(request, allow_empty=True, limit=self.max_request_bytes)
        doc = await self._copy(request, bucket, object, dbucket, dobject, metadata)
        return _json(
            request,
            {
                "kind": "storage#rewriteResponse",
                "totalBytesRewritten": doc["size"],
                "objectSize": doc["size"],
                "done": True,
                "resource": self.object_json(request, doc),
            },
        )

    async def _copy(
        self, request: Request, bucket: str, object: str, dbucket: str, dobject: str, metadata: dict[str, Any]
    ) -> dict[str, Any]:
        validate_bucket_name(dbucket)
        validate_object_name(dobject)
        src_pre = _source_preconditions(request)
        if src_pre:
            await run_in_threadpool(self.store.get_object, bucket, object, preconditions=src_pre)
        return await run_in_threadpool(
            self.store.copy_object,
            bucket,
            object,
            dbucket,
            dobject,
            metadata=metadata,
            source_generation=request.query_params.get("sourceGeneration"),
            preconditions=_preconditions(request),
        )

    async def move_object(self, request: Request, bucket: str, object: str, dobject: str) -> Response:
        validate_object_name(dobject)
        doc = await run_in_threadpool(
            self.store.move_object,
            bucket,
            object,
            dobject,
            source_preconditions=_source_preconditions(request),
            preconditions=_preconditions(request),
        )
        return _json(request, self.object_json(request, doc))

    async def compose_object(self, request: Request, bucket: str, object: str) -> Response:
        body = await read_json(request, limit=self.max_request_bytes)
        sources = body.get("sourceObjects")
        if not isinstance(sources, list) or not sources:
            raise required("sourceObjects")
        names = []
        for src in sources:
            if not isinstance(src, dict) or not src.get("name"):
                raise required("sourceObjects.name")
            if not isinstance(src["name"], str):
                raise bad_request("sourceObjects.name must be a string", location="sourceObjects.name")
            names.append(src["name"])
        destination = body.get("destination") or {}
        if not isinstance(destination, dict):
            raise bad_request("destination must be a JSON object", location="destination")
        doc = await run_in_threadpool(
            self.store.compose,
            bucket,
            object,
            names,
            metadata=destination,
            preconditions=_preconditions(request),
        )
        return _json(request, self.object_json(request, doc))

    # ---------------------------------------------------------------- uploads

    async def upload(self, request: Request, bucket: str) -> Response:
        upload_type = request.query_params.get("uploadType")
        if upload_type == "resumable":
            if request.query_params.get("upload_id"):
                raise ApiError(405, "Send the bytes of a resumable upload with PUT", headers={"Allow": "PUT, DELETE"})
            return await self._start_resumable(request, bucket)
        if upload_type == "multipart":
            return await self._multipart(request, bucket)
        if upload_type == "media":
            name = request.query_params.get("name")
            if not name:
                raise required("name")
            meta = {"name": name, "contentType": request.headers.get("content-type")}
            if request.query_params.get("contentEncoding"):
                meta["contentEncoding"] = request.query_params["contentEncoding"]
            return await self._store_stream(request, bucket, meta, stream_body(request, self.uploads.max_bytes))
        if not upload_type:
            raise required("uploadType")
        raise bad_request(
            f"Unsupported uploadType {upload_type!r}; use media, multipart or resumable", location="uploadType"
        )

    async def upload_without_upload_path(self, request: Request, bucket: str) -> Response:
        raise bad_request(
            "Upload requests must include an uploadType URL parameter and a URL path beginning with /upload/ "
            f"(send it to /upload/storage/v1/b/{bucket}/o)",
            location="uploadType",
        )

    async def _store_stream(self, request: Request, bucket: str, meta: dict[str, Any], chunks: Any) -> Response:
        name = meta.get("name") or request.query_params.get("name")
        if not name:
            raise required("name")
        if not isinstance(name, str):
            raise bad_request("The object name must be a string", location="name")
        validate_bucket_name(bucket)
        validate_object_name(name)
        if request.query_params.get("predefinedAcl"):
            project = await run_in_threadpool(self._bucket_project, bucket)
            meta["acl"] = predefined_acl(request.query_params["predefinedAcl"], project)
        validate_object_fields(meta)
        writer = self.store.new_writer()
        try:
            async for chunk in chunks:
                writer.write(chunk)
        except BaseException:
            writer.discard()
            raise
        return await self._commit(request, bucket, name, writer, meta, _preconditions(request))

    async def _commit(
        self,
        request: Request,
        bucket: str,
        name: str,
        writer: HashingWriter,
        meta: dict[str, Any],
        preconditions: dict[str, Any],
        hash_header: str | None = None,
    ) -> Response:
        expected = _hash_header(hash_header)
        doc = await run_in_threadpool(
            self.store.commit,
            bucket,
            name,
            writer,
            metadata=meta,
            expected_md5=meta.get("md5Hash") or expected.get("md5"),
            expected_crc32c=meta.get("crc32c") or expected.get("crc32c"),
            preconditions=preconditions,
        )
        return _json(request, self.object_json(request, doc))

    async def _multipart(self, request: Request, bucket: str) -> Response:
        body = await read_body(request, self.uploads.max_bytes)
        parts = parse_multipart_related(body, request.headers.get("content-type", ""))
        if len(parts) != 2:
            raise bad_request(f"A multipart upload has 2 parts (metadata, media); got {len(parts)}")
        (meta_headers, meta_raw), (media_headers, media) = parts
        meta = parse_json(meta_raw, what="metadata part") if meta_raw.strip() else {}
        if not isinstance(meta, dict):
            raise bad_request("The metadata part must be a JSON object", "parseError")
        if not meta.get("contentType") and media_headers.get("content-type"):
            meta["contentType"] = media_headers["content-type"]

        async def one_chunk() -> Any:
            yield media

        return await self._store_stream(request, bucket, meta, one_chunk())

    async def _start_resumable(self, request: Request, bucket: str) -> Response:
        meta = await read_json(request, allow_empty=True, limit=self.max_request_bytes)
        name = meta.get("name") or request.query_params.get("name")
        if not name:
            raise required("name")
        if not isinstance(name, str):
            raise bad_request("The object name must be a string", location="name")
        await run_in_threadpool(self.store.get_bucket, bucket)
        validate_object_name(name)
        meta["name"] = name
        validate_object_fields(meta)
        if not meta.get("contentType") and request.headers.get("x-upload-content-type"):
            meta["contentType"] = request.headers["x-upload-content-type"]
        total = request.headers.get("x-upload-content-length")
        try:
            total_bytes = int(total) if total not in (None, "") else None
        except ValueError:
            raise bad_request(f"Invalid X-Upload-Content-Length {total!r}") from None
        session = self.uploads.create(
            "storage", {"bucket": bucket, "metadata": meta, "preconditions": _preconditions(request)}, total_bytes
        )
        location = f"{base_url(request)}/upload/storage/v1/b/{_q(bucket)}/o?uploadType=resumable&upload_id={session.id}"
        return Response(status_code=200, headers={"Location": location, "X-GUploader-UploadID": session.id})

    async def resumable_put(self, request: Request, bucket: str) -> Response:
        session = self.uploads.get(request.query_params.get("upload_id"), "storage")
        if session.info["bucket"] != bucket:
            raise ApiError(404, f"Upload session {session.id} is for another bucket", "notFound")
        done = await self.uploads.receive(session, _closed_range(request))
        if not done:
            return self.uploads.incomplete_response(session)
        writer = await run_in_threadpool(self.store.adopt_file, session.data_path)
        meta = session.info["metadata"]
        try:
            return await self._commit(
                request,
                bucket,
                meta["name"],
                writer,
                meta,
                session.info["preconditions"],
                hash_header=request.headers.get("x-goog-hash"),
            )
        finally:
            self.uploads.discard(session)

    async def resumable_cancel(self, request: Request, bucket: str) -> Response:
        session = self.uploads.get(request.query_params.get("upload_id"), "storage")
        self.uploads.discard(session)
        return Response(status_code=499)


_OPEN_RANGE_RE = re.compile(r"^bytes\s+(\d+)-\*/(\d+|\*)$", re.IGNORECASE)


def _closed_range(request: Request) -> Request:
    """The request with `Content-Range: bytes A-*/TOTAL` written in a documented form.

    Google's Node.js client sends that open-ended range when it streams the rest of an object in
    one request (`bytes 0-*/*` when it does not know the size): the body is everything from byte
    A to the end, so the upload ends with it. That is `bytes A-(TOTAL-1)/TOTAL`; with an unknown
    total, the body's `Content-Length` gives it. A chunked body of unknown total goes on as sent:
    the upload ends, and its size is known, when the body ends.
    """
    value = request.headers.get("content-range")
    match = _OPEN_RANGE_RE.match(value.strip()) if value else None
    if match is None:
        return request
    first, total = int(match.group(1)), match.group(2)
    length = request.headers.get("content-length")
    if total == "*":
        if length is None or not length.isdigit():
            return request
        total = str(first + int(length))
    size = int(total)
    if first > size:
        raise bad_request(f"Content-Range {value!r} starts past the object's total size", location="Content-Range")
    closed = f"bytes {first}-{size - 1}/{size}" if first < size else f"bytes */{size}"
    headers = [(k, v) for k, v in request.scope["headers"] if k.lower() != b"content-range"]
    headers.append((b"content-range", closed.encode("latin-1")))
    return Request({**request.scope, "headers": headers}, request.receive)


def _header_value(value: Any) -> str | None:
    """A stored metadata value as a header value, or None when it cannot be one (metadata stored
    before it was validated must not make the object undownloadable)."""
    if not isinstance(value, str) or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    try:
        # Starlette writes header values as latin-1: this sends the UTF-8 bytes unchanged.
        return value.encode("utf-8").decode("latin-1")
    except UnicodeEncodeError:
        return None


def _json(request: Request, body: Any) -> Response:
    """A JSON answer, cut down to the members named by `fields` when the request has one."""
    spec = request.query_params.get("fields")
    if spec:
        body = apply_fields(body, parse_fields(spec))
    return JSONResponse(body)


def _transcodes(request: Request, doc: dict[str, Any]) -> bool:
    """Whether a gzip-encoded object is served decompressed: the request does not accept gzip
    and the object's Cache-Control does not say no-transform (Cloud Storage's transcoding rules)."""
    accepted = {part.split(";")[0].strip().lower() for part in request.headers.get("accept-encoding", "").split(",")}
    if "gzip" in accepted or "*" in accepted:
        return False
    return "no-transform" not in str(doc.get("cacheControl") or "").lower()


def _decompressed(request: Request, path: Any, headers: dict[str, str]) -> Response:
    """The whole object, gunzipped as it streams: no Content-Length, Content-Encoding or hashes
    (they describe the stored bytes), and any Range ignored, as Cloud Storage does."""
    headers.pop("Accept-Ranges", None)
    if request.method == "HEAD":
        return Response(status_code=200, headers=headers)

    def gunzip() -> Iterator[bytes]:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        with open(path, "rb") as f:
            while chunk := f.read(1024 * 1024):
                while chunk:
                    try:
                        out = inflater.decompress(chunk)
                    except zlib.error:
                        return  # corrupt gzip: the headers are sent, so the body just ends
                    if out:
                        yield out
                    # A file of several gzip members: start the next one on what is left.
                    chunk = inflater.unused_data if inflater.eof else b""
                    if inflater.eof:
                        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        tail = inflater.flush()
        if tail:
            yield tail

    return StreamingResponse(gunzip(), status_code=200, headers=headers)


def _read_range(path: Any, start: int, length: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(start)
        return f.read(length)


def _hash_header(value: str | None) -> dict[str, str]:
    """`x-goog-hash: crc32c=...,md5=...` -> {"crc32c": ..., "md5": ...}."""
    out: dict[str, str] = {}
    for item in (value or "").split(","):
        if "=" in item:
            k, v = item.strip().split("=", 1)
            out[k.strip().lower()] = v.strip()
    return out


def _encode_name_token(name: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": name}).encode()).decode()


def _decode_name_token(token: str) -> str:
    try:
        after = json.loads(base64.urlsafe_b64decode(token.encode()))["after"]
    except (ValueError, KeyError, TypeError, RecursionError):
        after = None
    if not isinstance(after, str):
        raise bad_request(f"Invalid page token {token[:100]!r}", location="pageToken")
    return after


def routes(state: StorageApi) -> list[BaseRoute]:
    api = StorageHandlers(state.store, state.uploads, state.config.max_request_bytes)

    json_api = SegmentRouter("/storage/v1")
    json_api.add("b", "GET", api.list_buckets)
    json_api.add("b", "POST", api.insert_bucket)
    json_api.route("b/{bucket}", "GET")(api.get_bucket)
    json_api.route("b/{bucket}", "PATCH", "PUT")(api.patch_bucket)
    json_api.route("b/{bucket}", "DELETE")(api.delete_bucket)
    json_api.route("b/{bucket}/lockRetentionPolicy", "POST")(api.lock_retention)
    json_api.route("projects/{project}/serviceAccount", "GET")(api.service_account)
    json_api.route("b/{bucket}/iam", "GET")(api.get_iam)
    json_api.route("b/{bucket}/iam", "PUT")(api.set_iam)
    json_api.route("b/{bucket}/iam/testPermissions", "GET")(api.test_iam)
    json_api.route("b/{bucket}/o", "GET")(api.list_objects)
    json_api.route("b/{bucket}/o", "POST")(api.upload_without_upload_path)
    add_acl_routes(json_api, state.store)
    add_hmac_routes(json_api, state.store)
    for pattern in ("b/{bucket}/o/{object}", "b/{bucket}/o/{object+}"):
        json_api.route(pattern, "GET")(api.get_object)
        json_api.route(pattern, "PATCH", "PUT")(api.patch_object)
        json_api.route(pattern, "DELETE")(api.delete_object)
    json_api.route("b/{bucket}/o/{object}/copyTo/b/{dbucket}/o/{dobject}", "POST")(api.copy_object)
    json_api.route("b/{bucket}/o/{object}/rewriteTo/b/{dbucket}/o/{dobject}", "POST")(api.rewrite_object)
    json_api.route("b/{bucket}/o/{object}/compose", "POST")(api.compose_object)
    json_api.route("b/{bucket}/o/{object}/moveTo/o/{dobject}", "POST")(api.move_object)
    json_api.route("b/{bucket}/o/{object}/restore", "POST")(api.restore_object)

    upload_api = SegmentRouter("/upload/storage/v1")
    upload_api.route("b/{bucket}/o", "POST")(api.upload)
    upload_api.route("b/{bucket}/o", "PUT")(api.resumable_put)
    upload_api.route("b/{bucket}/o", "DELETE")(api.resumable_cancel)

    download_api = SegmentRouter("/download/storage/v1")
    for pattern in ("b/{bucket}/o/{object}", "b/{bucket}/o/{object+}"):
        download_api.route(pattern, "GET")(api.download)

    batch = BatchHandler(json_api, state.config.max_request_bytes)
    path_style = PathStyleHandler(api, state.signing_keys)

    async def register_signing_key(request: Request) -> Response:
        body = await read_json(request, limit=64 * 1024)
        return _json(
            request,
            await run_in_threadpool(state.signing_keys.register, body.get("clientEmail"), body.get("publicKeyPem")),
        )

    async def unprefixed(request: Request) -> Response:
        # Older Node.js clients use STORAGE_EMULATOR_HOST itself as the JSON API base URL, so their
        # calls arrive as /b/... with no /storage/v1 ("b" cannot be a bucket name: no clash).
        scope = {**request.scope, "path": "/storage/v1" + request.scope["path"]}
        if scope.get("raw_path"):
            scope["raw_path"] = b"/storage/v1" + scope["raw_path"]
        return await json_api.dispatch(Request(scope, request.receive))

    async def list_signing_keys(request: Request) -> Response:
        return _json(request, {"clientEmails": state.signing_keys.accounts()})

    return [
        *json_api.starlette_routes(),
        *upload_api.starlette_routes(),
        *download_api.starlette_routes(),
        Route("/batch/storage/v1", batch.handle, methods=["POST"]),
        Route("/b", unprefixed, methods=ALL_METHODS),
        Route("/b/{rest:path}", unprefixed, methods=ALL_METHODS),
        Route("/emulator/v1/signing-keys", register_signing_key, methods=["POST"]),
        Route("/emulator/v1/signing-keys", list_signing_keys, methods=["GET"]),
        Route(PATH_STYLE, path_style.handle, methods=ALL_METHODS),
    ]
