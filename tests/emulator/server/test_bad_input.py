"""Bad requests get Google's error shape and status, and the server keeps serving."""

from __future__ import annotations

import json

import pytest

from llmops.testing import start_emulator

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """An emulator that accepts uploads of at most 64 KiB."""
    running = start_emulator(tmp_path_factory.mktemp("small-emulator"), max_upload_bytes=LIMIT)
    yield running
    running.server.stop()


@pytest.fixture
def small_http(small):
    import httpx

    with httpx.Client(base_url=small.endpoint, timeout=30) as client:
        client.post("/storage/v1/b?project=p", json={"name": "limits"})
        yield client
        assert client.get("/").status_code == 200  # still serving


@pytest.fixture(autouse=True)
def still_serving(http):
    yield
    assert http.get("/").status_code == 200


def _multipart(meta: dict, data: bytes, boundary: str = "BOUNDARY", close: bool = True) -> tuple[bytes, str]:
    body = (
        (
            f"--{boundary}\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n{json.dumps(meta)}\r\n"
            f"--{boundary}\r\ncontent-type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}".encode()
    )
    if close:
        body += b"--\r\n"
    return body, f'multipart/related; boundary="{boundary}"'


# ------------------------------------------------------------------ malformed JSON


@pytest.mark.parametrize(
    "path",
    [
        "/bigquery/v2/projects/p/datasets",
        "/bigquery/v2/projects/p/queries",
        "/bigquery/v2/projects/p/jobs",
        "/storage/v1/b?project=p",
    ],
)
def test_malformed_json_is_a_parse_error(http, google_error, path):
    r = http.post(path, content=b'{"oops": ', headers={"content-type": "application/json"})
    assert r.status_code == 400
    err = google_error(r)
    assert err["errors"][0]["reason"] == "parseError" and err["status"] == "INVALID_ARGUMENT"


def test_json_that_is_not_an_object(http, google_error):
    r = http.post("/bigquery/v2/projects/p/queries", content=b"[1, 2]")
    assert r.status_code == 400 and google_error(r)["errors"][0]["reason"] == "parseError"


# ------------------------------------------------------------------ routes and methods


@pytest.mark.parametrize(
    "path", ["/bigquery/v2/nothing", "/storage/v1/nothing/here", "/upload/storage/v1/x", "/elsewhere"]
)
def test_unknown_routes_are_not_found(http, google_error, path):
    r = http.get(path)
    assert r.status_code == 404
    assert google_error(r)["status"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/bigquery/v2/projects/p/queries"),
        ("PUT", "/bigquery/v2/projects/p/jobs"),
        ("PATCH", "/storage/v1/b"),
        ("POST", "/download/storage/v1/b/x/o/y"),
    ],
)
def test_wrong_methods_are_405_with_allow(http, google_error, method, path):
    r = http.request(method, path)
    assert r.status_code == 405
    assert google_error(r)["errors"][0]["reason"] == "methodNotAllowed"
    assert r.headers["allow"]


# ------------------------------------------------------------------ missing required fields


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/bigquery/v2/projects/p/datasets", {}, "datasetReference.datasetId"),
        ("POST", "/bigquery/v2/projects/p/queries", {"useLegacySql": False}, "query"),
        ("POST", "/bigquery/v2/projects/p/jobs", {"jobReference": {"jobId": "j1x"}}, "configuration"),
        ("POST", "/storage/v1/b?project=p", {"location": "US"}, "name"),
        ("GET", "/storage/v1/b", None, "project"),
    ],
)
def test_missing_required_fields(http, google_error, method, path, body, field):
    r = http.request(method, path, json=body) if body is not None else http.request(method, path)
    assert r.status_code == 400
    err = google_error(r)
    assert err["errors"][0]["reason"] == "required" and field in err["message"]


def test_missing_body(http, google_error):
    r = http.post("/bigquery/v2/projects/p/queries")
    assert r.status_code == 400 and google_error(r)["errors"][0]["reason"] == "required"


