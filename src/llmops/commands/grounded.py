"""How `llmops predict --ground` prints a grounded answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..core.types import GenerationConfig
from .common import console, print_json, session


def grounded_predict_command(
    question: str,
    corpus: str,
    *,
    model: str | None,
    generation: GenerationConfig,
    safety: Mapping[str, str] | None,
    top_k: int,
    log: bool | None,
    json_: bool,
    show: Callable[[Any], None],
) -> None:
    """Answer from a corpus; print the answer, then its grounding score, supports and sources."""
    from ..rag import grounded_predict

    g = grounded_predict(
        session(), corpus, question, model=model, generation=generation, safety=safety, top_k=top_k, log=log
    )
    if json_:
        print_json(g.to_dict())
        return
    show(g.prediction)
    supported = sum(s.supported for s in g.report.sentences)
    console.print(
        f"grounding: {g.report.score:.2f} ({supported} of {len(g.report.sentences)} sentences supported by corpus {corpus})",
        markup=False,
        style="dim",
    )
    answer = g.prediction.text.encode("utf-8")
    for sup in g.grounding_metadata["groundingSupports"]:
        seg = sup["segment"]
        text = answer[seg.get("startIndex", 0) : seg["endIndex"]].decode("utf-8")
        chunks = ", ".join(
            f"[{i + 1}] {c:.2f}" for i, c in zip(sup["groundingChunkIndices"], sup["confidenceScores"], strict=True)
        )
        console.print(
            f"  bytes {seg.get('startIndex', 0)}-{seg['endIndex']} ← {chunks}: {text[:120]}", markup=False, style="dim"
        )
    console.print("sources:", markup=False, style="dim")
    for n, c in enumerate(g.chunks, 1):
        console.print(f"  [{n}] {c.title} — {c.uri}", markup=False, style="dim")
