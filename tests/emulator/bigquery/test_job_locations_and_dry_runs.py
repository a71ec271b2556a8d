"""Through google-cloud-bigquery: dry runs through jobs.query, query parameters as jobs.get shows
them, and jobs whose location is not their datasets' (404, as BigQuery answers)."""

from __future__ import annotations

import io
import uuid

import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery


@pytest.fixture
def eu_dataset(bigquery_client):
    name = f"{bigquery_client.project}.eu_{uuid.uuid4().hex[:8]}"
    ds = bigquery.Dataset(name)
    ds.location = "EU"
    bigquery_client.create_dataset(ds)
    bigquery_client.query(f"CREATE TABLE `{name}.letters` (letter STRING, value INT64)", location="EU").result()
    yield name
    bigquery_client.delete_dataset(name, delete_contents=True, not_found_ok=True)


def test_a_dry_run_through_jobs_query_gives_a_job_without_an_id(bigquery_client, eu_dataset):
    config = bigquery.QueryJobConfig(dry_run=True)
    job = bigquery_client.query(
        f"SELECT * FROM `{eu_dataset}.letters`", job_config=config, api_method="QUERY", location="EU"
    )
    assert job.dry_run is True and job.job_id is None and job.location == "EU"
    assert [f.name for f in job.schema] == ["letter", "value"]
    rows = bigquery_client.query_and_wait(f"SELECT value FROM `{eu_dataset}.letters`", job_config=config, location="EU")
    assert [f.name for f in rows.schema] == ["value"] and list(rows) == []


def test_query_parameters_come_back_from_jobs_get_as_strings(bigquery_client):
    config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter("f", "FLOAT64", 1.5),
            bigquery.ScalarQueryParameter("b", "BOOL", True),
            bigquery.ArrayQueryParameter("a", "FLOAT64", [0.25, 2.0]),
        ]
    )
    job = bigquery_client.query("SELECT @f * 2 AS f, @b AS b, ARRAY_LENGTH(@a) AS n", job_config=config)
    assert [tuple(r.values()) for r in job.result()] == [(3.0, True, 2)]
    sent = bigquery_client.get_job(job.job_id)._properties["configuration"]["query"]["queryParameters"]
    values = {p["name"]: p["parameterValue"] for p in sent}
    assert values["f"] == {"value": "1.5"} and values["b"] == {"value": "true"}
    assert values["a"] == {"arrayValues": [{"value": "0.25"}, {"value": "2.0"}]}
    fetched = bigquery_client.get_job(job.job_id)
    assert [getattr(p, "value", None) or p.values for p in fetched.query_parameters] == [1.5, True, [0.25, 2.0]]


def test_jobs_in_another_location_than_their_dataset_are_not_found(bigquery_client, eu_dataset):
    table = f"{eu_dataset}.letters"
    load = bigquery_client.load_table_from_file(
        io.BytesIO(b"a,3\nb,2\n"), table, location="EU", job_config=bigquery.LoadJobConfig(source_format="CSV")
    )
    load.result()
    assert bigquery_client.get_job(load.job_id, location="EU").location == "EU"
    with pytest.raises(gexc.NotFound, match=f"Not found: Job {bigquery_client.project}:US.{load.job_id}"):
        bigquery_client.get_job(load.job_id, location="US")
    with pytest.raises(gexc.NotFound):
        bigquery_client.cancel_job(load.job_id, location="US")

    with pytest.raises(gexc.NotFound, match="was not found in location US"):
        bigquery_client.load_table_from_file(
            io.BytesIO(b"c,1\n"), table, location="US", job_config=bigquery.LoadJobConfig(source_format="CSV")
        ).result()
    dry = bigquery.QueryJobConfig(dry_run=True)
    with pytest.raises(gexc.NotFound, match="was not found in location US"):
        bigquery_client.query(f"SELECT * FROM `{table}`", location="US", job_config=dry)
    assert bigquery_client.query(f"SELECT * FROM `{table}`", location="EU", job_config=dry).done()
    with pytest.raises(gexc.NotFound):
        bigquery_client.copy_table(table, f"{eu_dataset}.copy", location="US").result()
    assert bigquery_client.get_table(table).num_rows == 2