def test_upload_without_upload_type_or_name(http, google_error, bucket):
    r = http.post(f"/upload/storage/v1/b/{bucket.name}/o", content=b"x")
    assert r.status_code == 400 and "uploadType" in google_error(r)["message"]
    r = http.post(f"/upload/storage/v1/b/{bucket.name}/o?uploadType=media", content=b"x")
    assert r.status_code == 400 and "name" in google_error(r)["message"]


def test_insert_all_without_rows(http, google_error, dataset):
    r = http.post(
        f"/bigquery/v2/projects/{dataset.project}/datasets/{dataset.dataset_id}/tables/t/insertAll", json={"rows": []}
    )
    assert r.status_code == 400 and google_error(r)["errors"][0]["reason"] == "invalid"


# ------------------------------------------------------------------ SQL errors


def test_sql_syntax_error_is_invalid_query(http, google_error):
    r = http.post("/bigquery/v2/projects/p/queries", json={"query": "SELEC 1", "useLegacySql": False})
    assert r.status_code == 400
    err = google_error(r)
    assert err["errors"][0]["reason"] == "invalidQuery"


def test_missing_table_is_404(http, google_error):
    r = http.post(
        "/bigquery/v2/projects/p/queries", json={"query": "SELECT * FROM nowhere.none", "useLegacySql": False}
    )
    assert r.status_code == 404 and google_error(r)["errors"][0]["reason"] == "notFound"
    r = http.get("/bigquery/v2/projects/p/datasets/none/tables/t")
    assert r.status_code == 404 and google_error(r)["errors"][0]["reason"] == "notFound"


def test_legacy_sql_is_refused(http, google_error):
    r = http.post("/bigquery/v2/projects/p/queries", json={"query": "SELECT 1", "useLegacySql": True})
    assert r.status_code == 400 and "Legacy SQL" in google_error(r)["message"]


def test_failed_job_is_a_job_with_error_result(http, google_error):
    body = {
        "jobReference": {"jobId": "bad_job_1"},
        "configuration": {"query": {"query": "SELEC 1", "useLegacySql": False}},
    }
    r = http.post("/bigquery/v2/projects/p/jobs", json=body)
    assert r.status_code == 200
    job = r.json()
    assert job["status"]["state"] == "DONE" and job["status"]["errorResult"]["reason"] == "invalidQuery"
    r = http.get("/bigquery/v2/projects/p/queries/bad_job_1")
    assert r.status_code == 400 and google_error(r)["errors"][0]["reason"] == "invalidQuery"
    r = http.post("/bigquery/v2/projects/p/jobs", json=body)
    assert r.status_code == 409 and google_error(r)["errors"][0]["reason"] == "duplicate"


def test_bad_parameter_value(http, google_error):
    r = http.post(
        "/bigquery/v2/projects/p/queries",
        json={
            "query": "SELECT @n",
            "useLegacySql": False,
            "parameterMode": "NAMED",
            "queryParameters": [{"name": "n", "parameterType": {"type": "INT64"}, "parameterValue": {"value": "five"}}],
        },
    )
    assert r.status_code == 400 and "@n" in google_error(r)["message"]


def test_bad_page_tokens_and_max_results(http, google_error):
    r = http.get("/bigquery/v2/projects/p/datasets?pageToken=%%%")
    assert r.status_code == 400 and google_error(r)
    r = http.get("/storage/v1/b?project=p&maxResults=lots")
    assert r.status_code == 400 and "maxResults" in google_error(r)["message"]


# ------------------------------------------------------------------ rows that do not match the schema


def test_insert_all_rows_not_matching_schema_get_insert_errors(http, dataset, bigquery_client):
    from google.cloud import bigquery

    table = f"{dataset.project}.{dataset.dataset_id}.typed"
    bigquery_client.create_table(bigquery.Table(table, schema=[bigquery.SchemaField("n", "INT64")]))
    r = http.post(
        f"/bigquery/v2/projects/{dataset.project}/datasets/{dataset.dataset_id}/tables/typed/insertAll",
        json={"rows": [{"json": {"n": 1}}, {"json": {"n": "x"}}, {"json": {"zzz": 1}}]},
    )
    assert r.status_code == 200
    errors = {e["index"]: e["errors"][0] for e in r.json()["insertErrors"]}
    assert errors[1]["reason"] == "invalid" and errors[2]["reason"] == "invalid" and errors[0]["reason"] == "stopped"
    assert "zzz" in errors[2]["message"]


