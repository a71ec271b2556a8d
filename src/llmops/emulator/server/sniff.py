"""The emulator's HTTP/1.1 protocol: uvicorn's httptools parser, refusing clients that speak the
wrong protocol.

A client left on its defaults (https, or gRPC, which is HTTP/2) sends a TLS handshake or an
HTTP/2 preface; uvicorn would log only "Invalid HTTP request received" while the client retries
for minutes. The first bytes of each connection are checked here: the emulator logs one line
saying what to change, and answers in the client's own protocol where it can carry text (an
HTTP/2 GOAWAY with the hint as debug data; a TLS alert otherwise) before closing.

httptools (llhttp, in C) parses requests: about a quarter of the CPU time of uvicorn's
pure-Python h11 parser (`benchmarks/bench_emulator.py --only http`). `LLMOPS_EMULATOR_HTTP=h11`
selects h11 instead (a baseline for benchmarks, or a way around a parser problem).
"""

from __future__ import annotations

import functools
import logging
import os
import struct
import time
from typing import Any

from ...core.errors import ConfigError

log = logging.getLogger("llmops.emulator")

HINT = "this is a plain-HTTP emulator: use api_transport='rest' and an http:// endpoint"
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
HTTP_ENV = "LLMOPS_EMULATOR_HTTP"
_TLS_HANDSHAKE = b"\x16\x03"
# TLS alert record: fatal (2) protocol_version (70), TLS 1.0 record version.
_TLS_ALERT = b"\x15\x03\x01\x00\x02\x02\x46"
_HTTP_1_1_REQUIRED = 0xD
_LOG_EVERY_S = 5.0
_last_logged: dict[str, float] = {}


def wrong_protocol(first: bytes) -> str | None:
    """What a connection's first bytes say it speaks, when that is not HTTP/1.x."""
    if first.startswith(_TLS_HANDSHAKE):
        return "a TLS handshake (https://)"
    if first.startswith(H2_PREFACE[: len(first)]) and first[:3] == b"PRI":
        return "an HTTP/2 preface (gRPC transport)"
    return None


def goaway(message: str) -> bytes:
    """An empty SETTINGS frame and a GOAWAY (HTTP_1_1_REQUIRED) carrying `message`."""
    settings = struct.pack(">I", 0)[1:] + b"\x04\x00" + struct.pack(">I", 0)
    payload = struct.pack(">II", 0, _HTTP_1_1_REQUIRED) + message.encode()
    frame = struct.pack(">I", len(payload))[1:] + b"\x07\x00" + struct.pack(">I", 0) + payload
    return settings + frame


class Sniffing:
    """Mixin for a uvicorn HTTP/1.1 protocol: refuse TLS and HTTP/2 on a connection's first bytes."""

    _sniffed = False
    transport: Any

    def data_received(self, data: bytes) -> None:
        if not self._sniffed:
            self._sniffed = True
            if kind := wrong_protocol(data):
                self._refuse(kind, data)
                return
        super().data_received(data)  # type: ignore[misc]

    def _refuse(self, kind: str, data: bytes) -> None:
        peer: Any = self.transport.get_extra_info("peername")
        now = time.monotonic()
        if now - _last_logged.get(kind, -_LOG_EVERY_S) >= _LOG_EVERY_S:
            _last_logged[kind] = now
            where = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "a client"
            log.warning("%s from %s: %s", kind, where, HINT)
        self.transport.write(_TLS_ALERT if data.startswith(_TLS_HANDSHAKE) else goaway(HINT))
        self.transport.close()


def protocol_class(name: str | None = None) -> type:
    """The sniffing protocol on the parser `name` ("httptools" or "h11"; default: the
    LLMOPS_EMULATOR_HTTP environment variable, else httptools)."""
    return _protocol_class((name or os.environ.get(HTTP_ENV) or "httptools").strip().lower())


@functools.cache
def _protocol_class(name: str) -> type:
    if name == "h11":
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return type("H11SniffingProtocol", (Sniffing, H11Protocol), {})
    if name != "httptools":
        raise ConfigError(
            f"{HTTP_ENV}={name!r} is not an HTTP parser the emulator knows",
            fix=f"set {HTTP_ENV} to httptools or h11, or unset it",
        )
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        raise ConfigError(
            "the emulator's HTTP parser (httptools) is not installed",
            fix="pip install 'llmops[emulator]' (or set LLMOPS_EMULATOR_HTTP=h11)",
        ) from None
    return type("SniffingProtocol", (Sniffing, HttpToolsProtocol), {})
