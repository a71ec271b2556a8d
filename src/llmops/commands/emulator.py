"""`llmops emulator start`: Google's REST APIs (BigQuery, Cloud Storage, ...) on one local port."""

from __future__ import annotations

import errno
import logging
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import typer

from ..core.errors import ConfigError
from .common import STATE, JsonOption, console, err_console, print_json

emulator_app = typer.Typer(
    help="The offline Google Cloud emulator: Google's REST APIs on one local port.", no_args_is_help=True
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9050


def resolve_address(host: str | None, port: int | None, environ: dict[str, str] | None = None) -> tuple[str, int]:
    """The address to bind: --host/--port, else LLMOPS_GCP_ENDPOINT's (or the older
    LLMOPS_ENDPOINT's), else 127.0.0.1:9050.

    A host that is not loopback is only ever taken from an explicit --host.
    """
    from ..emulator.server.runner import is_loopback

    env = os.environ if environ is None else environ
    var = "LLMOPS_GCP_ENDPOINT" if env.get("LLMOPS_GCP_ENDPOINT") else "LLMOPS_ENDPOINT"
    endpoint = env.get(var) or ""
    parsed = urlparse(endpoint) if "://" in endpoint else None
    if host is None:
        host = (parsed.hostname if parsed and parsed.hostname else None) or DEFAULT_HOST
        if not is_loopback(host):
            raise ConfigError(
                f"{var} names host {host!r}, which is not this machine's loopback address",
                fix=f"pass --host {host} explicitly to serve beyond this machine, or point {var} at 127.0.0.1",
            )
    if port is None:
        try:
            port = parsed.port if parsed and parsed.port else DEFAULT_PORT
        except ValueError:
            raise ConfigError(
                f"{var} {endpoint!r} has an invalid port", fix="write it as http://127.0.0.1:9050"
            ) from None
    if not 0 <= port <= 65535:
        raise ConfigError(f"port {port} is out of range", fix="pass --port between 1 and 65535 (0 picks a free one)")
    return host, port


@emulator_app.command("start")
def start_command(
    host: str | None = typer.Option(
        None, "--host", help="Address to bind (default 127.0.0.1; anything else must be given here explicitly)."
    ),
    port: int | None = typer.Option(
        None, "--port", help="Port (default 9050, or LLMOPS_GCP_ENDPOINT's; 0 picks a free one)."
    ),
    data: Path | None = typer.Option(
        None, "--data", help="Folder that keeps the emulator's state (default: a temporary folder removed at exit)."
    ),
    token: str | None = typer.Option(
        None,
        "--token",
        help="Access token clients must send as 'Authorization: Bearer TOKEN' (generated when serving beyond loopback).",
    ),
    allow_origin: list[str] = typer.Option(
        [], "--allow-origin", help="A web origin (http://localhost:3000) allowed to call the emulator; repeatable."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No request lines on the terminal (warnings still show)."),
    log_file: Path | None = typer.Option(
        None, "--log-file", help="Append one line per request to this file instead of the terminal."
    ),
    local_files: Path | None = typer.Option(
        None,
        "--local-files",
        help="Folder whose files a tuning pipeline may name by relative path (the course's ./train.jsonl).",
    ),
    json_: bool = JsonOption,
) -> None:
    """Serve Google's REST APIs (BigQuery /bigquery/v2, Cloud Storage /storage/v1, ...) until Ctrl-C or SIGTERM."""
    from ..core.extras import require_extra

    for module in ("starlette", "uvicorn"):
        require_extra(module, "emulator")
    from ..emulator.server.api import EmulatorConfig
    from ..emulator.server.loops import loop_name
    from ..emulator.server.runner import EmulatorServer, is_loopback
    from ..emulator.server.sniff import protocol_class

    # the server's own settings fail before anything is created (the --data folder)
    protocol_class()
    loop_name()
    explicit_host = host is not None
    bind_host, bind_port = resolve_address(host, port)
    origins = tuple(check_origin(o) for o in allow_origin)
    if token is not None and (len(token) < 16 or not token.isprintable() or " " in token):
        raise ConfigError(
            "--token is too short or holds spaces or control characters",
            fix="use at least 16 printable characters, e.g. the output of `python -c 'import secrets; print(secrets.token_urlsafe())'`",
        )
    generated = token is None and not is_loopback(bind_host)
    if generated:
        token = secrets.token_urlsafe(32)
    temporary = data is None
    if data is None:
        data_dir = Path(tempfile.mkdtemp(prefix="llmops-emulator-"))
    else:
        data_dir = data.expanduser().resolve()
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"cannot create the data folder {data_dir}: {exc.strerror}", fix="pass --data DIR that you can write"
            ) from None
    files_root = None
    if local_files is not None:
        files_root = local_files.expanduser().resolve()
        if not files_root.is_dir():
            raise ConfigError(f"--local-files {local_files} is not a folder", fix="pass the folder holding your files")
    try:
        _configure_logging(quiet or STATE.quiet, log_file)
        try:
            config = EmulatorConfig(
                data_dir=data_dir,
                warm_start=True,
                token=token,
                allowed_origins=origins,
                local_files_root=files_root,
            )
            server = EmulatorServer(config, host=bind_host, port=bind_port)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(
                    f"port {bind_port} on {bind_host} is already in use", fix="stop the other server or pass --port N"
                ) from None
            raise ConfigError(
                f"cannot listen on {bind_host}:{bind_port}: {exc.strerror or exc}", fix="pass another --host or --port"
            ) from None
        endpoint = server.endpoint
        grpc_endpoint = _grpc_endpoint(server)
        env = {
            "LLMOPS_PROFILE": "emulated",
            "LLMOPS_GCP_ENDPOINT": endpoint,
            "STORAGE_EMULATOR_HOST": endpoint,
            "BIGQUERY_EMULATOR_HOST": endpoint,
        }
        if json_:
            print_json(
                {
                    "endpoint": endpoint,
                    "host": bind_host,
                    "port": server.port,
                    "data": str(data_dir),
                    "temporary": temporary,
                    "env": env,
                    "grpc_endpoint": grpc_endpoint,
                    "local_files": str(files_root) if files_root else None,
                }
            )
            sys.stdout.flush()
        else:
            console.print(f"llmops emulator: Google Cloud REST APIs on [bold]{endpoint}[/]")
            if grpc_endpoint:
                console.print(f"  BigQuery Storage API (gRPC) on [bold]{grpc_endpoint}[/]")
            console.print(f"  data: {data_dir}" + ("  (temporary, removed at exit)" if temporary else ""))
            if files_root:
                console.print(f"  local files (tuning pipelines may read): {files_root}")
            console.print("  use it with:")
            for key, value in env.items():
                console.print(f"    export {key}={value}")
            console.print("  Ctrl-C to stop.")
        if explicit_host and not is_loopback(bind_host):
            err_console.print(wide_bind_warning(bind_host, data_dir), markup=False, highlight=False, soft_wrap=True)
        if generated:
            # Printed once, to stderr only (never logged, never in --json output).
            err_console.print(f"access token: {token}", markup=False, highlight=False, soft_wrap=True)
        server.run()
        if not json_:
            console.print("llmops emulator: stopped")
    finally:
        _remove_logging()
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)


