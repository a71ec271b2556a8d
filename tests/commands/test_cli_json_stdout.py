"""`--json` means only JSON on stdout, for every command that has it: what libraries print or
log goes to stderr. Local profile in process; the emulated profile in a subprocess, as a user
runs it (aiplatform and kfp bind their stdout handlers at import)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from llmops.cli import build_app

LOCAL = [
    ("data prepare", []),
    ("data list", []),
    ("data show", ["{version}"]),
    ("data diff", ["{version}", "{version}"]),
    ("data templates", []),
    ("sql", ["SELECT 1 AS x"]),
    ("predict", ["How do I sort a list in Python?"]),
    ("logs", []),
    ("models list", []),
    ("models show", ["text-bison@001"]),
    ("tune", []),
    ("eval", ["--limit", "2"]),
    ("embed", ["hello"]),
    ("chat", ["hello"]),
    ("conversations list", []),
    ("pipeline list", []),
    ("prompts list", []),
    ("monitor report", []),
    ("monitor compact", []),
    ("rag list", []),
    ("chain list", []),
    ("emulator apis", []),
    ("config show", []),
    ("plugins", []),
    ("backends", []),
]
"""Each command with --json, in an order where later ones find what earlier ones made."""

ELSEWHERE = {
    "run": "tests/commands/test_run.py runs `llmops run --json` and parses it",
    "emulator start": "serves until stopped; tests/emulator start it with --json",
    "pipeline compile": "needs a pipeline source file (tests/commands/test_pipeline_cli.py)",
    "pipeline run": "needs a compiled package (tests/commands/test_pipeline_cli.py)",
    "pipeline show": "needs a run id (tests/commands/test_pipeline_cli.py)",
    "autosxs": "runs a pipeline; tests/evaluation/test_autosxs.py parses its --json",
    "monitor check": "exits 1 without configured checks",
    "monitor watch": "runs until stopped",
    "monitor enable": "needs the vertex provider on an emulator; tests/monitoring/test_vertex_log.py covers what it calls",
}


def _json_commands() -> set[str]:
    found: set[str] = set()

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        elif any("--json" in p.opts for p in cmd.params):
            found.add(" ".join(path))

    walk(typer.main.get_command(build_app()), [])
    return found


def test_every_json_command_is_covered():
    """A new command with --json must join LOCAL (or say where it is tested)."""
    missing = _json_commands() - {name for name, _ in LOCAL} - set(ELSEWHERE) - _NEEDS_NAMES
    assert not missing, f"add these to LOCAL or ELSEWHERE: {sorted(missing)}"


def test_every_command_takes_json():
    """`--json` is a global option "for any command": each one must honour it."""
    without: list[str] = []

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        elif not any("--json" in p.opts for p in cmd.params):
            without.append(" ".join(path))

    walk(typer.main.get_command(build_app()), [])
    assert without == []


def test_deleting_and_diffing_print_json(cli, tmp_path):
    assert cli("prompts", "create", "so", "--text", "A: {question}").code == 0
    assert cli("prompts", "create", "so", "--text", "B: {question}").code == 0
    assert cli("prompts", "alias", "so", "production", "latest").code == 0
    diff = cli("prompts", "diff", "so@production", "so", "--json").json()
    assert diff["identical"] is True and diff["diff"] == ""
    assert cli("prompts", "delete", "so@production", "--json").json() == {"deleted": "alias so@production"}
    cid = cli("chat", "hello", "--json").json()["conversation"]
    assert cli("--json", "conversations", "delete", cid).json() == {"deleted": [cid]}
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"uri": "doc:1", "title": "t", "text": "Lists sort in place with list.sort()."}) + "\n")
    assert cli("rag", "create", "tiny", "--files", str(docs)).code == 0
    assert cli("rag", "delete", "tiny", "--json").json() == {"deleted": "tiny"}


_NEEDS_NAMES = {
    "models alias",
    "models deploy",
    "prompts create",
    "prompts show",
    "prompts alias",
    "prompts promote",
    "rag create",
    "rag show",
    "rag query",
    "conversations show",
    "conversations fork",
    "chain show",
    "chain run",
    "prompts diff",
    "prompts delete",
    "conversations delete",
    "rag delete",
}
"""Commands that act on a named thing; their --json output is parsed in their own tests."""


def test_every_json_command_prints_only_json_on_the_local_profile(cli):
    version = None
    for name, rest in LOCAL:
        args = [*name.split(), *(a.format(version=version) for a in rest)]
        res = cli(*args, "--json")
        assert res.code == 0, (args, res.err)
        try:
            parsed = json.loads(res.out)
        except ValueError:
            pytest.fail(f"llmops {' '.join(args)} --json: stdout is not JSON: {res.out[:300]!r}")
        if args[:2] == ["data", "prepare"]:
            version = parsed["version"]


def _llmops(tmp: Path, endpoint: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
    env["LLMOPS_GCP_ENDPOINT"] = endpoint
    return subprocess.run(
        [sys.executable, "-m", "llmops", *args, "--json", "--profile", "emulated", "--workspace", str(tmp / "ws")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp,
    )


def test_json_on_the_emulated_profile_is_only_json(tmp_path, llmops_emulator):
    for args in (["sql", "SELECT 1 AS x"], ["data", "prepare"], ["predict", "How do I sort a list in Python?"]):
        done = _llmops(tmp_path, llmops_emulator.endpoint, *args)
        assert done.returncode == 0, (args, done.stderr)
        json.loads(done.stdout)


@pytest.mark.slow
def test_run_json_on_the_emulated_profile_is_only_json(tmp_path, llmops_emulator):
    done = _llmops(tmp_path, llmops_emulator.endpoint, "run")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pipeline"]["state"] == "SUCCEEDED"
