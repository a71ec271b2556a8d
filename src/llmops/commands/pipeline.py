"""`llmops pipeline compile | run | list | show`: Kubeflow pipelines on the configured
orchestrator (kfp's local runner by default)."""

from __future__ import annotations

import importlib.util
import sys
import time
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..core.errors import ConfigError, LlmopsError, NotFoundError
from ..core.interfaces import Canceller, Orchestrator
from ..core.types import PipelineRun
from .common import STATE, JsonOption, console, err_console, parse_params, print_json, session, show_progress

if TYPE_CHECKING:
    from rich.table import Table

pipeline_app = typer.Typer(help="Kubeflow pipelines: compile, run, list and show runs.", no_args_is_help=True)

TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}
DEFAULT_PACKAGE = "llmops-end-to-end.yaml"


# ---------------------------------------------------------------- following a run


def _tasks_table(run: PipelineRun, title: str | None = None) -> Table:
    from rich.table import Table

    table = Table("task", "state", "cached", "seconds", title=title, title_justify="left")
    colours = {"SUCCEEDED": "green", "FAILED": "red", "RUNNING": "yellow", "CANCELLED": "red"}
    for t in run.tasks:
        colour = colours.get(t.state)
        state = f"[{colour}]{t.state}[/]" if colour else t.state
        table.add_row(
            t.name,
            state,
            "yes" if t.cached else "",
            f"{t.seconds:.2f}" if t.state not in ("PENDING", "SKIPPED") else "",
        )
    return table


def follow(orchestrator: Orchestrator, run: PipelineRun, timeout: float | None = None) -> PipelineRun:
    """Wait for a run to end, showing its tasks live on a terminal. On timeout or Ctrl-C the
    run is stopped (where the orchestrator can) and returned as it ended."""
    deadline = None if timeout is None else time.monotonic() + timeout
    from rich.live import Live

    cancel: Callable[..., PipelineRun] | None = orchestrator.cancel if isinstance(orchestrator, Canceller) else None
    live = Live(console=err_console, transient=True, refresh_per_second=8) if show_progress() else None
    interval = 0.05
    try:
        if live is not None:
            live.start()
        while True:
            run = orchestrator.get(run.run_id)
            if live is not None:
                live.update(_tasks_table(run, f"pipeline {run.pipeline_name or ''} · run {run.run_id} · {run.state}"))
            if run.state in TERMINAL:
                return orchestrator.wait(run.run_id, timeout=30)
            if deadline is not None and time.monotonic() >= deadline:
                if cancel is None:
                    raise LlmopsError(
                        f"run {run.run_id} did not finish within {timeout:g} s; it is still running",
                        fix=f"follow it with `llmops pipeline show {run.run_id}`",
                    )
                return cancel(run.run_id, reason=f"timed out after {timeout:g} s")
            time.sleep(interval)
            interval = min(interval * 1.5, 0.25)
    except KeyboardInterrupt:
        if cancel is not None:
            cancel(run.run_id)
        raise
    finally:
        if live is not None:
            live.stop()


def raise_if_failed(run: PipelineRun) -> None:
    """Show a failed run's task log tail on stderr and raise its one-line error."""
    if run.state == "SUCCEEDED":
        return
    failed = next((t for t in run.tasks if t.state in ("FAILED", "CANCELLED") and t.log_tail), None)
    if failed is not None:
        err_console.print(
            f"[bold red]task {failed.name} {failed.state.lower()}[/]; last lines of its log:", highlight=False
        )
        err_console.print(failed.log_tail, markup=False, highlight=False)
    raise LlmopsError(
        f"pipeline run {run.run_id} {run.state.lower()}: {run.error or 'no reason recorded'}",
        fix=f"see `llmops pipeline show {run.run_id}`; tasks that succeeded are cached, so a re-run resumes after them",
    )