def test_load_job_with_mismatching_rows_fails_with_row_errors(http, dataset):
    body, ctype = _multipart(
        {
            "configuration": {
                "load": {
                    "sourceFormat": "NEWLINE_DELIMITED_JSON",
                    "destinationTable": {"projectId": dataset.project, "datasetId": dataset.dataset_id, "tableId": "t"},
                    "schema": {"fields": [{"name": "n", "type": "INTEGER"}]},
                }
            }
        },
        b'{"n": 1}\n{"n": "two"}\nnot json\n',
    )
    r = http.post(
        f"/upload/bigquery/v2/projects/{dataset.project}/jobs?uploadType=multipart",
        content=body,
        headers={"content-type": ctype},
    )
    assert r.status_code == 200
    status = r.json()["status"]
    assert status["errorResult"]["reason"] == "invalid"
    messages = " ".join(e["message"] for e in status["errors"])
    assert "Row 2" in messages and "Row 3" in messages


# ------------------------------------------------------------------ oversized and truncated uploads


def test_oversized_multipart_upload_is_413(small_http, google_error):
    body, ctype = _multipart({"name": "big.bin"}, b"x" * (LIMIT + 1))
    r = small_http.post(
        "/upload/storage/v1/b/limits/o?uploadType=multipart", content=body, headers={"content-type": ctype}
    )
    assert r.status_code == 413 and google_error(r)["errors"][0]["reason"] == "uploadTooLarge"


def test_oversized_resumable_upload_is_413(small_http, google_error):
    r = small_http.post(
        "/upload/storage/v1/b/limits/o?uploadType=resumable",
        json={"name": "big.bin"},
        headers={"x-upload-content-length": str(LIMIT + 1)},
    )
    assert r.status_code == 413 and google_error(r)
    r = small_http.post("/upload/storage/v1/b/limits/o?uploadType=resumable", json={"name": "big.bin"})
    location = r.headers["location"]
    r = small_http.put(location, content=b"x" * (LIMIT + 10), headers={"content-range": f"bytes 0-{LIMIT + 9}/*"})
    assert r.status_code == 413 and google_error(r)


def test_oversized_bigquery_upload_is_413(small_http, google_error):
    body, ctype = _multipart(
        {"configuration": {"load": {"destinationTable": {"datasetId": "d", "tableId": "t"}}}}, b"{}\n" * LIMIT
    )
    r = small_http.post(
        "/upload/bigquery/v2/projects/p/jobs?uploadType=multipart", content=body, headers={"content-type": ctype}
    )
    assert r.status_code == 413 and google_error(r)


def test_truncated_multipart_upload_is_refused(http, google_error, bucket):
    body, ctype = _multipart({"name": "cut.bin"}, b"data", close=False)
    body = body[: body.rfind(b"\r\n--")]  # no closing delimiter at all
    r = http.post(
        f"/upload/storage/v1/b/{bucket.name}/o?uploadType=multipart", content=body, headers={"content-type": ctype}
    )
    assert r.status_code == 400 and "truncated" in google_error(r)["message"]
    assert not bucket.blob("cut.bin").exists()


def test_upload_whose_checksum_does_not_match_is_refused(http, google_error, bucket):
    body, ctype = _multipart({"name": "sum.bin", "crc32c": "AAAAAA=="}, b"data")
    r = http.post(
        f"/upload/storage/v1/b/{bucket.name}/o?uploadType=multipart", content=body, headers={"content-type": ctype}
    )
    assert r.status_code == 400 and "CRC32C" in google_error(r)["message"]
    assert not bucket.blob("sum.bin").exists()


