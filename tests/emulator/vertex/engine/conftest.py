"""Fixtures for the model-service engines: training files built from the bundled Stack
Overflow sample, the way the course builds them (template + title + body -> accepted answer)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from llmops.core.prompts import STACKOVERFLOW_PYTHON


def course_pairs() -> list[dict]:
    """The 500 course rows of the bundled sample, in question-id order, with provenance."""
    data = resources.files("llmops") / "data" / "stackoverflow"
    questions = [json.loads(line) for line in (data / "posts_questions.jsonl").read_text(encoding="utf-8").splitlines()]
    answers = {
        a["id"]: a
        for a in (json.loads(line) for line in (data / "posts_answers.jsonl").read_text(encoding="utf-8").splitlines())
    }
    rows = []
    for q in sorted(questions, key=lambda q: -q["id"]):
        a = answers.get(q.get("accepted_answer_id"))
        if a is None or "python" not in (q.get("tags") or ""):
            continue
        rows.append(
            {
                "input_text_instruct": STACKOVERFLOW_PYTHON + " " + q["title"] + q["body"],
                "output_text": a["body"],
                "question_id": q["id"],
                "answer_id": a["id"],
                "title": q["title"],
            }
        )
    return rows


def write_split(folder: Path, *, sidecar: bool = False, fake_positive_ids: bool = False) -> tuple[Path, Path]:
    """train.jsonl (80%) and eval.jsonl (20%, every fifth row) in `folder`; with `sidecar`, a
    train.sources.jsonl as core.data writes it (`fake_positive_ids` flips the sample's negative
    ids positive so that Stack Overflow URLs are built, as for real BigQuery rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = course_pairs()
    train = [r for i, r in enumerate(rows) if i % 5]
    evals = [r for i, r in enumerate(rows) if i % 5 == 0]
    keep = ("input_text_instruct", "output_text")
    with (folder / "train.jsonl").open("w", encoding="utf-8") as fh:
        for r in train:
            fh.write(json.dumps({k: r[k] for k in keep}) + "\n")
    with (folder / "eval.jsonl").open("w", encoding="utf-8") as fh:
        for r in evals:
            fh.write(json.dumps({k: r[k] for k in keep}) + "\n")
    if sidecar:
        with (folder / "train.sources.jsonl").open("w", encoding="utf-8") as fh:
            for r in train:
                aid = -r["answer_id"] if fake_positive_ids else r["answer_id"]
                qid = -r["question_id"] if fake_positive_ids else r["question_id"]
                uri = f"https://stackoverflow.com/a/{aid}" if aid > 0 else None
                fh.write(
                    json.dumps(
                        {
                            "question_id": qid,
                            "answer_id": aid,
                            "title": r["title"],
                            "uri": uri,
                            "license": "CC BY-SA 4.0",
                        }
                    )
                    + "\n"
                )
    return folder / "train.jsonl", folder / "eval.jsonl"


@pytest.fixture(scope="session")
def course_split(tmp_path_factory) -> tuple[Path, Path]:
    """The course's train/eval files from the bundled sample (no sidecar)."""
    return write_split(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="session")
def cited_split(tmp_path_factory) -> tuple[Path, Path]:
    """The same files with a provenance sidecar whose ids are positive (so URLs exist)."""
    return write_split(tmp_path_factory.mktemp("cited"), sidecar=True, fake_positive_ids=True)


@pytest.fixture
def service(tmp_path):
    """A model service over an empty state folder."""
    from llmops.emulator.vertex.engine.model_service import ModelService

    return ModelService(tmp_path / "models")


@pytest.fixture(scope="session")
def tuned(tmp_path_factory, cited_split):
    """A service with one model tuned on the cited split: (service, tuning job)."""
    from llmops.emulator.vertex.engine.model_service import ModelService

    svc = ModelService(tmp_path_factory.mktemp("tuned") / "models")
    train, evals = cited_split
    return svc, svc.tune("text-bison@001", str(train), str(evals), display_name="so-python")


def write_jsonl(path: Path, rows: list) -> Path:
    """Write rows (objects, or raw strings written as they are) one per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return path


@pytest.fixture
def jsonl():
    """`jsonl(path, rows)` writes a JSONL file (see write_jsonl)."""
    return write_jsonl
