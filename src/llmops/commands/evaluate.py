"""`llmops eval`: compare models side by side on a dataset version's evaluation split."""

from __future__ import annotations

import typer
from rich.table import Table

from ..core import evaluation
from ..core.evaluation import HIGHER_IS_BETTER, METRIC_KEYS, EvaluationResult
from ..core.prompts import PromptTemplate
from .common import JsonOption, check_models, console, err_console, print_json, session, show_progress


def metrics_table(columns: list[tuple[str, dict[str, float]]], title: str | None = None) -> Table:
    """Metrics as rows, one column per model; the best value of each comparable metric is bold."""
    table = Table("metric", *[name for name, _ in columns], title=title, title_justify="left")
    for key in METRIC_KEYS:
        values = [m.get(key) for _, m in columns]
        present = [v for v in values if v is not None]
        best = None
        if len(present) > 1 and key in HIGHER_IS_BETTER and len(set(present)) > 1:
            best = max(present) if HIGHER_IS_BETTER[key] else min(present)
        cells = []
        for v in values:
            text = "" if v is None else f"{v:g}"
            cells.append(f"[bold green]{text}[/]" if best is not None and v == best else text)
        table.add_row(key, *cells)
    return table


def eval_command(
    model: list[str] | None = typer.Option(
        None,
        "--model",
        "-m",
        help="Model, tuned model, alias or endpoint; PROVIDER:MODEL to answer with another model provider, "
        "e.g. openai:google/gemini-2.0-flash-001 (repeatable). Default: the base model.",
    ),
    dataset: str | None = typer.Option(
        None, "--dataset", "-d", help="Dataset version (or unique prefix). Default: the newest."
    ),
    limit: int | None = typer.Option(None, "--limit", "-n", help="Evaluate on at most N examples."),
    prompt: list[str] | None = typer.Option(
        None,
        "--prompt",
        "-p",
        help="Ask with this template instead of the dataset's: a registered template name or "
        "prompts:/NAME[@VERSION|@ALIAS] (repeatable: every model × prompt version is evaluated).",
    ),
    json_: bool = JsonOption,
) -> None:
    """Evaluate models on a dataset version's held-out split and compare their metrics."""
    s = session()
    models = list(model or [s.settings.base_model])
    for name in models:
        evaluation.split_model(s, name)  # an unknown provider fails before any model runs
    check_models(s, models)  # so does a typo in any model name
    templates: list[PromptTemplate | None] = [evaluation.prompt_template(s, p) for p in prompt or []] or [None]
    version, examples = evaluation.eval_set(s, dataset, limit)
    results: list[EvaluationResult] = []
    v = version.version
    for template in templates:
        asked = examples if template is None else evaluation.reprompt(s, version, examples, template)
        for name in models:
            if show_progress():
                with err_console.status(f"evaluating {name} on {len(examples)} examples"):
                    results.append(evaluation.evaluate(s, asked, model=name, dataset_version=v, prompt=template))
            else:
                results.append(evaluation.evaluate(s, asked, model=name, dataset_version=v, prompt=template))
    if json_:
        print_json(
            {
                "dataset": {"version": version.version, "eval": {"uri": version.eval.uri, "rows": version.eval.rows}},
                "examples": len(examples),
                "models": [
                    {
                        "model": r.model,
                        **({"prompt": r.prompt} if r.prompt else {}),
                        "metrics": r.metrics,
                        "seconds": r.seconds,
                    }
                    for r in results
                ],
            }
        )
        return
    title = f"dataset {version.version} · {len(examples)} evaluation examples"
    console.print(metrics_table([(r.label, r.metrics) for r in results], title))


def add_commands(cli: typer.Typer) -> None:
    cli.command("eval")(eval_command)
