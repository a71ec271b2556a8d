"""Vertex's Gen AI evaluation service in the emulator, through `vertexai.evaluation.EvalTask`
itself (computation and model-based metrics) and the raw REST shapes of `evaluateInstances`."""

from __future__ import annotations

import json
import math

import pytest

pd = pytest.importorskip("pandas")

GOOD = "Use pandas.read_csv to load the file into a DataFrame. Then call head on the DataFrame to see rows."
RAMBLING = "read the file read the file read the file read the file read the file read the file"
CONTEXT = "Use pandas.read_csv to load the file into a DataFrame. Then call head on the DataFrame to see rows."


@pytest.fixture
def dataset():
    return pd.DataFrame(
        {
            # Vertex's groundedness template reads the context from inside the prompt.
            "prompt": [f"{CONTEXT}\nHow do I load a csv file with pandas?", f"{CONTEXT}\nHow do I read a csv file?"],
            "response": [GOOD, RAMBLING],
            "reference": [GOOD, GOOD],
            "baseline_model_response": [RAMBLING, GOOD],
        }
    )


def test_eval_task_returns_vertex_summary_keys_offline(aiplatform_init, dataset):
    from vertexai.evaluation import EvalTask, MetricPromptTemplateExamples, PointwiseMetric

    custom = PointwiseMetric(
        metric="conciseness",
        metric_prompt_template="Rate how concise {response} is for {prompt}.\n## Rating Rubric\n3: concise\n1: rambling\n",
    )
    metrics = [
        "exact_match",
        "bleu",
        "rouge_l_sum",
        "rouge_1",
        MetricPromptTemplateExamples.Pointwise.FLUENCY,
        MetricPromptTemplateExamples.Pointwise.GROUNDEDNESS,
        MetricPromptTemplateExamples.Pointwise.SAFETY,
        custom,
        MetricPromptTemplateExamples.Pairwise.FLUENCY,
    ]
    result = EvalTask(dataset=dataset, metrics=metrics, experiment=None).evaluate(evaluation_service_qps=1000)
    s = result.summary_metrics
    assert s["row_count"] == 2
    for name in ("exact_match", "bleu", "rouge_l_sum", "rouge_1", "fluency", "groundedness", "safety", "conciseness"):
        assert not math.isnan(s[f"{name}/mean"]) and not math.isnan(s[f"{name}/std"]), name
    assert s["exact_match/mean"] == 0.5 and s["safety/mean"] == 1.0
    assert s["fluency/mean"] == 3.5  # 5 (no repetition) and 1 + round(4 * 0.19)
    assert s["groundedness/mean"] == 0.5  # the rambling answer is not in the context (inside the prompt)
    assert s["pairwise_fluency/candidate_model_win_rate"] == 0.5
    assert s["pairwise_fluency/baseline_model_win_rate"] == 0.5
    table = result.metrics_table
    assert list(table["bleu/score"]) == [1.0, pytest.approx(0.0366, abs=1e-4)]  # Vertex's 0-1 scale
    assert list(table["pairwise_fluency/pairwise_choice"]) == ["CANDIDATE", "BASELINE"]
    assert list(table["conciseness/score"]) == [3.0, 1.0]  # its own 1-3 scale
    assert "repetition 0.81" in table["fluency/explanation"][1]
    assert {"fluency/explanation", "groundedness/explanation", "pairwise_fluency/explanation"} <= set(table.columns)


def post(client, path, body):
    return client.post(path, json=body)


@pytest.fixture
def client(llmops_emulator):
    import httpx

    with httpx.Client(base_url=llmops_emulator.endpoint) as c:
        yield c


LOC = "projects/p/locations/us-central1"


@pytest.mark.parametrize(
    "path", [f"/v1/{LOC}:evaluateInstances", f"/v1beta1/{LOC}:evaluateInstances", f"/v1beta1/{LOC}/:evaluateInstances"]
)
def test_both_paths_and_both_key_spellings(client, path):
    camel = {
        "rougeInput": {
            "metricSpec": {"rougeType": "rouge1"},
            "instances": [{"prediction": "a b c", "reference": "a b d"}],
        }
    }
    snake = {
        "rouge_input": {
            "metric_spec": {"rouge_type": "rouge1", "use_stemmer": True},
            "instances": [{"prediction": "a b c", "reference": "a b d"}],
        }
    }
    for body in (camel, snake):
        r = post(client, path, body)
        assert r.status_code == 200, r.text
        assert r.json() == {"rougeResults": {"rougeMetricValues": [{"score": pytest.approx(2 / 3, abs=1e-6)}]}}


def test_dedicated_and_pairwise_shapes(client):
    r = post(
        client,
        f"/v1/{LOC}:evaluateInstances",
        {"groundednessInput": {"metricSpec": {}, "instance": {"prediction": GOOD, "context": CONTEXT}}},
    )
    assert r.json()["groundednessResult"]["score"] == 1.0 and r.json()["groundednessResult"]["confidence"] == 1.0
    template = "You will be assessing fluency.\nA: {baseline_model_response}\nB: {response}"
    body = {
        "pairwiseMetricInput": {
            "metricSpec": {"metricPromptTemplate": template},
            "instance": {"jsonInstance": json.dumps({"response": GOOD, "baseline_model_response": RAMBLING})},
        }
    }
    assert (
        post(client, f"/v1/{LOC}:evaluateInstances", body).json()["pairwiseMetricResult"]["pairwiseChoice"]
        == "CANDIDATE"
    )


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "exactly one metric input is required, got 0"),
        ({"bleuInput": {"instances": []}, "rougeInput": {}}, "got 2"),
        ({"bleuInput": {"instances": [{"prediction": "x"}]}}, "bleuInput.instances[0].reference is required"),
        (
            {
                "rougeInput": {
                    "metricSpec": {"rougeType": "rougeX"},
                    "instances": [{"prediction": "x", "reference": "y"}],
                }
            },
            "rougeType 'rougeX'",
        ),
        (
            {
                "pointwiseMetricInput": {
                    "metricSpec": {"metricPromptTemplate": "Rate {response} for {prompt}"},
                    "instance": {"jsonInstance": '{"response": "x"}'},
                }
            },
            "placeholder(s) prompt are not in the instance",
        ),
        (
            {
                "pointwiseMetricInput": {
                    "metricSpec": {"metricPromptTemplate": "Rate {response}"},
                    "instance": {"jsonInstance": "{not json"},
                }
            },
            "jsonInstance is not valid JSON",
        ),
        ({"cometInput": {"instance": {}}}, "cometInput is not served by the emulator"),
    ],
)
def test_bad_requests_are_400_in_googles_shape(client, body, message):
    r = post(client, f"/v1/{LOC}:evaluateInstances", body)
    assert r.status_code == 400 and message in r.json()["error"]["message"]
    assert r.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_other_location_verbs_are_404(client):
    r = post(client, f"/v1/{LOC}:noSuchVerb", {})
    assert r.status_code == 404 and r.json()["error"]["code"] == 404
