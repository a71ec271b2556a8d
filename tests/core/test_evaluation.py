"""Evaluation: reading evaluation sets, the metrics, and running models through predict_batch.

A small test-only ModelProvider (a real implementation of the ABC, registered through the
plugin hook) makes the expected scores exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmops.core import evaluation
from llmops.core.errors import DataError, NotFoundError
from llmops.core.hookspecs import hookimpl
from llmops.core.interfaces import ModelProvider
from llmops.core.session import Session
from llmops.core.types import Citation, Prediction, SafetyAttributes

ANSWERS = {
    "q1": "use pandas.read_csv to load the file",
    "q2": "a list comprehension builds the list",
    "q3": "BLOCKED",
}


class ParrotProvider(ModelProvider):
    """`oracle` answers with the reference, `parrot` repeats the prompt; `q3` is blocked."""

    description = "test-only"

    def __init__(self, settings):
        super().__init__(settings)
        self.batches = 0

    def predict(self, prompt, *, model=None, generation=None, safety=None):
        model = model or "parrot"
        if model not in ("oracle", "parrot"):
            raise NotFoundError(f"unknown model {model!r}", fix="use oracle or parrot")
        if prompt == "q3":
            return Prediction(
                text="",
                model=model,
                blocked=True,
                finish_reason="SAFETY",
                safety=SafetyAttributes(blocked=True),
                latency_ms=30.0,
            )
        text = ANSWERS[prompt] if model == "oracle" else prompt
        cites = (
            [Citation(0, len(text), uri="https://stackoverflow.com/a/1", license="CC BY-SA 4.0")]
            if model == "oracle"
            else []
        )
        return Prediction(text=text, model=model, citations=cites, latency_ms={"q1": 10.0, "q2": 20.0}[prompt])

    def predict_batch(self, prompts, **kwargs):
        self.batches += 1
        return super().predict_batch(prompts, **kwargs)


class _Plugin:
    @hookimpl
    def register_model_providers(self, register):
        register("parrot", ParrotProvider)


@pytest.fixture
def parrot_session(fresh_registry, settings):
    fresh_registry.get_plugin_manager().register(_Plugin(), name="test-parrot")
    with Session(settings.model_copy(update={"model": "parrot"})) as s:
        yield s


def write_jsonl(path: Path, rows) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_metrics_of_perfect_answers():
    preds = [Prediction(text="a b c d e", model="m", latency_ms=5.0)]
    m = evaluation.compute_metrics(preds, ["a b c d e"])
    assert m["rougeL"] == 1.0 and m["exact_match"] == 1.0
    assert m["bleu"] == pytest.approx(100.0) and m["chrf"] == pytest.approx(100.0)
    assert list(m) == list(evaluation.METRIC_KEYS)


def test_metrics_count_blocked_cited_length_and_latency():
    preds = [
        Prediction(text="one two three", model="m", latency_ms=10.0, citations=[Citation(0, 3)]),
        Prediction(text="withheld", model="m", blocked=True, latency_ms=20.0),
        Prediction(text="four", model="m", latency_ms=30.0),
        Prediction(text="five six", model="m", latency_ms=40.0),
    ]
    m = evaluation.compute_metrics(preds, ["x", "y", "four", "z"])
    assert m["blocked_rate"] == 0.25
    assert m["citation_rate"] == 0.25
    assert m["exact_match"] == 0.25
    assert m["mean_length"] == (3 + 0 + 1 + 2) / 4  # a blocked answer has no words
    assert m["latency_p50_ms"] == 25.0
    assert m["latency_p95_ms"] == pytest.approx(38.5)
    assert 0 < m["rougeL"] < 1


def test_percentile_interpolates():
    assert evaluation.percentile([], 50) == 0.0
    assert evaluation.percentile([7.0], 95) == 7.0
    assert evaluation.percentile([1, 2, 3, 4, 5], 50) == 3
    assert evaluation.percentile([1, 2, 3, 4, 5], 100) == 5


def test_examples_in_course_and_gemini_formats(session, tmp_path):
    course = write_jsonl(tmp_path / "c.jsonl", [{"input_text_instruct": "Q?", "output_text": "A."}])
    gemini = write_jsonl(
        tmp_path / "g.jsonl",
        [{"contents": [{"role": "user", "parts": [{"text": "Q?"}]}, {"role": "model", "parts": [{"text": "A."}]}]}],
    )
    assert evaluation.read_examples(session, course) == [evaluation.EvalExample("Q?", "A.")]
    assert evaluation.read_examples(session, gemini) == [evaluation.EvalExample("Q?", "A.")]


def test_limit_caps_the_examples(session, tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [{"input_text_instruct": f"Q{i}", "output_text": "A"} for i in range(10)])
    assert len(evaluation.read_examples(session, path, limit=3)) == 3
    with pytest.raises(DataError, match="--limit"):
        evaluation.read_examples(session, path, limit=0)


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"input_text_instruct": "Q"}\n', "line 1 lacks"),
        ('{"input_text_instruct": "Q", "output_text": "A"}\nnot json\n', "line 2 is not JSON"),
        ('{"question": "Q"}\n', "line 1 has neither"),
        ("[1, 2]\n", "line 1 is not a JSON object"),
        ("\n\n", "has no examples"),
    ],
)
def test_bad_evaluation_files_name_the_line(session, tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        evaluation.read_examples(session, str(path))


def test_evaluate_runs_predict_batch_and_scores(parrot_session, tmp_path):
    examples = [evaluation.EvalExample(q, ANSWERS[q] if q != "q3" else "anything") for q in ("q1", "q2", "q3")]
    oracle = evaluation.evaluate(parrot_session, examples, model="oracle")
    parrot = evaluation.evaluate(parrot_session, examples, model="parrot")
    assert parrot_session.model.batches == 2  # one predict_batch per model, not a loop of predicts
    assert oracle.model == "oracle" and oracle.examples == 3
    assert oracle.metrics["exact_match"] == pytest.approx(2 / 3, abs=1e-4)
    assert oracle.metrics["blocked_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert oracle.metrics["citation_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert oracle.metrics["rougeL"] > parrot.metrics["rougeL"]
    out = evaluation.write_predictions(oracle, tmp_path / "preds.jsonl", examples)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["prediction"]["citationMetadata"]["citations"][0]["license"] == "CC BY-SA 4.0"
    assert rows[2]["prediction"]["safetyAttributes"]["blocked"] is True
    assert rows[2]["prediction"]["content"] == ""


def test_an_unknown_model_fails_cleanly(parrot_session):
    with pytest.raises(NotFoundError, match="unknown model"):
        evaluation.evaluate(parrot_session, [evaluation.EvalExample("q1", "x")], model="nope")


def test_missing_dataset_version_is_one_line(session):
    with pytest.raises(NotFoundError, match="no dataset version|does not exist"):
        evaluation.eval_set(session, None)
    with pytest.raises(NotFoundError, match="does not exist"):
        evaluation.eval_set(session, "0123456789ab")


def test_compare_on_a_prepared_dataset(session):
    from llmops.core import data

    version = data.prepare(session)
    found, results = evaluation.compare(
        session, ["text-bison@001", "gemini-2.5-flash"], dataset=version.version[:6], limit=5
    )
    assert found.version == version.version
    assert [r.model for r in results] == ["text-bison@001", "gemini-2.5-flash"]
    assert all(r.examples == 5 and set(r.metrics) == set(evaluation.METRIC_KEYS) for r in results)
    assert all(r.dataset_version == version.version for r in results)
    with pytest.raises(DataError, match="no model"):
        evaluation.compare(session, [])
