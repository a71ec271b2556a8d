"""Routing on raw, %-encoded path segments.

Cloud Storage object names may contain `/`, which clients send as `%2F`; matching on the
decoded path would split such a name into several segments. A `SegmentRouter` matches the
segments as sent, decoding each one on its own, so `o/dir%2Fa.txt` is one `{object}`.
A trailing `{name+}` takes all remaining segments (for clients that send names unencoded).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .errors import ApiError, bad_request
from .http import raw_segments

Handler = Callable[..., Awaitable[Response]]

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class SegmentRouter:
    """Patterns like `b/{bucket}/o/{object}` under a fixed prefix, each with handlers per method."""

    def __init__(self, prefix: str):
        self.prefix = prefix.rstrip("/")
        self._patterns: list[tuple[list[str], dict[str, Handler]]] = []

    def add(self, pattern: str, method: str, handler: Handler) -> None:
        parts = [p for p in pattern.strip("/").split("/") if p] if pattern.strip("/") else []
        for existing, methods in self._patterns:
            if existing == parts:
                methods[method] = handler
                return
        self._patterns.append((parts, {method: handler}))

    def route(self, pattern: str, *methods: str) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            for m in methods:
                self.add(pattern, m, handler)
            return handler

        return decorate

    def _match(self, parts: list[str], segments: list[str]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        greedy = bool(parts) and parts[-1].endswith("+}")
        fixed = parts[:-1] if greedy else parts
        if greedy:
            if len(segments) <= len(fixed):
                return None
        elif len(segments) != len(parts):
            return None
        for part, seg in zip(fixed, segments, strict=False):
            if part.startswith("{") and part.endswith("}"):
                if seg == "":
                    return None
                params[part[1:-1]] = seg
            elif part != seg:
                return None
        if greedy:
            params[parts[-1][1:-2]] = "/".join(segments[len(fixed) :])
        return params

    async def dispatch(self, request: Request) -> Response:
        try:
            segments = raw_segments(request, self.prefix)
        except UnicodeDecodeError:
            raise bad_request("The request path is not valid UTF-8 after %-decoding") from None
        allowed: set[str] = set()
        # Exact patterns first, so `.../o/{object}/copyTo/...` wins over a greedy `{object+}`.
        ordered = sorted(self._patterns, key=lambda p: bool(p[0]) and p[0][-1].endswith("+}"))
        for parts, methods in ordered:
            params = self._match(parts, segments)
            if params is None:
                continue
            method = "GET" if request.method == "HEAD" and "HEAD" not in methods else request.method
            handler = methods.get(method)
            if handler is None:
                allowed.update(methods)
                continue
            return await handler(request, **params)
        if allowed:
            allow = ", ".join(sorted(allowed))
            raise ApiError(
                405, f"Method {request.method} is not allowed here; allowed: {allow}", headers={"Allow": allow}
            )
        raise ApiError(404, f"Not Found: no such API method {request.method} {request.url.path}", "notFound")

    def starlette_routes(self) -> list[BaseRoute]:
        return [
            Route(self.prefix, self.dispatch, methods=ALL_METHODS),
            Route(self.prefix + "/{rest:path}", self.dispatch, methods=ALL_METHODS),
        ]