def _params_for_display(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    if isinstance(out.get("settings"), dict):
        s = out["settings"]
        out["settings"] = f"(llmops settings: profile {s.get('profile')}, workspace {s.get('workspace')})"
    return out


def _print_outputs(outputs: dict[str, Any]) -> None:
    if set(outputs) == {"Output"} and not isinstance(outputs["Output"], (dict, list)):
        console.print(str(outputs["Output"]), markup=False, highlight=False)
        return
    for name, value in outputs.items():
        if isinstance(value, dict) and "artifact" in value:
            value = f"{value['artifact']} {value['uri']}"
        console.print(f"{name}: {value}", markup=False, highlight=False)


# ---------------------------------------------------------------- compile


def _load_user_pipeline(source: str) -> tuple[Any, Path]:
    """The pipeline object in `FILE.py[:NAME]`, after checking its source for the common
    mistakes (before it is imported, as kfp builds pipelines at import time)."""
    from kfp.dsl.graph_component import GraphComponent

    from ..core.pipeline_checks import check_pipeline_file, reword_kfp_error

    path_text, _, name = source.partition(":") if not Path(source).exists() else (source, "", "")
    path = Path(path_text)
    if not path.is_file():
        raise NotFoundError(
            f"pipeline source {path_text!r} does not exist", fix="pass a Python file defining a @dsl.pipeline"
        )
    check_pipeline_file(path)
    spec = importlib.util.spec_from_file_location(f"_llmops_user_pipeline_{abs(hash(str(path.resolve())))}", path)
    if spec is None or spec.loader is None:
        raise ConfigError(
            f"pipeline source {path} is not a Python file", fix="pass a .py file defining a @dsl.pipeline"
        )
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.resolve().parent))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            spec.loader.exec_module(module)
    except (TypeError, ValueError) as exc:
        reworded = reword_kfp_error(exc)
        if reworded is not None:
            raise reworded from None
        raise ConfigError(
            f"{path} failed to import: {type(exc).__name__}: {exc}", fix="fix the error in the file"
        ) from None
    finally:
        sys.path.remove(str(path.resolve().parent))
    found = {k: v for k, v in vars(module).items() if isinstance(v, GraphComponent)}
    if name:
        if name not in found:
            raise NotFoundError(
                f"{path} has no pipeline {name!r}", fix=f"pipelines in it: {', '.join(sorted(found)) or '(none)'}"
            )
        return found[name], path
    if len(found) != 1:
        raise ConfigError(
            f"{path} defines {len(found)} pipelines" + (f" ({', '.join(sorted(found))})" if found else ""),
            fix=f"name one: {path}:PIPELINE" if found else "decorate a function with @dsl.pipeline",
        )
    return next(iter(found.values())), path


