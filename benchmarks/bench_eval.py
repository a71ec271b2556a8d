"""Evaluation speed: n-gram metrics through llmops against rouge-score, on the bundled eval split.

  rouge-score   `RougeScorer(["rougeL"], use_stemmer=True)`, the reference (pure Python)
  llmops        `llmops.evaluation.rouge.rouge_l` (same tokenizer and stemmer, compiled LCS)
  BLEU, chrF    `sacrebleu.corpus_bleu` / `corpus_chrf` against `llmops.evaluation.corpus`
  all metrics   `llmops.core.evaluation.compute_metrics` (ROUGE-L, BLEU, chrF, exact match,
                lengths, rates, latency percentiles) against the same metrics through
                rouge-score and sacrebleu

Each reference of the bundled split is scored against its prompt and against a neighbour's
reference, repeated up to --examples pairs; `--words N` clips every text to its first N words
(the bundled answers are long HTML bodies; typical model answers are shorter). Prints
examples/s for each, the ratios (ROUGE-L target >= 20x) and the all-metrics rate (target
>= 1,000/s), and checks that every score equals the reference implementation's.

`--judge`: the emulated judge (fluency and position-swapped pairwise fluency) on the same pairs,
cold (empty cache) against warm (a new process's cache read from the workspace file; goal:
1,000 examples under 1 s). `--evaltask ROWS`: `vertexai.evaluation.EvalTask` against the
emulator's `evaluateInstances` (one request per row per metric), requests/s against the same
request bodies evaluated in process (the service's own cost). EvalTask limits itself to 10
requests/s by default; the benchmark lifts that (`evaluation_service_qps`).

    python benchmarks/bench_eval.py [--examples 2000] [--words N] [--quick] [--judge] [--evaltask 50]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def bundled_pairs(n: int, words: int | None = None) -> list[tuple[str, str]]:
    from llmops.core import data, evaluation
    from llmops.core.config import Settings
    from llmops.core.session import Session

    with tempfile.TemporaryDirectory() as tmp, Session(Settings(workspace=Path(tmp), log_predictions=False)) as s:
        examples = evaluation.read_examples(s, data.prepare(s).eval.uri)
    refs = [e.reference for e in examples]
    base = [(e.reference, e.prompt) for e in examples] + [(r, refs[(i + 1) % len(refs)]) for i, r in enumerate(refs)]
    if words:
        base = [(" ".join(t.split()[:words]), " ".join(p.split()[:words])) for t, p in base]
    return [base[i % len(base)] for i in range(n)]


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("inf")


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--words", type=int, default=None, help="clip texts to their first N words")
    parser.add_argument("--quick", action="store_true", help="300 examples")
    parser.add_argument("--judge", action="store_true", help="also time the emulated judge, cold and cached")
    parser.add_argument("--evaltask", type=int, default=0, metavar="ROWS", help="also time EvalTask on ROWS rows")
    args = parser.parse_args()
    n = 300 if args.quick else args.examples
    if args.judge:
        bench_judge(bundled_pairs(n, args.words))
    if args.evaltask:
        bench_evaltask(bundled_pairs(args.evaltask, args.words or 60))

    import sacrebleu
    from rouge_score import rouge_scorer

    from llmops.core.evaluation import compute_metrics
    from llmops.core.types import Prediction
    from llmops.evaluation import corpus, rouge

    pairs = bundled_pairs(n, args.words)
    targets = [t for t, _ in pairs]
    candidates = [p for _, p in pairs]
    words = sum(len(t.split()) + len(p.split()) for t, p in pairs) / n

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    ref_rouge, t_ref_rouge = timed(lambda: [scorer.score(t, p)["rougeL"].fmeasure for t, p in pairs])
    # The first call also stems every new word once (memoised afterwards); it is the one timed.
    our_rouge, t_rouge = timed(rouge.rouge_l, targets, candidates)
    ref_bleu, t_ref_bleu = timed(lambda: sacrebleu.corpus_bleu(candidates, [targets]).score)
    our_bleu, t_bleu = timed(corpus.corpus_bleu, candidates, targets)
    ref_chrf, t_ref_chrf = timed(lambda: sacrebleu.corpus_chrf(candidates, [targets]).score)
    our_chrf, t_chrf = timed(corpus.corpus_chrf, candidates, targets)

    predictions = [Prediction(text=p, model="bench", latency_ms=1.0) for p in candidates]
    _, t_all = timed(compute_metrics, predictions, targets)
    t_ref_all = t_ref_rouge + t_ref_bleu + t_ref_chrf

    print(f"{n} pairs from the bundled eval split, {words:.0f} words per pair")
    print(f"  {'metric':<12} {'reference ex/s':>15} {'llmops ex/s':>12} {'ratio':>7}")
    for name, ref_t, ours_t in (
        ("ROUGE-L", t_ref_rouge, t_rouge),
        ("BLEU", t_ref_bleu, t_bleu),
        ("chrF", t_ref_chrf, t_chrf),
        ("all metrics", t_ref_all, t_all),
    ):
        print(f"  {name:<12} {rate(n, ref_t):15.0f} {rate(n, ours_t):12.0f} {ref_t / ours_t:6.1f}x")
    print("  targets: ROUGE-L ratio >= 20x, all metrics >= 1,000 examples/s")
    mismatches = sum(a != b for a, b in zip(ref_rouge, our_rouge, strict=True))
    print(
        f"  ROUGE-L equal to rouge-score: {n - mismatches}/{n}; BLEU equal: {ref_bleu == our_bleu}; "
        f"chrF equal: {ref_chrf == our_chrf}"
    )
    if mismatches or ref_bleu != our_bleu or ref_chrf != our_chrf:
        raise SystemExit("scores differ from the reference implementations")


def bench_judge(pairs: list[tuple[str, str]]) -> None:
    from llmops.evaluation import judged
    from llmops.evaluation.judges import CachedJudge, EmulatedJudge
    from llmops.evaluation.rubrics import builtin_metrics

    metrics = builtin_metrics()
    items = [judged.Item("", t) for t, _ in pairs]
    cand, base = [p for _, p in pairs], [t for t, _ in pairs]
    n = len(pairs)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cache.jsonl"

        def run() -> tuple[list, CachedJudge]:
            judge = CachedJudge(EmulatedJudge(), path)  # a new judge reads the cache file, as a new run does
            out = [
                judged.pointwise(judge, metrics["fluency"], "m", items, cand).summary(),
                judged.pairwise(judge, metrics["pairwise_fluency"], "c", "b", items, cand, base).summary(),
            ]
            return out, judge

        (cold, j1), t_cold = timed(run)
        (warm, j2), t_warm = timed(run)
    assert cold == warm and j2.calls == 0, "a cached re-run must give the same results without judge calls"
    print(f"emulated judge, {n} examples (fluency + pairwise fluency in both positions = {3 * n} verdicts):")
    print(f"  cold {rate(n, t_cold):,.0f} ex/s ({j1.calls} judge calls); warm cache {rate(n, t_warm):,.0f} ex/s")
    print(f"  ({j2.calls} calls, {t_warm:.2f} s, {t_cold / t_warm:.1f}x faster; goal: 1,000 examples under 1 s)")


def bench_evaltask(pairs: list[tuple[str, str]]) -> None:
    import logging

    import pandas as pd
    import vertexai
    from google.auth.credentials import AnonymousCredentials
    from vertexai.evaluation import EvalTask, MetricPromptTemplateExamples

    from llmops.emulator.vertex.evaluation import evaluate
    from llmops.testing import start_emulator

    logging.disable(logging.INFO)
    df = pd.DataFrame(
        {"prompt": [p for _, p in pairs], "response": [p for _, p in pairs], "reference": [t for t, _ in pairs]}
    )
    df["baseline_model_response"] = df["reference"]
    metrics = ["exact_match", "bleu", "rouge_l_sum", MetricPromptTemplateExamples.Pointwise.FLUENCY]
    requests = len(df) * len(metrics)
    fluency = MetricPromptTemplateExamples.Pointwise.FLUENCY.metric_prompt_template
    bodies = []
    for _, row in df.iterrows():
        inst = {"prediction": row["response"], "reference": row["reference"]}
        bodies += [
            {"exactMatchInput": {"instances": [inst]}},
            {"bleuInput": {"instances": [inst]}},
            {"rougeInput": {"metricSpec": {"rougeType": "rougeLsum"}, "instances": [inst]}},
            {
                "pointwiseMetricInput": {
                    "metricSpec": {"metricPromptTemplate": fluency},
                    "instance": {"jsonInstance": json.dumps({"prompt": row["prompt"], "response": row["response"]})},
                }
            },
        ]
    for b in bodies[:4]:
        evaluate(b)  # imports and the stemmer's first words, outside the timing
    _, t_direct = timed(lambda: [evaluate(b) for b in bodies])
    with tempfile.TemporaryDirectory() as tmp:
        emulator = start_emulator(tmp)
        try:
            vertexai.init(
                project="bench",
                location="us-central1",
                credentials=AnonymousCredentials(),
                api_endpoint=emulator.endpoint,
                api_transport="rest",
            )
            result, t_task = timed(
                lambda: EvalTask(dataset=df, metrics=metrics, experiment=None).evaluate(evaluation_service_qps=10_000)
            )
        finally:
            emulator.server.stop()
    assert result.summary_metrics["row_count"] == len(df)
    print(f"EvalTask, {len(df)} rows x {len(metrics)} metrics = {requests} evaluateInstances requests:")
    print(
        f"  through EvalTask {rate(requests, t_task):,.0f} requests/s; in process {rate(requests, t_direct):,.0f}/s "
        f"({t_task / t_direct:.1f}x the service's own cost)"
    )


if __name__ == "__main__":
    main()
