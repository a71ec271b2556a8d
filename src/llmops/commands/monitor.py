"""`llmops monitor`: the report, threshold checks and a watch loop over the prediction log."""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

import typer

from ..core.errors import ConfigError
from .common import JsonOption, console, err_console, print_json, session

monitor_app = typer.Typer(help="Monitor logged predictions: report, check, watch.", no_args_is_help=True)

SinceOption = typer.Option(None, "--since", help="Window start: ISO time (UTC) or a duration back, e.g. 6h.")
UntilOption = typer.Option(None, "--until", help="Window end (exclusive): ISO time or a duration back.")
ModelOption = typer.Option(None, "--model", help="Only this model's predictions.")
BaselineOption = typer.Option(
    None,
    "--baseline",
    help="Reference for drift: 'previous', SINCE..UNTIL, or eval:VERSION (a dataset version's eval split; eval:latest).",
)
TableOption = typer.Option(
    None, "--table", help="Read this table instead of llmops.predictions (profile: monitor.table)."
)
SourceOption = typer.Option(
    None,
    "--source",
    help="llmops (the llmops prediction log) or vertex-log (a Vertex AI request-response logging "
    "table, given by --table); profile: monitor.source.",
)
SOURCES = ("llmops", "vertex-log")


def _monitor_settings():
    from ..monitoring.plugin import MonitorSettings

    return session().settings.section(MonitorSettings)


