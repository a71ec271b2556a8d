"""`llmops prompts create | list | show | diff | alias | delete | promote`: the prompt registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..core.errors import DataError, LlmopsError
from ..core.prompt_registry import PromptRegistry, registry_for
from .common import JsonOption, console, err_console, print_json, session

prompts_app = typer.Typer(
    help="Prompt registry: immutable versions, aliases, and gated promotion.", no_args_is_help=True
)


def _registry(read_only: bool = False) -> PromptRegistry:
    return registry_for(session(read_only=read_only).settings.workspace)


class GateFailed(LlmopsError):
    """A promotion gate did not hold; the alias was left where it was."""

    exit_code = 1


@prompts_app.command("create")
def create_command(
    name: str = typer.Argument(..., help="Prompt name."),
    file: Path | None = typer.Option(None, "--file", "-f", help="Read the prompt text from this file."),
    text: str | None = typer.Option(None, "--text", "-t", help="The prompt text ({variable} placeholders)."),
    message: str = typer.Option("", "--message", "-m", help="Why this version exists."),
    json_: bool = JsonOption,
) -> None:
    """Register a prompt text as a new version (the same text again is the same version)."""
    if (file is None) == (text is None):
        raise DataError("give the prompt text once", fix="pass either --file FILE or --text TEXT")
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise DataError(f"cannot read {file} ({exc.strerror})", fix="pass a readable text file") from None
    assert text is not None
    pv, created = _registry().create(name, text, message)
    if json_:
        print_json({**pv.to_dict(), "created_now": created})
        return
    state = "created" if created else "unchanged (same text as an existing version)"
    variables = ", ".join(pv.variables) or "none"
    console.print(f"{pv.reference} {state} · variables: {variables}", markup=False)


@prompts_app.command("list")
def list_command(json_: bool = JsonOption) -> None:
    """Every prompt with its newest version and aliases."""
    reg = _registry(read_only=True)
    rows: list[dict[str, Any]] = []
    for name in reg.names():
        versions = reg.versions(name)
        rows.append(
            {"name": name, "versions": len(versions), "latest": versions[-1].version, "aliases": reg.aliases(name)}
        )
    if json_:
        print_json(rows)
        return
    if not rows:
        console.print(
            'no prompts yet (add one: llmops prompts create NAME --text "Answer briefly: {question}")', markup=False
        )
        return
    table = Table("prompt", "versions", "latest", "aliases")
    for r in rows:
        table.add_row(
            r["name"], str(r["versions"]), r["latest"], ", ".join(f"{a}→{v}" for a, v in r["aliases"].items())
        )
    console.print(table)


@prompts_app.command("show")
def show_command(
    spec: str = typer.Argument(..., help="NAME, NAME@VERSION or NAME@ALIAS."),
    json_: bool = JsonOption,
) -> None:
    """A version's text, variables and message; for a bare NAME, also every version."""
    reg = _registry(read_only=True)
    pv = reg.get(spec)
    name = pv.name
    versions = reg.versions(name)
    aliases = reg.aliases(name)
    if json_:
        print_json({**pv.to_dict(), "aliases": aliases, "versions": [v.version for v in versions]})
        return
    console.print(f"{pv.reference} · {pv.created} · variables: {', '.join(pv.variables) or 'none'}", markup=False)
    if pv.message:
        console.print(f"message: {pv.message}", markup=False)
    console.print(pv.text, markup=False)
    if "@" not in spec:
        table = Table("version", "created", "aliases", "message", title=f"versions of {name}", title_justify="left")
        for v in reversed(versions):
            held = ", ".join(sorted(a for a, ver in aliases.items() if ver == v.version))
            table.add_row(v.version, v.created, held, v.message)
        console.print(table)


@prompts_app.command("diff")
def diff_command(
    a: str = typer.Argument(..., help="NAME@VERSION or NAME@ALIAS."),
    b: str = typer.Argument(..., help="NAME@VERSION or NAME@ALIAS."),
    json_: bool = JsonOption,
) -> None:
    """A unified diff of two versions' texts."""
    out = _registry(read_only=True).diff(a, b)
    if json_:
        print_json({"a": a, "b": b, "identical": not out, "diff": out})
    else:
        console.print(out.rstrip("\n") if out else "identical", markup=False)


@prompts_app.command("alias")
def alias_command(
    name: str = typer.Argument(..., help="Prompt name."),
    alias: str = typer.Argument(..., help="Alias, e.g. production or staging."),
    version: str = typer.Argument(..., help="Version id (or unique prefix) or another alias."),
    json_: bool = JsonOption,
) -> None:
    """Point an alias at a version."""
    pv = _registry().set_alias(name, alias, version)
    if json_:
        print_json({"name": name, "alias": alias, "version": pv.version})
    else:
        console.print(f"{name}@{alias} → {pv.version}", markup=False)


@prompts_app.command("delete")
def delete_command(
    spec: str = typer.Argument(..., help="NAME (everything), NAME@VERSION or NAME@ALIAS."), json_: bool = JsonOption
) -> None:
    """Delete a prompt, one unaliased version, or an alias."""
    deleted = _registry().delete(spec)
    if json_:
        print_json({"deleted": deleted})
    else:
        console.print(f"deleted {deleted}", markup=False)


@prompts_app.command("promote")
def promote_command(
    name: str = typer.Argument(..., help="Prompt name."),
    candidate: str = typer.Argument(..., help="Candidate version (or alias)."),
    to: str = typer.Option("production", "--to", help="The alias to move."),
    gate: str = typer.Option(
        ...,
        "--gate",
        help="Clauses METRIC OP BOUND, e.g. 'rougeL>=base,blocked_rate<=0.02' (base: the alias's version).",
    ),
    model: str | None = typer.Option(None, "--model", help="Model answering both versions (default: the base model)."),
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="Dataset version (default: the newest)."),
    limit: int | None = typer.Option(None, "--limit", "-n", help="Evaluate on at most N examples."),
    json_: bool = JsonOption,
) -> None:
    """Evaluate a candidate against the alias's version; move the alias only if the gate holds."""
    from ..evaluation.promote import promote

    result = promote(session(), name, candidate, to=to, gate=gate, model=model, dataset=dataset, limit=limit)
    if json_:
        print_json(result.to_dict())
    else:
        table = Table("clause", "candidate", "bound", "holds", title=f"gate on dataset {result.dataset_version}")
        for c in result.checks:
            table.add_row(str(c.clause), f"{c.value:g}", f"{c.bound:g}", "yes" if c.passed else "[red]no[/]")
        console.print(table)
    if result.moved:
        err_console.print(f"{name}@{to} → {result.candidate} (was {result.base})", markup=False)
        return
    failed = "; ".join(f"{c.clause} ({c.value:g} vs {c.bound:g})" for c in result.checks if not c.passed)
    raise GateFailed(
        f"gate failed for {name}@{result.candidate}: {failed}; {name}@{to} stays at {result.base}",
        fix="improve the candidate, or change the gate",
    )


def add_commands(cli: typer.Typer) -> None:
    cli.add_typer(prompts_app, name="prompts")
