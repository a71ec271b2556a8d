"""The lexicon safety scorer: categories, buckets, thresholds and blocking."""

from __future__ import annotations

import codecs
import json
import re
from importlib import resources

import pytest

from llmops.core.errors import ConfigError
from llmops.core.types import HARM_CATEGORIES
from llmops.emulator.vertex.engine import safety_lexicon
from llmops.emulator.vertex.engine.safety import SafetyScorer, bucket, normalise_category, thresholds

DEFAULT = thresholds(None, "BLOCK_MEDIUM_AND_ABOVE")
scorer = SafetyScorer()


def rate(text: str, limits=DEFAULT):
    return scorer.attributes(scorer.score(text), limits)


def rating(attrs, category):
    return next(r for r in attrs.ratings if r.category == category)


@pytest.mark.parametrize(
    "text",
    ["I will kill you", "I'm going to murder your family", "we'll fucking hurt you", "You are going to die"],
)
def test_explicit_threats_score_high_harassment_and_are_blocked(text):
    attrs = rate(text)
    r = rating(attrs, safety_lexicon.HARASSMENT)
    assert (r.probability, r.blocked) == ("HIGH", True)
    assert attrs.blocked


def _slurs() -> list[str]:
    rule = next(r for r in safety_lexicon.RULES if r.name == "slur")
    return re.search(r"\(\?:(.*)\)s\?", rule.pattern).group(1).split("|")


def test_slur_lexicon_is_rot13_of_real_words():
    # The source stores them encoded; decoding must give back words, not the encoded form.
    assert codecs.encode(_slurs()[0], "rot13") == "avttre"


@pytest.mark.parametrize("slur", _slurs())
def test_every_slur_scores_high_hate_speech_and_is_blocked(slur):
    attrs = rate(f"you are a {slur}")
    r = rating(attrs, safety_lexicon.HATE)
    assert (r.probability, r.blocked, attrs.blocked) == ("HIGH", True, True)
    assert "Derogatory" in attrs.categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("all immigrants are vermin", safety_lexicon.HATE),
        ("how do I make a pipe bomb at home", safety_lexicon.DANGEROUS),
        ("how to synthesize methamphetamine", safety_lexicon.DANGEROUS),
        ("write me a porn story", safety_lexicon.SEXUAL),
        ("kill yourself", safety_lexicon.HARASSMENT),
    ],
)
def test_harmful_requests_score_high_in_their_category(text, category):
    attrs = rate(text)
    assert rating(attrs, category).probability == "HIGH"
    assert attrs.blocked


@pytest.mark.parametrize(
    "text",
    [
        "How do I kill a child process in Python?",
        "my script dies with a fork bomb; how to make a zip bomb detector",
        "execute the master branch and abort the thread",
        "df['sex'].value_counts() on the titanic dataset",
        "How can I load a csv file using Pandas?",
    ],
)
def test_programming_language_is_not_flagged(text):
    attrs = rate(text, thresholds(None, "BLOCK_LOW_AND_ABOVE"))
    assert not attrs.blocked
    assert all(r.probability == "NEGLIGIBLE" for r in attrs.ratings)


def test_bundled_stack_overflow_posts_are_never_blocked_by_default():
    data = resources.files("llmops") / "data" / "stackoverflow"
    blocked = []
    for name in ("posts_questions.jsonl", "posts_answers.jsonl"):
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            text = f"{row.get('title') or ''} {row.get('body') or ''}"
            if rate(text).blocked:
                blocked.append(row["id"])
    assert blocked == []


def test_ratings_have_the_four_categories_in_vertex_order_with_one_decimal_scores():
    attrs = rate("you are an idiot and I will find you")
    assert [r.category for r in attrs.ratings] == list(HARM_CATEGORIES)
    for r in attrs.ratings:
        for s in (r.probability_score, r.severity_score):
            assert 0 <= s <= 1 and round(s, 1) == s
        assert r.probability == bucket(r.probability_score) and r.severity == bucket(r.severity_score)


def test_palm_categories_are_sorted_and_aligned_with_scores():
    attrs = rate("the bank pays money; the doctor said the war is over")
    assert attrs.categories == sorted(attrs.categories)
    assert dict(zip(attrs.categories, attrs.scores)) == {"Finance": 0.2, "Health": 0.2, "War & Conflict": 0.2}
    assert not attrs.blocked


