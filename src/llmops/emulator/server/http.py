"""Request helpers shared by every API: JSON bodies, query parameters, bounded body reads,
`multipart/related` parsing, Content-Range and Range headers, and the emulator's own base URL."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse as _StarletteJSONResponse

from .errors import ApiError, bad_request, required


class JSONResponse(_StarletteJSONResponse):
    """Compact JSON with non-ASCII escaped: Python's encoder is much faster on that path, which
    matters for pages of query results (tens of MB)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def base_url(request: Request) -> str:
    """`scheme://host[:port]` as the client addressed the emulator (links must point back here)."""
    return str(request.base_url).rstrip("/")


MAX_JSON_DEPTH = 100
"""Deepest nesting of a JSON body (Google's JSON-to-protobuf converter stops at 100 too)."""

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def parse_json(raw: bytes, *, what: str = "request body") -> Any:
    """`raw` as JSON; 400 parseError when malformed, nested deeper than MAX_JSON_DEPTH or holding
    a lone surrogate (text no encoder can write back)."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"Invalid JSON payload received in the {what}: {exc}", "parseError") from None
    except RecursionError:
        raise _too_deep(what) from None
    # Cheap tests first: a body with few brackets cannot be deep, and without a `\uD8xx` escape
    # it cannot hold a lone surrogate (raw surrogate bytes already fail UTF-8 decoding).
    deep = raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH
    if deep or _SURROGATE_ESCAPE.search(raw):
        _check_json_value(data, what)
    return data


def _too_deep(what: str) -> ApiError:
    return ApiError(
        400, f"Invalid JSON payload received in the {what}: nested deeper than {MAX_JSON_DEPTH} levels", "parseError"
    )


def _check_json_value(data: Any, what: str) -> None:
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep(what)
            for key, value in node.items():
                _check_text(key, what)
                if isinstance(value, dict | list):
                    stack.append((value, depth + 1))
                elif isinstance(value, str):
                    _check_text(value, what)
        elif isinstance(node, list):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep(what)
            for value in node:
                if isinstance(value, dict | list):
                    stack.append((value, depth + 1))
                elif isinstance(value, str):
                    _check_text(value, what)


def _check_text(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(
            400, f"Invalid JSON payload received in the {what}: a string holds a lone UTF-16 surrogate", "parseError"
        ) from None


async def read_json(request: Request, *, allow_empty: bool = False, limit: int = 100 * 1024 * 1024) -> dict[str, Any]:
    """The body as a JSON object; 400 parseError when malformed, 400 required when empty."""
    raw = await read_body(request, limit)
    if not raw.strip():
        if allow_empty:
            return {}
        raise bad_request("Required request body is missing", "required")
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise ApiError(400, "Invalid JSON payload received: the body must be a JSON object", "parseError")
    return data


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing more than `limit` bytes (413) and short bodies (400)."""
    chunks = []
    async for chunk in stream_body(request, limit):
        chunks.append(chunk)
    return b"".join(chunks)


