"""A 10,000-row Vertex AI batch prediction job on the emulator, end to end through google-genai
(upload the JSONL to the emulated Cloud Storage, `batches.create`, `batches.get` until done,
download `predictions.jsonl`), against a baseline measured in the same run: the same requests
as online `generate_content` calls through google-genai, one after another (timed on a sample
and scaled, so the run stays short).

    python benchmarks/bench_vertex_batch.py [--rows 10000] [--sample 300]

Reports rows per second of the batch job and its speed-up over the online calls.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time

PROMPTS = [
    "How do I read a csv file with pandas?",
    "How can I reverse a list in Python?",
    "What is the difference between a list and a tuple?",
    "How do I merge two dictionaries?",
]


def prompt(i: int) -> str:
    return f"{PROMPTS[i % len(PROMPTS)]} (variant {i})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=300, help="online calls timed for the baseline")
    args = parser.parse_args()
    logging.disable(logging.INFO)

    import google.oauth2.credentials
    from google import genai
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage
    from google.genai import types

    from llmops.testing import start_emulator

    with tempfile.TemporaryDirectory() as tmp:
        emu = start_emulator(tmp)
        try:
            client = genai.Client(
                vertexai=True,
                project="bench",
                location="us-central1",
                credentials=google.oauth2.credentials.Credentials(token="emulator"),
                http_options=types.HttpOptions(base_url=emu.endpoint),
            )
            gcs = storage.Client(
                project="bench",
                credentials=AnonymousCredentials(),
                client_options=ClientOptions(api_endpoint=emu.endpoint),
            )
            bucket = gcs.create_bucket("bench-batch")
            client.models.generate_content(model="gemini-2.5-flash", contents="warm up")

            started = time.perf_counter()
            for i in range(args.sample):
                client.models.generate_content(model="gemini-2.5-flash", contents=prompt(i))
            online_per_row = (time.perf_counter() - started) / args.sample

            lines = "\n".join(
                json.dumps({"request": {"contents": [{"role": "user", "parts": [{"text": prompt(i)}]}]}})
                for i in range(args.rows)
            )
            started = time.perf_counter()
            bucket.blob("in.jsonl").upload_from_string(lines)
            job = client.batches.create(
                model="gemini-2.5-flash",
                src="gs://bench-batch/in.jsonl",
                config=types.CreateBatchJobConfig(dest="gs://bench-batch/out"),
            )
            while not (job := client.batches.get(name=job.name)).done:
                time.sleep(0.2)
            (blob,) = list(gcs.list_blobs("bench-batch", prefix="out/"))
            rows = blob.download_as_text().count("\n")
            batch_seconds = time.perf_counter() - started
        finally:
            emu.server.stop()

    assert job.state == types.JobState.JOB_STATE_SUCCEEDED and rows == args.rows, (job.state, rows)
    online_seconds = online_per_row * args.rows
    print(f"batch job, {args.rows} rows end to end: {batch_seconds:.2f} s ({args.rows / batch_seconds:,.0f} rows/s)")
    print(f"online generate_content baseline ({args.sample} timed, scaled): {online_seconds:.2f} s")
    print(f"speed-up of the batch job over online calls: {online_seconds / batch_seconds:.1f}x")


if __name__ == "__main__":
    main()
