"""Data preparation on a synthetic Stack Overflow-shaped database, three ways, same DuckDB file:

  llmops     `llmops.core.data.prepare` (template, split and export pushed down to DuckDB)
  course     the course's path: query -> pandas -> template column -> sklearn
             train_test_split -> to_json(lines=True), train and eval files
  floor      a bare DuckDB `COPY (query) TO ... (FORMAT json)` of the same templated rows

Prints wall time, CPU time (user + system, all threads), peak memory (VmHWM of a child process
per path), the dataset version id llmops made (it must not change when the implementation does),
and the ratios llmops/floor for time and for memory (goals <= 1.5 and <= 1.5), and for CPU time
(which says more than wall time on a loaded machine); with --runs, the median of the per-run
ratios; and course/llmops.

    python benchmarks/bench_data_prepare.py [--sizes 200000,1000000] [--runs 3] [--body-chars 2000] [--quick] [--no-course]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

PROJECT = "bench-project"
QUERY = f"""
SELECT
    CONCAT(q.title, q.body) AS input_text,
    a.body AS output_text,
    q.id AS question_id,
    a.id AS answer_id,
    q.title AS title
FROM `{PROJECT}.stackoverflow.posts_questions` q
JOIN `{PROJECT}.stackoverflow.posts_answers` a ON q.accepted_answer_id = a.id
WHERE q.accepted_answer_id IS NOT NULL
  AND REGEXP_CONTAINS(q.tags, "python")
  AND a.creation_date >= "2020-01-01"
"""


def _settings(workspace: Path):
    from llmops.core.config import Settings

    return Settings(workspace=workspace, log_predictions=False)


def build_database(workspace: Path, questions: int, body_chars: int) -> None:
    """Synthetic questions (every other one tagged python) with long HTML bodies and answers."""
    from llmops.core.session import Session

    sentence = "<p>I have a <code>pandas</code> DataFrame and a list of dicts; how do I merge them?</p>\n"
    repeat = max(1, body_chars // len(sentence))
    with Session(_settings(workspace)) as s:
        w = s.warehouse
        w.query(f"CREATE SCHEMA IF NOT EXISTS `{PROJECT}.stackoverflow`")
        w.query(
            f"""CREATE OR REPLACE TABLE `{PROJECT}.stackoverflow.posts_questions` AS
            SELECT id, CONCAT('How do I merge things number ', CAST(id AS STRING), '?') AS title,
                   CONCAT(REPEAT(@sentence, @repeat), '<pre><code>df.merge(', CAST(id AS STRING), ')</code></pre>') AS body,
                   id + 100000000 AS accepted_answer_id,
                   IF(MOD(id, 2) = 0, 'python|pandas', 'javascript|node.js') AS tags
            FROM UNNEST(GENERATE_ARRAY(1, @n)) AS id""",
            {"sentence": sentence, "repeat": repeat, "n": questions},
        )
        w.query(
            f"""CREATE OR REPLACE TABLE `{PROJECT}.stackoverflow.posts_answers` AS
            SELECT id + 100000000 AS id,
                   CONCAT(REPEAT('<p>Use <code>pd.merge</code> with <code>how="left"</code>.</p>\\n', @repeat), CAST(id AS STRING)) AS body,
                   TIMESTAMP_ADD(TIMESTAMP '2019-06-01 00:00:00 UTC', INTERVAL MOD(id, 1000) DAY) AS creation_date
            FROM UNNEST(GENERATE_ARRAY(1, @n)) AS id""",
            {"repeat": repeat, "n": questions},
        )


def _cpu() -> float:
    """CPU seconds (user and system, all threads) this process has used."""
    t = os.times()
    return t.user + t.system


def _peak_mb() -> float:
    """This process's resident-memory high-water mark. Not getrusage's ru_maxrss: a spawned
    child starts with its parent's (the database builder's) high-water mark there."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_llmops(workspace: Path, out: Path) -> dict:
    from llmops.core import data, registry
    from llmops.core.session import Session

    registry.all_backends()  # imports and plugin loading are not data preparation
    # The same untimed warm-up as the floor's: the engine imported, and a translation run once
    # (the translator's one-time set-up); llmops's own translations stay timed.
    _duckdb_sql(workspace, QUERY)

    t, cpu = time.perf_counter(), _cpu()
    with Session(_settings(workspace)) as s:
        v = data.prepare(s, query=QUERY)
    return {
        "seconds": time.perf_counter() - t,
        "cpu": _cpu() - cpu,
        "rows": v.train.rows + v.eval.rows,
        "peak_mb": _peak_mb(),
        "version": v.version,
    }


def _duckdb_sql(workspace: Path, sql: str) -> str:
    from llmops.emulator.bigquery.engine import BigQueryEngine

    engine = BigQueryEngine(workspace / "warehouse.duckdb")
    try:
        return engine.translate(sql)
    finally:
        engine.close()


def run_course(workspace: Path, out: Path) -> dict:
    import duckdb
    from sklearn.model_selection import train_test_split

    from llmops.core.prompts import STACKOVERFLOW_PYTHON

    sql = _duckdb_sql(workspace, QUERY)
    t = time.perf_counter()
    con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
    df = con.execute(sql).df()
    con.close()
    df["input_text_instruct"] = STACKOVERFLOW_PYTHON + " " + df["input_text"]
    train, evaluation = train_test_split(df, test_size=0.2, random_state=42)
    cols = ["input_text_instruct", "output_text"]
    train[cols].to_json(out / "course_train.jsonl", orient="records", lines=True)
    evaluation[cols].to_json(out / "course_eval.jsonl", orient="records", lines=True)
    return {"seconds": time.perf_counter() - t, "rows": len(df), "peak_mb": _peak_mb()}


