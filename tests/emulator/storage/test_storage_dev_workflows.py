"""Everyday google-cloud-storage calls, end to end against the emulator.

What developers typically do with the Python client (metadata round trips, partial and
streamed transfers, copies and renames, gzip objects, bucket settings) and what Cloud Storage
answers for each, written after running other emulators' client suites against this one."""

from __future__ import annotations

import datetime
import gzip
import io

import httpx
import pytest
from google.api_core import exceptions as gexc


def test_reload_exists_and_metadata_patch(bucket):
    blob = bucket.blob("notes/readme.md")
    assert not blob.exists()
    blob.metadata = {"owner": "ana"}
    blob.cache_control = "public, max-age=60"
    blob.content_disposition = 'attachment; filename="readme.md"'
    blob.content_language = "en"
    blob.upload_from_string("hello", content_type="text/markdown")
    assert blob.exists()
    fresh = bucket.blob("notes/readme.md")
    fresh.reload()
    assert fresh.metadata == {"owner": "ana"}
    assert (fresh.cache_control, fresh.content_language) == ("public, max-age=60", "en")
    assert fresh.content_disposition == 'attachment; filename="readme.md"'
    assert fresh.content_type == "text/markdown"
    first_meta = fresh.metageneration
    fresh.metadata = {"reviewed": "yes"}
    fresh.patch()
    # Patching metadata merges keys and bumps only the metageneration.
    assert fresh.metadata == {"owner": "ana", "reviewed": "yes"}
    assert fresh.metageneration == first_meta + 1
    assert fresh.generation == blob.generation


def test_download_headers_carry_the_stored_metadata(http, bucket):
    blob = bucket.blob("served.txt")
    blob.metadata = {"Color": "Pink", "team": "ml"}
    blob.cache_control = "no-cache"
    blob.content_language = "fr"
    blob.content_disposition = "inline"
    blob.upload_from_string("bonjour", content_type="text/plain")
    for url in (f"/download/storage/v1/b/{bucket.name}/o/served.txt?alt=media", f"/{bucket.name}/served.txt"):
        response = http.get(url)
        assert response.status_code == 200, url
        assert response.headers["x-goog-meta-color"] == "Pink"
        assert response.headers["x-goog-meta-team"] == "ml"
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["content-language"] == "fr"
        assert response.headers["content-disposition"] == "inline"
    bucket.blob("plain.txt").upload_from_string("x")
    plain = http.get(f"/download/storage/v1/b/{bucket.name}/o/plain.txt?alt=media")
    assert not [name for name in plain.headers if name.lower().startswith("x-goog-meta-")]


def test_ranged_text_downloads(bucket):
    blob = bucket.blob("digits.txt")
    blob.upload_from_string("0123456789")
    assert blob.download_as_text(start=2, end=5) == "2345"
    assert blob.download_as_text(start=7) == "789"
    assert blob.download_as_bytes(end=0) == b"0"
    assert blob.download_as_bytes(start=9, end=20) == b"9"


