"""Chain overhead per step: the same steps called directly against run through `chains.run`
(which times each step, makes a span for it and writes the run's spans and prediction rows
when it ends). Two chains:

  cheap     clean -> prompt(format) -> strip -> output_format   (steps that take microseconds)
  generate  clean -> prompt(template) -> generate -> safety      (the emulated model, logged)

Prints p50 per run both ways and (chain - direct) / steps: goal < 1 ms per step.

    python benchmarks/bench_chains.py [--runs 300]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from llmops import chains
from llmops.chains import Chain, ChainState, checks, steps
from llmops.core.session import Session


def direct(session: Session, chain: Chain, text: str, log: bool) -> None:
    """The steps called one after another on one state, no spans; generate rows still logged."""
    from llmops.core import monitoring

    state = ChainState(session, text, text, log=log)
    for s in chain.steps:
        out = s.fn(state)
        if isinstance(out, str):
            state.text = out
    if state.rows:
        monitoring.log_for(session).write(state.rows)


def p50(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=300)
    args = ap.parse_args()
    question = "  How do I   read a CSV file\tinto a list of dicts?  "
    with tempfile.TemporaryDirectory() as ws, Session(workspace=ws) as session:
        cases = {
            "cheap": Chain(
                "cheap",
                [
                    steps.clean(),
                    steps.prompt(format="Answer: {text}"),
                    steps.strip(),
                    checks.output_format(max_chars=10_000),
                ],
            ),
            "generate": Chain(
                "generate",
                [
                    steps.clean(),
                    steps.prompt(template="stackoverflow-python"),
                    steps.generate("gemini-2.0-flash"),
                    checks.safety(),
                ],
            ),
        }
        print(f"{'chain':10} {'steps':>5} {'direct p50 ms':>14} {'chain p50 ms':>13} {'overhead/step ms':>17}")
        for name, chain in cases.items():
            for _ in range(20):  # warm: imports, plugin registry, model service, log writers
                chains.run(session, chain, question, validate=False)
                direct(session, chain, question, True)
            d = p50(lambda c=chain: direct(session, c, question, True), args.runs)
            c = p50(lambda c=chain: chains.run(session, c, question, validate=False), args.runs)
            per_step = (c - d) / len(chain.steps)
            print(f"{name:10} {len(chain.steps):>5} {d:>14.4f} {c:>13.4f} {per_step:>17.4f}")
        print("goal: overhead per step < 1 ms")


if __name__ == "__main__":
    main()
