"""A run every task of which kfp's local cache would serve is answered in the calling process,
with the record a worker would have written; anything else starts the worker.

(No `from __future__ import annotations`: kfp reads the components' annotations.)"""

import json
from pathlib import Path
from typing import NamedTuple

import pytest
from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Metrics, Output
from kfp.local.cache import LocalCache

from llmops.kfp_local import cached, runs
from llmops.kfp_local.runs import LocalRuns

IMAGE = "python:3.11"
_START_WORKER = runs.start_worker


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def make_rows(rows: int, scale: float, options: dict, data: Output[Dataset]) -> str:
    with open(data.path, "w") as f:
        f.write("x\n" * rows)
    data.metadata.update(rows=rows, scale=scale, options=options)
    return f"{rows} rows"


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def count_rows(data: Input[Dataset], label: str, metrics: Output[Metrics]) -> int:
    rows = len(open(data.path).read().splitlines())
    metrics.log_metric("rows", rows)
    with open(metrics.path, "w") as f:
        f.write(str(rows))
    return rows


@dsl.pipeline(name="inner")
def inner(data: Input[Dataset], label: str = "inner") -> NamedTuple("InnerOut", count=int, metrics=Metrics):
    counted = count_rows(data=data, label=label)
    out = NamedTuple("InnerOut", count=int, metrics=Metrics)  # noqa: UP014 - kfp reads it
    return out(count=counted.outputs["Output"], metrics=counted.outputs["metrics"])


@dsl.pipeline(name="nested-cache")
def nested(rows: int = 3, scale: float = 0.5, options: dict = {"a": 1}) -> NamedTuple(  # noqa: B006
    "Out", note=str, count=int
):
    made = make_rows(rows=rows, scale=scale, options=options)
    sub = inner(data=made.outputs["data"], label="inner")
    count_rows(data=made.outputs["data"], label="outer")
    out = NamedTuple("Out", note=str, count=int)  # noqa: UP014 - kfp reads it
    return out(note=made.outputs["Output"], count=sub.outputs["count"])


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pkg") / "nested.yaml"
    compiler.Compiler().compile(nested, str(path))
    return path


class _NoWorker(Exception):
    pass


@pytest.fixture
def no_worker(monkeypatch):
    """Starting any process from the run module fails the test."""

    def refuse(*args, **kwargs):
        raise _NoWorker(f"a worker process was started: {args[0] if args else kwargs}")

    monkeypatch.setattr(runs, "start_worker", refuse)


def _comparable(record: dict) -> dict:
    record = json.loads(json.dumps(record))
    for key in ("run_id", "package_copy", "created", "started", "finished", "worker_pid"):
        record.pop(key, None)
    record.pop("served_from_cache", None)
    record.pop("cache_lookup_seconds", None)
    for task in record["tasks"]:
        for key in ("started", "finished", "seconds", "log"):
            task.pop(key, None)
    # kfp.local runs independent tasks in protobuf map order, which varies between processes
    record["tasks"].sort(key=lambda t: t["name"])
    record["lineage"]["artifacts"].sort(key=lambda a: (a["task"], a["output"]))
    record["lineage"].get("evaluation", []).sort(key=lambda e: e["task"])
    return record


def test_a_fully_cached_run_starts_no_worker_and_records_what_a_worker_would(tmp_path, package):
    local = LocalRuns(tmp_path / "ws")
    params = {"rows": 4}
    first = local.wait(local.submit(package, params).run_id, timeout=120)
    assert first.state == "SUCCEEDED", first.error
    assert not any(t.cached for t in first.tasks)

    local.answer_from_cache = False  # the same cached run, served by a worker, for comparison
    by_worker = local.wait(local.submit(package, params).run_id, timeout=120)
    assert by_worker.state == "SUCCEEDED" and all(t.cached for t in by_worker.tasks)
    assert local.record(by_worker.run_id)["worker_pid"]

    local.answer_from_cache = True
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(runs, "start_worker", lambda *a, **k: pytest.fail("a worker process was started"))
        in_process = local.submit(package, params)
    assert in_process.state == "SUCCEEDED"
    assert in_process.outputs == {"note": "4 rows", "count": 4}
    record = local.record(in_process.run_id)
    assert record["served_from_cache"] is True and "worker_pid" not in record
    assert _comparable(record) == _comparable(local.record(by_worker.run_id))
    assert all(Path(t["log"]).is_file() for t in record["tasks"])
    assert local.get(in_process.run_id).state == "SUCCEEDED"  # no worker to look for afterwards


def test_a_changed_input_or_a_missing_artifact_starts_the_worker(tmp_path, package, no_worker):
    local = LocalRuns(tmp_path / "ws")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(runs, "start_worker", _START_WORKER)
        first = local.wait(local.submit(package, {"rows": 2}).run_id, timeout=120)
    assert first.state == "SUCCEEDED", first.error

    with pytest.raises(_NoWorker):
        local.submit(package, {"rows": 3})  # a changed parameter: every task runs
    with pytest.raises(_NoWorker):
        local.submit(package, {"rows": 2}, enable_caching=False)
    data = Path(first.tasks[0].outputs["data"]["uri"])
    data.unlink()  # kfp counts an entry whose artifact file is gone as a miss
    with pytest.raises(_NoWorker):
        local.submit(package, {"rows": 2})


@pytest.mark.parametrize(
    "arguments",
    [
        {"n": 3.0, "s": "x", "d": {"b": [1.0, True, None], "a": "é"}},
        {},
    ],
)
def test_cache_keys_are_kfps(arguments, tmp_path):
    from kfp.dsl import executor

    artifact = executor.create_artifact_instance(
        {
            "name": "data",
            "uri": str(tmp_path / "d"),
            "metadata": {"rows": 2.0},
            "type": {"schemaTitle": "system.Dataset"},
        }
    )
    ours = cached.CachedArtifact("system.Dataset", "data", str(tmp_path / "d"), {"rows": 2.0})
    command = ["sh", "-c", "python3 -m kfp.dsl.executor_main", "--executor_input", "{{$}}"]
    for custom in (None, "my-key"):
        theirs = LocalCache(str(tmp_path / "c")).compute_key(
            "comp-x", IMAGE, command, {**arguments, "data": artifact}, {"E": "1"}, custom
        )
        assert cached.cache_key("comp-x", IMAGE, command, {**arguments, "data": ours}, {"E": "1"}, custom) == theirs
