"""Running a chain: the steps in order over one `ChainState`, each timed and recorded as a span
under the run's root span; the spans and the generate steps' prediction rows are written when
the run ends (one write each), whether it succeeded, was blocked by a check or failed."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..core.errors import LlmopsError
from .model import Chain, ChainState
from .spans import SCHEMA_VERSION

if TYPE_CHECKING:
    from ..core.session import Session


class ChainStepError(LlmopsError):
    """A step raised: the run stopped there; its span holds the error."""


@dataclass
class ChainResult:
    """The outcome of one run: `status` OK, BLOCKED (a check withheld the answer: `output`
    is None, `reason` says why) or ERROR (only in batch runs, which go on)."""

    chain: str
    trace_id: str
    input: str
    output: str | None
    status: str
    reason: str | None = None
    steps: dict[str, str] = field(default_factory=dict)
    spans: list[dict[str, Any]] = field(default_factory=list)
    prediction: Any = None
    grounding_metadata: dict[str, Any] | None = None
    grounding_score: float | None = None
    latency_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "chain": self.chain,
            "trace_id": self.trace_id,
            "status": self.status,
            "input": self.input,
            "output": self.output,
            "reason": self.reason,
            "latency_ms": self.latency_ms,
            "grounding_score": self.grounding_score,
            "steps": [
                {k: s[k] for k in ("step", "kind", "model", "status", "latency_ms", "error")} for s in self.spans[1:]
            ],
        }
        if self.prediction is not None:
            out["prediction"] = self.prediction.to_dict()
        if self.grounding_metadata is not None:
            out["groundingMetadata"] = self.grounding_metadata
        return out


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _span(
    state: ChainState,
    chain: str,
    span_id: str,
    parent: str | None,
    step: tuple[str, str],
    started: str,
    ms: float,
    texts: tuple[str | None, str | None],
    outcome: tuple[str, str | None],
    attrs: dict[str, Any],
    text_on: bool,
) -> dict[str, Any]:
    (name, kind), (inp, out), (status, error) = step, texts, outcome
    return {
        "schema_version": SCHEMA_VERSION,
        "trace_id": state.trace_id,
        "span_id": span_id,
        "parent_span_id": parent,
        "chain": chain,
        "step": name,
        "kind": kind,
        "model": attrs.pop("model", None),
        "status": status,
        "error": error,
        "started": started,
        "latency_ms": round(ms, 4),
        "input": inp if text_on else None,
        "output": out if text_on else None,
        "prompt_tokens": attrs.pop("prompt_tokens", None),
        "output_tokens": attrs.pop("output_tokens", None),
        "max_safety_score": attrs.pop("max_safety_score", None),
        "blocked": attrs.pop("blocked", None),
        "request_id": attrs.pop("request_id", None),
        "grounding_score": attrs.pop("grounding_score", None),
        "attributes": json.dumps(attrs, default=str) if attrs else None,
    }


def run(session: Session, chain: Chain, text: str, *, log: bool | None = None, validate: bool = True) -> ChainResult:
    """Run `chain` on `text`. A step that raises stops the run: its span and the run's record
    the error, everything is written, then a `ChainStepError` is raised. `validate` checks the
    chain against the session first (skip it when the caller already did)."""
    from ..core import monitoring
    from ..core.errors import DataError

    if not text.strip():
        raise DataError(f"the input to chain {chain.name!r} is empty", fix="pass the text to run the chain on")
    if validate:
        chain.validate(session)
    logging_on = session.settings.log_predictions if log is None else log
    text_on = logging_on and monitoring.log_text_enabled(session)
    state = ChainState(session, text, text, trace_id=secrets.token_hex(16), log=logging_on)
    root = secrets.token_hex(8)
    spans: list[dict[str, Any]] = []
    run_started, t_run = _now(), time.perf_counter()
    failure: tuple[str, BaseException] | None = None
    redacts = any(s.params.get("redact_pii") for s in chain.steps)

    def shown(value: str | None, redacted: bool) -> str | None:
        # with a redaction step in the chain, no text from before it reaches the log
        return value if (redacted or not redacts) else None

    for step in chain.steps:
        state.span_id, state.span = secrets.token_hex(8), {}
        before, was_redacted, started, t0 = state.text, state.redacted, _now(), time.perf_counter()
        try:
            out = step.fn(state)
        except Exception as exc:  # any step error stops the run and is recorded
            ms = (time.perf_counter() - t0) * 1000
            err = f"{type(exc).__name__}: {exc}"[:500]
            spans.append(
                _span(
                    state,
                    chain.name,
                    state.span_id,
                    root,
                    (step.name, step.kind),
                    started,
                    ms,
                    (shown(before, was_redacted), None),
                    ("ERROR", err),
                    state.span,
                    text_on,
                )
            )
            failure = (step.name, exc)
            break
        ms = (time.perf_counter() - t0) * 1000
        if isinstance(out, str):
            state.text = out
        state.outputs[step.name] = state.text
        spans.append(
            _span(
                state,
                chain.name,
                state.span_id,
                root,
                (step.name, step.kind),
                started,
                ms,
                (shown(before, was_redacted), shown(state.text, state.redacted)),
                ("BLOCKED" if state.blocked else "OK", None),
                state.span,
                text_on,
            )
        )
        if state.blocked:
            break
    total = (time.perf_counter() - t_run) * 1000
    status = "ERROR" if failure else "BLOCKED" if state.blocked else "OK"
    p = state.prediction
    root_attrs: dict[str, Any] = {"steps": len(chain.steps)}
    if state.blocked:
        root_attrs["reason"] = state.blocked
    if p is not None:
        root_attrs["model"] = p.model
        root_attrs["models"] = chain.models
    output = None if (failure or state.blocked) else state.text
    spans.insert(
        0,
        _span(
            state,
            chain.name,
            root,
            None,
            (chain.name, "chain"),
            run_started,
            total,
            (shown(state.input, state.redacted), output),
            (
                status,
                None if failure is None else f"step {failure[0]}: {type(failure[1]).__name__}: {failure[1]}"[:500],
            ),
            root_attrs,
            text_on,
        ),
    )
    if state.grounding is not None:
        spans[0]["grounding_score"] = state.grounding.score
    if logging_on:
        from .spans import span_log

        if state.rows:
            monitoring.log_for(session).write(state.rows)
        span_log(session).write(spans)
    if failure is not None:
        name, cause = failure
        problem = cause.problem if isinstance(cause, LlmopsError) else f"{type(cause).__name__}: {cause}"
        fix = cause.fix if isinstance(cause, LlmopsError) and cause.fix else None
        where = f"see llmops logs --trace {state.trace_id[:12]}" if logging_on else "fix the step"
        raise ChainStepError(
            f"chain {chain.name!r} stopped at step {name!r}: {problem}",
            fix=f"{fix}; {where}" if fix else where,
        ) from cause
    meta = None
    if state.chunks:
        from ..rag.grounding import GroundedAnswer

        if state.grounding is not None and p is not None:
            meta = GroundedAnswer(p, state.query or "", "", state.chunks, state.grounding).grounding_metadata
    return ChainResult(
        chain.name,
        state.trace_id,
        shown(state.input, state.redacted) or "",
        output,
        status,
        state.blocked,
        dict(state.outputs),
        spans,
        p,
        meta,
        state.grounding.score if state.grounding else None,
        round(total, 3),
    )
