"""The emulated safety scorer: Vertex's rated categories, buckets, thresholds and blocking.

Scores come from the transparent lexicon in `safety_lexicon.py` (its docstring states every
rule of the arithmetic). The prompt and the response are scored separately; a prediction
reports, per category, the higher of the two, and is blocked when any category's probability
bucket reaches its threshold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ....core.errors import ConfigError
from ....core.types import BLOCK_THRESHOLDS, SafetyAttributes, SafetyRating
from .safety_lexicon import BASELINE_SCORE, DISPLAY_NAMES, RATED, RULES, Rule

_WORDS = re.compile(r"[a-z]+")

BUCKET_FLOORS = (("HIGH", 0.7), ("MEDIUM", 0.5), ("LOW", 0.3), ("NEGLIGIBLE", 0.0))
"""A rounded score's bucket is the first whose floor it reaches."""

_THRESHOLD_FLOOR = {
    "BLOCK_LOW_AND_ABOVE": 0.3,
    "BLOCK_MEDIUM_AND_ABOVE": 0.5,
    "BLOCK_ONLY_HIGH": 0.7,
    "BLOCK_NONE": None,
}
# Vertex also accepts these spellings.
_THRESHOLD_ALIASES = {
    "HARM_BLOCK_THRESHOLD_UNSPECIFIED": "BLOCK_MEDIUM_AND_ABOVE",
    "OFF": "BLOCK_NONE",
    "BLOCK_LOW": "BLOCK_LOW_AND_ABOVE",
    "BLOCK_MEDIUM": "BLOCK_MEDIUM_AND_ABOVE",
    "BLOCK_HIGH": "BLOCK_ONLY_HIGH",
}


def bucket(score: float) -> str:
    """NEGLIGIBLE, LOW, MEDIUM or HIGH for a score in [0, 1]."""
    s = round(score, 1)
    for name, floor in BUCKET_FLOORS:
        if s >= floor:
            return name
    return "NEGLIGIBLE"


def _category_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for cat in RATED:
        short = cat.removeprefix("HARM_CATEGORY_")
        for key in (cat, short, DISPLAY_NAMES[cat].replace(" ", "_").upper(), short.split("_")[0]):
            out[key] = cat
    return out


_CATEGORY_ALIASES = _category_aliases()  # also HATE, SEXUALLY, DANGEROUS: the first word


def normalise_category(name: str) -> str:
    """`HARM_CATEGORY_HARASSMENT`, `harassment`, `Harassment` -> `HARM_CATEGORY_HARASSMENT`."""
    key = re.sub(r"[\s-]+", "_", str(name).strip()).upper()
    if key == "SEXUAL":
        key = "SEXUALLY"
    if key not in _CATEGORY_ALIASES:
        raise ConfigError(f"unknown harm category {name!r}", fix=f"use one of: {', '.join(RATED)}")
    return _CATEGORY_ALIASES[key]


def normalise_threshold(value: str) -> str:
    """A Vertex block threshold name, checked."""
    key = str(value).strip().upper()
    key = _THRESHOLD_ALIASES.get(key, key)
    if key not in _THRESHOLD_FLOOR:
        raise ConfigError(f"unknown block threshold {value!r}", fix=f"use one of: {', '.join(BLOCK_THRESHOLDS)}")
    return key


def thresholds(safety: Mapping[str, str] | None, default: str) -> dict[str, str]:
    """Per rated category, the block threshold: `safety` (category -> threshold, `*` for all)
    overrides `default`."""
    items = dict(safety or {})
    every = items.pop("*", None) or items.pop("default", None) or default
    out = dict.fromkeys(RATED, normalise_threshold(every))
    for cat, value in items.items():
        out[normalise_category(cat)] = normalise_threshold(value)
    return out


@dataclass
class Scores:
    """Raw scores of one or more texts: rated categories as (probability, severity), topics,
    and the names of the rules that fired."""

    rated: dict[str, tuple[float, float]] = field(default_factory=dict)
    topics: dict[str, float] = field(default_factory=dict)
    rules: list[str] = field(default_factory=list)

    def merge(self, other: Scores) -> Scores:
        """Per category, the higher of the two (prompt vs response)."""
        rated = {
            c: (max(self.probability(c), other.probability(c)), max(self.severity(c), other.severity(c))) for c in RATED
        }
        topics = dict(self.topics)
        for t, s in other.topics.items():
            topics[t] = max(s, topics.get(t, 0.0))
        return Scores(rated, topics, sorted(set(self.rules) | set(other.rules)))

    def probability(self, category: str) -> float:
        return self.rated.get(category, (BASELINE_SCORE, BASELINE_SCORE))[0]

    def severity(self, category: str) -> float:
        return self.rated.get(category, (BASELINE_SCORE, BASELINE_SCORE))[1]


