"""Grounding score of the emulated model's grounded answers on the bundled Stack Overflow sample,
against a baseline: the same model answering the same questions without the sources in the
prompt, assessed against the same retrieved chunks.

  python benchmarks/bench_grounding_quality.py [--docs 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile

from llmops import rag
from llmops.core import monitoring
from llmops.core.config import Settings
from llmops.core.session import Session

QUESTIONS = [
    "How do I read a CSV file into a list?",
    "How do I sort a dictionary by value?",
    "How do I install a package with pip?",
    "sum a column of a csv",
    "How do I reverse a list?",
    "How to merge two dictionaries?",
    "What is the difference between a list and a tuple?",
    "How do I parse JSON in Python?",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=200)
    args = ap.parse_args()
    query = (
        "SELECT CONCAT('https://stackoverflow.com/questions/', CAST(id AS STRING)) AS uri, title, body AS text "
        f"FROM `bigquery-public-data.stackoverflow.posts_questions` ORDER BY id LIMIT {args.docs}"
    )
    with Session(Settings(workspace=tempfile.mkdtemp(), log_predictions=False)) as s:
        rag.create(s, "so", query=query)
        grounded, baseline = [], []
        for q in QUESTIONS:
            g = rag.grounded_predict(s, "so", q)
            grounded.append(g.report.score)
            plain = monitoring.predict(s, q).text
            baseline.append(rag.assess(plain, [c.text for c in g.chunks]).score)
    mean_g, mean_b = statistics.mean(grounded), statistics.mean(baseline)
    print(f"grounded answers: mean grounding score {mean_g:.3f} (min {min(grounded):.2f}, max {max(grounded):.2f})")
    print(f"baseline (no sources in the prompt): mean {mean_b:.3f}")
    print(f"difference: {mean_g - mean_b:+.3f} over {len(QUESTIONS)} questions")


if __name__ == "__main__":
    main()
