"""`llmops autosxs`: the AutoSxS pipeline (candidate against baseline, judged side by side in
both positions) on the profile's orchestrator."""

from __future__ import annotations

import uuid
from pathlib import Path

import typer

from .common import JsonOption, check_models, console, print_json, session


def autosxs_command(
    candidate: str | None = typer.Option(None, "--candidate", help="Model B, the candidate (default: base model)."),
    baseline: str | None = typer.Option(None, "--baseline", help="Model A, the baseline (default: base model)."),
    dataset: str | None = typer.Option(
        None,
        "--dataset",
        "-d",
        help="Dataset version (or prefix), or a JSONL file or URI. Default: the newest version.",
    ),
    limit: int = typer.Option(0, "--limit", "-n", help="Judge at most N examples (0: all)."),
    task: str = typer.Option("question_answering", "--task", help="question_answering, summarization, fluency, ..."),
    judge: str | None = typer.Option(None, "--judge", help="PROVIDER[:MODEL] that judges (default: the profile's)."),
    response_column_a: str | None = typer.Option(None, help="Pre-generated baseline answers in this column."),
    response_column_b: str | None = typer.Option(None, help="Pre-generated candidate answers in this column."),
    human_preference_column: str | None = typer.Option(
        None, help="Column with human preferences (A, B or TIE): report agreement and Cohen's kappa."
    ),
    id_column: list[str] | None = typer.Option(None, "--id-column", help="Column copied into each judgment."),
    judgments_out: Path | None = typer.Option(None, "--judgments", help="Copy the per-example judgments here."),
    json_: bool = JsonOption,
) -> None:
    """Compare a candidate with a baseline model as Google's AutoSxS does, as a pipeline run."""
    from ..core import data
    from ..core.errors import ConfigError, DataError
    from ..core.evaluation import split_model
    from ..core.workspace import atomic_write_text
    from ..evaluation.autosxs import compile_autosxs, metric_of, parameters, read_published
    from .pipeline import follow, raise_if_failed

    s = session()
    if limit < 0:
        raise ConfigError(f"--limit {limit} is below 0", fix="pass 0 for all examples or a positive number")
    metric_of(task)
    models = [m for m, col in ((baseline, response_column_a), (candidate, response_column_b)) if m and not col]
    for m in models:
        split_model(s, m)  # an unknown PROVIDER: fails here
    check_models(s, models)
    if dataset is None:
        dataset = data.latest_version(s).version
    elif "/" not in dataset and not dataset.endswith(".jsonl"):
        dataset = data.get_version(s, dataset).version
    destination = s.artifacts.uri_for("eval", "autosxs", uuid.uuid4().hex[:12])
    if "://" not in dataset and ("/" in dataset or dataset.endswith(".jsonl")):
        local = Path(dataset).expanduser()
        if not local.is_file():
            raise DataError(
                f"evaluation dataset {dataset} does not exist", fix="pass a JSONL file or a dataset version"
            )
        # The components may run elsewhere (Vertex AI): they read the copy in the artifact store.
        dataset = s.artifacts.put(local, f"{destination}/evaluation_dataset.jsonl")
    params = parameters(
        s.settings,
        evaluation_dataset=dataset,
        model_a=baseline or "",
        model_b=candidate or "",
        response_column_a=response_column_a,
        response_column_b=response_column_b,
        task=task,
        id_columns=list(id_column or []),
        human_preference_column=human_preference_column,
        judge=judge,
        limit=limit,
        judgments_destination=destination,
    )
    run = follow(s.orchestrator, s.orchestrator.submit(compile_autosxs(s), params, enable_caching=False))
    raise_if_failed(run)
    summary, judgments = read_published(s, destination)
    if judgments_out is not None:
        atomic_write_text(judgments_out, judgments)
    if json_:
        print_json({"run_id": run.run_id, "state": run.state, "evaluation_dataset": dataset, **summary})
        return
    console.print(f"AutoSxS over {dataset} · run {run.run_id} {run.state}", markup=False)
    console.print(
        f"  model B {candidate or '(base model)'} wins {summary.get('autosxs_model_b_win_rate')}, "
        f"model A {baseline or '(base model)'} wins {summary.get('autosxs_model_a_win_rate')}, "
        f"ties {summary.get('autosxs_tie_rate')} ({summary.get('judged')} judged, judge {summary.get('judge')})",
        markup=False,
    )
    if "cohens_kappa" in summary:
        console.print(
            f"  human agreement {summary['agreement']}, Cohen's kappa {summary['cohens_kappa']}", markup=False
        )


def add_commands(cli: typer.Typer) -> None:
    cli.command("autosxs")(autosxs_command)
