"""The object store engine: files on disk as objects, names, listing, generations, preconditions."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest

from llmops.emulator.storage.store import (
    BucketNotFound,
    Conflict,
    InvalidName,
    ObjectNotFound,
    ObjectStore,
    PreconditionFailed,
    StorageError,
    validate_object_name,
)


@pytest.fixture
def store(tmp_path):
    s = ObjectStore(tmp_path / "gcs")
    s.create_bucket("bk1")
    yield s
    s.close()


def test_objects_are_plain_files_at_bucket_slash_name(store):
    doc = store.put_bytes("bk1", "dir/a.txt", b"hello")
    assert (store.root / "bk1" / "dir" / "a.txt").read_bytes() == b"hello"
    assert doc["size"] == "5" and doc["md5Hash"] == base64.b64encode(hashlib.md5(b"hello").digest()).decode()
    assert store.read_bytes("bk1", "dir/a.txt") == b"hello"


def test_files_written_by_others_are_objects_with_lazy_metadata(store):
    folder = store.root / "bk1" / "export"
    folder.mkdir()
    (folder / "000000000000.jsonl").write_bytes(b'{"x": 1}\n')
    (folder / ".000000000001.jsonl.abc.tmp").write_bytes(b"half-written")  # atomic_path's temp file
    items, _, _ = store.list_objects("bk1", prefix="export/")
    assert [i["name"] for i in items] == ["export/000000000000.jsonl"]
    first = items[0]
    assert first["size"] == "9" and first["crc32c"]
    assert store.get_object("bk1", "export/000000000000.jsonl")["generation"] == first["generation"]
    os.utime(folder / "000000000000.jsonl", ns=(1, 10**18))
    (folder / "000000000000.jsonl").write_bytes(b'{"x": 2}\n{"x": 3}\n')
    changed = store.get_object("bk1", "export/000000000000.jsonl")
    assert changed["size"] == "18" and int(changed["generation"]) > int(first["generation"])


def test_buckets_made_on_disk_are_adopted(store):
    (store.root / "made-by-export").mkdir()
    assert store.get_bucket("made-by-export")["name"] == "made-by-export"
    assert "made-by-export" in [b["name"] for b in store.list_buckets()]


@pytest.mark.parametrize("name", ["../x", "a/../../x", "/abs", "a/./b", "..", "", "bad\nname", "x" * 1025])
def test_names_that_could_escape_are_refused(store, name):
    with pytest.raises(InvalidName):
        validate_object_name(name)
    with pytest.raises(InvalidName):
        store.put_bytes("bk1", name, b"x")
    assert sorted(p.name for p in store.root.iterdir()) == [".llmops-storage", "bk1"]


def test_names_that_cannot_be_files_keep_their_bytes_aside(store):
    store.put_bytes("bk1", "folder/", b"")
    store.put_bytes("bk1", "a//b", b"double")
    store.put_bytes("bk1", "leaf", b"file")
    store.put_bytes("bk1", "leaf/child", b"under a file")
    assert store.read_bytes("bk1", "a//b") == b"double"
    assert store.read_bytes("bk1", "leaf/child") == b"under a file"
    assert store.read_bytes("bk1", "leaf") == b"file"
    names = [i["name"] for i in store.list_objects("bk1")[0]]
    assert names == ["a//b", "folder/", "leaf", "leaf/child"]


def test_listing_with_delimiter_offsets_glob_and_pages(store):
    for n in ["a/1", "a/2", "a/b/3", "c", "d/4"]:
        store.put_bytes("bk1", n, n.encode())
    items, prefixes, _ = store.list_objects("bk1", delimiter="/")
    assert [i["name"] for i in items] == ["c"] and prefixes == ["a/", "d/"]
    items, prefixes, _ = store.list_objects("bk1", prefix="a/", delimiter="/")
    assert [i["name"] for i in items] == ["a/1", "a/2"] and prefixes == ["a/b/"]
    items, _, _ = store.list_objects("bk1", start_offset="a/2", end_offset="d")
    assert [i["name"] for i in items] == ["a/2", "a/b/3", "c"]
    items, _, _ = store.list_objects("bk1", match_glob="a/*")
    assert [i["name"] for i in items] == ["a/1", "a/2"]
    seen, token = [], None
    while True:
        items, _, token = store.list_objects("bk1", max_results=2, page_token=token)
        seen += [i["name"] for i in items]
        if not token:
            break
    assert seen == ["a/1", "a/2", "a/b/3", "c", "d/4"]
    with pytest.raises(StorageError):
        store.list_objects("bk1", page_token="garbage!")


def test_listing_index_follows_files_changed_behind_the_store(store):
    store.put_bytes("bk1", "x/a", b"a")
    assert [i["name"] for i in store.list_objects("bk1")[0]] == ["x/a"]  # index built
    folder = store.root / "bk1"
    (folder / "x" / "b").write_bytes(b"bb")
    (folder / "y" / "z").mkdir(parents=True)
    (folder / "y" / "z" / "c").write_bytes(b"ccc")
    items = store.list_objects("bk1")[0]
    assert [(i["name"], i["size"]) for i in items] == [("x/a", "1"), ("x/b", "2"), ("y/z/c", "3")]
    (folder / "x" / "a").write_bytes(b"rewritten in place")
    os.utime(folder / "x" / "a", ns=(1, 10**18))
    (folder / "x" / "b").unlink()
    (folder / "y" / "z" / "c").unlink()
    (folder / "y" / "z").rmdir()
    items, prefixes, _ = store.list_objects("bk1", delimiter="/")
    assert items == [] and prefixes == ["x/"]
    assert [(i["name"], i["size"]) for i in store.list_objects("bk1")[0]] == [("x/a", "18")]


def test_delimiter_pages_do_not_repeat_prefixes(store):
    for n in ["a/1", "a/2", "b", "c/1", "c/2", "d"]:
        store.put_bytes("bk1", n, b"x")
    seen, token = [], None
    while True:
        items, prefixes, token = store.list_objects("bk1", delimiter="/", max_results=1, page_token=token)
        seen += prefixes + [i["name"] for i in items]
        if not token:
            break
    assert seen == ["a/", "b", "c/", "d"]


def test_delete_removes_empty_parent_folders(store):
    store.put_bytes("bk1", "deep/er/x", b"x")
    store.delete_object("bk1", "deep/er/x")
    assert not (store.root / "bk1" / "deep").exists()
    store.put_bytes("bk1", "deep", b"now a file")  # no directory left in the way
    assert store.read_bytes("bk1", "deep") == b"now a file"


def test_generations_and_preconditions(store):
    first = store.put_bytes("bk1", "p", b"1", preconditions={"ifGenerationMatch": "0"})
    with pytest.raises(PreconditionFailed):
        store.put_bytes("bk1", "p", b"2", preconditions={"ifGenerationMatch": "0"})
    second = store.put_bytes("bk1", "p", b"2", preconditions={"ifGenerationMatch": first["generation"]})
    assert int(second["generation"]) > int(first["generation"])
    with pytest.raises(ObjectNotFound):
        store.get_object("bk1", "p", generation=first["generation"])
    updated = store.update_object("bk1", "p", {"metadata": {"k": "v"}, "contentType": "text/plain"})
    assert updated["metageneration"] == "2" and updated["generation"] == second["generation"]
    with pytest.raises(PreconditionFailed):
        store.delete_object("bk1", "p", preconditions={"ifMetagenerationMatch": "1"})


def test_expected_hashes_refuse_corrupted_uploads(store):
    with pytest.raises(StorageError, match="CRC32C"):
        store.put_bytes("bk1", "c", b"data", expected_crc32c="AAAAAA==")
    assert not store.exists("bk1", "c")
    assert not list(store.tmp_dir.iterdir())  # no temporary file left behind


def test_bucket_rules(store):
    with pytest.raises(Conflict):
        store.create_bucket("bk1")
    with pytest.raises(InvalidName):
        store.create_bucket("Bad_Name!")
    with pytest.raises(BucketNotFound):
        store.put_bytes("nope-bucket", "x", b"x")
    store.put_bytes("bk1", "x", b"x")
    with pytest.raises(Conflict):
        store.delete_bucket("bk1")
    store.delete_object("bk1", "x")
    store.delete_bucket("bk1")
    assert not (store.root / "bk1").exists()


def test_iam_policy_etag_guards_concurrent_changes(store):
    policy = store.get_iam_policy("bk1")
    changed = store.set_iam_policy(
        "bk1", {"bindings": [{"role": "roles/storage.admin", "members": ["user:a@b.c"]}], "etag": policy["etag"]}
    )
    assert changed["etag"] != policy["etag"]
    with pytest.raises(PreconditionFailed):
        store.set_iam_policy("bk1", {"bindings": [], "etag": policy["etag"]})


def test_compose_and_copy(store):
    store.put_bytes("bk1", "x", b"ab", metadata={"contentType": "text/plain", "metadata": {"k": "v"}})
    store.put_bytes("bk1", "y", b"cd")
    assert store.read_bytes("bk1", store.compose("bk1", "xy", ["x", "y"])["name"]) == b"abcd"
    copy = store.copy_object("bk1", "x", "bk1", "x2")
    assert copy["contentType"] == "text/plain" and copy["metadata"] == {"k": "v"}


def test_state_survives_reopening(tmp_path):
    s = ObjectStore(tmp_path / "gcs")
    s.create_bucket("keep")
    s.put_bytes("keep", "a", b"1", metadata={"metadata": {"k": "v"}})
    s.close()
    again = ObjectStore(tmp_path / "gcs")
    assert again.get_object("keep", "a")["metadata"] == {"k": "v"}
    again.close()
