"""The emulated judge's rules: deterministic text features a reader can recompute by hand.

Words are runs of `[a-z0-9']` in the lower-cased text; content words have at least four letters
and are not in `STOPWORDS`. `repetition` is 1 − distinct word trigrams / word trigrams (0 under
three trigrams). Each rule gives a quality q in [0, 1]; a rating is `low + round(q × (high − low))`
on the metric's scale.

- fluency: q = 1 − repetition − 0.25 if the mean sentence is over 40 words − 0.25 if over 30 %
  of the non-space characters are symbols (not letters, digits or `.,;:'"!?()-`); empty: q = 0.
- coherence: one sentence: q = 1 − repetition; more: q = (0.5 + 0.5 × share of adjacent
  sentence pairs sharing a content word) × (1 − repetition).
- instruction_following: q = share of the prompt's content words found in the response ×
  (1 − repetition).
- safety (0/1): the emulator's safety scorer on the response; safe (1) when every rated
  category's probability is below 0.5 (below MEDIUM).
- groundedness (0/1): `llmops.rag.grounding.assess(response, [context])`; 1 when every checked
  sentence (four words or more) is supported by the context (without a `context` field, the
  prompt: Vertex's groundedness template carries the context inside `{prompt}`).
- any other metric (custom rubrics, `quality`): q = ROUGE-L F against the reference when there
  is one, else the grounding score against the context, else the instruction_following share;
  × (1 − repetition).
- pairwise: q of both responses under the metric's rule; CANDIDATE when the candidate's q is
  higher by more than `TIE_MARGIN`, BASELINE when lower by more, else TIE. The rule is symmetric,
  so swapping the positions never changes the choice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..emulator.vertex.engine.safety import SafetyScorer

RULES_VERSION = "1"
"""Part of every cache key: a change to the rules re-judges."""
TIE_MARGIN = 0.05
STOPWORDS = frozenset(
    "that this with from have what when where which will would there their they them then than your "
    "about into does some more most only also just like make made these those been being were should "
    "could using used want need here very each such".split()
)
_WORD = re.compile(r"[a-z0-9']+")
_SYMBOL = re.compile(r"[^\sA-Za-z0-9.,;:'\"!?()\-]")


@dataclass(frozen=True)
class Rated:
    """A quality in [0, 1] and why."""

    q: float
    why: str


def words(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())


def content(text: str) -> set[str]:
    return {w for w in words(text) if len(w) >= 4 and w.isalpha() and w not in STOPWORDS}


def repetition(text: str) -> float:
    w = words(text)
    grams = list(zip(w, w[1:], w[2:], strict=False))
    return 0.0 if len(grams) < 3 else 1 - len(set(grams)) / len(grams)


def _sentences(text: str) -> list[str]:
    from ..rag.grounding import sentences

    return [text[s:e] for s, e in sentences(text)]


def _clamp(q: float) -> float:
    return min(1.0, max(0.0, q))


def fluency(v: Mapping[str, str]) -> Rated:
    text = v.get("response", "")
    if not words(text):
        return Rated(0.0, "the response is empty")
    rep = repetition(text)
    sents = _sentences(text) or [text]
    mean_len = len(words(text)) / len(sents)
    chars = re.sub(r"\s", "", text)
    symbols = len(_SYMBOL.findall(chars)) / len(chars)
    q = 1 - rep - 0.25 * (mean_len > 40) - 0.25 * (symbols > 0.3)
    return Rated(_clamp(q), f"repetition {rep:.2f}, {mean_len:.1f} words per sentence, {symbols:.0%} symbol characters")


def coherence(v: Mapping[str, str]) -> Rated:
    text = v.get("response", "")
    if not words(text):
        return Rated(0.0, "the response is empty")
    rep = repetition(text)
    sents = _sentences(text)
    if len(sents) < 2:
        return Rated(_clamp(1 - rep), f"one sentence, repetition {rep:.2f}")
    linked = sum(bool(content(a) & content(b)) for a, b in zip(sents, sents[1:], strict=False)) / (len(sents) - 1)
    return Rated(
        _clamp((0.5 + 0.5 * linked) * (1 - rep)),
        f"{linked:.0%} of adjacent sentences share a content word, repetition {rep:.2f}",
    )


def instruction_following(v: Mapping[str, str]) -> Rated:
    asked = content(v.get("prompt", ""))
    text = v.get("response", "")
    if not words(text):
        return Rated(0.0, "the response is empty")
    rep = repetition(text)
    if not asked:
        return Rated(_clamp(1 - rep), f"the prompt has no content words; repetition {rep:.2f}")
    covered = len(asked & content(text)) / len(asked)
    return Rated(
        _clamp(covered * (1 - rep)), f"{covered:.0%} of the prompt's content words answered, repetition {rep:.2f}"
    )


@lru_cache(maxsize=1)
def _scorer() -> SafetyScorer:  # built once: it compiles the lexicon
    from ..emulator.vertex.engine.safety import SafetyScorer

    return SafetyScorer()


def safety(v: Mapping[str, str]) -> Rated:
    scores = _scorer().score(v.get("response", ""))
    top = max(scores.rated, key=lambda c: (scores.rated[c][0], c))
    p = scores.rated[top][0]
    if not scores.rules:
        return Rated(1.0, "no harm rule fired (every category at the baseline probability)")
    name = top.removeprefix("HARM_CATEGORY_").lower().replace("_", " ")
    return Rated(float(p < 0.5), f"highest harm probability {p:.1f} ({name}; rules {', '.join(scores.rules)})")


def groundedness(v: Mapping[str, str]) -> Rated:
    from ..rag.grounding import assess

    report = assess(v.get("response", ""), [v.get("context") or v.get("prompt", "")])
    if not report.sentences:
        return Rated(0.0, "no sentence of four words or more to check against the context")
    ok = sum(s.supported for s in report.sentences)
    return Rated(float(ok == len(report.sentences)), f"{ok} of {len(report.sentences)} sentences supported")


def generic(v: Mapping[str, str]) -> Rated:
    text = v.get("response", "")
    if not words(text):
        return Rated(0.0, "the response is empty")
    rep = repetition(text)
    if v.get("reference"):
        from .rouge import rouge_l

        base, what = rouge_l([v["reference"]], [text])[0], "ROUGE-L F against the reference"
    elif v.get("context"):
        from ..rag.grounding import assess

        base, what = assess(text, [v["context"]]).score, "grounding score against the context"
    else:
        return Rated(instruction_following(v).q, instruction_following(v).why)
    return Rated(_clamp(base * (1 - rep)), f"{what} {base:.2f}, repetition {rep:.2f}")


RULES = {
    "fluency": fluency,
    "coherence": coherence,
    "instruction_following": instruction_following,
    "safety": safety,
    "groundedness": groundedness,
}


def rule_for(metric: str | None) -> Callable[[Mapping[str, str]], Rated]:
    """The rule of a metric name (from the template's metric sentence); `generic` otherwise."""
    return RULES.get((metric or "").removeprefix("pairwise_"), generic)


def rate(metric: str | None, variables: Mapping[str, str], scale: tuple[float, float]) -> tuple[float, str]:
    """A pointwise rating on `scale` and its explanation."""
    r = rule_for(metric)(variables)
    lo, hi = scale
    score = lo + round(r.q * (hi - lo))
    return float(score), f"{r.why} (q={r.q:.2f})"


def choose(metric: str | None, variables: Mapping[str, str]) -> tuple[str, str]:
    """CANDIDATE, BASELINE or TIE for `response` vs `baseline_model_response`, and why."""
    rule = rule_for(metric)
    cand = rule(variables)
    base = rule({**variables, "response": variables.get("baseline_model_response", "")})
    d = cand.q - base.q
    choice = "TIE" if abs(d) <= TIE_MARGIN else ("CANDIDATE" if d > 0 else "BASELINE")
    return choice, f"candidate q={cand.q:.2f} ({cand.why}); baseline q={base.q:.2f} ({base.why})"
