"""Pipelines and evaluation, each against a baseline measured in the same process:

run        `llmops run` (a fresh `python -m llmops run --json` process) on the bundled sample:
           cold in a fresh workspace (goal < 8 s) against a cold run whose tasks start as kfp
           starts them (`sh` + a fresh interpreter each, LLMOPS_KFP_FORK=0: the baseline), with
           per-task seconds of both; fully cached (goal < 1 s), partially cached (the two
           evaluations run again), and the split of the cached time (start-up, cache lookup,
           report).
overhead   a chain of N trivial lightweight components run by the local orchestrator
           (submit + wait: worker process, run record, per-task bookkeeping) against kfp.local
           running the same compiled package directly in this process (the floor), caching
           off, for two chain lengths: the difference splits into a fixed cost per run and a
           cost per task.
eval       evaluation throughput, examples per second, answering the eval split with
           `predict_batch` (the provider's default concurrency, and one thread) against a
           sequential loop of `predict` (base and tuned model, prediction log on and off),
           and the throughput of scoring the answers (ROUGE-L, BLEU, chrF ...).

  python benchmarks/bench_pipeline.py [--quick]
"""

# no `from __future__ import annotations`: kfp reads the component annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path


def _env() -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE (set on some CI machines) would make every run compile llmops's
    # sources again, which no installed copy does: a cached run measured that way is mostly compiling
    drop = {"PYTHONDONTWRITEBYTECODE"}
    return {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_") and k not in drop}


def _llmops_run(workspace: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[float, dict]:
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "llmops", "--workspace", str(workspace), "run", "--json", *extra],
        capture_output=True,
        text=True,
        env={**_env(), **(env or {})},
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"llmops run failed: {done.stderr}")
    return seconds, json.loads(done.stdout)


def bench_run(root: Path) -> dict[str, float]:
    """Cold (against kfp's own task start-up), fully cached, and partially cached (the two
    evaluations' cache entries removed)."""
    baseline, bresult = _llmops_run(root / "run-ws-kfp-subprocess", env={"LLMOPS_KFP_FORK": "0"})
    workspace = root / "run-ws"
    cold, cresult = _llmops_run(workspace)
    cached, result = _llmops_run(workspace)
    assert all(t["cached"] for t in result["pipeline"]["tasks"])
    for entry in (workspace / "pipelines" / "cache").glob("*.json"):  # drop the evaluations' entries
        if '"system.Metrics"' in entry.read_text():
            entry.unlink()
    partial, presult = _llmops_run(workspace)
    ran = [t["name"] for t in presult["pipeline"]["tasks"] if not t["cached"]]
    p = result["pipeline"]
    report = cached - p["startup_seconds"] - (p["cache_lookup_seconds"] or 0.0)

    def tasks(result: dict) -> str:
        p = result["pipeline"]
        return f"start-up {p['startup_seconds']:.2f} s, " + ", ".join(
            f"{t['name']} {t['seconds']:.2f} s" for t in p["tasks"]
        )

    print(
        f"run       cold {cold:6.2f} s   kfp-subprocess tasks (baseline) {baseline:6.2f} s   cold/baseline {cold / baseline:.2f}"
    )
    print(f"run       cold tasks:     {tasks(cresult)}")
    print(f"run       baseline tasks: {tasks(bresult)}")
    print(
        f"run       cold {cold:6.2f} s   partially cached {partial:6.2f} s ({len(ran)} tasks ran)"
        f"   fully cached {cached:5.2f} s   cached/cold {cached / cold:.2f}"
    )
    print(
        f"run       fully cached split: start-up {p['startup_seconds']:.2f} s (interpreter, imports, session,"
        f" compile check)   cache lookup {p['cache_lookup_seconds']:.4f} s   report {report:.2f} s"
    )
    print(f"run       partially cached tasks: {tasks(presult)}")
    return {"cold_s": cold, "baseline_cold_s": baseline, "partial_s": partial, "cached_s": cached}


def _chain_package(root: Path, n: int) -> Path:
    from kfp import compiler, dsl

    @dsl.component(base_image="python:3.11", install_kfp_package=False)
    def inc(x: int) -> int:
        return x + 1

    @dsl.pipeline(name=f"chain-{n}")
    def chain(start: int = 0) -> int:
        task = inc(x=start)
        for _ in range(n - 1):
            task = inc(x=task.output)
        return task.output

    path = root / f"chain-{n}.yaml"
    compiler.Compiler().compile(chain, str(path))
    return path