@pipeline_app.command("compile")
def compile_command(
    source: str | None = typer.Argument(
        None, help="A Python file with a @dsl.pipeline (FILE.py or FILE.py:NAME). Default: llmops' end-to-end pipeline."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Where to write the YAML package."),
    json_: bool = JsonOption,
) -> None:
    """Check a pipeline for the common mistakes and compile it to a KFP YAML package."""
    from ..core import pipeline as core_pipeline
    from ..core.pipeline_package import load_package, package_tasks, sha256_file

    s = session()
    if source is None:
        target = output or (s.workspace.pipelines / DEFAULT_PACKAGE)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            core_pipeline.compile_default(s.settings, target)
    else:
        func, path = _load_user_pipeline(source)
        target = output or path.with_suffix(".yaml")
        core_pipeline.compile_pipeline(func, target)
    spec = load_package(target)
    params = ((spec.get("root") or {}).get("inputDefinitions") or {}).get("parameters") or {}
    info = {
        "package": str(Path(target).resolve()),
        "pipeline_name": spec["pipelineInfo"]["name"],
        "sha256": sha256_file(Path(target)),
        "parameters": {k: v.get("parameterType") for k, v in params.items()},
        "tasks": package_tasks(spec),
    }
    if json_:
        print_json(info)
        return
    console.print(f"compiled [bold]{info['pipeline_name']}[/] to {info['package']}")
    console.print(f"  tasks: {', '.join(info['tasks'])}", highlight=False)
    console.print(f"  parameters: {', '.join(info['parameters']) or '(none)'}", highlight=False)


# ---------------------------------------------------------------- run, list, show


@pipeline_app.command("run")
def run_command(
    package: Path = typer.Argument(..., help="A compiled KFP pipeline package (YAML)."),
    param: list[str] | None = typer.Option(None, "--param", help="Pipeline parameter name=value (repeatable)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Run every task, ignoring cached results."),
    timeout: float | None = typer.Option(None, "--timeout", help="Stop the run after this many seconds."),
    run_name: str | None = typer.Option(None, "--run-name", help="Run id to use (default: pipeline name + time)."),
    json_: bool = JsonOption,
) -> None:
    """Run a compiled pipeline package and print its outputs."""
    if package.suffix == ".py":
        from ..core.errors import ConfigError

        raise ConfigError(
            f"{package} is Python source, not a compiled pipeline package",
            fix=f"compile it first: llmops pipeline compile {package}, then run the YAML it writes",
        )
    orchestrator = session().orchestrator
    run = orchestrator.submit(package, parse_params(param), run_name=run_name, enable_caching=not no_cache)
    run = follow(orchestrator, run, timeout)
    if json_:
        print_json(run.to_dict())
    else:
        if run.state != "SUCCEEDED" or not STATE.quiet:
            err_console.print(_tasks_table(run, f"run {run.run_id} · {run.state}"))
        if run.state == "SUCCEEDED":
            _print_outputs(run.outputs)
    raise_if_failed(run)


@pipeline_app.command("list")
def list_command(json_: bool = JsonOption) -> None:
    """List pipeline runs, newest first."""
    runs = session(read_only=True).orchestrator.list_runs()
    if json_:
        print_json(
            [
                {
                    "run_id": r.run_id,
                    "pipeline_name": r.pipeline_name,
                    "state": r.state,
                    "created": r.created,
                    "finished": r.finished,
                    "tasks": len(r.tasks),
                    "cached": sum(1 for t in r.tasks if t.cached),
                    "error": r.error,
                }
                for r in runs
            ]
        )
        return
    from rich.table import Column, Table

    # Run ids stay whole (they are what `pipeline show` takes). A generated id already says the
    # pipeline and the time (`NAME-YYYYMMDD-HHMMSS-XXXXXX`): only named runs need those columns.
    named = any(not (r.pipeline_name and r.run_id.startswith(r.pipeline_name)) for r in runs)
    columns = [Column("run", no_wrap=True, min_width=max((len(r.run_id) for r in runs), default=3))]
    columns += [Column("pipeline", no_wrap=True), Column("created (UTC)", no_wrap=True)] if named else []
    columns += [Column("state", no_wrap=True, min_width=9)]
    columns += [Column(n, justify="right", no_wrap=True, min_width=len(n)) for n in ("tasks", "cached")]
    table = Table(*columns)
    for r in runs:
        when = (r.created or "")[:16].replace("T", " ")
        table.add_row(
            r.run_id,
            *([r.pipeline_name or "", when] if named else []),
            r.state,
            str(len(r.tasks)),
            str(sum(1 for t in r.tasks if t.cached)),
        )
    console.print(table)


def _seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    parse = datetime.fromisoformat
    return round((parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds(), 3)


def _timings(record: dict[str, Any]) -> dict[str, Any]:
    """Where a run's time went: the worker's start-up (or the in-process cache answer), each
    task's start offset and duration, and the wall time."""
    created = record.get("created")
    tasks = [
        {
            "name": t["name"],
            "cached": bool(t.get("cached")),
            "start_seconds": _seconds_between(created, t.get("started")),
            "seconds": float(t.get("seconds") or 0.0),
        }
        for t in record.get("tasks", [])
        if t.get("started")
    ]
    return {
        "served_from_cache": bool(record.get("served_from_cache")),
        "cache_lookup_seconds": record.get("cache_lookup_seconds"),
        # to the first task: the worker's start, kfp's import and loading the package
        "startup_seconds": _seconds_between(created, min(t["started"] for t in record["tasks"] if t.get("started")))
        if tasks
        else _seconds_between(created, record.get("started")),
        "task_seconds": round(sum(t["seconds"] for t in tasks), 3),
        "wall_seconds": _seconds_between(created, record.get("finished")),
        "tasks": tasks,
    }


def _timings_table(timings: dict[str, Any]) -> Table:
    startup = timings["startup_seconds"]
    how = "answered from the cache in-process" if timings["served_from_cache"] else f"start-up {startup} s"
    title = f"timings · wall {timings['wall_seconds']} s · {how} · tasks {timings['task_seconds']} s"
    from rich.table import Table

    table = Table("task", "starts at (s)", "seconds", "cached", title=title, title_justify="left")
    for t in timings["tasks"]:
        table.add_row(t["name"], f"{t['start_seconds']:.2f}", f"{t['seconds']:.2f}", "yes" if t["cached"] else "")
    return table


@pipeline_app.command("show")
def show_command(
    run_id: str = typer.Argument(..., help="Run id, a unique prefix of one, or 'latest'."),
    json_: bool = JsonOption,
) -> None:
    """Show a run: state, tasks, outputs and lineage."""
    orchestrator = session(read_only=True).orchestrator
    run = orchestrator.get(run_id)
    record_of = getattr(orchestrator, "record", None)
    timings = _timings(record_of(run.run_id)) if record_of is not None else None
    if json_:
        print_json({**run.to_dict(), **({"timings": timings} if timings else {})})
        return
    console.print(f"run [bold]{run.run_id}[/] · pipeline {run.pipeline_name} · {run.state}", highlight=False)
    console.print(f"  created {run.created}  finished {run.finished or '-'}", highlight=False)
    if run.error:
        console.print(f"  [red]error:[/] {run.error}", highlight=False)
    console.print(f"  package {run.package}", highlight=False)
    for k, v in _params_for_display(run.parameters).items():
        console.print(f"  param {k} = {v!r}", markup=False, highlight=False)
    console.print(_tasks_table(run))
    if timings:
        console.print(_timings_table(timings))
    for t in run.tasks:
        if t.log_tail and t.state in ("FAILED", "CANCELLED"):
            console.print(f"[red]{t.name}[/] log tail:")
            console.print(t.log_tail, markup=False, highlight=False)
    if run.outputs:
        console.print("outputs:")
        _print_outputs(run.outputs)
    lineage = run.lineage or {}
    if lineage:
        console.print("lineage:")
        pkg = lineage.get("package") or {}
        console.print(f"  package      {pkg.get('path')} (sha256 {str(pkg.get('sha256'))[:12]})", highlight=False)
        for key in ("dataset_version", "base_model", "tuning_job", "tuned_model", "endpoint"):
            if lineage.get(key):
                console.print(f"  {key:<12} {lineage[key]}", highlight=False)
        for art in lineage.get("artifacts", []):
            console.print(f"  artifact     {art['task']}.{art['output']} ({art['type']}) {art['uri']}", highlight=False)
        for ev in lineage.get("evaluation", []):
            label = ev.get("label") or ev["task"]
            shown = ", ".join(f"{k}={v}" for k, v in ev.get("metrics", {}).items())
            console.print(f"  evaluation   {label} ({ev.get('model', '?')}): {shown}", highlight=False)


def add_commands(cli: typer.Typer) -> None:
    cli.add_typer(pipeline_app, name="pipeline")
