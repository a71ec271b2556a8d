"""`llmops eval --report`: one self-contained HTML file (inline CSS and SVG, no scripts).

Per-example metrics (ROUGE-L, exact match, every judge score) are shown with a 95 % bootstrap
confidence interval (`BOOTSTRAP` resamples of the examples, seed `SEED`); corpus BLEU and chrF
without one. Timings are left out, so the same evaluation writes the same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..monitoring.report import CSS, write_atomic
from .rouge import rouge_l

if TYPE_CHECKING:
    from ..core.evaluation import EvalExample, EvaluationResult
    from .judging import Judgments

BOOTSTRAP = 1000
SEED = 0
WORST_SHOWN = 50
_COLORS = ("#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6")
_EXTRA_CSS = ".small{color:#666;font-size:11px}td.t{max-width:420px;white-space:pre-wrap}"


def bootstrap_ci(values: Sequence[float], seed: int = SEED, n: int = BOOTSTRAP) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of the mean over `n` seeded resamples."""
    arr = np.asarray(values, dtype=float)
    if arr.size < 2:
        v = float(arr.mean()) if arr.size else 0.0
        return v, v
    idx = np.random.default_rng(seed).integers(0, arr.size, size=(n, arr.size))
    means = arr[idx].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def _per_example(
    results: Sequence[EvaluationResult], judgments: Judgments | None
) -> dict[str, dict[str, dict[int, float]]]:
    """model -> metric -> example -> score normalised to 0..1."""
    out: dict[str, dict[str, dict[int, float]]] = {}
    for r in results:
        texts = ["" if p.blocked else (p.text or "") for p in r.predictions]
        rl = rouge_l(r.references, texts)
        em = [float(" ".join(t.split()) == " ".join(ref.split())) for t, ref in zip(texts, r.references, strict=True)]
        out[r.label] = {"rougeL": dict(enumerate(rl)), "exact_match": dict(enumerate(em))}
    for j in judgments.judged if judgments else []:
        if j.pairwise or j.skipped:
            continue
        lo, hi = j.scale
        out.setdefault(j.model, {})[j.metric] = {
            row["example"]: (row["score"] - lo) / (hi - lo) for row in j.rows if "score" in row
        }
    return out


def _bars(title: str, rows: list[tuple[str, list[tuple[str, float, float, float]]]]) -> str:
    """Horizontal bars on 0..1 with CI whiskers: rows of (metric, [(model, value, lo, hi)])."""
    width, label_w, bar_h = 520, 150, 12
    height = sum(len(bars) * (bar_h + 2) + 10 for _, bars in rows) + 30
    scale = width - label_w - 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    parts.append(f'<text x="4" y="14" font-size="12" font-weight="bold">{html.escape(title)}</text>')
    y = 26
    for metric, bars in rows:
        parts.append(f'<text x="4" y="{y + bar_h - 2}" font-size="11">{html.escape(metric)}</text>')
        for k, (_, v, lo, hi) in enumerate(bars):
            color = _COLORS[k % len(_COLORS)]
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{max(v, 0) * scale:.1f}" height="{bar_h}" fill="{color}"/>'
                f'<line x1="{label_w + lo * scale:.1f}" x2="{label_w + hi * scale:.1f}" y1="{y + bar_h / 2}" '
                f'y2="{y + bar_h / 2}" stroke="#000"/>'
                f'<text x="{label_w + max(v, hi) * scale + 4:.1f}" y="{y + bar_h - 2}" font-size="10">{v:.3f}</text>'
            )
            y += bar_h + 2
        y += 10
    parts.append("</svg>")
    return "".join(parts)


def _legend(models: list[str]) -> str:
    return " ".join(
        f'<span style="color:{_COLORS[k % len(_COLORS)]}">&#9632;</span> {html.escape(m)}' for k, m in enumerate(models)
    )


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _pairwise(judgments: Judgments | None) -> str:
    pw = [j for j in (judgments.judged if judgments else []) if j.pairwise]
    if not pw:
        return "<p>no pairwise metric (pass e.g. <code>--metric pairwise_quality</code> with two models)</p>"
    rows, svg = [], ['<svg xmlns="http://www.w3.org/2000/svg" width="520" height="' + str(24 * len(pw) + 10) + '">']
    for k, j in enumerate(pw):
        s = j.summary()
        if j.skipped:
            rows.append(
                [
                    html.escape(j.metric),
                    html.escape(j.model),
                    html.escape(j.baseline or ""),
                    "skipped: " + html.escape(j.skipped),
                    "",
                    "",
                    "",
                ]
            )
            continue
        c, b, t = s["candidate_model_win_rate"], s["baseline_model_win_rate"], s["tie_rate"]
        rows.append(
            [
                html.escape(j.metric),
                html.escape(j.model),
                html.escape(j.baseline or ""),
                f"{c:.1%}",
                f"{b:.1%}",
                f"{t:.1%}",
                f"{s['position_consistency']:.1%} · n={s['n']} · errors {s['errors']}",
            ]
        )
        y, x = 5 + 24 * k, 0.0
        for share, color in ((c, "#109618"), (t, "#999"), (b, "#dc3912")):
            svg.append(f'<rect x="{x * 500:.1f}" y="{y}" width="{share * 500:.1f}" height="18" fill="{color}"/>')
            x += share
    svg.append("</svg>")
    legend = '<p class="small">green: candidate wins · grey: tie · red: baseline wins. Each example is asked in both positions; a disagreement counts as a tie.</p>'
    table = _table(
        ["metric", "candidate", "baseline", "candidate wins", "baseline wins", "ties", "position-consistent"], rows
    )
    return table + "".join(svg) + legend


