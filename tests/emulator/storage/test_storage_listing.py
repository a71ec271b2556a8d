"""Listing: pages encoded from each object's kept encoding, and files changed behind the store."""

from __future__ import annotations

import os
import shutil
import time
from urllib.parse import quote

import pytest

from llmops.emulator.storage import index
from llmops.emulator.storage.store import ObjectStore

NAMES = ["plain.txt", "dir/sp ace&%25.txt", 'dir/é文字"quote".txt', "dir/sub/deep", "trailing/"]


@pytest.fixture
def filled(bucket):
    for i, name in enumerate(NAMES):
        blob = bucket.blob(name)
        blob.metadata = {"k": f"v{i}", "ünï": "cødé"}
        blob.upload_from_string(name.encode(), content_type="text/x-test")
    bucket.blob("plain.txt").acl.all().grant_read()
    bucket.blob("plain.txt").acl.save()
    return bucket


def _object(http, bucket, name, **params):
    response = http.get(f"/storage/v1/b/{bucket}/o/{quote(name, safe='')}", params=params)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("projection", [None, "noAcl", "full"])
def test_listed_resources_equal_each_objects_get(http, filled, projection):
    params = {"projection": projection} if projection else {}
    response = http.get(f"/storage/v1/b/{filled.name}/o", params=params)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    page = response.json()
    assert page["kind"] == "storage#objects" and set(page) == {"kind", "items"}
    assert [item["name"] for item in page["items"]] == sorted(NAMES)
    for item in page["items"]:
        assert item == _object(http, filled.name, item["name"], **params)
        assert ("acl" in item) == (projection == "full")
    plain = next(i for i in page["items"] if i["name"] == "plain.txt")
    assert plain["metadata"] == {"k": "v0", "ünï": "cødé"}
    assert plain["mediaLink"].startswith(str(http.base_url).rstrip("/") + "/download/storage/v1/b/")


def test_listed_page_after_a_change_shows_the_new_resource(http, filled):
    before = http.get(f"/storage/v1/b/{filled.name}/o", params={"prefix": "plain"}).json()["items"][0]
    blob = filled.blob("plain.txt")
    blob.metadata = {"k": "changed"}
    blob.patch()
    after = http.get(f"/storage/v1/b/{filled.name}/o", params={"prefix": "plain"}).json()["items"][0]
    assert after["metageneration"] == str(int(before["metageneration"]) + 1)
    assert after["metadata"] == {"k": "changed", "ünï": "cødé"}
    assert after == _object(http, filled.name, "plain.txt")


def test_listed_page_with_prefixes_token_and_the_versions_listing_agree(http, filled):
    path = f"/storage/v1/b/{filled.name}/o"
    first = http.get(path, params={"delimiter": "/", "maxResults": 2}).json()
    assert [i["name"] for i in first["items"]] == ["plain.txt"] and first["prefixes"] == ["dir/"]
    assert first["nextPageToken"]
    rest = http.get(path, params={"delimiter": "/", "maxResults": 2, "pageToken": first["nextPageToken"]}).json()
    assert rest == {"kind": "storage#objects", "prefixes": ["trailing/"]}
    live = http.get(path).json()["items"]
    assert http.get(path, params={"versions": "true"}).json()["items"] == live  # the dict-built path


# ---------------------------------------------------------------- files changed behind the store


@pytest.fixture
def store(tmp_path):
    s = ObjectStore(tmp_path / "gcs")
    s.create_bucket("bk1")
    yield s
    s.close()


def _sizes(store):
    return {i["name"]: i["size"] for i in store.list_objects("bk1")[0]}


def _rewrite_in_place(path, data):
    with open(path, "r+b") as f:  # same inode, no entry added or removed: the folder's mtime stays
        f.write(data)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))


