"""Model-based metrics over evaluated models: pointwise ratings, position-swapped pairwise
comparisons, the grounding score, sampling statistics and agreement with human labels."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError, DataError
from .judges import CachedJudge, ModelJudge, Verdict
from .rubrics import JudgeMetric, builtin_metrics, load_rubric

COMPUTED = ("grounding",)
"""Deterministic metrics that need no judge (`grounding`: `rag.grounding`'s score against the context)."""
CHOICES = ("CANDIDATE", "BASELINE", "TIE")


@dataclass(frozen=True)
class Item:
    """One example as the judge sees it."""

    prompt: str
    reference: str = ""
    context: str = ""


@dataclass
class Judged:
    """One metric for one model (pointwise) or one candidate against the baseline (pairwise)."""

    metric: str
    model: str
    pairwise: bool = False
    baseline: str | None = None
    scale: tuple[float, float] = (0, 1)
    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: str | None = None

    def summary(self) -> dict[str, Any]:
        """Mean and spread, or win rates; errors and skips counted, never NaN."""
        out: dict[str, Any] = {"metric": self.metric, "model": self.model}
        if self.pairwise:
            out["baseline"] = self.baseline
        if self.skipped:
            return {**out, "skipped": self.skipped}
        ok = [r for r in self.rows if r.get("error") is None and "skipped" not in r]
        out.update(
            n=len(ok),
            errors=sum(1 for r in self.rows if r.get("error") is not None),
            skipped_examples=sum(1 for r in self.rows if "skipped" in r),
        )
        if self.pairwise:
            counts = Counter(r["choice"] for r in ok)
            n = len(ok) or 1
            out.update(
                candidate_model_win_rate=round(counts["CANDIDATE"] / n, 4),
                baseline_model_win_rate=round(counts["BASELINE"] / n, 4),
                tie_rate=round(counts["TIE"] / n, 4),
                position_consistency=round(sum(r["consistent"] for r in ok) / n, 4),
            )
            samples = [r["samples"] for r in ok]
        else:
            scores = [r["score"] for r in ok]
            out.update(
                mean=round(statistics.fmean(scores), 4) if scores else None,
                std=round(statistics.stdev(scores), 4) if len(scores) > 1 else 0.0,
                scale=list(self.scale),
            )
            samples = [r["samples"] for r in ok]
        if any(len(s) > 1 for s in samples):
            out["samples"] = {
                "per_example": max(len(s) for s in samples),
                "spread": round(statistics.fmean(_spread(s) for s in samples), 4),
                "flip_rate": round(sum(len(set(s)) > 1 for s in samples) / len(samples), 4),
            }
        return out


def _spread(values: list[Any]) -> float:
    if all(isinstance(v, int | float) for v in values):
        return statistics.pstdev(values) if len(values) > 1 else 0.0
    return 1 - Counter(values).most_common(1)[0][1] / len(values)  # share disagreeing with the majority


def resolve_metrics(names: Sequence[str], rubric_files: Sequence[str] = ()) -> tuple[list[JudgeMetric], list[str]]:
    """Judge metrics and computed metrics by name (custom rubrics from files add their own);
    an unknown name fails listing the known ones."""
    known = builtin_metrics()
    for path in rubric_files:
        m = load_rubric(path)
        known[m.name] = m
    judged, computed = [], []
    for name in dict.fromkeys([*names, *(load_rubric(p).name for p in rubric_files)]):
        if name in COMPUTED:
            computed.append(name)
        elif name in known:
            judged.append(known[name])
        else:
            from ..core.evaluation import METRIC_KEYS

            raise ConfigError(
                f"unknown metric {name!r}",
                fix="use one of: "
                + ", ".join(sorted([*known, *COMPUTED]))
                + f" (always computed: {', '.join(METRIC_KEYS)}), or --rubric FILE for your own",
            )
    return judged, computed


def _variables(item: Item, response: str, baseline: str | None = None) -> dict[str, str]:
    v = {"prompt": item.prompt, "response": response, "reference": item.reference, "context": item.context}
    if baseline is not None:
        v["baseline_model_response"] = baseline
    return v


def _missing(metric: JudgeMetric, item: Item) -> str | None:
    absent = [f for f in metric.needs if not getattr(item, f)]
    return f"no {' or '.join(absent)}" if absent else None


def _map(judge: CachedJudge, fn: Callable[[int], dict[str, Any]], n: int) -> list[dict[str, Any]]:
    if isinstance(judge.inner, ModelJudge) and n > 1:
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(fn, range(n)))
    return [fn(i) for i in range(n)]


def pointwise(
    judge: CachedJudge, metric: JudgeMetric, model: str, items: Sequence[Item], texts: Sequence[str], samples: int = 1
) -> Judged:
    """Every example's rating (the mean of `samples` asks) with its explanation."""
    out = Judged(metric.name, model, scale=metric.scale)
    if all(_missing(metric, it) for it in items):
        out.skipped = f"{metric.name} needs {' and '.join(metric.needs)}; no example has it"
        return out

    def one(i: int) -> dict[str, Any]:
        reason = _missing(metric, items[i])
        if reason:
            return {"example": i, "skipped": reason}
        verdicts = [judge.judge(metric, _variables(items[i], texts[i]), s) for s in range(samples)]
        good = [v for v in verdicts if v.error is None and v.score is not None]
        if not good:
            return {"example": i, "error": verdicts[0].error, "samples": []}
        scores = [v.score for v in good]
        return {
            "example": i,
            "score": round(statistics.fmean(scores), 4),  # type: ignore[arg-type]
            "explanation": good[0].explanation,
            "samples": scores,
        }

    out.rows = _map(judge, one, len(items))
    return out


