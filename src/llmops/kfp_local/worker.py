"""The worker process of the local orchestrator: runs one compiled pipeline package with kfp's
own local runner and keeps the run record up to date as each task starts and ends.

`python -P .../worker.py RUN_DIR` (or `Worker(RUN_DIR).run()` in a process forked from the
caller, see `worker_process`) reads `RUN_DIR/run.json` (written by `LocalRuns.submit`), runs the
package, and rewrites the record atomically after every task. The orchestrator process only
reads the record, except after the worker has exited.

What is kfp's and what is ours:

- kfp (`kfp.local`, SubprocessRunner with `use_venv=False`): loading the package, walking the
  DAG (sub-pipelines included), running every task in a subprocess of this Python environment,
  passing parameters and artifacts between tasks, and the task cache (kfp >= 2.17:
  `kfp.local.init(enable_caching=True, cache_root=...)`, a file per task keyed on the component
  name, image, command — which embeds the component's source — the resolved arguments and env).
- ours: the run record (per-task state, cache hits, seconds, outputs, log files and tails,
  lineage), running in a process of its own so a caller can time a run out or cancel it,
  `PIP_NO_INDEX` so a component's `pip install` never reaches the network, and starting a
  lightweight component's task process by forking this one (see `forked_executor`) instead of
  `sh -ec ... python3 -m kfp.dsl.executor_main`, so a task skips importing kfp and what its
  function imports: kfp's executor still runs in a process of its own, with the same
  arguments, environment, output and exit status, in this worker's process group.
  `LLMOPS_KFP_FORK=0` in the worker's environment turns this off (kfp's own subprocess).

Per-task detail comes from wrapping two kfp.local functions inside this process only
(`task_executor.execute_single_task`, through which every task of a pipeline goes, and
`task_dispatcher.run_single_task_implementation`, which runs only when the cache missed).
If a kfp release moves them, the run still works and records pipeline-level state only.
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import inspect
import io
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Nothing from llmops is imported here: run as a script (`python -P worker.py`), starting the
# worker costs Python and kfp only, not the whole llmops package.

RECORD_NAME = "run.json"
PACKAGE_COPY = "package.yaml"
WORKER_LOG = "worker.log"
TASK_LOGS = "tasks"
TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
LOG_TAIL_LINES = 25

LINEAGE_KEYS = ("dataset_version", "base_model", "tuning_job", "tuned_model", "endpoint")
"""Artifact metadata keys collected into a run's lineage, wherever a task sets them."""

_PRINT = builtins.print  # kfp indents a task's output by swapping print; a forked task must not inherit that
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_KFP_LOGGER_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d+ - [A-Z]+ - ")
_KFP_EXECUTOR_LINE = re.compile(r"^\[KFP Executor [^]]*\]")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------- run records


def read_record(run_dir: Path) -> dict[str, Any]:
    return json.loads((Path(run_dir) / RECORD_NAME).read_text(encoding="utf-8"))


