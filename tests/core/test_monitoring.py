"""The prediction log: every prediction in the warehouse, batched, skippable."""

from __future__ import annotations

import pytest

from llmops.core import monitoring
from llmops.core.errors import DataError
from llmops.core.session import Session
from llmops.core.types import GenerationConfig
from llmops.monitoring import store


@pytest.fixture
def appends(monkeypatch):
    """How many writes reach the segment store."""
    calls = []
    real = store.SegmentWriter.append

    def counting(self, rows):
        calls.append(len(rows))
        return real(self, rows)

    monkeypatch.setattr(store.SegmentWriter, "append", counting)
    return calls


def count(session) -> int:
    return session.warehouse.query(f"SELECT COUNT(*) AS n FROM `{monitoring.PREDICTIONS_TABLE}`").column("n")[0].as_py()


def test_every_prediction_is_logged_blocked_ones_included(session):
    ok = monitoring.predict(
        session, "How do I sort a list?", generation=GenerationConfig(temperature=0.3, max_output_tokens=64)
    )
    blocked = monitoring.predict(session, "I will kill you")
    rows = monitoring.log_for(session).recent(10)
    assert [r["request_id"] for r in rows] == [blocked.request_id, ok.request_id]
    newest, oldest = rows
    assert (
        newest["blocked"]
        and newest["prompt_blocked"]
        and newest["response"] == ""
        and newest["finish_reason"] == "SAFETY"
    )
    assert newest["max_safety_score"] == 0.9
    assert [r["category"] for r in newest["safety_ratings"]] == [r.category for r in blocked.safety.ratings]
    assert oldest["response"] == ok.text and oldest["model"] == "text-bison@001" and oldest["provider"] == "emulator"
    assert (oldest["temperature"], oldest["max_output_tokens"]) == (0.3, 64)
    assert oldest["citations_count"] == 0 and oldest["citations"] == []
    assert oldest["latency_ms"] == pytest.approx(ok.latency_ms, abs=0.001)
    assert oldest["created"].endswith("Z") and oldest["created"] <= newest["created"]


def test_a_batch_is_written_with_one_append(session, appends):
    prompts = [f"How do I parse date format {i}?" for i in range(25)] + ["I will kill you"]
    preds = monitoring.predict_batch(session, prompts)
    assert appends == [26]
    assert count(session) == 26
    assert sum(r["blocked"] for r in monitoring.log_for(session).recent(100)) == 1
    assert {r["request_id"] for r in monitoring.log_for(session).recent(100)} == {p.request_id for p in preds}


def test_logging_can_be_switched_off(session, settings):
    monitoring.predict(session, "first")
    monitoring.predict(session, "not logged", log=False)
    monitoring.predict_batch(session, ["a", "b"], log=False)
    with Session(settings.model_copy(update={"log_predictions": False})) as quiet:
        monitoring.predict(quiet, "also not logged")
        monitoring.predict(quiet, "forced", log=True)
    assert [r["prompt"] for r in monitoring.log_for(session).recent(10)] == ["forced", "first"]


def test_recent_on_an_empty_log_and_bad_n(session):
    assert monitoring.log_for(session).recent(5) == []
    assert monitoring.log_for(session).recent(0) == []  # 0: all
    with pytest.raises(DataError, match=r"0 \(all\) or more"):
        monitoring.log_for(session).recent(-1)


def test_the_view_is_recreated_if_dropped(session):
    monitoring.predict(session, "one")
    monitoring.log_for(session).ensure_table()
    session.warehouse.query(f"DROP VIEW `{monitoring.PREDICTIONS_TABLE}`")
    monitoring.predict(session, "two")
    assert [r["prompt"] for r in monitoring.log_for(session).recent(5)] == ["two", "one"]


def test_batched_log_writes_a_loop_of_predictions_with_one_append(session, appends):
    with monitoring.batched_log():
        for i in range(5):
            monitoring.predict(session, f"question {i}")
        monitoring.predict_batch(session, ["x", "y"])
        assert appends == []
    assert appends == [7] and count(session) == 7


def test_batched_log_still_writes_when_the_block_fails(session):
    with pytest.raises(RuntimeError):
        with monitoring.batched_log():
            monitoring.predict(session, "before the failure")
            raise RuntimeError("boom")
    assert [r["prompt"] for r in monitoring.log_for(session).recent(5)] == ["before the failure"]
