"""`llmops data prepare | list | show | templates`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..core import data
from ..core.errors import ConfigError, QueryError
from ..core.prompts import DEFAULT_TEMPLATE, templates
from ..core.types import DatasetVersion
from .common import (
    STATE,
    FormatOption,
    JsonOption,
    console,
    err_console,
    output_format,
    parse_params,
    print_csv,
    print_json,
    session,
)

data_app = typer.Typer(help="Instruction datasets: prepare, list, show.", no_args_is_help=True)


def _summary(v: DatasetVersion) -> None:
    m = v.manifest
    console.print(
        f"dataset version [bold]{v.version}[/]  (template {m['template']['name']}@{m['template']['version']}, format {m['format']})"
    )
    console.print(f"  train  {v.train.rows:>6} rows  {v.train.uri}")
    console.print(f"  eval   {v.eval.rows:>6} rows  {v.eval.uri}")


@data_app.command("prepare")
def prepare_command(
    query_file: Path | None = typer.Option(
        None, "--query-file", help="GoogleSQL file returning input_text and output_text (default: the course's query)."
    ),
    template: str = typer.Option(
        DEFAULT_TEMPLATE,
        "--template",
        help="Registered prompt template (see `llmops data templates`) or a text file ending in {question}.",
    ),
    eval_fraction: float = typer.Option(
        0.2, "--eval-fraction", help="Share of rows held out for evaluation, in (0, 1)."
    ),
    seed: int = typer.Option(42, "--seed", help="Salt of the deterministic split."),
    format: str = typer.Option("seed", "--format", help="seed (input_text_instruct/output_text) or gemini (contents)."),
    param: list[str] | None = typer.Option(None, "--param", help="Query parameter name=value (repeatable)."),
    save: str | None = typer.Option(
        None, "--save", help="Save the --template file in the prompt registry as NAME and use prompts:/NAME@VERSION."
    ),
    json_: bool = JsonOption,
) -> None:
    """Query the warehouse, apply the template, split, export JSONL and version it."""
    if save is not None and not data.is_template_file(template):
        raise ConfigError(
            f"--save {save} needs a template file", fix="pass --template FILE (a text file ending in {question})"
        )
    if data.is_template_file(template):
        data.template_from_file(template)
        if save is not None:
            template = _save_template(template, save)
    elif not template.startswith("prompts:") and template not in templates():
        from ..core.errors import NotFoundError
        from .common import did_you_mean

        raise NotFoundError(
            f"unknown prompt template {template!r}",
            fix=f"{did_you_mean(template, set(templates()))}see `llmops data templates`, "
            "or a registry prompt as prompts:/NAME@ALIAS",
        )
    query = data.read_query_file(query_file) if query_file else None
    try:
        version = data.prepare(
            session(),
            query=query,
            template=template,
            eval_fraction=eval_fraction,
            seed=seed,
            format=format,
            params=parse_params(param),
        )
    except QueryError as exc:
        line = getattr(exc, "line", None)
        if query_file and line is not None:
            raise type(exc)(exc.problem, fix=f"check line {line} of {query_file}") from None
        raise
    if json_:
        print_json(version.to_dict())
    else:
        _summary(version)


def _save_template(path: str, name: str) -> str:
    """Store the template file as a version of registry prompt `name`; its reference."""
    from ..core.prompt_registry import registry_for

    text = Path(path).read_text(encoding="utf-8").rstrip("\n")
    saved, created = registry_for(session().settings.workspace).create(name, text, message=f"saved from {path}")
    if not STATE.quiet:
        what = "saved" if created else "unchanged"
        err_console.print(f"template {what} as {saved.reference}", markup=False, highlight=False)
    return f"prompts:/{saved.name}@{saved.version}"


@data_app.command("list")
def list_command(json_: bool = JsonOption, fmt: str | None = FormatOption) -> None:
    """List dataset versions, newest first."""
    versions = data.list_versions(session(read_only=True))
    shape = output_format(fmt, json_)
    if shape == "json":
        print_json([v.to_dict() for v in versions])
        return
    if shape == "csv":
        print_csv(
            [
                {
                    "version": v.version,
                    "created": v.manifest.get("created", ""),
                    "template": v.manifest["template"]["name"],
                    "format": v.manifest["format"],
                    "train": v.train.rows,
                    "eval": v.eval.rows,
                }
                for v in versions
            ],
            ["version", "created", "template", "format", "train", "eval"],
        )
        return
    table = Table("version", "created", "template", "format", "train", "eval")
    for v in versions:
        m = v.manifest
        table.add_row(
            v.version, m.get("created", ""), m["template"]["name"], m["format"], str(v.train.rows), str(v.eval.rows)
        )
    console.print(table)


@data_app.command("show")
def show_command(
    version: str = typer.Argument(..., help="Version id (or a unique prefix)."), json_: bool = JsonOption
) -> None:
    """Show one dataset version and its manifest."""
    v = data.get_version(session(read_only=True), version)
    if json_:
        print_json(v.to_dict())
        return
    _summary(v)
    m = v.manifest
    console.print(f"  created {m['created']}; split {m['split']}; source tables {', '.join(m['source_tables'])}")
    console.print("  query:")
    console.print(m["query"], markup=False)


@data_app.command("diff")
def diff_command(
    old: str = typer.Argument(..., help="The earlier version id (or unique prefix)."),
    new: str = typer.Argument(..., help="The later version id (or unique prefix)."),
    json_: bool = JsonOption,
) -> None:
    """Rows added, removed and changed from one dataset version to another."""
    from ..core.dataset_diff import diff_versions

    d = diff_versions(session(read_only=True), old, new)
    if json_:
        print_json(d)
        return
    c = d["counts"]
    console.print(
        f"{d['from']} -> {d['to']}: {c['added']} added, {c['removed']} removed, {c['changed']} changed, "
        f"{c['unchanged']} unchanged",
        markup=False,
    )
    for mark, kind in (("+", "added"), ("-", "removed"), ("~", "changed")):
        for r in d[kind]:
            console.print(f"{mark} [{r['split']}] {' '.join(r['question'].split())[:100]}", markup=False)


@data_app.command("templates")
def templates_command(json_: bool = JsonOption) -> None:
    """List registered prompt templates and their versions."""
    found = [t.to_dict() for t in templates().values()]
    if json_:
        print_json(found)
        return
    table = Table("name", "version", "description")
    for t in found:
        table.add_row(t["name"], t["version"], t["description"])
    console.print(table)


def add_commands(cli: typer.Typer) -> None:
    cli.add_typer(data_app, name="data")
