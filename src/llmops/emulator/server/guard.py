"""What keeps the emulator safe to run on a developer's workstation, in front of every route.

- DNS rebinding: a `Host` header that names neither the bound address nor a loopback name is
  refused (a browser cannot forge `Host`, so a page on `evil.example` resolving to 127.0.0.1
  cannot read answers).
- Cross-site requests: an `Origin` other than the server's own, or `Sec-Fetch-Site: cross-site`
  / `same-site`, is refused unless the origin was allowed (`--allow-origin`); allowed origins
  get CORS headers and preflight answers.
- Simple-request content types (`text/plain`, form encodings) on POST are refused where the real
  API takes JSON: browsers send those cross-site without a preflight. (PUT, PATCH and DELETE are
  never sent cross-site without a preflight, so a signed-URL or path-style `PUT` of a text object
  is served.)
- An access token (`Authorization: Bearer ...`, compared in constant time) when one is set;
  it is required when serving beyond loopback.
- A per-request deadline for everything but uploads, downloads and BigQuery jobs, and response
  headers checked so a value echoed from the request cannot break the connection.

Every refusal is answered in Google's error shape.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import ipaddress
import logging
import re
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .api import EmulatorConfig
from .errors import ApiError, error_response

log = logging.getLogger("llmops.emulator")

SIMPLE_CONTENT_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})
"""Content types a browser sends cross-site without a CORS preflight."""

_RAW_BODY_PREFIXES = ("/upload/",)
"""Media uploads carry the object's own bytes and content type (a text/plain object is text/plain)."""
_SIMPLE_TYPE_ROUTES = {
    "/apis/v2beta1/pipelines/upload": "multipart/form-data",  # kfp.Client uploads a form
    "/token": "application/x-www-form-urlencoded",  # google-auth's token refresh
}
_NO_DEADLINE_PREFIXES = ("/upload/", "/download/")
_EXPOSED_HEADERS = "Location, Range, X-GUploader-UploadID, x-goog-hash, x-goog-generation, Content-Range, ETag"
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    # A downloaded HTML object opened in the browser runs in an opaque origin: it cannot call the API.
    (b"content-security-policy", b"sandbox"),
]


@functools.lru_cache(maxsize=256)
def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(value: str) -> str:
    """The host of a `Host` header value, without the port and the IPv6 brackets."""
    value = value.strip()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _refused(message: str) -> ApiError:
    return ApiError(403, message, "forbidden")


