"""Grounded prediction: retrieve chunks, put them in the prompt, answer, then find which answer
sentences the chunks support and report it as Gemini's `groundingMetadata`.

Support is lexical and deterministic: a sentence of at least `MIN_WORDS` words is supported by a
chunk when at least `SUPPORT_THRESHOLD` of the sentence's word pairs (bigrams) occur in the chunk;
its confidence is that share. The grounding score of an answer is the share of its sentences
that some retrieved chunk supports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.types import GenerationConfig, Prediction
from .index import Chunk

if TYPE_CHECKING:
    from ..core.session import Session

SUPPORT_THRESHOLD = 0.6
MIN_WORDS = 4
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?]+(?!\s|[.!?]|$))+[.!?]*")
_WORDS = re.compile(r"[a-z0-9_]+")

INSTRUCTION = "Answer the question from the sources above, citing them as [n]; say so if they do not answer it."


def build_prompt(question: str, chunks: Sequence[Chunk]) -> str:
    """The grounded prompt: numbered sources first, then the instruction and the question."""
    sources = "\n\n".join(f"[{n}] {c.title} ({c.uri})\n{c.text}" for n, c in enumerate(chunks, 1))
    return f"Sources:\n{sources}\n\n{INSTRUCTION}\nQuestion: {question}"


@dataclass(frozen=True)
class SentenceSupport:
    """One answer sentence: character offsets, and the chunk that best supports it (if any)."""

    text: str
    start: int
    end: int
    supported: bool
    chunk: int | None
    coverage: float


@dataclass(frozen=True)
class GroundingReport:
    """Deterministic grounding of an answer against chunks."""

    score: float
    sentences: list[SentenceSupport] = field(default_factory=list)
    supports: list[dict[str, Any]] = field(default_factory=list)


def _bigrams(text: str) -> set[tuple[str, str]]:
    words = _WORDS.findall(text.lower())
    return set(zip(words, words[1:], strict=False))


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of `text`, surrounding space excluded."""
    out = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def assess(answer: str, chunk_texts: Sequence[str], threshold: float = SUPPORT_THRESHOLD) -> GroundingReport:
    """Which sentences of `answer` the chunks support, as `groundingSupports` (UTF-8 byte
    offsets, as Gemini gives them) and a score in [0, 1]."""
    grams = [_bigrams(t) for t in chunk_texts]
    found: list[SentenceSupport] = []
    supports: list[dict[str, Any]] = []
    for start, end in sentences(answer):
        text = answer[start:end]
        mine = _bigrams(text)
        if len(mine) + 1 < MIN_WORDS:
            continue
        coverage = [len(mine & g) / len(mine) for g in grams]
        backing = sorted((i for i, c in enumerate(coverage) if c >= threshold), key=lambda i: (-coverage[i], i))
        best = max(range(len(coverage)), key=lambda i: (coverage[i], -i)) if coverage else None
        found.append(
            SentenceSupport(
                text,
                start,
                end,
                bool(backing),
                backing[0] if backing else None,
                round(coverage[best], 4) if best is not None else 0.0,
            )
        )
        if backing:
            segment: dict[str, Any] = {
                "endIndex": len(answer[:end].encode("utf-8")),
                "text": text,
            }
            byte_start = len(answer[:start].encode("utf-8"))
            if byte_start:
                segment = {"startIndex": byte_start, **segment}
            supports.append(
                {
                    "segment": segment,
                    "groundingChunkIndices": backing,
                    "confidenceScores": [round(coverage[i], 4) for i in backing],
                }
            )
    score = sum(s.supported for s in found) / len(found) if found else 0.0
    return GroundingReport(round(score, 4), found, supports)


@dataclass(frozen=True)
class GroundedAnswer:
    """A prediction with the chunks it was grounded on and Gemini's `groundingMetadata`."""

    prediction: Prediction
    question: str
    corpus: str
    chunks: list[Chunk]
    report: GroundingReport

    @property
    def grounding_metadata(self) -> dict[str, Any]:
        return {
            "retrievalQueries": [self.question],
            "groundingChunks": [
                {"retrievedContext": {"uri": c.uri, "title": c.title, "text": c.text}} for c in self.chunks
            ],
            "groundingSupports": self.report.supports,
        }

    def to_dict(self) -> dict[str, Any]:
        out = self.prediction.to_dict()
        out["groundingMetadata"] = self.grounding_metadata
        out["grounding"] = {
            "corpus": self.corpus,
            "score": self.report.score,
            "sentences": [
                {
                    "text": s.text,
                    "start": s.start,
                    "end": s.end,
                    "supported": s.supported,
                    "chunk": s.chunk,
                    "coverage": s.coverage,
                }
                for s in self.report.sentences
            ],
        }
        return out


def grounded_predict(
    session: Session,
    corpus: str,
    question: str,
    *,
    model: str | None = None,
    generation: GenerationConfig | None = None,
    safety: Mapping[str, str] | None = None,
    top_k: int = 5,
    log: bool | None = None,
) -> GroundedAnswer:
    """Answer `question` from corpus `corpus`: retrieve `top_k` chunks, prompt with them, predict
    (logged like any prediction), and ground the answer against the chunks."""
    from ..core import monitoring
    from . import open_corpus

    chunks = open_corpus(session, corpus).search(question, top_k)
    prediction = monitoring.predict(
        session, build_prompt(question, chunks), model=model, generation=generation, safety=safety, log=log
    )
    answer = "" if prediction.blocked else prediction.text
    report = assess(answer, [c.text for c in chunks])
    return GroundedAnswer(prediction, question, corpus, chunks, report)