def _floor_once(package: Path, pipeline_root: Path) -> float:
    import kfp.components
    import kfp.local

    kfp.local.init(runner=kfp.local.SubprocessRunner(use_venv=False), pipeline_root=str(pipeline_root))
    component = kfp.components.load_component_from_file(str(package))
    t0 = time.perf_counter()
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        component(start=0)
    return time.perf_counter() - t0


def bench_overhead(root: Path, lengths: tuple[int, int], repeats: int) -> dict[str, float]:
    from llmops.backends.local.orchestrator import LocalOrchestrator
    from llmops.core.config import Settings

    os.environ.setdefault("PIP_NO_INDEX", "1")
    orch = LocalOrchestrator(Settings(workspace=root / "overhead-ws"))
    rows = {}
    for n in lengths:
        package = _chain_package(root, n)
        floor = [_floor_once(package, root / "floor-root") for _ in range(repeats)]
        ours = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            run = orch.wait(orch.submit(package, {}, enable_caching=False).run_id)
            ours.append(time.perf_counter() - t0)
            assert run.state == "SUCCEEDED" and run.outputs == {"Output": n}, run.error
        cached = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            orch.wait(orch.submit(package, {}).run_id)
            cached.append(time.perf_counter() - t0)
        rows[n] = (statistics.median(floor), statistics.median(ours), statistics.median(cached))
        f, o, c = rows[n]
        print(
            f"overhead  {n:2d} tasks   kfp.local {f:6.2f} s ({f / n:.3f} s/task)   local orchestrator {o:6.2f} s"
            f"   ratio {o / f:.2f}   fully cached {c:5.2f} s"
        )
    (n1, (f1, o1, _)), (n2, (f2, o2, _)) = sorted(rows.items())
    per_task = ((o2 - f2) - (o1 - f1)) / (n2 - n1)
    fixed = (o1 - f1) - per_task * n1
    print(
        f"overhead  per run (worker start, records) {fixed:.2f} s;  per task {per_task * 1000:+.0f} ms"
        f"  (kfp.local's own per-task cost {((f2 - f1) / (n2 - n1)) * 1000:.0f} ms)"
    )
    return {"fixed_s": fixed, "per_task_s": per_task}


def bench_eval(root: Path, limit: int | None) -> dict[str, float]:
    from llmops.core import data, evaluation
    from llmops.core.config import Settings
    from llmops.core.session import Session

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    out = {}
    for log in (True, False):
        with Session(Settings(workspace=root / "eval-ws", log_predictions=log)) as s:
            version = data.prepare(s)
            tuned = out.get("tuned_model")
            if tuned is None:
                tuned = out["tuned_model"] = s.model.tune(
                    s.settings.base_model, version.train.uri, version.eval.uri
                ).tuned_model.name
            examples = evaluation.read_examples(s, version.eval.uri, limit)
            prompts = [e.prompt for e in examples]
            for label, model in (("base", s.settings.base_model), ("tuned", tuned)):
                s.model.predict(prompts[0], model=model)  # load the model once, outside the timings
                t0 = time.perf_counter()
                sequential = [s.model.predict(p, model=model) for p in prompts]
                t_seq = time.perf_counter() - t0
                t0 = time.perf_counter()
                batch = s.model.predict_batch(prompts, model=model)
                t_batch = time.perf_counter() - t0
                assert [p.text for p in batch] == [p.text for p in sequential]
                t0 = time.perf_counter()
                s.model.predict_batch(prompts, model=model, concurrency=1)
                t_one = time.perf_counter() - t0
                t0 = time.perf_counter()
                evaluation.compute_metrics(batch, [e.reference for e in examples])
                t_score = time.perf_counter() - t0
                n = len(prompts)
                print(
                    f"eval      {label:5s} log {'on ' if log else 'off'} {n} examples   sequential {n / t_seq:7.1f} ex/s"
                    f"   predict_batch {n / t_batch:7.1f} ex/s (x{t_seq / t_batch:4.2f})"
                    f"   predict_batch(concurrency=1) {n / t_one:7.1f} ex/s (x{t_seq / t_one:4.2f})"
                    f"   scoring {n / t_score:6.1f} ex/s"
                )
                out[f"{label}-log-{log}"] = t_seq / t_batch
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and shorter chains")
    parser.add_argument("--only-run", action="store_true", help="only the `llmops run` timings")
    args = parser.parse_args()
    warnings.simplefilter("ignore", FutureWarning)
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        root = Path(tmp)
        bench_run(root)
        if args.only_run:
            return
        bench_overhead(root, (2, 4) if args.quick else (2, 8), 1 if args.quick else 3)
        bench_eval(root, 40 if args.quick else None)


if __name__ == "__main__":
    main()
