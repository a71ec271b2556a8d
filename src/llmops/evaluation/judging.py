"""Judge evaluated models: choose the judge, run every judge metric over every model (pairwise:
each later model against the first), and write the per-example judgments."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..core.errors import ConfigError
from ..core.workspace import atomic_write_text
from . import judged as jd
from .judges import CachedJudge, EmulatedJudge, Judge, ModelJudge
from .rubrics import JudgeMetric
from .vertex_judge import VertexEvalJudge

if TYPE_CHECKING:
    from ..core.evaluation import EvalExample, EvaluationResult
    from ..core.interfaces import ModelProvider
    from ..core.session import Session

CACHE_FILE = ("eval", "judge-cache.jsonl")


@dataclass
class Judgments:
    """Every judged metric, the agreement with human labels and what the judge was asked."""

    judge: str
    judged: list[jd.Judged] = field(default_factory=list)
    agreement: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    cached: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "judge": {"name": self.judge, "calls": self.calls, "cached": self.cached},
            "pointwise": [j.summary() for j in self.judged if not j.pairwise],
            "pairwise": [j.summary() for j in self.judged if j.pairwise],
            **({"human_agreement": self.agreement} if self.agreement else {}),
        }


def make_judge(session: Session, spec: str | None) -> tuple[Judge, str]:
    """The judge of `--judge PROVIDER[:MODEL]` (default: the profile's provider and base model);
    the `emulator` provider is the rule-based `EmulatedJudge`, and `vertex` without a model is
    Vertex AI's evaluation service (`evaluateInstances`); `vertex:MODEL` is that model as judge."""
    from ..core import registry
    from ..core.evaluation import split_model

    if spec is not None and ":" not in spec and spec not in registry.backends("model"):
        raise ConfigError(
            f"unknown judge provider {spec!r}",
            fix=f"--judge takes PROVIDER[:MODEL] with one of: {', '.join(sorted(registry.backends('model')))}",
        )
    provider, model = split_model(session, spec if spec is None or ":" in spec else f"{spec}:")
    provider = provider or session.settings.model
    if provider == "emulator":
        return EmulatedJudge(), "emulator"
    if provider == "vertex" and not model:
        from .vertex_judge import service_judge

        service = service_judge(session)
        return service, service.name
    backend = cast(
        "ModelProvider", registry.create_backend("model", session.settings.model_copy(update={"model": provider}))
    )
    model = model or session.settings.base_model
    return ModelJudge(backend, model, f"{provider}:{model}"), f"{provider}:{model}"


def items_of(examples: Sequence[EvalExample]) -> list[jd.Item]:
    return [jd.Item(e.prompt, e.reference, e.context) for e in examples]


def texts_of(result: EvaluationResult) -> list[str]:
    return ["" if p.blocked else (p.text or "") for p in result.predictions]


def run(
    session: Session,
    results: Sequence[EvaluationResult],
    examples: Sequence[EvalExample],
    metrics: Sequence[JudgeMetric],
    computed: Sequence[str] = (),
    *,
    judge: str | None = None,
    samples: int = 1,
    labels: Sequence[dict[str, Any]] = (),
) -> Judgments:
    """Judge every result with `metrics` (pointwise per model; pairwise each later model against
    the first, both positions) and add each pointwise mean to the result's metrics."""
    if samples < 1:
        from ..core.errors import ConfigError

        raise ConfigError(f"--samples must be at least 1, got {samples}", fix="pass a positive number")
    if any(m.pairwise for m in metrics) and len(results) < 2:
        from ..core.errors import ConfigError

        raise ConfigError(
            "a pairwise metric needs two models (the first is the baseline)", fix="pass --model twice or more"
        )
    inner, name = make_judge(session, judge)
    cache = CachedJudge(inner, session.settings.workspace.joinpath(*CACHE_FILE))
    items = items_of(examples)
    out = Judgments(name)
    try:
        for r in results:
            texts = texts_of(r)
            if "grounding" in computed:
                out.judged.append(jd.grounding(r.label, items, texts))
            for m in metrics:
                if not m.pairwise:
                    out.judged.append(jd.pointwise(cache, m, r.label, items, texts, samples))
        base = results[0]
        for m in metrics:
            if m.pairwise:
                for r in results[1:]:
                    out.judged.append(
                        jd.pairwise(cache, m, r.label, base.label, items, texts_of(r), texts_of(base), samples)
                    )
    finally:
        if isinstance(inner, ModelJudge):
            inner.provider.close()
        elif isinstance(inner, VertexEvalJudge):
            inner.close()
    for j in out.judged:
        s = j.summary()
        if not j.pairwise and s.get("mean") is not None:
            for r in results:
                if r.label == j.model:
                    r.metrics[j.metric] = s["mean"]
    out.calls, out.cached = cache.calls, cache.hits
    out.agreement = jd.agreement(labels, out.judged) if labels else []
    return out


def write_judgments(path: str | Path, judgments: Judgments) -> Path:
    """Every per-example judgment as JSON lines (model, metric, example, score or choice,
    explanation, error), written atomically; the same evaluation gives the same bytes."""
    lines = []
    for j in judgments.judged:
        for row in j.rows:
            head = {"metric": j.metric, "model": j.model}
            if j.pairwise:
                head["baseline"] = j.baseline or ""
            lines.append(json.dumps({**head, **row}, ensure_ascii=False, sort_keys=True))
    return atomic_write_text(path, "".join(line + "\n" for line in lines))
