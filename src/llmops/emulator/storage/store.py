"""Object storage: Cloud Storage's buckets and objects kept as plain files.

An object's bytes live at `<root>/<bucket>/<object name>`, so anything that writes files there
(the BigQuery engine's `EXPORT DATA` to `gs://B/NAME`) is an object of this store as well:
metadata (size, md5Hash, crc32c, generation) for a file found on disk without a record is
computed on first use and kept. Names that cannot be files (`a//b`, a trailing `/`, or `a/b`
beside an object `a`) keep their bytes in an internal folder instead. Records (bucket settings,
IAM policies, object metadata) are kept in SQLite under `<root>/.llmops-storage/`; bucket names
cannot start with a dot, so that folder never collides with a bucket.

The bucket's folder holds live generations only; noncurrent (object versioning) and
soft-deleted generations are kept aside by `versions.Versions`. Listing reads a sorted name index
per bucket (`index.BucketIndex`), not the folder.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

import google_crc32c

from ...core.errors import LlmopsError, NotFoundError
from . import bucket_rules
from .acl import validate_acl
from .glob import Glob
from .index import BucketIndex
from .versions import Versions

META_DIR = ".llmops-storage"
"""Internal folder under the root; bucket names cannot start with '.', so it never collides."""

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")
_ATOMIC_TMP_RE = re.compile(r"^\..+\.tmp$")  # core.workspace.atomic_path's temporary files
_PAGE_TOKEN_PREFIX = "o:"
_MAX_CACHED_DOCS = 200_000
_MAX_CHAR = "\U0010ffff"


class StorageError(LlmopsError):
    """A storage request that cannot be done; `reason` is Cloud Storage's error reason."""

    reason = "invalid"

    def __init__(self, message: str, *, reason: str | None = None, fix: str | None = None):
        super().__init__(message, fix=fix)
        if reason:
            self.reason = reason


class BucketNotFound(NotFoundError):
    reason = "notFound"


class ObjectNotFound(NotFoundError):
    reason = "notFound"


class Conflict(StorageError):
    reason = "conflict"


class PreconditionFailed(StorageError):
    reason = "conditionNotMet"


class InvalidName(StorageError):
    reason = "invalid"


