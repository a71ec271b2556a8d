"""AutoSxS: candidate (model B) against baseline (model A), judged in both positions, as a kfp
pipeline on the local, Vertex (emulated) and Kubeflow (emulated) orchestrators, with Google's
parameter names; human preferences give agreement and Cohen's kappa.
(No `from __future__ import annotations`: kfp reads annotations in the imported module.)"""

import json

import pytest

from llmops.core.config import Settings
from llmops.core.errors import ConfigError, DataError
from llmops.core.registry import create_backend
from llmops.core.session import Session
from llmops.evaluation import autosxs

REFERENCE = "Call pandas.read_csv with the path of the file to load it into a DataFrame."
RAMBLING = "read the file read the file read the file read the file read the file"
ROWS = [
    {"id": "q1", "resp_a": RAMBLING, "resp_b": REFERENCE, "human": "B"},
    {"id": "q2", "resp_a": RAMBLING, "resp_b": REFERENCE, "human": "A"},
    {"id": "q3", "resp_a": REFERENCE, "resp_b": RAMBLING, "human": "model_a"},
]


@pytest.fixture
def eval_file(tmp_path):
    path = tmp_path / "sxs.jsonl"
    base = {"input_text_instruct": "How do I read a CSV file with pandas?", "output_text": REFERENCE}
    path.write_text("".join(json.dumps({**base, **r}) + "\n" for r in ROWS))
    return path


def test_judgments_win_rates_and_kappa(session, eval_file):
    rows = autosxs.read_rows(session, str(eval_file))
    judgments, summary = autosxs.compare(
        session,
        str(eval_file),
        task="question_answering@001",
        responses_a=[r["resp_a"] for r in rows],
        responses_b=[r["resp_b"] for r in rows],
        id_columns=["id"],
        human_preference_column="human",
    )
    assert [(j["id"], j["choice"], j["consistent"], j["human_preference"]) for j in judgments] == [
        ("q1", "B", True, "B"),
        ("q2", "B", True, "A"),
        ("q3", "A", True, "A"),
    ]
    assert judgments[0]["response_b"] == REFERENCE and "ROUGE-L" in judgments[0]["explanation"]
    assert (summary["autosxs_model_b_win_rate"], summary["autosxs_model_a_win_rate"]) == (0.6667, 0.3333)
    assert summary["human_preference_model_a_win_rate"] == 0.6667
    # judge B,B,A against humans B,A,A: po = 2/3, pe = 4/9, kappa = (2/3 - 4/9) / (5/9)
    assert (summary["agreement"], summary["cohens_kappa"]) == (0.6667, 0.4)
    assert summary["judge"] == "emulator" and summary["metric"] == "pairwise_quality"


def test_autorater_prompt_parameters_pick_columns_and_templates(session, eval_file):
    params = {
        "inference_instruction": {"template": "Question {{id}}: {{ prompt }}"},
        "inference_context": {"column": "id"},
    }
    judgments, _ = autosxs.compare(
        session, str(eval_file), task="fluency", responses_a=["a"] * 3, responses_b=["b"] * 3, prompt_parameters=params
    )
    assert judgments[1]["inference_instruction"] == "Question q2: How do I read a CSV file with pandas?"
    assert judgments[1]["inference_context"] == "q2"


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"task": "translation"}, ConfigError, "unknown AutoSxS task 'translation'"),
        ({"id_columns": ["nope"]}, ConfigError, "id column 'nope' is not in the evaluation dataset"),
        ({"human_preference_column": "id"}, DataError, "human preference 'q1' in column 'id' is not A, B or TIE"),
        ({"prompt_parameters": {"inference_question": {}}}, ConfigError, "unknown key(s) inference_question"),
        ({"prompt_parameters": {"inference_context": "id"}}, ConfigError, "must be {'column': NAME}"),
        ({"responses_b": []}, ConfigError, "3 examples but 3 responses of model A and 0 of model B"),
    ],
)
def test_bad_autosxs_input(session, eval_file, change, error, message):
    kwargs = {"task": "question_answering", "responses_a": ["x"] * 3, "responses_b": ["y"] * 3, **change}
    with pytest.raises(error) as exc:
        autosxs.compare(session, str(eval_file), **kwargs)
    assert message in str(exc.value)


