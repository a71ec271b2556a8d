"""The bookkeeping around every query: kept job results and query time limits."""

from __future__ import annotations

import time

from llmops.emulator.bigquery.jobs import Job, JobStore
from llmops.emulator.bigquery.sandbox import QueryControl


def test_the_job_store_keeps_the_newest_results_only():
    store = JobStore(max_jobs=5, keep_results=2)
    jobs = [Job("p", f"j{i}", "US", {}, result=object() if i != 2 else None) for i in range(7)]
    for job in jobs:
        store.add(job)
    assert [j.job_id for j in store.list("p")] == ["j6", "j5", "j4", "j3", "j2"]
    assert [j.job_id for j in jobs if j.result is not None] == ["j5", "j6"]
    store.delete("p", "j6")
    store.add(Job("p", "j7", "US", {}, result=object()))
    assert jobs[5].result is not None  # j6's deletion freed its place


class _Connection:
    def interrupt(self) -> None:
        pass


def test_time_limits_fire_among_many_finished_queries():
    finished = [QueryControl(timeout_s=0.05) for _ in range(300)]
    for control in finished:
        control.attach(_Connection())  # type: ignore[arg-type]
        control.finish()
    slow = QueryControl(timeout_s=0.2)
    slow.attach(_Connection())  # type: ignore[arg-type]
    deadline = time.monotonic() + 5
    while slow.reason is None and time.monotonic() < deadline:
        time.sleep(0.01)
    slow.finish()
    assert slow.reason == "timeout"
    assert all(c.reason is None for c in finished)
