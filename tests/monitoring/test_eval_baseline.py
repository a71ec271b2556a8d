"""A dataset version's eval split as the drift baseline (`--baseline eval:VERSION`)."""

from __future__ import annotations

import pytest

from llmops.core import data, evaluation, monitoring
from llmops.core.errors import DataError
from llmops.monitoring import baseline, report


@pytest.fixture
def version(session):
    return data.prepare(session)


def _drift(session, spec):
    fig = report.build(session.warehouse, baseline_columns=baseline.eval_columns(session, spec), text_drift=False)
    return fig, {r["feature"]: r for r in fig["drift"]["results"]}


def test_traffic_like_the_eval_split_does_not_drift_and_other_traffic_does(session, version):
    _, examples = evaluation.eval_set(session, version.version)
    monitoring.predict_batch(session, [e.prompt for e in examples])
    fig, by_feature = _drift(session, f"eval:{version.version[:8]}")
    assert fig["drift"]["baseline"] == {"eval": version.version, "examples": len(examples)}
    assert by_feature["prompt_chars"]["p_value"] > 0.5 and not by_feature["prompt_chars"]["drift"]
    assert by_feature["prompt_tokens"]["p_value"] is None  # the split has no token counts: no p-value
    assert "eval split of dataset version" in report.render_html(fig)

    monitoring.predict_batch(session, [f"hi {i}" for i in range(len(examples) * 3)])
    _, by_feature = _drift(session, "eval:latest")
    assert by_feature["prompt_chars"]["drift"]


def test_a_bad_eval_baseline_is_one_line(cli, session, version):
    monitoring.predict(session, "hello")
    for spec, message in (("eval:", "names no dataset version"), ("eval:0123456789ab", "does not exist")):
        r = cli("monitor", "report", "--baseline", spec, "--json")
        assert r.code != 0 and r.out == "" and message in r.err and r.err.count("\n") == 1


def test_a_tiny_eval_split_is_refused(session, version):
    label, cols = baseline.eval_columns(session, f"eval:{version.version}", limit=3)
    monitoring.predict(session, "hello")
    with pytest.raises(DataError, match="has 3 examples; drift tests need at least"):
        report.build(session.warehouse, baseline_columns=(label, cols))