@pytest.mark.slow
def test_autosxs_cli_on_the_local_orchestrator(cli, eval_file, tmp_path):
    """Model A answers with the emulated model inside the pipeline; model B's answers are
    pre-generated (`response_column_b`)."""
    out = tmp_path / "judgments.jsonl"
    args = ["autosxs", "-d", str(eval_file), "--baseline", "text-bison@001", "--response-column-b", "resp_b"]
    r = cli(*args, "--human-preference-column", "human", "--id-column", "id", "--judgments", str(out), "--json")
    assert r.code == 0, r.err
    summary = r.json()
    assert summary["state"] == "SUCCEEDED" and summary["model_a"] == "text-bison@001" and summary["examples"] == 3
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [j["id"] for j in lines] == ["q1", "q2", "q3"] and all(j["response_a"] for j in lines)
    assert summary["autosxs_model_b_win_rate"] == round(sum(j["choice"] == "B" for j in lines) / 3, 4) > 0
    assert "cohens_kappa" in summary


@pytest.mark.parametrize(
    "args, message",
    [
        (["--task", "poetry"], "unknown AutoSxS task 'poetry'"),
        (["-d", "missing.jsonl"], "evaluation dataset missing.jsonl does not exist"),
        (["-n", "-1"], "--limit -1 is below 0"),
        (["--candidate", "nosuch:model"], "unknown model provider 'nosuch'"),
    ],
)
def test_bad_autosxs_cli_input_is_one_line_before_any_run(cli, eval_file, args, message):
    r = cli("autosxs", "-d", str(eval_file), *args)
    assert r.code == 1 and message in r.err and "Traceback" not in r.err
    assert not cli("pipeline", "list", "--json").json()


@pytest.mark.slow
@pytest.mark.parametrize("orchestrator", ["vertex", "kubeflow"])
def test_autosxs_on_the_emulated_orchestrators(orchestrator, llmops_emulator, tmp_path, eval_file):
    """The same compiled package on Vertex AI Pipelines and Kubeflow Pipelines (the emulator's):
    the components build their session from the settings the run hands them."""
    settings = Settings(
        workspace=tmp_path / "ws",
        orchestrator=orchestrator,
        sections={
            "gcp": {"project": "llmops-sxs", "bucket": "gs://llmops-sxs/root", "endpoint": llmops_emulator.endpoint},
            "kubeflow": {"host": llmops_emulator.endpoint},
        },
    )
    with Session(settings) as s:
        package = autosxs.compile_autosxs(s)
        orch = create_backend("orchestrator", settings)
        destination = s.artifacts.uri_for("eval", "autosxs", orchestrator)
        params = autosxs.parameters(
            settings,
            evaluation_dataset=str(eval_file),
            response_column_a="resp_a",
            response_column_b="resp_b",
            human_preference_column="human",
            id_columns=["id"],
            judgments_destination=destination,
        )
        run = orch.wait(orch.submit(package, params, enable_caching=False).run_id, timeout=180)
        assert run.state == "SUCCEEDED", run.error
        assert {t.name: t.state for t in run.tasks} == dict.fromkeys(
            ("autosxs-predict", "autosxs-predict-2", "autosxs-judge"), "SUCCEEDED"
        )
        summary, judgments = autosxs.read_published(s, destination)
    assert (summary["autosxs_model_b_win_rate"], summary["cohens_kappa"]) == (0.6667, 0.4)
    assert [json.loads(line)["id"] for line in judgments.splitlines()] == ["q1", "q2", "q3"]
    if orchestrator == "vertex":  # Kubeflow's API hands back no task outputs (see the conformance suite)
        judge = next(t for t in run.tasks if t.name == "autosxs-judge")
        assert json.loads(judge.outputs["Output"]) == summary
