"""Canned responses force any case: exact text, a blocked answer, a citation."""

from __future__ import annotations

import os
import time

import pytest

from llmops.core.errors import ConfigError
from llmops.emulator.vertex.engine.canned import CannedResponses, load_canned
from llmops.emulator.vertex.engine.model_service import ModelService

CANNED = """
responses:
  - exact: "Say hi"
    response: "hi"
  - prompt: "LOAD A CSV"
    model: "text-bison*"
    response: "Use pandas.read_csv()."
    citations:
      - {start_index: 4, end_index: 21, uri: "https://stackoverflow.com/a/1", title: "Reading CSV", license: "CC BY-SA 4.0", publication_date: "2020-01-02"}
  - regex: "^ban me"
    response: "a perfectly polite answer"
    safety:
      hate: 0.9
      harassment: {probability: 0.4, severity: 0.2}
    categories: {Derogatory: 0.8}
  - prompt: "force block"
    response: "fine text"
    blocked: true
  - prompt: "let it through"
    response: "I will kill you"
    blocked: false
"""


@pytest.fixture
def svc(tmp_path):
    path = tmp_path / "canned.yaml"
    path.write_text(CANNED, encoding="utf-8")
    return ModelService(tmp_path / "models", canned_responses=path)


def test_exact_and_substring_matches_with_citations(svc):
    assert svc.predict("Say hi").text == "hi"
    assert svc.predict("Say hi!").text != "hi"
    p = svc.predict("How do I load a CSV?")
    assert p.text == "Use pandas.read_csv()."
    d = p.to_gemini_dict()["citationMetadata"]["citations"][0]
    assert d == {
        "startIndex": 4,
        "endIndex": 21,
        "uri": "https://stackoverflow.com/a/1",
        "title": "Reading CSV",
        "license": "CC BY-SA 4.0",
        "publicationDate": {"year": 2020, "month": 1, "day": 2},
    }


def test_model_pattern_restricts_an_entry(svc):
    assert svc.predict("load a csv", model="gemini-2.5-flash").text.startswith("[gemini-2.5-flash · llmops emulator]")


def test_canned_safety_scores_replace_the_scorer_and_thresholds_apply(svc):
    p = svc.predict("ban me please")
    hate = next(r for r in p.safety.ratings if r.category == "HARM_CATEGORY_HATE_SPEECH")
    harassment = next(r for r in p.safety.ratings if r.category == "HARM_CATEGORY_HARASSMENT")
    assert (hate.probability, hate.probability_score, hate.blocked) == ("HIGH", 0.9, True)
    assert (harassment.probability_score, harassment.severity_score) == (0.4, 0.2)
    assert p.blocked and p.text == "" and p.finish_reason == "SAFETY"
    assert dict(zip(p.safety.categories, p.safety.scores))["Derogatory"] == 0.8
    assert not svc.predict("ban me please", safety={"*": "BLOCK_NONE"}).blocked


def test_blocked_can_be_forced_either_way(svc):
    forced = svc.predict("please force block")
    assert forced.blocked and forced.to_vertex_dict()["content"] == ""
    allowed = svc.predict("let it through")
    assert not allowed.blocked and allowed.text == "I will kill you"


def test_the_file_is_reread_when_it_changes(svc, tmp_path):
    path = tmp_path / "canned.yaml"
    path.write_text('- exact: "Say hi"\n  response: "hello again"\n', encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))
    assert svc.predict("Say hi").text == "hello again"


def test_json_files_are_accepted(tmp_path):
    path = tmp_path / "canned.json"
    path.write_text('{"responses": [{"prompt": "x", "response": "y"}]}', encoding="utf-8")
    assert CannedResponses(path).match("xx", "text-bison@001").response == "y"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("responses: [\n  - prompt: 'x'\n", "is not valid YAML"),
        ("- response: 'y'\n", "entry 1: needs exactly one of prompt, regex, exact"),
        ("- prompt: 'x'\n  exact: 'y'\n  response: 'z'\n", "entry 1: needs exactly one of"),
        ("- prompt: 'x'\n", "entry 1: 'response' must be a string"),
        ("- prompt: 'x'\n  response: 'y'\n  colour: red\n", "entry 1: unknown key 'colour'"),
        ("- regex: '(('\n  response: 'y'\n", "entry 1: bad regex"),
        ("- prompt: 'x'\n  response: 'y'\n  safety: {violence: 0.5}\n", "unknown harm category 'violence'"),
        ("- prompt: 'x'\n  response: 'y'\n  safety: {hate: 2}\n", "score 2 is not a number in"),
        (
            "- prompt: 'x'\n  response: 'short'\n  citations: [{start_index: 0, end_index: 99}]\n",
            r"span 0..99 is outside the response \(0..5\)",
        ),
        ("- prompt: 'x'\n  response: 'y'\n  blocked: maybe\n", "'blocked' must be true or false"),
        ("just a string\n", "must hold a list of entries"),
    ],
)
def test_bad_files_fail_with_one_line_naming_the_entry(tmp_path, text, message):
    path = tmp_path / "canned.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_canned(path)
    assert "\n" not in str(info.value)


def test_missing_or_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        ModelService(tmp_path / "m", canned_responses=tmp_path / "nope.yaml")
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="cannot be read"):
        load_canned(folder)
