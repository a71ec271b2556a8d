"""Cloud Storage JSON API through the real google-cloud-storage client against the emulator."""

from __future__ import annotations

import base64
import hashlib
import os

import google_crc32c
import pytest
from google.api_core import exceptions as gexc
from google.cloud import storage


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def _crc(data: bytes) -> str:
    return base64.b64encode(google_crc32c.Checksum(data).digest()).decode()


def test_bucket_create_get_list_patch_delete(storage_client, unique):
    name = f"made-{unique}"
    created = storage_client.create_bucket(name, location="eu")
    assert created.name == name and created.location == "EU"
    with pytest.raises(gexc.Conflict):
        storage_client.create_bucket(name)
    assert storage_client.lookup_bucket(name) is not None
    assert storage_client.lookup_bucket(f"absent-{unique}") is None
    assert name in {b.name for b in storage_client.list_buckets()}
    created.labels = {"env": "test"}
    created.patch()
    assert storage_client.get_bucket(name).labels == {"env": "test"}
    created.blob("x").upload_from_string("x")
    with pytest.raises(gexc.Conflict):
        created.delete()
    created.delete(force=True)
    assert storage_client.lookup_bucket(name) is None


def test_bucket_iam_policy_round_trip(bucket):
    policy = bucket.get_iam_policy()
    assert policy.etag
    policy.bindings.append(
        {"role": "roles/storage.objectViewer", "members": {"serviceAccount:sa@p.iam.gserviceaccount.com"}}
    )
    updated = bucket.set_iam_policy(policy)
    assert any(b["role"] == "roles/storage.objectViewer" for b in updated.bindings)
    assert updated.etag != policy.etag
    assert bucket.test_iam_permissions(["storage.objects.get"]) == ["storage.objects.get"]


def test_multipart_upload_metadata_and_download(bucket):
    blob = bucket.blob("dir/a.txt")
    blob.metadata = {"owner": "me"}
    blob.upload_from_string("hello world", content_type="text/plain")
    assert blob.size == 11 and blob.generation and blob.metageneration == 1
    assert blob.md5_hash == _md5(b"hello world") and blob.crc32c == _crc(b"hello world")
    got = bucket.get_blob("dir/a.txt")
    assert got.content_type == "text/plain" and got.metadata == {"owner": "me"}
    assert got.media_link.startswith(bucket.client._connection.API_BASE_URL)
    assert got.download_as_bytes() == b"hello world"
    assert bucket.blob("dir/a.txt").download_as_text() == "hello world"


def test_resumable_upload_of_a_large_file_single_put(bucket, tmp_path):
    data = os.urandom(9 * 1024 * 1024)  # > 8 MiB: the client switches to a resumable upload
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    blob = bucket.blob("big/one.bin")
    blob.upload_from_filename(str(path))
    assert blob.size == len(data) and blob.md5_hash == _md5(data)
    assert bucket.blob("big/one.bin").download_as_bytes() == data
    out = tmp_path / "back.bin"
    bucket.blob("big/one.bin").download_to_filename(str(out))
    assert out.read_bytes() == data


def test_resumable_upload_in_chunks_answers_308_until_complete(bucket):
    data = os.urandom(9 * 1024 * 1024 + 17)
    blob = bucket.blob("big/chunked.bin", chunk_size=1024 * 1024)
    blob.upload_from_string(data)
    assert bucket.get_blob("big/chunked.bin").crc32c == _crc(data)
    assert bucket.blob("big/chunked.bin").download_as_bytes() == data


def test_blob_writer_and_reader(bucket):
    with bucket.blob("stream/lines.txt").open("w") as f:
        for i in range(1000):
            f.write(f"line {i}\n")
    with bucket.blob("stream/lines.txt").open("r") as f:
        lines = f.read().splitlines()
    assert len(lines) == 1000 and lines[-1] == "line 999"


def test_ranged_reads(bucket):
    data = bytes(range(256)) * 4
    bucket.blob("r.bin").upload_from_string(data)
    blob = bucket.blob("r.bin")
    assert blob.download_as_bytes(start=10, end=19) == data[10:20]
    assert blob.download_as_bytes(start=1000) == data[1000:]


