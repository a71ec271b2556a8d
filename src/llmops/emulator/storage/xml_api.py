"""Path-style object URLs (`storage.googleapis.com/BUCKET/OBJECT`, the XML API's shape) and the
signed URLs that use them.

`GET`/`HEAD` download (ranges, `generation`, `response-content-type`), `PUT` uploads the body as
the object, `DELETE` deletes it; `x-goog-if-generation-match` and
`x-goog-if-metageneration-match` are the preconditions (412); `?uploads`/`?uploadId=` are the
multipart uploads of `xml_mpu`. Errors are answered as the XML API
answers them: `<Error><Code>NoSuchKey</Code><Message>...</Message></Error>`.

The route is `/{bucket}/{object}`, tried after every API's longer literal prefix, and it only
serves when the first segment names an existing bucket: any other path gets the emulator's
ordinary JSON 404, so it never shadows another API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from ..server.errors import ApiError, from_exception
from ..server.http import stream_body
from .signing import SignedUrlError, SigningKeys, is_signed, verify_v4
from .xml_mpu import MultipartUploads

if TYPE_CHECKING:
    from .routes import StorageHandlers

PATH = "/{bucket}/{object:objectpath}"
"""The route's path (tried after every route with a longer literal prefix)."""

_XML_CODES = {
    400: "InvalidArgument",
    401: "AuthenticationRequired",
    403: "AccessDenied",
    404: "NoSuchKey",
    405: "MethodNotAllowed",
    409: "Conflict",
    412: "PreconditionFailed",
    413: "EntityTooLarge",
    416: "InvalidRange",
}
_XML_PRECONDITIONS = {
    "x-goog-if-generation-match": "ifGenerationMatch",
    "x-goog-if-metageneration-match": "ifMetagenerationMatch",
}


def _xml_ok(body: str) -> Response:
    return Response(body, status_code=200, media_type="application/xml")


def xml_error(err: ApiError, method: str) -> Response:
    """An error in the XML API's shape."""
    code = err.xml_code if isinstance(err, SignedUrlError) else _XML_CODES.get(err.code, "InternalError")
    if err.code == 404 and "bucket does not exist" in err.message:
        code = "NoSuchBucket"
    body = (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f"<Error><Code>{code}</Code><Message>{escape(err.message)}</Message></Error>"
    )
    return Response(
        None if method == "HEAD" else body.encode("utf-8"),
        status_code=err.code,
        media_type="application/xml; charset=UTF-8",
        headers=err.headers,
    )


class NonEmptyPath(Convertor[str]):
    """A `path` parameter of at least one character, so `/{bucket}/{object}` never matches
    `/name/` (which would make starlette redirect `/name` there instead of answering 404)."""

    regex = ".+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("objectpath", NonEmptyPath())


def _not_ours(request: Request) -> ApiError:
    """What the app would answer had this route not existed: 405 when another route serves the
    path with other methods, else 404."""
    allowed: set[str] = set()
    for route in request.app.router.routes:
        if getattr(route, "endpoint", None) is not None and getattr(route, "path", "") == PATH:
            continue
        match, _ = route.matches({**request.scope, "method": request.method})
        if match == Match.PARTIAL:
            allowed.update(getattr(route, "methods", None) or ())
    if allowed:
        allow = ", ".join(sorted(allowed))
        return ApiError(405, f"Method not allowed here; allowed: {allow}", "methodNotAllowed", headers={"Allow": allow})
    return ApiError(404, f"Not Found: no such API method {request.method} {request.url.path}", "notFound")


