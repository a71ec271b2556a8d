"""The worker runs each lightweight component's task in a child forked from itself (no `sh`,
no fresh interpreter), with kfp's executor, output and outputs unchanged; `LLMOPS_KFP_FORK=0`
falls back to kfp's own subprocess.

(No `from __future__ import annotations`: kfp reads the components' annotations.)"""

import json
import sys
from pathlib import Path

import pytest
import yaml
from kfp import compiler, dsl
from kfp.local.subprocess_task_handler import replace_python_executable

from llmops.kfp_local.runs import LocalRuns
from llmops.kfp_local.worker import lightweight_call

IMAGE = "python:3.11"


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def whoami(greeting: str) -> str:
    import json
    import os

    print(f"{greeting} from the task")
    return json.dumps({"ppid": os.getppid(), "pgid": os.getpgid(0), "runtime": os.environ.get("_KFP_RUNTIME")})


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def echo(text: str) -> str:
    return text


@dsl.pipeline(name="forked-tasks")
def whoami_pipeline(greeting: str) -> str:
    return echo(text=whoami(greeting=greeting).output).output


@dsl.component(base_image=IMAGE)  # installs kfp with pip first: not a command the fork runs
def with_pip(x: int) -> int:
    return x


def _command(fn, tmp_path: Path) -> list[str]:
    path = tmp_path / "c.yaml"
    compiler.Compiler().compile(fn, str(path))
    container = next(iter(yaml.safe_load(path.read_text())["deploymentSpec"]["executors"].values()))["container"]
    return replace_python_executable(container["command"] + container["args"], sys.executable)


def test_lightweight_call_reads_kfp_command(tmp_path):
    source, args = lightweight_call(_command(whoami, tmp_path))
    assert "def whoami(greeting: str) -> str:" in source
    assert args == ["--executor_input", "{{$}}", "--function_to_execute", "whoami"]
    assert lightweight_call(_command(with_pip, tmp_path)) is None
    assert lightweight_call(["sh", "-ec", "echo hi"]) is None


@pytest.fixture
def package(tmp_path) -> Path:
    path = tmp_path / "whoami.yaml"
    compiler.Compiler().compile(whoami_pipeline, str(path))
    return path


@pytest.mark.parametrize("fork", ["1", "0"])
def test_task_process_is_forked_from_the_worker(tmp_path, package, monkeypatch, fork):
    monkeypatch.setenv("LLMOPS_KFP_FORK", fork)
    local = LocalRuns(tmp_path / "ws")
    run = local.wait(local.submit(package, {"greeting": "hello"}, enable_caching=False).run_id, timeout=120)
    assert run.state == "SUCCEEDED", run.error
    record = json.loads((tmp_path / "ws" / "runs" / run.run_id / "run.json").read_text())
    seen = json.loads(run.outputs["Output"])
    assert seen["runtime"] == "true"
    assert seen["pgid"] == record["worker_pid"]  # in the worker's group: cancel kills it
    assert (seen["ppid"] == record["worker_pid"]) is (fork == "1")  # else its parent is kfp's `sh`
    (task,) = [t for t in record["tasks"] if t["name"] == "whoami"]
    log = Path(task["log"]).read_text()
    assert "\n    hello from the task\n" in log  # indented once, as kfp indents a task's output
