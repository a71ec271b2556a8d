"""The monitoring report: every figure from `queries` for a window (optionally against a
baseline window, for drift), as a JSON-ready dict and as one self-contained HTML file."""

from __future__ import annotations

import html
import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError, DataError
from ..core.interfaces import Warehouse
from ..core.monitoring import PREDICTIONS_TABLE
from ..core.workspace import make_temp_file
from . import drift, queries
from .svg import line_chart

SAMPLE_ROWS = 10000
"""Rows per window sampled for the drift tests."""


@dataclass(frozen=True)
class Window:
    """A half-open time window [since, until)."""

    since: datetime
    until: datetime

    def to_dict(self) -> dict[str, str]:
        return {"since": iso(self.since), "until": iso(self.until)}


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str, what: str) -> datetime:
    """An ISO 8601 time (UTC when no zone is given), or a duration back from now: 30m, 6h, 7d."""
    m = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if m:
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: int(m.group(1))})
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{what} {text!r} is not a time", fix="write an ISO time like 2024-05-01T12:00 or a duration like 6h"
        ) from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _rows(warehouse: Warehouse, q: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    sql, params = q
    return warehouse.query(sql, params).to_pylist()


def resolve_window(
    warehouse: Warehouse, since: datetime | None, until: datetime | None, model: str | None, table: str
) -> Window:
    """The window asked for, its open ends filled from the log; DataError when it is empty or
    the model has no predictions."""
    if since and until and since >= until:
        raise ConfigError(f"--since {iso(since)} is not before --until {iso(until)}", fix="swap them")
    known = _rows(warehouse, queries.models(table))
    if model and model not in {r["model"] for r in known}:
        names = ", ".join(sorted(str(r["model"]) for r in known)) or "none yet"
        raise DataError(f"model {model!r} has no logged predictions", fix=f"choose one of: {names}")
    rows = [r for r in known if not model or r["model"] == model]
    if not rows:
        raise DataError("no predictions logged yet", fix="make predictions with `llmops predict` first")
    first = min(r["first_created"] for r in rows)
    last = max(r["last_created"] for r in rows)
    window = Window(since or first, until or last + timedelta(microseconds=1))
    if window.since >= window.until:
        raise ConfigError(f"--since {iso(window.since)} is after the last prediction", fix="choose an earlier --since")
    return window


def baseline_window(spec: str, current: Window) -> Window:
    """`previous` (the same length just before the window) or `SINCE..UNTIL`."""
    if spec == "previous":
        return Window(current.since - (current.until - current.since), current.since)
    if ".." not in spec:
        raise ConfigError(f"--baseline {spec!r} is not a window", fix="write previous or SINCE..UNTIL")
    a, b = spec.split("..", 1)
    w = Window(parse_time(a, "--baseline start"), parse_time(b, "--baseline end"))
    if w.since >= w.until:
        raise ConfigError(f"--baseline {spec!r} ends before it starts", fix="write SINCE..UNTIL with SINCE first")
    return w


def _clean(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    return value


def _clean_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in r.items()} for r in rows]


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    keys = rows[0].keys() if rows else []
    return {k: [r[k] for r in rows] for k in keys}


