"""The tuned model's memory: a BM25 index (bm25s) over the training questions, and the training
answers with their provenance, stored in the tuned model's folder.

Questions are indexed without the instruction template and without HTML tags, with English
stop words removed, so the nearest training question is found by its content words.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

from .training_data import Example, question_text

INDEX_DIR = "index"
EXAMPLES_FILE = "examples.arrow"

_TAG = re.compile(r"<[^>]+>")
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def searchable(text: str) -> str:
    """The text BM25 sees: the question without template, tags or HTML entities."""
    return html.unescape(_TAG.sub(" ", question_text(text)))


@dataclass(frozen=True)
class Hit:
    """A retrieved training example and its BM25 score."""

    row: int
    score: float


class RetrievalIndex:
    """Nearest training examples for a prompt, loaded from (or built into) a model folder."""

    def __init__(self, retriever, examples: pa.Table):
        self._retriever = retriever
        self._vocab: dict[str, int] = retriever.vocab_dict
        self._stopwords = _stopword_set()
        self.examples = examples
        self._answers = examples.column("answer")
        self._titles = examples.column("title")
        self._uris = examples.column("uri")
        self._licenses = examples.column("license")

    def __len__(self) -> int:
        return self.examples.num_rows

    @classmethod
    def build(cls, examples: Sequence[Example], folder: str | Path) -> RetrievalIndex:
        """Index `examples` and save index and examples under `folder` (which must exist)."""
        import bm25s

        folder = Path(folder)
        stop = _stopword_set()
        tokens = [tokenize(e.question, stop) for e in examples]
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        retriever.save(str(folder / INDEX_DIR), show_progress=False)
        table = pa.table(
            {
                "question": [e.question for e in examples],
                "answer": [e.answer for e in examples],
                "title": [e.title for e in examples],
                "uri": pa.array([e.uri for e in examples], type=pa.string()),
                "license": [e.license for e in examples],
            }
        )
        feather.write_feather(table, folder / EXAMPLES_FILE, compression="uncompressed")
        return cls(retriever, table)

    @classmethod
    def load(cls, folder: str | Path) -> RetrievalIndex:
        """The index saved in a tuned model's folder."""
        import bm25s

        folder = Path(folder)
        retriever = bm25s.BM25.load(str(folder / INDEX_DIR), mmap=False, show_progress=False)
        table = feather.read_table(folder / EXAMPLES_FILE, memory_map=True)
        return cls(retriever, table)

    def token_ids(self, prompt: str) -> list[int]:
        return [self._vocab[w] for w in tokenize(prompt, self._stopwords) if w in self._vocab]

    def search(self, prompt: str, k: int = 1) -> list[Hit]:
        """The `k` best-matching training examples, best first; empty when nothing matches."""
        ids = self.token_ids(prompt)
        if not ids:
            return []
        scores = self._retriever.get_scores_from_ids(ids)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        # Ties break on the lower row so results never depend on argpartition's order.
        ranked = sorted(top.tolist(), key=lambda i: (-float(scores[i]), i))
        return [Hit(i, float(scores[i])) for i in ranked if scores[i] > 0]

    def answer(self, row: int) -> str:
        return self._answers[row].as_py()

    def source(self, row: int) -> tuple[str, str | None, str]:
        """(title, uri, license) of one training example."""
        return self._titles[row].as_py(), self._uris[row].as_py(), self._licenses[row].as_py()


def tokenize(text: str, stopwords: frozenset[str]) -> list[str]:
    """Lower-cased words of two or more characters, stop words removed (questions and prompts
    go through the same function, so index and query always agree)."""
    return [w for w in _TOKEN.findall(searchable(text).lower()) if w not in stopwords]


def _stopword_set() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)
