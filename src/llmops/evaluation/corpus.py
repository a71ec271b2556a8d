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
from itertools import chain
from typing import Any

import numpy as np

from .rouge import _Vocab


@lru_cache(maxsize=1)
def _metrics() -> tuple[Any, Any]:
    from sacrebleu.metrics import BLEU, CHRF

    return BLEU(), CHRF()


@lru_cache(maxsize=1)
def _tokenizer_13a() -> Any:
    """sacrebleu's 13a tokenizer with its first rule (a space either side of every ASCII symbol,
    one character at a time) done by `str.translate`, which gives the same string faster."""
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    rules = Tokenizer13a()._post_tokenizer._re
    symbols, _ = rules[0]
    table = str.maketrans({chr(i): f" {chr(i)} " for i in range(128) if symbols.fullmatch(chr(i))})
    dots, dash = rules[1:3], rules[3:]

    @lru_cache(maxsize=2**16)  # as sacrebleu's own: references repeat across models and prompts
    def tokenize(line: str) -> str:
        line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
        if "&" in line:
            line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
        line = f" {line} ".translate(table)
        if "." in line or "," in line:
            for rule, repl in dots:
                line = rule.sub(repl, line)
        if "-" in line:
            for rule, repl in dash:
                line = rule.sub(repl, line)
        return " ".join(line.split())

    return tokenize


