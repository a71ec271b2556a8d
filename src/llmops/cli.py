"""The `llmops` command line: parses options, calls core, renders with rich. Sub-commands are
added by plugins through the `register_commands` hook, built-in ones included."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from .commands.common import JSON_STDOUT, STATE, JsonOption, console, err_console, print_error, print_json
from .core import registry
from .core.errors import LlmopsError

if TYPE_CHECKING:
    from typer._click.core import Command, Parameter  # typer vendors its own click

# The built-in commands are a plugin of the CLI, not of core: core never names the CLI.
registry.add_default_plugin("llmops.commands")


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


HELP_ORDER = (
    "run",
    "data",
    "sql",
    "predict",
    "tune",
    "models",
    "logs",
    "eval",
    "autosxs",
    "pipeline",
    "prompts",
    "rag",
    "chain",
    "chat",
    "conversations",
    "embed",
    "monitor",
    "emulator",
    "config",
    "plugins",
    "backends",
)


class _Group(TyperGroup):
    """The root group: a reader that stops early (`llmops logs | head -1`) ends the command
    quietly with status 0, as `head` and `grep -q` expect; click's own answer is exit 1."""

    def list_commands(self, ctx: Any) -> list[str]:
        """The workflow's order in `llmops --help` (the main job first); plugins' commands after."""
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(HELP_ORDER)}
        return sorted(names, key=lambda n: rank.get(n, len(rank)))

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _reader_gone_is_success():  # `--help` and `--version` print while parsing
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _reader_gone_is_success():
            return super().invoke(ctx)


@contextmanager
def _reader_gone_is_success() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        JSON_STDOUT.abandon()
        _silence_stdout()
        raise typer.Exit(0) from None


app = typer.Typer(
    cls=_Group,
    name="llmops",
    help="LLMOps on Google Cloud, offline first.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no `<bool>` after flags, `[...]` in help text kept
)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        sys.stdout.write(f"llmops {__version__}\n")
        raise typer.Exit()


@app.callback()
def _global_options(
    profile: str | None = typer.Option(
        None, "--profile", "-p", help="Profile to use (default: LLMOPS_PROFILE or local)."
    ),
    workspace: str | None = typer.Option(
        None, "--workspace", "-w", help="Folder for everything written locally (default: next to llmops.toml)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
    json_: bool = typer.Option(False, "--json", help="Print machine-readable JSON (any command)."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Global options go before or after the command: `llmops run --profile emulated`."""
    if profile is not None:
        # Checked here too, so that commands which read no settings (`backends`) refuse it as well.
        from .core.config import resolve_settings

        resolve_settings(profile)
    STATE.profile = profile
    STATE.workspace = workspace
    STATE.quiet = quiet
    STATE.json = json_


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


def _plain_help(t: typer.Typer) -> None:
    t.rich_markup_mode = None
    for group in t.registered_groups:
        if group.typer_instance is not None:
            _plain_help(group.typer_instance)


def build_app() -> typer.Typer:
    """The app with every plugin's commands added."""
    global _commands_registered
    if not _commands_registered:
        registry.get_plugin_manager().hook.register_commands(cli=app)
        _plain_help(app)
        _commands_registered = True
    return app


def cli_command() -> Command:
    """The click command behind `llmops`, with a metavar saying what to type for every option
    and argument."""
    from .commands.metavars import name_metavars

    command = typer.main.get_command(build_app())
    name_metavars(command)
    return command


GLOBAL_VALUE_OPTIONS = ("--profile", "-p", "--workspace", "-w")
GLOBAL_FLAGS = ("--quiet", "-q", "--json")


def hoist_global_options(argv: list[str], root: Command) -> list[str]:
    """`argv` with the global options found after the command name moved to the front, so
    that `llmops run --profile emulated` means `llmops --profile emulated run`. An option the
    command defines itself (`rag build -q SQL`) stays its own; nothing after `--` moves."""
    front: list[str] = []
    rest: list[str] = []
    cmd = root
    i = 0
    while i < len(argv):
        tok = argv[i]
        if tok == "--":
            rest.extend(argv[i:])
            break
        name = tok.split("=", 1)[0] if tok.startswith("--") else tok
        own = _own_option(cmd, name)
        if cmd is not root and own is None and name in GLOBAL_VALUE_OPTIONS + GLOBAL_FLAGS:
            takes_value = name in GLOBAL_VALUE_OPTIONS and "=" not in tok
            front.extend(argv[i : i + 2] if takes_value else [tok])
            i += 2 if takes_value else 1
            continue
        rest.append(tok)
        i += 1
        takes_value = own is not None and not getattr(own, "is_flag", False) and not getattr(own, "count", False)
        if takes_value and "=" not in tok and i < len(argv):
            rest.append(argv[i])  # the option's value, whatever it looks like
            i += 1
        elif not tok.startswith("-") and tok in (getattr(cmd, "commands", None) or {}):
            cmd = cmd.commands[tok]  # type: ignore[attr-defined]
    return front + rest


def _own_option(cmd: Command, name: str) -> Parameter | None:
    for param in cmd.params:
        if param.param_type_name == "option" and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: expected errors become one line on stderr and exit 1;
    usage errors are click's (usage line, exit 2)."""
    from .core.extras import explain

    args = sys.argv[1:] if argv is None else list(argv)
    try:
        command = cli_command()
        command.main(args=hoist_global_options(args, command), prog_name="llmops", standalone_mode=True)
        return 0
    except SystemExit as exc:  # click's standalone mode ends every invocation this way
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except LlmopsError as exc:
        print_error(exc)
        return exc.exit_code
    except ImportError as exc:
        missing = explain(exc)
        if missing is None:
            raise
        print_error(missing)
        return missing.exit_code
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    finally:
        STATE.close()
        try:
            sys.stdout.flush()
        except BrokenPipeError:  # the reader left after the last write
            _silence_stdout()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
