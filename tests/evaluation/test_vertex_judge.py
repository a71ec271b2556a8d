"""The `vertex` profile's judge: model-based metrics through Vertex AI's `evaluateInstances`
(the real `EvaluationServiceClient`) against the emulator, giving the emulated rules' verdicts."""

from __future__ import annotations

import pytest

from llmops.core.config import load_settings
from llmops.core.session import Session
from llmops.evaluation import judged, judging
from llmops.evaluation.judges import CachedJudge, EmulatedJudge, ModelJudge
from llmops.evaluation.rubrics import JudgeMetric, builtin_metrics
from llmops.evaluation.vertex_judge import VertexEvalJudge

GOOD = "Use pandas.read_csv to load the file into a DataFrame. Then call head on the DataFrame to see rows."
RAMBLING = "read the file read the file read the file read the file read the file read the file"
ITEMS = [
    judged.Item("How do I read a CSV file in Python?", "Call pandas.read_csv.", "pandas.read_csv loads a CSV."),
    judged.Item("How do I see the first rows of a DataFrame?", "Call head.", ""),
]


@pytest.fixture
def vertex_session(llmops_emulator, tmp_path):
    settings = load_settings(
        "emulated",
        overrides={"workspace": str(tmp_path / "ws")},
        environ={"LLMOPS_GCP_ENDPOINT": llmops_emulator.endpoint},
    )
    with Session(settings) as s:
        yield s


@pytest.fixture
def service(vertex_session):
    judge, _ = judging.make_judge(vertex_session, None)
    yield judge
    judge.close()


def test_the_vertex_judge_is_the_evaluation_service(vertex_session):
    judge, name = judging.make_judge(vertex_session, None)
    assert isinstance(judge, VertexEvalJudge) and name == "vertex:evaluation-service"
    assert judge.location == "projects/llmops-emulated/locations/us-central1"
    model_judge, label = judging.make_judge(vertex_session, "vertex:gemini-2.0-flash")
    assert isinstance(model_judge, ModelJudge) and label == "vertex:gemini-2.0-flash"
    model_judge.provider.close()
    judge.close()


def test_pointwise_and_pairwise_verdicts_come_from_evaluate_instances(service):
    remote, local = CachedJudge(service, None), CachedJudge(EmulatedJudge(), None)
    metrics = builtin_metrics()
    texts = [GOOD, RAMBLING]
    for name in ("fluency", "groundedness", "safety"):
        got = judged.pointwise(remote, metrics[name], "m", ITEMS, texts)
        want = judged.pointwise(local, metrics[name], "m", ITEMS, texts)
        assert got.rows == want.rows and got.summary() == want.summary(), name
    fluency = judged.pointwise(remote, metrics["fluency"], "m", ITEMS, texts).rows
    assert fluency[0]["score"] > fluency[1]["score"] and "repetition" in fluency[1]["explanation"]

    pw = judged.pairwise(remote, metrics["pairwise_fluency"], "good", "rambling", ITEMS, [GOOD] * 2, [RAMBLING] * 2)
    assert [r["choice"] for r in pw.rows] == ["CANDIDATE", "CANDIDATE"] and all(r["consistent"] for r in pw.rows)
    assert pw.summary()["candidate_model_win_rate"] == 1.0
    # One request per verdict: fluency and safety 2 each, groundedness 1 (one example has a
    # context), the repeated fluency none (cached), pairwise 2 examples x both positions.
    assert service.calls == 2 + 1 + 2 + 2 * 2


def test_a_refused_request_is_an_error_on_its_example(service):
    # The emulator answers 400 for an input its service does not take; here: no template text.
    blank = JudgeMetric("blank", " ", (1, 5), builtin=False)
    row = judged.pointwise(CachedJudge(service, None), blank, "m", ITEMS[:1], [GOOD]).rows[0]
    assert row["error"].startswith("evaluateInstances failed: 400") and "metricPromptTemplate" in row["error"]