_FORWARD = {"B": "CANDIDATE", "A": "BASELINE", "SAME": "TIE"}
_SWAPPED = {"B": "BASELINE", "A": "CANDIDATE", "SAME": "TIE"}


def _both_orders(
    judge: CachedJudge, metric: JudgeMetric, item: Item, cand: str, base: str, sample: int
) -> tuple[str | None, bool, str, str | None]:
    fwd: Verdict = judge.judge(metric, _variables(item, cand, base), sample)
    swp: Verdict = judge.judge(metric, _variables(item, base, cand), sample)
    if fwd.error or swp.error:
        return None, False, "", fwd.error or swp.error
    a, b = _FORWARD[fwd.choice or "SAME"], _SWAPPED[swp.choice or "SAME"]
    if a == b:
        return a, True, fwd.explanation, None
    why = f"position-inconsistent ({a} as B, {b} as A), counted as a tie: {fwd.explanation}"
    return "TIE", False, why, None


def pairwise(
    judge: CachedJudge,
    metric: JudgeMetric,
    candidate: str,
    baseline: str,
    items: Sequence[Item],
    cand_texts: Sequence[str],
    base_texts: Sequence[str],
    samples: int = 1,
) -> Judged:
    """Candidate vs baseline on every example, asked in both positions (a disagreement between
    the two orders is a tie); with `samples`, the majority choice."""
    out = Judged(metric.name, candidate, pairwise=True, baseline=baseline)
    if all(_missing(metric, it) for it in items):
        out.skipped = f"{metric.name} needs {' and '.join(metric.needs)}; no example has it"
        return out

    def one(i: int) -> dict[str, Any]:
        reason = _missing(metric, items[i])
        if reason:
            return {"example": i, "skipped": reason}
        runs = [_both_orders(judge, metric, items[i], cand_texts[i], base_texts[i], s) for s in range(samples)]
        good = [r for r in runs if r[3] is None]
        if not good:
            return {"example": i, "error": runs[0][3], "samples": []}
        choices = [r[0] for r in good]
        ranked = Counter(choices).most_common()
        choice = ranked[0][0] if len(ranked) == 1 or ranked[0][1] > ranked[1][1] else "TIE"
        return {
            "example": i,
            "choice": choice,
            "consistent": all(r[1] for r in good),
            "explanation": good[0][2],
            "samples": choices,
        }

    out.rows = _map(judge, one, len(items))
    return out


def grounding(model: str, items: Sequence[Item], texts: Sequence[str]) -> Judged:
    """`rag.grounding`'s score (share of supported sentences) against each example's context."""
    from ..rag.grounding import assess

    out = Judged("grounding", model, scale=(0, 1))
    if not any(it.context for it in items):
        out.skipped = "grounding needs a context; no example has one (add a `context` field to the eval rows)"
        return out
    for i, (it, text) in enumerate(zip(items, texts, strict=True)):
        if not it.context:
            out.rows.append({"example": i, "skipped": "no context"})
            continue
        report = assess(text, [it.context])
        ok = sum(s.supported for s in report.sentences)
        why = f"{ok} of {len(report.sentences)} sentences supported by the context"
        out.rows.append({"example": i, "score": report.score, "explanation": why, "samples": [report.score]})
    return out


# ---------------------------------------------------------------- human labels


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa of two raters' labels; 1.0 when they agree on everything (even with one label)."""
    if len(a) != len(b) or not a:
        raise ValueError("kappa needs two equal, non-empty label lists")
    n = len(a)
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if pe >= 1.0:
        return 1.0 if po == 1.0 else 0.0
    return (po - pe) / (1 - pe)


def read_labels(path: str | Path) -> list[dict[str, Any]]:
    """Human labels: JSON lines `{"example": I, "metric": M, "label": L, "model"?: NAME}`."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"human labels file {p} does not exist", fix="pass --human-labels PATH to a JSONL file")
    rows = []
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise DataError(f"{p.name} line {n} is not JSON", fix="one JSON object per line") from None
        if not (isinstance(row, dict) and isinstance(row.get("example"), int) and "metric" in row and "label" in row):
            raise DataError(
                f"{p.name} line {n} lacks example (a number), metric or label",
                fix='write {"example": 0, "metric": "pairwise_quality", "label": "CANDIDATE"}',
            )
        rows.append(row)
    return rows


def agreement(labels: Sequence[Mapping[str, Any]], judged: Sequence[Judged]) -> list[dict[str, Any]]:
    """Cohen's kappa between the judge and the human labels, per metric and model (a label
    without `model` is for the first model, or the first candidate for a pairwise metric)."""
    out = []
    for j in judged:
        if j.skipped:
            continue
        firsts = [x for x in judged if x.metric == j.metric]
        mine = [
            row
            for row in labels
            if row["metric"] == j.metric and row.get("model", firsts[0].model) == j.model and row["label"] is not None
        ]
        by_example = {r["example"]: r for r in j.rows if "skipped" not in r and r.get("error") is None}
        pairs = [
            (str(by_example[row["example"]]["choice" if j.pairwise else "score"]), str(row["label"]).upper())
            if j.pairwise
            else (float(by_example[row["example"]]["score"]), float(row["label"]))
            for row in mine
            if row["example"] in by_example
        ]
        if pairs:
            judge_l, human_l = zip(*pairs, strict=True)
            out.append(
                {
                    "metric": j.metric,
                    "model": j.model,
                    "n": len(pairs),
                    "agreement": round(sum(x == y for x, y in pairs) / len(pairs), 4),
                    "kappa": round(cohen_kappa(judge_l, human_l), 4),
                }
            )
    return out