def _flat(pieces: Sequence[Sequence[Any]], ids: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every piece's items mapped by `ids`, end to end, and each piece's length."""
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    flat = np.fromiter(map(ids, chain.from_iterable(pieces)), dtype=np.int64, count=int(lengths.sum()))
    return flat, lengths


def _count(ids: np.ndarray, side: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Clipped matches of n-grams named by `ids` (>= 0) seen on side 0 (hypothesis) and side 1
    (reference); per position, whether its n-gram is on both sides, and a name for the n-gram
    below 4 * len(ids) + 1024.

    A small id range is counted with `bincount`; otherwise one sort of the ids with their
    positions packed into the low bits (a plain sort is about twice as fast as an argsort)."""
    top = int(ids.max()) + 1
    if top <= 4 * len(ids) + 1024:
        h = np.bincount(ids[side == 0], minlength=top)
        r = np.bincount(ids[side == 1], minlength=top)
        ng = ids
    else:
        bits = max(int(len(ids)).bit_length(), 1)
        if top.bit_length() + bits > 62:
            unique, ng = np.unique(ids, return_inverse=True)
            top = len(unique)
        else:
            packed = np.sort((ids << bits) | np.arange(len(ids), dtype=np.int64))
            order = packed & ((1 << bits) - 1)
            sorted_ids = packed >> bits
            start = np.ones(len(ids), dtype=bool)
            start[1:] = sorted_ids[1:] != sorted_ids[:-1]
            ng = np.empty(len(ids), dtype=np.int64)
            ng[order] = np.cumsum(start.view(np.int8), dtype=np.int64) - 1
            top = int(start.sum())
        h = np.bincount(ng[side == 0], minlength=top)
        r = np.bincount(ng[side == 1], minlength=top)
    return int(np.minimum(h, r).sum()), ((h > 0) & (r > 0))[ng], ng


def _matches(h: np.ndarray, h_len: np.ndarray, r: np.ndarray, r_len: np.ndarray, max_order: int) -> list[int]:
    """For each order 1..max_order: the clipped n-gram matches summed over sentence pairs.

    `h` and `r` are the hypotheses' and references' tokens end to end, as dense ids (0..V-1),
    and `h_len`, `r_len` each sentence's length. One sort per order counts every (pair, n-gram, side) at
    once. An n-gram can only match when the two (n-1)-grams inside it occur on both sides of
    its pair, so each order looks only at those positions (few, past the first orders), and
    names each n-gram by its (n-1)-gram's rank and its last token, which never overflows."""
    h_pair = np.repeat(np.arange(len(h_len), dtype=np.int64), h_len)
    r_pair = np.repeat(np.arange(len(r_len), dtype=np.int64), r_len)
    tokens = np.concatenate([h, r])
    side = np.concatenate([np.zeros(len(h), dtype=np.int64), np.ones(len(r), dtype=np.int64)])
    segment = np.concatenate([h_pair, r_pair + len(h_len)])
    base = int(tokens.max()) + 1 if len(tokens) else 1
    ids = np.concatenate([h_pair, r_pair]) * base + tokens  # (pair, n-gram) names at order 1
    positions = np.arange(len(tokens))
    shared = np.zeros(len(tokens) + 1, dtype=bool)
    rank = np.zeros(len(tokens), dtype=np.int64)
    out: list[int] = []
    for n in range(1, max_order + 1):
        if n > 1:
            count = len(tokens) - n + 1
            alive = np.flatnonzero(shared[:count] & shared[1 : count + 1]) if count > 0 else positions[:0]
            positions = alive[segment[alive] == segment[alive + n - 1]]
            ids = rank[positions] * base + tokens[positions + n - 1]
        if not len(positions):
            out += [0] * (max_order - n + 1)
            break
        matches, on_both, ranks = _count(ids, side[positions])
        out.append(matches)
        shared[:] = False
        shared[positions] = on_both
        rank[positions] = ranks
    return out


def _packed_matches(chars: np.ndarray, lengths: np.ndarray, pairs: int, order: int) -> list[int] | None:
    """`_matches` for characters with one sort: each position's `order`-gram (characters past
    its text's end as 0), its pair and its side packed into one integer, first character most
    significant, so the sorted keys are sorted by every shorter prefix as well and each order's
    n-grams are runs of equal prefixes. None when the key would not fit in 63 bits."""
    n_chars = len(chars)
    if not n_chars:
        return [0] * order
    width = (int(chars.max()) + 1).bit_length()  # ids 1..V; 0 = past the text's end
    if max(pairs - 1, 1).bit_length() + order * width + 1 > 63:
        return None
    text = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    left = np.cumsum(lengths)[text] - np.arange(n_chars, dtype=np.int64)  # characters to the text's end
    key = np.where(text < pairs, text, text - pairs)
    ids = chars.astype(np.int64) + 1
    for k in range(order):
        nxt = np.zeros(n_chars, dtype=np.int64)
        if k < n_chars:
            nxt[: n_chars - k] = ids[k:]
            nxt[left <= k] = 0
        key = (key << width) | nxt
    key = np.sort((key << 1) | (text >= pairs))
    refs_before = np.concatenate(([0], np.cumsum(key & 1)))  # reference n-grams before each position
    start = np.zeros(n_chars, dtype=bool)
    start[0] = True
    start[1:] = (key[1:] >> (1 + width * order)) != (key[:-1] >> (1 + width * order))  # a new pair
    out: list[int] = []
    for n in range(1, order + 1):
        char = (key >> (1 + width * (order - n))) & ((1 << width) - 1)
        start[1:] |= char[1:] != char[:-1]  # runs of equal n-character prefixes
        bounds = np.append(np.flatnonzero(start), n_chars)
        starts = bounds[:-1]
        ref = np.diff(refs_before[bounds])
        hyp = np.diff(bounds) - ref
        inside = char[starts] != 0  # a run past a text's end is no n-gram
        out.append(int(np.minimum(hyp, ref)[inside].sum()))
    return out


def _dense_chars(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The texts' characters but whitespace, end to end as dense ids, and each text's length."""
    stripped = ["".join(t.split()) for t in texts]
    lengths = np.fromiter(map(len, stripped), dtype=np.int64, count=len(stripped))
    codes = np.frombuffer("".join(stripped).encode("utf-32-le"), dtype=np.uint32)
    present = np.bincount(codes, minlength=1) > 0
    return (np.cumsum(present) - 1)[codes], lengths


def _ngram_totals(lengths: np.ndarray, n: int) -> np.ndarray:
    return np.maximum(lengths - n + 1, 0)


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """sacrebleu's `corpus_bleu(hypotheses, [references]).score` (13a tokens, exp smoothing), 0..100."""
    bleu, _ = _metrics()
    vocab = _Vocab()
    order = bleu.max_ngram_order
    tokenize = _tokenizer_13a() if bleu.tokenizer.signature() == "13a" else bleu.tokenizer

    h, h_len = _flat([tokenize(t.rstrip()).split() for t in hypotheses], vocab.__getitem__)
    r, r_len = _flat([tokenize(t.rstrip()).split() for t in references], vocab.__getitem__)
    correct = _matches(h, h_len, r, r_len, order)
    total = [int(_ngram_totals(h_len, n).sum()) for n in range(1, order + 1)]
    stats = [int(h_len.sum()), int(r_len.sum()), *correct, *total]
    return float(bleu._compute_score_from_stats(stats).score)


def corpus_chrf(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """sacrebleu's `corpus_chrf(hypotheses, [references]).score` (character 6-grams, beta 2), 0..100."""
    _, chrf = _metrics()
    order = chrf.char_order

    chars, lengths = _dense_chars([*hypotheses, *references])
    cut = int(lengths[: len(hypotheses)].sum())
    h_len, r_len = lengths[: len(hypotheses)], lengths[len(hypotheses) :]
    matches = _packed_matches(chars, lengths, len(hypotheses), order)
    if matches is None:  # too many distinct characters or pairs to pack
        matches = _matches(chars[:cut], h_len, chars[cut:], r_len, order)
    stats: list[int] = []
    for n in range(1, order + 1):
        h_n, r_n = _ngram_totals(h_len, n), _ngram_totals(r_len, n)
        # sacrebleu counts no hypothesis n-grams of an order the reference is too short to have.
        stats += [int(h_n[r_n > 0].sum()), int(r_n.sum()), matches[n - 1]]
    return float(chrf._compute_score_from_stats(stats).score)
