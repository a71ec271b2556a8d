"""Tuning jobs, tuned models and endpoints through google-genai, and the course's L4 legacy
text-model code (vertexai.language_models) against the emulator."""

from __future__ import annotations

import json
import warnings

import pytest
from google.api_core import exceptions as gexc
from google.genai import errors, types

QA = [
    ("How can I load a csv file using Pandas?", "You can use pandas.read_csv('data.csv') to load it into a DataFrame."),
    ("How do I reverse a list in Python?", "Use my_list[::-1] for a reversed copy or my_list.reverse() in place."),
    ("How to merge two dictionaries in Python?", "Use {**a, **b} or, from Python 3.9, a | b."),
]


@pytest.fixture(scope="module")
def training_uri(storage_client):
    bucket = storage_client.create_bucket("tuning-data-vertex")
    course = "\n".join(json.dumps({"input_text": q, "output_text": a}) for q, a in QA)
    bucket.blob("course/train.jsonl").upload_from_string(course)
    gemini = "\n".join(
        json.dumps({"contents": [{"role": "user", "parts": [{"text": q}]}, {"role": "model", "parts": [{"text": a}]}]})
        for q, a in QA
    )
    bucket.blob("gemini/train.jsonl").upload_from_string(gemini)
    bucket.blob("bad/train.jsonl").upload_from_string("this is not json\n")
    return "gs://tuning-data-vertex"


def _tune(client, base, uri, **config):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        job = client.tunings.tune(
            base_model=base,
            training_dataset=types.TuningDataset(gcs_uri=uri),
            config=types.CreateTuningJobConfig(**config),
        )
    return client.tunings.get(name=job.name)


def test_gemini_tuning_job_succeeds_and_its_endpoint_answers_from_training_data(genai_client, training_uri):
    job = _tune(
        genai_client,
        "gemini-2.5-flash",
        f"{training_uri}/gemini/train.jsonl",
        epoch_count=3,
        tuned_model_display_name="so-gemini",
    )
    assert job.has_succeeded and job.state == types.JobState.JOB_STATE_SUCCEEDED
    assert job.tuned_model.model.endswith("@1") and "/endpoints/" in job.tuned_model.endpoint
    r = genai_client.models.generate_content(
        model=job.tuned_model.endpoint, contents="how do i reverse a list in python"
    )
    assert r.text == QA[1][1]
    (c,) = r.candidates[0].citation_metadata.citations
    assert c.start_index == 0 and c.end_index == len(QA[1][1]) and c.title == QA[1][0]
    assert any(j.name == job.name for j in genai_client.tunings.list())
    tuned = [m for m in genai_client.models.list(config={"query_base": False}) if m.name in job.tuned_model.model]
    assert tuned and tuned[0].display_name == "so-gemini" and tuned[0].endpoints[0].name == job.tuned_model.endpoint


def test_tuning_on_a_missing_uri_fails_with_a_clear_error(genai_client, training_uri):
    job = _tune(genai_client, "gemini-2.5-flash", f"{training_uri}/nope/missing.jsonl")
    assert job.state == types.JobState.JOB_STATE_FAILED and job.has_ended
    assert "nope/missing.jsonl" in job.error.message and "does not exist" in job.error.message
    bad = _tune(genai_client, "gemini-2.5-flash", f"{training_uri}/bad/train.jsonl")
    assert bad.state == types.JobState.JOB_STATE_FAILED
    assert bad.error.message.startswith(f"{training_uri}/bad/train.jsonl:1: not JSON")


def test_tuning_bad_requests(genai_client, training_uri):
    with pytest.raises(errors.ClientError) as err:
        _tune(genai_client, "no-such-model", f"{training_uri}/gemini/train.jsonl")
    assert err.value.code == 400
    with pytest.raises(errors.ClientError) as err:
        genai_client.tunings.get(name="tuningJobs/123")
    assert err.value.code == 404
    done = _tune(genai_client, "gemini-2.5-flash", f"{training_uri}/gemini/train.jsonl")
    with pytest.raises(errors.ClientError) as err:
        genai_client.tunings.cancel(name=done.name)
    assert err.value.code == 400


def test_course_l4_legacy_text_model_code(genai_client, training_uri, aiplatform_init):
    # The tuning the course ran with tune_model(); here through google-genai on text-bison@001.
    job = _tune(genai_client, "text-bison@001", f"{training_uri}/course/train.jsonl")
    assert job.has_succeeded

    # The course's L4 notebook, unchanged apart from vertexai.init pointing at the emulator.
    from vertexai.language_models import TextGenerationModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = TextGenerationModel.from_pretrained("text-bison@001")
    list_tuned_models = model.list_tuned_model_names()
    assert job.tuned_model.model.split("@")[0] in list_tuned_models
    tuned_model_select = job.tuned_model.model.split("@")[0]
    deployed_model = TextGenerationModel.get_tuned_model(tuned_model_select)
    PROMPT = "How can I load a csv file using Pandas?"
    response = deployed_model.predict(PROMPT)
    assert response.text == QA[0][1]
    output = response._prediction_response[0]
    assert output[0]["content"] == QA[0][1]
    blocked = response._prediction_response[0][0]["safetyAttributes"]["blocked"]
    assert blocked is False
    ratings = response._prediction_response[0][0]["safetyAttributes"]["safetyRatings"]
    assert len(ratings) == 4
    citation = response._prediction_response[0][0]["citationMetadata"]["citations"]
    assert citation and citation[0]["title"] == QA[0][0] and citation[0]["startIndex"] == 0

    base = model.predict(PROMPT, temperature=0.2, max_output_tokens=32)
    assert "text-bison@001" in base.text and base.is_blocked is False


def test_legacy_unknown_models(aiplatform_init):
    from vertexai.language_models import TextGenerationModel

    with pytest.raises(gexc.NotFound):
        TextGenerationModel.from_pretrained("text-wombat@001")
    with pytest.raises(gexc.NotFound):
        TextGenerationModel.get_tuned_model("projects/llmops-test/locations/us-central1/models/42")
