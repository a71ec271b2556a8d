"""Reading tuning files in both formats, with provenance, and refusing bad ones by line."""

from __future__ import annotations

import json

import pytest

from llmops.core.errors import DataError, NotFoundError
from llmops.core.prompts import STACKOVERFLOW_PYTHON
from llmops.emulator.vertex.engine.training_data import read_examples, sidecar_path, title_of


def test_course_and_course_era_and_gemini_formats(tmp_path, jsonl):
    path = jsonl(
        tmp_path / "train.jsonl",
        [
            {"input_text_instruct": STACKOVERFLOW_PYTHON + " Sort a dict<p>How?</p>", "output_text": "<p>sorted()</p>"},
            {"input_text": "Reverse a list", "output_text": "l[::-1]"},
            {
                "contents": [
                    {"role": "user", "parts": [{"text": "Join strings"}]},
                    {"role": "model", "parts": [{"text": "', '.join(x)"}]},
                ]
            },
            "",
        ],
    )
    examples = read_examples(path)
    assert [(title_of(e.question), e.answer) for e in examples] == [
        ("Sort a dict", "<p>sorted()</p>"),
        ("Reverse a list", "l[::-1]"),
        ("Join strings", "', '.join(x)"),
    ]
    assert {e.title for e in examples} == {None}  # worked out from the question when cited
    assert {e.license for e in examples} == {"CC BY-SA 4.0"} and {e.uri for e in examples} == {None}


def test_sidecar_provides_titles_and_urls(tmp_path, jsonl):
    path = jsonl(
        tmp_path / "train.jsonl", [{"input_text": "q1", "output_text": "a1"}, {"input_text": "q2", "output_text": "a2"}]
    )
    assert sidecar_path(path).name == "train.sources.jsonl"
    jsonl(
        sidecar_path(path),
        [
            {
                "question_id": 5,
                "answer_id": 7,
                "title": "Real title",
                "uri": "https://stackoverflow.com/a/7",
                "license": "CC BY-SA 4.0",
            },
            {"question_id": -1, "answer_id": -2, "title": None, "uri": None, "license": "CC BY-SA 4.0"},
        ],
    )
    first, second = read_examples(path)
    assert (first.title, first.uri) == ("Real title", "https://stackoverflow.com/a/7")
    assert (second.title, second.uri) == (None, None)


def test_sidecar_with_wrong_length_is_refused(tmp_path, jsonl):
    path = jsonl(tmp_path / "train.jsonl", [{"input_text": "q1", "output_text": "a1"}])
    jsonl(sidecar_path(path), [{"title": "a"}, {"title": "b"}])
    with pytest.raises(DataError, match="has 2 lines but train.jsonl has 1 examples"):
        read_examples(path)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "has no training examples"),
        (["", "  "], "has no training examples"),
        ([{"input_text": "q", "output_text": "a"}, "{not json"], r"train.jsonl:2: not JSON"),
        ([{"input_text": "q", "output_text": "a"}, {"input_text": "q"}], r"train.jsonl:2: missing 'output_text'"),
        ([{"question": "q", "answer": "a"}], r"train.jsonl:1: missing 'input_text_instruct'"),
        (["[1, 2]"], r"train.jsonl:1: expected a JSON object, got list"),
        ([{"input_text": "", "output_text": "a"}], r"train.jsonl:1: 'input_text' must be a non-empty string"),
        (
            [{"contents": [{"role": "user", "parts": [{"text": "q"}]}]}],
            r"train.jsonl:1: 'contents' has no turn with role 'model'",
        ),
    ],
)
def test_bad_files_name_the_problem_and_line(tmp_path, jsonl, rows, message):
    path = jsonl(tmp_path / "train.jsonl", rows)
    with pytest.raises(DataError, match=message):
        read_examples(path)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(NotFoundError, match="does not exist"):
        read_examples(tmp_path / "nope.jsonl")
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DataError, match="not UTF-8"):
        read_examples(binary)


def test_title_of_course_prompt():
    prompt = (
        STACKOVERFLOW_PYTHON
        + " How to turn a text file, into a delimited list of lists<p>I am attempting &amp; more</p>"
    )
    assert title_of(prompt) == "How to turn a text file, into a delimited list of lists"
    assert len(title_of("x" * 500)) == 150
    assert json.dumps(title_of("a &amp; b")) == '"a & b"'
