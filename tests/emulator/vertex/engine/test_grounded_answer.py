"""The emulated model answers a grounded prompt from its sources: cited source sentences that
the grounding score finds supported by the chunk each cites."""

from __future__ import annotations

from llmops.core.types import GenerationConfig
from llmops.emulator.vertex.engine.base_model import BaseModel
from llmops.emulator.vertex.engine.grounded import parse
from llmops.rag.grounding import assess, build_prompt, sentences
from llmops.rag.index import Chunk

CHUNKS = [
    "Use pandas.read_csv to load a CSV file into a DataFrame. Pass sep=';' when the file uses semicolons.",
    "The csv module reads a CSV file row by row: csv.reader returns each row as a list of strings.",
    "Docker images are built from a Dockerfile with docker build and tagged with a name.",
]


def _chunks() -> list[Chunk]:
    return [Chunk(i, t, f"https://example.com/{i}", f"doc {i}", 1.0, 1.0, 1.0) for i, t in enumerate(CHUNKS)]


def _answer(prompt: str, system: str | None = None) -> str:
    return BaseModel().generate(prompt, "gemini-2.0-flash", GenerationConfig(system_instruction=system)).text


def test_grounded_answer_quotes_and_cites_the_matching_sources():
    question = "How do I read a CSV file into a list of rows?"
    answer = _answer(build_prompt(question, _chunks()))
    cited = [line for line in answer.split("\n\n") if line.endswith("].")]
    assert [c[-3] for c in cited] == ["1", "2"], "the top source first; the Docker chunk shares no word"
    report = assess(answer, CHUNKS)
    supported = [s for s in report.sentences if s.supported]
    assert [s.chunk for s in supported] == [0, 1]
    assert report.score == round(2 / 3, 4)  # only the emulator's header sentence is unsupported
    assert len(sentences(answer)) > len(report.sentences)  # short lines are not scored


def test_grounded_answer_after_history_brief_and_unanswerable():
    prompt = "User: hi there\nModel: hello\n\n" + build_prompt("read a csv file", _chunks())
    assert parse(prompt) is not None and parse(prompt)[0] == "read a csv file"
    brief = _answer(prompt, system="Be brief.")
    assert brief.count("].") == 1
    none = _answer(build_prompt("What is the capital of Peru?", _chunks()))
    assert "The sources above do not answer this question." in none


def test_other_prompts_are_not_taken_for_grounded_ones():
    assert parse("Sources:\n[1] a (b)\ntext\n\nSummarise.\nQuestion: why?") is None
    assert parse("How do I read a CSV file?") is None
    answer = _answer("Question: How do I read a CSV file?")
    assert "Key terms:" in answer and "From the sources:" not in answer