def render_html(
    dataset: str, examples: Sequence[EvalExample], results: Sequence[EvaluationResult], judgments: Judgments | None
) -> str:
    """The evaluation report as one HTML document."""
    per = _per_example(results, judgments)
    models = [r.label for r in results]
    metrics = list(dict.fromkeys(m for r in models for m in per.get(r, {})))
    chart_rows, ci_rows = [], []
    for metric in metrics:
        bars = []
        for model in models:
            vals = list(per.get(model, {}).get(metric, {}).values())
            if not vals:
                continue
            lo, hi = bootstrap_ci(vals)
            bars.append((model, float(np.mean(vals)), lo, hi))
            ci_rows.append(
                [
                    html.escape(metric),
                    html.escape(model),
                    f"{np.mean(vals):.4f}",
                    f"[{lo:.4f}, {hi:.4f}]",
                    str(len(vals)),
                ]
            )
        chart_rows.append((metric, bars))
    corpus = [
        [
            html.escape(r.label),
            f"{r.metrics.get('bleu', 0):.2f}",
            f"{r.metrics.get('chrf', 0):.2f}",
            f"{r.metrics.get('blocked_rate', 0):.2%}",
            f"{r.metrics.get('citation_rate', 0):.2%}",
            f"{r.metrics.get('mean_length', 0):.1f}",
        ]
        for r in results
    ]
    explanations: dict[tuple[str, int], list[str]] = {}
    skipped = []
    for j in judgments.judged if judgments else []:
        if j.skipped:
            skipped.append(f"<li>{html.escape(j.metric)} ({html.escape(j.model)}): {html.escape(j.skipped)}</li>")
            continue
        for row in j.rows:
            value = row.get("choice") if j.pairwise else row.get("score")
            text = row.get("error") or row.get("skipped") or row.get("explanation", "")
            tag = f"vs {j.baseline}: " if j.pairwise else ""
            explanations.setdefault((j.model, row["example"]), []).append(
                f"<b>{html.escape(j.metric)}</b> {html.escape(tag)}{html.escape(str(value if value is not None else 'error'))}: {html.escape(text)}"
            )
    worst = sorted(
        range(len(examples)),
        key=lambda i: (float(np.mean([per[m][k][i] for m in per for k in per[m] if i in per[m][k]] or [0.0])), i),
    )[:WORST_SHOWN]
    ex_rows = []
    for i in worst:
        score = np.mean([per[m][k][i] for m in per for k in per[m] if i in per[m][k]] or [0.0])
        cells = [
            str(i),
            f"{score:.3f}",
            f'<td class="t">{html.escape(examples[i].prompt[-600:])}</td>',
            f'<td class="t">{html.escape(examples[i].reference[:600])}</td>',
        ]
        for r in results:
            p = r.predictions[i]
            answer = "[blocked]" if p.blocked else (p.text or "")[:600]
            notes = "<br>".join(explanations.get((r.label, i), []))
            cells.append(f'<td class="t">{html.escape(answer)}<div class="small">{notes}</div></td>')
        ex_rows.append(cells)
    title = f"llmops evaluation · dataset {dataset} · {len(examples)} examples"
    judge = f"judge <code>{html.escape(judgments.judge)}</code>" if judgments else "no judge metrics"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{CSS}{_EXTRA_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p>models: {_legend(models)} · {judge}</p>"
        "<h2>Metrics (mean, 95% bootstrap interval)</h2>"
        + _bars("per-example metrics, scaled to 0..1", chart_rows)
        + _table(["metric", "model", "mean (0..1)", f"95% CI ({BOOTSTRAP} resamples, seed {SEED})", "n"], ci_rows)
        + (f"<ul>{''.join(skipped)}</ul>" if skipped else "")
        + "<h3>Corpus metrics</h3>"
        + _table(["model", "BLEU", "chrF", "blocked", "cited", "words"], corpus)
        + "<h2>Pairwise</h2>"
        + _pairwise(judgments)
        + f"<h2>Examples, worst first (mean of all per-example scores; {min(WORST_SHOWN, len(examples))} shown)</h2>"
        + _table(["#", "score", "prompt (end)", "reference", *models], ex_rows)
        + "</body></html>"
    )


def write_report(
    path: str | Path,
    dataset: str,
    examples: Sequence[EvalExample],
    results: Sequence[EvaluationResult],
    judgments: Judgments | None,
) -> Path:
    """Render and write the report atomically."""
    return write_atomic(path, render_html(dataset, examples, results, judgments), option="--report")