def _grpc_endpoint(server: Any) -> str | None:
    """`host:port` of the BigQuery Storage API's gRPC server, when that API is served."""
    from ..emulator.bigquery_storage.api import BigQueryStorageApi

    emulator = getattr(getattr(getattr(server, "app", None), "state", None), "emulator", None)
    if emulator is None or BigQueryStorageApi not in emulator.api_classes.values():
        return None
    return emulator.api(BigQueryStorageApi).endpoint


def wide_bind_warning(host: str, data_dir: Path) -> str:
    """What serving beyond loopback exposes, for the warning printed at start."""
    return (
        f"warning: serving on {host}, beyond this machine. Requests need the access token "
        "(Authorization: Bearer TOKEN); without it, anyone who can reach this address could read and "
        f"write every file in the data folder {data_dir} and run code on this machine through pipeline jobs. "
        "Keep the token secret and prefer 127.0.0.1."
    )


def check_origin(origin: str) -> str:
    """`origin` if it is a web origin (`scheme://host[:port]`, no path), else a ConfigError."""
    parsed = urlparse(origin)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.path not in ("", "/") or parsed.query:
        raise ConfigError(
            f"--allow-origin {origin!r} is not a web origin",
            fix="give scheme, host and port only, e.g. --allow-origin http://localhost:3000",
        )
    return origin.rstrip("/")


@emulator_app.command("apis")
def apis_command(json_: bool = JsonOption) -> None:
    """List the emulated Google APIs: name, URL path prefixes, plugin and description."""
    from ..emulator.server.plugins import api_info

    info = api_info()
    if json_:
        print_json(info)
        return
    for api in info:
        prefixes = ", ".join(str(p) for p in api["prefixes"])  # type: ignore[attr-defined]
        console.print(f"[bold]{api['name']}[/]  {prefixes}  (plugin {api['plugin']})", highlight=False)
        if api["description"]:
            console.print(f"  {api['description']}", highlight=False)


def _configure_logging(quiet: bool = False, log_file: Path | None = None) -> None:
    """One line per request: to `log_file` if given, else to the terminal unless `quiet`.
    Warnings (wrong protocol, deadlines, internal errors) always reach the terminal."""
    logger = logging.getLogger("llmops.emulator")
    _remove_logging()
    formatter = logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S")
    handlers: list[logging.Handler] = []
    if log_file is not None:
        try:
            handlers.append(logging.FileHandler(log_file.expanduser(), encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(
                f"cannot write the log file {log_file}: {exc.strerror or exc}", fix="pass --log-file PATH you can write"
            ) from None
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING if quiet or log_file is not None else logging.INFO)
    handlers.append(terminal)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler._llmops_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    # With no handler taking them (--quiet), request lines are not even made.
    logger.setLevel(logging.WARNING if quiet and log_file is None else logging.INFO)
    logger.propagate = False


def _remove_logging() -> None:
    """Take the CLI's handler off again: it holds this invocation's stderr."""
    logger = logging.getLogger("llmops.emulator")
    for handler in [h for h in logger.handlers if getattr(h, "_llmops_cli", False)]:
        logger.removeHandler(handler)
        handler.close()


def add_commands(cli: typer.Typer) -> None:
    cli.add_typer(emulator_app, name="emulator")
