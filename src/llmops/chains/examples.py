"""The shipped example chains, registered through the `register_chains` hook like any
plugin's: grounded Stack Overflow answering (in Python) and draft-then-critique with two
models (in TOML, `draft_critique.toml`)."""

from __future__ import annotations

from pathlib import Path

from ..core.hookspecs import hookimpl
from . import checks, steps
from .model import Chain, ChainState, step

SO_CORPUS = "stackoverflow"
"""The corpus the grounded example reads; `docs/chains.md` shows how to build it."""


@step(kind="post", name="list-sources")
def list_sources(state: ChainState) -> str:
    """Append the Stack Overflow questions the answer cites (`[n]`), or all it was given."""
    cited = sorted(checks.cited_sources(state)) or list(range(1, len(state.chunks) + 1))
    links = "\n".join(f"[{n}] {state.chunks[n - 1].title} — {state.chunks[n - 1].uri}" for n in cited)
    return f"{state.text.rstrip()}\n\nSources:\n{links}"


def grounded_stackoverflow() -> Chain:
    """Redact, retrieve Stack Overflow questions, answer from them, check the answer is safe
    and grounded, then list the sources."""
    return Chain(
        "so-grounded",
        [
            steps.clean(redact_pii=True),
            steps.ground(SO_CORPUS, top_k=4),
            steps.prompt(template="stackoverflow-python"),
            steps.generate("gemini-2.0-flash", max_output_tokens=512),
            checks.safety(),
            checks.require_grounding(min_score=0.2),
            list_sources,
        ],
        "Answer a Python question from the Stack Overflow corpus with groundingMetadata; "
        "blocks unsafe or ungrounded answers.",
    )


def draft_critique() -> Chain:
    """The two-model chain defined in `draft_critique.toml`."""
    from .loader import from_file

    chain = from_file(Path(__file__).with_name("draft_critique.toml"))
    return Chain(chain.name, chain.steps, chain.description, "llmops (draft_critique.toml)")


@hookimpl
def register_chains(register):
    register(grounded_stackoverflow())
    register(draft_critique())
