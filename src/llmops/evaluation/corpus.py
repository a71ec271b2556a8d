"""Corpus BLEU and chrF equal to sacrebleu's defaults, with n-gram counting vectorised in numpy.

sacrebleu counts n-grams in Python dictionaries, one sentence at a time. Here every sentence of
a corpus is concatenated into one integer array (word ids for BLEU after sacrebleu's own 13a
tokenizer; characters for chrF), n-grams are packed into integers, and one sort per order
counts the clipped matches of all sentences at once. The final formulas are sacrebleu's own
(`_compute_score_from_stats`), so scores are equal to `sacrebleu.corpus_bleu` / `corpus_chrf`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from .rouge import _Vocab


@lru_cache(maxsize=1)
def _metrics() -> tuple[Any, Any]:
    from sacrebleu.metrics import BLEU, CHRF

    return BLEU(), CHRF()


def _concat(seqs: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """All sequences end to end and each position's sentence index."""
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    flat = np.concatenate(seqs).astype(np.int64) if seqs else np.zeros(0, dtype=np.int64)
    return flat, np.repeat(np.arange(len(seqs), dtype=np.int64), lengths)


_LIMIT = 1 << 62


def _matches(hyps: Sequence[np.ndarray], refs: Sequence[np.ndarray], max_order: int) -> list[int]:
    """For each order 1..max_order: the clipped n-gram matches summed over sentence pairs.

    Tokens must be dense ids (0..V-1). An n-gram's id is its tokens packed in base V while that
    fits in 62 bits with the sentence pair and side; past that the ids are re-densified by a sort.
    One sort per order then counts every (pair, n-gram, side) at once."""
    h, h_pair = _concat(hyps)
    r, r_pair = _concat(refs)
    tokens = np.concatenate([h, r])
    pair = np.concatenate([h_pair, r_pair])
    segment = np.concatenate([h_pair, r_pair + len(hyps)])
    side = (np.arange(len(tokens)) >= len(h)).astype(np.int64)
    base = int(tokens.max()) + 1 if len(tokens) else 1
    room = _LIMIT // (2 * max(len(hyps), 1))
    ids = tokens
    width = base
    out = []
    for n in range(1, max_order + 1):
        count = len(tokens) - n + 1
        if count <= 0:
            out.append(0)
            continue
        if n > 1:
            if width * base >= room:
                ids, inverse = np.unique(ids, return_inverse=True)
                width, ids = len(ids), inverse.astype(np.int64)
            ids = ids[:-1] * base + tokens[n - 1 :]
            width *= base
        valid = segment[:count] == segment[n - 1 : n - 1 + count]
        keys = ((pair[:count] * width + ids) * 2 + side[:count])[valid]
        unique, counts = np.unique(keys, return_counts=True)
        # A hypothesis key (side 0) directly followed by the same n-gram's reference key (side 1).
        both = (unique[:-1] >> 1) == (unique[1:] >> 1)
        out.append(int(np.minimum(counts[:-1][both], counts[1:][both]).sum()))
    return out


def _dense_chars(texts: Sequence[str]) -> list[np.ndarray]:
    codes = [np.frombuffer("".join(t.split()).encode("utf-32-le"), dtype=np.uint32) for t in texts]
    if not codes:
        return codes
    present = np.bincount(np.concatenate(codes), minlength=1) > 0
    table = np.cumsum(present) - 1
    return [table[c] for c in codes]


def _ngram_totals(lengths: np.ndarray, n: int) -> np.ndarray:
    return np.maximum(lengths - n + 1, 0)


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """sacrebleu's `corpus_bleu(hypotheses, [references]).score` (13a tokens, exp smoothing), 0..100."""
    bleu, _ = _metrics()
    vocab = _Vocab()
    order = bleu.max_ngram_order

    def encode(texts: Sequence[str]) -> list[np.ndarray]:
        return [np.fromiter(map(vocab.__getitem__, bleu.tokenizer(t.rstrip()).split()), dtype=np.int64) for t in texts]

    hyps, refs = encode(hypotheses), encode(references)
    h_len = np.fromiter((len(s) for s in hyps), dtype=np.int64, count=len(hyps))
    r_len = np.fromiter((len(s) for s in refs), dtype=np.int64, count=len(refs))
    correct = _matches(hyps, refs, order)
    total = [int(_ngram_totals(h_len, n).sum()) for n in range(1, order + 1)]
    stats = [int(h_len.sum()), int(r_len.sum()), *correct, *total]
    return float(bleu._compute_score_from_stats(stats).score)


def corpus_chrf(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """sacrebleu's `corpus_chrf(hypotheses, [references]).score` (character 6-grams, beta 2), 0..100."""
    _, chrf = _metrics()
    order = chrf.char_order

    chars = _dense_chars([*hypotheses, *references])
    hyps, refs = chars[: len(hypotheses)], chars[len(hypotheses) :]
    h_len = np.fromiter((len(s) for s in hyps), dtype=np.int64, count=len(hyps))
    r_len = np.fromiter((len(s) for s in refs), dtype=np.int64, count=len(refs))
    matches = _matches(hyps, refs, order)
    stats: list[int] = []
    for n in range(1, order + 1):
        h_n, r_n = _ngram_totals(h_len, n), _ngram_totals(r_len, n)
        # sacrebleu counts no hypothesis n-grams of an order the reference is too short to have.
        stats += [int(h_n[r_n > 0].sum()), int(r_n.sum()), matches[n - 1]]
    return float(chrf._compute_score_from_stats(stats).score)
