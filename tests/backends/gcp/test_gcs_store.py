"""The `gcs` artifact store on google-cloud-storage, against the emulator."""

from __future__ import annotations

import uuid

import pytest

from llmops.backends.gcp.gcs import GcsArtifactStore
from llmops.core.errors import DataError, NotFoundError


@pytest.fixture
def store(emulated):
    assert isinstance(emulated.artifacts, GcsArtifactStore)
    return emulated.artifacts


def test_uri_for_is_under_the_bucket_prefix(store):
    assert store.uri_for("datasets", "v1", "train.jsonl") == "gs://llmops-emulated/llmops/datasets/v1/train.jsonl"
    with pytest.raises(DataError):
        store.uri_for("..", "escape")


def test_put_get_open_list_exists_delete(store, tmp_path):
    base = store.uri_for("t", uuid.uuid4().hex)
    src = tmp_path / "a.txt"
    src.write_text("alpha\n")
    uri = store.put(src, f"{base}/a.txt")
    assert store.exists(uri)
    with store.open(f"{base}/b.jsonl", "wb") as f:
        f.write(b'{"x": 1}\n')
    with store.open(f"{base}/b.jsonl", "rb") as f:
        assert f.read() == b'{"x": 1}\n'
    with store.open(f"{base}/a.txt", "r") as f:
        assert f.read() == "alpha\n"
    assert store.list(base) == [f"{base}/a.txt", f"{base}/b.jsonl"]
    out = store.get(f"{base}/a.txt", tmp_path / "out" / "a.txt")
    assert out.read_text() == "alpha\n"
    moved = store.move(f"{base}/a.txt", f"{base}/moved/a.txt")
    assert store.exists(moved) and not store.exists(f"{base}/a.txt")
    store.delete(moved)
    store.delete(moved)  # already gone: no error
    assert store.list(base) == [f"{base}/b.jsonl"]


def test_missing_objects_and_bad_uris(store, tmp_path):
    missing = store.uri_for("nothing", uuid.uuid4().hex)
    with pytest.raises(NotFoundError):
        store.open(missing)
    with pytest.raises(NotFoundError):
        store.get(missing, tmp_path / "x")
    assert not (tmp_path / "x").exists()  # nothing half-written
    with pytest.raises(DataError, match="gs://"):
        store.open(str(tmp_path / "local.txt"))
    assert store.list("gs://no-such-bucket-here/x") == []