def _figures(
    since: str | None,
    until: str | None,
    model: str | None,
    baseline: str | None,
    table: str | None,
    alpha: float | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    from ..core.monitoring import PREDICTIONS_TABLE, log_for
    from ..monitoring import baseline as baseline_mod
    from ..monitoring import drift, report

    s = session()
    conf = _monitor_settings()
    source = source or conf.source
    if source not in SOURCES:
        raise ConfigError(f"--source {source!r} is not a log source", fix=f"pass one of: {', '.join(SOURCES)}")
    table = table or conf.table
    if source == "vertex-log" and not table:
        raise ConfigError(
            "--source vertex-log needs the logging table",
            fix="pass --table project.dataset.table (or set table in the profile's monitor table)",
        )
    if not table:
        log_for(s).ensure_table()
    ref = None
    if baseline_mod.is_eval(baseline):
        ref, baseline = baseline_mod.eval_columns(s, baseline or ""), None
    return report.build(
        s.warehouse,
        since=report.parse_time(since, "--since") if since else None,
        until=report.parse_time(until, "--until") if until else None,
        model=model,
        baseline=baseline,
        table=table or PREDICTIONS_TABLE,
        alpha=alpha if alpha is not None else drift.ALPHA,
        source=source,
        baseline_columns=ref,
    )


@monitor_app.command("report")
def report_command(
    out: str = typer.Option(None, "--out", help="HTML file to write (written atomically)."),
    since: str | None = SinceOption,
    until: str | None = UntilOption,
    model: str | None = ModelOption,
    baseline: str | None = BaselineOption,
    table: str | None = TableOption,
    source: str | None = SourceOption,
    json_: bool = JsonOption,
) -> None:
    """Write a self-contained HTML report (and/or print its figures as JSON)."""
    from ..monitoring import report

    if not out and not json_:
        raise ConfigError("nothing to write", fix="pass --out report.html and/or --json")
    figures = _figures(since, until, model, baseline, table, source=source)
    if out:
        path = report.write_atomic(out, report.render_html(figures))
        figures["html"] = str(path)
    if json_:
        print_json(figures)
    else:
        s = figures["summary"]
        console.print(
            f"{path}: {s['requests']} predictions, p95 {s['latency_p95']:.1f} ms, blocked {s['blocked_rate']:.2%}",
            markup=False,
        )


def _thresholds(**flags: float | None):
    """The flags given, the rest from the profile's `monitor` section."""
    from dataclasses import fields

    from ..monitoring.checks import Thresholds

    conf = _monitor_settings()
    t = Thresholds(
        **{
            f.name: flags[f.name] if flags.get(f.name) is not None else getattr(conf, f.name)
            for f in fields(Thresholds)
        }
    )
    if not t.any():
        raise ConfigError(
            "no thresholds given",
            fix="pass e.g. --max-blocked-rate 0.05 --max-p95-ms 800, or set them in the profile's monitor table "
            "(max_p95_ms = 800) or LLMOPS_MONITOR_MAX_P95_MS",
        )
    return t


def _check(t, since, until, model, baseline, table, source=None) -> tuple[dict[str, Any], list]:
    from ..monitoring.checks import evaluate

    if t.needs_baseline() and not baseline:
        baseline = "previous"
    figures = _figures(since, until, model, baseline, table, alpha=t.max_drift_p, source=source)
    return figures, evaluate(figures, t)


def _report_check(figures: dict[str, Any], breaches: list, json_: bool) -> None:
    if json_:
        print_json({"ok": not breaches, "window": figures["window"], "breaches": [b.__dict__ for b in breaches]})
    elif breaches:
        for b in breaches:
            err_console.print(f"BREACH {b.line()}", markup=False)
    else:
        console.print(f"ok: {figures['summary']['requests']} predictions within every threshold", markup=False)


MaxBlocked = typer.Option(None, "--max-blocked-rate", help="Most blocked share allowed (0-1).")
MaxError = typer.Option(None, "--max-error-rate", help="Most failed share allowed (0-1).")
MaxP95 = typer.Option(None, "--max-p95-ms", help="Highest p95 latency allowed (ms).")
MaxP99 = typer.Option(None, "--max-p99-ms", help="Highest p99 latency allowed (ms).")
MinCite = typer.Option(None, "--min-citation-rate", help="Lowest cited share allowed (0-1).")
MinGround = typer.Option(None, "--min-grounding", help="Lowest mean grounding score allowed.")
MaxDriftP = typer.Option(None, "--max-drift-p", help="Drift when a test's p-value is below this (needs a baseline).")


@monitor_app.command("check")
def check_command(
    max_blocked_rate: float | None = MaxBlocked,
    max_error_rate: float | None = MaxError,
    max_p95_ms: float | None = MaxP95,
    max_p99_ms: float | None = MaxP99,
    min_citation_rate: float | None = MinCite,
    min_grounding: float | None = MinGround,
    max_drift_p: float | None = MaxDriftP,
    since: str | None = SinceOption,
    until: str | None = UntilOption,
    model: str | None = ModelOption,
    baseline: str | None = BaselineOption,
    table: str | None = TableOption,
    source: str | None = SourceOption,
    json_: bool = JsonOption,
) -> None:
    """Exit 3 and name every broken threshold (for cron and CI); exit 0 when all hold.
    Thresholds not given as flags come from the profile's `[profiles.NAME.monitor]`."""
    t = _thresholds(
        max_blocked_rate=max_blocked_rate,
        max_error_rate=max_error_rate,
        max_p95_ms=max_p95_ms,
        max_p99_ms=max_p99_ms,
        min_citation_rate=min_citation_rate,
        min_grounding=min_grounding,
        max_drift_p=max_drift_p,
    )
    figures, breaches = _check(t, since, until, model, baseline, table, source)
    _report_check(figures, breaches, json_)
    if breaches:
        raise typer.Exit(3)


@monitor_app.command("watch")
def watch_command(
    interval: float = typer.Option(60.0, "--interval", help="Seconds between checks."),
    on_breach: str | None = typer.Option(
        None, "--on-breach", help="Shell command run on each breach; the breaches are on its stdin as JSON."
    ),
    max_checks: int | None = typer.Option(None, "--max-checks", help="Stop after this many checks."),
    window: str = typer.Option("1h", "--window", help="Each check covers this long back from now (e.g. 1h)."),
    max_blocked_rate: float | None = MaxBlocked,
    max_error_rate: float | None = MaxError,
    max_p95_ms: float | None = MaxP95,
    max_p99_ms: float | None = MaxP99,
    min_citation_rate: float | None = MinCite,
    min_grounding: float | None = MinGround,
    max_drift_p: float | None = MaxDriftP,
    model: str | None = ModelOption,
    table: str | None = TableOption,
    source: str | None = SourceOption,
    json_: bool = JsonOption,
) -> None:
    """Re-check the thresholds every --interval seconds over the last --window; run --on-breach
    when any break. Exits 3 after the last check if it breached."""
    from ..core.errors import LlmopsError

    if interval <= 0:
        raise ConfigError(f"--interval must be positive, got {interval}", fix="pass --interval 60")
    t = _thresholds(
        max_blocked_rate=max_blocked_rate,
        max_error_rate=max_error_rate,
        max_p95_ms=max_p95_ms,
        max_p99_ms=max_p99_ms,
        min_citation_rate=min_citation_rate,
        min_grounding=min_grounding,
        max_drift_p=max_drift_p,
    )
    n, breaches = 0, list[Any]()
    while max_checks is None or n < max_checks:
        if n:
            time.sleep(interval)
        n += 1
        try:
            figures, breaches = _check(t, window, None, model, None, table, source)
        except LlmopsError as exc:  # an empty window is not an error while watching
            err_console.print(f"check {n}: {exc}", markup=False)
            breaches = []
            continue
        _report_check(figures, breaches, json_)
        if breaches and on_breach:
            payload = json.dumps({"window": figures["window"], "breaches": [b.__dict__ for b in breaches]}) + "\n"
            subprocess.run(on_breach, shell=True, input=payload, text=True, check=False)
    if breaches:
        raise typer.Exit(3)


@monitor_app.command("compact")
def compact_command(json_: bool = JsonOption) -> None:
    """Move finished log segments into Parquet (faster reports; safe while others write)."""
    from ..core.monitoring import SegmentLog, log_for

    log = log_for(session())
    if not isinstance(log, SegmentLog):
        raise ConfigError("only the local log has segments to compact", fix="use the local profile")
    moved = log.compact()
    if json_:
        print_json({"rows": moved})
    else:
        console.print(f"compacted {moved} rows", markup=False)


@monitor_app.command("enable")
def enable_command(
    model: str = typer.Option(..., "--model", help="Base model (gemini-2.5-flash) or endpoint (endpoints/ID)."),
    table: str = typer.Option(..., "--table", help="BigQuery table for the log: project.dataset.table."),
    sampling_rate: float = typer.Option(1.0, "--sampling-rate", help="Share of requests logged, in (0, 1]."),
    disable: bool = typer.Option(False, "--disable", help="Turn the logging off instead."),
    json_: bool = JsonOption,
) -> None:
    """Turn on Vertex AI request-response logging for a model or endpoint (vertex provider);
    read it back with `llmops monitor report --source vertex-log --table TABLE`."""
    from ..monitoring import vertex_log

    result = vertex_log.enable(session(), model, table, sampling_rate, enabled=not disable)
    if json_:
        print_json(result)
    else:
        state = "on" if result["enabled"] else "off"
        console.print(
            f"request-response logging {state} for {model}: {result['sampling_rate']:g} of requests "
            f"-> bq://{result['table']}",
            markup=False,
        )


def add_commands(cli: typer.Typer) -> None:
    cli.add_typer(monitor_app, name="monitor")
