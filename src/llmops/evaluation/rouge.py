"""ROUGE-1/2/L/Lsum with rouge-score's exact semantics, computed in compiled code.

Tokenization is rouge-score's default tokenizer: lowercase, every run of characters outside
`[a-z0-9]` becomes a space, split, and (with stemming) NLTK's Porter stemmer applied to tokens
longer than three characters. Stems are memoised, and the longest common subsequence is
computed by rapidfuzz's bit-parallel LCS over token ids, so scores are equal to rouge-score's
float for float while running tens of times faster.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz.distance import LCSseq

_NON_ALNUM = bytes(b if chr(b) in "abcdefghijklmnopqrstuvwxyz0123456789" else 32 for b in range(256))
"""Every byte but `[a-z0-9]` to a space: with non-ASCII characters first encoded as `?`, the
same tokens as rouge-score's `re.sub(r"[^a-z0-9]+", " ", text)`, without the regex."""

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


@dataclass(frozen=True)
class Score:
    """Precision, recall and F-measure of one prediction against one target, 0..1."""

    precision: float
    recall: float
    fmeasure: float


_ZERO = Score(0.0, 0.0, 0.0)


def _fmeasure(precision: float, recall: float) -> float:
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0


class _Stems(dict[str, str]):
    """Memoised Porter stems (rouge-score stems only tokens longer than three characters)."""

    def __init__(self) -> None:
        super().__init__()
        self._stem = _porter_stemmer().stem

    def __missing__(self, token: str) -> str:
        stem = self[token] = self._stem(token) if len(token) > 3 else token
        return stem


def _porter_stemmer() -> Any:
    """NLTK's PorterStemmer, the one rouge-score stems with, loaded without running NLTK's
    package `__init__`, which imports most of NLTK and SciPy (about 3 CPU-s on a slow 2-core
    machine, where the stemmer's own modules take milliseconds). Once NLTK is imported for real,
    its stemmer is used as it is; the stand-in package entries are removed afterwards, so a later
    `import nltk` is a normal one."""
    if "nltk" in sys.modules:
        from nltk.stem import porter

        return porter.PorterStemmer()
    spec = importlib.util.find_spec("nltk")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("ROUGE with stemming needs NLTK: pip install nltk")
    root = Path(next(iter(spec.submodule_search_locations)))
    added = []
    try:
        for name, folder in (("nltk", root), ("nltk.stem", root / "stem")):
            package = types.ModuleType(name)
            package.__path__ = [str(folder)]
            sys.modules[name] = package
            added.append(name)
        return importlib.import_module("nltk.stem.porter").PorterStemmer()
    finally:
        for name in [*added, *(n for n in list(sys.modules) if n.startswith("nltk."))]:
            sys.modules.pop(name, None)


class _Vocab(dict[str, int]):
    """Token -> dense integer id, assigned on first sight."""

    def __missing__(self, token: str) -> int:
        found = self[token] = len(self)
        return found


@lru_cache(maxsize=1)
def _stems() -> _Stems:
    return _Stems()


def tokenize(text: str, use_stemmer: bool = True) -> list[str]:
    """rouge-score's default tokens of a text."""
    tokens = text.lower().encode("ascii", "replace").translate(_NON_ALNUM).decode("ascii").split()
    if use_stemmer:
        # A stem is lowercase alphanumerics again, so rouge-score's final validity filter is moot.
        tokens = list(map(_stems().__getitem__, tokens))
    return tokens


def _ids(tokens: Sequence[str], vocab: _Vocab) -> list[int]:
    return list(map(vocab.__getitem__, tokens))


def score_lcs(target: Sequence[str], prediction: Sequence[str]) -> Score:
    """ROUGE-L of token lists."""
    if not target or not prediction:
        return _ZERO
    vocab = _Vocab()
    lcs = LCSseq.similarity(_ids(target, vocab), _ids(prediction, vocab))
    precision, recall = lcs / len(prediction), lcs / len(target)
    return Score(precision, recall, _fmeasure(precision, recall))


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(zip(*(tokens[i:] for i in range(n)), strict=False))


