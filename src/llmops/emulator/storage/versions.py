"""Noncurrent and soft-deleted generations of Cloud Storage objects.

A bucket with `versioning.enabled` keeps the generation an overwrite or delete replaces as a
noncurrent version; a bucket with a `softDeletePolicy` keeps a deleted generation as soft-deleted
until its `hardDeleteTime`, restorable with `restore`. Both are rows of the store's database
(`versions`, ordered by bucket, name, generation) whose bytes were moved into the internal blob
folder, so the bucket's folder only ever holds live objects.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_MAX_CHAR = "\U0010ffff"


class Versions:
    """The versions table of one ObjectStore (callers hold the store's lock)."""

    def __init__(self, db: sqlite3.Connection, meta_dir: Path):
        self._db = db
        self._meta_dir = meta_dir
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS versions (
                bucket TEXT NOT NULL, name TEXT NOT NULL, generation INTEGER NOT NULL,
                doc TEXT NOT NULL, blob TEXT NOT NULL, soft INTEGER NOT NULL, expires REAL,
                PRIMARY KEY (bucket, name, generation));
            CREATE INDEX IF NOT EXISTS versions_listing ON versions (bucket, soft, name, generation);
            CREATE INDEX IF NOT EXISTS versions_expiry ON versions (soft, expires);
            """
        )

    def keep(self, doc: dict[str, Any], path: Path, *, expires: float | None, stamps: dict[str, str]) -> None:
        """Move the bytes at `path` aside and keep `doc` as a noncurrent (`expires` None) or
        soft-deleted version; `stamps` are the timestamps to add (timeDeleted, softDeleteTime...)."""
        rel = Path("blobs") / doc["bucket"] / uuid.uuid4().hex
        (self._meta_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, self._meta_dir / rel)
        kept = {**doc, **stamps}
        self._db.execute(
            "INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                doc["bucket"],
                doc["name"],
                int(doc["generation"]),
                json.dumps(kept),
                str(rel),
                expires is not None,
                expires,
            ),
        )

    def soften(self, bucket: str, name: str, generation: int, *, expires: float, stamps: dict[str, str]) -> None:
        """Turn a noncurrent version into a soft-deleted one."""
        found = self.get(bucket, name, generation, soft=False)
        if found is not None:
            doc = {**found[0], **stamps}
            self._db.execute(
                "UPDATE versions SET soft = 1, expires = ?, doc = ? WHERE bucket = ? AND name = ? AND generation = ?",
                (expires, json.dumps(doc), bucket, name, generation),
            )

    def get(self, bucket: str, name: str, generation: int, *, soft: bool) -> tuple[dict[str, Any], Path] | None:
        row = self._db.execute(
            "SELECT doc, blob FROM versions WHERE bucket = ? AND name = ? AND generation = ? AND soft = ?",
            (bucket, name, generation, soft),
        ).fetchone()
        return (json.loads(row[0]), self._meta_dir / row[1]) if row else None

    def remove(self, bucket: str, name: str, generation: int) -> None:
        """Forget a version and its bytes."""
        row = self._db.execute(
            "SELECT blob FROM versions WHERE bucket = ? AND name = ? AND generation = ?", (bucket, name, generation)
        ).fetchone()
        if row:
            (self._meta_dir / row[0]).unlink(missing_ok=True)
            self._db.execute(
                "DELETE FROM versions WHERE bucket = ? AND name = ? AND generation = ?", (bucket, name, generation)
            )

    def purge_expired(self, now: float) -> None:
        """Delete soft-deleted versions whose retention has run out."""
        rows = self._db.execute(
            "SELECT bucket, name, generation FROM versions WHERE soft = 1 AND expires <= ?", (now,)
        ).fetchall()
        for bucket, name, generation in rows:
            self.remove(bucket, name, generation)

    def has_noncurrent(self, bucket: str) -> bool:
        return bool(
            self._db.execute("SELECT 1 FROM versions WHERE bucket = ? AND soft = 0 LIMIT 1", (bucket,)).fetchone()
        )

    def drop_bucket(self, bucket: str) -> None:
        self._db.execute("DELETE FROM versions WHERE bucket = ?", (bucket,))

    def rows(self, bucket: str, *, soft: bool, start: str, prefix: str) -> Iterator[tuple[str, int, dict[str, Any]]]:
        """(name, generation, metadata) of versions from name `start` on, under `prefix`, in
        (name, generation) order."""
        cursor = self._db.execute(
            "SELECT name, generation, doc FROM versions WHERE bucket = ? AND soft = ? AND name >= ? AND name < ? "
            "ORDER BY name, generation",
            (bucket, soft, max(start, prefix), prefix + _MAX_CHAR),
        )
        for name, generation, doc in cursor.fetchall():
            yield name, generation, json.loads(doc)
