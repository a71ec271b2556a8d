"""`llmops predict`, `llmops tune`, `llmops models list | alias | deploy` and `llmops logs`."""

from __future__ import annotations

from typing import Any

import typer

from ..core.errors import DataError
from ..core.interfaces import Aliaser, Deployer, ModelProvider, Tuner, require
from ..core.prompts import active_prompt, get_template
from ..core.types import GenerationConfig, Prediction
from .common import (
    FormatOption,
    JsonOption,
    console,
    err_console,
    logged_model_name,
    output_format,
    parse_params,
    parse_since,
    print_csv,
    print_json,
    session,
    show_progress,
)

models_app = typer.Typer(help="Models: list base and tuned models, set aliases, deploy.", no_args_is_help=True)

_SHORT = {
    "HARM_CATEGORY_DANGEROUS_CONTENT": "dangerous",
    "HARM_CATEGORY_HARASSMENT": "harassment",
    "HARM_CATEGORY_HATE_SPEECH": "hate",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT": "sexual",
}


def _short(category: str) -> str:
    return _SHORT.get(category, category)


def _safety_line(p: Prediction) -> str:
    ratings = " · ".join(f"{_short(r.category)} {r.probability_score:.1f}" for r in p.safety.ratings)
    if not p.blocked:
        return f"safety: ok · {ratings}" if ratings else "safety: ok"
    why = ", ".join(
        f"{_short(r.category)} {r.probability} {r.probability_score:.1f}" for r in p.safety.ratings if r.blocked
    )
    where = "prompt" if p.prompt_blocked else "response"
    return f"safety: BLOCKED ({where}: {why or 'forced'}) · content withheld · {ratings}"


def _show_prediction(p: Prediction) -> None:
    if p.blocked:
        console.print("(no content: the response was blocked for safety)", style="yellow")
    else:
        console.print(p.text, markup=False, highlight=False)
    console.print()
    console.print(_safety_line(p), markup=False, style="red" if p.blocked else "dim")
    if p.citations:
        console.print("citations:", style="dim")
        for i, c in enumerate(p.citations, 1):
            where = f" — {c.uri}" if c.uri else ""
            console.print(
                f"  [{i}] chars {c.start_index}-{c.end_index} · {c.title or '(untitled)'}{where} ({c.license or 'no license'})",
                markup=False,
            )
    console.print(f"model {p.model} · {p.latency_ms:.1f} ms · finish {p.finish_reason}", markup=False, style="dim")


def predict_command(
    prompt: str | None = typer.Argument(None, help="The prompt to send (not with --batch)."),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Base model, tuned model, alias or endpoint (default: the base_model setting)."
    ),
    temperature: float = typer.Option(0.0, "--temperature", "-t", help="Sampling temperature, 0 to 2."),
    max_output_tokens: int = typer.Option(256, "--max-output-tokens", help="Cut the answer after this many tokens."),
    system: str | None = typer.Option(None, "--system", help="System instruction."),
    safety: list[str] | None = typer.Option(
        None,
        "--safety",
        help="Block threshold per category, e.g. harassment=BLOCK_ONLY_HIGH or '*=BLOCK_NONE' (repeatable).",
    ),
    no_log: bool = typer.Option(False, "--no-log", help="Do not write this prediction to the log."),
    ground: str | None = typer.Option(None, "--ground", help="Ground the answer on this retrieval corpus."),
    top_k: int = typer.Option(5, "--top-k", help="Chunks retrieved for --ground."),
    template: str | None = typer.Option(
        None,
        "--template",
        help="Put the prompt into this template: a registered name or prompts:/NAME[@VERSION|@ALIAS] "
        "(the log records a registry prompt's name and version).",
    ),
    batch: str | None = typer.Option(
        None, "--batch", help="Answer every line of this JSONL file (or, on vertex, a gs:// or bq:// source)."
    ),
    output: str | None = typer.Option(None, "--output", "-o", help="Where --batch writes its answers."),
    json_: bool = JsonOption,
) -> None:
    """Send one prompt to a model; print the answer with its safety ratings and citations."""
    from ..core import monitoring

    if batch is not None or output is not None:
        from .batch_predict import batch_predict_command

        batch_predict_command(prompt, batch, output, model, temperature, max_output_tokens, system, safety, json_)
        return
    if prompt is None or not prompt.strip():
        raise DataError(
            "the prompt is empty", fix='pass the text to send, e.g. llmops predict "How do I read a CSV file?"'
        )
    gen = GenerationConfig(temperature=temperature, max_output_tokens=max_output_tokens, system_instruction=system)
    limits = {k: str(v) for k, v in parse_params(safety, "--safety", "CATEGORY=THRESHOLD").items()} or None
    s = session()
    tmpl = get_template(template, s.settings.workspace) if template else None
    if ground:
        from .grounded import grounded_predict_command

        grounded_predict_command(
            tmpl.render(prompt) if tmpl else prompt,
            ground,
            model=model,
            generation=gen,
            safety=limits,
            top_k=top_k,
            log=False if no_log else None,
            json_=json_,
            show=_show_prediction,
        )
        return
    with active_prompt(tmpl):
        p = monitoring.predict(
            s,
            tmpl.render(prompt) if tmpl else prompt,
            model=model,
            generation=gen,
            safety=limits,
            log=False if no_log else None,
        )
    if json_:
        print_json(p.to_cli_dict())
    else:
        _show_prediction(p)


