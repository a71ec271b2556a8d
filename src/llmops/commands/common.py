"""What every command shares: the session from the global options, JSON and rich output."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from ..core.config import Settings
    from ..core.session import Session


@dataclass
class CliState:
    """Global options, set by the app callback."""

    profile: str | None = None
    workspace: str | None = None
    quiet: bool = False
    json: bool = False
    _session: Session | None = field(default=None, repr=False)
    _scratch: str | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        return self.session().settings

    def session(self, read_only: bool = False) -> Session:
        if self._session is None:
            from ..core.config import load_settings
            from ..core.session import Session

            overrides = {"workspace": self.workspace} if self.workspace else {}
            settings = load_settings(self.profile, overrides=overrides)
            if read_only and not settings.workspace.exists():
                # Nothing local to read, and a read must not create the user's workspace: an
                # empty stand-in keeps the backends' code paths (and remote listings) unchanged.
                import tempfile

                self._scratch = tempfile.mkdtemp(prefix="llmops-readonly-")
                settings = settings.model_copy(update={"workspace": Path(self._scratch)})
            self._session = Session(settings)
        return self._session

    def close(self) -> None:
        JSON_STDOUT.stop()
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._scratch is not None:
            import shutil

            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


class JsonStdout:
    """While a `--json` command runs, everything but its JSON goes to stderr: Python-level
    prints, logging handlers bound to sys.stdout, and (when stdout is fd 1) subprocesses and C
    code. `print_json` writes to the real stdout."""

    def __init__(self) -> None:
        self._saved: Any = None
        self._saved_fd: int | None = None
        self._real: Any = None

    @property
    def active(self) -> bool:
        return self._saved is not None

    def start(self) -> None:
        if self.active:
            return
        self._saved = self._real = sys.stdout
        try:
            sys.stdout.flush()
            fd = sys.stdout.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        if fd == 1:
            self._saved_fd = os.dup(1)
            os.dup2(sys.stderr.fileno(), 1)
            self._real = open(self._saved_fd, "w", encoding="utf-8", closefd=False)
        sys.stdout = sys.stderr

    def stream(self) -> Any:
        return self._real if self.active else sys.stdout

    def abandon(self) -> None:
        """The reader of stdout is gone (a broken pipe): what is left to write goes nowhere."""
        if self._saved_fd is not None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._saved_fd)
            os.close(devnull)
        self.stop()

    def stop(self) -> None:
        if not self.active:
            return
        sys.stdout = self._saved
        if self._saved_fd is not None:
            self._real.flush()
            sys.stdout.flush()
            os.dup2(self._saved_fd, 1)
            os.close(self._saved_fd)
        self._saved = self._real = self._saved_fd = None


JSON_STDOUT = JsonStdout()
STATE = CliState()


class LazyConsole:
    """A rich `Console` built on first use: rich costs tens of milliseconds to import, which
    commands that only print JSON (`llmops backends --json`) need not pay."""

    def __init__(self, **options: Any):
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            class _Console(Console):
                def on_broken_pipe(self) -> None:
                    # rich exits 1 here; the CLI's entry point ends a closed pipe with 0.
                    raise BrokenPipeError

            self._console = _Console(**self._options)
        return getattr(self._console, name)


console: Console = LazyConsole(stderr=False, highlight=False, soft_wrap=True, emoji=False)  # type: ignore[assignment]
err_console: Console = LazyConsole(stderr=True, highlight=False, emoji=False)  # type: ignore[assignment]


def session(read_only: bool = False) -> Session:
    """The session for this invocation (profile and workspace from the global options). A
    `read_only` command (list, show, logs) never creates the workspace."""
    return STATE.session(read_only)


def print_json(data: Any) -> None:
    """Machine-readable output on stdout, one JSON document."""
    out = JSON_STDOUT.stream()
    out.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
    out.flush()


def print_error(exc: BaseException) -> None:
    """`error: MESSAGE` on stderr, the message printed as written (brackets included)."""
    from rich.markup import escape

    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False, soft_wrap=True)


def show_progress() -> bool:
    """Progress only on a terminal and never with --quiet."""
    return not STATE.quiet and sys.stderr.isatty()


def parse_params(values: list[str] | None, option: str = "--param", shape: str = "name=value") -> dict[str, Any]:
    """`name=value` pairs (given as `option`) to a dict; values that parse as JSON keep their
    JSON type."""
    from ..core.errors import ConfigError

    out: dict[str, Any] = {}
    for item in values or []:
        if "=" not in item:
            raise ConfigError(f"{option} {item!r} is not {shape}", fix=f"write it as {option} {shape}")
        name, raw = item.split("=", 1)
        name = name.strip()
        if not name:
            raise ConfigError(f"{option} {item!r} has no name", fix=f"write it as {option} {shape}")
        try:
            out[name] = json.loads(raw)
        except json.JSONDecodeError:
            out[name] = raw
    return out


def _json_flag(value: bool) -> bool:
    if value or STATE.json:
        JSON_STDOUT.start()
        return True
    return False


def did_you_mean(name: str, known: list[str] | set[str]) -> str:
    """`did you mean 'X'? ` for the closest of `known`, else ''."""
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def check_models(s: Session, specs: list[str]) -> None:
    """Fail before any work on a model name the session's provider does not know, suggesting
    the closest known name. Resource names (with '/') and PROVIDER:MODEL specs are left to
    the provider."""
    from ..core.errors import NotFoundError
    from ..core.interfaces import Tuner

    plain = [m for m in specs if "/" not in m and ":" not in m]
    if not plain:
        return
    model = s.model
    base = set(model.list_base_models())
    known = set(base)
    if isinstance(model, Tuner):
        for m in model.list_tuned_models():
            d = m.to_dict()
            known.update(str(v) for v in (m.name, d.get("display_name"), d.get("endpoint")) if v)
            known.update(d.get("aliases") or [])
    for name in plain:
        if name in known or name.split("@", 1)[0] in base:
            continue
        raise NotFoundError(
            f"unknown model {name!r}",
            fix=f"{did_you_mean(name, known)}see `llmops models list` for base and tuned models, aliases and endpoints",
        )


def logged_model_name(s: Session, name: str) -> str:
    """The name the prediction log records for `name`: a tuned model's alias, endpoint or
    display name becomes the model's name; any other name is returned as given."""
    from ..core.interfaces import Tuner

    if isinstance(s.model, Tuner):
        for m in s.model.list_tuned_models():
            d = m.to_dict()
            if name in (d.get("aliases") or []) or name in (d.get("endpoint"), d.get("display_name")):
                return str(m.name)
    return name


JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.", callback=_json_flag)
"""Every command's `--json` (also accepted as a global option): from here on, only the JSON
goes to stdout."""


FORMATS = ("table", "json", "csv")


def _format_flag(value: str | None) -> str | None:
    from ..core.errors import ConfigError

    if value is not None and value not in FORMATS:
        raise ConfigError(f"unknown format {value!r}", fix=f"pass --format {', '.join(FORMATS)}")
    if value == "json":
        JSON_STDOUT.start()
    return value


FormatOption = typer.Option(
    None, "--format", help="table, json or csv (default: table on a terminal, csv when piped).", callback=_format_flag
)
"""A list command's `--format`."""


def output_format(fmt: str | None, json_: bool) -> str:
    """The format to print in: --json wins, then --format, then table on a terminal, else CSV."""
    if json_:
        return "json"
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "csv"


def print_csv(rows: list[dict[str, Any]], columns: list[str] | None = None) -> None:
    """Rows as CSV with a header line on stdout (nested values as JSON)."""
    import csv

    names = columns or (list(rows[0]) if rows else [])
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(names)
    for r in rows:
        writer.writerow(
            ["" if r.get(c) is None else json.dumps(r[c]) if isinstance(r.get(c), dict | list) else r[c] for c in names]
        )
    sys.stdout.flush()


def parse_since(text: str) -> Any:
    """`--since`: a duration back from now (30s, 15m, 1h, 2d, 1w) or an ISO date/time."""
    import re
    from datetime import UTC, datetime, timedelta

    from ..core.errors import ConfigError

    m = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text)
    if m:
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[m.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: int(m.group(1))})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"--since {text!r} is neither a duration nor a date", fix="pass e.g. --since 1h, 30m, 2d or 2026-01-31"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
