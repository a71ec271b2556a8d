"""The ArtifactStore contract, for every registered store: put/get, open, list, exists, delete,
copy/move, uri_for, missing objects and names that are not plain ASCII."""

from __future__ import annotations

import pytest

from llmops.core.errors import NotFoundError

BREAKS: dict[tuple[str, str], str] = {}
"""(backend, case) -> how the store differs from the contract; each a strict xfail."""

PAYLOAD = bytes(range(256)) * 64 + b"\r\n\x00end"


@pytest.fixture
def store(artifacts_backend):
    return artifacts_backend.store


@pytest.fixture
def base(artifacts_backend):
    """A fresh prefix under the store's root for one test."""
    return artifacts_backend.scratch()


def test_put_then_get_round_trips_bytes(store, base, tmp_path):
    src = tmp_path / "in.bin"
    src.write_bytes(PAYLOAD)
    uri = store.put(src, f"{base}/blob.bin")
    assert uri == f"{base}/blob.bin" and store.exists(uri)
    out = store.get(uri, tmp_path / "deep" / "out.bin")
    assert out.read_bytes() == PAYLOAD


def test_open_writes_and_reads_binary_and_text(store, base):
    with store.open(f"{base}/rows.jsonl", "wb") as f:
        f.write(b'{"x": 1}\n{"x": 2}\n')
    with store.open(f"{base}/rows.jsonl", "rb") as f:
        assert f.read() == b'{"x": 1}\n{"x": 2}\n'
    with store.open(f"{base}/rows.jsonl", "r") as f:
        assert f.read() == '{"x": 1}\n{"x": 2}\n'


def test_list_is_sorted_and_honours_the_prefix(store, base):
    for name in ("b.txt", "a.txt", "sub/c.txt", "other/d.txt"):
        with store.open(f"{base}/{name}", "wb") as f:
            f.write(name.encode())
    assert store.list(base) == sorted([f"{base}/{n}" for n in ("a.txt", "b.txt", "sub/c.txt", "other/d.txt")])
    assert store.list(f"{base}/sub") == [f"{base}/sub/c.txt"]
    assert store.list(f"{base}/nothing-here") == []


def test_delete_removes_and_is_idempotent(store, base):
    uri = f"{base}/gone.txt"
    with store.open(uri, "wb") as f:
        f.write(b"x")
    store.delete(uri)
    assert not store.exists(uri)
    store.delete(uri)  # already gone: no error
    assert store.list(base) == []


def test_copy_and_move(store, base):
    src = f"{base}/src.bin"
    with store.open(src, "wb") as f:
        f.write(PAYLOAD)
    assert store.copy(src, f"{base}/copies/c.bin") == f"{base}/copies/c.bin"
    assert store.exists(src)
    assert store.move(src, f"{base}/moved/m.bin") == f"{base}/moved/m.bin"
    assert not store.exists(src)
    for uri in (f"{base}/copies/c.bin", f"{base}/moved/m.bin"):
        with store.open(uri, "rb") as f:
            assert f.read() == PAYLOAD


def test_uri_for_joins_under_the_root(store):
    root = store.uri_for()
    uri = store.uri_for("datasets", "v1", "train.jsonl")
    assert uri.startswith(root) and uri.endswith("datasets/v1/train.jsonl")
    assert store.uri_for("datasets/v1", "train.jsonl") == uri


@pytest.mark.parametrize("case", ["get", "open", "copy", "move"])
def test_a_missing_object_is_not_found(known_break, artifacts_backend, store, base, tmp_path, case):
    known_break(BREAKS, artifacts_backend.name, case)
    missing = f"{base}/missing.bin"
    calls = {
        "get": lambda: store.get(missing, tmp_path / "out.bin"),
        "open": lambda: store.open(missing, "rb"),
        "copy": lambda: store.copy(missing, f"{base}/copy.bin"),
        "move": lambda: store.move(missing, f"{base}/moved.bin"),
    }
    with pytest.raises(NotFoundError) as info:
        calls[case]()
    assert "\n" not in str(info.value)
    assert not (tmp_path / "out.bin").exists() and store.list(base) == []  # nothing half-written
    assert not store.exists(missing)


def test_names_with_spaces_and_unicode(store, base, tmp_path):
    uri = f"{base}/dossier été/naïve file ☃.txt"
    src = tmp_path / "u.txt"
    src.write_bytes("héllo ☃\n".encode())
    assert store.put(src, uri) == uri
    assert store.exists(uri) and store.list(base) == [uri]
    assert store.get(uri, tmp_path / "back.txt").read_bytes() == "héllo ☃\n".encode()
    store.delete(uri)
    assert not store.exists(uri)
