"""The tuned model's memory: a BM25 index (bm25s) over the training questions, and the training
answers with their provenance, stored in the tuned model's folder.

Questions are indexed without the instruction template, split into words at punctuation, with
English stop words removed, so the nearest training question is found by its content words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

from .training_data import Example, question_text, title_of

INDEX_DIR = "index"
EXAMPLES_FILE = "examples.arrow"

SEARCHABLE_CHARS = 1000
UNICODE_SPACES = (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""The characters above ASCII that Python's `str.split()` splits at."""
# ASCII punctuation and every whitespace become a plain space, so that splitting at " " (what
# Arrow does for a whole corpus, at ASCII whitespace) and `str.split()` (what a query does)
# give the same words.
_SEPARATORS = str.maketrans(
    {chr(i): " " for i in range(128) if not (chr(i).isalnum() or chr(i) == "_")}
    | dict.fromkeys(map(ord, UNICODE_SPACES), " ")
)


def searchable(text: str) -> str:
    """The text BM25 sees: the question after the instruction template, its first
    `SEARCHABLE_CHARS` characters (the title and the start of the body carry the topic)."""
    return question_text(text)[:SEARCHABLE_CHARS]


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
        from bm25s.tokenization import Tokenized

        ids, vocab = tokenize_corpus([e.question for e in examples], _stopword_set())
        retriever = bm25s.BM25()
        retriever.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
        retriever.save(str(folder / INDEX_DIR), show_progress=False)
        table = pa.table(
            {
                "question": [e.question for e in examples],
                "answer": [e.answer for e in examples],
                "title": pa.array([e.title for e in examples], type=pa.string()),
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
        """(title, uri, license) of one training example; without a recorded title, the
        question's first line."""
        title = self._titles[row].as_py() or title_of(self.examples.column("question")[row].as_py())
        return title, self._uris[row].as_py(), self._licenses[row].as_py()


def tokenize(text: str, stopwords: frozenset[str]) -> list[str]:
    """Lower-cased words of two or more characters, split at ASCII punctuation (so HTML tags
    and entities become short, common words), stop words removed. Questions and prompts go
    through this same function, so index and query always agree."""
    return [w for w in searchable(text).lower().translate(_SEPARATORS).split() if len(w) > 1 and w not in stopwords]


def tokenize_corpus(questions: Sequence[str], stopwords: frozenset[str]) -> tuple[list[list[int]], dict[str, int]]:
    """`tokenize` for a whole corpus at once, as word ids per question and the vocabulary.

    Splitting, filtering and numbering run in Arrow's compute kernels over all questions
    together; only the per-question character mapping runs in Python.
    """
    import pyarrow.compute as pc

    texts = pa.array([searchable(q).lower().translate(_SEPARATORS) for q in questions], type=pa.large_string())
    lists = pc.ascii_split_whitespace(texts)
    words, parents = pc.list_flatten(lists), pc.list_parent_indices(lists)
    keep = pc.and_(
        pc.greater_equal(pc.utf8_length(words), 2),
        pc.invert(pc.is_in(words, value_set=pa.array(sorted(stopwords), type=pa.large_string()))),
    )
    encoded = pc.dictionary_encode(words.filter(keep))
    word_ids = encoded.indices.to_numpy(zero_copy_only=False)
    owners = parents.filter(keep).to_numpy(zero_copy_only=False)
    bounds = np.searchsorted(owners, np.arange(1, len(questions)))
    ids = [chunk.tolist() for chunk in np.split(word_ids, bounds)]
    vocab = {w: i for i, w in enumerate(encoded.dictionary.to_pylist())}
    return ids, vocab


def _stopword_set() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)
