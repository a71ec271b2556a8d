"""The prediction log: every prediction in the warehouse, batched, skippable."""

from __future__ import annotations

import pytest

from llmops.core import monitoring
from llmops.core.errors import DataError
from llmops.core.interfaces import Warehouse
from llmops.core.session import Session
from llmops.core.types import GenerationConfig


class CountingWarehouse(Warehouse):
    """The real warehouse, counting the inserts that reach it."""

    def __init__(self, inner: Warehouse):
        super().__init__(inner.settings)
        self.inner, self.inserts = inner, 0

    def query(self, sql, params=None):
        return self.inner.query(sql, params)

    def export(self, sql, destination_uri, params=None, format="jsonl"):
        return self.inner.export(sql, destination_uri, params, format)

    def load(self, table, data, mode="append"):
        return self.inner.load(table, data, mode)

    def insert_rows(self, table, rows):
        self.inserts += 1
        return self.inner.insert_rows(table, rows)

    def tables(self):
        return self.inner.tables()


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


def test_a_batch_is_written_with_one_insert(session):
    counting = CountingWarehouse(session.warehouse)
    session.__dict__["warehouse"] = counting  # the session's cached backend, wrapped
    prompts = [f"How do I parse date format {i}?" for i in range(25)] + ["I will kill you"]
    preds = monitoring.predict_batch(session, prompts)
    assert counting.inserts == 1
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
    with pytest.raises(DataError, match="at least 1"):
        monitoring.log_for(session).recent(0)


def test_the_table_is_recreated_if_dropped(session):
    monitoring.predict(session, "one")
    session.warehouse.query(f"DROP TABLE `{monitoring.PREDICTIONS_TABLE}`")
    monitoring.predict(session, "two")
    assert [r["prompt"] for r in monitoring.log_for(session).recent(5)] == ["two"]


def test_batched_log_writes_a_loop_of_predictions_with_one_insert(session):
    counting = CountingWarehouse(session.warehouse)
    session.__dict__["warehouse"] = counting
    with monitoring.batched_log():
        for i in range(5):
            monitoring.predict(session, f"question {i}")
        monitoring.predict_batch(session, ["x", "y"])
        assert counting.inserts == 0
    assert counting.inserts == 1 and count(session) == 7


def test_batched_log_still_writes_when_the_block_fails(session):
    with pytest.raises(RuntimeError):
        with monitoring.batched_log():
            monitoring.predict(session, "before the failure")
            raise RuntimeError("boom")
    assert [r["prompt"] for r in monitoring.log_for(session).recent(5)] == ["before the failure"]
