"""Resumable upload sessions, shared by Cloud Storage and BigQuery uploads.

A session is created by `POST ...?uploadType=resumable` and answered with a `Location` URL;
the client then `PUT`s the bytes in one or more chunks with `Content-Range: bytes a-b/total`.
Until the byte count is complete the answer is 308 with `Range: bytes=0-{last}`. Sessions live on
disk (`<data>/uploads/<id>.json` and `.data`), so big uploads never sit in memory.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .errors import ApiError, bad_request
from .http import parse_content_range, stream_body, too_large

_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass
class UploadSession:
    """One resumable upload: what it is for (`kind`, `info`) and how far it got."""

    id: str
    kind: str
    info: dict[str, Any]
    total: int | None
    data_path: Path

    @property
    def received(self) -> int:
        try:
            return self.data_path.stat().st_size
        except FileNotFoundError:
            return 0


class UploadSessions:
    """Sessions under one folder; at most `max_bytes` per upload."""

    def __init__(self, folder: str | os.PathLike[str], max_bytes: int):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes

    def create(self, kind: str, info: dict[str, Any], total: int | None = None) -> UploadSession:
        if total is not None and total > self.max_bytes:
            raise too_large(total, self.max_bytes)
        sid = uuid.uuid4().hex
        session = UploadSession(sid, kind, info, total, self.folder / f"{sid}.data")
        session.data_path.touch()
        self._save(session)
        return session

    def _save(self, s: UploadSession) -> None:
        doc = {"kind": s.kind, "info": s.info, "total": s.total, "created": time.time()}
        tmp = self.folder / f".{s.id}.json.tmp"
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        os.replace(tmp, self.folder / f"{s.id}.json")

    def get(self, sid: str | None, kind: str) -> UploadSession:
        if not sid or not _ID_RE.match(sid):
            raise bad_request(
                "Missing or malformed upload_id", "required" if not sid else "invalid", location="upload_id"
            )
        meta = self.folder / f"{sid}.json"
        try:
            doc = json.loads(meta.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ApiError(
                404, f"No such upload session: {sid} (finished, cancelled or never started)", "notFound"
            ) from None
        if doc["kind"] != kind:
            raise ApiError(404, f"Upload session {sid} belongs to another API", "notFound")
        return UploadSession(sid, doc["kind"], doc["info"], doc["total"], self.folder / f"{sid}.data")

    async def receive(self, session: UploadSession, request: Request) -> bool:
        """Append one PUT's bytes to the session; True when the upload is complete.

        Re-sent bytes the session already holds are skipped, as Cloud Storage does; a chunk
        that starts past what was received, or a final size that differs from the one declared
        at the start, is refused.
        """
        first, last, total = parse_content_range(request.headers.get("content-range"))
        have = session.received
        if request.headers.get("content-range") is None:
            first, total = 0, None  # the whole object in one request
            length = request.headers.get("content-length")
            if length is not None and length.isdigit():
                total = int(length)
        if total is not None:
            if session.total is not None and total != session.total:
                raise bad_request(
                    f"The upload's total size {total} differs from the {session.total} bytes declared when it started"
                )
            if total > self.max_bytes:
                raise too_large(total, self.max_bytes)
        if first is not None and first > have:
            raise bad_request(
                f"Invalid request: the chunk starts at byte {first} but only {have} bytes were received; resume from {have}"
            )
        skip = 0 if first is None else have - first
        received = 0
        with open(session.data_path, "ab") as out:
            async for chunk in stream_body(request, self.max_bytes):
                received += len(chunk)
                if skip >= len(chunk):
                    skip -= len(chunk)
                    continue
                out.write(chunk[skip:] if skip else chunk)
                skip = 0
                if out.tell() > self.max_bytes:
                    raise too_large(out.tell(), self.max_bytes)
        if first is not None and last is not None and received != last - first + 1:
            raise bad_request(
                f"The chunk has {received} bytes but Content-Range says {last - first + 1} (truncated upload)",
                "badRequest",
            )
        now = session.received
        if first is not None and last is None:  # `bytes a-*/...`: the rest of the upload, now ended
            if total is not None and now != total:
                raise bad_request(f"Received {now} bytes, but Content-Range declared a total of {total}")
            total = now
        if total is not None and now > total:
            raise bad_request(f"Received {now} bytes, more than the declared total of {total}")
        if total is None and session.total is None:
            return False  # size still unknown: the client sends `bytes */total` or a final range
        done = now == (total if total is not None else session.total)
        if done and total is not None and session.total is None:
            session.total = total
        return done

    def incomplete_response(self, session: UploadSession) -> Response:
        """308 Resume Incomplete with the range held so far."""
        have = session.received
        headers = {"Range": f"bytes=0-{have - 1}"} if have else {}
        headers["X-GUploader-UploadID"] = session.id
        return Response(status_code=308, headers=headers)

    def discard(self, session: UploadSession) -> None:
        (self.folder / f"{session.id}.json").unlink(missing_ok=True)
        session.data_path.unlink(missing_ok=True)
