"""`--help` says what to type: every option that takes a value and every argument has a
metavar naming it (`--model MODEL`, `--since WHEN`), never a Python or click type."""

from __future__ import annotations

import re

from llmops.cli import cli_command

TYPE_NAMES = re.compile(r"<|\b(?:TEXT|INTEGER|FLOAT|BOOLEAN|STR|INT)\b")


def _commands(command, path):
    yield path, command
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        yield from _commands(sub, [*path, name])


def test_every_option_and_argument_names_what_to_type():
    from typer._click import Context

    bad = []
    for path, command in _commands(cli_command(), ["llmops"]):
        ctx = Context(command, info_name=" ".join(path))
        for param in command.params:
            record = param.get_help_record(ctx)
            if record and not getattr(param, "is_flag", False) and TYPE_NAMES.search(record[0]):
                bad.append(f"{' '.join(path)}: {record[0]}")
    assert bad == []


def test_help_and_usage_show_the_metavars(capsys):
    from llmops.cli import main

    assert main(["prompts", "diff", "--help"]) == 0
    assert "Usage: llmops prompts diff [OPTIONS] {NAME@VERSION} {NAME@VERSION}" in capsys.readouterr().out
    assert main(["data", "prepare", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--query-file FILE" in out and "--format seed|gemini" in out and "--param NAME=VALUE" in out
    assert main(["logs", "--help"]) == 0
    assert "-n, --count N" in capsys.readouterr().out
    assert main(["conversations", "show"]) == 2
    assert "Missing argument 'ID'" in capsys.readouterr().err


def test_commands_are_listed_in_the_workflows_order(capsys):
    from llmops.cli import main

    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.split("Commands:\n", 1)[1].splitlines() if line.startswith("  ")]
    assert listed[:3] == ["run", "data", "sql"] and listed.index("predict") < listed.index("eval")
