"""Grounded prediction: groundingMetadata offsets point at answer text the chunks support."""

from __future__ import annotations

import re

from llmops import rag
from llmops.rag.grounding import assess

SO_QUERY = (
    "SELECT CONCAT('https://stackoverflow.com/questions/', CAST(id AS STRING)) AS uri, title, body AS text "
    "FROM `bigquery-public-data.stackoverflow.posts_questions` ORDER BY id LIMIT 60"
)


def _pairs(text: str) -> set[tuple[str, str]]:
    words = re.findall(r"[a-z0-9_]+", text.lower())
    return set(zip(words, words[1:], strict=False))


def test_assess_marks_supported_sentences_with_byte_offsets():
    chunks = ["Unrelated text about regular expressions.", "Use pandas.read_csv to load a CSV file into a DataFrame."]
    answer = (
        "Héllo wörld, naïve intro line here! Use pandas.read_csv to load a CSV file. The moon is made of cheese today."
    )
    report = assess(answer, chunks)
    assert [s.supported for s in report.sentences] == [False, True, False]
    assert report.score == round(1 / 3, 4)
    (support,) = report.supports
    seg = support["segment"]
    raw = answer.encode("utf-8")
    assert raw[seg["startIndex"] : seg["endIndex"]].decode() == seg["text"] == "Use pandas.read_csv to load a CSV file."
    assert seg["startIndex"] != answer.index("Use")  # bytes, not characters: the accents take two bytes
    assert support["groundingChunkIndices"] == [1] and support["confidenceScores"] == [1.0]
    assert report.sentences[1].chunk == 1


def test_assess_of_an_empty_or_unsupported_answer_scores_zero():
    assert assess("", ["anything at all here"]).score == 0.0
    assert assess("Nothing in this sentence is backed.", ["other words entirely different"]).supports == []


def test_predict_ground_answers_a_stack_overflow_question(cli):
    assert cli("rag", "create", "so", "--query", SO_QUERY).code == 0
    r = cli("predict", "--ground", "so", "How do I read a CSV file into a list?", "--no-log", "--json")
    assert r.code == 0, r.err
    out = r.json()
    meta = out["groundingMetadata"]
    assert meta["retrievalQueries"] == ["How do I read a CSV file into a list?"]
    chunks = meta["groundingChunks"]
    assert len(chunks) == 5 and all(
        c["retrievedContext"]["uri"].startswith("https://stackoverflow.com/") for c in chunks
    )
    answer = out["content"].encode("utf-8")
    assert meta["groundingSupports"], "the emulated answer quotes the top source, which must be found supported"
    for sup in meta["groundingSupports"]:
        seg = sup["segment"]
        assert answer[seg.get("startIndex", 0) : seg["endIndex"]].decode() == seg["text"]
        for i, score in zip(sup["groundingChunkIndices"], sup["confidenceScores"], strict=True):
            pairs, source = _pairs(seg["text"]), _pairs(chunks[i]["retrievedContext"]["text"])
            assert len(pairs & source) / len(pairs) >= 0.6 and score >= 0.6
    g = out["grounding"]
    assert 0 < g["score"] < 1 and any(s["supported"] and s["chunk"] == 0 for s in g["sentences"])
    assert "safetyAttributes" in out and "citationMetadata" in out


def test_grounded_predict_python_api_is_logged(session):
    rag.create(session, "so", query=SO_QUERY)
    g = rag.grounded_predict(session, "so", "sum a column of a csv", top_k=2)
    assert len(g.chunks) == 2
    rows = session.warehouse.query("SELECT prompt FROM llmops.predictions").column("prompt").to_pylist()
    assert len(rows) == 1 and rows[0].startswith("Sources:\n[1] ")