def build(
    warehouse: Warehouse,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    model: str | None = None,
    baseline: str | None = None,
    table: str = PREDICTIONS_TABLE,
    text_drift: bool = True,
    alpha: float = drift.ALPHA,
    source: str = "llmops",
    baseline_columns: tuple[dict[str, Any], dict[str, list[Any]]] | None = None,
) -> dict[str, Any]:
    """Every figure of the report, JSON-ready. `source` `vertex-log` reads `table` as a Vertex
    AI request-response logging table (see `vertex_log`). `baseline_columns` (a label and
    sample columns, e.g. `baseline.eval_columns`) replaces a baseline window."""
    name = table
    if source == "vertex-log":
        from . import vertex_log

        name = vertex_log.check_table_name(table)
        vertex_log.check_schema(warehouse, name)
        table = vertex_log.relation(name)
    window = resolve_window(warehouse, since, until, model, table)
    summary = _rows(warehouse, queries.summary(window.since, window.until, model, table))[0]
    if not summary["requests"]:
        raise DataError(
            f"no logged predictions between {iso(window.since)} and {iso(window.until)}"
            + (f" for model {model!r}" if model else ""),
            fix="widen --since/--until",
        )
    bucket = queries.bucket_seconds(window.since, window.until)
    series = _rows(warehouse, queries.timeseries(window.since, window.until, bucket, model, table))
    out: dict[str, Any] = {
        "source": source,
        "table": name,
        "model": model,
        "window": window.to_dict(),
        "bucket_seconds": bucket,
        "summary": _clean_rows([summary])[0],
        "timeseries": _clean_rows(series),
        "groups": _clean_rows(_rows(warehouse, queries.by_group(window.since, window.until, model, table))),
        "worst": {
            kind: _clean_rows(_rows(warehouse, queries.worst(kind, window.since, window.until, model, table=table)))
            for kind in queries.WORST
        },
        "drift": None,
    }
    if baseline_columns is not None:
        label, ref_cols = baseline_columns
        n_ref = len(ref_cols["prompt"])
        where = f"eval split of dataset version {label.get('eval')}"
        if n_ref < drift.MIN_ROWS:
            raise DataError(
                f"the baseline {where} has {n_ref} examples; drift tests need at least {drift.MIN_ROWS}",
                fix="choose a dataset version with a larger eval split",
            )
    elif baseline:
        ref_w = baseline_window(baseline, window)
        ref = _rows(warehouse, queries.sample(ref_w.since, ref_w.until, model, SAMPLE_ROWS, table))
        if len(ref) < drift.MIN_ROWS:
            raise DataError(
                f"the baseline {iso(ref_w.since)}..{iso(ref_w.until)} has {len(ref)} predictions; "
                f"drift tests need at least {drift.MIN_ROWS}",
                fix="choose a longer --baseline window",
            )
        label, ref_cols = ref_w.to_dict(), _columns(ref)
    if baseline_columns is not None or baseline:
        cur = _rows(warehouse, queries.sample(window.since, window.until, model, SAMPLE_ROWS, table))
        results = drift.compare(ref_cols, _columns(cur), text=text_drift, alpha=alpha)
        out["drift"] = {
            "baseline": label,
            "alpha": alpha,
            "min_rows": drift.MIN_ROWS,
            "permutations": drift.PERMUTATIONS,
            "seed": drift.SEED,
            "results": [r.to_dict() for r in results],
        }
    return out


# --------------------------------------------------------------------------- HTML

CSS = (
    "body{font:13px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
    "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;"
    "vertical-align:top}th{background:#f4f4f4}.grid{display:flex;flex-wrap:wrap;gap:12px}.bad{color:#b00;"
    "font-weight:bold}code{font-size:12px}"
)


def _num(v: Any, pct: bool = False) -> str:
    if v is None:
        return "–"
    if pct:
        return f"{v * 100:.2f}%"
    return f"{v:,.1f}" if isinstance(v, float) else html.escape(str(v))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _charts(fig: dict[str, Any]) -> str:
    ts = fig["timeseries"]
    xs = [datetime.fromisoformat(r["bucket"].replace("Z", "+00:00")).timestamp() for r in ts]

    def col(name: str) -> list[Any]:
        return [r[name] for r in ts]

    cats = queries.CATEGORIES
    charts = [
        line_chart(f"requests per {fig['bucket_seconds'] // 60} min", xs, {"requests": col("requests")}),
        line_chart(
            "latency (ms)", xs, {"p50": col("latency_p50"), "p95": col("latency_p95"), "p99": col("latency_p99")}
        ),
        line_chart("tokens per request", xs, {"in": col("tokens_in_avg"), "out": col("tokens_out_avg")}),
        line_chart("blocked rate", xs, {"blocked": col("blocked_rate")}),
        line_chart("error rate", xs, {"errors": col("error_rate")}),
        line_chart(
            "citation and grounding",
            xs,
            {"cited": col("citation_rate"), "grounded": col("grounded_share"), "grounding avg": col("grounding_avg")},
        ),
        line_chart("safety probability (mean)", xs, {c.replace("_", " "): col(f"{c}_prob") for c in cats}),
        line_chart("safety severity (mean)", xs, {c.replace("_", " "): col(f"{c}_sev") for c in cats}),
    ]
    return '<div class="grid">' + "".join(charts) + "</div>"


def _worst(fig: dict[str, Any]) -> str:
    parts = []
    for kind, rows in fig["worst"].items():
        if not rows:
            continue
        parts.append(f"<h3>{kind.replace('_', ' ')}</h3>")
        parts.append(
            _table(
                ["time", "model", "ms", "blocked", "grounding", "prompt", "response", "details"],
                [
                    [
                        html.escape(r["created"] or ""),
                        html.escape(r["model"] or ""),
                        _num(r["latency_ms"]),
                        "yes" if r["blocked"] else "no",
                        _num(r["grounding_score"]),
                        html.escape(r["prompt"] or "") or "<i>not logged</i>",
                        html.escape(r["error"] or r["response"] or ""),
                        f"<code>llmops logs --id {html.escape(str(r['request_id']))}</code>",
                    ]
                    for r in rows
                ],
            )
        )
    return "".join(parts) or "<p>none</p>"