async def stream_body(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body in chunks, refusing more than `limit` bytes and bodies cut short."""
    declared = request.headers.get("content-length")
    expected: int | None = None
    if declared is not None:
        try:
            expected = int(declared)
        except ValueError:
            raise bad_request(f"Invalid Content-Length header {declared!r}") from None
        if expected > limit:
            raise too_large(expected, limit)
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise too_large(received, limit)
            if chunk:
                yield chunk
    except ClientDisconnect:
        raise bad_request(f"The request body was cut short after {received} bytes", "badRequest") from None
    if expected is not None and received != expected:
        raise bad_request(f"The request body has {received} bytes but Content-Length says {expected}", "badRequest")


def too_large(size: int, limit: int) -> ApiError:
    return ApiError(413, f"Upload of {size} bytes exceeds the emulator's limit of {limit} bytes", "uploadTooLarge")


def query_int(request: Request, name: str, default: int | None = None, *, minimum: int = 0) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid value for {name}: {raw!r} is not an integer", location=name) from None
    if value < minimum:
        raise bad_request(f"Invalid value for {name}: {value} is below {minimum}", location=name)
    return value


def query_bool(request: Request, name: str, default: bool = False) -> bool:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise bad_request(f"Invalid value for {name}: {raw!r} is not a boolean", location=name)


def require_fields(data: dict[str, Any], *paths: str) -> None:
    """400 `required` naming the first missing dotted path (e.g. `datasetReference.datasetId`)."""
    for path in paths:
        node: Any = data
        for part in path.split("."):
            if not isinstance(node, dict) or node.get(part) in (None, ""):
                raise required(path)
            node = node[part]


_BOUNDARY_RE = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)


def parse_multipart_related(body: bytes, content_type: str) -> list[tuple[dict[str, str], bytes]]:
    """The parts of a `multipart/related` body as (lower-cased headers, payload).

    A body whose closing delimiter is missing was truncated and is refused.
    """
    if not content_type.lower().startswith("multipart/"):
        raise bad_request(f"Expected a multipart/related body, got Content-Type {content_type!r}")
    match = _BOUNDARY_RE.search(content_type)
    if not match:
        raise bad_request("The multipart Content-Type has no boundary")
    boundary = (match.group(1) or match.group(2)).encode("latin-1")
    delimiter = b"--" + boundary
    start = body.find(delimiter)
    if start < 0:
        raise bad_request("The multipart body has no part delimiter (truncated or malformed upload)")
    parts = []
    pos = start + len(delimiter)
    while True:
        if body.startswith(b"--", pos):
            break  # closing delimiter
        if body.startswith(b"\r\n", pos):
            pos += 2
        elif body.startswith(b"\n", pos):
            pos += 1
        else:
            raise bad_request("The multipart body is malformed after a delimiter")
        nxt = body.find(b"\r\n" + delimiter, pos)
        sep_len = 2
        if nxt < 0:
            nxt = body.find(b"\n" + delimiter, pos)
            sep_len = 1
        if nxt < 0:
            raise bad_request("The multipart body ends without its closing delimiter (truncated upload)", "badRequest")
        parts.append(_split_part(body[pos:nxt]))
        pos = nxt + sep_len + len(delimiter)
    return parts


def _split_part(raw: bytes) -> tuple[dict[str, str], bytes]:
    for sep in (b"\r\n\r\n", b"\n\n"):
        cut = raw.find(sep)
        if cut >= 0:
            head, payload = raw[:cut], raw[cut + len(sep) :]
            break
    else:
        if raw.startswith(b"\r\n") or raw.startswith(b"\n"):  # a part with no headers
            return {}, raw.lstrip(b"\r\n")
        raise bad_request("A multipart part has no blank line between its headers and body")
    headers = {}
    for line in head.decode("latin-1").splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return headers, payload


_CONTENT_RANGE_RE = re.compile(r"^bytes\s+(?:(\d+)-(\d+|\*)|\*)/(\d+|\*)$", re.IGNORECASE)


def parse_content_range(value: str | None) -> tuple[int | None, int | None, int | None]:
    """`bytes a-b/total` -> (a, b, total); `*` parts are None (`bytes a-*/*`: this request holds
    the rest from byte a, of a size not known before it ends); no header -> (None, None, None)."""
    if value is None:
        return None, None, None
    match = _CONTENT_RANGE_RE.match(value.strip())
    if not match:
        raise bad_request(f"Invalid Content-Range header {value!r}; expected 'bytes a-b/total'")
    first, last, total = match.groups()
    a = int(first) if first is not None else None
    b = int(last) if last not in (None, "*") else None
    t = int(total) if total not in (None, "*") else None
    if a is not None and b is not None and b < a:
        raise bad_request(f"Invalid Content-Range header {value!r}: the range ends before it starts")
    if t is not None and b is not None and b >= t:
        raise bad_request(f"Invalid Content-Range header {value!r}: the range ends past the total")
    return a, b, t


_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$", re.IGNORECASE)


def parse_range(value: str | None, size: int) -> tuple[int, int] | None:
    """A single `Range: bytes=a-b` against an object of `size` bytes -> (start, end inclusive).

    None means serve the whole object (no header, or one that cannot be parsed, as RFC 9110
    says to ignore); an unsatisfiable range raises 416.
    """
    if not value or size == 0:
        return None
    match = _RANGE_RE.match(value.strip())
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.groups()
    if first == "":
        n = int(last)
        if n == 0:
            raise ApiError(416, "The requested range cannot be satisfied", headers={"Content-Range": f"bytes */{size}"})
        return max(0, size - n), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or end < start:
        raise ApiError(416, "The requested range cannot be satisfied", headers={"Content-Range": f"bytes */{size}"})
    return start, end


def raw_segments(request: Request, prefix: str) -> list[str]:
    """Path segments after `prefix`, each %-decoded on its own, so `a%2Fb` stays one segment."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    path = path.split("?", 1)[0]
    if not path.startswith(prefix):
        return []
    rest = path[len(prefix) :].strip("/") if path[len(prefix) :] != "/" else ""
    return [unquote(s, encoding="utf-8", errors="strict") for s in rest.split("/")] if rest else []


def page_of(
    request: Request, items: list[dict[str, Any]], key: str, *, size_param: str = "pageSize", default: int = 100
) -> dict[str, Any]:
    """One page of `items` under `key`, by Google's `pageSize` (BigQuery's `maxResults`:
    `size_param`) and `pageToken` (an offset here), with `nextPageToken` when more follow; a
    token that is not an offset is a 400."""
    size = query_int(request, size_param, default, minimum=0) or default
    token = request.query_params.get("pageToken") or "0"
    if not token.isdigit():
        raise bad_request(f"Invalid pageToken {token!r}", location="pageToken")
    start = int(token)
    out: dict[str, Any] = {}
    if items[start : start + size]:
        out[key] = items[start : start + size]
    if start + size < len(items):
        out["nextPageToken"] = str(start + size)
    return out