def _noisy_or(values: list[float]) -> float:
    remaining = 1.0
    for v in values:
        remaining *= 1.0 - v
    return 1.0 - remaining


class SafetyScorer:
    """Scores texts with the lexicon and turns scores into Vertex safety attributes."""

    def __init__(self, rules: tuple[Rule, ...] = RULES):
        self.rules = rules
        self._patterns = [re.compile(rule.pattern) for rule in rules]
        self._always = [i for i, rule in enumerate(rules) if not rule.anchors]
        anchors = sorted({a for rule in rules for a in rule.anchors}, key=lambda a: (-len(a), a))
        # A found anchor also triggers the rules of every anchor that is a prefix of it, since
        # the alternation reports only the longest anchor at each word.
        self._by_anchor = {
            found: sorted({i for i, rule in enumerate(rules) for a in rule.anchors if found.startswith(a)})
            for found in anchors
        }
        self._anchor_re = re.compile(" (" + "|".join(map(re.escape, anchors)) + ")") if anchors else None

    def candidates(self, lowered: str) -> list[int]:
        """Indexes of the rules worth running on a lower-cased text (see `Rule.anchors`)."""
        if self._anchor_re is None:
            return list(range(len(self.rules)))
        words = " " + " ".join(set(_WORDS.findall(lowered)))
        found = set(self._always)
        for m in self._anchor_re.finditer(words):
            found.update(self._by_anchor[m.group(1)])
        return sorted(found)

    def fired(self, text: str, *, exhaustive: bool = False) -> list[Rule]:
        """The rules that match `text` (each once), in lexicon order. `exhaustive` runs every
        rule's expression instead of only the anchored candidates (same result, slower)."""
        lowered = text.lower()
        indexes = range(len(self.rules)) if exhaustive else self.candidates(lowered)
        return [self.rules[i] for i in indexes if self._patterns[i].search(lowered)]

    def score(self, text: str) -> Scores:
        """Rated-category and topic scores of one text, rounded to one decimal."""
        rules = self.fired(text) if text else []
        prob: dict[str, list[float]] = {}
        sev: dict[str, list[float]] = {}
        topics: dict[str, list[float]] = {}
        for rule in rules:
            for cat, (p, s) in rule.rated.items():
                prob.setdefault(cat, []).append(p)
                sev.setdefault(cat, []).append(s)
            for t, s in rule.topics.items():
                topics.setdefault(t, []).append(s)
        rated = {
            c: (
                round(max(BASELINE_SCORE, _noisy_or(prob.get(c, []))), 1),
                round(max(BASELINE_SCORE, _noisy_or(sev.get(c, []))), 1),
            )
            for c in RATED
        }
        return Scores(rated, {t: round(_noisy_or(v), 1) for t, v in topics.items()}, [r.name for r in rules])

    def attributes(
        self,
        scores: Scores,
        limits: Mapping[str, str],
        *,
        force_blocked: bool | None = None,
    ) -> SafetyAttributes:
        """Vertex safety attributes for `scores` under the per-category thresholds `limits`;
        `force_blocked` (from a canned response) overrides the thresholds."""
        ratings = []
        any_blocked = False
        for cat in RATED:
            p, s = scores.probability(cat), scores.severity(cat)
            floor = _THRESHOLD_FLOOR[limits.get(cat, "BLOCK_MEDIUM_AND_ABOVE")]
            blocked = floor is not None and round(p, 1) >= floor
            if force_blocked is not None:
                blocked = force_blocked and bucket(p) == max(
                    (bucket(scores.probability(c)) for c in RATED), key=_bucket_rank
                )
            any_blocked |= blocked
            ratings.append(SafetyRating(cat, bucket(p), p, bucket(s), s, blocked))
        if force_blocked is not None:
            any_blocked = force_blocked
        topics = sorted((t, s) for t, s in scores.topics.items() if s >= 0.1)
        return SafetyAttributes(
            blocked=any_blocked,
            categories=[t for t, _ in topics],
            scores=[s for _, s in topics],
            ratings=ratings,
        )


def _bucket_rank(name: str) -> int:
    return ("NEGLIGIBLE", "LOW", "MEDIUM", "HIGH").index(name)


def gemini_severity(bucket_name: str) -> str:
    """Gemini spells severity buckets `HARM_SEVERITY_<BUCKET>`."""
    return f"HARM_SEVERITY_{bucket_name}"
