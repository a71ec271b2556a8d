"""Batch requests, path-style object URLs and V4 signed URLs through google-cloud-storage."""

from __future__ import annotations

import datetime

import httpx
import pytest
from google.api_core import exceptions as gexc


def test_batch_deletes_100_objects(storage_client, bucket):
    for i in range(100):
        bucket.blob(f"batch/{i:03d}").upload_from_string(b"x")
    blobs = list(storage_client.list_blobs(bucket, prefix="batch/"))
    assert len(blobs) == 100
    with storage_client.batch():
        for blob in blobs:
            blob.delete()
    assert list(storage_client.list_blobs(bucket, prefix="batch/")) == []


def test_batch_answers_each_call_and_reports_failures(storage_client, bucket):
    bucket.blob("kept").upload_from_string(b"x")
    with pytest.raises(gexc.NotFound), storage_client.batch():
        bucket.blob("kept").delete()
        bucket.blob("never-was").delete()
    assert bucket.get_blob("kept") is None
    batch = storage_client.batch(raise_exception=False)
    with batch:
        bucket.blob("never-was").delete()
    assert [r.status_code for r in batch._responses] == [404]


def test_batch_patch_updates_metadata(storage_client, bucket):
    blob = bucket.blob("m")
    blob.upload_from_string(b"x")
    with storage_client.batch():
        blob.metadata = {"k": "v"}
        blob.patch()
    assert bucket.get_blob("m").metadata == {"k": "v"}


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/mixed; boundary=xyz", b"no delimiter at all"),
        ("multipart/mixed; boundary=xyz", b"--xyz\r\nContent-Type: application/http\r\n\r\nGET /x HTTP/1.1\r\n\r\n"),
        ("multipart/mixed", b"--xyz--"),
        ("application/json", b"{}"),
        ("multipart/mixed; boundary=xyz", b"--xyz--\r\n"),
    ],
)
def test_malformed_batch_bodies_are_400(http, google_error, content_type, body):
    response = http.post("/batch/storage/v1", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    google_error(response)
    assert http.get("/storage/v1/b?project=p").status_code == 200  # still serving


def test_batch_call_outside_the_json_api_fails_alone(http, bucket):
    body = (
        b"--xyz\r\nContent-Type: application/http\r\nContent-ID: <a>\r\n\r\n"
        b"GET /bigquery/v2/projects/p/datasets HTTP/1.1\r\n\r\n"
        b"--xyz\r\nContent-Type: application/http\r\nContent-ID: <b>\r\n\r\n"
        b"GET /storage/v1/b/" + bucket.name.encode() + b" HTTP/1.1\r\n\r\n--xyz--\r\n"
    )
    response = http.post("/batch/storage/v1", content=body, headers={"Content-Type": "multipart/mixed; boundary=xyz"})
    assert response.status_code == 200
    text = response.text
    assert "Content-ID: <response-a>" in text and "HTTP/1.1 400 Bad Request" in text
    assert "Content-ID: <response-b>" in text and "HTTP/1.1 200 OK" in text


def test_batch_over_100_calls_is_400(http, google_error):
    part = b"--xyz\r\nContent-Type: application/http\r\n\r\nGET /storage/v1/b/x HTTP/1.1\r\n\r\n"
    response = http.post(
        "/batch/storage/v1", content=part * 101 + b"--xyz--", headers={"Content-Type": "multipart/mixed; boundary=xyz"}
    )
    assert response.status_code == 400 and "at most 100" in google_error(response)["message"]


def test_path_style_get_put_delete(http, bucket):
    bucket.blob("dir/a b.txt").upload_from_string(b"hello", content_type="text/plain")
    got = http.get(f"/{bucket.name}/dir/a%20b.txt")
    assert got.status_code == 200 and got.content == b"hello" and got.headers["content-type"] == "text/plain"
    assert http.get(f"/{bucket.name}/dir/a%20b.txt", headers={"Range": "bytes=1-2"}).content == b"el"
    put = http.put(f"/{bucket.name}/new.bin", content=b"\x00\x01", headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 200 and put.headers["x-goog-generation"]
    assert bucket.blob("new.bin").download_as_bytes() == b"\x00\x01"
    stale = http.put(
        f"/{bucket.name}/new.bin",
        content=b"x",
        headers={"Content-Type": "application/octet-stream", "x-goog-if-generation-match": "1"},
    )
    assert stale.status_code == 412 and b"<Code>PreconditionFailed</Code>" in stale.content
    assert http.delete(f"/{bucket.name}/new.bin").status_code == 204
    missing = http.get(f"/{bucket.name}/new.bin")
    assert missing.status_code == 404 and b"<Code>NoSuchKey</Code>" in missing.content


def test_path_style_does_not_shadow_other_paths(http, google_error):
    response = http.get("/no-such-bucket-here/x")
    assert response.status_code == 404
    google_error(response)  # the emulator's JSON 404, not the XML API's
    assert http.get("/bigquery/v2/projects/p/datasets").status_code == 200


def _signed(blob, creds, endpoint, clock_offset=0, **kw):
    """A V4 URL signed by the real client; `clock_offset` (seconds) dates the signature in the past."""
    from google.cloud.storage import _signing

    kw.setdefault("expiration", datetime.timedelta(minutes=5))
    real_now = _signing._NOW
    _signing._NOW = lambda tz: real_now(tz) + datetime.timedelta(seconds=clock_offset)
    try:
        return blob.generate_signed_url(version="v4", credentials=creds, api_access_endpoint=endpoint, **kw)
    finally:
        _signing._NOW = real_now


def test_signed_url_get_and_put(llmops_emulator, bucket, signing_credentials):
    blob = bucket.blob("signed/data.txt")
    blob.upload_from_string(b"secret bytes")
    url = _signed(blob, signing_credentials, llmops_emulator.endpoint)
    got = httpx.get(url)
    assert got.status_code == 200 and got.content == b"secret bytes"
    put_url = _signed(
        bucket.blob("signed/up.bin"),
        signing_credentials,
        llmops_emulator.endpoint,
        method="PUT",
        content_type="application/octet-stream",
    )
    put = httpx.put(put_url, content=b"uploaded", headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 200
    assert bucket.blob("signed/up.bin").download_as_bytes() == b"uploaded"
    # Signed for PUT, used for GET: the method is part of the signature.
    wrong_method = httpx.get(put_url)
    assert wrong_method.status_code == 403 and b"SignatureDoesNotMatch" in wrong_method.content


def test_signed_url_tampered_or_expired_is_refused(llmops_emulator, bucket, signing_credentials):
    blob = bucket.blob("signed/t.txt")
    blob.upload_from_string(b"x")
    other = bucket.blob("signed/other.txt")
    other.upload_from_string(b"y")
    url = _signed(blob, signing_credentials, llmops_emulator.endpoint)
    tampered = httpx.get(url.replace("/signed/t.txt", "/signed/other.txt"))
    assert tampered.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in tampered.content
    longer = httpx.get(url.replace("X-Goog-Expires=300", "X-Goog-Expires=600"))
    assert longer.status_code == 403
    expired = httpx.get(
        _signed(
            blob,
            signing_credentials,
            llmops_emulator.endpoint,
            expiration=datetime.timedelta(seconds=60),
            clock_offset=-3600,
        )
    )
    assert expired.status_code == 400 and b"<Code>ExpiredToken</Code>" in expired.content


def test_signed_url_with_an_unregistered_key_is_403(llmops_emulator, bucket):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.oauth2 import service_account

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    creds = service_account.Credentials.from_service_account_info(
        {"client_email": "stranger@p.iam.gserviceaccount.com", "private_key": pem, "token_uri": "http://x/token"}
    )
    blob = bucket.blob("s")
    blob.upload_from_string(b"x")
    response = httpx.get(_signed(blob, creds, llmops_emulator.endpoint))
    assert response.status_code == 403 and b"No signing key is registered" in response.content


@pytest.mark.parametrize(
    "body",
    [
        {"clientEmail": "not an email", "publicKeyPem": "x"},
        {"clientEmail": "a@b.c", "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"},
        {"clientEmail": "a@b.c", "publicKeyPem": 5},
    ],
)
def test_bad_signing_keys_are_400(http, google_error, body):
    response = http.post("/emulator/v1/signing-keys", json=body)
    assert response.status_code == 400
    google_error(response)
