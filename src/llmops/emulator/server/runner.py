"""Serving the emulator app with uvicorn: in the foreground (the CLI; SIGTERM and Ctrl-C stop
it cleanly) or in a background thread (the pytest plugin)."""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from ...core.errors import ConfigError
from .api import EmulatorConfig
from .app import create_app
from .guard import is_loopback
from .loops import loop_name
from .sniff import protocol_class

__all__ = ["EmulatorServer", "is_loopback"]


class _Server(uvicorn.Server):
    """uvicorn's server, except that SIGINT/SIGTERM end `run()` normally (so the caller can
    clean up and exit 0) instead of being re-raised after the graceful shutdown."""

    stop_signal: int | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(sig: int, frame: Any) -> None:
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True  # a second Ctrl-C stops waiting for open requests
            self.stop_signal = sig
            self.should_exit = True

        originals = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in originals.items():
                signal.signal(sig, handler)


class EmulatorServer:
    """One emulator app on one socket. Port 0 picks a free port (see `port` once bound)."""

    def __init__(self, config: EmulatorConfig, *, host: str = "127.0.0.1", port: int = 9050, **uvicorn_options: Any):
        if not is_loopback(host.strip("[]")) and config.token is None:
            raise ConfigError(
                f"serving on {host} needs an access token: anyone on the network could otherwise read and "
                "write the files in the emulator's data folder and run code through pipeline jobs",
                fix="set a token (llmops emulator start --token TOKEN, or EmulatorConfig(token=...))",
            )
        if config.bind_host != host:
            config = dataclasses.replace(config, bind_host=host)
        self.config = config
        self.host = host
        # TLS, HTTP/2 and gRPC clients get a one-line hint instead of "Invalid HTTP request".
        protocol = protocol_class()
        loop = loop_name()
        self.app = create_app(config)
        family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without it, a response written in two parts waits
        # for the client's delayed ACK, about 40 ms per request.
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.socket.bind((host.strip("[]"), port))
            # Listening now, not when uvicorn's loop starts: a client that read the printed
            # endpoint waits in the backlog instead of being refused.
            self.socket.listen(2048)
        except OSError:
            self.socket.close()
            raise
        self.port: int = self.socket.getsockname()[1]
        options = {
            "log_config": None,
            "access_log": False,
            "lifespan": "on",
            "timeout_graceful_shutdown": 5,
            "http": protocol,
            "loop": loop,
            # No proxy sits in front of an emulator: a local client's X-Forwarded-* headers
            # must not rewrite the request's client and scheme (uvicorn trusts 127.0.0.1's).
            "proxy_headers": False,
            **uvicorn_options,
        }
        self.server = _Server(uvicorn.Config(self.app, **options))
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        host = f"[{self.host.strip('[]')}]" if ":" in self.host.strip("[]") else self.host
        return f"http://{host}:{self.port}"

    def run(self) -> None:
        """Serve until SIGINT/SIGTERM (uvicorn installs the handlers in the main thread)."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self, timeout: float = 30.0) -> EmulatorServer:
        """Serve from a daemon thread; return once requests are accepted."""
        self._thread = threading.Thread(target=self.run, name=f"llmops-emulator-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the emulator server thread exited during startup")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the emulator did not start within {timeout} s")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to finish its requests and exit; wait for the thread."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
