"""Vertex AI request-response logging in the emulator, through the real clients: the config is
set with vertexai's `set_request_response_logging_config`, predictions are made with
google-genai, and the logging table is read back with google-cloud-bigquery."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from google.api_core import exceptions

from llmops.testing import EMULATOR_LOCATION, EMULATOR_PROJECT

MODEL = "gemini-2.5-flash"
PUB = f"projects/{EMULATOR_PROJECT}/locations/{EMULATOR_LOCATION}/publishers/google/models/{MODEL}"


@pytest.fixture
def table(bigquery_client):
    dataset = f"rrlog_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(dataset)
    return f"{EMULATOR_PROJECT}.{dataset}.request_response_logging"


@pytest.fixture
def logged_model(aiplatform_init, llmops_emulator):
    from vertexai.preview.generative_models import GenerativeModel

    model = GenerativeModel(MODEL)
    yield model
    # the emulator is shared by the session: leave no logging on behind
    httpx.post(
        f"{llmops_emulator.endpoint}/v1beta1/{PUB}:setPublisherModelConfig",
        json={"publisherModelConfig": {"loggingConfig": {"enabled": False}}},
        timeout=30,
    ).raise_for_status()


def _rows(bigquery_client, table):
    return list(bigquery_client.query(f"SELECT * FROM `{table}` ORDER BY logging_time").result())


def test_generate_content_is_logged_to_bigquery_in_vertex_format(
    logged_model, table, genai_client, bigquery_client, llmops_emulator
):
    config = logged_model.set_request_response_logging_config(
        enabled=True, sampling_rate=1.0, bigquery_destination=f"bq://{table}"
    )
    assert config.logging_config.enabled and config.logging_config.bigquery_destination.output_uri == f"bq://{table}"
    fetched = httpx.get(f"{llmops_emulator.endpoint}/v1beta1/{PUB}:fetchPublisherModelConfig", timeout=30).json()
    assert fetched["loggingConfig"]["samplingRate"] == 1.0

    answers = [genai_client.models.generate_content(model=MODEL, contents=f"question {i}") for i in range(3)]
    rows = _rows(bigquery_client, table)
    assert [r["api_method"] for r in rows] == ["generateContent"] * 3
    first = rows[0]
    assert first["model"] == MODEL and first["request_payload"] == ["question 0"]
    request, response = first["full_request"], first["full_response"]
    request = json.loads(request) if isinstance(request, str) else request
    response = json.loads(response) if isinstance(response, str) else response
    assert request["contents"][0]["parts"][0]["text"] == "question 0"
    assert response["responseId"] == answers[0].response_id
    assert response["usageMetadata"]["promptTokenCount"] == answers[0].usage_metadata.prompt_token_count
    assert first["response_payload"] == [answers[0].text]
    schema = {f.name: (f.field_type, f.mode) for f in bigquery_client.get_table(table).schema}
    assert schema["full_response"][0] == "JSON" and schema["request_payload"] == ("STRING", "REPEATED")
    assert schema["request_id"][0] == "NUMERIC" and schema["logging_time"][0] == "TIMESTAMP"


def test_sampling_logs_that_fraction_and_disabling_stops_it(logged_model, table, genai_client, bigquery_client):
    logged_model.set_request_response_logging_config(
        enabled=True, sampling_rate=0.5, bigquery_destination=f"bq://{table}"
    )
    for i in range(6):
        genai_client.models.generate_content(model=MODEL, contents=f"sampled {i}")
    assert len(_rows(bigquery_client, table)) == 3
    logged_model.set_request_response_logging_config(
        enabled=False, sampling_rate=0.5, bigquery_destination=f"bq://{table}"
    )
    genai_client.models.generate_content(model=MODEL, contents="not logged")
    assert len(_rows(bigquery_client, table)) == 3


def test_streamed_answers_are_logged_whole(logged_model, table, genai_client, bigquery_client):
    logged_model.set_request_response_logging_config(
        enabled=True, sampling_rate=1.0, bigquery_destination=f"bq://{table}"
    )
    text = "".join(c.text or "" for c in genai_client.models.generate_content_stream(model=MODEL, contents="stream me"))
    (row,) = _rows(bigquery_client, table)
    assert row["api_method"] == "streamGenerateContent" and row["response_payload"] == [text]


@pytest.mark.parametrize(
    ("rate", "uri", "message"),
    [(1.5, "bq://p.d.t", "samplingRate"), (1.0, "gs://bucket/x", "bq://PROJECT.DATASET.TABLE")],
)
def test_a_bad_config_is_a_400(logged_model, rate, uri, message):
    with pytest.raises(exceptions.BadRequest, match=message):
        logged_model.set_request_response_logging_config(enabled=True, sampling_rate=rate, bigquery_destination=uri)


def test_a_table_with_another_schema_is_refused(logged_model, bigquery_client, table):
    from google.cloud import bigquery

    bigquery_client.create_table(bigquery.Table(table, schema=[bigquery.SchemaField("x", "STRING")]))
    with pytest.raises(exceptions.BadRequest, match="request-response logging column 'endpoint'"):
        logged_model.set_request_response_logging_config(
            enabled=True, sampling_rate=1.0, bigquery_destination=f"bq://{table}"
        )


def test_endpoint_patch_needs_an_endpoint_and_the_logging_mask(llmops_emulator):
    base = f"{llmops_emulator.endpoint}/v1beta1/projects/{EMULATOR_PROJECT}/locations/{EMULATOR_LOCATION}"
    body = {"predictRequestResponseLoggingConfig": {"enabled": True, "samplingRate": 1.0}}
    missing = httpx.patch(f"{base}/endpoints/424242?updateMask=predictRequestResponseLoggingConfig", json=body)
    assert missing.status_code == 400 and "outputUri" in missing.json()["error"]["message"]
    body["predictRequestResponseLoggingConfig"]["bigqueryDestination"] = {"outputUri": "bq://p.d.t"}
    assert (
        httpx.patch(f"{base}/endpoints/424242?updateMask=predictRequestResponseLoggingConfig", json=body).status_code
        == 404
    )
    bad_mask = httpx.patch(f"{base}/endpoints/424242?updateMask=etag", json=body)
    assert bad_mask.status_code == 400 and bad_mask.json()["error"]["status"] == "INVALID_ARGUMENT"
