"""What a chain is: a named sequence of steps, each a callable over the run's state, plus the
`@step` decorator that turns a plain function into one."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigError

if TYPE_CHECKING:
    from ..core.session import Session
    from ..core.types import Prediction
    from ..rag.grounding import GroundingReport
    from ..rag.index import Chunk

KINDS = ("pre", "ground", "prompt", "generate", "post", "check")
"""Step kinds, in the order a chain usually uses them (any order is allowed)."""


@dataclass
class ChainState:
    """What flows through a run. Steps read and update it; `text` is the current text (the
    question, then the prompt, then the answer)."""

    session: Session
    input: str
    text: str
    chunks: list[Chunk] = field(default_factory=list)
    query: str | None = None
    prediction: Prediction | None = None
    grounding: GroundingReport | None = None
    template: tuple[str, str] | None = None
    """`(name, version)` of the registry prompt that built the current prompt."""
    outputs: dict[str, str] = field(default_factory=dict)
    blocked: str | None = None
    """Set by a check step that fails: why the answer is withheld; the run stops."""
    redacted: bool = False
    span: dict[str, Any] = field(default_factory=dict)
    """Attributes the running step adds to its span (model, tokens, request id, ...)."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    """Prediction-log rows made by generate steps, written when the run ends."""
    trace_id: str = ""
    span_id: str = ""
    log: bool = True


StepFn = Callable[[ChainState], "str | None"]


@dataclass(frozen=True)
class Step:
    """One step: `fn(state)` returns the new text (or None to keep it). `validate(session,
    earlier)` runs when the chain is loaded, with the names of the steps before this one."""

    name: str
    kind: str
    fn: StepFn
    params: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    validate: Callable[[Session, Sequence[Step]], None] | None = None
    wrapped: Callable[..., Any] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The decorated function itself, so a decorated step stays a plain callable."""
        if self.wrapped is None:
            return self.fn(*args, **kwargs)
        return self.wrapped(*args, **kwargs)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "model": self.model, "params": dict(self.params)}


def step(fn: Callable[..., Any] | None = None, *, name: str | None = None, kind: str = "post") -> Any:
    """Make a plain function a chain step: `@step` or `@step(name=..., kind="pre")`.

    A function of one argument named `state` gets the `ChainState`; any other one-argument
    function gets the current text. Either returns the new text (or None to keep it)."""

    def wrap(f: Callable[..., Any]) -> Step:
        if kind not in KINDS:
            raise ConfigError(f"step kind {kind!r} is not one of {', '.join(KINDS)}", fix="pick one of those kinds")
        params = list(inspect.signature(f).parameters)
        if len(params) != 1:
            raise ConfigError(
                f"step {f.__name__} takes {len(params)} arguments",
                fix="a step takes one argument: the current text, or `state`",
            )
        if params[0] == "state":
            run: StepFn = f
        else:

            def run(state: ChainState) -> str | None:
                return f(state.text)

        return Step(name or f.__name__.replace("_", "-"), kind, run, wrapped=f)

    return wrap(fn) if fn is not None else wrap


@dataclass(frozen=True)
class Chain:
    """A named sequence of steps, with where it was defined."""

    name: str
    steps: tuple[Step, ...]
    description: str = ""
    source: str = ""

    def __init__(self, name: str, steps: Sequence[Step], description: str = "", source: str = ""):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "steps", tuple(steps))
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "source", source)
        self._check_shape()

    def _check_shape(self) -> None:
        if not self.steps:
            raise ConfigError(f"chain {self.name!r} has no steps", fix="give it at least one step")
        seen: set[str] = set()
        for s in self.steps:
            if not isinstance(s, Step):
                raise ConfigError(
                    f"chain {self.name!r}: {s!r} is not a step",
                    fix="decorate the function with @llmops.chains.step or use a built-in step",
                )
            if s.name in seen:
                raise ConfigError(
                    f"chain {self.name!r} has two steps named {s.name!r}", fix="give one of them another name"
                )
            seen.add(s.name)

    @property
    def models(self) -> list[str]:
        """The models its generate steps name (None: the session's base model)."""
        return [s.model or "(base model)" for s in self.steps if s.kind == "generate"]

    def validate(self, session: Session) -> None:
        """Check every step against the session (templates, models, corpora exist), before
        anything runs; a ConfigError naming the chain and step otherwise."""
        from ..core.errors import LlmopsError

        for i, s in enumerate(self.steps):
            if s.validate is None:
                continue
            try:
                s.validate(session, self.steps[:i])
            except LlmopsError as exc:
                raise type(exc)(f"chain {self.name!r} step {s.name!r}: {exc.problem}", fix=exc.fix) from None

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "steps": [s.describe() for s in self.steps],
        }