def tune_command(
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="Dataset version (default: the newest)."),
    base_model: str | None = typer.Option(
        None, "--base-model", help="Base model to tune (default: the base_model setting)."
    ),
    display_name: str | None = typer.Option(None, "--display-name", help="Display name of the tuned model."),
    epochs: int = typer.Option(1, "--epochs", min=1, help="Training epochs (recorded; a retrieval model has none)."),
    json_: bool = JsonOption,
) -> None:
    """Tune a base model on a dataset version's training split, register and deploy it."""
    from ..core import data

    s = session()
    tuner = require(s.model, Tuner)
    version = data.get_version(s, dataset) if dataset else data.latest_version(s)
    base = base_model or s.settings.base_model
    display_name = display_name or f"{base} tuned on dataset {version.version}"
    if show_progress() and not json_:
        with err_console.status(f"tuning {base} on dataset {version.version} ({version.train.rows} rows)"):
            job = tuner.tune(base, version.train.uri, version.eval.uri, epochs=epochs, display_name=display_name)
    else:
        job = tuner.tune(base, version.train.uri, version.eval.uri, epochs=epochs, display_name=display_name)
    tuned = job.tuned_model
    out = {
        "job": job.name,
        "state": job.state,
        "tuned_model": tuned.name if tuned else None,
        "endpoint": tuned.endpoint if tuned else None,
        "display_name": tuned.display_name if tuned else job.display_name,
        "base_model": job.base_model,
        "dataset": version.version,
        "error": job.error,
    }
    if json_:
        print_json(out)
        return
    if tuned is None:
        console.print(f"tuning job {job.name} ended in {job.state}: {job.error or 'no model'}", markup=False)
        raise typer.Exit(1)
    console.print(
        f"tuned [bold]{tuned.name}[/] ({tuned.display_name}) from {job.base_model} on dataset {version.version}"
    )
    console.print(f"  job {job.name} {job.state} · endpoint {tuned.endpoint}", markup=False)
    console.print(f'  try: llmops predict --model {tuned.name} "<question>"', markup=False)


def _model_rows(model: ModelProvider) -> list[dict[str, Any]]:
    base = model.list_base_models()
    rows: list[dict[str, Any]] = [
        {
            "name": n,
            "kind": "base",
            "display_name": n,
            "base_model": None,
            "aliases": [],
            "endpoint": None,
            "created": None,
        }
        for n in base
    ]
    for m in model.list_tuned_models() if isinstance(model, Tuner) else []:
        rows.append({"name": m.name, "kind": "tuned", **{k: v for k, v in m.to_dict().items() if k != "name"}})
    return rows


@models_app.command("list")
def list_command(json_: bool = JsonOption, fmt: str | None = FormatOption) -> None:
    """List base models and tuned models (newest first) with aliases and endpoints."""
    from rich.table import Column, Table
    from rich.text import Text

    rows = _model_rows(session(read_only=True).model)
    shape = output_format(fmt, json_)
    if shape == "json":
        print_json(rows)
        return
    if shape == "csv":
        print_csv(rows)
        return
    table = Table(
        Column("name", no_wrap=True), "display name", "base model", "aliases", Column("endpoint", no_wrap=True)
    )
    for r in rows:
        if r["kind"] == "base":
            continue
        table.add_row(
            *(
                Text(str(v))
                for v in (
                    r["name"],
                    r["display_name"],
                    r["base_model"] or "",
                    ", ".join(r["aliases"]),
                    r["endpoint"] or "",
                )
            )
        )
    bases = [r["name"] for r in rows if r["kind"] == "base"]
    if table.row_count:
        console.print(table)
    else:
        console.print("no tuned models yet (create one with `llmops tune`)", markup=False)
    if bases:
        console.print(f"base models: {', '.join(bases)}", markup=False, style="dim")


