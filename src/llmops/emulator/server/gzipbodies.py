"""Request bodies sent with `Content-Encoding: gzip` to the BigQuery API, decompressed.

Google's API client for Java compresses every request body it sends this way unless told not to
(`disableGZipContent`), and BigQuery reads them; so did goccy/bigquery-emulator's
`TestContentEncoding`. The handlers see the plain body: their size limits count its decompressed
bytes, and output is produced a piece at a time, so a small body cannot inflate all at once.
Cloud Storage's own `Content-Encoding` (an object stored compressed) is left alone.
"""

from __future__ import annotations

import zlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import bad_request

_PATHS = ("/bigquery/", "/upload/bigquery/")
_PIECE = 1 << 20


class GzipBodies:
    """ASGI middleware: a gzip-encoded request body to the BigQuery API reaches its handler decoded."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(_PATHS):
            headers = scope.get("headers", [])
            encoding = next((v for k, v in headers if k == b"content-encoding"), b"").strip().lower()
            if encoding in (b"gzip", b"x-gzip"):
                plain = [(k, v) for k, v in headers if k not in (b"content-encoding", b"content-length")]
                scope = {**scope, "headers": plain}
                receive = _Inflating(receive)
        await self.app(scope, receive, send)


class _Inflating:
    """A `receive` that hands on the gunzipped body, at most `_PIECE` bytes a message."""

    def __init__(self, receive: Receive):
        self._receive = receive
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._last = False  # the wrapped receive sent its last body message
        self._done = False  # this one did: later calls wait for the disconnect as before
        self._empty = True  # no byte came: an empty body stays empty

    async def __call__(self) -> Message:
        if self._done:
            return await self._receive()
        while True:
            if self._inflate.unconsumed_tail:
                data = self._inflate.unconsumed_tail
            elif self._last:
                return self._end(b"")  # the last piece filled a message exactly
            else:
                message = await self._receive()
                if message["type"] != "http.request":
                    return message
                self._last = not message.get("more_body", False)
                data = message.get("body", b"")
                self._empty = self._empty and not data
            try:
                out = self._inflate.decompress(data, _PIECE)
            except zlib.error as exc:
                raise bad_request(f"The request body is not valid gzip data (Content-Encoding: gzip): {exc}") from None
            if self._inflate.unconsumed_tail or not self._last:
                if out:
                    return {"type": "http.request", "body": out, "more_body": True}
                continue
            return self._end(out)

    def _end(self, out: bytes) -> Message:
        if not self._inflate.eof and not self._empty:
            raise bad_request("The request body is not valid gzip data (Content-Encoding: gzip): it ends early")
        if self._inflate.unused_data:
            raise bad_request("The request body has bytes after its gzip data (Content-Encoding: gzip)")
        self._done = True
        return {"type": "http.request", "body": out, "more_body": False}