def write_record(run_dir: Path, record: dict[str, Any]) -> None:
    """Write the record atomically: a temporary file in the same folder, then a rename."""
    run_dir = Path(run_dir)
    fd, tmp = tempfile.mkstemp(prefix=f".{RECORD_NAME}.", suffix=".tmp", dir=run_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(record, indent=2, default=str))
        os.replace(tmp, run_dir / RECORD_NAME)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str | None:
    """The last `lines` meaningful lines of a task log, without kfp's colours and indent."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    kept = []
    for line in text.splitlines():
        line = _ANSI.sub("", line)
        if _KFP_LOGGER_LINE.match(line):
            continue  # kfp's own "Executing task" / "finished with status" lines
        if line.startswith("    "):
            line = line[4:]  # kfp indents a task's streamed output by four spaces
        if line.strip() and not line.startswith("-----"):
            kept.append(line.rstrip())
    return "\n".join(kept[-lines:]) or None


def failure_reason(tail: str | None) -> str | None:
    """The line of a failed task's log that says why: the last one that is not kfp's own."""
    for line in reversed((tail or "").splitlines()):
        line = line.strip()
        if line and not _KFP_EXECUTOR_LINE.match(line) and not _KFP_LOGGER_LINE.match(line):
            return line
    return None


# ---------------------------------------------------------------- outputs and lineage


def serialize_value(value: Any) -> Any:
    """A task or pipeline output, JSON-ready: parameters as they are, artifacts as
    `{"artifact": schema_title, "name", "uri", "metadata"}`."""
    title = getattr(value, "schema_title", None)  # a kfp artifact, or a CachedArtifact (no kfp import)
    if isinstance(title, str) and hasattr(value, "uri") and hasattr(value, "metadata"):
        return {
            "artifact": title,
            "name": value.name,
            "uri": value.uri,
            "metadata": json.loads(json.dumps(value.metadata or {}, default=str)),
        }
    if isinstance(value, list):
        return [serialize_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): serialize_value(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _artifacts(outputs: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, value in (outputs or {}).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and "artifact" in item:
                yield name, item


def build_lineage(record: dict[str, Any]) -> dict[str, Any]:
    """What this run used and produced: the package, its parameters, every artifact, the
    dataset version, tuning job, tuned model and endpoint its tasks reported, and evaluations."""
    params = dict(record.get("parameters") or {})
    settings = params.pop("settings", None)
    lineage: dict[str, Any] = {
        "package": {"path": record["package"], "sha256": record.get("package_sha256")},
        "parameters": params,
    }
    if isinstance(settings, dict):
        lineage["profile"] = settings.get("profile")
        lineage["workspace"] = settings.get("workspace")
    artifacts = []
    evaluations = []
    for task in record.get("tasks", []):
        outputs = task.get("outputs") or {}
        task_artifacts = list(_artifacts(outputs))
        for name, art in task_artifacts:
            artifacts.append({"task": task["name"], "output": name, "type": art["artifact"], "uri": art["uri"]})
            meta = art.get("metadata") or {}
            for key in LINEAGE_KEYS:
                if meta.get(key) not in (None, "") and key not in lineage:
                    lineage[key] = meta[key]
        for name, art in task_artifacts:
            if art["artifact"] != "system.Metrics":
                continue
            entry: dict[str, Any] = {"task": task["name"], "metrics": art.get("metadata") or {}, "uri": art["uri"]}
            for other_name, other in task_artifacts:  # label and model come from a sibling output
                meta = other.get("metadata") or {}
                if other_name != name and ("label" in meta or "model" in meta):
                    entry.update({k: meta[k] for k in ("label", "model", "examples") if k in meta})
                    entry["predictions_uri"] = other["uri"]
            evaluations.append(entry)
    lineage["artifacts"] = artifacts
    if evaluations:
        lineage["evaluation"] = evaluations
    return lineage


# ---------------------------------------------------------------- the worker


class _ThreadStdout(io.TextIOBase):
    """sys.stdout for the worker: everything goes to the run log, and what a task prints (kfp
    streams the task subprocess's output through print) also goes to that task's own log."""

    def __init__(self, default: Any):
        self._default = default
        self._local = threading.local()

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        target = getattr(self._local, "file", None)
        if target is not None:
            target.write(s)
            target.flush()
        self._default.write(s)
        return len(s)

    def flush(self) -> None:
        self._default.flush()

    def isatty(self) -> bool:
        return False

    @contextlib.contextmanager
    def to(self, path: Path) -> Iterator[None]:
        previous = getattr(self._local, "file", None)
        with open(path, "a", encoding="utf-8") as f:
            self._local.file = f
            try:
                yield
            finally:
                self._local.file = previous


class Worker:
    """Runs one pipeline package with kfp.local and records its progress."""

    def __init__(self, run_dir: Path):
        self.run_dir = Path(run_dir)
        self.record = read_record(self.run_dir)
        self.lock = threading.Lock()
        self.logs = self.run_dir / TASK_LOGS
        self.logs.mkdir(exist_ok=True)
        self.started_tasks = 0
        self.autosave = True

    def save(self) -> None:
        if not self.autosave:
            return
        with self.lock:
            write_record(self.run_dir, self.record)

    # -- task bookkeeping, called from the kfp wrappers

    def _task(self, name: str) -> dict[str, Any]:
        for t in self.record["tasks"]:
            if t["name"] == name:
                return t
        t = {"name": name, "state": "PENDING", "cached": False, "seconds": 0.0, "outputs": {}}
        self.record["tasks"].append(t)
        return t

    def task_started(self, component_name: str, task_name: str) -> dict[str, Any]:
        name = component_name.removeprefix("comp-")
        with self.lock:
            entry = self._task(name)
            if entry["state"] != "PENDING":  # the same component again (a loop): a new entry
                n = 2
                while any(t["name"] == f"{name}#{n}" for t in self.record["tasks"]):
                    n += 1
                entry = self._task(f"{name}#{n}")
            tasks = self.record["tasks"]
            tasks.remove(entry)
            tasks.insert(self.started_tasks, entry)  # keep the record in execution order
            self.started_tasks += 1
            entry.update(
                state="RUNNING",
                task=task_name,
                started=now_iso(),
                log=str(self.logs / f"{entry['name'].replace('#', '-')}.log"),
            )
        self.save()
        return entry

    def task_finished(
        self, entry: dict[str, Any], *, ok: bool, cached: bool, seconds: float, outputs: dict[str, Any]
    ) -> None:
        with self.lock:
            entry.update(
                state="SUCCEEDED" if ok else "FAILED",
                cached=cached,
                seconds=round(seconds, 3),
                outputs=serialize_value(outputs or {}),
                finished=now_iso(),
            )
            if not ok:
                entry["log_tail"] = log_tail(Path(entry["log"]))
        self.save()

    # -- the run

    def run(self) -> int:
        rec = self.record
        rec.update(state="RUNNING", started=now_iso(), worker_pid=os.getpid())
        self.save()
        stdout = _ThreadStdout(sys.stdout)
        try:
            with contextlib.redirect_stdout(stdout):
                outputs = self._run_kfp(stdout)
        except BaseException as exc:
            self._fail(exc)
            return 1
        self.succeed(outputs)
        return 0

    def succeed(self, outputs: dict[str, Any]) -> None:
        """End the run SUCCEEDED with the pipeline's `outputs`."""
        rec = self.record
        with self.lock:
            rec["outputs"] = serialize_value(outputs)
            for t in rec["tasks"]:
                if t["state"] == "PENDING":
                    t["state"] = "SKIPPED"  # a branch a condition did not take
            rec.update(state="SUCCEEDED", finished=now_iso())
            rec["lineage"] = build_lineage(rec)
        self.autosave = True
        self.save()

    def _run_kfp(self, stdout: _ThreadStdout) -> dict[str, Any]:
        import kfp
        import kfp.components
        import kfp.local

        rec = self.record
        init_args: dict[str, Any] = {
            "runner": kfp.local.SubprocessRunner(use_venv=False),
            "pipeline_root": rec["pipeline_root"],
            "raise_on_error": True,
        }
        init_params = inspect.signature(kfp.local.init).parameters
        if "enable_caching" in init_params:
            init_args.update(enable_caching=bool(rec["caching"]), cache_root=rec["cache_root"])
        elif rec["caching"]:
            rec["notes"] = [f"kfp {kfp.__version__} has no local task cache (kfp >= 2.17 does); every task runs"]
        kfp.local.init(**init_args)
        component = kfp.components.load_component_from_file(rec["package_copy"])
        with self._instrumented(stdout):
            task = component(**rec["parameters"])
        return dict(getattr(task, "outputs", None) or {})

    @contextlib.contextmanager
    def _instrumented(self, stdout: _ThreadStdout) -> Iterator[None]:
        try:
            from kfp.local import importer_handler, task_dispatcher
            from kfp.local.orchestrator import task_executor
        except ImportError:
            task_executor = None
        self._fork_tasks()
        names = ("execute_single_task", "run_single_task_implementation", "run_importer")
        if task_executor is None or not all(
            hasattr(m, n) for m, n in zip((task_executor, task_dispatcher, importer_handler), names)
        ):
            import kfp

            with self.lock:  # no per-task detail from this kfp; say so rather than guess
                self.record["tasks"] = []
                self.record.setdefault("notes", []).append(
                    f"kfp {kfp.__version__} moved the kfp.local functions llmops records tasks through; "
                    "only the run's state and outputs are recorded"
                )
            yield
            return
        orig_execute = task_executor.execute_single_task
        orig_run = task_dispatcher.run_single_task_implementation
        orig_import = importer_handler.run_importer
        ran = threading.local()
        worker = self

        def execute_single_task(*args: Any, **kwargs: Any) -> Any:
            task_spec = kwargs.get("task_spec")
            component = task_spec.component_ref.name if task_spec is not None else str(kwargs.get("task_name"))
            entry = worker.task_started(component, str(kwargs.get("task_name")))
            ran.value = False
            t0 = time.perf_counter()
            try:
                with stdout.to(Path(entry["log"])):
                    outputs, status = orig_execute(*args, **kwargs)
            except BaseException:
                with open(entry["log"], "a", encoding="utf-8") as f:
                    f.write(traceback.format_exc())
                worker.task_finished(entry, ok=False, cached=False, seconds=time.perf_counter() - t0, outputs={})
                raise
            ok = getattr(status, "name", str(status)) == "SUCCESS"
            worker.task_finished(
                entry, ok=ok, cached=not getattr(ran, "value", True), seconds=time.perf_counter() - t0, outputs=outputs
            )
            return outputs, status

        def run_single_task_implementation(*args: Any, **kwargs: Any) -> Any:
            ran.value = True
            return orig_run(*args, **kwargs)

        def run_importer(*args: Any, **kwargs: Any) -> Any:
            ran.value = True
            return orig_import(*args, **kwargs)

        task_executor.execute_single_task = execute_single_task
        task_dispatcher.run_single_task_implementation = run_single_task_implementation
        importer_handler.run_importer = run_importer
        try:
            yield
        finally:
            task_executor.execute_single_task = orig_execute
            task_dispatcher.run_single_task_implementation = orig_run
            importer_handler.run_importer = orig_import

    @staticmethod
    def _fork_tasks() -> None:
        """Run lightweight components through `forked_executor` (for the rest of this process)."""
        if os.environ.get("LLMOPS_KFP_FORK", "1") == "0":
            return
        try:
            from kfp.local import subprocess_task_handler
        except ImportError:
            return
        original = getattr(subprocess_task_handler, "run_local_subprocess", None)
        if original is None:
            return

        def run_local_subprocess(full_command: list[str], env_vars: dict[str, str] | None = None) -> int:
            code = forked_executor(full_command, env_vars)
            return original(full_command=full_command, env_vars=env_vars) if code is None else code

        subprocess_task_handler.run_local_subprocess = run_local_subprocess

    def _fail(self, exc: BaseException) -> None:
        rec = self.record
        with self.lock:
            failed = [t for t in rec["tasks"] if t["state"] == "FAILED"]
            for t in rec["tasks"]:
                if t["state"] == "RUNNING":
                    t.update(state="FAILED", log_tail=log_tail(Path(t["log"])) if t.get("log") else None)
                    failed.append(t)
                elif t["state"] == "PENDING":
                    t["state"] = "SKIPPED"
            if failed:
                task = failed[0]
                why = failure_reason(task.get("log_tail"))
                reason = f": {why}" if why else ""
                rec["error"] = f"task {task['name']!r} failed{reason}"
                rec["failed_task"] = task["name"]
            else:
                rec["error"] = f"{type(exc).__name__}: {exc}".strip()
            rec.update(state="FAILED", finished=now_iso())
            rec["lineage"] = build_lineage(rec)
        self.save()
        sys.stderr.write(traceback.format_exc())


# ---------------------------------------------------------------- forked task processes

_EXECUTOR_SCRIPT = re.compile(
    r'program_path=\$\(mktemp -d\)\s+printf "%s" "\$0" > "\$program_path/ephemeral_component\.py"\s+'
    r"_KFP_RUNTIME=true \S+ -m kfp\.dsl\.executor_main\s+--component_module_path\s+"
    r'"\$program_path/ephemeral_component\.py"\s+"\$@"\s*'
)


def lightweight_call(full_command: list[str]) -> tuple[str, list[str]] | None:
    """The component source and executor arguments of a lightweight component's command
    (`sh -ec SCRIPT SOURCE ARGS...` with kfp's script and no `pip install`), else None."""
    if len(full_command) < 3 or full_command[:2] != ["sh", "-ec"]:
        return None
    if not _EXECUTOR_SCRIPT.fullmatch(full_command[2]):
        return None
    return (full_command[3], full_command[4:]) if len(full_command) > 3 else None


_preloaded: set[str] = set()
_packages: set[str] = set()  # top-level packages components import (llmops, say)
_MODULES_FILE = "imported-modules.txt"


def preload(source: str) -> None:
    """Import in this process what a component's source imports, the attributes it uses of them
    (so lazily exported names load too), and the modules of those packages that earlier tasks
    went on to import, so a forked task finds them already imported. What fails to import is
    left for the task to report."""
    import ast
    import importlib

    if source not in _preloaded:
        _preloaded.add(source)
        _quiet_import(importlib.import_module, "kfp.dsl.executor_main")
        try:
            tree = ast.parse(source)
        except SyntaxError:
            tree = ast.Module(body=[], type_ignores=[])
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
                    _packages.add(a.name.split(".")[0])
                    _quiet_import(importlib.import_module, a.name)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                _packages.add(node.module.split(".")[0])
                _quiet_import(importlib.import_module, node.module)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                module = sys.modules.get(aliases[node.value.id])
                if module is not None:
                    _quiet_import(getattr, module, node.attr)
    for name in _learned:
        if name not in sys.modules:
            _quiet_import(importlib.import_module, name)
    _learned.clear()


_learned: list[str] = []


def _learn(program_path: str) -> None:
    try:
        text = Path(program_path, _MODULES_FILE).read_text(encoding="utf-8")
    except OSError:
        return
    _learned.extend(name for name in text.splitlines() if name.split(".")[0] in _packages)


def _quiet_import(fn: Any, *args: Any) -> None:
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            fn(*args)
    except Exception:
        pass


def forked_executor(full_command: list[str], env_vars: dict[str, str] | None = None) -> int | None:
    """Run a lightweight component's task as kfp's command would, in a child forked from this
    process: its output printed line by line as kfp prints a task's output, its exit status
    returned. None (nothing run) when the command is not one this can run, fork is missing, or
    this process has other threads."""
    call = lightweight_call(full_command)
    if call is None or not hasattr(os, "fork"):
        return None
    source, args = call
    preload(source)
    if threading.active_count() > 1:  # a fork copies locks other threads may hold: kfp's way then
        return None
    program_path = tempfile.mkdtemp()
    read_fd, write_fd = os.pipe()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            stream.flush()
    gc.freeze()  # the task's collections then skip what it inherits (no copy-on-write of it)
    pid = os.fork()
    if pid == 0:  # the task process
        os.close(read_fd)
        _run_executor(write_fd, program_path, source, args, env_vars or {})  # never returns
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, encoding="utf-8", errors="replace") as pipe:
            for line in pipe:
                print(line, end="")
        print("\n")  # as kfp does after a task's output
        _, status = os.waitpid(pid, 0)
        _learn(program_path)
    finally:
        shutil.rmtree(program_path, ignore_errors=True)
    return os.waitstatus_to_exitcode(status)