def _baseline_label(b: dict[str, Any]) -> str:
    if "eval" in b:
        return f"the eval split of dataset version {html.escape(str(b['eval']))} ({b['examples']} examples)"
    return f"{b['since']} – {b['until']}"


def _drift(fig: dict[str, Any]) -> str:
    d = fig["drift"]
    if not d:
        return (
            "<p>no baseline given (pass <code>--baseline previous</code> or <code>--baseline SINCE..UNTIL</code>)</p>"
        )
    intro = (
        f"<p>baseline {_baseline_label(d['baseline'])}. Drift when p &lt; {d['alpha']}. "
        "Numeric columns: two-sample Kolmogorov–Smirnov (asymptotic p-value, Stephens' correction) with the "
        "Wasserstein distance; categories: chi-squared (Wilson–Hilferty p-value); prompt text: WordLlama embeddings, "
        f"centroid distance and RBF-kernel MMD, each with a {d['permutations']}-permutation p-value (seed {d['seed']}; "
        f"at most {drift.TEXT_ROWS} texts a side, MMD on {drift.MMD_SIDE}). "
        f"No p-value below {d['min_rows']} rows a side.</p>"
    )
    rows = [
        [
            html.escape(r["feature"]),
            r["method"],
            _num(r["statistic"]),
            "–" if r["p_value"] is None else f"{r['p_value']:.3g}",
            _num(r["distance"]),
            f"{r['n_reference']} / {r['n_current']}",
            '<span class="bad">DRIFT</span>' if r["drift"] else ("–" if r["drift"] is None else "no"),
            html.escape(r["note"]),
        ]
        for r in d["results"]
    ]
    return intro + _table(["feature", "test", "statistic", "p", "distance", "rows", "verdict", "note"], rows)


def render_html(fig: dict[str, Any]) -> str:
    """The report as one self-contained HTML document (inline CSS and SVG, no scripts)."""
    s = fig["summary"]
    summary_rows = [
        ["requests", _num(s["requests"])],
        ["latency p50 / p95 / p99 (ms)", " / ".join(_num(s[k]) for k in ("latency_p50", "latency_p95", "latency_p99"))],
        ["tokens in / out (mean)", f"{_num(s['tokens_in_avg'])} / {_num(s['tokens_out_avg'])}"],
        ["blocked rate", _num(s["blocked_rate"], True)],
        ["error rate", _num(s["error_rate"], True)],
        ["citation rate", _num(s["citation_rate"], True)],
        ["grounding (mean score, share scored)", f"{_num(s['grounding_avg'])}, {_num(s['grounded_share'], True)}"],
    ]
    groups = [
        [
            html.escape(g["model"] or ""),
            html.escape(g["prompt_version"] or "–"),
            _num(g["requests"]),
            _num(g["latency_p95"]),
            _num(g["blocked_rate"], True),
            _num(g["error_rate"], True),
            _num(g["citation_rate"], True),
        ]
        for g in fig["groups"]
    ]
    title = f"llmops monitoring · {fig['window']['since']} – {fig['window']['until']}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p>table <code>{html.escape(fig['table'])}</code>"
        + (f", model <code>{html.escape(fig['model'])}</code>" if fig["model"] else "")
        + "</p>"
        + _table(["figure", "value"], summary_rows)
        + "<h2>Over time</h2>"
        + _charts(fig)
        + "<h2>By model and prompt version</h2>"
        + _table(["model", "prompt version", "requests", "p95 ms", "blocked", "errors", "cited"], groups)
        + "<h2>Drift</h2>"
        + _drift(fig)
        + "<h2>Worst examples</h2>"
        + _worst(fig)
        + "</body></html>"
    )


def write_atomic(path: str | os.PathLike[str], text: str, *, option: str = "--out") -> Path:
    """Write a file under a temporary name in its folder, then rename; ConfigError when the
    folder cannot be written."""
    target = Path(path).expanduser().resolve()
    try:
        fd, tmp = make_temp_file(target)
    except OSError as exc:
        raise ConfigError(
            f"cannot write {target}: {exc.strerror or exc}", fix=f"choose a writable {option} path"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigError(
            f"cannot write {target}: {exc.strerror or exc}", fix=f"choose a writable {option} path"
        ) from None
    return target
