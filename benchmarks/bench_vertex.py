"""Vertex AI through the emulator, against in-process baselines measured in the same run.

1. generateContent: requests per second and p50/p99 latency through google-genai with 8
   concurrent clients against the emulator, versus the in-process model provider (the floor:
   the same model service with no HTTP). Vertex answers in about 230 ms to first token, so the
   emulator's p50 is also shown as a multiple of that.
2. Pipelines: PipelineJob submit-to-SUCCEEDED wall time for the course's hello pipeline
   (aiplatform against the emulator), versus `llmops pipeline run` of the same package.

    python benchmarks/bench_vertex.py [--quick]
"""

import argparse
import contextlib
import logging
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kfp import compiler, dsl

VERTEX_FIRST_TOKEN_MS = 230.0
PROMPTS = [
    "How do I read a csv file with pandas?",
    "How can I reverse a list in Python?",
    "What is the difference between a list and a tuple?",
    "How do I merge two dictionaries?",
    "How to sort a dictionary by value?",
    "How do I parse JSON in Python?",
    "Why does my for loop skip items when I remove from a list?",
    "How do I install a package with pip offline?",
]


@dsl.component(base_image="python:3.11")
def say_hello(name: str) -> str:
    return f"Hello, {name}!"


@dsl.component(base_image="python:3.11")
def how_are_you(hello_text: str) -> str:
    return f"{hello_text}. How are you?"


@dsl.pipeline
def hello_pipeline(recipient: str) -> str:
    return how_are_you(hello_text=say_hello(name=recipient).output).output


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summary(name, latencies_ms, seconds):
    rps = len(latencies_ms) / seconds
    p50, p99 = pct(latencies_ms, 50), pct(latencies_ms, 99)
    print(f"  {name:<34} {rps:8.0f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
    return rps, p50, p99


def bench_generate(endpoint, workspace, n, concurrency=8):
    import google.oauth2.credentials
    from google import genai
    from google.genai import types

    from llmops.core.config import Settings
    from llmops.core.registry import create_backend

    print(f"generateContent, {n} requests")
    local = create_backend("model", Settings(workspace=workspace, log_predictions=False))
    for p in PROMPTS:
        local.predict(p)  # warm up
    lat = []
    start = time.perf_counter()
    for i in range(n):
        t = time.perf_counter()
        local.predict(PROMPTS[i % len(PROMPTS)])
        lat.append((time.perf_counter() - t) * 1000)
    base = summary("in-process provider (1 thread)", lat, time.perf_counter() - start)

    local_clients = threading.local()

    def client():
        c = getattr(local_clients, "c", None)
        if c is None:
            c = local_clients.c = genai.Client(
                vertexai=True,
                project="bench",
                location="us-central1",
                credentials=google.oauth2.credentials.Credentials(token="emulator"),
                http_options=types.HttpOptions(base_url=endpoint),
            )
        return c

    def one(i):
        t = time.perf_counter()
        client().models.generate_content(model="gemini-2.5-flash", contents=PROMPTS[i % len(PROMPTS)])
        return (time.perf_counter() - t) * 1000

    import httpx

    url = f"{endpoint}/v1beta1/projects/bench/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent"
    lat = []
    with httpx.Client() as raw:
        for i in range(n // 4 + 20):
            body = {"contents": [{"role": "user", "parts": [{"text": PROMPTS[i % len(PROMPTS)]}]}]}
            t = time.perf_counter()
            raw.post(url, json=body).raise_for_status()
            lat.append((time.perf_counter() - t) * 1000)
    lat = lat[20:]
    raw_http = summary("raw HTTP -> emulator (1 client)", lat, sum(lat) / 1000)
    for i in range(20):
        one(i)
    lat = []
    start = time.perf_counter()
    for i in range(n // 4):
        lat.append(one(i))
    single = summary("google-genai -> emulator (1 client)", lat, time.perf_counter() - start)
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(concurrency * 2)))  # warm up connections
        start = time.perf_counter()
        lat = list(pool.map(one, range(n)))
        elapsed = time.perf_counter() - start
    http = summary(f"google-genai -> emulator ({concurrency} clients)", lat, elapsed)
    print(
        f"  emulator throughput = {http[0] / base[0]:.2f}x the in-process floor; "
        f"p50 = {http[1] / base[1]:.1f}x in-process; "
        f"Vertex's ~{VERTEX_FIRST_TOKEN_MS:.0f} ms first token = {VERTEX_FIRST_TOKEN_MS / single[1]:.0f}x the emulator's "
        f"p50 with one client, {VERTEX_FIRST_TOKEN_MS / http[1]:.0f}x with {concurrency}, "
        f"{VERTEX_FIRST_TOKEN_MS / raw_http[1]:.0f}x over raw HTTP (google-genai's own client time excluded)"
    )


def bench_pipeline(endpoint, folder, repeats):
    import os

    from google.auth.credentials import AnonymousCredentials
    from google.cloud import aiplatform

    from llmops.backends.gcp.vertex_pipelines import emulator_project_number
    from llmops.cli import main

    print(f"hello pipeline, submit to SUCCEEDED, best of {repeats}")
    package = folder / "hello.yaml"
    compiler.Compiler().compile(hello_pipeline, str(package))
    os.environ["STORAGE_EMULATOR_HOST"] = endpoint
    aiplatform.init(
        project="bench",
        location="us-central1",
        api_endpoint=endpoint,
        api_transport="rest",
        credentials=AnonymousCredentials(),
        service_account="bench@bench.iam.gserviceaccount.com",
    )
    vertex = []
    for i in range(repeats):
        t = time.perf_counter()
        with emulator_project_number():
            job = aiplatform.PipelineJob(
                display_name="hello",
                template_path=str(package),
                enable_caching=False,
                parameter_values={"recipient": f"r{i}"},
                pipeline_root="gs://bench-root/r",
            )
            job.submit()
        job.wait()
        assert job.state == aiplatform.gapic.PipelineState.PIPELINE_STATE_SUCCEEDED
        vertex.append(time.perf_counter() - t)
    local = []
    for i in range(repeats):
        t = time.perf_counter()
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            code = main(
                [
                    "-q",
                    "-w",
                    str(folder / "ws"),
                    "pipeline",
                    "run",
                    str(package),
                    "--param",
                    f"recipient=l{i}",
                    "--no-cache",
                    "--json",
                ]
            )
        assert code == 0
        local.append(time.perf_counter() - t)
    v, lo = min(vertex), min(local)
    print(f"  aiplatform PipelineJob via emulator  {v:6.2f} s (median {statistics.median(vertex):.2f} s)")
    print(f"  llmops pipeline run (local)         {lo:6.2f} s (median {statistics.median(local):.2f} s)")
    print(f"  emulated Vertex / local = {v / lo:.2f}x")


def main_(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests and runs")
    args = parser.parse_args(argv)
    logging.getLogger("google.cloud.aiplatform").setLevel(logging.WARNING)  # no per-job console links

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # The emulator in its own process, as `llmops emulator start` runs it: clients and
        # server in one process would share one GIL and measure each other.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llmops",
                "emulator",
                "start",
                "--port",
                str(port),
                "--data",
                str(folder / "emulator"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        endpoint = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the emulator did not start") from None
                    time.sleep(0.1)
            bench_generate(endpoint, folder / "ws-model", 400 if args.quick else 4000)
            bench_pipeline(endpoint, folder, 1 if args.quick else 3)
        finally:
            server.terminate()
            server.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main_())