def test_truncated_resumable_chunk_is_refused_and_can_resume(http, google_error, bucket):
    r = http.post(f"/upload/storage/v1/b/{bucket.name}/o?uploadType=resumable", json={"name": "resume.bin"})
    location = r.headers["location"]
    r = http.put(location, content=b"a" * 50, headers={"content-range": "bytes 0-99/200"})
    assert r.status_code == 400 and "truncated" in google_error(r)["message"]
    r = http.put(location, headers={"content-range": "bytes */200"})
    assert r.status_code == 308 and r.headers["range"] == "bytes=0-49"
    r = http.put(location, content=b"b" * 10, headers={"content-range": "bytes 100-109/200"})
    assert r.status_code == 400 and "resume from 50" in google_error(r)["message"]
    r = http.put(location, content=b"b" * 150, headers={"content-range": "bytes 50-199/200"})
    assert r.status_code == 200 and r.json()["size"] == "200"
    assert bucket.blob("resume.bin").download_as_bytes() == b"a" * 50 + b"b" * 150


def test_resumable_final_hash_mismatch_and_unknown_session(http, google_error, bucket):
    r = http.post(f"/upload/storage/v1/b/{bucket.name}/o?uploadType=resumable", json={"name": "h.bin"})
    r = http.put(r.headers["location"], content=b"abc", headers={"x-goog-hash": "crc32c=AAAAAA=="})
    assert r.status_code == 400 and google_error(r)
    r = http.put(f"/upload/storage/v1/b/{bucket.name}/o?uploadType=resumable&upload_id=0123456789abcdef", content=b"x")
    assert r.status_code == 404 and google_error(r)


def test_body_shorter_than_its_content_length(llmops_emulator, bucket):
    import socket

    host, port = "127.0.0.1", llmops_emulator.port
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(
            (
                f"POST /upload/storage/v1/b/{bucket.name}/o?uploadType=media&name=short.bin HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\nContent-Length: 100\r\n\r\nonly this"
            ).encode()
        )
        sock.shutdown(socket.SHUT_WR)  # the client goes away mid-body
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert not reply or reply.startswith(b"HTTP/1.1 400")
    assert not bucket.blob("short.bin").exists()


# ------------------------------------------------------------------ names with ..


@pytest.mark.parametrize("name", ["..%2Fescape.txt", "a%2F..%2F..%2Fescape.txt", "%2Fabs.txt", "%2E%2E"])
def test_object_names_with_dot_dot_are_refused_everywhere(http, google_error, bucket, name):
    r = http.get(f"/storage/v1/b/{bucket.name}/o/{name}")
    assert r.status_code == 400 and google_error(r)["errors"][0]["reason"] == "invalid"
    r = http.get(f"/download/storage/v1/b/{bucket.name}/o/{name}?alt=media")
    assert r.status_code == 400
    r = http.post(f"/upload/storage/v1/b/{bucket.name}/o?uploadType=media&name={name}", content=b"x")
    assert r.status_code == 400


@pytest.mark.parametrize("bucket_name", ["..", "a..b", "UPPER", "x"])
def test_bad_bucket_names_are_refused(http, google_error, bucket_name):
    r = http.post("/storage/v1/b?project=p", json={"name": bucket_name})
    assert r.status_code == 400 and google_error(r)["errors"][0]["reason"] == "invalid"


def test_unsatisfiable_range_is_416(http, bucket):
    bucket.blob("small.txt").upload_from_string("abc")
    r = http.get(f"/download/storage/v1/b/{bucket.name}/o/small.txt?alt=media", headers={"range": "bytes=10-20"})
    assert r.status_code == 416 and r.headers["content-range"] == "bytes */3"


def test_bad_dataset_and_table_names(http, google_error):
    r = http.post("/bigquery/v2/projects/p/datasets", json={"datasetReference": {"datasetId": "bad`name"}})
    assert r.status_code == 400 and google_error(r)
    r = http.post("/bigquery/v2/projects/p/datasets", json={"datasetReference": {"datasetId": "../etc"}})
    assert r.status_code == 400 and google_error(r)
