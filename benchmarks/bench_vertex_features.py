"""Vertex AI features of the emulator, each against a baseline measured in the same run.

1. Embeddings: texts per second of the emulated encoder in process (goal >= 20,000 on 2
   cores) as a ratio of WordLlama's own `embed` on the same texts (the baseline: the raw model,
   no token counts or cuts), and through google-genai `embed_content` (250 texts a request) as
   a ratio of in process.
2. generateContent p50 through google-genai: structured output (a pydantic schema) and
   function calling, each as a ratio of plain generateContent p50 (goal <= 2).

    python benchmarks/bench_vertex_features.py [--quick] [--embeddings-only]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time

from pydantic import BaseModel

PROMPTS = [
    "How do I read a csv file with pandas?",
    "How can I reverse a list in Python?",
    "What is the difference between a list and a tuple?",
    "How do I merge two dictionaries?",
]


class Answer(BaseModel):
    title: str
    steps: list[str]
    difficulty: int


def weather(location: str) -> str:
    """Returns the weather in a city."""
    return "sunny"


def texts(n: int) -> list[str]:
    return [f"{PROMPTS[i % len(PROMPTS)]} (variant {i})" for i in range(n)]


def bench_in_process(n: int, rounds: int = 3) -> tuple[float, float]:
    """Texts per second (best of `rounds`, interleaved): the emulator's encoder (with token
    counts and the 2,048-token cut Vertex applies) and WordLlama's raw `embed`."""
    from llmops.embeddings import load_model
    from llmops.emulator.vertex.engine import embedder

    raw = load_model()
    embedder.embed(["warm up"])
    batch = texts(n)
    ours, theirs = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        embedder.encode(batch, 768, max_tokens=2048)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        raw.embed(batch, norm=True)
        theirs.append(time.perf_counter() - started)
    return n / min(ours), n / min(theirs)


def bench_genai_embed(client, n: int) -> float:
    batch = texts(n)
    started = time.perf_counter()
    for i in range(0, n, 250):
        client.models.embed_content(model="text-embedding-005", contents=batch[i : i + 250])
    return n / (time.perf_counter() - started)


def p50(call, rounds: int) -> float:
    call(0)
    times = []
    for i in range(rounds):
        started = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer texts and requests")
    parser.add_argument("--embeddings-only", action="store_true", help="skip the generateContent latencies")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    n, rounds = (5_000, 30) if args.quick else (50_000, 200)

    import google.oauth2.credentials
    from google import genai
    from google.genai import types

    from llmops.testing import start_emulator

    rate, raw = bench_in_process(n)
    print(
        f"embeddings in process: {rate:,.0f} texts/s (goal >= 20,000); {rate / raw:.2f}x WordLlama's embed ({raw:,.0f}/s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        emulator = start_emulator(tmp)
        try:
            client = genai.Client(
                vertexai=True,
                project="bench",
                location="us-central1",
                credentials=google.oauth2.credentials.Credentials(token="t"),
                http_options=types.HttpOptions(base_url=emulator.endpoint),
            )
            remote = bench_genai_embed(client, n // 5)
            print(f"embeddings via google-genai: {remote:,.0f} texts/s ({remote / rate:.2f}x in process)")
            if args.embeddings_only:
                return

            def plain(i: int) -> None:
                client.models.generate_content(model="gemini-2.0-flash", contents=PROMPTS[i % 4])

            def structured(i: int) -> None:
                config = types.GenerateContentConfig(response_mime_type="application/json", response_schema=Answer)
                assert client.models.generate_content(
                    model="gemini-2.0-flash", contents=PROMPTS[i % 4], config=config
                ).parsed

            def calling(i: int) -> None:
                config = types.GenerateContentConfig(
                    tools=[weather], automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True)
                )
                client.models.generate_content(model="gemini-2.0-flash", contents="weather in Boston?", config=config)

            base = p50(plain, rounds)
            print(f"generateContent p50: plain {base:.2f} ms")
            for name, call in (("structured output", structured), ("function calling", calling)):
                ms = p50(call, rounds)
                print(f"generateContent p50: {name} {ms:.2f} ms ({ms / base:.2f}x plain, goal <= 2)")
        finally:
            emulator.server.stop()


if __name__ == "__main__":
    main()
