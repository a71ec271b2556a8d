"""Through google-cloud-storage: what Google's own python-storage documentation samples do and
the emulator got wrong (see "Other emulators' client suites" in docs/emulator.md), as Cloud
Storage documents it."""

from __future__ import annotations

import pytest
from google.api_core import exceptions


def test_a_retention_policy_has_an_effective_time_and_can_be_locked(bucket):
    bucket.retention_period = 60
    bucket.patch()
    assert bucket.retention_policy_effective_time is not None
    assert bucket.retention_policy_locked is None
    bucket.lock_retention_policy()
    bucket.reload()
    assert bucket.retention_policy_locked is True
    bucket.retention_period = 30
    with pytest.raises(exceptions.Forbidden, match="locked"):
        bucket.patch()
    bucket.reload()
    assert bucket.retention_period == 60


def test_locking_needs_the_current_metageneration(storage_client, bucket, http):
    bucket.retention_period = 60
    bucket.patch()
    stale = int(bucket.metageneration) - 1
    answer = http.post(f"/storage/v1/b/{bucket.name}/lockRetentionPolicy", params={"ifMetagenerationMatch": stale})
    assert answer.status_code == 412
    assert http.post(f"/storage/v1/b/{bucket.name}/lockRetentionPolicy").status_code == 400
    assert storage_client.get_bucket(bucket.name).retention_policy_locked is None


def test_objects_under_retention_cannot_be_deleted_until_the_policy_goes(bucket):
    bucket.retention_period = 3600
    bucket.patch()
    blob = bucket.blob("kept.txt")
    blob.upload_from_string(b"x")
    assert blob.retention_expiration_time is not None
    with pytest.raises(exceptions.Forbidden, match="retention"):
        blob.delete()
    bucket.retention_period = None
    bucket.patch()
    blob.delete()


def test_default_event_based_hold_holds_new_objects_until_released(bucket):
    bucket.default_event_based_hold = True
    bucket.patch()
    blob = bucket.blob("held.txt")
    blob.upload_from_string(b"x")
    assert blob.event_based_hold is True
    with pytest.raises(exceptions.Forbidden, match="hold"):
        blob.delete()
    blob.event_based_hold = False
    blob.patch()
    blob.delete()


def test_a_temporary_hold_blocks_deletion(bucket):
    blob = bucket.blob("temp-held.txt")
    blob.upload_from_string(b"x")
    blob.temporary_hold = True
    blob.patch()
    with pytest.raises(exceptions.Forbidden, match="Temporary hold"):
        blob.delete()
    blob.temporary_hold = False
    blob.patch()
    blob.delete()


def test_multi_and_dual_region_buckets_report_default_rpo(storage_client, unique):
    multi = storage_client.create_bucket(f"multi-{unique}", location="US")
    assert multi.rpo == "DEFAULT"
    dual = storage_client.bucket(f"dual-{unique}")
    storage_client.create_bucket(dual, location="US", data_locations=["US-EAST1", "US-WEST1"])
    assert dual.location_type == "dual-region"
    assert dual.data_locations == ["US-EAST1", "US-WEST1"]


def test_autoclass_gets_a_terminal_storage_class(storage_client, unique):
    bucket = storage_client.bucket(f"autoclass-{unique}")
    bucket.autoclass_enabled = True
    bucket = storage_client.create_bucket(bucket)
    assert bucket.autoclass_terminal_storage_class == "NEARLINE"
    assert bucket.autoclass_toggle_time is not None
    bucket.autoclass_terminal_storage_class = "ARCHIVE"
    bucket.patch()
    assert bucket.autoclass_terminal_storage_class == "ARCHIVE"
    bucket.autoclass_terminal_storage_class = "COLDLINE"
    with pytest.raises(exceptions.BadRequest, match="terminalStorageClass"):
        bucket.patch()


def test_a_bad_retention_period_is_refused(bucket):
    bucket.retention_period = -5
    with pytest.raises(exceptions.BadRequest, match="retentionPeriod"):
        bucket.patch()


def test_the_project_has_a_cloud_storage_service_agent(storage_client):
    email = storage_client.get_service_account_email()
    assert email.endswith("@gs-project-accounts.iam.gserviceaccount.com")