def test_list_with_prefix_delimiter_and_paging(storage_client, bucket):
    for name in ["a/1.txt", "a/2.txt", "a/sub/3.txt", "b/4.txt", "top.txt"]:
        bucket.blob(name).upload_from_string(name)
    assert [b.name for b in storage_client.list_blobs(bucket, prefix="a/")] == ["a/1.txt", "a/2.txt", "a/sub/3.txt"]
    it = storage_client.list_blobs(bucket, delimiter="/")
    assert [b.name for b in it] == ["top.txt"]
    assert it.prefixes == {"a/", "b/"}
    it = storage_client.list_blobs(bucket, prefix="a/", delimiter="/")
    assert [b.name for b in it] == ["a/1.txt", "a/2.txt"] and it.prefixes == {"a/sub/"}
    pages = list(storage_client.list_blobs(bucket, max_results=None, page_size=2).pages)
    assert [len(list(p)) for p in pages] == [2, 2, 1]
    assert [b.name for b in storage_client.list_blobs(bucket, match_glob="**/*.txt", prefix="a/")] == [
        "a/1.txt",
        "a/2.txt",
        "a/sub/3.txt",
    ]


def test_exists_delete_and_not_found(bucket):
    blob = bucket.blob("gone.txt")
    blob.upload_from_string("x")
    assert blob.exists()
    blob.delete()
    assert not blob.exists()
    with pytest.raises(gexc.NotFound):
        blob.download_as_bytes()
    with pytest.raises(gexc.NotFound):
        blob.delete()


def test_copy_rewrite_and_compose(bucket):
    bucket.blob("src.txt").upload_from_string("abc", content_type="text/plain")
    copied = bucket.copy_blob(bucket.blob("src.txt"), bucket, "copy.txt")
    assert copied.download_as_text() == "abc" and copied.content_type == "text/plain"
    token, done, total = bucket.blob("rewritten.txt").rewrite(bucket.blob("src.txt"))
    assert token is None and done == total == 3
    bucket.blob("tail.txt").upload_from_string("def")
    composed = bucket.blob("both.txt")
    composed.compose([bucket.blob("src.txt"), bucket.blob("tail.txt")])
    assert composed.download_as_text() == "abcdef" and composed.crc32c == _crc(b"abcdef")


def test_patch_metadata_bumps_metageneration(bucket):
    blob = bucket.blob("meta.txt")
    blob.upload_from_string("x")
    blob.metadata = {"k": "v"}
    blob.patch()
    got = bucket.get_blob("meta.txt")
    assert got.metadata == {"k": "v"} and got.metageneration == 2 and got.generation == blob.generation


def test_generation_preconditions(bucket):
    blob = bucket.blob("pre.txt")
    blob.upload_from_string("one", if_generation_match=0)
    with pytest.raises(gexc.PreconditionFailed):
        bucket.blob("pre.txt").upload_from_string("two", if_generation_match=0)
    generation = bucket.get_blob("pre.txt").generation
    bucket.blob("pre.txt").upload_from_string("three", if_generation_match=generation)
    assert bucket.get_blob("pre.txt").generation > generation


def test_names_with_special_characters(bucket):
    names = ["spaces and %percent%.txt", "unicode/é文字.txt", "q?hash#.txt", "trailing/"]
    for name in names:
        bucket.blob(name).upload_from_string(name.encode())
    for name in names:
        assert bucket.blob(name).download_as_bytes() == name.encode()
    assert set(names) <= {b.name for b in bucket.list_blobs()}


def test_names_that_escape_the_data_folder_are_refused(bucket, llmops_emulator):
    for name in ["../escape.txt", "a/../../b.txt", "/absolute.txt", "./here.txt"]:
        with pytest.raises(gexc.BadRequest):
            bucket.blob(name).upload_from_string("x")
    assert not (llmops_emulator.data_dir / "storage" / "escape.txt").exists()
    assert not (llmops_emulator.data_dir / "escape.txt").exists()
    bucket.blob("still-fine.txt").upload_from_string("ok")  # and the server keeps serving


def test_storage_emulator_host_environment(llmops_emulator, monkeypatch, bucket):
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", llmops_emulator.endpoint)
    client = storage.Client(project="env-project")  # anonymous credentials picked automatically
    client.bucket(bucket.name).blob("env.txt").upload_from_string("via env")
    assert client.bucket(bucket.name).blob("env.txt").download_as_text() == "via env"


def test_files_written_by_bigquery_appear_with_computed_metadata(storage_client, bucket, llmops_emulator):
    folder = llmops_emulator.data_dir / "storage" / bucket.name / "foreign"
    folder.mkdir(parents=True)
    (folder / "made-outside.jsonl").write_bytes(b'{"a": 1}\n')
    blob = bucket.get_blob("foreign/made-outside.jsonl")
    assert blob.size == 9 and blob.md5_hash == _md5(b'{"a": 1}\n') and blob.crc32c == _crc(b'{"a": 1}\n')
    assert blob.download_as_bytes() == b'{"a": 1}\n'
