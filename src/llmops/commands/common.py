"""What every command shares: the session from the global options, JSON and rich output."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
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
    _session: Session | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        return self.session().settings

    def session(self) -> Session:
        if self._session is None:
            from ..core.config import load_settings
            from ..core.session import Session

            overrides = {"workspace": self.workspace} if self.workspace else {}
            self._session = Session(load_settings(self.profile, overrides=overrides))
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


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

            self._console = Console(**self._options)
        return getattr(self._console, name)


console: Console = LazyConsole(stderr=False, highlight=False, soft_wrap=True)  # type: ignore[assignment]
err_console: Console = LazyConsole(stderr=True, highlight=False)  # type: ignore[assignment]


def session() -> Session:
    """The session for this invocation (profile and workspace from the global options)."""
    return STATE.session()


def print_json(data: Any) -> None:
    """Machine-readable output on stdout, one JSON document."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def show_progress() -> bool:
    """Progress only on a terminal and never with --quiet."""
    return not STATE.quiet and sys.stderr.isatty()


def parse_params(values: list[str] | None) -> dict[str, Any]:
    """`name=value` pairs to a dict; values that parse as JSON keep their JSON type."""
    from ..core.errors import ConfigError

    out: dict[str, Any] = {}
    for item in values or []:
        if "=" not in item:
            raise ConfigError(f"parameter {item!r} is not name=value", fix="write it as --param name=value")
        name, raw = item.split("=", 1)
        name = name.strip()
        if not name:
            raise ConfigError(f"parameter {item!r} has no name", fix="write it as --param name=value")
        try:
            out[name] = json.loads(raw)
        except json.JSONDecodeError:
            out[name] = raw
    return out


JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")
