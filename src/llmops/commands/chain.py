"""`llmops chain list | show | run`, and the span tree `llmops logs --trace ID` prints."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import typer

from ..core.errors import ConfigError, NotFoundError
from .common import JsonOption, console, err_console, print_json, session

chain_app = typer.Typer(help="Chains of steps and models: list, show, run.", no_args_is_help=True)

FileOption = typer.Option(None, "--file", "-f", help="A chain defined in this TOML file instead of by name.")


@chain_app.command("list")
def list_command(json_: bool = JsonOption) -> None:
    """List the chains: registered by plugins (the examples included) and in WORKSPACE/chains/*.toml."""
    from ..chains import all_chains

    found = all_chains(session(read_only=True))
    rows: list[dict[str, Any]] = [
        {"name": c.name, "steps": len(c.steps), "models": c.models, "source": c.source, "description": c.description}
        for c in sorted(found.values(), key=lambda c: c.name)
    ]
    if json_:
        print_json(rows)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table("name", "steps", "models", "source", "description")
    for r in rows:
        table.add_row(
            r["name"], str(r["steps"]), ", ".join(r["models"]), Text(r["source"]), Text(r["description"][:70])
        )
    console.print(table)


def _load(name: str | None, file: Path | None) -> Any:
    from ..chains import get_chain

    if name is None and file is None:
        raise ConfigError("no chain given", fix="pass a chain name (see llmops chain list) or --file CHAIN.toml")
    return get_chain(session(), name, file=file)


@chain_app.command("show")
def show_command(
    name: str | None = typer.Argument(None, help="Chain name."),
    file: Path | None = FileOption,
    json_: bool = JsonOption,
) -> None:
    """Show a chain's steps and settings (it is checked against the workspace first)."""
    chain = _load(name, file)
    if json_:
        print_json(chain.describe())
        return
    console.print(f"[bold]{chain.name}[/] — {chain.description}", highlight=False)
    console.print(f"from {chain.source}", markup=False, style="dim")
    for i, s in enumerate(chain.steps, 1):
        params = " ".join(f"{k}={v!r}" for k, v in s.params.items() if k != "format")
        model = f" {s.model}" if s.model else ""
        console.print(f"  {i}. {s.name} [{s.kind}]{model} {params}".rstrip(), markup=False)


@chain_app.command("run")
def run_command(
    name: str | None = typer.Argument(None, help="Chain name (or use --file)."),
    text: str | None = typer.Argument(None, help="The input (a question)."),
    file: Path | None = FileOption,
    dataset: str | None = typer.Option(
        None, "--dataset", "-d", help="Run over this dataset version's eval split as a pipeline (batch)."
    ),
    limit: int = typer.Option(0, "--limit", help="With --dataset: at most this many examples (0: all)."),
    no_log: bool = typer.Option(False, "--no-log", help="Log neither spans nor predictions."),
    json_: bool = JsonOption,
) -> None:
    """Run a chain on one input, or over a dataset version as a Kubeflow pipeline; each step
    is logged as a span (see llmops logs --trace ID)."""
    from ..chains import run

    if file is not None and name is not None and text is None:
        name, text = None, name  # `chain run --file c.toml "question"`
    chain = _load(name, file)
    if dataset is not None:
        if text is not None:
            raise ConfigError("pass an input or --dataset, not both", fix="drop the input to run over the dataset")
        _run_batch(chain, file, dataset, limit, json_)
        return
    if text is None:
        raise ConfigError("no input given", fix=f'pass the text: llmops chain run {chain.name} "your question"')
    result = run(session(), chain, text, log=False if no_log else None, validate=False)
    if json_:
        print_json(result.to_dict())
    else:
        if result.output is not None:
            console.print(result.output, markup=False, highlight=False)
            console.print()
        for s in result.spans[1:]:
            extra = f" {s['model']}" if s["model"] else ""
            console.print(
                f"  {s['step']} [{s['kind']}]{extra} · {s['latency_ms']:.2f} ms · {s['status']}",
                markup=False,
                style="dim",
            )
        score = f" · grounding {result.grounding_score:.2f}" if result.grounding_score is not None else ""
        console.print(
            f"chain {chain.name} · {result.status}{score} · {result.latency_ms:.1f} ms · trace {result.trace_id}",
            markup=False,
            style="dim",
        )
    if result.status == "BLOCKED":
        err_console.print(f"blocked: {result.reason}", markup=False, style="red")
        raise typer.Exit(1)


def _run_batch(chain: Any, file: Path | None, dataset: str, limit: int, json_: bool) -> None:
    from ..chains.batch import compile_batch, parameters
    from ..core import data
    from .pipeline import follow, raise_if_failed

    s = session()
    if limit < 0:
        raise ConfigError(f"--limit {limit} is below 0", fix="pass 0 for all examples or a positive number")
    version = data.get_version(s, dataset)
    package = compile_batch(s)
    source = file.read_text(encoding="utf-8") if file is not None else ""
    summary_uri = s.artifacts.uri_for("chains", "batch", f"{uuid.uuid4().hex[:12]}.json")
    params = parameters(s.settings, chain.name, source, version.version, limit, summary_uri)
    orchestrator = s.orchestrator
    run = follow(orchestrator, orchestrator.submit(package, params, enable_caching=False))
    raise_if_failed(run)
    summary = dict(run.outputs.get("Output") or {}) if isinstance(run.outputs.get("Output"), Mapping) else {}
    summary = summary or _summary_from(run.outputs) or _summary_at(s, summary_uri)
    s.artifacts.delete(summary_uri)
    if json_:
        print_json({"run_id": run.run_id, "state": run.state, "dataset_version": version.version, **summary})
        return
    console.print(
        f"chain {chain.name} over dataset {version.version} (eval split) · run {run.run_id} {run.state}", markup=False
    )
    for k, v in summary.items():
        if k == "trace_ids":
            v = f"{len(v)} traces; see one with llmops logs --trace {v[0]}" if v else "none"
        console.print(f"  {k}: {'-' if v is None else v}", markup=False)  # None: no ground step


def _summary_at(s: Any, uri: str) -> dict[str, Any]:
    """The summary the batch component wrote to the artifact store (for orchestrators whose
    finished runs do not carry the pipeline's output: Vertex AI Pipelines, Kubeflow)."""
    import json

    if not s.artifacts.exists(uri):
        return {}
    with s.artifacts.open(uri, "rb") as f:
        return dict(json.loads(f.read()))


def _summary_from(outputs: Mapping[str, Any]) -> dict[str, Any]:
    import json

    for value in outputs.values():
        if isinstance(value, str) and value.startswith("{"):
            try:
                return dict(json.loads(value))
            except ValueError:
                continue
    return {}


# ---------------------------------------------------------------- logs --trace


def _span_line(s: Mapping[str, Any]) -> str:
    parts = [f"{s['step']} [{s['kind']}]"]
    if s.get("model"):
        parts.append(str(s["model"]))
    parts.append(f"{s['latency_ms']:.2f} ms" if s.get("latency_ms") is not None else "")
    if s.get("prompt_tokens") is not None:
        parts.append(f"tokens {s['prompt_tokens']}→{s['output_tokens']}")
    if s.get("max_safety_score") is not None:
        parts.append("safety BLOCKED" if s.get("blocked") else f"safety {s['max_safety_score']:.2f}")
    if s.get("grounding_score") is not None:
        parts.append(f"grounding {s['grounding_score']:.2f}")
    parts.append(s["status"])
    if s.get("error"):
        parts.append(f"error: {s['error']}")
    attrs = s.get("attributes") or {}
    if attrs.get("reason"):
        parts.append(f"reason: {attrs['reason']}")
    return " · ".join(p for p in parts if p)


def show_trace(trace_id: str, json_: bool) -> None:
    """Print the span tree of a chain run (`llmops logs --trace ID`; an id prefix is enough)."""
    from ..chains.spans import span_log, tree

    if len(trace_id) < 6:
        raise ConfigError(f"trace id {trace_id!r} is too short", fix="give at least 6 hex digits of the trace id")
    spans = span_log(session(read_only=True)).trace(trace_id.lower())
    traces = sorted({s["trace_id"] for s in spans})
    if not spans:
        raise NotFoundError(f"no spans logged for trace {trace_id!r}", fix="take the id from llmops chain run's output")
    if len(traces) > 1:
        raise ConfigError(
            f"{trace_id!r} starts {len(traces)} trace ids ({', '.join(t[:12] for t in traces[:3])}, ...)",
            fix="give more digits",
        )
    if json_:
        print_json(spans)
        return
    _print_tree(traces[0], tree(spans))


def _print_tree(trace_id: str, ordered: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
    from rich.text import Text
    from rich.tree import Tree

    root = Tree(Text(f"trace {trace_id}"))
    nodes: dict[str, Tree] = {}
    for _, s in ordered:
        parent = nodes.get(s.get("parent_span_id") or "", root)
        style = {"ERROR": "red", "BLOCKED": "yellow"}.get(s["status"], "")
        nodes[s["span_id"]] = parent.add(Text(_span_line(s), style=style))
    console.print(root)


def add_commands(cli: typer.Typer) -> None:
    cli.add_typer(chain_app, name="chain")