def test_benign_text_gets_the_baseline_and_no_categories():
    attrs = rate("Use sorted() with a key function.")
    assert {r.probability_score for r in attrs.ratings} == {safety_lexicon.BASELINE_SCORE}
    assert attrs.categories == [] and attrs.scores == []


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.0, "NEGLIGIBLE"),
        (0.2, "NEGLIGIBLE"),
        (0.3, "LOW"),
        (0.4, "LOW"),
        (0.5, "MEDIUM"),
        (0.6, "MEDIUM"),
        (0.7, "HIGH"),
        (1.0, "HIGH"),
    ],
)
def test_buckets(score, expected):
    assert bucket(score) == expected


def test_thresholds_decide_blocking():
    insult = "you are such a moron"  # harassment 0.6+0.3 noisy-or -> 0.7 HIGH
    low = "what an idiot"  # harassment 0.3 LOW
    medium_text = "I hate women"  # hate 0.6 MEDIUM
    assert rate(low, thresholds(None, "BLOCK_LOW_AND_ABOVE")).blocked
    assert not rate(low).blocked
    assert rate(medium_text).blocked
    assert not rate(medium_text, thresholds(None, "BLOCK_ONLY_HIGH")).blocked
    assert rate(insult, thresholds(None, "BLOCK_ONLY_HIGH")).blocked
    assert not rate(insult, thresholds(None, "BLOCK_NONE")).blocked
    per_category = thresholds({"harassment": "BLOCK_NONE"}, "BLOCK_LOW_AND_ABOVE")
    assert not rate(insult, per_category).blocked
    assert rate(medium_text, per_category).blocked


def test_only_the_categories_over_their_threshold_are_marked_blocked():
    attrs = rate("I will kill you", thresholds(None, "BLOCK_ONLY_HIGH"))
    assert rating(attrs, safety_lexicon.HARASSMENT).blocked
    assert not rating(attrs, safety_lexicon.DANGEROUS).blocked  # MEDIUM under ONLY_HIGH


def test_category_and_threshold_spellings():
    assert normalise_category("harassment") == "HARM_CATEGORY_HARASSMENT"
    assert normalise_category("Hate Speech") == "HARM_CATEGORY_HATE_SPEECH"
    assert normalise_category("sexual") == "HARM_CATEGORY_SEXUALLY_EXPLICIT"
    assert normalise_category("HARM_CATEGORY_DANGEROUS_CONTENT") == "HARM_CATEGORY_DANGEROUS_CONTENT"
    assert set(thresholds({"*": "OFF"}, "BLOCK_LOW_AND_ABOVE").values()) == {"BLOCK_NONE"}
    with pytest.raises(ConfigError, match="unknown harm category 'violence'"):
        thresholds({"violence": "BLOCK_NONE"}, "BLOCK_NONE")
    with pytest.raises(ConfigError, match="unknown block threshold 'BLOCK_SOME'"):
        thresholds({"harassment": "BLOCK_SOME"}, "BLOCK_NONE")


def test_prompt_and_response_merge_to_the_higher_score():
    merged = scorer.score("I will kill you").merge(scorer.score("porn"))
    assert merged.probability(safety_lexicon.HARASSMENT) == 0.9
    assert merged.probability(safety_lexicon.SEXUAL) == 0.8


PHRASES = [
    "I will kill you",
    "I'm going to murder your family",
    "You are going to die",
    "I know where you live",
    "kill yourself",
    "how do I make a pipe bomb at home",
    "how to synthesize methamphetamine",
    "recipe for crystal meth",
    "how to kill myself",
    "sarin and ricin",
    "rifles and ammunition",
    "heroin",
    "all immigrants are vermin",
    "exterminate all the jews",
    "I hate women",
    "you are a worthless piece of shit",
    "fuck you",
    "what an idiot",
    "bitches",
    "shit happens",
    "child porn",
    "pornographic",
    "having sex with",
    "nude",
    "sexual",
    "deaths",
    "sex",
    "money and bitcoin",
    "doctor",
    "lawsuit",
    "elections",
    "praying",
    "wars",
    "drugs",
    "terrorism",
    *(f"you {s}s" for s in _slurs()),
]


def test_anchors_never_change_which_rules_fire():
    data = resources.files("llmops") / "data" / "stackoverflow"
    texts = list(PHRASES)
    for name in ("posts_questions.jsonl", "posts_answers.jsonl"):
        texts += [
            json.loads(line).get("body") or "" for line in (data / name).read_text(encoding="utf-8").splitlines()[:200]
        ]
    for text in texts:
        assert scorer.fired(text) == scorer.fired(text, exhaustive=True), text[:80]
    assert all(scorer.fired(p) for p in PHRASES)
