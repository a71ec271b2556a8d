"""Responsible-AI checks: steps that withhold the answer (the run ends `BLOCKED`, with the
reason in the check's span) when it is unsafe, uncited, poorly grounded or malformed."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigError
from .model import ChainState, Step

if TYPE_CHECKING:
    from ..core.session import Session

_CITE = re.compile(r"\[(\d+)\]")
_FENCED_JSON = re.compile(r"\A```(?:json)?\s*\n(.*)\n```\s*\Z", re.S)


def _needs(kind: str, what: str) -> Any:
    def validate(session: Session, earlier: Sequence[Step]) -> None:
        if not any(s.kind == kind for s in earlier):
            raise ConfigError(f"{what} needs a {kind} step before it", fix=f"add a {kind} step earlier in the chain")

    return validate


def _block(state: ChainState, reason: str) -> None:
    state.blocked = reason
    state.span["reason"] = reason


def safety(*, max_score: float = 1.0, name: str = "safety") -> Step:
    """Block when the last generate step was blocked by the model's safety filter, or when
    any harm category's probability score is above `max_score`."""
    if not 0.0 <= max_score <= 1.0:
        raise ConfigError(f"safety: max_score {max_score} is outside [0, 1]", fix="set max_score between 0 and 1")

    def run(state: ChainState) -> None:
        p = state.prediction
        assert p is not None  # validated: a generate step comes first
        if p.blocked:
            _block(state, "the model's safety filter blocked the answer")
            return
        worst = max(p.safety.ratings, key=lambda r: r.probability_score, default=None)
        if worst is not None and worst.probability_score > max_score:
            _block(state, f"{worst.category} probability {worst.probability_score:.2f} is above {max_score}")
        state.span["max_safety_score"] = None if worst is None else worst.probability_score

    return Step(name, "check", run, {"max_score": max_score}, validate=_needs("generate", "a safety check"))


def cited_sources(state: ChainState) -> set[int]:
    """1-based numbers of retrieved sources the answer cites as `[n]`."""
    return {int(n) for n in _CITE.findall(state.text) if 0 < int(n) <= len(state.chunks)}


def require_citations(*, min_count: int = 1, name: str = "require-citations") -> Step:
    """Block unless the answer cites at least `min_count` distinct retrieved sources as `[n]`
    or carries that many recitation citations from the model."""
    if min_count < 1:
        raise ConfigError(f"require_citations: min_count {min_count} is below 1", fix="set min_count to 1 or more")

    def run(state: ChainState) -> None:
        model_citations = len(state.prediction.citations) if state.prediction else 0
        found = len(cited_sources(state)) + model_citations
        state.span["citations"] = found
        if found < min_count:
            _block(state, f"the answer cites {found} source(s), fewer than {min_count}")

    return Step(name, "check", run, {"min_count": min_count}, validate=_needs("generate", "a citation check"))


def require_grounding(*, min_score: float = 0.5, name: str = "require-grounding") -> Step:
    """Block unless the grounding score of the answer (share of its sentences the retrieved
    chunks support) is at least `min_score`."""
    if not 0.0 <= min_score <= 1.0:
        raise ConfigError(
            f"require_grounding: min_score {min_score} is outside [0, 1]", fix="set min_score between 0 and 1"
        )
    needs_ground, needs_generate = _needs("ground", "a grounding check"), _needs("generate", "a grounding check")

    def validate(session: Session, earlier: Sequence[Step]) -> None:
        needs_ground(session, earlier)
        needs_generate(session, earlier)

    def run(state: ChainState) -> None:
        score = state.grounding.score if state.grounding else 0.0
        state.span["grounding_score"] = score
        if score < min_score:
            _block(state, f"grounding score {score:.2f} is below {min_score}")

    return Step(name, "check", run, {"min_score": min_score}, validate=validate)


def output_format(
    *, format: str = "text", pattern: str | None = None, max_chars: int | None = None, name: str = "output-format"
) -> Step:
    """Block unless the answer is non-empty and, with `format = "json"`, parses as JSON (a
    Markdown ```json fence is accepted and removed); with `pattern`, matches that regular
    expression somewhere; with `max_chars`, is at most that long."""
    if format not in ("text", "json"):
        raise ConfigError(f"output_format: format {format!r} is not text or json", fix='set format = "text" or "json"')
    try:
        regex = re.compile(pattern) if pattern else None
    except re.error as exc:
        raise ConfigError(
            f"output_format: pattern is not a regular expression ({exc})", fix="fix the pattern"
        ) from None
    params: dict[str, Any] = {"format": format}
    if pattern:
        params["pattern"] = pattern
    if max_chars:
        params["max_chars"] = max_chars

    def run(state: ChainState) -> str | None:
        text = state.text.strip()
        if not text:
            _block(state, "the answer is empty")
            return None
        if max_chars and len(text) > max_chars:
            _block(state, f"the answer has {len(text)} characters, more than {max_chars}")
            return None
        if regex and not regex.search(text):
            _block(state, f"the answer does not match {pattern!r}")
            return None
        if format == "json":
            m = _FENCED_JSON.match(text)
            body = m.group(1) if m else text
            try:
                json.loads(body)
            except json.JSONDecodeError as exc:
                _block(state, f"the answer is not JSON ({exc.msg} at line {exc.lineno})")
                return None
            return body
        return None

    return Step(name, "check", run, params)
