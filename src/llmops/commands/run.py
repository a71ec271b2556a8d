"""`llmops run`: the main job. Compiles the end-to-end pipeline (data preparation, tuning,
deployment, evaluation), runs it on the configured orchestrator, and shows what a user wants
to see: the dataset version, the tuned model and its endpoint, base-vs-tuned metrics, and a
sample prediction with its safety line and citations."""

from __future__ import annotations

import copy
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import typer

from ..core.errors import LlmopsError
from ..core.types import PipelineRun
from .common import JsonOption, console, err_console, print_json, session, show_progress
from .evaluate import metrics_table
from .pipeline import DEFAULT_PACKAGE, follow, raise_if_failed


def _ordered(metrics: dict[str, Any]) -> dict[str, Any]:
    """Metrics in METRIC_KEYS order (kfp's metadata comes back in any order)."""
    from ..core.evaluation import METRIC_KEYS

    return {k: metrics[k] for k in (*METRIC_KEYS, *sorted(set(metrics) - set(METRIC_KEYS))) if k in metrics}


def _evaluations(run: PipelineRun) -> dict[str, dict[str, Any]]:
    return {e.get("label") or e["task"]: e for e in (run.lineage or {}).get("evaluation", [])}


def _sample(session_: Any, evaluation: dict[str, Any] | None) -> dict[str, Any] | None:
    """One tuned-model answer from the evaluation's predictions file, preferring one that
    cites its source."""
    uri = (evaluation or {}).get("predictions_uri")
    if not uri:
        return None
    first = None
    try:
        with session_.artifacts.open(uri, "rb") as f:
            for raw in f:
                row = json.loads(raw)
                first = first or row
                if row["prediction"].get("citationMetadata", {}).get("citations") and not row["prediction"].get(
                    "blocked"
                ):
                    return row
    except (OSError, ValueError, KeyError, LlmopsError):
        return first
    return first


def summarize(session_: Any, run: PipelineRun, package: str, seconds: float) -> dict[str, Any]:
    """The main job's result, JSON-ready."""
    from ..core import data

    lineage = run.lineage or {}
    outputs = run.outputs or {}
    version_id = outputs.get("dataset_version") or lineage.get("dataset_version")
    dataset: dict[str, Any] = {"version": version_id}
    if version_id:
        try:
            dataset = data.get_version(session_, version_id).to_dict()
        except LlmopsError:
            pass
    evals = _evaluations(run)
    base, tuned = evals.get("base", {}), evals.get("tuned", {})
    return {
        "dataset": dataset,
        "model": {
            "name": outputs.get("tuned_model") or lineage.get("tuned_model"),
            "endpoint": outputs.get("endpoint") or lineage.get("endpoint"),
            "base_model": lineage.get("base_model"),
            "tuning_job": lineage.get("tuning_job"),
        },
        "evaluation": {
            "base": _ordered(base.get("metrics", {})),
            "tuned": _ordered(tuned.get("metrics", {})),
            "examples": int(tuned.get("examples") or base.get("examples") or 0),
            "models": {"base": base.get("model"), "tuned": tuned.get("model")},
        },
        "sample": _sample(session_, tuned),
        "pipeline": {
            "package": package,
            "run_id": run.run_id,
            "state": run.state,
            "seconds": round(seconds, 3),
            "tasks": [{"name": t.name, "state": t.state, "cached": t.cached, "seconds": t.seconds} for t in run.tasks],
        },
    }


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safety_line(prediction: dict[str, Any]) -> str:
    """`blocked` plus each rated category's probability bucket and score, on one line."""
    attrs = prediction.get("safetyAttributes") or {}
    parts = ["BLOCKED" if attrs.get("blocked") or prediction.get("blocked") else "not blocked"]
    # text-bison's ratings carry no probability bucket; Gemini's (under `gemini`) do.
    ratings = (prediction.get("gemini") or {}).get("safetyRatings") or attrs.get("safetyRatings") or []
    for r in ratings:
        name = str(r.get("category", "")).removeprefix("HARM_CATEGORY_").replace("_", " ").lower()
        bucket = r.get("probability")
        parts.append(" ".join(x for x in (name, bucket, f"{r.get('probabilityScore', 0):g}") if x))
    return " · ".join(parts)