def run_floor(workspace: Path, out: Path) -> dict:
    import duckdb

    from llmops.core.prompts import STACKOVERFLOW_PYTHON

    sql = _duckdb_sql(workspace, QUERY)
    t, cpu = time.perf_counter(), _cpu()
    con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
    prefix = STACKOVERFLOW_PYTHON + " "
    rows = con.execute(
        f"COPY (SELECT $prefix || input_text AS input_text_instruct, output_text FROM ({sql})) "
        f"TO '{out / 'floor.jsonl'}' (FORMAT json)",
        {"prefix": prefix},
    ).fetchone()[0]
    con.close()
    return {"seconds": time.perf_counter() - t, "cpu": _cpu() - cpu, "rows": rows, "peak_mb": _peak_mb()}


def _child(fn_name: str, workspace: str, out: str, queue) -> None:
    queue.put(globals()[fn_name](Path(workspace), Path(out)))


def measure(fn_name: str, workspace: Path, out: Path) -> dict:
    """Run one path in a fresh process so its peak memory is its own."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn_name, str(workspace), str(out), queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _median(values: list[float]) -> float:
    return statistics.median(values)


def bench(n: int, body_chars: int, paths: tuple[str, ...], runs: int = 1) -> dict:
    """Each path `runs` times, alternating, on one database; medians, and the median of the
    per-run ratios (floor and llmops run back to back, so they share the machine's load)."""
    root = Path(tempfile.mkdtemp(prefix="bench-data-"))
    try:
        ws, out = root / "ws", root / "out"
        out.mkdir()
        t = time.perf_counter()
        build_database(ws, n, body_chars)
        size = (ws / "warehouse.duckdb").stat().st_size / 1e6
        print(f"built {n:,} questions (+ answers) in {time.perf_counter() - t:.1f}s; db {size:.0f} MB")
        samples: dict[str, list[dict]] = {name: [] for name in paths}
        for _ in range(runs):
            for name in paths:
                r = measure(f"run_{name}", ws, out)
                samples[name].append(r)
                version = f"  version {r['version']}" if "version" in r else ""
                cpu = f"  cpu {r['cpu']:5.2f}s" if "cpu" in r else ""
                print(
                    f"{name:8s} {r['seconds']:7.2f}s{cpu}  rows {r['rows']:>8,}  peak RSS {r['peak_mb']:7.0f} MB{version}"
                )
                for f in out.iterdir():
                    f.unlink()
                shutil.rmtree(ws / "datasets", ignore_errors=True)  # every run writes its version anew
        versions = {r["version"] for r in samples["llmops"]}
        assert len(versions) == 1, f"llmops made different versions across runs: {versions}"
        results = {
            name: {
                "seconds": _median([r["seconds"] for r in rs]),
                "peak_mb": _median([r["peak_mb"] for r in rs]),
                "rows": rs[0]["rows"],
                **({"version": rs[0]["version"]} if "version" in rs[0] else {}),
            }
            for name, rs in samples.items()
        }
        pairs = list(zip(samples["floor"], samples["llmops"]))
        report: dict = {"questions": n, "runs": runs, **results}
        report["llmops_over_floor_time"] = _median([b["seconds"] / a["seconds"] for a, b in pairs])
        report["llmops_over_floor_memory"] = _median([b["peak_mb"] / a["peak_mb"] for a, b in pairs])
        report["llmops_over_floor_cpu"] = _median([b["cpu"] / a["cpu"] for a, b in pairs])
        label = f"median of {runs}" if runs > 1 else "one run"
        t_ok = "met" if report["llmops_over_floor_time"] <= 1.5 else "NOT met"
        m_ok = "met" if report["llmops_over_floor_memory"] <= 1.5 else "NOT met"
        print(f"llmops / floor  time   {report['llmops_over_floor_time']:.2f}x (goal <= 1.5: {t_ok}; {label})")
        print(f"llmops / floor  memory {report['llmops_over_floor_memory']:.2f}x (goal <= 1.5: {m_ok}; {label})")
        print(f"llmops / floor  CPU    {report['llmops_over_floor_cpu']:.2f}x (user + system seconds; {label})")
        print(f"dataset version {results['llmops']['version']} ({n:,} questions)")
        if "course" in results:
            report["course_over_llmops"] = results["course"]["seconds"] / results["llmops"]["seconds"]
            print(f"course / llmops = {report['course_over_llmops']:.1f}x faster")
        return report
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="200000,1000000", help="comma-separated numbers of questions")
    ap.add_argument("--questions", type=int, help="one size (overrides --sizes)")
    ap.add_argument("--body-chars", type=int, default=2000)
    ap.add_argument("--quick", action="store_true", help="20,000 questions")
    ap.add_argument("--no-course", action="store_true", help="skip the (slow) pandas path")
    ap.add_argument("--runs", type=int, default=1, help="runs of each path per size; medians are reported")
    args = ap.parse_args()
    sizes = [20_000] if args.quick else [args.questions] if args.questions else [int(x) for x in args.sizes.split(",")]
    paths = ("floor", "llmops") if args.no_course else ("floor", "llmops", "course")
    print(json.dumps([bench(n, args.body_chars, paths, max(1, args.runs)) for n in sizes]))


if __name__ == "__main__":
    main()
