"""Start-up cost of the command line and of the pytest plugin, as ratios against baselines
measured in the same run (so a slow or busy machine moves both sides).

  python -c pass                      the interpreter alone
  python -c "import pluggy, typer"    the CLI's own frameworks (the floor for any typer CLI)
  typer app floor                     a one-command typer app run with a bool option (typer
                                       parses options through pydantic, so every typer command
                                       pays that import)
  python -c "import pytest"           what every pytest session already pays

  llmops --help                        target < 0.3 s
  llmops backends --json               target < 0.3 s (imports every backend class)
  import llmops.testing                the pytest11 plugin, timed inside a process that has
                                       already imported pytest (as a pytest session has);
                                       target < 50 ms, as a ratio of `import pytest`

The commands run round-robin, N rounds; the best of N is reported (the least disturbed by
other load on the machine), as wall time and as CPU time (user + system of the child, which
other load disturbs less than wall time).

    python benchmarks/bench_startup.py [-n 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

PY = sys.executable

CASES: dict[str, list[str]] = {
    "python -c pass": [PY, "-c", "pass"],
    "import pluggy, typer": [PY, "-c", "import pluggy, typer"],
    "typer app floor": [
        PY,
        "-c",
        "import pluggy, typer\napp = typer.Typer()\n@app.command()\ndef f(json: bool = False): pass\n"
        "app(['--json'], standalone_mode=False)",
    ],
    "import pytest": [PY, "-c", "import pytest"],
    "llmops --help": [PY, "-m", "llmops", "--help"],
    "llmops backends --json": [PY, "-m", "llmops", "backends", "--json"],
    "import llmops.testing": [PY, "-c", "import llmops.testing"],
}

PLUGIN_COST = (
    "import time, pytest\nt = time.perf_counter(); import llmops.testing; a = time.perf_counter() - t\nprint(a)"
)
"""The plugin's own import time, in a process that has pytest loaded already."""

PYTEST_COST = "import time; t = time.perf_counter(); import pytest; print(time.perf_counter() - t)"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv: list[str], cwd: str) -> tuple[float, float, str]:
    """Wall and CPU time of one run and its stdout; a failing command stops the benchmark."""
    cpu, started = _child_cpu(), time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, env={**os.environ, "LLMOPS_LOAD_PLUGINS": ""})
    elapsed, cpu = time.perf_counter() - started, _child_cpu() - cpu
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()[-500:]}")
    return elapsed, cpu, proc.stdout.decode()


def measure(n: int, cwd: str) -> tuple[dict[str, float], dict[str, float]]:
    """Best wall and CPU time of `n` round-robin rounds for every case, plus the in-process
    import costs (wall)."""
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for _ in range(n):
        for name, argv in CASES.items():
            w, c, _ = run(argv, cwd)
            wall[name], cpu[name] = min(wall.get(name, w), w), min(cpu.get(name, c), c)
        for name, code in (("plugin import", PLUGIN_COST), ("pytest import", PYTEST_COST)):
            wall[name] = min(wall.get(name, float("inf")), float(run([PY, "-c", code], cwd)[2]))
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=7, help="runs per command (best of N)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cwd:  # no llmops.toml or workspace of the caller
        t, cpu = measure(args.n, cwd)
    print(f"best of {args.n} runs, seconds (wall, cpu):")
    for name, seconds in t.items():
        print(f"  {name:<32} {seconds:7.3f}" + (f" {cpu[name]:7.3f}" if name in cpu else ""))
    base, frameworks = t["python -c pass"], t["typer app floor"]
    plugin = t["plugin import"]
    print("ratios:")
    for name in ("llmops --help", "llmops backends --json"):
        print(
            f"  {name:<32} {t[name] / base:5.1f}x python -c pass, {t[name] / frameworks:4.2f}x the typer app floor,"
            f" {1000 * (t[name] - frameworks):.0f} ms over it"
            f" ({'under' if t[name] < 0.3 else 'OVER'} the 0.3 s target);"
            f" cpu {cpu[name] / cpu['typer app floor']:4.2f}x the floor's"
        )
    print(
        f"  {'pytest plugin (llmops.testing)':<32} {1000 * plugin:.1f} ms with pytest loaded,"
        f" {plugin / t['pytest import']:.2f}x the import of pytest itself"
        f" ({'under' if plugin < 0.05 else 'OVER'} the 50 ms target)"
    )


if __name__ == "__main__":
    main()
