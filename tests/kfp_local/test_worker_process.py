"""A single-threaded caller forks the run's worker; a caller with other threads, or
`LLMOPS_KFP_FORK=0`, starts a fresh interpreter. Either way the worker has a session of its own,
writes to the run's worker log, and holds none of the caller's pipes.

(No `from __future__ import annotations`: kfp reads the components' annotations.)"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from kfp import compiler, dsl

IMAGE = "python:3.11"


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def wait_for(path: str) -> str:
    import json
    import os
    import time

    deadline = time.monotonic() + 120
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)
    print("the file is there")
    return json.dumps({"sid": os.getsid(0), "ppid": os.getppid()})


@dsl.pipeline(name="waits")
def waits(path: str) -> str:
    return wait_for(path=path).output


# The caller, in a process of its own (a test runner has threads). It keeps a pipe's write end
# open as `llmops ... --json` keeps its stdout aside, closes its own copy after submitting and
# reads: end of file while the run still waits means the worker does not hold the pipe.
CALLER = """
import json, os, sys, threading
from pathlib import Path
from llmops.kfp_local import worker_process
from llmops.kfp_local.runs import LocalRuns

workspace, package, gate, threaded = sys.argv[1:]
if threaded == "1":
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()
forked = []
fork = worker_process._fork
worker_process._fork = lambda *a: forked.append(1) or fork(*a)
read_end, write_end = os.pipe()
local = LocalRuns(workspace)
run = local.submit(package, {"path": gate}, enable_caching=False)
os.close(write_end)
eof = os.read(read_end, 1) == b""
state_at_eof = local.get(run.run_id).state
Path(gate).touch()
run = local.wait(run.run_id, timeout=120)
print(json.dumps({
    "forked": bool(forked), "eof": eof, "state_at_eof": state_at_eof, "state": run.state,
    "error": run.error, "output": run.outputs.get("Output"), "caller": os.getpid(),
    "worker_pid": local.record(run.run_id)["worker_pid"],
}))
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pkg") / "waits.yaml"
    compiler.Compiler().compile(waits, str(path))
    return path


@pytest.mark.parametrize(
    ("threaded", "fork_env", "forked"),
    [("0", "1", True), ("1", "1", False), ("0", "0", False)],
    ids=["single-threaded caller forks", "threaded caller starts python", "LLMOPS_KFP_FORK=0 starts python"],
)
def test_how_the_worker_starts(tmp_path, package, monkeypatch, threaded, fork_env, forked):
    monkeypatch.setenv("LLMOPS_KFP_FORK", fork_env)
    workspace = tmp_path / "ws"
    done = subprocess.run(
        [sys.executable, "-c", CALLER, str(workspace), str(package), str(tmp_path / "gate"), threaded],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()  # nothing of the worker's on the caller's stdout
    seen = json.loads(line)
    assert seen["forked"] is forked
    assert seen["state"] == "SUCCEEDED", seen["error"]
    assert seen["eof"] and seen["state_at_eof"] in ("PENDING", "RUNNING")
    task = json.loads(seen["output"])
    assert task["sid"] == seen["worker_pid"] != seen["caller"]  # the worker leads a session of its own
    (run_dir,) = (workspace / "runs").iterdir()
    assert "Running pipeline" in (run_dir / "worker.log").read_text()  # kfp's own output, in the log
    assert "the file is there" in (run_dir / "tasks" / "wait-for.log").read_text()
