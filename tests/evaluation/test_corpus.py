"""Vectorised corpus BLEU and chrF equal sacrebleu's (the reference implementation)."""

from __future__ import annotations

import pytest
import sacrebleu

from llmops.evaluation import corpus


@pytest.fixture(scope="module")
def bundled_corpus(bundled_pairs):
    pairs = bundled_pairs[::4]
    return [p for _, p in pairs], [t for t, _ in pairs]


def test_bleu_and_chrf_equal_sacrebleu_on_the_bundled_split(bundled_corpus):
    hyps, refs = bundled_corpus
    assert corpus.corpus_bleu(hyps, refs) == sacrebleu.corpus_bleu(hyps, [refs]).score
    assert corpus.corpus_chrf(hyps, refs) == sacrebleu.corpus_chrf(hyps, [refs]).score
    assert 0 < corpus.corpus_bleu(hyps, refs) < 100


@pytest.mark.parametrize(
    "hyps, refs",
    [
        (["", "a b"], ["x y", ""]),
        (["the cat sat on the mat"], ["the cat sat on the mat"]),
        ([""], [""]),
        (["ab cd"], ["abc"]),
        (["ünï çø 😀 a a a", "x"], ["a a ü 😀", "x y z"]),
        (["a. b, c!", "Hello (world)"], ["a b c", "hello world"]),
        # 1,536 distinct characters: six are too wide to pack into one integer (the per-order path)
        (["".join(map(chr, range(0x4E00, 0x5200))), "字 字"], ["".join(map(chr, range(0x5000, 0x5400))), "字"]),
    ],
)
def test_edge_cases_equal_sacrebleu(hyps, refs):
    assert corpus.corpus_bleu(hyps, refs) == sacrebleu.corpus_bleu(hyps, [refs]).score
    assert corpus.corpus_chrf(hyps, refs) == sacrebleu.corpus_chrf(hyps, [refs]).score


def test_the_packed_and_the_per_order_character_counts_agree(bundled_corpus):
    hyps, refs = bundled_corpus
    chars, lengths = corpus._dense_chars([*hyps, *refs])
    cut = int(lengths[: len(hyps)].sum())
    per_order = corpus._matches(chars[:cut], lengths[: len(hyps)], chars[cut:], lengths[len(hyps) :], 6)
    assert corpus._packed_matches(chars, lengths, len(hyps), 6) == per_order and per_order[5] > 0


def test_an_empty_corpus_scores_zero():
    assert corpus.corpus_bleu([], []) == 0.0
    assert corpus.corpus_chrf([], []) == 0.0
