"""Recognise clients that speak the wrong protocol to the plain-HTTP emulator.

A client left on its defaults (https, or gRPC, which is HTTP/2) sends a TLS handshake or an
HTTP/2 preface; uvicorn would log only "Invalid HTTP request received" while the client retries
for minutes. The first bytes of each connection are checked here: the emulator logs one line
saying what to change, and answers in the client's own protocol where it can carry text (an
HTTP/2 GOAWAY with the hint as debug data; a TLS alert otherwise) before closing.
"""

from __future__ import annotations

import logging
import struct
import time
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

log = logging.getLogger("llmops.emulator")

HINT = "this is a plain-HTTP emulator: use api_transport='rest' and an http:// endpoint"
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
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


class SniffingProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP/1.1 protocol, refusing TLS and HTTP/2 on a connection's first bytes."""

    _sniffed = False

    def data_received(self, data: bytes) -> None:
        if not self._sniffed:
            self._sniffed = True
            if kind := wrong_protocol(data):
                self._refuse(kind, data)
                return
        super().data_received(data)

    def _refuse(self, kind: str, data: bytes) -> None:
        peer: Any = self.transport.get_extra_info("peername")
        now = time.monotonic()
        if now - _last_logged.get(kind, -_LOG_EVERY_S) >= _LOG_EVERY_S:
            _last_logged[kind] = now
            where = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "a client"
            log.warning("%s from %s: %s", kind, where, HINT)
        self.transport.write(_TLS_ALERT if data.startswith(_TLS_HANDSHAKE) else goaway(HINT))
        self.transport.close()