def rfc3339(seconds: float) -> str:
    """Cloud Storage's timestamp format, millisecond precision, UTC."""
    dt = datetime.fromtimestamp(seconds, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def validate_bucket_name(name: str) -> str:
    """Return `name` if it is a valid bucket name, else raise InvalidName."""
    if not isinstance(name, str) or not _BUCKET_RE.match(name) or ".." in name:
        raise InvalidName(
            f"Invalid bucket name: {name!r}",
            fix="use 3-63 lowercase letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        )
    return name


def validate_object_name(name: str) -> str:
    """Return `name` if it is an acceptable object name, else raise InvalidName.

    Besides Cloud Storage's own rules (1-1024 bytes of UTF-8, no CR/LF), names that would leave
    the bucket's folder on disk are refused: absolute names and `.`/`..` segments.
    """
    if not isinstance(name, str) or not name:
        raise InvalidName("Object name is empty", fix="give the object a name")
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidName(f"Object name {name!r} is not valid UTF-8", fix="use a UTF-8 name") from None
    if size > 1024:
        raise InvalidName(f"Object name is {size} bytes long; the limit is 1024", fix="use a shorter name")
    if any(c in name for c in "\r\n\x00"):
        raise InvalidName(f"Object name {name!r} contains a CR, LF or NUL character", fix="remove them")
    if name.startswith("/"):
        raise InvalidName(
            f"Object name {name!r} is absolute", fix="use a name relative to the bucket, without a leading '/'"
        )
    if any(seg in (".", "..") for seg in name.split("/")):
        raise InvalidName(
            f"Object name {name!r} contains a '.' or '..' segment, which would escape the bucket",
            fix="use a name without '.' or '..' path segments",
        )
    return name


def _directly_mappable(name: str) -> bool:
    # No empty segment, no trailing '/', and every segment a legal file name (most file systems
    # stop at 255 bytes; Cloud Storage does not): other names keep their bytes in the blob folder.
    return all(seg and len(seg.encode("utf-8")) <= 255 for seg in name.split("/"))


class HashingWriter:
    """Writes bytes to a temporary file while computing size, MD5 and CRC32C."""

    def __init__(self, tmp_dir: Path):
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="upload-", suffix=".tmp", dir=tmp_dir)
        self.path = Path(name)
        self._file: BinaryIO = os.fdopen(fd, "wb")
        self._md5 = hashlib.md5()
        self._crc = google_crc32c.Checksum()
        self.size = 0

    @classmethod
    def adopt(cls, tmp_dir: Path, path: Path) -> HashingWriter:
        """A writer holding the bytes of an existing file, moved (not copied) into `tmp_dir`."""
        writer = cls(tmp_dir)
        writer._file.close()
        os.replace(path, writer.path)
        with writer.path.open("rb") as f:
            while chunk := f.read(1 << 20):
                writer._md5.update(chunk)
                writer._crc.update(chunk)
                writer.size += len(chunk)
        writer._file = writer.path.open("ab")
        return writer

    def write(self, data: bytes) -> None:
        if data:
            self._file.write(data)
            self._md5.update(data)
            self._crc.update(data)
            self.size += len(data)

    def finish(self) -> dict[str, Any]:
        """Close the file; return {path, size, md5Hash, crc32c}."""
        self._file.close()
        return {
            "path": self.path,
            "size": self.size,
            "md5Hash": b64(self._md5.digest()),
            "crc32c": b64(self._crc.digest()),
        }

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        self.path.unlink(missing_ok=True)


def hash_file(path: Path) -> tuple[int, str, str]:
    """(size, md5 base64, crc32c base64) of a file."""
    md5 = hashlib.md5()
    crc = google_crc32c.Checksum()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            md5.update(chunk)
            crc.update(chunk)
            size += len(chunk)
    return size, b64(md5.digest()), b64(crc.digest())


_OBJECT_FIELDS = (
    "contentType",
    "contentEncoding",
    "contentDisposition",
    "contentLanguage",
    "cacheControl",
    "metadata",
    "customTime",
    "storageClass",
    "temporaryHold",
    "eventBasedHold",
    "acl",
)
"""Writable object metadata kept as given."""

_BUCKET_FIELDS = (
    "location",
    "locationType",
    "storageClass",
    "labels",
    "versioning",
    "lifecycle",
    "cors",
    "website",
    "logging",
    "iamConfiguration",
    "defaultEventBasedHold",
    "retentionPolicy",
    "encryption",
    "billing",
    "autoclass",
    "softDeletePolicy",
    "hierarchicalNamespace",
    "customPlacementConfig",
    "rpo",
    "acl",
    "defaultObjectAcl",
)
"""Writable bucket settings kept as given (and echoed back); none changes behaviour here."""


class ListedObject:
    """A live object's metadata as the store last checked it (read it, never change it).

    `wire` is free for the HTTP layer to keep this object's encoded resource in: a changed
    object is a new ListedObject, so whatever is kept there never goes stale.
    """

    __slots__ = ("doc", "blob", "mtime_ns", "wire")

    def __init__(self, doc: dict[str, Any], blob: str | None, mtime_ns: int | None):
        self.doc = doc
        self.blob = blob
        self.mtime_ns = mtime_ns
        self.wire: Any = None


class ObjectStore:
    """Buckets and objects under a root folder; thread-safe within one process."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).expanduser().resolve()
        self.meta_dir = self.root / META_DIR
        self.tmp_dir = self.meta_dir / "tmp"
        self.blob_dir = self.meta_dir / "blobs"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.blob_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.meta_dir / "meta.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS objects (
                bucket TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
                blob TEXT, mtime_ns INTEGER, PRIMARY KEY (bucket, name));
            """
        )
        self._versions = Versions(self._db, self.meta_dir)
        self.clock = time.time
        """Wall clock of soft-delete expiry (replaceable in tests)."""
        self._indexes: dict[str, BucketIndex] = {}
        # bucket -> name -> objects written or listed: listing pages answer from it without
        # decoding records again.
        self._docs: dict[str, dict[str, ListedObject]] = {}
        self._clean_tmp()

    def _index(self, bucket: str, *, refresh: bool = True) -> BucketIndex:
        """The bucket's name index, built on first use and (`refresh`) brought up to date with
        its folder."""
        index = self._indexes.get(bucket)
        if index is None:
            kept = [
                r[0]
                for r in self._db.execute("SELECT name FROM objects WHERE bucket = ? AND blob IS NOT NULL", (bucket,))
            ]
            index = self._indexes[bucket] = BucketIndex(self.root / bucket, kept)
        elif refresh:
            index.refresh(self._keeper(bucket))
        return index

    def _keeper(self, bucket: str) -> Callable[[str], bool]:
        return lambda name: self._has_blob(bucket, name)

    def _has_blob(self, bucket: str, name: str) -> bool:
        row = self._db.execute("SELECT blob FROM objects WHERE bucket = ? AND name = ?", (bucket, name)).fetchone()
        return bool(row and row[0])

    def _indexed(self, bucket: str, name: str, present: bool) -> None:
        index = self._indexes.get(bucket)
        if index is not None:
            if present:
                index.add(name)
            else:
                index.discard(name)

    def _clean_tmp(self) -> None:
        for p in self.tmp_dir.glob("upload-*.tmp"):
            p.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---------------------------------------------------------------- buckets

    def _bucket_dir(self, bucket: str) -> Path:
        return self.root / validate_bucket_name(bucket)

    def _bucket_doc(self, name: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT doc FROM buckets WHERE name = ?", (name,)).fetchone()
        if row:
            return json.loads(row[0])
        folder = self.root / name
        if _BUCKET_RE.match(name) and folder.is_dir():  # made by a writer outside the store
            return self._save_bucket(self._new_bucket_doc(name, created=folder.stat().st_mtime))
        return None

    def _new_bucket_doc(self, name: str, *, project: str | None = None, created: float | None = None) -> dict[str, Any]:
        now = time.time() if created is None else created
        return {
            "kind": "storage#bucket",
            "id": name,
            "name": name,
            "projectNumber": "0",
            "project": project,
            "metageneration": "1",
            "location": "US",
            "locationType": "multi-region",
            "storageClass": "STANDARD",
            "etag": "CAE=",
            "timeCreated": rfc3339(now),
            "updated": rfc3339(now),
            "iamConfiguration": {
                "bucketPolicyOnly": {"enabled": False},
                "uniformBucketLevelAccess": {"enabled": False},
                "publicAccessPrevention": "inherited",
            },
            # Cloud Storage gives every new bucket a 7-day soft delete policy unless one is named.
            "softDeletePolicy": {"retentionDurationSeconds": str(_MIN_SOFT_DELETE_S), "effectiveTime": rfc3339(now)},
            "_iam": {"version": 1, "etag": "CAE=", "bindings": _default_bindings(project)},
        }

    def _save_bucket(self, doc: dict[str, Any]) -> dict[str, Any]:
        self._db.execute("INSERT OR REPLACE INTO buckets (name, doc) VALUES (?, ?)", (doc["name"], json.dumps(doc)))
        return doc

    def create_bucket(
        self, name: str, *, project: str | None = None, settings: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Create a bucket; Conflict if it exists."""
        folder = self._bucket_dir(name)
        with self._lock:
            if self._db.execute("SELECT 1 FROM buckets WHERE name = ?", (name,)).fetchone():
                raise Conflict(
                    "Your previous request to create the named bucket succeeded and you already own it.",
                    fix=f"use the existing bucket {name!r} or pick another name",
                )
            doc = self._new_bucket_doc(name, project=project)
            for key in _BUCKET_FIELDS:
                if settings and key in settings:
                    doc[key] = _bucket_field(key, settings[key])
            if isinstance(doc.get("location"), str):
                doc["location"] = doc["location"].upper()
            bucket_rules.settle(doc, None)
            folder.mkdir(parents=True, exist_ok=True)
            return _public(self._save_bucket(doc))

    def get_bucket(self, name: str) -> dict[str, Any]:
        validate_bucket_name(name)
        with self._lock:
            doc = self._bucket_doc(name)
        if doc is None:
            raise BucketNotFound(f"The specified bucket does not exist: {name}", fix="create it first")
        return _public(doc)

    def bucket_exists(self, name: str) -> bool:
        try:
            self.get_bucket(name)
        except (BucketNotFound, InvalidName):
            return False
        return True

    def list_buckets(self, *, project: str | None = None, prefix: str | None = None) -> list[dict[str, Any]]:
        """All buckets, sorted by name (`project` is accepted but one namespace is shared)."""
        with self._lock:
            names = {r[0] for r in self._db.execute("SELECT name FROM buckets")}
            names |= {p.name for p in self.root.iterdir() if p.is_dir() and _BUCKET_RE.match(p.name)}
            docs = [self._bucket_doc(n) for n in sorted(names) if not prefix or n.startswith(prefix)]
        return [_public(d) for d in docs if d is not None]

    def update_bucket(self, name: str, patch: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        """Change bucket settings (PATCH merges, PUT replaces the writable ones)."""
        with self._lock:
            doc = self._bucket_doc(validate_bucket_name(name))
            if doc is None:
                raise BucketNotFound(f"The specified bucket does not exist: {name}", fix="create it first")
            before = json.loads(json.dumps(doc))
            if replace:
                for key in _BUCKET_FIELDS:
                    if key not in ("location", "locationType", "storageClass", "iamConfiguration"):
                        doc.pop(key, None)
            for key in _BUCKET_FIELDS:
                if key in patch:
                    if patch[key] is None:
                        doc.pop(key, None)
                    elif key == "labels" and not replace and isinstance(doc.get("labels"), dict):
                        labels = {**doc["labels"], **patch["labels"]}
                        doc["labels"] = {k: v for k, v in labels.items() if v is not None}
                    else:
                        doc[key] = _bucket_field(key, patch[key])
            bucket_rules.settle(doc, before)
            doc["metageneration"] = str(int(doc["metageneration"]) + 1)
            doc["updated"] = rfc3339(time.time())
            return _public(self._save_bucket(doc))

    def lock_retention_policy(self, name: str, metageneration: str | None) -> dict[str, Any]:
        """Lock the bucket's retention policy for good (`ifMetagenerationMatch` required)."""
        with self._lock:
            doc = self._bucket_doc(validate_bucket_name(name))
            if doc is None:
                raise BucketNotFound(f"The specified bucket does not exist: {name}", fix="create it first")
            bucket_rules.lock_retention(doc, metageneration)
            doc["metageneration"] = str(int(doc["metageneration"]) + 1)
            doc["updated"] = rfc3339(time.time())
            return _public(self._save_bucket(doc))

    def delete_bucket(self, name: str) -> None:
        """Delete an empty bucket; Conflict if it holds objects."""
        with self._lock:
            self.get_bucket(name)
            items, prefixes, _ = self.list_objects(name, max_results=1)
            if items or prefixes or self._versions.has_noncurrent(name):
                raise Conflict(
                    "The bucket you tried to delete is not empty.",
                    fix="delete its objects first (noncurrent versions too: list them with versions=true)",
                )
            self._db.execute("DELETE FROM buckets WHERE name = ?", (name,))
            self._versions.drop_bucket(name)
            self._db.execute("DELETE FROM objects WHERE bucket = ?", (name,))
            self._docs.pop(name, None)
            self._indexes.pop(name, None)
            shutil.rmtree(self.root / name, ignore_errors=True)
            shutil.rmtree(self.blob_dir / name, ignore_errors=True)

    def get_iam_policy(self, name: str, requested_version: int | None = None) -> dict[str, Any]:
        """The bucket's IAM policy; one with conditions only when version 3 is asked for."""
        with self._lock:
            doc = self._bucket_doc(validate_bucket_name(name))
            if doc is None:
                raise BucketNotFound(f"The specified bucket does not exist: {name}", fix="create it first")
            policy = doc.get("_iam") or {"version": 1, "etag": "CAE=", "bindings": []}
        if (requested_version or 1) < 3 and _has_conditions(policy["bindings"]):
            raise StorageError(
                f"The IAM policy of bucket {name} has conditions, which policy version {requested_version or 1} "
                "cannot express",
                fix="request it with optionsRequestedPolicyVersion=3 (requested_policy_version=3)",
            )
        return {"kind": "storage#policy", "resourceId": f"projects/_/buckets/{name}", **policy}

    def set_iam_policy(self, name: str, policy: dict[str, Any]) -> dict[str, Any]:
        """Replace the bucket's IAM policy; a stale `etag` is refused like Cloud Storage does."""
        bindings = policy.get("bindings", [])
        if not isinstance(bindings, list) or any(
            not isinstance(b, dict) or not isinstance(b.get("role"), str) or not isinstance(b.get("members", []), list)
            for b in bindings
        ):
            raise StorageError(
                "IAM policy bindings must be a list of {role, members}", fix="send bindings as [{role, members: [...]}]"
            )
        if _has_conditions(bindings):
            if int(policy.get("version") or 1) < 3:
                raise StorageError(
                    "An IAM policy with conditions must be version 3", fix="set the policy's version to 3"
                )
            if any(
                not isinstance(b["condition"], dict) or not isinstance(b["condition"].get("expression"), str)
                for b in bindings
                if b.get("condition") is not None
            ):
                raise StorageError(
                    "An IAM condition must be an object with a string expression",
                    fix='send condition as {"title": ..., "expression": "..."}',
                )
        with self._lock:
            doc = self._bucket_doc(validate_bucket_name(name))
            if doc is None:
                raise BucketNotFound(f"The specified bucket does not exist: {name}", fix="create it first")
            current = doc.get("_iam") or {"version": 1, "etag": "CAE=", "bindings": []}
            if policy.get("etag") and policy["etag"] != current["etag"]:
                raise PreconditionFailed(
                    "The etag of the IAM policy does not match; it was changed since you read it",
                    fix="read the policy again and reapply your change",
                )
            serial = int.from_bytes(base64.b64decode(current["etag"]), "big") + 1
            new = {
                "version": int(policy.get("version") or 1),
                "etag": b64(serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big")),
                "bindings": bindings,
            }
            doc["_iam"] = new
            self._save_bucket(doc)
        return {"kind": "storage#policy", "resourceId": f"projects/_/buckets/{name}", **new}

    # ---------------------------------------------------------------- objects

    def _require_bucket(self, bucket: str) -> Path:
        folder = self._bucket_dir(bucket)
        if self._bucket_doc(bucket) is None:
            raise BucketNotFound(f"The specified bucket does not exist: {bucket}", fix="create it first")
        return folder

    def _direct_path(self, bucket: str, name: str) -> Path:
        folder = self.root / bucket
        path = folder / name
        resolved = path.resolve()
        if resolved != path or folder.resolve() not in resolved.parents:
            raise InvalidName(f"Object name {name!r} would escape the bucket's folder", fix="use another name")
        return path

    def _record(self, bucket: str, name: str) -> tuple[dict[str, Any], str | None, int | None] | None:
        row = self._db.execute(
            "SELECT doc, blob, mtime_ns FROM objects WHERE bucket = ? AND name = ?", (bucket, name)
        ).fetchone()
        return (json.loads(row[0]), row[1], row[2]) if row else None

    def _current(self, bucket: str, name: str) -> tuple[dict[str, Any], Path] | None:
        """The live object's metadata and the file holding its bytes, reconciled with the disk."""
        rec = self._record(bucket, name)
        if rec is not None and rec[1]:  # bytes in the internal blob folder
            path = self.meta_dir / rec[1]
            if path.is_file():
                return rec[0], path
            self._forget_record(bucket, name)
            self._indexed(bucket, name, False)
            return None
        if not _directly_mappable(name):
            return None
        path = self._direct_path(bucket, name)
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            if rec is not None:
                self._forget_record(bucket, name)
            self._indexed(bucket, name, False)
            return None
        if not path.is_file():
            return None
        if rec is not None and rec[2] == st.st_mtime_ns and int(rec[0]["size"]) == st.st_size:
            return rec[0], path
        # A file written by someone else (EXPORT DATA) or changed behind our back.
        size, md5, crc = hash_file(path)
        old = rec[0] if rec else None
        generation = max(st.st_mtime_ns // 1000, int(old["generation"]) + 1 if old else 0)
        doc = self._new_object_doc(
            bucket,
            name,
            size=size,
            md5=md5,
            crc=crc,
            generation=generation,
            content_type=_guess_content_type(name),
            created=st.st_mtime,
        )
        self._put_record(doc, None, st.st_mtime_ns)
        return doc, path

    def _forget_record(self, bucket: str, name: str) -> None:
        self._db.execute("DELETE FROM objects WHERE bucket = ? AND name = ?", (bucket, name))
        self._docs.get(bucket, {}).pop(name, None)

    def _put_record(self, doc: dict[str, Any], blob: str | None, mtime_ns: int | None) -> None:
        cache = self._docs.setdefault(doc["bucket"], {})
        if len(cache) >= _MAX_CACHED_DOCS:
            cache.clear()
        cache[doc["name"]] = ListedObject(_public(doc), blob, mtime_ns)
        self._db.execute(
            "INSERT OR REPLACE INTO objects (bucket, name, doc, blob, mtime_ns) VALUES (?, ?, ?, ?, ?)",
            (doc["bucket"], doc["name"], json.dumps(doc), blob, mtime_ns),
        )

    @staticmethod
    def _new_object_doc(
        bucket: str,
        name: str,
        *,
        size: int,
        md5: str,
        crc: str,
        generation: int,
        content_type: str | None,
        created: float | None = None,
    ) -> dict[str, Any]:
        now = rfc3339(time.time() if created is None else created)
        return {
            "kind": "storage#object",
            "id": f"{bucket}/{name}/{generation}",
            "name": name,
            "bucket": bucket,
            "generation": str(generation),
            "metageneration": "1",
            "contentType": content_type or "application/octet-stream",
            "storageClass": "STANDARD",
            "size": str(size),
            "md5Hash": md5,
            "crc32c": crc,
            "etag": _etag(generation, 1),
            "timeCreated": now,
            "updated": now,
            "timeStorageClassUpdated": now,
        }

    def new_writer(self) -> HashingWriter:
        """A temporary file to stream an upload into; hand it to `commit`."""
        return HashingWriter(self.tmp_dir)

    def adopt_file(self, path: str | os.PathLike[str]) -> HashingWriter:
        """A writer over an existing file (moved, not copied), e.g. a finished upload session."""
        return HashingWriter.adopt(self.tmp_dir, Path(path))

    def put_bytes(self, bucket: str, name: str, data: bytes, **kwargs: Any) -> dict[str, Any]:
        """Store `data` as an object (see `commit` for the keyword arguments)."""
        writer = self.new_writer()
        try:
            writer.write(data)
        except BaseException:
            writer.discard()
            raise
        return self.commit(bucket, name, writer, **kwargs)

    def put_file(self, bucket: str, name: str, src: str | os.PathLike[str], **kwargs: Any) -> dict[str, Any]:
        """Copy a local file into an object."""
        writer = self.new_writer()
        try:
            with open(src, "rb") as f:
                while chunk := f.read(1 << 20):
                    writer.write(chunk)
        except BaseException:
            writer.discard()
            raise
        return self.commit(bucket, name, writer, **kwargs)

    def commit(
        self,
        bucket: str,
        name: str,
        writer: HashingWriter,
        *,
        metadata: dict[str, Any] | None = None,
        expected_md5: str | None = None,
        expected_crc32c: str | None = None,
        preconditions: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Make the bytes written to `writer` the live generation of `bucket/name`.

        The expected hashes, when given, must match the bytes (a truncated or corrupted upload
        is refused); preconditions are Cloud Storage's ifGenerationMatch and friends.
        """
        info = writer.finish()
        try:
            validate_object_name(name)
            if expected_crc32c and expected_crc32c != info["crc32c"]:
                raise StorageError(
                    f"Provided CRC32C {expected_crc32c!r} doesn't match calculated CRC32C {info['crc32c']!r}",
                    fix="the upload was truncated or corrupted; send it again",
                )
            if expected_md5 and expected_md5 != info["md5Hash"]:
                raise StorageError(
                    f"Provided MD5 hash {expected_md5!r} doesn't match calculated MD5 hash {info['md5Hash']!r}",
                    fix="the upload was truncated or corrupted; send it again",
                )
            meta = dict(metadata or {})
            with self._lock:
                self._require_bucket(bucket)
                current = self._current(bucket, name)
                _check_preconditions(current[0] if current else None, preconditions)
                generation = time.time_ns() // 1000
                if current and generation <= int(current[0]["generation"]):
                    generation = int(current[0]["generation"]) + 1
                doc = self._new_object_doc(
                    bucket,
                    name,
                    size=info["size"],
                    md5=info["md5Hash"],
                    crc=info["crc32c"],
                    generation=generation,
                    content_type=meta.get("contentType") or _guess_content_type(name),
                )
                _apply_object_fields(doc, meta)
                bucket_rules.stamp_new_object(self._bucket_doc(bucket) or {}, doc, meta)
                if current is not None:
                    self._retire(bucket, current[0], current[1], versioned=True)
                blob, mtime_ns = self._place(bucket, name, info["path"], None)
                self._put_record(doc, blob, mtime_ns)
                self._indexed(bucket, name, True)
            return _public(doc)
        finally:
            Path(info["path"]).unlink(missing_ok=True)

    def _place(
        self, bucket: str, name: str, tmp: Path, current: tuple[dict[str, Any], Path] | None
    ) -> tuple[str | None, int | None]:
        """Move `tmp` to where the object's bytes live; return (blob path or None, mtime_ns)."""
        target: Path | None = None
        if _directly_mappable(name):
            candidate = self._direct_path(bucket, name)
            try:
                candidate.parent.mkdir(parents=True, exist_ok=True)
                if not candidate.is_dir():
                    target = candidate
            except (FileExistsError, NotADirectoryError):
                target = None  # a parent segment is an object's file: keep the bytes aside
        if current is not None and (target is None or current[1] != target):
            self._drop_bytes(bucket, current[1])
        if target is None:
            rel = Path("blobs") / bucket / uuid.uuid4().hex
            (self.meta_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, self.meta_dir / rel)
            return str(rel), None
        os.replace(tmp, target)
        return None, target.stat().st_mtime_ns

    def _drop_bytes(self, bucket: str, path: Path) -> None:
        path.unlink(missing_ok=True)
        folder = (self.root / bucket).resolve()
        parent = path.parent
        while parent != folder and folder in parent.parents:
            try:
                parent.rmdir()  # only when empty, so a prefix never outlives its objects
            except OSError:
                break
            parent = parent.parent

    def get_object(
        self,
        bucket: str,
        name: str,
        *,
        generation: str | int | None = None,
        preconditions: dict[str, Any] | None = None,
        soft_deleted: bool = False,
    ) -> dict[str, Any]:
        """Metadata of an object (see `open_object`); ObjectNotFound if absent."""
        return self.open_object(
            bucket, name, generation=generation, preconditions=preconditions, soft_deleted=soft_deleted
        )[0]

    def open_object(
        self,
        bucket: str,
        name: str,
        *,
        generation: str | int | None = None,
        preconditions: dict[str, Any] | None = None,
        soft_deleted: bool = False,
    ) -> tuple[dict[str, Any], Path]:
        """Metadata and the file holding the bytes (read it, never write it): the live
        generation, a noncurrent one (`generation`), or a soft-deleted one (`soft_deleted`)."""
        validate_object_name(name)
        gen = _generation(generation)
        if soft_deleted and gen is None:
            raise StorageError(
                "softDeleted=true needs a generation", fix="pass the generation of the soft-deleted object"
            )
        with self._lock:
            self._require_bucket(bucket)
            found = self._find(bucket, name, gen, soft_deleted)
            if found is None:
                what = f"{bucket}/{name}" + (f" generation {gen}" if gen is not None else "")
                raise ObjectNotFound(
                    f"No such object: {what}",
                    fix="list generations with versions=true (soft-deleted ones with softDeleted=true)",
                )
            _check_preconditions(found[0], preconditions)
            return _public(found[0]), found[1]

    def _find(
        self, bucket: str, name: str, generation: int | None, soft_deleted: bool
    ) -> tuple[dict[str, Any], Path] | None:
        if soft_deleted:
            self._versions.purge_expired(self.clock())
            return self._versions.get(bucket, name, generation or 0, soft=True)
        current = self._current(bucket, name)
        if generation is None or (current is not None and int(current[0]["generation"]) == generation):
            return current
        return self._versions.get(bucket, name, generation, soft=False)

    def _policy(self, bucket: str) -> tuple[bool, int]:
        """(versioning enabled, soft-delete retention in seconds) of a bucket."""
        doc = self._bucket_doc(bucket) or {}
        versioning = bool((doc.get("versioning") or {}).get("enabled"))
        retention = int((doc.get("softDeletePolicy") or {}).get("retentionDurationSeconds") or 0)
        return versioning, retention

    def _retire(self, bucket: str, doc: dict[str, Any], path: Path, *, versioned: bool) -> None:
        """Take a live generation out of the folder: noncurrent when the bucket keeps versions
        (and `versioned`), soft-deleted when it has a retention, else gone."""
        versioning, retention = self._policy(bucket)
        now = self.clock()
        if versioning and versioned:
            self._versions.keep(doc, path, expires=None, stamps={"timeDeleted": rfc3339(now)})
        elif retention > 0:
            self._versions.keep(doc, path, expires=now + retention, stamps=_soft_stamps(now, retention))
        else:
            self._drop_bytes(bucket, path)
            return
        self._drop_bytes(bucket, path)  # only tidies the emptied parent folders

    def restore_object(
        self,
        bucket: str,
        name: str,
        generation: str | int | None,
        *,
        preconditions: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Make a soft-deleted generation live again as a new generation with its metadata; the
        soft-deleted generation stays until its hardDeleteTime (restore makes a copy)."""
        validate_object_name(name)
        gen = _generation(generation)
        if gen is None:
            raise StorageError("restore needs a generation", fix="pass the generation of the soft-deleted object")
        with self._lock:
            doc, path = self.open_object(bucket, name, generation=gen, soft_deleted=True)
            current = self._current(bucket, name)
            _check_preconditions(current[0] if current else None, preconditions)
            meta = {k: doc[k] for k in _OBJECT_FIELDS if k in doc}
            return self.put_file(bucket, name, path, metadata=meta)

    def read_bytes(self, bucket: str, name: str) -> bytes:
        return self.open_object(bucket, name)[1].read_bytes()

    def exists(self, bucket: str, name: str) -> bool:
        try:
            self.open_object(bucket, name)
        except (ObjectNotFound, BucketNotFound):
            return False
        return True

    def delete_object(
        self,
        bucket: str,
        name: str,
        *,
        generation: str | int | None = None,
        preconditions: dict[str, Any] | None = None,
    ) -> None:
        validate_object_name(name)
        gen = _generation(generation)
        with self._lock:
            doc, path = self.open_object(bucket, name, generation=gen, preconditions=preconditions)
            bucket_rules.check_deletable(self._bucket_doc(bucket) or {}, doc)
            current = self._current(bucket, name)
            if current is None or current[0]["generation"] != doc["generation"]:  # a noncurrent version
                _, retention = self._policy(bucket)
                if retention > 0:
                    now = self.clock()
                    stamps = _soft_stamps(now, retention)
                    self._versions.soften(bucket, name, int(doc["generation"]), expires=now + retention, stamps=stamps)
                else:
                    self._versions.remove(bucket, name, int(doc["generation"]))
                return
            self._forget_record(bucket, name)
            self._indexed(bucket, name, False)
            # Naming the live generation deletes it for good, as Cloud Storage does (soft delete aside).
            self._retire(bucket, current[0], path, versioned=gen is None)

    def update_object(
        self,
        bucket: str,
        name: str,
        patch: dict[str, Any],
        *,
        replace: bool = False,
        preconditions: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Change writable metadata (PATCH merges; PUT replaces); bumps the metageneration."""
        validate_object_name(name)
        with self._lock:
            self._require_bucket(bucket)
            current = self._current(bucket, name)
            if current is None:
                raise ObjectNotFound(f"No such object: {bucket}/{name}", fix="check the bucket and object name")
            _check_preconditions(current[0], preconditions)
            doc = dict(current[0])
            if replace:
                for key in _OBJECT_FIELDS:
                    if key not in ("contentType", "storageClass"):
                        doc.pop(key, None)
            _apply_object_fields(doc, patch, merge_metadata=not replace)
            _hold_custom_time(current[0], doc)
            meta_gen = int(doc["metageneration"]) + 1
            doc["metageneration"] = str(meta_gen)
            doc["etag"] = _etag(int(doc["generation"]), meta_gen)
            doc["updated"] = rfc3339(time.time())
            rec = self._record(bucket, name)
            self._put_record(doc, rec[1] if rec else None, rec[2] if rec else None)
            return _public(doc)

    def copy_object(
        self,
        src_bucket: str,
        src_name: str,
        dst_bucket: str,
        dst_name: str,
        *,
        metadata: dict[str, Any] | None = None,
        source_generation: str | int | None = None,
        preconditions: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Copy an object; the copy keeps the source's metadata unless `metadata` overrides it."""
        src_doc, src_path = self.open_object(src_bucket, src_name, generation=source_generation)
        meta = {k: src_doc[k] for k in _OBJECT_FIELDS if k in src_doc}
        if metadata:
            meta.update({k: v for k, v in metadata.items() if k in _OBJECT_FIELDS})
        return self.put_file(dst_bucket, dst_name, src_path, metadata=meta, preconditions=preconditions)

    def move_object(
        self,
        bucket: str,
        src_name: str,
        dst_name: str,
        *,
        source_preconditions: dict[str, Any] | None = None,
        preconditions: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Rename an object within its bucket in one step (Cloud Storage's objects.move): the
        destination is written and the source deleted, or neither."""
        if src_name == dst_name:
            raise StorageError(f"Cannot move object {src_name!r} onto itself", fix="give a different destination name")
        with self._lock:
            src_doc, _ = self.open_object(bucket, src_name, preconditions=source_preconditions)
            bucket_rules.check_deletable(self._bucket_doc(bucket) or {}, src_doc)
            doc = self.copy_object(bucket, src_name, bucket, dst_name, preconditions=preconditions)
            self.delete_object(bucket, src_name, generation=src_doc["generation"])
            return doc

    def compose(
        self,
        bucket: str,
        name: str,
        sources: list[str],
        *,
        metadata: dict[str, Any] | None = None,
        preconditions: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Concatenate up to 32 objects of `bucket` into `name`."""
        if not sources:
            raise StorageError("compose needs at least one source object", fix="list sourceObjects")
        if len(sources) > 32:
            raise StorageError(f"compose takes at most 32 source objects, got {len(sources)}", fix="compose in steps")
        writer = self.new_writer()
        meta = dict(metadata or {})
        try:
            for src in sources:
                src_doc, path = self.open_object(bucket, src)
                # A destination that names no type takes the first source's, as gsutil/gcloud compose does.
                meta.setdefault("contentType", src_doc.get("contentType"))
                with path.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        writer.write(chunk)
        except BaseException:
            writer.discard()
            raise
        if meta.get("contentType") is None:
            meta.pop("contentType", None)
        return self.commit(bucket, name, writer, metadata=meta, preconditions=preconditions)

    def list_objects(
        self,
        bucket: str,
        *,
        prefix: str = "",
        delimiter: str | None = None,
        page_token: str | None = None,
        max_results: int | None = None,
        start_offset: str | None = None,
        end_offset: str | None = None,
        include_trailing_delimiter: bool = False,
        match_glob: str | None = None,
        versions: bool = False,
        soft_deleted: bool = False,
    ) -> tuple[list[dict[str, Any]], list[str], str | None]:
        """(objects, prefixes, next page token), sorted by name like Cloud Storage.

        `max_results` bounds objects and prefixes together. `versions` lists every generation
        (noncurrent ones first, by generation); `soft_deleted` lists only soft-deleted ones.
        """
        prefix = prefix or ""
        if versions or soft_deleted:
            return self._list_generations(
                bucket,
                prefix=prefix,
                delimiter=delimiter,
                page_token=page_token,
                limit=max_results if max_results and max_results > 0 else 1000,
                start_offset=start_offset,
                end_offset=end_offset,
                glob=Glob(match_glob) if match_glob else None,
                soft_deleted=soft_deleted,
            )
        items, prefixes, token = self.list_live(
            bucket,
            prefix=prefix,
            delimiter=delimiter,
            page_token=page_token,
            max_results=max_results,
            start_offset=start_offset,
            end_offset=end_offset,
            include_trailing_delimiter=include_trailing_delimiter,
            match_glob=match_glob,
        )
        return [dict(o.doc) for o in items], prefixes, token

    def list_live(
        self,
        bucket: str,
        *,
        prefix: str = "",
        delimiter: str | None = None,
        page_token: str | None = None,
        max_results: int | None = None,
        start_offset: str | None = None,
        end_offset: str | None = None,
        include_trailing_delimiter: bool = False,
        match_glob: str | None = None,
    ) -> tuple[list[ListedObject], list[str], str | None]:
        """`list_objects` of live generations, answering the store's own ListedObjects (no copy)."""
        prefix = prefix or ""
        after = _decode_token(page_token) if page_token else None
        glob = Glob(match_glob) if match_glob else None
        limit = max_results if max_results and max_results > 0 else 1000
        low = max(prefix, start_offset or "", after or "")
        high = prefix + _MAX_CHAR if prefix else None
        if end_offset:
            high = min(high, end_offset) if high is not None else end_offset
        with self._lock:
            self._require_bucket(bucket)
            checks = 3 if bucket in self._indexes else 0  # a new index has just read the folder
            index = self._index(bucket, refresh=False)
            keep = self._keeper(bucket)
            options = (prefix, delimiter, after, glob, limit, end_offset, include_trailing_delimiter)
            page, more, seen = _live_page(index, low, *options)
            # Only the folders that can hold names this page looked at are checked; when that
            # changes names the page is made again (a few times at most: a folder that keeps
            # changing under a listing does not hold it up).
            while checks and index.refresh_range(low, seen if more else high, keep):
                page, more, seen = _live_page(index, low, *options)
                checks -= 1
            prefixes = [e for e, is_prefix in page if is_prefix]
            items = self._listed(bucket, index, [e for e, is_prefix in page if not is_prefix])
            token = _encode_token(page[-1][0]) if more and page else None
        return items, prefixes, token

    def _list_generations(
        self,
        bucket: str,
        *,
        prefix: str,
        delimiter: str | None,
        page_token: str | None,
        limit: int,
        start_offset: str | None,
        end_offset: str | None,
        glob: Glob | None,
        soft_deleted: bool,
    ) -> tuple[list[dict[str, Any]], list[str], str | None]:
        after = _decode_generation_token(page_token) if page_token else None
        start = max(start_offset or "", after[0] if after else "")
        with self._lock:
            self._require_bucket(bucket)
            if soft_deleted:
                self._versions.purge_expired(self.clock())
            kept = self._versions.rows(bucket, soft=soft_deleted, start=start, prefix=prefix)
            live: Iterator[str] = iter(())
            index: BucketIndex | None = None
            if not soft_deleted:
                index = self._index(bucket)
                names = index.names
                live = (names[i] for i in range(index.position(max(prefix, start)), index.position_after_group(prefix)))
            # (name, generation or None for the live one, metadata or None) in listing order: a
            # live generation is newer than every noncurrent one of its name.
            merged = _merge_generations(kept, live, start)
            entries: list[tuple[str, int | None, dict[str, Any] | None, bool]] = []
            group: str | None = None
            for name, gen, doc in merged:
                if len(entries) > limit or (end_offset and name >= end_offset):
                    break
                if after is not None and _generation_key(name, gen) <= _generation_key(*after):
                    continue
                if glob and not glob.match(name):
                    continue
                if delimiter:
                    cut = name.find(delimiter, len(prefix))
                    if cut >= 0:
                        g = name[: cut + len(delimiter)]
                        if g != group:
                            group = g
                            if after is None or g > after[0]:
                                entries.append((g, None, None, True))
                        continue
                entries.append((name, gen, doc, False))
            page, more = entries[:limit], len(entries) > limit
            prefixes = [e[0] for e in page if e[3]]
            live_names = [e[0] for e in page if not e[3] and e[2] is None]
            listed = self._listed(bucket, index, live_names) if index is not None else []
            live_docs = {o.doc["name"]: dict(o.doc) for o in listed}
            items = [
                _public(e[2]) if e[2] is not None else live_docs[e[0]]
                for e in page
                if not e[3] and (e[2] is not None or e[0] in live_docs)
            ]
            token = _encode_generation_token(page[-1][0], page[-1][1]) if more and page else None
        return items, prefixes, token

    def _listed(self, bucket: str, index: BucketIndex, names: list[str]) -> list[ListedObject]:
        """Metadata of listed objects: records read in bulk and trusted, except for files in
        directories that changed since they were last read (`index.suspects`) and bytes kept in
        the blob folder, checked against the disk one by one (a changed file is hashed again)."""
        cache = self._docs.setdefault(bucket, {})
        listed = list(map(cache.get, names))
        if None in listed:
            missing = [n for n, o in zip(names, listed, strict=True) if o is None]
            for chunk in range(0, len(missing), 500):
                part = missing[chunk : chunk + 500]
                marks = ",".join("?" * len(part))
                for row in self._db.execute(
                    f"SELECT name, doc, blob, mtime_ns FROM objects WHERE bucket = ? AND name IN ({marks})",
                    (bucket, *part),
                ):
                    cache[row[0]] = ListedObject(_public(json.loads(row[1])), row[2], row[3])
            listed = list(map(cache.get, names))
        suspects = index.suspects
        if None not in listed and suspects.isdisjoint(names):
            found = cast(list[ListedObject], listed)
            if not any(o.blob for o in found):
                return found
        folder = f"{self.root / bucket}{os.sep}"
        out: list[ListedObject] = []
        for name, rec in zip(names, listed, strict=True):
            if rec is not None and rec.blob is None:
                if name not in suspects:
                    out.append(rec)
                    continue
                try:
                    st = os.stat(folder + name)
                except OSError:
                    st = None
                if st is not None and st.st_mtime_ns == rec.mtime_ns and int(rec.doc["size"]) == st.st_size:
                    suspects.discard(name)
                    out.append(rec)
                    continue
            current = self._current(bucket, name)
            suspects.discard(name)
            if current is not None:
                kept = cache.get(name)
                out.append(kept if kept is not None else ListedObject(_public(current[0]), None, None))
        return out

    def _names(self, bucket: str, prefix: str) -> list[str]:
        """Every object name under `prefix`, sorted."""
        fresh = bucket not in self._indexes
        index = self._index(bucket, refresh=False)
        if not fresh:
            index.refresh_range(prefix, prefix + _MAX_CHAR if prefix else None, self._keeper(bucket))
        return index.prefixed(prefix)

    def iter_names(self, bucket: str, prefix: str = "") -> Iterator[str]:
        """Every object name under `prefix`, sorted (no metadata work)."""
        with self._lock:
            self._require_bucket(bucket)
            names = self._names(bucket, prefix)
        yield from names


def _live_page(
    index: BucketIndex,
    low: str,
    prefix: str,
    delimiter: str | None,
    after: str | None,
    glob: Glob | None,
    limit: int,
    end_offset: str | None,
    include_trailing_delimiter: bool,
) -> tuple[list[tuple[str, bool]], bool, str]:
    """(entries of a page: (name or prefix, is_prefix) in Cloud Storage's order, whether more
    follow, the last name looked at) from the index as it is."""
    all_names = index.names
    count = len(all_names)
    i = index.position(low)
    if not delimiter and not glob:  # a slice of the index
        stop = index.position_after_group(prefix) if prefix else count
        if end_offset:
            stop = min(stop, index.position(end_offset))
        if after is not None and i < stop and all_names[i] == after:
            i += 1
        window = all_names[i : min(stop, i + limit + 1)]
        more = len(window) > limit
        return [(n, False) for n in window[:limit]], more, window[-1] if more else ""
    entries: list[tuple[str, bool]] = []
    name = ""
    while len(entries) <= limit and i < count:
        name = all_names[i]
        if not name.startswith(prefix) or (end_offset and name >= end_offset):
            break
        i += 1
        if (after is not None and name <= after) or (glob and not glob.match(name)):
            continue
        if delimiter:
            cut = name.find(delimiter, len(prefix))
            if cut >= 0:
                group = name[: cut + len(delimiter)]
                if after is None or group > after:
                    entries.append((group, True))
                    if include_trailing_delimiter and name == group:
                        entries.append((name, False))
                i = index.position_after_group(group)
                continue
        entries.append((name, False))
    more = len(entries) > limit
    return entries[:limit], more, name


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _etag(generation: int, metageneration: int) -> str:
    return b64(hashlib.md5(f"{generation}/{metageneration}".encode()).digest()[:9])


def _default_bindings(project: str | None) -> list[dict[str, Any]]:
    p = project or "_"
    return [
        {"role": "roles/storage.legacyBucketOwner", "members": [f"projectEditor:{p}", f"projectOwner:{p}"]},
        {"role": "roles/storage.legacyBucketReader", "members": [f"projectViewer:{p}"]},
    ]


_TEXT_FIELDS = (
    "contentType",
    "contentEncoding",
    "contentDisposition",
    "contentLanguage",
    "cacheControl",
    "customTime",
    "storageClass",
)
_MAX_FIELD_BYTES = 2048
_MAX_CUSTOM_METADATA_BYTES = 8 * 1024
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def _invalid_field(key: str, why: str) -> StorageError:
    return StorageError(f"Invalid value for {key}: {why}", reason="invalid", fix=f"send {key} as a short plain string")


def _check_text(key: str, value: Any) -> int:
    """The UTF-8 size of a metadata text value; raises if it is not one Cloud Storage accepts."""
    if not isinstance(value, str):
        raise _invalid_field(key, f"expected a string, got {type(value).__name__}")
    if _CONTROL_CHARS.search(value):
        raise _invalid_field(key, "control characters are not allowed")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise _invalid_field(key, "not valid Unicode text") from None
    if size > _MAX_FIELD_BYTES:
        raise _invalid_field(key, f"{size} bytes long; the limit is {_MAX_FIELD_BYTES}")
    return size


def validate_object_fields(meta: dict[str, Any]) -> None:
    """Refuse writable object metadata Cloud Storage would refuse: non-strings, control
    characters, over-long values (they would later break the object's download headers)."""
    for key in _TEXT_FIELDS:
        if meta.get(key) is not None:
            _check_text(key, meta[key])
    if meta.get("customTime") is not None and _rfc3339_time(meta["customTime"]) is None:
        raise StorageError(
            f"Invalid value for customTime: {str(meta['customTime'])[:64]!r} is not an RFC 3339 date-time",
            reason="invalid",
            fix="send customTime like 2024-05-01T12:00:00Z",
        )
    if meta.get("acl") is not None:
        validate_acl(meta["acl"])
    for key in ("temporaryHold", "eventBasedHold"):
        if meta.get(key) is not None and not isinstance(meta[key], bool):
            raise _invalid_field(key, "expected true or false")
    custom = meta.get("metadata")
    if custom is None:
        return
    if not isinstance(custom, dict):
        raise StorageError("object metadata must be a map of strings", fix="send metadata as {key: value}")
    total = 0
    for k, v in custom.items():
        if not k:
            raise _invalid_field("metadata", "a key is empty")
        total += _check_text(f"metadata key {k[:64]!r}", k)
        if v is not None:
            total += _check_text(f"metadata[{k[:64]!r}]", v)
    if total > _MAX_CUSTOM_METADATA_BYTES:
        raise _invalid_field("metadata", f"{total} bytes of keys and values; the limit is {_MAX_CUSTOM_METADATA_BYTES}")


_MIN_SOFT_DELETE_S = 7 * 86400
_MAX_SOFT_DELETE_S = 90 * 86400


def _bucket_field(key: str, value: Any) -> Any:
    if key in ("acl", "defaultObjectAcl") and value is not None:
        return validate_acl(value, field=key, bucket_level=key == "acl")
    if key == "versioning" and value is not None:
        if not isinstance(value, dict) or not isinstance(value.get("enabled", False), bool):
            raise StorageError('versioning must be {"enabled": true|false}', fix="send versioning.enabled as a boolean")
        return {"enabled": bool(value.get("enabled"))}
    if key == "softDeletePolicy" and value is not None:
        raw = value.get("retentionDurationSeconds") if isinstance(value, dict) else None
        try:
            seconds = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            seconds = -1
        if seconds != 0 and not _MIN_SOFT_DELETE_S <= seconds <= _MAX_SOFT_DELETE_S:
            raise StorageError(
                f"softDeletePolicy.retentionDurationSeconds must be 0 or between {_MIN_SOFT_DELETE_S} and "
                f"{_MAX_SOFT_DELETE_S}, got {raw!r}",
                fix="use 0 to turn soft delete off, or 7 to 90 days in seconds",
            )
        return {"retentionDurationSeconds": str(seconds), "effectiveTime": rfc3339(time.time())}
    return value


def _has_conditions(bindings: list[dict[str, Any]]) -> bool:
    return any(b.get("condition") is not None for b in bindings)


def _generation(value: str | int | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        gen = int(value)
    except (TypeError, ValueError):
        gen = -1
    if gen < 0:
        raise StorageError(f"Invalid generation {value!r}", fix="send the object's generation as a number")
    return gen


def _soft_stamps(now: float, retention: int) -> dict[str, str]:
    return {"timeDeleted": rfc3339(now), "softDeleteTime": rfc3339(now), "hardDeleteTime": rfc3339(now + retention)}


def _apply_object_fields(doc: dict[str, Any], meta: dict[str, Any], *, merge_metadata: bool = False) -> None:
    validate_object_fields(meta)
    for key in _OBJECT_FIELDS:
        if key not in meta:
            continue
        value = meta[key]
        if key == "acl" and value is not None:
            doc["acl"] = validate_acl(value)
        elif key == "metadata":
            if value is None:
                doc.pop("metadata", None)
                continue
            if not isinstance(value, dict):
                raise StorageError("object metadata must be a map of strings", fix="send metadata as {key: value}")
            merged = {**(doc.get("metadata") or {}), **value} if merge_metadata else dict(value)
            merged = {str(k): str(v) for k, v in merged.items() if v is not None}
            if merged:
                doc["metadata"] = merged
            else:
                doc.pop("metadata", None)
        elif value is None:
            if key == "contentType":
                doc[key] = "application/octet-stream"
            else:
                doc.pop(key, None)
        else:
            doc[key] = value


def _rfc3339_time(value: Any) -> datetime | None:
    """The instant an RFC 3339 date-time names (with a zone), or None if `value` is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _hold_custom_time(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Keep an object's customTime from being removed or moved earlier by a metadata update:
    Cloud Storage documents that once set it only moves forward (a new upload resets it)."""
    old = _rfc3339_time(before.get("customTime"))
    if old is None:
        return
    new = _rfc3339_time(after.get("customTime"))
    if new is None or new < old:
        after["customTime"] = before["customTime"]


def _check_preconditions(doc: dict[str, Any] | None, pre: dict[str, Any] | None) -> None:
    if not pre:
        return
    gen = int(doc["generation"]) if doc else 0
    meta = int(doc["metageneration"]) if doc else None
    checks = {
        "ifGenerationMatch": lambda v: gen == int(v),
        "ifGenerationNotMatch": lambda v: gen != int(v),
        "ifMetagenerationMatch": lambda v: meta is not None and meta == int(v),
        "ifMetagenerationNotMatch": lambda v: meta is None or meta != int(v),
    }
    for key, ok in checks.items():
        value = pre.get(key)
        if value in (None, ""):
            continue
        try:
            passed = ok(value)
        except (TypeError, ValueError):
            raise StorageError(f"{key} must be an integer, got {value!r}", fix=f"send {key} as a number") from None
        if not passed:
            raise PreconditionFailed(
                "At least one of the pre-conditions you specified did not hold.",
                fix=f"{key}={value} does not hold for the object's current state",
            )


def _merge_generations(
    kept: Iterator[tuple[str, int, dict[str, Any]]], live: Iterator[str], start: str
) -> Iterator[tuple[str, int | None, dict[str, Any] | None]]:
    live_names = (n for n in live if n >= start)
    nxt_live = next(live_names, None)
    for name, gen, doc in kept:
        while nxt_live is not None and nxt_live < name:
            yield nxt_live, None, None
            nxt_live = next(live_names, None)
        yield name, gen, doc
    while nxt_live is not None:
        yield nxt_live, None, None
        nxt_live = next(live_names, None)


def _generation_key(name: str, gen: int | None) -> tuple[str, float]:
    return (name, float("inf") if gen is None else gen)


def _encode_generation_token(name: str, gen: int | None) -> str:
    return _encode_token(json.dumps([name, gen]))


def _decode_generation_token(token: str) -> tuple[str, int | None]:
    try:
        name, gen = json.loads(_decode_token(token))
        if isinstance(name, str) and (gen is None or isinstance(gen, int)):
            return name, gen
    except (ValueError, TypeError):
        pass
    raise StorageError(f"Invalid page token {token!r}", fix="pass the nextPageToken of the previous page")


def _encode_token(name: str) -> str:
    return base64.urlsafe_b64encode((_PAGE_TOKEN_PREFIX + name).encode("utf-8")).decode("ascii")


def _decode_token(token: str) -> str:
    try:
        text = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeError):
        text = ""
    if not text.startswith(_PAGE_TOKEN_PREFIX):
        raise StorageError(f"Invalid page token {token!r}", fix="pass the nextPageToken of the previous page")
    return text[len(_PAGE_TOKEN_PREFIX) :]


_CONTENT_TYPES = {
    ".json": "application/json",
    ".jsonl": "application/jsonl",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".parquet": "application/octet-stream",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".html": "text/html",
}


def _guess_content_type(name: str) -> str:
    return _CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")


def iter_file(path: Path, start: int = 0, end: int | None = None, chunk: int = 1 << 20) -> Iterable[bytes]:
    """Bytes `start..end` (inclusive) of a file, in chunks."""
    with path.open("rb") as f:
        f.seek(start)
        left = None if end is None else end - start + 1
        while left is None or left > 0:
            data = f.read(chunk if left is None else min(chunk, left))
            if not data:
                break
            if left is not None:
                left -= len(data)
            yield data
