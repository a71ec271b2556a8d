"""`llmops config show`: the resolved profile, each value with where it came from, the
workspace, the config file and the backend chosen per kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Column, Table

from ..core import registry
from ..core.config import CORE_KEYS, ResolvedSettings, resolve_settings
from .common import STATE, JsonOption, console, print_json

config_app = typer.Typer(help="Inspect the resolved configuration.", no_args_is_help=True)

KINDS = ("warehouse", "orchestrator", "model", "artifacts")


def describe(resolved: ResolvedSettings) -> dict[str, Any]:
    """The resolved configuration as JSON-ready data."""
    settings = resolved.settings
    backends = {}
    for kind in KINDS:
        name = getattr(settings, kind)
        found = registry.backends(kind).get(name)
        backends[kind] = {"name": name, "plugin": found.plugin if found else None}
    values: dict[str, Any] = {
        key: {"value": resolved.value(key), "source": resolved.sources[key], "plugin": "llmops core"}
        for key in CORE_KEYS
    }
    for sec in resolved.sections.values():
        for key in sec.keys:
            dotted = f"{sec.name}.{key}"
            values[dotted] = {"value": resolved.value(dotted), "source": resolved.sources[dotted], "plugin": sec.plugin}
    return {
        "profile": settings.profile,
        "profile_source": resolved.profile_source,
        "config_file": str(resolved.config_file) if resolved.config_file else None,
        "workspace": str(settings.workspace),
        "workspace_exists": settings.workspace.is_dir(),
        "backends": backends,
        "settings": values,
    }


def _show(value: Any) -> str:
    if value is None:
        return "-"
    return value if isinstance(value, str) else json.dumps(value)


@config_app.command("show")
def show_command(json_: bool = JsonOption) -> None:
    """Print the resolved profile: every value and where it came from, and the backends chosen."""
    overrides = {"workspace": STATE.workspace} if STATE.workspace else {}
    data = describe(resolve_settings(STATE.profile, overrides=overrides, override_source="flag"))
    if STATE.profile:
        data["profile_source"] = "flag --profile"
    if STATE.workspace:
        data["settings"]["workspace"]["source"] = "flag --workspace"
    if json_:
        print_json(data)
        return
    console.print(f"profile      {data['profile']} ({data['profile_source']})")
    console.print(f"config file  {data['config_file'] or '(none: embedded profiles only)'}")
    ws = data["settings"]["workspace"]
    made = "" if Path(data["workspace"]).is_dir() else ", not created yet"
    console.print(f"workspace    {data['workspace']} ({ws['source']}{made})", markup=False)
    backends = Table("kind", "backend", "plugin", title="backends", title_justify="left")
    for kind, b in data["backends"].items():
        backends.add_row(kind, b["name"], b["plugin"] or "(not registered)")
    console.print(backends)
    values = Table(
        Column("key", no_wrap=True), Column("value", overflow="fold"), "source", title="settings", title_justify="left"
    )
    sections: dict[str, str] = {}
    for key, v in data["settings"].items():
        values.add_row(key, _show(v["value"]), v["source"])
        if "." in key:
            sections[key.split(".")[0]] = v["plugin"]
    console.print(values)
    owners = Table("section", "plugin", title="plugin sections", title_justify="left")
    for name, plugin in sections.items():
        owners.add_row(name, plugin)
    console.print(owners)


def add_commands(cli: typer.Typer) -> None:
    cli.add_typer(config_app, name="config")