class Guard:
    """ASGI middleware applying the emulator's Host, Origin, content-type, token and deadline rules."""

    def __init__(self, app: ASGIApp, config: EmulatorConfig):
        self.app = app
        self.config = config
        self.allowed_origins = {o.rstrip("/").lower() for o in config.allowed_origins}
        self.bind_host = host_name(config.bind_host).lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed_origin = origin is not None and origin.rstrip("/").lower() in self.allowed_origins
        try:
            self._check_host(headers)
            self._check_origin(headers, origin, allowed_origin)
            if scope["method"] == "OPTIONS" and allowed_origin and "access-control-request-method" in headers:
                await self._preflight(scope, receive, send, headers, origin or "")
                return
            self._check_token(headers)
            self._check_content_type(scope, headers)
        except ApiError as err:
            await error_response(err)(scope, receive, send)
            return
        extra = list(_SECURITY_HEADERS)
        if allowed_origin:
            extra += [
                (b"access-control-allow-origin", (origin or "").encode("latin-1")),
                (b"access-control-expose-headers", _EXPOSED_HEADERS.encode()),
                (b"vary", b"Origin"),
            ]
        await self._serve(scope, receive, send, extra)

    # ------------------------------------------------------------------ checks

    def _check_host(self, headers: Headers) -> None:
        if self.config.token is not None:
            return  # the token authenticates; a rebinding page cannot know it
        value = headers.get("host")
        if value is None:
            return  # HTTP/1.0 clients; browsers always send Host
        name = host_name(value).lower()
        if not (is_loopback(name) or name == self.bind_host):
            raise _refused(
                f"Host {value[:100]!r} is not this emulator's address; the emulator answers requests "
                "addressed to 127.0.0.1, localhost or [::1] only (DNS rebinding protection)"
            )

    def _check_origin(self, headers: Headers, origin: str | None, allowed: bool) -> None:
        if allowed:
            return
        if origin is not None:
            host = headers.get("host", "")
            if origin.lower() not in (f"http://{host}".lower(), f"https://{host}".lower()):
                raise _refused(
                    f"Cross-origin request from {origin[:100]!r} refused; start the emulator with "
                    "--allow-origin ORIGIN to let that web page call it"
                )
            return
        if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            raise _refused(
                "Cross-site request refused (Sec-Fetch-Site); start the emulator with --allow-origin ORIGIN "
                "to let a web page call it"
            )

    def _check_token(self, headers: Headers) -> None:
        token = self.config.token
        if token is None:
            return
        auth = headers.get("authorization", "")
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise ApiError(
                401,
                "Request is missing required authentication credential: this emulator needs "
                "'Authorization: Bearer <token>' with the token it printed at start",
                "required",
                headers={"WWW-Authenticate": 'Bearer realm="llmops-emulator"'},
            )
        if not hmac.compare_digest(given.strip().encode("utf-8", "replace"), token.encode("utf-8")):
            raise ApiError(
                401,
                "Request had invalid authentication credentials: the bearer token is not this emulator's",
                "authError",
                headers={"WWW-Authenticate": 'Bearer realm="llmops-emulator", error="invalid_token"'},
            )

    def _check_content_type(self, scope: Scope, headers: Headers) -> None:
        if scope["method"] != "POST":  # the only state-changing method a browser sends unasked
            return
        ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if ctype not in SIMPLE_CONTENT_TYPES:
            return
        path = scope.get("path", "")
        if path.startswith(_RAW_BODY_PREFIXES) or _SIMPLE_TYPE_ROUTES.get(path) == ctype:
            return
        if scope.get("query_string") in (b"uploads", b"uploads="):
            # starting an XML multipart upload names the object's type; it writes nothing by itself
            return
        raise _refused(
            f"Content-Type {ctype} is refused on {scope['method']} here (browsers send it cross-site "
            "without asking first); send the body as application/json"
        )

    # ------------------------------------------------------------------ serving

    async def _preflight(self, scope: Scope, receive: Receive, send: Send, headers: Headers, origin: str) -> None:
        allow_headers = headers.get("access-control-request-headers", "authorization, content-type")
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-allow-methods", b"GET, HEAD, POST, PUT, PATCH, DELETE"),
                    (b"access-control-allow-headers", allow_headers.encode("latin-1")),
                    (b"access-control-max-age", b"600"),
                    (b"vary", b"Origin"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    def _deadline(self, scope: Scope) -> float | None:
        path = scope.get("path", "")
        if path.startswith(_NO_DEADLINE_PREFIXES) or b"alt=media" in scope.get("query_string", b""):
            return None
        if path.startswith(("/bigquery/v2/", "/projects/")) and ("/jobs" in path or "/queries" in path):
            return None  # queries have their own limits
        return self.config.request_deadline_s

    async def _serve(self, scope: Scope, receive: Receive, send: Send, extra: list[tuple[bytes, bytes]]) -> None:
        started = asyncio.Event()
        answered = False  # by this middleware instead of the app (deadline, unsafe header)

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if answered:
                return
            if message["type"] == "http.response.start":
                if not _headers_safe(message.get("headers", [])):
                    answered = True
                    started.set()
                    err = ApiError(400, "A value from the request cannot be sent back in a response header")
                    await error_response(err)(scope, receive, send)
                    return
                message = {**message, "headers": [*message.get("headers", []), *extra]}
                started.set()
            await send(message)

        deadline = self._deadline(scope)
        if deadline is None:
            await self.app(scope, receive, guarded_send)
            return
        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        waiter = asyncio.ensure_future(started.wait())
        try:
            await asyncio.wait({task, waiter}, timeout=deadline, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if task.done() or started.is_set():
            await task
            return
        answered = True
        task.cancel()
        task.add_done_callback(_swallow)  # work in a thread finishes on its own; its answer is dropped
        log.warning("deadline of %.0f s exceeded on %s %s", deadline, scope["method"], scope.get("path", ""))
        err = ApiError(
            504,
            f"The request did not finish within the emulator's deadline of {deadline:g} s",
            "timeout",
            status="DEADLINE_EXCEEDED",
        )
        await error_response(err)(scope, receive, send)


_UNSAFE_HEADER_BYTES = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


def _headers_safe(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    return not any(_UNSAFE_HEADER_BYTES.search(value) for _, value in headers)


def _swallow(task: asyncio.Future[None]) -> None:
    with contextlib.suppress(BaseException):
        task.exception()
