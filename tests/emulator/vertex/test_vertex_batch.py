"""Batch prediction through google-genai `batches` against the emulator: Cloud Storage JSONL and
BigQuery tables in and out, Vertex's output layout with a `status` per row, and bad jobs."""

from __future__ import annotations

import json

import httpx
import pytest
from google.genai import types

V1 = "/v1beta1/projects/llmops-test/locations/us-central1"


def _request(text: str) -> dict:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


@pytest.fixture(scope="module")
def bucket(storage_client):
    b = storage_client.create_bucket("vertex-batch")
    lines = [
        {"request": _request("Name a fruit that is yellow"), "id": 1},
        {"request": _request("What is 2 + 2?"), "id": 2},
        {"request": {"contents": []}, "id": 3},  # invalid: no contents
    ]
    b.blob("in.jsonl").upload_from_string("\n".join(json.dumps(x) for x in lines))
    return b


@pytest.fixture(scope="module")
def http(llmops_emulator):
    with httpx.Client(base_url=llmops_emulator.endpoint, timeout=60) as client:
        yield client


def test_gcs_jsonl_batch(genai_client, bucket, storage_client):
    job = genai_client.batches.create(model="gemini-2.5-flash", src="gs://vertex-batch/in.jsonl")
    assert job.dest.gcs_uri == "gs://vertex-batch/in/dest"  # genai's default destination
    job = genai_client.batches.get(name=job.name)
    assert job.state == types.JobState.JOB_STATE_SUCCEEDED and job.done
    assert job.completion_stats.successful_count == 2 and job.completion_stats.failed_count == 1
    blobs = [b.name for b in storage_client.list_blobs("vertex-batch", prefix="in/dest/prediction-model-")]
    assert len(blobs) == 1 and blobs[0].endswith("/predictions.jsonl")
    rows = [json.loads(x) for x in bucket.blob(blobs[0]).download_as_text().splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 3]
    ok = types.GenerateContentResponse.model_validate(rows[0]["response"])
    assert rows[0]["status"] == "" and ok.text and rows[0]["processed_time"]
    direct = genai_client.models.generate_content(model="gemini-2.5-flash", contents="Name a fruit that is yellow")
    assert ok.text == direct.text  # the same deterministic answer as online
    assert rows[2]["status"].startswith("Bad Request: ") and "response" not in rows[2]
    assert json.loads(rows[2]["status"].removeprefix("Bad Request: "))["error"]["code"] == 400
    assert job.name in [j.name for j in genai_client.batches.list()]


def test_bigquery_table_batch(genai_client, bigquery_client):
    from google.cloud import bigquery

    bigquery_client.create_dataset("batch_ds", exists_ok=True)
    table = bigquery.Table(
        "llmops-test.batch_ds.requests",
        schema=[bigquery.SchemaField("request", "JSON"), bigquery.SchemaField("topic", "STRING")],
    )
    bigquery_client.create_table(table)
    errors = bigquery_client.insert_rows_json(
        "llmops-test.batch_ds.requests",
        [{"request": json.dumps(_request(f"Tell me about {t}")), "topic": t} for t in ("tides", "volcanoes")],
    )
    assert not errors
    job = genai_client.batches.create(
        model="gemini-2.5-flash",
        src="bq://llmops-test.batch_ds.requests",
        config=types.CreateBatchJobConfig(dest="bq://llmops-test.batch_ds.responses"),
    )
    job = genai_client.batches.get(name=job.name)
    assert job.state == types.JobState.JOB_STATE_SUCCEEDED
    rows = list(bigquery_client.query("SELECT topic, status, response FROM batch_ds.responses ORDER BY topic"))
    assert [r["topic"] for r in rows] == ["tides", "volcanoes"]
    assert all(r["status"] == "" for r in rows)
    answer = rows[0]["response"]
    answer = json.loads(answer) if isinstance(answer, str) else answer
    assert answer["candidates"][0]["content"]["parts"][0]["text"]


