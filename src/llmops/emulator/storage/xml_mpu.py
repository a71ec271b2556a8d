"""The XML API's multipart uploads (`POST /BUCKET/OBJECT?uploads`, `PUT ...?partNumber=N&uploadId=U`,
`POST ...?uploadId=U` to complete, `DELETE ...?uploadId=U` to abort), as
`transfer_manager.upload_chunks_concurrently` uses them.

A session is a folder under the store's temporary folder: its settings as JSON and one file per
part. Completing it concatenates the listed parts, in order, into the object.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import uuid
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import google_crc32c

from ..server.errors import ApiError
from .store import ObjectStore, validate_object_fields, validate_object_name

_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
_MAX_PART = 10_000
_ID_RE = re.compile(r"^[0-9a-f]{32}$")


def _xml(root: str, **children: str) -> str:
    inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in children.items())
    return f"<?xml version='1.0' encoding='UTF-8'?><{root} xmlns='{_NS}'>{inner}</{root}>"


class MultipartUploads:
    """Multipart upload sessions over one ObjectStore."""

    def __init__(self, store: ObjectStore):
        self.store = store
        self.root = Path(store.tmp_dir) / "xml-mpu"

    def _session(self, bucket: str, name: str, upload_id: str) -> tuple[Path, dict[str, Any]]:
        folder = self.root / upload_id if _ID_RE.match(upload_id) else None
        settings = folder / "session.json" if folder else None
        if settings is None or not settings.is_file():
            raise ApiError(404, f"The upload {upload_id[:64]!r} does not exist or was completed or aborted", "notFound")
        doc = json.loads(settings.read_text())
        if (doc["bucket"], doc["name"]) != (bucket, name):
            raise ApiError(400, f"The upload {upload_id} is for another object", "invalid")
        assert folder is not None
        return folder, doc

    def initiate(self, bucket: str, name: str, headers: dict[str, str]) -> str:
        """Start a session; the XML answer naming its UploadId."""
        validate_object_name(name)
        self.store.get_bucket(bucket)
        meta: dict[str, Any] = {"contentType": headers.get("content-type") or "application/octet-stream"}
        custom = {k[len("x-goog-meta-") :]: v for k, v in headers.items() if k.startswith("x-goog-meta-")}
        if custom:
            meta["metadata"] = custom
        validate_object_fields(meta)
        upload_id = uuid.uuid4().hex
        folder = self.root / upload_id
        folder.mkdir(parents=True)
        (folder / "session.json").write_text(json.dumps({"bucket": bucket, "name": name, "meta": meta}))
        return _xml("InitiateMultipartUploadResult", Bucket=bucket, Key=name, UploadId=upload_id)

    def put_part(self, bucket: str, name: str, upload_id: str, part: str | None, data: bytes) -> dict[str, str]:
        """Store one part; the response headers (ETag and x-goog-hash)."""
        folder, _ = self._session(bucket, name, upload_id)
        number = int(part) if part and part.isdigit() else 0
        if not 1 <= number <= _MAX_PART:
            raise ApiError(400, f"partNumber must be 1 to {_MAX_PART}, got {part!r}", "invalid")
        (folder / f"part-{number:05d}").write_bytes(data)
        md5 = hashlib.md5(data)
        crc = base64.b64encode(google_crc32c.Checksum(data).digest()).decode()
        return {
            "ETag": f'"{md5.hexdigest()}"',
            "x-goog-hash": f"crc32c={crc},md5={base64.b64encode(md5.digest()).decode()}",
        }

    def complete(self, bucket: str, name: str, upload_id: str, body: bytes) -> str:
        """Join the listed parts into the object; the XML answer."""
        folder, doc = self._session(bucket, name, upload_id)
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            raise ApiError(400, "The CompleteMultipartUpload body is not XML", "invalid") from None
        listed: list[tuple[int, str]] = []
        for node in root.iter():
            if node.tag.rsplit("}", 1)[-1] != "Part":
                continue
            fields = {c.tag.rsplit("}", 1)[-1]: (c.text or "").strip() for c in node}
            given = fields.get("PartNumber", "")
            if not given.isdigit():
                raise ApiError(400, f"A Part has no valid PartNumber: {given[:20]!r}", "invalid")
            listed.append((int(given), fields.get("ETag", "").strip('"')))
        if not listed:
            raise ApiError(400, "CompleteMultipartUpload lists no parts", "invalid")
        numbers = [n for n, _ in listed]
        if numbers != sorted(set(numbers)):
            raise ApiError(400, "The parts must be listed in ascending order, each once", "invalid")
        writer = self.store.new_writer()
        try:
            for number, etag in listed:
                path = folder / f"part-{number:05d}"
                if not path.is_file():
                    raise ApiError(400, f"Part {number} was not uploaded", "invalid")
                data = path.read_bytes()
                if etag and etag != hashlib.md5(data).hexdigest():
                    raise ApiError(400, f"The ETag given for part {number} does not match the part", "invalid")
                writer.write(data)
        except BaseException:
            writer.discard()
            raise
        obj = self.store.commit(bucket, name, writer, metadata=doc["meta"])
        shutil.rmtree(folder, ignore_errors=True)
        return _xml(
            "CompleteMultipartUploadResult",
            Location=f"/{bucket}/{name}",
            Bucket=bucket,
            Key=name,
            ETag=f'"{obj["md5Hash"]}"',
        )

    def abort(self, bucket: str, name: str, upload_id: str) -> None:
        folder, _ = self._session(bucket, name, upload_id)
        shutil.rmtree(folder, ignore_errors=True)
