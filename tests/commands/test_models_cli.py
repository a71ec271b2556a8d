"""`llmops predict | tune | models list | models alias | logs`, as the issue asks for them."""

from __future__ import annotations

import json

import pytest

PANDAS = "How can I load a csv file using Pandas?"


def stable(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("latency_ms", "request_id")}


def test_predict_json_has_the_course_shape_identically_on_every_run(cli):
    first, second = cli("predict", PANDAS, "--json"), cli("predict", PANDAS, "--json")
    assert first.code == 0 and second.code == 0
    d = first.json()
    assert set(d) == {"prediction", "gemini", "model", "latency_ms", "request_id"}
    pred = d["prediction"]
    assert set(pred) == {"content", "safetyAttributes", "citationMetadata"}
    assert set(pred["safetyAttributes"]) == {"blocked", "categories", "scores", "safetyRatings"}
    assert [r["category"] for r in pred["safetyAttributes"]["safetyRatings"]] == [
        "Dangerous Content",
        "Harassment",
        "Hate Speech",
        "Sexually Explicit",
    ]
    assert all(
        set(r) == {"category", "probabilityScore", "severity", "severityScore"}
        for r in pred["safetyAttributes"]["safetyRatings"]
    )
    assert isinstance(pred["citationMetadata"]["citations"], list)
    assert d["model"] == "text-bison@001" and "llmops emulator" in pred["content"]
    gemini = d["gemini"]
    assert [r["category"] for r in gemini["safetyRatings"]][0] == "HARM_CATEGORY_DANGEROUS_CONTENT"
    assert {"probability", "severity"} <= set(gemini["safetyRatings"][0])
    assert gemini["finishReason"] == "STOP" and gemini["usageMetadata"]["totalTokenCount"] > 0
    assert stable(d) == stable(second.json())


def test_predict_json_prediction_is_what_the_emulator_text_bison_predict_returns():
    from llmops.core.types import Citation, Prediction, SafetyAttributes, SafetyRating
    from llmops.emulator.vertex.generate import palm_prediction

    rating = SafetyRating("HARM_CATEGORY_HATE_SPEECH", "LOW", 0.3, "NEGLIGIBLE", 0.1)
    # a tuned model's citations come back from JSON, where offsets may be floats
    cite = Citation(0.0, 4.0, "https://x", "T", "CC BY-SA 4.0", "2020-01-02")  # type: ignore[arg-type]
    p = Prediction("pong", "m", safety=SafetyAttributes(False, ["Toxic"], [0.2], [rating]), citations=[cite])
    assert p.to_vertex_dict() == palm_prediction(p)
    (c,) = p.to_vertex_dict()["citationMetadata"]["citations"]
    assert type(c["startIndex"]) is int and type(c["endIndex"]) is int
    assert p.to_vertex_dict()["safetyAttributes"]["safetyRatings"][0]["category"] == "Hate Speech"


def test_predict_readable_output(cli):
    r = cli("predict", PANDAS, "--temperature", "0.5", "--max-output-tokens", "20")
    assert r.code == 0
    assert "[text-bison@001 · llmops emulator]" in r.out
    assert "safety: ok · dangerous 0.1 · harassment 0.1 · hate 0.1 · sexual 0.1" in r.out
    assert "finish MAX_TOKENS" in r.out


def test_a_violent_threat_is_blocked_and_its_content_withheld(cli):
    r = cli("predict", "I will kill you", "--json")
    d = r.json()
    pred = d["prediction"]
    assert r.code == 0 and pred["content"] == "" and pred["safetyAttributes"]["blocked"]
    assert d["gemini"]["finishReason"] == "SAFETY" and d["gemini"]["promptBlocked"]
    text = cli("predict", "I will kill you")
    assert (
        "BLOCKED (prompt: " in text.out
        and "harassment HIGH 0.9" in text.out
        and "kill" not in text.out.split("safety:")[0]
    )
    relaxed = cli("predict", "I will kill you", "--safety", "*=BLOCK_NONE", "--json").json()
    assert not relaxed["prediction"]["safetyAttributes"]["blocked"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("predict", ""), "the prompt is empty"),
        (("predict", "hi", "--model", "gpt-4"), "unknown model 'gpt-4'"),
        (("predict", "hi", "--temperature", "5"), "temperature 5.0 is outside"),
        (("predict", "hi", "--safety", "violence=BLOCK_NONE"), "unknown harm category 'violence'"),
        (("tune",), "no dataset version exists yet"),
        (("tune", "--dataset", "feedfacecafe"), "dataset version 'feedfacecafe' does not exist"),
        (("models", "alias", "models/123", "prod"), "unknown model 'models/123'"),
        (("logs", "-n", "-1"), "-n must be 0 (all) or more"),
        (("logs", "--since", "yesterday"), "--since 'yesterday' is neither a duration nor a date"),
        (("logs", "--format", "xml"), "unknown format 'xml'"),
        (("models", "show", "text-bisn@001"), "did you mean 'text-bison@001'?"),
    ],
)
def test_bad_input_fails_with_one_line(cli, workspace, args, message):
    r = cli(*args)
    assert r.code == 1
    assert message in r.err and r.err.count("\n") == 1 and "Traceback" not in r.err
    assert not (workspace / "models" / "tuned").exists()