def test_listing_trusts_records_in_unchanged_folders_and_checks_changed_ones(store, monkeypatch):
    monkeypatch.setattr(index, "_RACY_NS", 0)  # folder mtimes are trusted at once
    store.put_bytes("bk1", "x/a", b"a")
    store.put_bytes("bk1", "y/b", b"b")
    assert _sizes(store) == {"x/a": "1", "y/b": "1"}
    folder = store.root / "bk1"
    _rewrite_in_place(folder / "x" / "a", b"AAAA")
    # Replaced by rename, as atomic writers do: the folder's entries change.
    (folder / "y" / ".b.new").write_bytes(b"bbbbbbb")
    os.replace(folder / "y" / ".b.new", folder / "y" / "b")
    mtime = (folder / "y").stat().st_mtime_ns
    os.utime(folder / "y", ns=(mtime, mtime + 10**9))  # a later tick, whatever the clock's grain
    assert _sizes(store) == {"x/a": "1", "y/b": "7"}  # x/ unchanged: its record is trusted
    assert store.get_object("bk1", "x/a")["size"] == "4"  # reading an object checks its file
    assert _sizes(store) == {"x/a": "4", "y/b": "7"}


def test_folder_read_within_its_timestamp_grain_is_read_again(store):
    store.put_bytes("bk1", "x/a", b"a")
    folder = store.root / "bk1" / "x"
    now = time.time_ns()
    os.utime(folder, ns=(now, now))  # changed "just now": a same-tick change would not move it
    assert _sizes(store) == {"x/a": "1"}
    (folder / "b").write_bytes(b"bb")
    _rewrite_in_place(folder / "a", b"AAA")
    os.utime(folder, ns=(now, now))  # the same tick as when it was read
    assert _sizes(store) == {"x/a": "3", "x/b": "2"}


def test_files_present_when_the_store_opens_are_checked_once(tmp_path):
    first = ObjectStore(tmp_path / "gcs")
    first.create_bucket("bk1")
    first.put_bytes("bk1", "x/a", b"a")
    first.close()
    _rewrite_in_place(tmp_path / "gcs" / "bk1" / "x" / "a", b"changed while stopped")
    again = ObjectStore(tmp_path / "gcs")
    try:
        assert [(i["name"], i["size"]) for i in again.list_objects("bk1")[0]] == [("x/a", "21")]
    finally:
        again.close()


def _fresh_mtime(path):
    """Give a folder an mtime unlike any it had (file-system clocks can be coarser than a test)."""
    _fresh_mtime.tick = getattr(_fresh_mtime, "tick", 0) + 10**9
    when = time.time_ns() + _fresh_mtime.tick
    os.utime(path, ns=(when, when))


def test_pages_pick_up_folders_changed_in_their_range(store, monkeypatch):
    monkeypatch.setattr(index, "_RACY_NS", 0)
    for name in ["a/1", "b/1", "c/1", "d/1"]:
        store.put_bytes("bk1", name, b"x")
    assert list(_sizes(store)) == ["a/1", "b/1", "c/1", "d/1"]
    folder = store.root / "bk1"
    (folder / "d" / "2").write_bytes(b"22")
    _fresh_mtime(folder / "d")
    (folder / "e").mkdir()
    (folder / "e" / "1").write_bytes(b"1")
    _fresh_mtime(folder)
    items, prefixes, token = store.list_objects("bk1", delimiter="/")
    assert items == [] and prefixes == ["a/", "b/", "c/", "d/", "e/"] and token is None
    assert [i["name"] for i in store.list_objects("bk1", prefix="d/")[0]] == ["d/1", "d/2"]
    shutil.rmtree(folder / "b")  # a page that covers the vanished folder is made again without it
    _fresh_mtime(folder)
    items, _, token = store.list_objects("bk1", max_results=2)
    assert [i["name"] for i in items] == ["a/1", "c/1"] and token
    seen = [i["name"] for i in items]
    while token:
        items, _, token = store.list_objects("bk1", max_results=2, page_token=token)
        seen += [i["name"] for i in items]
    assert seen == ["a/1", "c/1", "d/1", "d/2", "e/1"]
    assert [n for n in store.iter_names("bk1", "c")] == ["c/1"]
