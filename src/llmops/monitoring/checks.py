"""Thresholds on the monitoring figures, for cron and CI: which ones a window breaks."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Thresholds:
    """Limits; None leaves a figure unchecked. Drift breaks when a test's p-value is below
    `max_drift_p`."""

    max_blocked_rate: float | None = None
    max_error_rate: float | None = None
    max_p95_ms: float | None = None
    max_p99_ms: float | None = None
    min_citation_rate: float | None = None
    min_grounding: float | None = None
    max_drift_p: float | None = None

    def needs_baseline(self) -> bool:
        return self.max_drift_p is not None

    def any(self) -> bool:
        return any(v is not None for v in asdict(self).values())


@dataclass(frozen=True)
class Breach:
    """One broken threshold."""

    threshold: str
    value: float
    limit: float
    detail: str = ""

    def line(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.threshold}: {self.value:.6g} breaks {self.limit:g}{extra}"


_MAXIMA = {
    "max_blocked_rate": "blocked_rate",
    "max_error_rate": "error_rate",
    "max_p95_ms": "latency_p95",
    "max_p99_ms": "latency_p99",
}
_MINIMA = {"min_citation_rate": "citation_rate", "min_grounding": "grounding_avg"}


def evaluate(figures: dict[str, Any], limits: Thresholds) -> list[Breach]:
    """Every threshold the report's figures break, in a stable order."""
    summary = figures["summary"]
    out: list[Breach] = []
    for name, key in _MAXIMA.items():
        limit = getattr(limits, name)
        if limit is not None and summary.get(key) is not None and summary[key] > limit:
            out.append(Breach(name, summary[key], limit))
    for name, key in _MINIMA.items():
        limit = getattr(limits, name)
        if limit is not None and summary.get(key) is not None and summary[key] < limit:
            out.append(Breach(name, summary[key], limit))
    if limits.max_drift_p is not None and figures.get("drift"):
        for r in figures["drift"]["results"]:
            if r["p_value"] is not None and r["p_value"] < limits.max_drift_p:
                out.append(Breach("max_drift_p", r["p_value"], limits.max_drift_p, f"{r['feature']} {r['method']}"))
    return out
