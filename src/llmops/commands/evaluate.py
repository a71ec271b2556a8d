"""`llmops eval`: compare models side by side on a dataset version's evaluation split."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from ..core import evaluation
from ..core.evaluation import HIGHER_IS_BETTER, METRIC_KEYS, EvaluationResult
from ..core.prompts import PromptTemplate
from .common import JsonOption, check_models, console, err_console, print_json, session, show_progress

if TYPE_CHECKING:
    from ..evaluation import judging


def metrics_table(columns: list[tuple[str, dict[str, float]]], title: str | None = None) -> Table:
    """Metrics as rows, one column per model; the best value of each comparable metric is bold."""
    table = Table("metric", *[name for name, _ in columns], title=title, title_justify="left")
    extra = [k for _, m in columns for k in m if k not in METRIC_KEYS]
    for key in [*METRIC_KEYS, *dict.fromkeys(extra)]:
        values = [m.get(key) for _, m in columns]
        present = [v for v in values if v is not None]
        best = None
        higher = HIGHER_IS_BETTER.get(key, True if key not in METRIC_KEYS else None)  # judge metrics: higher
        if len(present) > 1 and higher is not None and len(set(present)) > 1:
            best = max(present) if higher else min(present)
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
    metric: list[str] | None = typer.Option(
        None,
        "--metric",
        help="Model-based metric (repeatable): fluency, coherence, safety, groundedness, instruction_following, "
        "grounding, pairwise_quality, pairwise_fluency, ... (pairwise: each model against the first).",
    ),
    rubric: list[str] | None = typer.Option(
        None, "--rubric", help="Custom judge metric from a template file (text, or YAML {name, template, scale})."
    ),
    judge: str | None = typer.Option(
        None,
        "--judge",
        help="PROVIDER[:MODEL] that judges (default: the profile's; emulator = deterministic rules; "
        "vertex = Vertex AI's evaluation service, vertex:MODEL = that model).",
    ),
    samples: int = typer.Option(1, "--samples", help="Ask the judge N times: mean, spread and flip rate."),
    human_labels: str | None = typer.Option(
        None, "--human-labels", help="JSONL {example, metric, label[, model]}: report Cohen's kappa with the judge."
    ),
    judgments_out: str | None = typer.Option(
        None, "--judgments", help="Write every per-example judgment (score or choice, explanation) as JSONL."
    ),
    report: str | None = typer.Option(None, "--report", help="Write a self-contained HTML report here."),
    json_: bool = JsonOption,
) -> None:
    """Evaluate models on a dataset version's held-out split and compare their metrics."""
    from ..evaluation import judged, judging

    s = session()
    models = list(model or [s.settings.base_model])
    for name in models:
        evaluation.split_model(s, name)  # an unknown provider fails before any model runs
    check_models(s, models)  # so does a typo in any model name
    # Bad metrics, rubrics, judges and label files fail before any model runs too.
    judge_metrics, computed = judged.resolve_metrics(metric or [], rubric or [])
    if judge_metrics or computed or judge is not None:
        judging.make_judge(s, judge)
    if judge is not None and not (judge_metrics or computed):
        err_console.print(f"note: --judge {judge} judges nothing without a --metric or --rubric", markup=False)
    labels = judged.read_labels(human_labels) if human_labels else []
    if samples < 1:
        from ..core.errors import ConfigError

        raise ConfigError(f"--samples must be at least 1, got {samples}", fix="pass a positive number")
    if any(m.pairwise for m in judge_metrics) and len(models) * len(prompt or [None]) < 2:
        from ..core.errors import ConfigError

        raise ConfigError("a pairwise metric needs two models (the first is the baseline)", fix="pass -m twice")
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
    judgments = None
    if judge_metrics or computed:
        if show_progress():
            with err_console.status(f"judging {len(results)} model(s) on {len(examples)} examples"):
                judgments = judging.run(
                    s, results, examples, judge_metrics, computed, judge=judge, samples=samples, labels=labels
                )
        else:
            judgments = judging.run(
                s, results, examples, judge_metrics, computed, judge=judge, samples=samples, labels=labels
            )
        if judgments_out:
            judging.write_judgments(judgments_out, judgments)
    if report:
        from ..evaluation.report import write_report

        write_report(report, version.version, examples, results, judgments)
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
                **(judgments.to_dict() if judgments else {}),
                **({"report": report} if report else {}),
            }
        )
        return
    title = f"dataset {version.version} · {len(examples)} evaluation examples"
    console.print(metrics_table([(r.label, r.metrics) for r in results], title))
    if judgments:
        _print_judgments(judgments)
    if report:
        console.print(f"report: {report}")


def _print_judgments(judgments: judging.Judgments) -> None:
    for j in judgments.judged:
        sm = j.summary()
        if j.skipped:
            console.print(f"{j.metric} ({j.model}): skipped: {j.skipped}")
        elif j.pairwise:
            console.print(
                f"{j.metric}: {j.model} vs {j.baseline}: candidate wins {sm['candidate_model_win_rate']:.0%}, "
                f"baseline wins {sm['baseline_model_win_rate']:.0%}, ties {sm['tie_rate']:.0%} "
                f"(position-consistent {sm['position_consistency']:.0%}, {sm['n']} examples, {sm['errors']} errors)"
            )
        elif sm["errors"]:
            console.print(f"{j.metric} ({j.model}): {sm['errors']} unparseable or failed judge answers")
        if "samples" in sm:
            st = sm["samples"]
            console.print(
                f"  {j.metric} ({j.model}) over {st['per_example']} samples: spread {st['spread']}, flip rate {st['flip_rate']:.0%}"
            )
    for a in judgments.agreement:
        console.print(
            f"{a['metric']} ({a['model']}): Cohen's kappa with human labels {a['kappa']} on {a['n']} examples"
        )
    err_console.print(f"judge {judgments.judge}: {judgments.calls} calls, {judgments.cached} cached")


def add_commands(cli: typer.Typer) -> None:
    cli.command("eval")(eval_command)
