"""Bucket and object ACLs through google-cloud-storage: stored and returned (never enforced)."""

from __future__ import annotations


def test_make_public_and_reload_object_acl(bucket):
    blob = bucket.blob("public.txt")
    blob.upload_from_string(b"x")
    blob.make_public()
    assert "READER" in blob.acl.all().get_roles()
    fresh = bucket.blob("public.txt")
    fresh.acl.reload()
    assert fresh.acl.all().get_roles() == {"READER"}
    fresh.make_private()
    again = bucket.blob("public.txt")
    again.acl.reload()
    assert again.acl.all().get_roles() == set()


def test_grant_user_on_object_and_predefined_on_upload(bucket):
    blob = bucket.blob("granted.txt")
    blob.upload_from_string(b"x", predefined_acl="authenticatedRead")
    blob.acl.reload()
    assert blob.acl.all_authenticated().get_roles() == {"READER"}
    blob.acl.user("ana@example.com").grant_owner()
    blob.acl.save()
    reread = bucket.blob("granted.txt")
    reread.acl.reload()
    assert reread.acl.user("ana@example.com").get_roles() == {"OWNER"}


def test_bucket_acl_and_default_object_acl(bucket):
    bucket.acl.reload()
    assert any(e["role"] == "OWNER" for e in bucket.acl)
    bucket.acl.group("team@example.com").grant_write()
    bucket.acl.save()
    bucket.default_object_acl.all().grant_read()
    bucket.default_object_acl.save()
    fresh = bucket.client.bucket(bucket.name)
    fresh.acl.reload()
    fresh.default_object_acl.reload()
    assert fresh.acl.group("team@example.com").get_roles() == {"WRITER"}
    assert fresh.default_object_acl.all().get_roles() == {"READER"}


def test_acl_entry_routes_and_bad_entries(http, bucket, google_error):
    bucket.blob("e").upload_from_string(b"x")
    base = f"/storage/v1/b/{bucket.name}/o/e/acl"
    made = http.post(base, json={"entity": "user-bo@example.com", "role": "READER"})
    assert made.status_code == 200 and made.json()["kind"] == "storage#objectAccessControl"
    assert http.get(f"{base}/user-bo@example.com").json()["role"] == "READER"
    assert http.patch(f"{base}/user-bo@example.com", json={"role": "OWNER"}).json()["role"] == "OWNER"
    assert http.delete(f"{base}/user-bo@example.com").status_code == 204
    missing = http.get(f"{base}/user-bo@example.com")
    assert missing.status_code == 404
    google_error(missing)
    for body in ({"entity": "nobody", "role": "READER"}, {"entity": "allUsers", "role": "WRITER"}, {"role": "READER"}):
        bad = http.post(base, json=body)
        assert bad.status_code == 400, body
        google_error(bad)
    bad_patch = http.patch(f"/storage/v1/b/{bucket.name}/o/e", json={"acl": "everyone"})
    assert bad_patch.status_code == 400
    bad_predefined = http.post(
        f"/upload/storage/v1/b/{bucket.name}/o?uploadType=media&name=f&predefinedAcl=nonsense",
        content=b"x",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert bad_predefined.status_code == 400
    google_error(bad_predefined)
