"""Jobs run on threads of their own and requests wait for them as long as BigQuery's do:
jobs.query and jobs.getQueryResults honour `timeoutMs` (`jobComplete: false` for a job still
running), jobs.insert answers a long job RUNNING, jobs.list filters by state, and a job waiting
for a free slot is PENDING and can be cancelled. Before, every job finished within the request
that submitted it, so `timeoutMs` was ignored and a client could never see a running job's state.
"""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

from llmops.emulator.bigquery import jobs as jobs_module
from llmops.testing import EMULATOR_PROJECT, start_emulator

# minutes of work: every test that starts it cancels it
LONG_QUERY = (
    "SELECT COUNT(*) AS n FROM UNNEST(GENERATE_ARRAY(1, 300000)) AS a "
    "CROSS JOIN UNNEST(GENERATE_ARRAY(1, 300000)) AS b WHERE MOD(a * b, 7) = 3"
)


@pytest.fixture
def api(llmops_emulator) -> str:
    return f"{llmops_emulator.endpoint}/bigquery/v2/projects/{EMULATOR_PROJECT}"


def _cancel(api: str, job_id: str) -> dict:
    response = httpx.post(f"{api}/jobs/{job_id}/cancel", timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["job"]


def test_jobs_query_answers_job_complete_false_after_timeout_ms_and_get_query_results_waits(api):
    started = time.monotonic()
    response = httpx.post(f"{api}/queries", json={"query": LONG_QUERY, "timeoutMs": 300}, timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    job_id = body["jobReference"]["jobId"]
    try:
        assert body["kind"] == "bigquery#queryResponse"
        assert body["jobComplete"] is False
        assert body["jobReference"]["projectId"] == EMULATOR_PROJECT and body["jobReference"]["location"] == "US"
        assert "rows" not in body and "schema" not in body and "totalRows" not in body
        assert time.monotonic() - started < 30

        results = httpx.get(f"{api}/queries/{job_id}", params={"timeoutMs": 0}, timeout=60).json()
        assert results["kind"] == "bigquery#getQueryResultsResponse" and results["jobComplete"] is False
        job = httpx.get(f"{api}/jobs/{job_id}").json()
        assert job["status"] == {"state": "RUNNING"}
        assert "startTime" in job["statistics"] and "endTime" not in job["statistics"]
    finally:
        stopped = _cancel(api, job_id)
    assert stopped["status"]["state"] == "DONE" and stopped["status"]["errorResult"]["reason"] == "stopped"
    assert "endTime" in stopped["statistics"]
    failed = httpx.get(f"{api}/queries/{job_id}", timeout=60)
    assert failed.status_code == 400 and "cancelled" in failed.json()["error"]["message"]


def test_a_short_query_with_timeout_zero_completes_through_get_query_results(api):
    sql = "SELECT x FROM UNNEST(GENERATE_ARRAY(1, 3)) AS x ORDER BY x"
    body = httpx.post(f"{api}/queries", json={"query": sql, "timeoutMs": 0}, timeout=60).json()
    job_id = body["jobReference"]["jobId"]
    if body["jobComplete"]:  # finished within the request after all: nothing to wait for
        results = body
    else:
        results = httpx.get(f"{api}/queries/{job_id}", timeout=60).json()
    assert results["jobComplete"] is True and results["totalRows"] == "3"
    assert [r["f"][0]["v"] for r in results["rows"]] == ["1", "2", "3"]


def test_the_client_sees_a_long_job_running_and_cancels_it(bigquery_client):
    started = time.monotonic()
    job = bigquery_client.query(LONG_QUERY, job_id=f"long_{uuid.uuid4().hex}", job_retry=None)
    waited = time.monotonic() - started
    try:
        assert job.state in {"PENDING", "RUNNING"}
        assert waited < jobs_module.INSERT_WAIT_S + 10
        running = [j.job_id for j in bigquery_client.list_jobs(state_filter="running")]
        assert job.job_id in running
        assert job.job_id not in [j.job_id for j in bigquery_client.list_jobs(state_filter="done", max_results=50)]
        with pytest.raises(exceptions.BadRequest, match="still running"):
            bigquery_client.delete_job_metadata(job)
    finally:
        job.cancel()
    with pytest.raises(exceptions.GoogleAPICallError, match="cancelled"):
        job.result()
    assert job.state == "DONE" and job.error_result["reason"] == "stopped"
    bigquery_client.delete_job_metadata(job)  # done: its metadata can go
    with pytest.raises(exceptions.NotFound):
        bigquery_client.get_job(job.job_id)


@pytest.mark.parametrize(
    ("where", "value"),
    [("query", "abc"), ("query", -1), ("query", True), ("results", "soon"), ("results", "-5")],
)
def test_a_bad_timeout_ms_is_a_400_naming_it(api, where, value):
    if where == "query":
        response = httpx.post(f"{api}/queries", json={"query": "SELECT 1", "timeoutMs": value}, timeout=60)
    else:
        job_id = httpx.post(f"{api}/queries", json={"query": "SELECT 1"}, timeout=60).json()["jobReference"]["jobId"]
        response = httpx.get(f"{api}/queries/{job_id}", params={"timeoutMs": value}, timeout=60)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert "timeoutMs" in error["message"] and error["errors"][0]["reason"] == "invalid"


def test_an_unknown_state_filter_is_a_400(api):
    response = httpx.get(f"{api}/jobs", params={"stateFilter": "finished"})
    assert response.status_code == 400
    assert "stateFilter" in response.json()["error"]["message"]


def test_jobs_past_the_running_slots_wait_pending_and_cancel_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(jobs_module, "MAX_RUNNING_JOBS", 1)
    running = start_emulator(tmp_path / "emulator")
    api = f"{running.endpoint}/bigquery/v2/projects/{EMULATOR_PROJECT}"
    client = bigquery.Client(
        project=EMULATOR_PROJECT,
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": running.endpoint},
        location="US",
    )
    try:

        def insert(sql: str) -> dict:
            body = {"configuration": {"query": {"query": sql, "useLegacySql": False}}}
            return httpx.post(f"{api}/jobs", json=body, timeout=60).json()

        first, second = insert(LONG_QUERY), insert("SELECT 1 AS one")
        first_id, second_id = first["jobReference"]["jobId"], second["jobReference"]["jobId"]
        assert first["status"] == {"state": "RUNNING"}
        assert second["status"] == {"state": "PENDING"}
        assert httpx.get(f"{api}/jobs/{second_id}").json()["status"] == {"state": "PENDING"}
        pending = [j.job_id for j in client.list_jobs(state_filter="pending")]
        assert pending == [second_id]
        started = time.monotonic()
        stopped = _cancel(api, second_id)
        assert time.monotonic() - started < 5, "a pending job's cancel waited for the running one"
        assert stopped["status"]["state"] == "DONE" and stopped["status"]["errorResult"]["reason"] == "stopped"
        assert httpx.get(f"{api}/jobs/{first_id}").json()["status"] == {"state": "RUNNING"}
        _cancel(api, first_id)
        # the slot is free again: the next query runs
        assert [tuple(r) for r in client.query_and_wait("SELECT 2 AS two")] == [(2,)]
        deadline = time.monotonic() + 10
        while any(t.name == "query-cancel" for t in threading.enumerate()):
            assert time.monotonic() < deadline, "a cancel went on interrupting after its job had ended"
            time.sleep(0.05)
    finally:
        client.close()
        running.server.stop()


def test_jobs_list_projection_minimal_leaves_out_the_configuration(api):
    job_id = httpx.post(f"{api}/queries", json={"query": "SELECT 7"}, timeout=60).json()["jobReference"]["jobId"]
    full = httpx.get(f"{api}/jobs", params={"projection": "full", "maxResults": 20}).json()["jobs"]
    minimal = httpx.get(f"{api}/jobs", params={"projection": "minimal", "maxResults": 20}).json()["jobs"]
    assert (
        next(j for j in full if j["jobReference"]["jobId"] == job_id)["configuration"]["query"]["query"] == "SELECT 7"
    )
    item = next(j for j in minimal if j["jobReference"]["jobId"] == job_id)
    assert "configuration" not in item and item["state"] == "DONE" and "statistics" in item
    bad = httpx.get(f"{api}/jobs", params={"projection": "everything"})
    assert bad.status_code == 400 and "projection" in bad.json()["error"]["message"]


def test_information_schema_jobs_shows_a_running_job_and_the_asking_one(bigquery_client, api):
    marker = f"m_{uuid.uuid4().hex[:10]}"
    long_sql = f"SELECT '{marker}' AS m, n FROM ({LONG_QUERY})"
    job_id = httpx.post(f"{api}/queries", json={"query": long_sql, "timeoutMs": 0}, timeout=60).json()["jobReference"][
        "jobId"
    ]
    try:
        rows = [
            dict(r)
            for r in bigquery_client.query_and_wait(
                "SELECT job_id, state, end_time IS NULL AS open, query LIKE '%INFORMATION_SCHEMA%' AS asking "
                f"FROM `region-us`.INFORMATION_SCHEMA.JOBS WHERE query LIKE '%{marker}%' ORDER BY creation_time"
            )
        ]
    finally:
        _cancel(api, job_id)
    assert rows[0] == {"job_id": job_id, "state": "RUNNING", "open": True, "asking": False}
    assert rows[1]["state"] == "RUNNING" and rows[1]["asking"] is True and len(rows) == 2


def test_stopping_the_emulator_cancels_a_running_job(tmp_path):
    running = start_emulator(tmp_path / "emulator")
    api = f"{running.endpoint}/bigquery/v2/projects/{EMULATOR_PROJECT}"
    job_id = httpx.post(f"{api}/queries", json={"query": LONG_QUERY, "timeoutMs": 0}, timeout=60).json()[
        "jobReference"
    ]["jobId"]
    assert httpx.get(f"{api}/jobs/{job_id}").json()["status"]["state"] in {"PENDING", "RUNNING"}
    started = time.monotonic()
    running.server.stop()
    assert time.monotonic() - started < 20, "stopping waited for the running query"
    deadline = time.monotonic() + 10
    while any(t.name == f"bq-job-{job_id}" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the job's query went on running after the emulator stopped"
        time.sleep(0.05)
