"""Drift verdicts: the Stack Overflow sample's Python questions against themselves do not
drift, the mixed-topic questions against them do; numeric and categorical tests; too few rows
give no p-value."""

from __future__ import annotations

import numpy as np

from llmops.monitoring import drift
from llmops.monitoring.synthetic import questions


def test_second_half_of_python_questions_does_not_drift_from_the_first():
    python, _ = questions()
    results = drift.text_drift(python[:250], python[250:])
    assert [r.method for r in results] == ["centroid", "mmd"]
    assert all(r.drift is False and r.p_value > 0.05 for r in results), results


def test_mixed_topic_questions_drift_from_python_ones():
    python, mixed = questions()
    assert len(mixed) == 100
    results = drift.text_drift(python, mixed)
    assert all(r.drift and r.p_value < 0.01 for r in results), results
    assert drift.text_drift(python, mixed) == results  # seeded: the same numbers every run


def test_numeric_and_category_tests():
    rng = np.random.default_rng(1)
    same = drift.ks_test(rng.normal(size=400), rng.normal(size=400), "x")
    shifted = drift.ks_test(rng.normal(size=400), rng.normal(0.6, size=400), "x")
    assert same.drift is False and shifted.drift and shifted.distance > same.distance
    cat = drift.chi2_test(["STOP"] * 90 + ["SAFETY"] * 10, ["STOP"] * 60 + ["SAFETY"] * 40, "finish_reason")
    assert cat.drift and cat.p_value < 1e-4


def test_no_p_value_from_three_rows():
    r = drift.ks_test([1.0, 2.0, 3.0], [1.0, 5.0, 6.0] * 20, "x")
    assert r.p_value is None and r.drift is None and "too few rows" in r.note and "3 < 20" in r.note
    t = drift.text_drift(["a", "b", "c"], ["d"] * 30)
    assert all(x.p_value is None for x in t)