def _render(summary: dict[str, Any]) -> None:
    ds = summary["dataset"]
    rows = ""
    if "train" in ds:
        rows = f"  {ds['train']['rows']} train / {ds['eval']['rows']} eval rows"
    console.print(f"[bold]dataset[/]   {ds.get('version')}{rows}", highlight=False)
    m = summary["model"]
    console.print(
        f"[bold]model[/]     {m['name']}  (tuned from {m['base_model']}, job {m['tuning_job']})", highlight=False
    )
    console.print(f"[bold]endpoint[/]  {m['endpoint']}", highlight=False)
    ev = summary["evaluation"]
    if ev["base"] or ev["tuned"]:
        names = ev["models"]
        console.print(
            metrics_table(
                [(f"base ({names['base']})", ev["base"]), (f"tuned ({names['tuned']})", ev["tuned"])],
                f"evaluation on {ev['examples']} held-out examples",
            )
        )
    sample = summary.get("sample")
    if sample:
        pred = sample["prediction"]
        console.print("[bold]sample prediction[/] (tuned model)")
        question = sample["prompt"].rsplit("Stackoverflow question:", 1)[-1]
        console.print(f"  question:  {_short(question, 160)}", markup=False, highlight=False)
        console.print(
            f"  answer:    {_short(pred.get('content', ''), 240) or '(withheld)'}", markup=False, highlight=False
        )
        console.print(f"  safety:    {safety_line(pred)}", markup=False, highlight=False)
        for i, c in enumerate(pred.get("citationMetadata", {}).get("citations") or [], start=1):
            console.print(
                f"  citation [{i}] {c.get('title') or ''} {c.get('uri') or ''} ({c.get('license') or 'no license'})"
                f" chars {c.get('startIndex')}-{c.get('endIndex')}",
                markup=False,
                highlight=False,
            )
    p = summary["pipeline"]
    cached = sum(1 for t in p["tasks"] if t["cached"])
    console.print(
        f"[bold]pipeline[/]  run {p['run_id']} {p['state']} in {p['seconds']:.1f} s · {len(p['tasks'])} tasks, {cached} cached",
        highlight=False,
    )


def _compile(settings: Any, package: Path) -> None:
    """Compile the end-to-end pipeline unless the package is current (importing kfp and
    building the pipeline is most of a cached run)."""
    from ..kfp_local.compiled import compile_if_changed

    def compile_(path: Path) -> None:
        from ..core import pipeline as core_pipeline

        if show_progress():
            err_console.print(f"compiling the end-to-end pipeline to {path}", highlight=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            core_pipeline.compile_default(settings, path)

    core_dir = Path(__file__).resolve().parent.parent / "core"
    sources = [core_dir / name for name in ("pipeline.py", "pipeline_checks.py", "prompts.py")]
    compile_if_changed(package, sources, {"component_image": getattr(settings, "component_image", None)}, compile_)


def _parameters(settings: Any) -> dict[str, Any]:
    """core.pipeline.default_parameters without importing kfp (it must stay in step)."""
    params: dict[str, Any] = {
        "settings": {k: v for k, v in copy.deepcopy(settings.to_json_dict()).items() if v is not None},
        "base_model": settings.base_model,
    }
    return params


def _since_process_start() -> float | None:
    """Seconds since this process started (Linux), to report start-up time."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def _cache_lookup_seconds(orchestrator: Any, run_id: str) -> float | None:
    record = getattr(orchestrator, "record", None)
    if record is None:
        return None
    try:
        return record(run_id).get("cache_lookup_seconds")
    except LlmopsError:
        return None


def run_command(
    json_: bool = JsonOption,
    no_cache: bool = typer.Option(False, "--no-cache", help="Run every task, ignoring cached results."),
    timeout: float | None = typer.Option(None, "--timeout", help="Stop the run after this many seconds."),
) -> None:
    """Run the whole workflow: prepare data, tune, deploy, evaluate base vs tuned."""
    from ..core.interfaces import Deployer, Tuner, require

    started = time.perf_counter()
    s = session()
    require(s.model, Tuner)  # the pipeline tunes and deploys: say so before compiling anything
    require(s.model, Deployer)
    package = s.workspace.pipelines / DEFAULT_PACKAGE
    _compile(s.settings, package)
    orchestrator = s.orchestrator
    params = _parameters(s.settings)
    startup = _since_process_start() or (time.perf_counter() - started)
    run = orchestrator.submit(package, params, enable_caching=not no_cache)
    run = follow(orchestrator, run, timeout)
    if run.state != "SUCCEEDED":
        if json_:
            print_json(
                {
                    "pipeline": {
                        "package": str(package),
                        "run_id": run.run_id,
                        "state": run.state,
                        "error": run.error,
                        "tasks": [
                            {"name": t.name, "state": t.state, "cached": t.cached, "seconds": t.seconds}
                            for t in run.tasks
                        ],
                    }
                }
            )
        raise_if_failed(run)
    summary = summarize(s, run, str(package), time.perf_counter() - started)
    summary["pipeline"]["startup_seconds"] = round(startup, 3)
    summary["pipeline"]["cache_lookup_seconds"] = _cache_lookup_seconds(orchestrator, run.run_id)
    if json_:
        print_json(summary)
    else:
        _render(summary)


def add_commands(cli: typer.Typer) -> None:
    cli.command("run")(run_command)