def _run_executor(out_fd: int, program_path: str, source: str, args: list[str], env_vars: dict[str, str]) -> None:
    code = 1
    before = set(sys.modules)
    try:
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.close(out_fd)
        sys.stdout = sys.__stdout__  # both write to fds 1 and 2, now the pipe
        sys.stderr = sys.__stderr__
        sys.stdin = open(os.devnull, encoding="utf-8")
        builtins.print = _PRINT
        import logging

        for handler in logging.root.handlers[:]:  # kfp's executor configures logging afresh
            logging.root.removeHandler(handler)
        logging.root.setLevel(logging.WARNING)
        os.environ.update(env_vars)
        os.environ["_KFP_RUNTIME"] = "true"
        module_path = os.path.join(program_path, "ephemeral_component.py")
        with open(module_path, "w", encoding="utf-8") as f:
            f.write(source)
        sys.argv = ["executor_main", "--component_module_path", module_path, *args]
        from kfp.dsl import executor_main

        executor_main.executor_main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            with open(os.path.join(program_path, _MODULES_FILE), "w", encoding="utf-8") as f:
                f.write("\n".join(sorted(set(sys.modules) - before)))
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -P worker.py RUN_DIR\n")
        return 2
    return Worker(Path(args[0])).run()


if __name__ == "__main__":
    sys.exit(main())
