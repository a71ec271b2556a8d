"""Retrieval corpora, in process:

build      chunks/s to chunk, index (BM25 + embeddings) and store a corpus of N chunks made
           from the bundled Stack Overflow sample (questions and answers, repeated with a
           row number so every chunk is distinct)
retrieval  p50/p99 of `Corpus.search` (hybrid, top 5) over that corpus (goal: p50 < 5 ms)
floor      the same two rankings with no fusion or result objects: bm25s scores from word
           ids plus one query embedding and a matrix-vector product; ratio search/floor

  python benchmarks/bench_rag.py [--chunks 10000] [--queries 300]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np

from llmops.rag import index
from llmops.rag.chunking import Chunking
from llmops.rag.sources import Document, clean


def documents(n: int) -> list[Document]:
    """`n` one-chunk documents cycled from the sample's questions and answers."""
    data = resources.files("llmops") / "data" / "stackoverflow"
    rows = []
    for name in ("posts_questions.jsonl", "posts_answers.jsonl"):
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            rows.append((r.get("title") or "answer", " ".join(clean(r["body"]).split()[:180])))
    return [Document(f"{rows[i % len(rows)][1]} (copy {i})", f"row:{i}", rows[i % len(rows)][0]) for i in range(n)]


def percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    docs = documents(args.chunks)
    questions = [d.title for d in docs[: args.queries]]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        manifest = index.build(folder, "bench", docs, source={"bench": True}, chunking=Chunking(200, 40))
        build_s = time.perf_counter() - started
        corpus = index.load(folder, "bench")
        corpus.search("warm up", 5)
        search_ms, floor_ms = [], []
        for q in questions:
            t = time.perf_counter()
            corpus.search(q, 5)
            search_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            ids = [corpus._vocab[w] for w in index.tokenize(q, corpus._stopwords) if w in corpus._vocab]
            corpus._retriever.get_scores_from_ids(ids)
            np.einsum("ij,j->i", corpus._vectors, corpus.embedder.embed([q])[0])
            floor_ms.append((time.perf_counter() - t) * 1000)
    p50, p99, f50 = percentile(search_ms, 0.5), percentile(search_ms, 0.99), statistics.median(floor_ms)
    print(f"build     {manifest['chunks']} chunks in {build_s:.1f} s = {manifest['chunks'] / build_s:,.0f} chunks/s")
    print(f"retrieval p50 {p50:.2f} ms, p99 {p99:.2f} ms over {manifest['chunks']} chunks (goal p50 < 5 ms)")
    print(f"floor     p50 {f50:.2f} ms (both rankings, no fusion); search/floor = {p50 / f50:.2f}x")
    print(
        json.dumps(
            {
                "chunks": manifest["chunks"],
                "build_chunks_per_s": round(manifest["chunks"] / build_s),
                "p50_ms": round(p50, 3),
                "p99_ms": round(p99, 3),
                "floor_p50_ms": round(f50, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