@models_app.command("show")
def show_command(
    name: str = typer.Argument(..., help="Base or tuned model: name, alias, endpoint or display name."),
    json_: bool = JsonOption,
) -> None:
    """Show one model: kind, base model, aliases, endpoint and what else is known of it."""
    from ..core.errors import NotFoundError
    from .common import did_you_mean

    rows = _model_rows(session(read_only=True).model)
    for r in rows:
        names = {r.get("name"), r.get("endpoint"), r.get("display_name"), *(r.get("aliases") or [])}
        if name in names:
            break
    else:
        known = {str(v) for r in rows for v in (r.get("name"), *(r.get("aliases") or [])) if v}
        raise NotFoundError(f"unknown model {name!r}", fix=f"{did_you_mean(name, known)}see `llmops models list`")
    if json_:
        print_json(r)
        return
    for key, value in r.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        console.print(f"{key + ':':<14}{'' if shown is None else shown}", markup=False)


@models_app.command("alias")
def alias_command(
    name: str = typer.Argument(..., help="Tuned model (name, alias, endpoint or display name)."),
    alias: str = typer.Argument(..., help="Alias to point at it (moved from any other model)."),
    json_: bool = JsonOption,
) -> None:
    """Point an alias at a tuned model."""
    model = require(session().model, Aliaser).set_alias(name, alias)
    if json_:
        print_json(model.to_dict())
    else:
        console.print(f"{alias} -> {model.name} (aliases: {', '.join(model.aliases)})", markup=False)


@models_app.command("deploy")
def deploy_command(
    name: str = typer.Argument(..., help="Tuned model (name, alias or display name)."),
    json_: bool = JsonOption,
) -> None:
    """Deploy a tuned model to an endpoint (tuning already deploys; this is idempotent)."""
    endpoint = require(session().model, Deployer).deploy(name)
    if json_:
        print_json({"endpoint": endpoint.name, "model": endpoint.model, "uri": endpoint.uri})
    else:
        console.print(f"{endpoint.model} is served by {endpoint.name}", markup=False)


def _clip(text: str | None, width: int) -> str:
    one = " ".join((text or "").split())
    return one if len(one) <= width else one[: width - 1] + "…"


def logs_command(
    n: int = typer.Option(20, "-n", "--count", help="How many predictions, newest first (0: all)."),
    model: str | None = typer.Option(None, "--model", "-m", help="Only predictions of this model."),
    since: str | None = typer.Option(None, "--since", help="Only predictions since: 1h, 30m, 2d or an ISO date."),
    request_id: str | None = typer.Option(None, "--id", help="Only the prediction with this request id."),
    trace: str | None = typer.Option(
        None, "--trace", help="Show the span tree of this chain run (trace id or prefix)."
    ),
    json_: bool = JsonOption,
    fmt: str | None = FormatOption,
) -> None:
    """Show the newest logged predictions (or one by request id, or a chain run's span tree)."""
    if trace is not None:
        from .chain import show_trace

        show_trace(trace, json_)
        return
    from rich.table import Column, Table
    from rich.text import Text

    from ..core import monitoring

    when = parse_since(since) if since else None
    s = session(read_only=True)
    if model is not None:
        model = logged_model_name(s, model)  # `--model prod` finds what the alias answered with
    rows = monitoring.log_for(s).recent(n, request_id=request_id, model=model, since=when)
    if request_id and not rows:
        from ..core.errors import NotFoundError

        raise NotFoundError(
            f"no logged prediction has request id {request_id!r}", fix="list ids with llmops logs --json"
        )
    shape = output_format(fmt, json_)
    if shape == "json":
        print_json(rows)
        return
    if shape == "csv":
        print_csv(rows)
        return
    if not rows:
        console.print("no predictions logged yet", markup=False)
        return
    table = Table(Column("time (UTC)", no_wrap=True), "model", "ms", "safety", "cites", "prompt", "response")
    for r in rows:
        table.add_row(
            (r["created"] or "")[5:19].replace("T", " "),
            r["model"] or "",
            f"{r['latency_ms']:.1f}" if r["latency_ms"] is not None else "",
            "BLOCKED" if r["blocked"] else "ok",
            str(r["citations_count"]),
            Text(_clip(r["prompt"], 40)),
            Text(_clip(r["response"], 50)),
        )
    console.print(table)


def add_commands(cli: typer.Typer) -> None:
    cli.command("predict")(predict_command)
    cli.command("tune")(tune_command)
    cli.command("logs")(logs_command)
    cli.add_typer(models_app, name="models")
