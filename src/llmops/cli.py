"""The `llmops` command line: parses options, calls core, renders with rich. Sub-commands are
added by plugins through the `register_commands` hook, built-in ones included."""

from __future__ import annotations

import sys
from typing import Any

import typer

from .commands.common import STATE, JsonOption, console, err_console, print_json
from .core import registry
from .core.errors import LlmopsError

# The built-in commands are a plugin of the CLI, not of core: core never names the CLI.
registry.add_default_plugin("llmops.commands")

app = typer.Typer(
    name="llmops",
    help="LLMOps on Google Cloud, offline first.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    profile: str | None = typer.Option(
        None, "--profile", "-p", help="Profile to use (default: LLMOPS_PROFILE or local)."
    ),
    workspace: str | None = typer.Option(
        None, "--workspace", "-w", help="Folder for everything written locally (default .llmops)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    STATE.profile = profile
    STATE.workspace = workspace
    STATE.quiet = quiet


@app.command("plugins")
def plugins_command(json_: bool = JsonOption) -> None:
    """List loaded plugins, where they come from and the hooks they implement."""
    from rich.table import Table

    info = registry.plugin_info()
    if json_:
        print_json(info)
        return
    table = Table("plugin", "source", "hooks")
    for p in info:
        table.add_row(p["name"], p["source"], ", ".join(p["hooks"]))
    console.print(table)


def backends_info() -> dict[str, dict[str, dict[str, Any]]]:
    """Per kind, each registered backend's capabilities, plugin and description."""
    from .core.interfaces import capabilities

    return {
        kind: {
            name: {
                "capabilities": capabilities(reg.obj),
                "plugin": reg.plugin,
                "description": reg.obj.description,
            }
            for name, reg in sorted(registry.backends(kind).items())
        }
        for kind in registry.all_backends()
    }


@app.command("backends")
def backends_command(json_: bool = JsonOption) -> None:
    """List the backends of each kind (warehouse, orchestrator, model, artifacts) with what
    each can do, e.g. `model: emulator [predict, tune, deploy, alias]`."""
    info = backends_info()
    if json_:
        print_json(info)
        return
    for kind, found in info.items():
        for name, b in found.items():
            console.print(f"{kind}: {name} [{', '.join(b['capabilities'])}]", markup=False, highlight=False)
        if not found:
            console.print(f"{kind}: (none)", markup=False, highlight=False)


_commands_registered = False


def build_app() -> typer.Typer:
    """The app with every plugin's commands added."""
    global _commands_registered
    if not _commands_registered:
        registry.get_plugin_manager().hook.register_commands(cli=app)
        _commands_registered = True
    return app


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: expected errors become one line on stderr and exit 1;
    usage errors are click's (usage line, exit 2)."""
    try:
        build_app()(args=argv, prog_name="llmops", standalone_mode=True)
        return 0
    except SystemExit as exc:  # click's standalone mode ends every invocation this way
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except LlmopsError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    finally:
        STATE.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
