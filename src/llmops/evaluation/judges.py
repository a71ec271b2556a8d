"""Judges: who rates a response against a metric template, and the cache in front of them.

`EmulatedJudge` applies `rules` (deterministic, no model). `ModelJudge` sends the rendered
template plus an output-format instruction to any model provider and parses `Score:` /
`Choice:` and `Explanation:` from the answer. `CachedJudge` keys every call by the SHA-256 of
the judge, the rendered prompt and the sample number, and keeps the answers in the workspace,
so a re-run makes no judge calls.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import rules
from .rubrics import OUTPUT_PAIRWISE, OUTPUT_POINTWISE, JudgeMetric, assessed

if TYPE_CHECKING:
    from ..core.interfaces import ModelProvider


@dataclass(frozen=True)
class Verdict:
    """One judge answer: a score (pointwise) or a choice in template positions (pairwise:
    `A` = the baseline slot, `B` = the response slot, `SAME`), an explanation, or an error."""

    score: float | None = None
    choice: str | None = None
    explanation: str = ""
    error: str | None = None


class Judge(ABC):
    """Rates one rendered metric prompt."""

    name: str = "judge"

    def __init__(self) -> None:
        self.calls = 0

    def judge(self, metric: JudgeMetric, variables: Mapping[str, str], sample: int = 0) -> Verdict:
        """The verdict of `metric` on the example `variables`."""
        self.calls += 1
        return self._judge(metric, variables, sample)

    @abstractmethod
    def _judge(self, metric: JudgeMetric, variables: Mapping[str, str], sample: int) -> Verdict: ...


def render(metric: JudgeMetric, variables: Mapping[str, str]) -> str:
    """The metric's template filled with the example's fields."""
    return metric.template.format_map({k: variables.get(k, "") for k in metric.fields})


class EmulatedJudge(Judge):
    """The deterministic rules of `llmops.evaluation.rules`; the metric is the one the template
    says it assesses (custom rubrics: the generic rule)."""

    name = "emulator"

    def _judge(self, metric: JudgeMetric, variables: Mapping[str, str], sample: int) -> Verdict:
        which = assessed(metric.template) if metric.builtin else None
        if metric.pairwise:
            choice, why = rules.choose(which, variables)
            return Verdict(choice={"CANDIDATE": "B", "BASELINE": "A", "TIE": "SAME"}[choice], explanation=why)
        score, why = rules.rate(which, variables, metric.scale)
        return Verdict(score=score, explanation=why)


_SCORE = re.compile(r"\bscore\W{0,3}\s*(-?\d+(?:\.\d+)?)", re.I)
_CHOICE = re.compile(r"\b(?:choice|pairwise_choice)\W{0,3}\s*`?(A|B|SAME|TIE)\b", re.I)
_EXPLANATION = re.compile(r"\bexplanation\W{0,3}\s*(.+)", re.I | re.S)


def parse(metric: JudgeMetric, text: str) -> Verdict:
    """A verdict from a judge model's answer; an unparseable answer is a verdict with `error`."""
    m = _EXPLANATION.search(text)
    why = m.group(1).strip().splitlines()[0].strip() if m and m.group(1).strip() else ""
    shown = text.strip().replace("\n", " ")[:120]
    if metric.pairwise:
        c = _CHOICE.search(text)
        if not c:
            return Verdict(error=f"no 'Choice: A|B|SAME' in the judge's answer: {shown!r}")
        choice = c.group(1).upper()
        return Verdict(choice="SAME" if choice == "TIE" else choice, explanation=why)
    s = _SCORE.search(text)
    if not s:
        return Verdict(error=f"no 'Score: N' in the judge's answer: {shown!r}")
    score = float(s.group(1))
    lo, hi = metric.scale
    if not lo <= score <= hi:
        return Verdict(error=f"score {score:g} is outside the rubric's scale {lo:g}..{hi:g}")
    return Verdict(score=score, explanation=why)


class ModelJudge(Judge):
    """A model of any provider asked with the rendered template; sample `i` > 0 is asked at
    temperature `sample_temperature` with seed `i`."""

    def __init__(self, provider: ModelProvider, model: str | None, label: str, sample_temperature: float = 1.0):
        super().__init__()
        self.provider, self.model, self.name = provider, model, label
        self.sample_temperature = sample_temperature

    def _judge(self, metric: JudgeMetric, variables: Mapping[str, str], sample: int) -> Verdict:
        from ..core.types import GenerationConfig

        prompt = render(metric, variables) + (OUTPUT_PAIRWISE if metric.pairwise else OUTPUT_POINTWISE)
        gen = GenerationConfig(temperature=0.0 if sample == 0 else self.sample_temperature, seed=sample or None)
        try:
            pred = self.provider.predict(prompt, model=self.model, generation=gen)
        except Exception as exc:  # one failed call is recorded on its example, the rest go on
            return Verdict(error=f"judge call failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
        if pred.blocked:
            return Verdict(error="the judge's answer was blocked by its safety filter")
        return parse(metric, pred.text or "")


class CachedJudge:
    """`inner` behind a content-addressed cache kept in `path` (JSON lines, appended)."""

    def __init__(self, inner: Judge, path: Path | None):
        self.inner, self.path, self.name = inner, path, inner.name
        self.hits = 0
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self._entries[row["key"]] = row["verdict"]
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by an interrupted run

    def key(self, metric: JudgeMetric, variables: Mapping[str, str], sample: int) -> str:
        rendered = render(metric, variables)
        extra = rules.RULES_VERSION if isinstance(self.inner, EmulatedJudge) else ""
        payload = json.dumps([self.inner.name, extra, metric.scale, metric.pairwise, rendered, sample])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def judge(self, metric: JudgeMetric, variables: Mapping[str, str], sample: int = 0) -> Verdict:
        k = self.key(metric, variables, sample)
        with self._lock:
            found = self._entries.get(k)
        if found is not None:
            self.hits += 1
            return Verdict(**found)
        verdict = self.inner.judge(metric, variables, sample)
        if verdict.error and verdict.error.startswith("judge call failed"):
            return verdict  # a transient failure is asked again next time
        with self._lock:
            self._entries[k] = asdict(verdict)
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(json.dumps({"key": k, "verdict": asdict(verdict)}, sort_keys=True) + "\n")
        return verdict

    @property
    def calls(self) -> int:
        """Calls that reached the judge (cache misses)."""
        return self.inner.calls
