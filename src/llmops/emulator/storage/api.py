"""The emulated Cloud Storage JSON API: buckets and objects in an `ObjectStore` on disk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..server.api import EmulatedApi, Emulator
from ..server.uploads import UploadSessions
from .signing import SigningKeys
from .store import ObjectStore

if TYPE_CHECKING:
    from starlette.routing import BaseRoute


class StorageApi(EmulatedApi):
    """Cloud Storage JSON v1: buckets, objects, media and resumable uploads, downloads, batch
    requests, and path-style (XML API) object URLs, signed or not."""

    name = "storage"
    prefixes = (
        "/storage/v1",
        "/upload/storage/v1",
        "/download/storage/v1",
        "/batch/storage/v1",
        "/emulator/v1/signing-keys",
        "/{bucket}/{object}",
    )
    """`/{bucket}/{object}` (path-style object URLs) only answers for existing buckets."""
    description = "Cloud Storage JSON API v1, batch requests, path-style and V4 signed object URLs"

    def __init__(self, emulator: Emulator):
        super().__init__(emulator)
        self.store = ObjectStore(self.data_dir / "storage")
        self.uploads = UploadSessions(self.data_dir / "uploads", self.config.max_upload_bytes)
        self.signing_keys = SigningKeys(self.store.meta_dir / "signing-keys.json")

    def routes(self) -> list[BaseRoute]:
        from .routes import routes

        return routes(self)

    def close(self) -> None:
        self.store.close()
