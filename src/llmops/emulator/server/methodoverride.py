"""`X-HTTP-Method-Override` on POST, as Google's APIs take it.

BigQuery's "API performance tips" page: a client whose firewall does not allow PATCH sends a POST
with `X-HTTP-Method-Override: PATCH`. The request is routed as the method the header names.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

_HEADER = b"x-http-method-override"
_METHODS = {"GET", "PUT", "PATCH", "DELETE"}


class MethodOverride:
    """ASGI middleware: a POST carrying `X-HTTP-Method-Override: M` is handled as method M."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            for key, value in scope.get("headers", []):
                if key == _HEADER:
                    method = value.decode("latin-1").strip().upper()
                    if method in _METHODS:
                        scope = {**scope, "method": method}
                    break
        await self.app(scope, receive, send)
