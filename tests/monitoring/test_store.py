"""The segment store: concurrent writers lose nothing, compaction keeps every row once,
migrations import the v1 table, and text can be kept out of the log."""

from __future__ import annotations

import hashlib
import multiprocessing
import os

import pytest

from llmops.core import monitoring
from llmops.core.errors import LlmopsError
from llmops.core.session import Session
from llmops.monitoring import store


def count(session) -> int:
    return session.warehouse.query(f"SELECT COUNT(*) AS n FROM `{monitoring.PREDICTIONS_TABLE}`").column("n")[0].as_py()


def _row(i: int, pid: int) -> dict:
    return {"schema_version": 2, "request_id": f"{pid}-{i}", "created": "2024-01-01T00:00:00.000000Z", "model": "m"}


def _writer_process(workspace: str, n: int) -> None:
    for i in range(n):
        store.append(workspace, [_row(i, os.getpid())])


def test_writers_in_many_processes_and_threads_lose_nothing(session, settings):
    monitoring.log_for(session).ensure_table()
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer_process, args=(str(settings.workspace), 150)) for _ in range(4)]
    for p in procs:
        p.start()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: store.append(settings.workspace, [_row(i, -1)]), range(200)))
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert count(session) == 4 * 150 + 200
    ids = session.warehouse.query("SELECT COUNT(DISTINCT request_id) AS n FROM llmops.predictions").column("n")
    assert ids[0].as_py() == 800


def test_compaction_moves_finished_segments_only_and_keeps_every_row_once(session, settings):
    log = monitoring.log_for(session)
    monitoring.predict_batch(session, [f"q{i}" for i in range(5)])
    ctx = multiprocessing.get_context("fork")
    p = ctx.Process(target=_writer_process, args=(str(settings.workspace), 30))
    p.start()
    p.join()
    assert count(session) == 35
    moved = log.compact()
    assert moved == 30  # this process still holds its segment open
    assert count(session) == 35
    segments = [x for x in (log.directory / "segments").iterdir() if x.name != "seg-0-empty.jsonl"]
    assert len(segments) == 1 and str(os.getpid()) in segments[0].name
    store.writer(log.directory).close()
    assert log.compact() == 5 and count(session) == 35
    assert [r["prompt"] for r in log.recent(2)][0].startswith("q")


def test_a_v1_table_is_migrated_into_the_store(settings):
    with Session(settings) as s:
        s.warehouse.query(monitoring.create_table_sql().replace("schema_version INT64,\n  ", ""))  # close enough to v1
        s.warehouse.query(
            "INSERT INTO llmops.predictions (request_id, created, model, prompt, blocked) "
            "VALUES ('old-1', TIMESTAMP '2023-05-01 10:00:00+00', 'text-bison@001', 'old prompt', FALSE)"
        )
        monitoring.predict(s, "new prompt")
        rows = monitoring.log_for(s).recent(10)
        assert [r["prompt"] for r in rows] == ["new prompt", "old prompt"]
        assert store.applied_migrations(store.log_dir(settings.workspace)) == [m for m, _ in store.MIGRATIONS]


def test_log_text_off_keeps_hashes_and_lengths_only(settings):
    with Session(settings.model_copy(update={"log_text": False})) as s:
        pred = monitoring.predict(s, "a secret question")
        row = monitoring.log_for(s).recent(1)[0]
    assert row["prompt"] is None and row["response"] is None
    assert row["prompt_sha256"] == hashlib.sha256(b"a secret question").hexdigest()
    assert row["response_sha256"] == hashlib.sha256(pred.text.encode()).hexdigest()
    assert row["prompt_chars"] == len("a secret question") and row["response_chars"] == len(pred.text)


def test_a_failed_prediction_is_logged_with_its_error(session):
    with pytest.raises(LlmopsError):
        monitoring.predict(session, "hello", model="no-such-model@001", context={"prompt_version": "v7"})
    row = monitoring.log_for(session).recent(1)[0]
    assert row["finish_reason"] == "ERROR" and "no-such-model" in row["error"] and row["prompt_version"] == "v7"


def test_context_and_safety_columns_are_logged(session):
    monitoring.predict(session, "I will kill you", context={"endpoint": "e1", "trace_id": "t", "span_id": "s"})
    row = monitoring.log_for(session).recent(1)[0]
    assert (row["endpoint"], row["trace_id"], row["span_id"]) == ("e1", "t", "s")
    by_cat = {r["category"]: r for r in row["safety_ratings"]}
    assert row["harassment_prob"] == by_cat["HARM_CATEGORY_HARASSMENT"]["probabilityScore"]
    assert row["harassment_sev"] == by_cat["HARM_CATEGORY_HARASSMENT"]["severityScore"]