def test_upload_from_file_in_resumable_chunks(bucket):
    chunk = 256 * 1024
    payload = bytes(range(256)) * (chunk * 3 // 256 + 7)
    blob = bucket.blob("chunks.bin", chunk_size=chunk)
    blob.upload_from_file(io.BytesIO(payload), size=len(payload), checksum="crc32c")
    stored = bucket.get_blob("chunks.bin")
    assert stored.size == len(payload)
    assert stored.download_as_bytes(checksum="crc32c") == payload
    assert stored.download_as_bytes(checksum="md5") == payload
    # Unknown size: the client streams chunks with `bytes A-B/*` and names the total at the end.
    unsized = bucket.blob("unsized.bin", chunk_size=chunk)
    unsized.upload_from_file(io.BytesIO(payload))
    assert unsized.download_as_bytes() == payload


def test_blob_open_streams_both_ways(bucket):
    lines = [f"row {i}\n" for i in range(40_000)]
    with bucket.blob("stream.txt").open("w", chunk_size=256 * 1024) as out:
        for line in lines:
            out.write(line)
    with bucket.blob("stream.txt").open("r", chunk_size=64 * 1024) as source:
        assert source.readline() == "row 0\n"
        assert source.read() == "".join(lines[1:])
    with bucket.blob("stream.txt").open("rb") as raw:
        raw.seek(len("".join(lines[:5])))
        assert raw.read(6) == b"row 5\n"


def test_listing_versions_fields_and_pages(storage_client, bucket):
    bucket.versioning_enabled = True
    bucket.patch()
    for i in range(5):
        bucket.blob(f"logs/{i}.txt").upload_from_string(str(i))
    bucket.blob("logs/0.txt").upload_from_string("zero again")
    pages = storage_client.list_blobs(bucket, prefix="logs/", page_size=2).pages
    sizes = [len(list(page)) for page in pages]
    assert sizes == [2, 2, 1]
    every = list(bucket.list_blobs(versions=True, prefix="logs/0"))
    assert len(every) == 2 and len({b.generation for b in every}) == 2
    slim = list(bucket.list_blobs(fields="items(name,size),nextPageToken", prefix="logs/"))
    assert [b.name for b in slim] == [f"logs/{i}.txt" for i in range(5)]
    assert slim[1].size == 1
    assert slim[1].content_type is None and slim[1].generation is None


def test_fields_selects_members_and_a_malformed_one_is_400(http, google_error, bucket):
    bucket.blob("a/b.txt").upload_from_string("abc")
    got = http.get(f"/storage/v1/b/{bucket.name}/o/a%2Fb.txt", params={"fields": "name,size"})
    assert got.json() == {"name": "a/b.txt", "size": "3"}
    listed = http.get(f"/storage/v1/b/{bucket.name}/o", params={"fields": "items/name,kind"})
    assert listed.json() == {"kind": "storage#objects", "items": [{"name": "a/b.txt"}]}
    bad = http.get(f"/storage/v1/b/{bucket.name}/o", params={"fields": "items(name"})
    assert bad.status_code == 400
    assert "items(name" in google_error(bad)["message"]


def test_copy_across_buckets_and_rename(storage_client, bucket, unique):
    other = storage_client.create_bucket(f"other-{unique}")
    source = bucket.blob("a/model.bin")
    source.metadata = {"stage": "prod"}
    source.upload_from_string(b"\x00weights", content_type="application/octet-stream")
    copied = bucket.copy_blob(source, other, "mirror/model.bin")
    assert copied.bucket.name == other.name
    assert other.get_blob("mirror/model.bin").download_as_bytes() == b"\x00weights"
    assert other.get_blob("mirror/model.bin").metadata == {"stage": "prod"}
    renamed = bucket.rename_blob(source, "b/model.bin")
    assert renamed.name == "b/model.bin"
    assert bucket.get_blob("a/model.bin") is None
    assert bucket.get_blob("b/model.bin").download_as_bytes() == b"\x00weights"
    with pytest.raises(gexc.NotFound):
        bucket.copy_blob(bucket.blob("missing"), other)


def test_compose_with_preconditions(bucket):
    parts = [bucket.blob(f"p{i}") for i in range(3)]
    for i, part in enumerate(parts):
        part.upload_from_string(f"{i};")
    target = bucket.blob("whole")
    target.compose(parts, if_generation_match=0)
    assert target.download_as_text() == "0;1;2;"
    with pytest.raises(gexc.PreconditionFailed):
        target.compose(parts, if_generation_match=0)
    generation = bucket.get_blob("whole").generation
    target.compose(parts[:1], if_generation_match=generation)
    assert target.download_as_text() == "0;"
    with pytest.raises(gexc.PreconditionFailed):
        target.compose(parts, if_metageneration_match=99)


def test_signed_url_round_trip(llmops_emulator, bucket, signing_credentials):
    bucket.blob("signed.txt").upload_from_string("secret", content_type="text/plain")
    url = bucket.blob("signed.txt").generate_signed_url(
        version="v4",
        expiration=datetime.timedelta(minutes=5),
        credentials=signing_credentials,
        api_access_endpoint=llmops_emulator.endpoint,
    )
    response = httpx.get(url)
    assert response.status_code == 200 and response.text == "secret"
    tampered = httpx.get(url.replace("signed.txt", "other.txt"))
    assert tampered.status_code == 403


def test_gzip_objects_are_transcoded_unless_gzip_is_accepted(http, bucket):
    text = b"line of text\n" * 500
    blob = bucket.blob("log.txt")
    blob.content_encoding = "gzip"
    blob.upload_from_string(gzip.compress(text), content_type="text/plain")
    url = f"/download/storage/v1/b/{bucket.name}/o/log.txt?alt=media"
    plain = http.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.content == text
    assert "content-encoding" not in plain.headers
    assert plain.headers["x-goog-stored-content-encoding"] == "gzip"
    # A Range is ignored when the object is served decompressed.
    ranged = http.get(url, headers={"Accept-Encoding": "identity", "Range": "bytes=0-3"})
    assert ranged.status_code == 200 and ranged.content == text
    with httpx.stream("GET", http.base_url.join(url), headers={"Accept-Encoding": "gzip"}) as raw:
        assert raw.headers["content-encoding"] == "gzip"
        assert gzip.decompress(b"".join(raw.iter_raw())) == text
    # Through the client: decoded by default, the stored bytes with raw_download.
    assert blob.download_as_bytes() == text
    assert gzip.decompress(blob.download_as_bytes(raw_download=True)) == text
    # `Cache-Control: no-transform` turns transcoding off.
    blob.cache_control = "no-transform"
    blob.patch()
    kept = http.get(url, headers={"Accept-Encoding": "identity"})
    assert kept.headers["content-encoding"] == "gzip"


def test_download_checksums_catch_nothing_on_good_data(bucket):
    blob = bucket.blob("sums.bin")
    blob.upload_from_string(b"checksum me" * 1000, checksum="md5")
    for checksum in ("md5", "crc32c", "auto"):
        assert bucket.blob("sums.bin").download_as_bytes(checksum=checksum) == b"checksum me" * 1000


def test_bucket_settings_round_trip(storage_client, unique):
    bucket = storage_client.bucket(f"settings-{unique}")
    bucket.labels = {"env": "test", "team": "ml"}
    bucket.add_lifecycle_delete_rule(age=30)
    bucket.add_lifecycle_set_storage_class_rule("COLDLINE", age=90, matches_prefix=["logs/"])
    bucket.requester_pays = True
    created = storage_client.create_bucket(bucket)
    fetched = storage_client.get_bucket(created.name)
    assert fetched.labels == {"env": "test", "team": "ml"}
    assert fetched.requester_pays is True
    rules = list(fetched.lifecycle_rules)
    assert rules[0] == {"action": {"type": "Delete"}, "condition": {"age": 30}}
    assert rules[1]["action"] == {"type": "SetStorageClass", "storageClass": "COLDLINE"}
    assert rules[1]["condition"] == {"age": 90, "matchesPrefix": ["logs/"]}
    fetched.labels = {"env": "prod"}
    fetched.requester_pays = False
    fetched.patch()
    again = storage_client.get_bucket(created.name)
    assert again.labels == {"env": "prod"}
    assert not again.requester_pays


def test_iam_policy_v3_conditions_round_trip(bucket):
    bucket.iam_configuration.uniform_bucket_level_access_enabled = True
    bucket.patch()
    policy = bucket.get_iam_policy(requested_policy_version=3)
    policy.version = 3
    condition = {
        "title": "only-reports",
        "description": "reports prefix",
        "expression": f'resource.name.startsWith("projects/_/buckets/{bucket.name}/objects/reports/")',
    }
    policy.bindings.append(
        {"role": "roles/storage.objectViewer", "members": {"user:ana@example.com"}, "condition": condition}
    )
    saved = bucket.set_iam_policy(policy)
    assert saved.version == 3
    again = bucket.get_iam_policy(requested_policy_version=3)
    conditioned = [b for b in again.bindings if b.get("condition")]
    assert conditioned and conditioned[0]["condition"] == condition
    assert conditioned[0]["members"] == {"user:ana@example.com"}
    # ...nor be saved as version 1.
    policy = bucket.get_iam_policy(requested_policy_version=3)
    policy.version = 1
    with pytest.raises(gexc.BadRequest):
        bucket.set_iam_policy(policy)
    # A policy with conditions cannot be read as version 1.
    with pytest.raises(gexc.BadRequest):
        bucket.get_iam_policy()


def test_json_api_without_the_storage_v1_prefix(http, unique):
    """Older Node.js clients send JSON API calls to STORAGE_EMULATOR_HOST + /b/..."""
    name = f"node-{unique}"
    created = http.post("/b", params={"project": "p"}, json={"name": name})
    assert created.status_code == 200 and created.json()["name"] == name
    assert http.get(f"/b/{name}").json()["name"] == name
    http.post(f"/upload/storage/v1/b/{name}/o", params={"uploadType": "media", "name": "x/y.txt"}, content=b"hi")
    assert http.get(f"/b/{name}/o/x%2Fy.txt", params={"alt": "media"}).content == b"hi"
    assert [item["name"] for item in http.get(f"/b/{name}/o").json()["items"]] == ["x/y.txt"]
    assert http.get(f"/b/{name}/o/missing").status_code == 404


def test_an_upload_sent_to_the_metadata_path_is_400(http, google_error, bucket):
    response = http.post(f"/storage/v1/b/{bucket.name}/o", params={"uploadType": "media", "name": "a"}, content=b"x")
    assert response.status_code == 400
    assert "/upload/" in google_error(response)["message"]
    assert bucket.get_blob("a") is None
