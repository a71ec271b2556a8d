"""What the GoogleSQL cost benchmarks (`bench_googlesql_*.py`, `bench_geography.py`) share: a
table `b.t` built through the engine, and a table of cases, each a GoogleSQL query as the
translator writes it for DuckDB against a DuckDB expression over the same table on the same
connection (median of 5 runs), printed with their ratio.

A case is `(name, GoogleSQL, DuckDB SQL)`; the DuckDB SQL names the table `b.t` too.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterable

import duckdb

from llmops.emulator.bigquery.engine import BigQueryEngine

PROJECT = "llmops-local"
TABLE = f'"{PROJECT}.b"."t"'
"""`b.t` as DuckDB names it."""


def median_seconds(fn: Callable[[], object], runs: int = 5) -> float:
    """The median wall time of `runs` calls of `fn`."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def arguments(doc: str | None, rows: int, *, only: bool = True) -> argparse.ArgumentParser:
    """A parser with `--rows` (default `rows`) and, with `only`, `--only NAME`; add more, then parse."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n")[0])
    parser.add_argument("--rows", type=int, default=rows, help=f"rows of the benchmark table (default {rows:,})")
    if only:
        parser.add_argument("--only", default="", help="run only the cases whose name contains this text")
    return parser


def engine_with_table(select: str) -> BigQueryEngine:
    """An in-memory engine holding `b.t`, made by `CREATE TABLE b.t AS <select>` (GoogleSQL)."""
    engine = BigQueryEngine()
    engine.create_dataset(PROJECT, "b")
    engine.query(f"CREATE TABLE b.t AS {select}")
    return engine


def translated(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, googlesql: str) -> str:
    """The DuckDB SQL `googlesql` runs as, with the column types of the tables it reads (as a query does)."""
    script = engine._translate(googlesql, default_project=PROJECT, default_dataset=None, con=con)
    return script.statements[-1].sql


def print_ratios(
    engine: BigQueryEngine,
    con: duckdb.DuckDBPyConnection,
    cases: Iterable[tuple[str, str, str]],
    *,
    only: str = "",
    label: str = "rewrite",
    baseline: str = "native s",
    width: int = 32,
    rows_for_cost: int | None = None,
) -> None:
    """Each case's GoogleSQL and DuckDB times and their ratio; with `rows_for_cost`, also the
    extra microseconds per row."""
    extra = f" {'us/row':>7}" if rows_for_cost else ""
    print(f"{label:{width}} {'GoogleSQL s':>12} {baseline:>10} {'ratio':>6}{extra}")
    for name, googlesql, native in cases:
        if only not in name:
            continue
        ours_sql = translated(engine, con, googlesql)
        native_sql = native.replace("b.t", TABLE)
        ours = median_seconds(lambda sql=ours_sql: con.execute(sql).fetchall())
        base = median_seconds(lambda sql=native_sql: con.execute(sql).fetchall())
        cost = f" {(ours - base) / rows_for_cost * 1e6:7.2f}" if rows_for_cost else ""
        print(f"{name:{width}} {ours:12.4f} {base:10.4f} {ours / base:6.2f}{cost}")


def print_ratio(name: str, ours: float, base: float, width: int = 32) -> None:
    """One more line of the table, for a case timed its own way."""
    print(f"{name:{width}} {ours:12.4f} {base:10.4f} {ours / base:6.2f}")
