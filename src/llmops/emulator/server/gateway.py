"""A hint, instead of a bare 405, for Vertex AI calls that reach the emulator on a wrong path.

google-genai given a base URL but no explicit project and location goes into its API-gateway
mode and posts every call to the bare base URL; a client given a base path (`.../v1`) builds
paths no API serves. Both are answered 404 naming the set-up that works.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import ApiError, error_response

_VERTEX_ROOT = re.compile(r"^/(?:v1|v1beta1)/")  # the Vertex API answers its own unknown paths
_VERTEX_METHOD = re.compile(r":(?:generateContent|streamGenerateContent|predict|rawPredict|countTokens|embedContent)$")


class Gateway:
    """ASGI middleware: answer lost Vertex calls with the `base_url` that works."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope.get("path", "")
            root_post = path == "/" and scope["method"] == "POST"
            if root_post or (_VERTEX_METHOD.search(path) and not _VERTEX_ROOT.match(path)):
                host = _header(scope, b"host") or "127.0.0.1:9050"
                what = "a POST to the root (google-genai without project and location)" if root_post else path
                message = (
                    f"no Vertex AI route at {what}: use genai.Client(vertexai=True, project=..., location=..., "
                    f"http_options=HttpOptions(base_url='http://{host}')) or "
                    f"vertexai.init(api_endpoint='http://{host}', api_transport='rest')"
                )
                await error_response(ApiError(404, message))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None