def test_an_unreadable_canned_file_fails_cleanly(cli, tmp_path, monkeypatch):
    bad = tmp_path / "canned.yaml"
    bad.write_text("responses: [", encoding="utf-8")
    monkeypatch.setenv("LLMOPS_EMULATOR_CANNED_RESPONSES", str(bad))
    r = cli("predict", "hi")
    assert r.code == 1 and "is not valid YAML" in r.err and r.err.count("\n") == 1


def test_canned_responses_selected_by_configuration(cli, tmp_path, monkeypatch):
    canned = tmp_path / "canned.yaml"
    canned.write_text(
        "- exact: 'ping'\n  response: 'pong'\n  citations: [{title: 'Ping', license: 'CC BY-SA 4.0'}]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("LLMOPS_EMULATOR_CANNED_RESPONSES", str(canned))
    d = cli("predict", "ping", "--json").json()["prediction"]
    assert d["content"] == "pong" and d["citationMetadata"]["citations"][0]["endIndex"] == 4


def test_tune_list_alias_predict_and_logs(cli, workspace):
    version = cli("data", "prepare", "--json").json()["version"]
    r = cli("tune", "--display-name", "so-python", "--json")
    assert r.code == 0, r.err
    out = r.json()
    assert {"job", "state", "tuned_model", "endpoint"} <= set(out)
    assert out["state"] == "JOB_STATE_SUCCEEDED" and out["dataset"] == version
    listed = cli("models", "list", "--json").json()
    tuned = [m for m in listed if m["kind"] == "tuned"]
    assert [m["name"] for m in tuned] == [out["tuned_model"]] and tuned[0]["endpoint"] == out["endpoint"]
    assert {"text-bison@001", "gemini-2.5-flash"} <= {m["name"] for m in listed if m["kind"] == "base"}
    assert out["tuned_model"] in cli("models", "list").out

    alias = cli("models", "alias", "so-python", "prod", "--json")
    assert alias.code == 0 and alias.json()["aliases"] == ["prod"]

    eval_uri = cli("data", "show", version, "--json").json()["eval"]["uri"]
    questions = [json.loads(line)["input_text_instruct"] for line in open(eval_uri, encoding="utf-8")][:3]
    for q in questions:
        d = cli("predict", q, "--model", "prod", "--json").json()
        assert d["model"] == out["tuned_model"]
        (c,) = d["prediction"]["citationMetadata"]["citations"]
        assert c["license"] == "CC BY-SA 4.0" and c["title"] and c["startIndex"] == 0
        assert type(c["startIndex"]) is int and type(c["endIndex"]) is int
    readable = cli("predict", questions[0], "--model", out["endpoint"])
    assert "citations:" in readable.out and "(CC BY-SA 4.0)" in readable.out

    cli("predict", "I will kill you")
    cli("predict", "not logged", "--no-log")
    logs = cli("logs", "--json", "-n", "50").json()
    assert len(logs) == 5  # three tuned, one readable, one blocked; --no-log left out
    assert logs[0]["blocked"] and logs[0]["response"] == ""
    assert sum(r["citations_count"] for r in logs) == 4
    assert "not logged" not in {r["prompt"] for r in logs}
    assert len(cli("logs", "--json", "-n", "2").json()) == 2
    table = cli("logs", "--format", "table")
    assert table.code == 0 and "BLOCKED" in table.out
    assert len(cli("logs", "-n", "0", "--json").json()) == 5
    tuned_only = cli("logs", "-n", "0", "--model", out["tuned_model"], "--since", "1h", "--json").json()
    assert len(tuned_only) == 4 and {r["model"] for r in tuned_only} == {out["tuned_model"]}
    for other_name in ("prod", out["endpoint"], "so-python"):  # alias, endpoint, display name
        assert cli("logs", "-n", "0", "--model", other_name, "--json").json() == tuned_only
    assert cli("logs", "--since", "2999-01-01", "--json").json() == []
    piped = cli("logs", "-n", "0").out.splitlines()  # not a terminal: CSV with a header
    assert piped[0].startswith("schema_version,request_id,created") and len(piped) >= 6
    shown = cli("models", "show", "prod", "--json").json()
    assert shown["name"] == out["tuned_model"] and shown["aliases"] == ["prod"]
    assert cli("models", "list", "--format", "csv").out.splitlines()[0].startswith("name,kind,")


def test_logs_before_any_prediction(cli):
    assert cli("logs", "--json").json() == []
    assert "no predictions logged yet" in cli("logs", "--format", "table").out
