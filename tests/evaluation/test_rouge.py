"""The fast ROUGE equals rouge-score (the reference implementation) score for score."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rouge_score import rouge_scorer

from llmops.evaluation import rouge

TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


@pytest.mark.parametrize("use_stemmer, step", [(True, 3), (False, 10)])
def test_rouge_l_equals_rouge_score_on_the_bundled_split(bundled_pairs, use_stemmer, step):
    """A sample of the pairs per run (rouge-score is pure Python and slow); with stemming, llmops'
    setting, benchmarks/bench_eval.py checks every pair."""
    pairs = bundled_pairs[::step]
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=use_stemmer)
    expected = [scorer.score(t, p)["rougeL"].fmeasure for t, p in pairs]
    targets, predictions = zip(*pairs, strict=True)
    assert rouge.rouge_l(targets, predictions, use_stemmer=use_stemmer) == expected  # exact floats
    assert len(set(expected)) > 10  # the pairs are not trivially identical


def test_every_rouge_type_equals_rouge_score(bundled_pairs):
    scorer = rouge_scorer.RougeScorer(TYPES, use_stemmer=True)
    for target, prediction in bundled_pairs[::15]:
        want = scorer.score(target, prediction)
        got = rouge.score(target, prediction, TYPES)
        for kind in TYPES:
            assert (got[kind].precision, got[kind].recall, got[kind].fmeasure) == tuple(want[kind]), kind


@pytest.mark.parametrize(
    "target, prediction",
    [
        ("", "x"),
        ("x", ""),
        ("!!!", "a"),
        ("Running runs RAN", "run ran"),
        ("a\n\nb c\n", "b\nc a"),
        ("Ünïcode ß", "ss"),
    ],
)
def test_edge_cases_equal_rouge_score(target, prediction):
    want = rouge_scorer.RougeScorer(TYPES, use_stemmer=True).score(target, prediction)
    got = rouge.score(target, prediction, TYPES)
    assert {k: tuple(v) for k, v in want.items()} == {k: (v.precision, v.recall, v.fmeasure) for k, v in got.items()}


def test_an_unknown_rouge_type_is_refused():
    with pytest.raises(ValueError, match="unknown ROUGE type 'rougeX'"):
        rouge.score("a", "a", ["rougeX"])


def test_stemming_loads_no_nltk_package_and_leaves_nltk_importable():
    """The stemmer comes without NLTK's package __init__ (which imports SciPy: seconds per
    evaluation task); a later `import nltk` is the real package."""
    code = (
        "import sys\n"
        "from llmops.evaluation import rouge\n"
        "print(rouge.tokenize('Running generously'))\n"
        "print(sorted(m for m in sys.modules if m == 'scipy' or m.split('.')[0] == 'nltk'))\n"
        "import nltk\n"
        "from nltk.stem.porter import PorterStemmer\n"
        "print(hasattr(nltk, 'word_tokenize'), PorterStemmer().stem('generously'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["['run', 'gener']", "[]", "True gener"]
