"""Starting a run's worker process (`worker.py`).

A single-threaded caller — the `llmops` CLI — forks the worker: no fresh interpreter to start,
and kfp is already imported when the caller has just compiled the package, which is a cold
run's case (about a second saved). A caller with other threads (the emulator's server, a test
runner; native threads such as DuckDB's count too) starts a fresh interpreter running
`worker.py`, since a fork copies locks another thread may hold. `LLMOPS_KFP_FORK=0` starts the
fresh interpreter always (kfp's own way, as for tasks).

Either way the worker runs in a session of its own (so cancelling a run kills its whole process
group), with stdin from /dev/null, stdout and stderr appended to the run's worker log, and the
environment it is given.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

WORKER_SCRIPT = Path(__file__).with_name("worker.py")


class WorkerProcess(Protocol):
    """What the orchestrator needs of a started worker (a `subprocess.Popen` has it)."""

    pid: int

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...


def start_worker(run_dir: Path, log_path: Path, env: Mapping[str, str]) -> WorkerProcess:
    """Start the worker of the run in `run_dir`, forked when this process may fork."""
    if env.get("LLMOPS_KFP_FORK", "1") != "0" and _single_threaded():
        return _fork(run_dir, log_path, env)
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            # -P: the script's folder must not shadow top-level modules (model, plugin, ...)
            [sys.executable, "-P", str(WORKER_SCRIPT), str(run_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            start_new_session=True,
        )


def _single_threaded() -> bool:
    if not hasattr(os, "fork"):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1  # native threads (DuckDB's, gRPC's) included
    except OSError:
        return False  # no procfs: other threads cannot be ruled out


class ForkedWorker:
    """A forked worker, with Popen's `pid`, `poll` and `wait`."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere
                self.returncode = 0
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0.0)
            time.sleep(0.01)
        return code


def _fork(run_dir: Path, log_path: Path, env: Mapping[str, str]) -> ForkedWorker:
    ready_r, ready_w = os.pipe()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(ready_r)
            _become_worker_process(log_path, env, keep=ready_w)
            os.close(ready_w)  # the caller may go on: the session and the log are in place
            from .worker import Worker

            code = Worker(run_dir).run()
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    os.close(ready_w)
    os.read(ready_r, 1)  # returns at the child's close (or exit)
    os.close(ready_r)
    return ForkedWorker(pid)


def _become_worker_process(log_path: Path, env: Mapping[str, str], keep: int) -> None:
    """In the forked child: what `Popen(start_new_session=True, stdin=DEVNULL, stdout=log,
    stderr=STDOUT, env=env)` would have set up."""
    os.setsid()
    null = os.open(os.devnull, os.O_RDWR)
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    # The caller's pipes and sockets (its stdout kept aside by `--json`, say) must not stay open
    # here for as long as the run lasts: a reader of them would wait for the run to end. Each
    # becomes /dev/null under the same number, so no object of the caller's closes a reused one.
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd < 3 or fd in (keep, null):
            continue
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue  # the listing's own descriptor, already closed
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            os.dup2(null, fd, inheritable=False)
    os.close(null)
    os.environ.clear()
    os.environ.update(env)
    sys.stdin = open(0, encoding="utf-8", closefd=False)
    sys.stdout = io.TextIOWrapper(open(1, "wb", buffering=0, closefd=False), encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(
        open(2, "wb", buffering=0, closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        write_through=True,
    )
    sys.argv = [str(WORKER_SCRIPT)]
