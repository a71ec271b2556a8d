"""Object versioning, generations, preconditions and soft delete through google-cloud-storage."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc

from llmops.emulator.storage.store import ObjectStore, PreconditionFailed

WEEK = 7 * 86400


@pytest.fixture
def versioned(bucket):
    bucket.versioning_enabled = True
    bucket.patch()
    return bucket


def test_overwrite_and_delete_keep_noncurrent_generations(versioned):
    first = versioned.blob("v.txt")
    first.upload_from_string("one")
    second = versioned.blob("v.txt")
    second.upload_from_string("two")
    assert versioned.reload() is None and versioned.versioning_enabled
    assert versioned.blob("v.txt", generation=first.generation).download_as_bytes() == b"one"
    assert versioned.get_blob("v.txt", generation=first.generation).size == 3
    assert [b.name for b in versioned.list_blobs()] == ["v.txt"]
    listed = list(versioned.list_blobs(versions=True))
    assert [b.generation for b in listed] == [first.generation, second.generation]
    assert listed[0].time_deleted is not None and listed[1].time_deleted is None

    versioned.blob("v.txt").delete()  # the live one becomes noncurrent
    assert list(versioned.list_blobs()) == []
    assert len(list(versioned.list_blobs(versions=True))) == 2
    versioned.blob("v.txt", generation=first.generation).delete()  # gone for good
    assert [b.generation for b in versioned.list_blobs(versions=True)] == [second.generation]
    with pytest.raises(gexc.NotFound):
        versioned.blob("v.txt", generation=first.generation).download_as_bytes()
    with pytest.raises(gexc.Conflict):
        versioned.delete()  # a noncurrent version still holds the bucket


def test_versions_listing_pages_across_generations_and_prefixes(versioned):
    for name in ("a.txt", "a.txt", "a.txt", "d/x", "d/x", "z.txt"):
        versioned.blob(name).upload_from_string(name)
    pages = versioned.list_blobs(versions=True, page_size=2).pages
    seen = [(b.name, b.generation) for page in pages for b in page]
    assert [n for n, _ in seen] == ["a.txt"] * 3 + ["d/x"] * 2 + ["z.txt"]
    assert seen == sorted(seen)
    grouped = versioned.list_blobs(versions=True, delimiter="/")
    assert [b.name for b in grouped] == ["a.txt"] * 3 + ["z.txt"] and grouped.prefixes == {"d/"}


def test_without_versioning_an_overwrite_replaces_the_generation(bucket):
    old = bucket.blob("once.txt")
    old.upload_from_string("one")
    bucket.blob("once.txt").upload_from_string("two")
    with pytest.raises(gexc.NotFound):
        bucket.blob("once.txt", generation=old.generation).download_as_bytes()
    assert len(list(bucket.list_blobs(versions=True))) == 1


def test_preconditions_on_every_path_give_412(versioned):
    blob = versioned.blob("p.txt")
    blob.upload_from_string("x")
    gen, meta = blob.generation, blob.metageneration
    with pytest.raises(gexc.PreconditionFailed):
        versioned.get_blob("p.txt", if_generation_not_match=gen)
    with pytest.raises(gexc.PreconditionFailed):
        versioned.get_blob("p.txt", if_metageneration_not_match=meta)
    with pytest.raises(gexc.PreconditionFailed):
        versioned.blob("p.txt").download_as_bytes(if_generation_match=gen + 1)
    with pytest.raises(gexc.PreconditionFailed):
        versioned.blob("p.txt").download_as_bytes(if_metageneration_match=meta + 1)
    blob.metadata = {"k": "v"}
    with pytest.raises(gexc.PreconditionFailed):
        blob.patch(if_metageneration_match=meta + 1)
    with pytest.raises(gexc.PreconditionFailed):
        versioned.blob("p.txt").upload_from_string("y", if_generation_not_match=gen)
    with pytest.raises(gexc.PreconditionFailed):
        versioned.blob("p.txt").delete(if_generation_match=gen + 1)
    with pytest.raises(gexc.PreconditionFailed):
        versioned.blob("p.txt", generation=gen).delete(if_metageneration_not_match=meta)
    versioned.blob("p.txt").upload_from_string("y", if_generation_match=gen)
    # The old generation, now noncurrent, is checked against its own generation.
    versioned.blob("p.txt", generation=gen).delete(if_generation_match=gen)
    assert versioned.get_blob("p.txt").download_as_bytes() == b"y"


def test_soft_delete_lists_and_restores(bucket):
    bucket.soft_delete_policy.retention_duration_seconds = WEEK
    bucket.patch()
    bucket.reload()
    assert bucket.soft_delete_policy.retention_duration_seconds == WEEK
    blob = bucket.blob("s.txt")
    blob.upload_from_string("keep me", content_type="text/plain")
    blob.delete()
    assert list(bucket.list_blobs()) == []
    deleted = list(bucket.list_blobs(soft_deleted=True))
    assert [(b.name, b.generation) for b in deleted] == [("s.txt", blob.generation)]
    assert deleted[0].soft_delete_time is not None and deleted[0].hard_delete_time > deleted[0].soft_delete_time
    assert bucket.get_blob("s.txt", generation=blob.generation, soft_deleted=True).size == 7

    restored = bucket.restore_blob("s.txt", generation=blob.generation)
    assert restored.generation != blob.generation and restored.content_type == "text/plain"
    assert bucket.blob("s.txt").download_as_bytes() == b"keep me"
    # Restore is a copy: the soft-deleted generation stays, and can be restored again.
    assert [b.generation for b in bucket.list_blobs(soft_deleted=True)] == [blob.generation]
    again = bucket.restore_blob("s.txt", generation=blob.generation)
    assert again.generation > restored.generation
    # The live generation it replaced is soft-deleted in turn (no versioning here).
    assert {b.generation for b in bucket.list_blobs(soft_deleted=True)} == {blob.generation, restored.generation}


def test_soft_delete_bad_inputs(bucket, storage_client):
    bucket.soft_delete_policy.retention_duration_seconds = 60
    with pytest.raises(gexc.BadRequest, match="retentionDurationSeconds"):
        bucket.patch()
    bucket.versioning_enabled = True
    bucket._properties["versioning"] = {"enabled": "yes"}
    with pytest.raises(gexc.BadRequest, match="versioning"):
        bucket.patch()
    bucket.reload()
    bucket.blob("b.txt").upload_from_string("x")
    with pytest.raises(gexc.BadRequest, match="generation"):
        bucket.get_blob("b.txt", soft_deleted=True)
    with pytest.raises(gexc.BadRequest, match="generation"):
        bucket.restore_blob("b.txt", generation="abc")
    with pytest.raises(gexc.NotFound):
        bucket.restore_blob("b.txt", generation=1)


def test_soft_deleted_generations_expire_after_retention(tmp_path):
    store = ObjectStore(tmp_path / "gcs")
    now = [1_000_000.0]
    store.clock = lambda: now[0]
    store.create_bucket("soft", settings={"softDeletePolicy": {"retentionDurationSeconds": WEEK}})
    gen = store.put_bytes("soft", "a", b"1")["generation"]
    store.put_bytes("soft", "a", b"2")  # the overwritten generation is soft-deleted too
    store.delete_object("soft", "a")
    assert len(store.list_objects("soft", soft_deleted=True)[0]) == 2
    with pytest.raises(PreconditionFailed):
        store.restore_object("soft", "a", gen, preconditions={"ifGenerationMatch": "5"})
    now[0] += WEEK + 1
    assert store.list_objects("soft", soft_deleted=True)[0] == []
    assert list((tmp_path / "gcs" / ".llmops-storage" / "blobs" / "soft").iterdir()) == []
    store.close()