def test_bad_batch_jobs(genai_client, http, bucket):
    from google.genai import errors

    with pytest.raises(errors.ClientError) as missing:
        genai_client.batches.create(model="gemini-2.5-flash", src="gs://vertex-batch/nope.jsonl")
    assert missing.value.code == 400 and "nope.jsonl" in missing.value.message
    with pytest.raises(errors.ClientError) as no_table:
        genai_client.batches.create(model="gemini-2.5-flash", src="bq://llmops-test.batch_ds.missing")
    assert no_table.value.code == 400
    with pytest.raises(errors.ClientError) as model:
        genai_client.batches.create(model="no-such-model", src="gs://vertex-batch/in.jsonl")
    assert model.value.code == 404
    body = {
        "model": "publishers/google/models/gemini-2.5-flash",
        "displayName": "x",
        "inputConfig": {"instancesFormat": "csv", "gcsSource": {"uris": ["gs://vertex-batch/in.jsonl"]}},
        "outputConfig": {"predictionsFormat": "jsonl", "gcsDestination": {"outputUriPrefix": "gs://vertex-batch/o"}},
    }
    bad = http.post(f"{V1}/batchPredictionJobs", json=body)
    assert bad.status_code == 400 and bad.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert http.get(f"{V1}/batchPredictionJobs/123").status_code == 404
    body["inputConfig"]["instancesFormat"] = "jsonl"
    done = http.post(f"{V1}/batchPredictionJobs", json=body).json()
    done = http.get(f"/v1beta1/{done['name']}").json()
    assert done["state"] == "JOB_STATE_SUCCEEDED"
    cancel = http.post(f"/v1beta1/{done['name']}:cancel")
    assert cancel.status_code == 400 and cancel.json()["error"]["status"] == "FAILED_PRECONDITION"
    deleted = genai_client.batches.delete(name=done["name"])
    assert deleted.done
    assert http.get(f"/v1beta1/{done['name']}").status_code == 404


def _prompts(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"prompt": "Name a fruit that is yellow", "id": 1}\n"What is 2 + 2?"\n{"nothing": true}\n', encoding="utf-8"
    )
    return src


def test_cli_batch_in_process_and_as_a_vertex_job(cli, tmp_path, llmops_emulator, monkeypatch):
    src = _prompts(tmp_path)
    local = cli("predict", "--batch", str(src), "--output", str(tmp_path / "local.jsonl"), "--json")
    assert local.code == 0 and local.json()["succeeded"] == 2 and local.json()["failed"] == 1
    monkeypatch.setenv("LLMOPS_GCP_ENDPOINT", llmops_emulator.endpoint)
    remote = cli(
        "--profile", "emulated", "predict", "--batch", str(src), "-o", str(tmp_path / "vertex.jsonl"),
        "-m", "gemini-2.5-flash", "--json",
    )  # fmt: skip
    assert remote.code == 0, remote.err
    summary = remote.json()
    assert summary["state"] == "JOB_STATE_SUCCEEDED" and summary["succeeded"] == 2 and summary["failed"] == 1
    rows = [json.loads(x) for x in (tmp_path / "vertex.jsonl").read_text().splitlines()]
    assert [r.get("id") for r in rows] == [1, None, None]
    assert rows[0]["status"] == "" and rows[0]["prediction"]["content"] and rows[2]["status"].startswith("Bad Request")

    again = cli("predict", "--batch", str(src), "--output", str(tmp_path / "local.jsonl"))
    assert again.code == 1 and "already exists" in again.err and "Traceback" not in again.err
    missing = cli("predict", "--batch", str(tmp_path / "nope.jsonl"), "--output", str(tmp_path / "o.jsonl"))
    assert missing.code == 1 and "does not exist" in missing.err
    remote_local = cli("predict", "--batch", "gs://vertex-batch/in.jsonl", "--output", "gs://vertex-batch/o")
    assert remote_local.code == 1 and "vertex" in remote_local.err
    assert not (tmp_path / "o.jsonl").exists()
