"""Resumable upload chunks in the forms Google's clients send, the Node.js client's open-ended
`Content-Range: bytes A-*/TOTAL` included (raw HTTP: the Python client never sends it)."""

from __future__ import annotations

import hashlib
import os

import pytest


def _session(http, bucket, name):
    started = http.post(f"/upload/storage/v1/b/{bucket}/o", params={"uploadType": "resumable", "name": name}, json={})
    assert started.status_code == 200
    return started.headers["location"]


def _put(http, url, data, content_range, *, chunked=False):
    body = iter([data]) if chunked else data  # an iterator goes out with chunked transfer encoding
    return http.put(url, content=body, headers={"Content-Range": content_range})


def _stored(http, bucket, name):
    return http.get(f"/download/storage/v1/b/{bucket}/o/{name}", params={"alt": "media"}).content


@pytest.mark.parametrize("chunked", [False, True])
def test_open_range_with_the_total_finishes_the_upload(http, bucket, chunked):
    data = os.urandom(300_000)
    url = _session(http, bucket.name, "node/known.bin")
    done = _put(http, url, data, f"bytes 0-*/{len(data)}", chunked=chunked)
    assert done.status_code == 200, done.text
    assert done.json()["size"] == str(len(data)) and done.json()["name"] == "node/known.bin"
    assert _stored(http, bucket.name, "node%2Fknown.bin") == data


def test_open_range_resumes_after_a_status_check(http, bucket):
    data = os.urandom(600_000)
    url = _session(http, bucket.name, "resumed.bin")
    first = _put(http, url, data[:262144], "bytes 0-262143/*")
    assert first.status_code == 308 and first.headers["range"] == "bytes=0-262143"
    status = _put(http, url, b"", f"bytes */{len(data)}")
    assert status.status_code == 308 and status.headers["range"] == "bytes=0-262143"
    # The client resends from an earlier offset: bytes it already sent are skipped.
    done = _put(http, url, data[100:], f"bytes 100-*/{len(data)}", chunked=True)
    assert done.status_code == 200, done.text
    assert done.json()["md5Hash"] and _stored(http, bucket.name, "resumed.bin") == data
    assert hashlib.md5(_stored(http, bucket.name, "resumed.bin")).digest() == hashlib.md5(data).digest()


@pytest.mark.parametrize("chunked", [False, True])
def test_open_range_of_unknown_total_ends_with_its_body(http, bucket, chunked):
    # chunked: Node's client streaming an object of unknown size in one request
    url = _session(http, bucket.name, "unknown.txt")
    done = _put(http, url, b"hello node", "bytes 0-*/*", chunked=chunked)
    assert done.status_code == 200, done.text
    assert done.json()["size"] == "10" and _stored(http, bucket.name, "unknown.txt") == b"hello node"
    resumed = _session(http, bucket.name, "resumed-unknown.txt")
    assert _put(http, resumed, b"hello ", "bytes 0-5/*").status_code == 308
    done = _put(http, resumed, b"node", "bytes 6-*/*", chunked=True)
    assert done.status_code == 200 and _stored(http, bucket.name, "resumed-unknown.txt") == b"hello node"
    empty = _put(http, _session(http, bucket.name, "empty.txt"), b"", "bytes 0-*/0")
    assert empty.status_code == 200 and empty.json()["size"] == "0"


@pytest.mark.parametrize(
    ("content_range", "chunked", "says"),
    [
        ("bytes 9-*/5", False, "past the object's total size"),
        ("bytes 4-*/10", False, "only 0 bytes were received"),
        ("bytes 0-*/3", False, "Content-Range says 3"),  # more bytes than the range holds
    ],
)
def test_bad_open_ranges_are_400_and_store_nothing(http, bucket, google_error, content_range, chunked, says):
    url = _session(http, bucket.name, "bad.bin")
    response = _put(http, url, b"0123456", content_range, chunked=chunked)
    assert response.status_code == 400
    assert says in google_error(response)["message"]
    assert http.get(f"/storage/v1/b/{bucket.name}/o/bad.bin").status_code == 404