def score_ngrams(target: Sequence[str], prediction: Sequence[str], n: int) -> Score:
    """ROUGE-N of token lists."""
    t, p = _ngrams(target, n), _ngrams(prediction, n)
    t_count, p_count = sum(t.values()), sum(p.values())
    overlap = sum((t & p).values())
    precision = overlap / max(p_count, 1)
    recall = overlap / max(t_count, 1)
    return Score(precision, recall, _fmeasure(precision, recall))


def _lcs_positions(ref: list[int], cand: list[int]) -> set[int]:
    """Indices in `ref` of the longest common subsequence rouge-score's backtrack picks."""
    rows, cols = len(ref), len(cand)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        r = ref[i - 1]
        prev, cur = table[i - 1], table[i]
        for j in range(1, cols + 1):
            cur[j] = prev[j - 1] + 1 if r == cand[j - 1] else max(prev[j], cur[j - 1])
    out: set[int] = set()
    i, j = rows, cols
    while i > 0 and j > 0:
        if ref[i - 1] == cand[j - 1]:
            out.add(i - 1)
            i, j = i - 1, j - 1
        elif table[i][j - 1] > table[i - 1][j]:
            j -= 1
        else:
            i -= 1
    return out


def score_summary_lcs(target_sents: list[list[str]], prediction_sents: list[list[str]]) -> Score:
    """Summary-level ROUGE-L (rougeLsum) of sentence token lists: the union of each target
    sentence's LCS with every prediction sentence, each token counted at most as often as it
    occurs on both sides."""
    m, n = sum(map(len, target_sents)), sum(map(len, prediction_sents))
    if not m or not n:
        return _ZERO
    vocab = _Vocab()
    refs = [_ids(s, vocab) for s in target_sents]
    cands = [_ids(s, vocab) for s in prediction_sents]
    p_budget = Counter(t for s in cands for t in s)
    t_budget = Counter(t for s in refs for t in s)
    hits = 0
    for ref in refs:
        covered: set[int] = set()
        for cand in cands:
            # Only a sentence pair sharing a token can add to the union; rapidfuzz says so cheaply.
            if LCSseq.similarity(ref, cand):
                covered |= _lcs_positions(ref, cand)
        for i in sorted(covered):
            token = ref[i]
            if p_budget[token] > 0 and t_budget[token] > 0:
                hits += 1
                p_budget[token] -= 1
                t_budget[token] -= 1
    precision, recall = hits / n, hits / m
    return Score(precision, recall, _fmeasure(precision, recall))


def _sentences(text: str, use_stemmer: bool) -> list[list[str]]:
    return [tokenize(s, use_stemmer) for s in text.split("\n") if s]


def score(
    target: str, prediction: str, rouge_types: Sequence[str] = ("rougeL",), *, use_stemmer: bool = True
) -> dict[str, Score]:
    """rouge-score's `RougeScorer(rouge_types, use_stemmer).score(target, prediction)`
    (rougeLsum splits sentences on newlines, rouge-score's default)."""
    unknown = [t for t in rouge_types if t not in ROUGE_TYPES and not re.fullmatch(r"rouge[1-9]", t)]
    if unknown:
        raise ValueError(f"unknown ROUGE type {unknown[0]!r}; known: {', '.join(ROUGE_TYPES)}")
    t_tokens = tokenize(target, use_stemmer)
    p_tokens = tokenize(prediction, use_stemmer)
    out: dict[str, Score] = {}
    for kind in rouge_types:
        if kind == "rougeL":
            out[kind] = score_lcs(t_tokens, p_tokens)
        elif kind == "rougeLsum":
            out[kind] = score_summary_lcs(_sentences(target, use_stemmer), _sentences(prediction, use_stemmer))
        else:
            out[kind] = score_ngrams(t_tokens, p_tokens, int(kind[5:]))
    return out


def rouge_l(targets: Sequence[str], predictions: Sequence[str], *, use_stemmer: bool = True) -> list[float]:
    """ROUGE-L F-measure of each prediction against its target."""
    return [
        score_lcs(tokenize(t, use_stemmer), tokenize(p, use_stemmer)).fmeasure
        for t, p in zip(targets, predictions, strict=True)
    ]