class PathStyleHandler:
    """`/{bucket}/{object}` requests, signed (V4) or not."""

    def __init__(self, handlers: StorageHandlers, keys: SigningKeys):
        self.handlers = handlers
        self.store = handlers.store
        self.keys = keys
        self.uploads = MultipartUploads(handlers.store)

    async def handle(self, request: Request) -> Response:
        raw = request.scope.get("raw_path") or request.url.path.encode("utf-8")
        path = raw.decode("latin-1").split("?", 1)[0]
        bucket_raw, _, object_raw = path[1:].partition("/")
        try:
            bucket = unquote(bucket_raw, errors="strict")
            name = unquote(object_raw, errors="strict")
        except UnicodeDecodeError:
            bucket, name = "", ""
        if not name or not await run_in_threadpool(self.store.bucket_exists, bucket):
            raise _not_ours(request)
        try:
            qs = request.scope.get("query_string", b"").decode("latin-1")
            if is_signed(qs):
                headers = {k.lower(): v for k, v in request.headers.items()}
                verify_v4(self.keys, request.method, path, qs, headers)
            return await self._serve(request, bucket, name)
        except Exception as exc:
            return xml_error(from_exception(exc), request.method)

    async def _serve(self, request: Request, bucket: str, name: str) -> Response:
        method = request.method
        if method in ("GET", "HEAD"):
            response = await self.handlers.download(request, bucket, name)
            qp = request.query_params
            for param, header in (
                ("response-content-type", "content-type"),
                ("response-content-disposition", "content-disposition"),
            ):
                value = qp.get(param)
                if value and value.isprintable():
                    response.headers[header] = value
            return response
        qp = request.query_params
        if method == "POST" and "uploads" in qp:
            headers = {k.lower(): v for k, v in request.headers.items()}
            return _xml_ok(await run_in_threadpool(self.uploads.initiate, bucket, name, headers))
        if "uploadId" in qp and method in ("PUT", "POST", "DELETE"):
            return await self._multipart(request, bucket, name, qp["uploadId"])
        preconditions = {v: request.headers[k] for k, v in _XML_PRECONDITIONS.items() if request.headers.get(k)}
        if method == "PUT":
            return await self._put(request, bucket, name, preconditions)
        if method == "DELETE":
            await run_in_threadpool(self.store.delete_object, bucket, name, preconditions=preconditions)
            return Response(status_code=204)
        raise ApiError(
            405, f"Method {method} is not served on object URLs", headers={"Allow": "GET, HEAD, PUT, DELETE"}
        )

    async def _multipart(self, request: Request, bucket: str, name: str, upload_id: str) -> Response:
        if request.method == "DELETE":
            await run_in_threadpool(self.uploads.abort, bucket, name, upload_id)
            return Response(status_code=204)
        body = bytearray()
        async for chunk in stream_body(request, self.handlers.uploads.max_bytes):
            body += chunk
        if request.method == "PUT":
            part = request.query_params.get("partNumber")
            headers = await run_in_threadpool(self.uploads.put_part, bucket, name, upload_id, part, bytes(body))
            return Response(status_code=200, headers=headers)
        return _xml_ok(await run_in_threadpool(self.uploads.complete, bucket, name, upload_id, bytes(body)))

    async def _put(self, request: Request, bucket: str, name: str, preconditions: dict[str, str]) -> Response:
        from .store import validate_object_fields, validate_object_name

        validate_object_name(name)
        meta: dict[str, Any] = {"contentType": request.headers.get("content-type") or "application/octet-stream"}
        custom = {k[len("x-goog-meta-") :]: v for k, v in request.headers.items() if k.startswith("x-goog-meta-")}
        if custom:
            meta["metadata"] = custom
        validate_object_fields(meta)
        writer = self.store.new_writer()
        try:
            async for chunk in stream_body(request, self.handlers.uploads.max_bytes):
                writer.write(chunk)
        except BaseException:
            writer.discard()
            raise
        doc = await run_in_threadpool(
            self.store.commit, bucket, name, writer, metadata=meta, preconditions=preconditions
        )
        return Response(
            status_code=200,
            headers={
                "ETag": f'"{doc["md5Hash"]}"',
                "x-goog-generation": doc["generation"],
                "x-goog-metageneration": doc["metageneration"],
                "x-goog-hash": f"crc32c={doc['crc32c']},md5={doc['md5Hash']}",
            },
        )
