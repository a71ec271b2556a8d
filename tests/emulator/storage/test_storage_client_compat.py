"""Cloud Storage behaviour that other emulators' client suites rely on, through google-cloud-storage.

Each case is documented Cloud Storage behaviour found missing when a peer emulator's client
suite was run against this emulator (see docs/emulator.md, Cloud Storage parity)."""

from __future__ import annotations

import datetime
import gzip
import json

import httpx
import pytest
from google.api_core import exceptions as gexc

UTC = datetime.UTC


def test_compose_without_a_type_takes_the_first_sources(bucket):
    bucket.blob("part-1").upload_from_string(b"one\n", content_type="text/csv")
    bucket.blob("part-2").upload_from_string(b"two\n", content_type="application/json")
    untyped = bucket.blob("joined")
    untyped.compose([bucket.blob("part-1"), bucket.blob("part-2")])
    assert untyped.download_as_bytes() == b"one\ntwo\n"
    assert bucket.get_blob("joined").content_type == "text/csv"
    typed = bucket.blob("joined-typed")
    typed.content_type = "text/x-log"
    typed.compose([bucket.blob("part-2"), bucket.blob("part-1")])
    assert bucket.get_blob("joined-typed").content_type == "text/x-log"


def test_custom_time_only_moves_forward(bucket):
    blob = bucket.blob("aged")
    blob.upload_from_string(b"x")
    blob.reload()
    assert blob.custom_time is None
    first = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    blob.custom_time = first
    blob.patch()
    assert bucket.get_blob("aged").custom_time == first
    # Earlier, or removed: the stored time stays (the metadata update itself still succeeds).
    blob.custom_time = datetime.datetime(2020, 1, 1, tzinfo=UTC)
    blob.patch()
    assert bucket.get_blob("aged").custom_time == first
    blob.custom_time = None
    blob.patch()
    assert bucket.get_blob("aged").custom_time == first
    later = datetime.datetime(2025, 2, 3, 4, 5, 6, 789000, tzinfo=UTC)
    blob.custom_time = later
    blob.patch()
    assert bucket.get_blob("aged").custom_time == later
    # A new upload is a new generation: its customTime starts unset.
    blob.upload_from_string(b"y")
    assert bucket.get_blob("aged").custom_time is None


@pytest.mark.parametrize("value", ["yesterday", "2024-05-01", "2024-05-01T12:00:00"])
def test_custom_time_that_is_not_an_rfc3339_instant_is_400(http, google_error, bucket, value):
    bucket.blob("t").upload_from_string(b"x")
    response = http.patch(f"/storage/v1/b/{bucket.name}/o/t", json={"customTime": value})
    assert response.status_code == 400
    assert "customTime" in google_error(response)["message"]
    assert bucket.get_blob("t").custom_time is None


def test_upload_naming_a_wrong_crc32c_is_400_and_stores_nothing(bucket):
    blob = bucket.blob("checked")
    blob.crc32c = "AAAAAA=="
    # checksum=None: the client sends the crc32c it was given instead of computing its own.
    with pytest.raises(gexc.BadRequest, match="CRC32C"):
        blob.upload_from_string(b"Hello World", checksum=None)
    assert bucket.get_blob("checked") is None


def test_media_upload_takes_type_from_header_and_encoding_from_query(http, bucket):
    body = gzip.compress(b"compressed text\n")
    response = http.post(
        f"/upload/storage/v1/b/{bucket.name}/o",
        params={"uploadType": "media", "name": "notes.txt", "contentEncoding": "gzip"},
        content=body,
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 200, response.text
    blob = bucket.get_blob("notes.txt")
    assert blob.content_type == "text/plain" and blob.content_encoding == "gzip"
    assert blob.size == len(body)


def test_signed_get_serves_stored_type_and_asked_disposition(llmops_emulator, bucket, signing_credentials):
    blob = bucket.blob("report.cst")
    blob.upload_from_string(b"the report", content_type="text/x-custom")
    disposition = 'attachment; filename="report-2024.cst"'
    url = blob.generate_signed_url(
        version="v4",
        credentials=signing_credentials,
        api_access_endpoint=llmops_emulator.endpoint,
        expiration=datetime.timedelta(minutes=5),
        response_disposition=disposition,
    )
    got = httpx.get(url)
    assert got.status_code == 200 and got.content == b"the report"
    assert got.headers["content-type"] == "text/x-custom"
    assert got.headers["content-disposition"] == disposition


def test_signed_put_keeps_an_unsigned_content_type_header(llmops_emulator, bucket, signing_credentials):
    blob = bucket.blob("from-browser.json")
    url = blob.generate_signed_url(
        version="v4",
        credentials=signing_credentials,
        api_access_endpoint=llmops_emulator.endpoint,
        expiration=datetime.timedelta(minutes=5),
        method="PUT",
    )
    payload = json.dumps({"ok": True}).encode()
    put = httpx.put(url, content=payload, headers={"Content-Type": "application/json"})
    assert put.status_code == 200, put.text
    stored = bucket.get_blob("from-browser.json")
    assert stored.download_as_bytes() == payload and stored.content_type == "application/json"
