"""Cloud Storage's JSON batch endpoint: `POST /batch/storage/v1` with a `multipart/mixed` body.

Each part is one JSON API call written as an HTTP request (`application/http`); the answer is a
`multipart/mixed` body of HTTP responses in the same order, each with the part's `Content-ID`
as `<response-ID>`. Calls run one after another through the `/storage/v1` router, so a batch
does exactly what its calls would do one by one; a failing call fails only its own part.
At most 100 calls per batch (Cloud Storage's limit); uploads and downloads cannot be batched.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from ..server.errors import ApiError, bad_request, error_response, from_exception
from ..server.http import parse_multipart_related, read_body
from ..server.routing import SegmentRouter

MAX_CALLS = 100
"""Cloud Storage refuses batches of more than 100 calls."""

_JSON_PREFIX = "/storage/v1/"


class BatchHandler:
    """Runs the calls of a batch request through the JSON API's router."""

    def __init__(self, router: SegmentRouter, max_request_bytes: int):
        self.router = router
        self.max_request_bytes = max_request_bytes

    async def handle(self, request: Request) -> Response:
        body = await read_body(request, self.max_request_bytes)
        ctype = request.headers.get("content-type", "")
        if not ctype.lower().startswith("multipart/mixed"):
            raise bad_request(f"A batch request is multipart/mixed; got Content-Type {ctype[:100]!r}")
        parts = parse_multipart_related(body, ctype)
        if not parts:
            raise bad_request("The batch request has no calls")
        if len(parts) > MAX_CALLS:
            raise bad_request(f"A batch request holds at most {MAX_CALLS} calls; got {len(parts)}")
        calls = [_parse_call(headers, payload, n) for n, (headers, payload) in enumerate(parts, 1)]
        boundary = f"batch_{uuid.uuid4().hex}"
        out: list[bytes] = []
        for content_id, call in calls:
            response = call if isinstance(call, Response) else await self._run(request, call)
            out.append(_response_part(boundary, content_id, response))
        out.append(f"--{boundary}--\r\n".encode())
        return Response(b"".join(out), media_type=f"multipart/mixed; boundary={boundary}")

    async def _run(self, outer: Request, call: dict[str, Any]) -> Response:
        scope = {
            **{k: v for k, v in outer.scope.items() if k in ("type", "http_version", "scheme", "server", "client")},
            "app": outer.scope.get("app"),
            "method": call["method"],
            "path": call["path"],
            "raw_path": call["raw_path"],
            "root_path": "",
            "query_string": call["query"],
            "headers": call["headers"],
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": call["body"], "more_body": False}

        try:
            response = await self.router.dispatch(Request(scope, receive))
        except Exception as exc:  # each call answers its own error, as Cloud Storage does
            return error_response(from_exception(exc))
        if not hasattr(response, "body"):
            return error_response(bad_request("Downloads cannot be batched; send them on their own"))
        return response


def _parse_call(headers: dict[str, str], payload: bytes, n: int) -> tuple[str, dict[str, Any] | Response]:
    """(Content-ID, the call) of one part, or (Content-ID, an error response) when it is malformed."""
    content_id = headers.get("content-id", "").strip().strip("<>") or str(n)
    try:
        return content_id, _parse_http_request(payload)
    except ApiError as err:
        return content_id, error_response(err)


def _parse_http_request(payload: bytes) -> dict[str, Any]:
    text = payload.replace(b"\r\n", b"\n")
    head, _, body = text.partition(b"\n\n")
    lines = head.split(b"\n")
    try:
        request_line = lines[0].decode("ascii").strip()
    except UnicodeDecodeError:
        raise bad_request("A batch call's request line is not ASCII") from None
    fields = request_line.split(" ")
    if len(fields) != 3 or not fields[2].startswith("HTTP/"):
        raise bad_request(f"A batch call must start with 'METHOD URL HTTP/1.1'; got {request_line[:100]!r}")
    method, target = fields[0].upper(), fields[1]
    if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        raise bad_request(f"Method {method[:20]!r} cannot be batched")
    url = urlsplit(target)
    if not url.path.startswith(_JSON_PREFIX):
        raise bad_request(f"Only JSON API calls under {_JSON_PREFIX} can be batched; got {url.path[:100]!r}")
    header_list: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        if not line.strip():
            continue
        name, sep, value = line.partition(b":")
        if not sep or not name.strip():
            raise bad_request("A batch call has a malformed header line")
        key = name.strip().lower()
        if key not in (b"content-length", b"host"):
            header_list.append((key, value.strip()))
    if body.endswith(b"\n"):
        body = body.rstrip(b"\n")
    header_list.append((b"content-length", str(len(body)).encode()))
    return {
        "method": method,
        "path": unquote(url.path),
        "raw_path": url.path.encode("latin-1", "replace"),
        "query": url.query.encode("latin-1", "replace"),
        "headers": header_list,
        "body": body,
    }


def _response_part(boundary: str, content_id: str, response: Response) -> bytes:
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    body = bytes(response.body)
    lines = [
        f"--{boundary}",
        "Content-Type: application/http",
        f"Content-ID: <response-{content_id}>",
        "",
        f"HTTP/1.1 {status} {phrase}",
    ]
    for key, value in response.headers.items():
        if key.lower() not in ("content-length",):
            lines.append(f"{key}: {value}")
    lines += [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("latin-1", "replace") + body + b"\r\n"
