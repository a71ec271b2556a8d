"""What googleapis/nodejs-bigquery's system test (run against BigQuery in Google's CI) expects and
the emulator answered otherwise, reproduced through google-cloud-bigquery and plain HTTP:

- a job run in a single region (`asia-northeast1`) was found by `jobs.get` without `?location=`;
  BigQuery looks only in the US and EU multi-regions then, so the test expects 404 (also for
  getQueryResults and jobs.delete);
- a query job sent to one location (`jobReference.location: US`) that reads a dataset of another
  ran; BigQuery fails it with notFound "Dataset ... was not found in location US" (dry runs and
  copy, extract and load jobs were already checked);
- a query sent without a location ran "in US" whatever it read; BigQuery runs it where its
  datasets are, and the job's reference says so;
- `jobs.delete` answered 204 with no body; Google's JSON APIs answer an Empty message as `{}`,
  which the client returns to the caller;
- a feature refused by name (501) was logged as an "internal error" with a traceback;
- `jobs.list` ignored `minCreationTime` and `maxCreationTime`;
- a schema field created without `mode` was read back as `mode: NULLABLE`; BigQuery shows it as it
  was sent (the client's deep-equal of the schema failed).
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from google.api_core.client_options import ClientOptions
from google.api_core.exceptions import NotFound
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

REGION = "asia-northeast1"


@pytest.fixture
def regional(bigquery_client, unique):
    ds = bigquery.Dataset(f"{bigquery_client.project}.regional_{unique}")
    ds.location = REGION
    ds = bigquery_client.create_dataset(ds)
    bigquery_client.query_and_wait(f"CREATE TABLE `{ds.dataset_id}.t` AS SELECT 1 AS n", location=REGION)
    yield ds
    bigquery_client.delete_dataset(ds, delete_contents=True)


def test_a_regional_job_is_found_only_with_its_location(bigquery_client, regional, http):
    job = bigquery_client.query(f"SELECT n FROM `{regional.dataset_id}.t`", location=REGION)
    assert [r.n for r in job.result()] == [1]
    assert bigquery_client.get_job(job.job_id, location=REGION).location == REGION
    with pytest.raises(NotFound):
        bigquery_client.get_job(job.job_id)  # no location: looked for in US and EU only
    with pytest.raises(NotFound):
        bigquery_client.get_job(job.job_id, location="US")
    path = f"/bigquery/v2/projects/{job.project}/queries/{job.job_id}"
    assert http.get(path).status_code == 404
    assert http.get(path, params={"location": REGION}).status_code == 200


def test_a_job_in_a_multi_region_is_found_without_a_location(bigquery_client, http):
    job = bigquery_client.query("SELECT 1 AS x")
    job.result()
    assert job.location == "US"
    assert http.get(f"/bigquery/v2/projects/{job.project}/jobs/{job.job_id}").status_code == 200


def test_a_query_sent_to_another_location_fails_not_found(bigquery_client, regional):
    job = bigquery_client.query(f"SELECT n FROM `{regional.dataset_id}.t`", location="US")
    with pytest.raises(NotFound, match="was not found in location US"):
        job.result()
    assert job.error_result["reason"] == "notFound"
    with pytest.raises(NotFound, match="was not found in location US"):
        bigquery_client.query_and_wait(f"INSERT `{regional.dataset_id}.t` VALUES (2)", location="US")
    rows = bigquery_client.query_and_wait(f"SELECT n FROM `{regional.dataset_id}.t`", location=REGION)
    assert [r.n for r in rows] == [1]  # the refused INSERT wrote nothing


def test_a_query_without_a_location_runs_where_its_dataset_is(bigquery_client, regional, http, llmops_emulator):
    answer = http.post(
        f"/bigquery/v2/projects/{bigquery_client.project}/queries",
        json={"query": f"SELECT n FROM `{regional.dataset_id}.t`", "useLegacySql": False},
    ).json()
    assert answer["jobReference"]["location"] == REGION
    anywhere = bigquery.Client(
        project=bigquery_client.project,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=llmops_emulator.endpoint),
    )
    job = anywhere.query(f"SELECT n FROM `{regional.dataset_id}.t`")
    assert [r.n for r in job.result()] == [1]
    assert job.location == REGION


def test_deleting_a_job_answers_an_empty_object(bigquery_client, http):
    job = bigquery_client.query("SELECT 100 AS foo", location="US")
    job.result()
    deleted = http.delete(f"/bigquery/v2/projects/{job.project}/jobs/{job.job_id}/delete", params={"location": "US"})
    assert deleted.status_code == 200 and deleted.json() == {}
    with pytest.raises(NotFound):
        bigquery_client.get_job(job.job_id, location="US")


def test_fields_sent_without_a_mode_are_shown_without_one(bigquery_client, dataset, http):
    p, d = dataset.project, dataset.dataset_id
    fields = [
        {"name": "id", "type": "INTEGER"},
        {"name": "details", "type": "RECORD", "fields": [{"name": "nested_id", "type": "INTEGER"}]},
        {"name": "tags", "type": "STRING", "mode": "REPEATED"},
        {"name": "note", "type": "STRING", "mode": "NULLABLE"},
    ]
    table = {"tableReference": {"projectId": p, "datasetId": d, "tableId": "nested"}, "schema": {"fields": fields}}
    created = http.post(f"/bigquery/v2/projects/{p}/datasets/{d}/tables", json=table)
    assert created.status_code == 200, created.text
    for body in (created.json(), http.get(f"/bigquery/v2/projects/{p}/datasets/{d}/tables/nested").json()):
        assert body["schema"]["fields"] == fields
    schema = bigquery_client.get_table(f"{p}.{d}.nested").schema
    assert [f.mode for f in schema] == ["NULLABLE", "NULLABLE", "REPEATED", "NULLABLE"]
    bigquery_client.query_and_wait(f"CREATE TABLE `{d}.ddl` (id INT64)")
    assert http.get(f"/bigquery/v2/projects/{p}/datasets/{d}/tables/ddl").json()["schema"]["fields"] == [
        {"name": "id", "type": "INTEGER", "mode": "NULLABLE"}
    ]


def test_jobs_list_keeps_to_the_creation_times_asked_for(bigquery_client):
    before = bigquery_client.query("SELECT 1 AS before_the_window")
    before.result()
    window = before.created + dt.timedelta(milliseconds=1)
    while dt.datetime.now(dt.UTC) <= window:
        pass
    inside = bigquery_client.query("SELECT 2 AS in_the_window")
    inside.result()
    listed = [j.job_id for j in bigquery_client.list_jobs(min_creation_time=window)]
    assert inside.job_id in listed and before.job_id not in listed
    older = [j.job_id for j in bigquery_client.list_jobs(max_creation_time=window - dt.timedelta(milliseconds=1))]
    assert before.job_id in older and inside.job_id not in older


def test_a_feature_refused_by_name_is_not_logged_as_an_internal_error(http, dataset, caplog):
    caplog.set_level(logging.WARNING, logger="llmops.emulator")
    p, d = dataset.project, dataset.dataset_id
    table = {
        "tableReference": {"projectId": p, "datasetId": d, "tableId": "external"},
        "externalDataConfiguration": {"sourceFormat": "PARQUET", "sourceUris": ["gs://b/f.parquet"]},
    }
    refused = http.post(f"/bigquery/v2/projects/{p}/datasets/{d}/tables", json=table)
    assert refused.status_code == 501 and "externalDataConfiguration" in refused.json()["error"]["message"]
    assert not [r for r in caplog.records if "internal error" in r.getMessage()]
