"""The local orchestrator: kfp's local runner on compiled packages, run records, kfp's task
cache in the workspace, failures with log tails, resume, timeouts, parameters and lineage.

(No `from __future__ import annotations`: kfp reads the components' annotations.)"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Metrics, Output

from llmops.backends.local.orchestrator import LocalOrchestrator
from llmops.core import registry
from llmops.core.errors import ConfigError, DataError, NotFoundError
from llmops.core.pipeline_package import bind_parameters, load_package

IMAGE = "python:3.11"


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def say_hello(name: str) -> str:
    return f"Hello, {name}!"


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def how_are_you(hello_text: str) -> str:
    return f"{hello_text}. How are you?"


@dsl.pipeline
def hello_pipeline(recipient: str) -> str:
    hello_task = say_hello(name=recipient)
    how_task = how_are_you(hello_text=hello_task.output)
    return how_task.output


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def step_one(n: int) -> int:
    return n + 1


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def step_two(value: int, fail_if_exists: str) -> int:
    import os

    if os.path.exists(fail_if_exists):
        raise ValueError(f"step_two refuses to run while {fail_if_exists} exists")
    return value * 10


@dsl.pipeline
def two_steps(n: int, fail_if_exists: str) -> int:
    one = step_one(n=n)
    two = step_two(value=one.output, fail_if_exists=fail_if_exists)
    return two.output


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def sleepy(seconds: float) -> str:
    import time

    print("going to sleep", flush=True)
    time.sleep(seconds)
    return "awake"


@dsl.pipeline
def sleepy_pipeline(seconds: float = 60.0) -> str:
    return sleepy(seconds=seconds).output


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def make_data(rows: int, data: Output[Dataset]) -> None:
    with open(data.path, "w") as f:
        f.write("x\n" * rows)
    data.metadata["dataset_version"] = "v-test"


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def score_data(data: Input[Dataset], label: str, metrics: Output[Metrics], report: Output[Dataset]) -> None:
    rows = len(open(data.path).read().splitlines())
    metrics.log_metric("rows", rows)
    with open(metrics.path, "w") as f:
        f.write(str(rows))
    with open(report.path, "w") as f:
        f.write(label)
    report.metadata.update(label=label, model="counting-model")


@dsl.pipeline
def artifacts_pipeline(rows: int = 3):
    made = make_data(rows=rows)
    score_data(data=made.outputs["data"], label="only")


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def echo_workspace(settings: dict) -> str:
    return settings["workspace"]


@dsl.pipeline
def settings_pipeline(settings: dict) -> str:
    return echo_workspace(settings=settings).output


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("packages")
    out = {}
    for name, fn in {
        "hello": hello_pipeline,
        "two_steps": two_steps,
        "sleepy": sleepy_pipeline,
        "artifacts": artifacts_pipeline,
        "settings": settings_pipeline,
    }.items():
        path = root / f"{name}.yaml"
        compiler.Compiler().compile(fn, str(path))
        out[name] = path
    return out


@pytest.fixture
def orchestrator(settings) -> LocalOrchestrator:
    return LocalOrchestrator(settings)


def run_to_end(orch: LocalOrchestrator, package: Path, params=None, **kw):
    run = orch.submit(package, params or {}, **kw)
    return orch.wait(run.run_id, timeout=120)


def test_registered_as_local():
    assert registry.backend_class("orchestrator", "local") is LocalOrchestrator


def test_hello_runs_then_is_served_from_the_cache(orchestrator, packages, workspace):
    first = run_to_end(orchestrator, packages["hello"], {"recipient": "World"})
    assert first.state == "SUCCEEDED", first.error
    assert first.outputs == {"Output": "Hello, World!. How are you?"}
    assert [(t.name, t.state, t.cached) for t in first.tasks] == [
        ("say-hello", "SUCCEEDED", False),
        ("how-are-you", "SUCCEEDED", False),
    ]
    assert all(t.seconds > 0 for t in first.tasks)
    assert first.tasks[1].outputs == {"Output": "Hello, World!. How are you?"}

    second = run_to_end(orchestrator, packages["hello"], {"recipient": "World"})
    assert second.state == "SUCCEEDED"
    assert second.outputs == first.outputs
    assert [t.cached for t in second.tasks] == [True, True]
    assert second.run_id != first.run_id
    assert (workspace / "pipelines" / "cache").is_dir()

    # a changed input misses the cache for the tasks it reaches
    other = run_to_end(orchestrator, packages["hello"], {"recipient": "Moon"})
    assert other.outputs == {"Output": "Hello, Moon!. How are you?"}
    assert [t.cached for t in other.tasks] == [False, False]

    uncached = run_to_end(orchestrator, packages["hello"], {"recipient": "World"}, enable_caching=False)
    assert [t.cached for t in uncached.tasks] == [False, False]

    record = json.loads((workspace / "runs" / first.run_id / "run.json").read_text())
    assert record["state"] == "SUCCEEDED" and record["package_sha256"]
    assert (workspace / "runs" / first.run_id / "package.yaml").read_bytes() == packages["hello"].read_bytes()
    assert {r.run_id for r in orchestrator.list_runs()} == {first.run_id, second.run_id, other.run_id, uncached.run_id}
    assert orchestrator.list_runs()[0].run_id == uncached.run_id  # newest first
    assert orchestrator.get(first.run_id[:-3]).run_id == first.run_id  # a unique prefix
    assert orchestrator.get("latest").run_id == uncached.run_id


def test_failed_task_is_named_with_its_log_tail_and_a_rerun_resumes(orchestrator, packages, tmp_path):
    marker = tmp_path / "broken"
    marker.write_text("")
    failed = run_to_end(orchestrator, packages["two_steps"], {"n": 1, "fail_if_exists": str(marker)})
    assert failed.state == "FAILED"
    states = {t.name: t for t in failed.tasks}
    assert states["step-one"].state == "SUCCEEDED"
    assert states["step-two"].state == "FAILED"
    assert "step-two" in failed.error and "refuses to run" in failed.error
    assert "ValueError: step_two refuses to run" in states["step-two"].log_tail
    assert "Traceback" in states["step-two"].log_tail

    marker.unlink()
    resumed = run_to_end(orchestrator, packages["two_steps"], {"n": 1, "fail_if_exists": str(marker)})
    assert resumed.state == "SUCCEEDED"
    assert resumed.outputs == {"Output": 20}
    assert [(t.name, t.cached) for t in resumed.tasks] == [("step-one", True), ("step-two", False)]


def test_a_timed_out_run_is_stopped_and_recorded(orchestrator, packages):
    run = orchestrator.submit(packages["sleepy"], {"seconds": 60})
    deadline = time.monotonic() + 60
    while orchestrator.get(run.run_id).tasks[0].state != "RUNNING":  # wait for the task itself
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(0.5)
    still = orchestrator.wait(run.run_id, timeout=0.2)
    assert still.state == "RUNNING"
    pid = json.loads((orchestrator.run_dir(run.run_id) / "run.json").read_text())["worker_pid"]
    stopped = orchestrator.cancel(run.run_id, reason="timed out after 1 s")
    assert stopped.state == "FAILED"
    assert "timed out after 1 s" in stopped.error and "sleepy" in stopped.error
    assert stopped.tasks[0].state == "FAILED"
    assert "going to sleep" in (stopped.tasks[0].log_tail or "")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert orchestrator.get(run.run_id).state == "FAILED"  # and it stays that way


def test_cancel_without_reason_is_cancelled(orchestrator, packages):
    run = orchestrator.submit(packages["sleepy"], {"seconds": 60})
    cancelled = orchestrator.cancel(run.run_id)
    assert cancelled.state == "CANCELLED"


def test_a_dead_worker_fails_the_run(orchestrator, packages):
    run = orchestrator.submit(packages["sleepy"], {"seconds": 60})
    run_dir = orchestrator.run_dir(run.run_id)
    orchestrator.cancel(run.run_id)
    record = json.loads((run_dir / "run.json").read_text())
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    record.update(state="RUNNING", worker_pid=gone.pid)
    (run_dir / "run.json").write_text(json.dumps(record))
    other = LocalOrchestrator(orchestrator.settings)  # another process's view: no Popen handle
    seen = other.get(run.run_id)
    assert seen.state == "FAILED"
    assert "worker process exited" in seen.error


def test_artifacts_and_metrics_reach_the_lineage(orchestrator, packages):
    run = run_to_end(orchestrator, packages["artifacts"], {"rows": 4})
    assert run.state == "SUCCEEDED", run.error
    lineage = run.lineage
    assert lineage["package"]["path"] == str(packages["artifacts"].resolve())
    assert lineage["parameters"] == {"rows": 4}
    assert lineage["dataset_version"] == "v-test"
    kinds = {(a["task"], a["output"], a["type"]) for a in lineage["artifacts"]}
    assert ("make-data", "data", "system.Dataset") in kinds
    assert ("score-data", "metrics", "system.Metrics") in kinds
    [evaluation] = lineage["evaluation"]
    assert evaluation["metrics"] == {"rows": 4.0}
    assert evaluation["label"] == "only" and evaluation["model"] == "counting-model"
    assert Path(evaluation["predictions_uri"]).read_text() == "only"
    again = run_to_end(orchestrator, packages["artifacts"], {"rows": 4})
    assert all(t.cached for t in again.tasks)


def test_settings_parameter_is_filled_from_the_session(orchestrator, packages, workspace):
    run = run_to_end(orchestrator, packages["settings"])
    assert run.state == "SUCCEEDED", run.error
    assert run.outputs == {"Output": str(workspace.resolve())}
    assert run.parameters["settings"]["profile"] == "local"


def test_bad_packages_and_parameters_fail_before_anything_runs(orchestrator, packages, tmp_path, workspace):
    not_yaml = tmp_path / "hello.py"
    not_yaml.write_text("from kfp import dsl\n\ndef f(:\n")
    with pytest.raises(DataError, match="not a KFP pipeline package"):
        orchestrator.submit(not_yaml, {})
    plain = tmp_path / "plain.yaml"
    plain.write_text("name: say-hello\nimplementation: {}\n")
    with pytest.raises(DataError, match="not a KFP pipeline package"):
        orchestrator.submit(plain, {})
    with pytest.raises(NotFoundError, match="does not exist"):
        orchestrator.submit(tmp_path / "missing.yaml", {})
    with pytest.raises(ConfigError, match="did you mean 'recipient'"):
        orchestrator.submit(packages["hello"], {"recipent": "World"})
    with pytest.raises(ConfigError, match="needs parameter 'recipient'"):
        orchestrator.submit(packages["hello"], {})
    with pytest.raises(ConfigError, match="'n' expects integer"):
        orchestrator.submit(packages["two_steps"], {"n": "three", "fail_if_exists": "x"})
    with pytest.raises(NotFoundError):
        orchestrator.get("no-such-run")
    with pytest.raises(NotFoundError):
        orchestrator.get("../../etc")
    assert not (workspace / "runs").exists() or not any((workspace / "runs").iterdir())


def test_parameters_are_converted_to_the_declared_types(packages):
    spec = load_package(packages["two_steps"])
    assert bind_parameters(spec, {"n": "3", "fail_if_exists": 5}, None) == {"n": 3, "fail_if_exists": "5"}
    assert bind_parameters(spec, {"n": 4.0, "fail_if_exists": True}, None) == {"n": 4, "fail_if_exists": "true"}
    with pytest.raises(ConfigError):
        bind_parameters(spec, {"n": True, "fail_if_exists": "x"}, None)
    sleepy = load_package(packages["sleepy"])
    assert bind_parameters(sleepy, {}, None) == {}  # an optional parameter keeps its default
    assert bind_parameters(sleepy, {"seconds": 2}, None) == {"seconds": 2.0}
    settings_spec = load_package(packages["settings"])
    assert bind_parameters(settings_spec, {}, {"profile": "x"}) == {"settings": {"profile": "x"}}
    assert bind_parameters(settings_spec, {"settings": '{"a": 1}'}, {"profile": "x"}) == {"settings": {"a": 1}}


def test_run_ids_from_names_are_checked(orchestrator, packages):
    with pytest.raises(ConfigError, match="not usable"):
        orchestrator.submit(packages["hello"], {"recipient": "x"}, run_name="../escape")
    run = run_to_end(orchestrator, packages["hello"], {"recipient": "x"}, run_name="my-run")
    assert run.run_id == "my-run"
    with pytest.raises(ConfigError, match="already exists"):
        orchestrator.submit(packages["hello"], {"recipient": "x"}, run_name="my-run")


def test_record_is_valid_json_while_running(orchestrator, packages):
    """Readers never see a half-written record: every read during a run parses."""
    run = orchestrator.submit(packages["hello"], {"recipient": "World"})
    path = orchestrator.run_dir(run.run_id) / "run.json"
    states = set()
    while True:
        record = json.loads(path.read_text())
        states.add(record["state"])
        if record["state"] in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(0.01)
    orchestrator.wait(run.run_id)
    assert "SUCCEEDED" in states