def test_an_object_moves_to_a_new_name_in_one_step(bucket):
    source = bucket.blob("draft.txt")
    source.upload_from_string(b"body", content_type="text/plain")
    moved = bucket.move_blob(source, "final.txt", if_source_generation_match=source.generation)
    assert moved.name == "final.txt" and moved.download_as_bytes() == b"body"
    assert moved.content_type == "text/plain"
    assert bucket.get_blob("draft.txt") is None


def test_a_move_with_a_stale_source_generation_changes_nothing(bucket):
    source = bucket.blob("a.txt")
    source.upload_from_string(b"1")
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.move_blob(source, "b.txt", if_source_generation_match=int(source.generation) + 1)
    assert bucket.get_blob("a.txt") is not None and bucket.get_blob("b.txt") is None
    with pytest.raises(exceptions.BadRequest, match="onto itself"):
        bucket.move_blob(source, "a.txt")


def test_transfer_manager_uploads_a_file_in_parallel_parts(bucket, tmp_path):
    from google.cloud.storage import transfer_manager

    data = bytes(range(256)) * 9000  # about 2.2 MiB: three 1 MiB parts
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    blob = bucket.blob("big.bin")
    blob.metadata = {"origin": "parts"}
    transfer_manager.upload_chunks_concurrently(
        str(path), blob, chunk_size=1024 * 1024, max_workers=3, worker_type=transfer_manager.THREAD
    )
    stored = bucket.get_blob("big.bin")
    assert stored.size == len(data) and stored.metadata == {"origin": "parts"}
    assert stored.download_as_bytes() == data


def test_a_multipart_upload_is_completed_only_from_parts_it_has(bucket, http):
    url = f"/{bucket.name}/joined.txt"
    started = http.post(url + "?uploads", headers={"content-type": "text/plain"})
    assert started.status_code == 200
    upload_id = started.text.split("<UploadId>")[1].split("</UploadId>")[0]
    part = http.put(url, params={"uploadId": upload_id, "partNumber": "1"}, content=b"hello ")
    assert part.status_code == 200 and part.headers["etag"]
    assert http.put(url, params={"uploadId": upload_id, "partNumber": "0"}, content=b"x").status_code == 400
    missing = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part><Part><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>"
    answer = http.post(url, params={"uploadId": upload_id}, content=missing)
    assert answer.status_code == 400 and "Part 2" in answer.text
    assert bucket.get_blob("joined.txt") is None
    http.put(url, params={"uploadId": upload_id, "partNumber": "2"}, content=b"world")
    assert http.post(url, params={"uploadId": upload_id}, content=missing).status_code == 200
    assert bucket.blob("joined.txt").download_as_bytes() == b"hello world"
    assert bucket.get_blob("joined.txt").content_type == "text/plain"
    # a completed upload is gone; an aborted one too
    assert http.post(url, params={"uploadId": upload_id}, content=missing).status_code == 404
    other = http.post(url + "?uploads").text.split("<UploadId>")[1].split("</UploadId>")[0]
    assert http.delete(url, params={"uploadId": other}).status_code == 204
    assert http.put(url, params={"uploadId": other, "partNumber": "1"}, content=b"x").status_code == 404


def test_hmac_keys_live_through_create_deactivate_delete(storage_client, unique):
    email = f"hmac-{unique}@llmops-test.iam.gserviceaccount.com"
    key, secret = storage_client.create_hmac_key(service_account_email=email)
    assert key.access_id.startswith("GOOG1E") and len(secret) == 40 and key.state == "ACTIVE"
    listed = {k.access_id for k in storage_client.list_hmac_keys(service_account_email=email)}
    assert listed == {key.access_id}
    with pytest.raises(exceptions.BadRequest, match="ACTIVE"):
        key.delete()
    key.state = "INACTIVE"
    key.update()
    assert storage_client.get_hmac_key_metadata(key.access_id).state == "INACTIVE"
    key.delete()
    assert list(storage_client.list_hmac_keys(service_account_email=email)) == []
    shown = list(storage_client.list_hmac_keys(service_account_email=email, show_deleted_keys=True))
    assert [k.state for k in shown] == ["DELETED"]
    with pytest.raises(exceptions.NotFound):
        storage_client.get_hmac_key_metadata("GOOG1ENOSUCHKEY")
