"""`gcs` artifact store: google-cloud-storage, on Google Cloud or the emulator.

Artifacts live under the profile's `bucket` (`gs://BUCKET/PREFIX`). Against an emulator the
bucket is created on first use; on Google Cloud it must exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from ...core.errors import ConfigError, DataError, NotFoundError
from ...core.interfaces import ArtifactStore
from ...core.workspace import atomic_path
from .clients import gcp_settings, is_emulated, storage_client


def split_gs_uri(uri: str) -> tuple[str, str]:
    """`gs://bucket/name` -> (bucket, name); a one-line error for anything else."""
    if not isinstance(uri, str) or not uri.startswith("gs://"):
        raise DataError(f"{uri!r} is not a gs:// URI", fix="use gs://BUCKET/PATH with the gcs artifact store")
    bucket, _, name = uri[len("gs://") :].partition("/")
    if not bucket:
        raise DataError(f"{uri!r} names no bucket", fix="use gs://BUCKET/PATH")
    return bucket, name


def _check_parts(parts: tuple[str, ...]) -> None:
    for part in parts:
        for seg in str(part).split("/"):
            if seg in ("..", "."):
                raise DataError(
                    f"path {'/'.join(parts)!r} has a '.' or '..' segment", fix="use a relative name without '..'"
                )


class GcsArtifactStore(ArtifactStore):
    """Artifacts as Cloud Storage objects under the profile's bucket prefix."""

    description = "Google Cloud Storage (google-cloud-storage) under the profile's bucket."

    def __init__(self, settings):
        super().__init__(settings)
        settings.require("gcp.bucket")
        bucket = str(gcp_settings(settings).bucket)
        root = bucket if bucket.startswith("gs://") else f"gs://{bucket}"
        self.root = root.rstrip("/")
        self.bucket_name, self.prefix = split_gs_uri(self.root)
        self._client = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = storage_client(self.settings)
            if is_emulated(self.settings) and self._client.lookup_bucket(self.bucket_name) is None:
                from google.api_core import exceptions as gexc

                try:
                    self._client.create_bucket(self.bucket_name)
                except gexc.Conflict:
                    pass  # created meanwhile by another process
        return self._client

    def _blob(self, uri: str) -> Any:
        bucket, name = split_gs_uri(uri)
        if not name:
            raise DataError(f"{uri!r} names no object", fix="use gs://BUCKET/PATH/NAME")
        return self.client.bucket(bucket).blob(name)

    def _missing(self, uri: str, exc: Exception) -> NotFoundError:
        bucket, _ = split_gs_uri(uri)
        if (
            "bucket" in str(getattr(exc, "message", exc)).lower()
            and "does not exist" in str(getattr(exc, "message", exc)).lower()
        ):
            return NotFoundError(
                f"bucket gs://{bucket} does not exist", fix=f"create it: gcloud storage buckets create gs://{bucket}"
            )
        return NotFoundError(f"artifact {uri} does not exist", fix="check the URI")

    def uri_for(self, *parts: str) -> str:
        _check_parts(parts)
        rest = "/".join(str(p).strip("/") for p in parts if str(p).strip("/"))
        return f"{self.root}/{rest}" if rest else self.root

    def put(self, local_path: str | Path, uri: str) -> str:
        from google.api_core import exceptions as gexc

        try:
            self._blob(uri).upload_from_filename(str(local_path))
        except FileNotFoundError:
            raise NotFoundError(f"local file {local_path} does not exist", fix="check the path") from None
        except gexc.NotFound as exc:
            raise self._missing(uri, exc) from None
        return uri

    def get(self, uri: str, local_path: str | Path) -> Path:
        from google.api_core import exceptions as gexc

        blob = self._blob(uri)
        try:
            with atomic_path(local_path) as tmp:
                blob.download_to_filename(str(tmp))
        except gexc.NotFound as exc:
            raise self._missing(uri, exc) from None
        return Path(local_path)

    def open(self, uri: str, mode: str = "rb") -> IO[Any]:
        if mode not in ("r", "rb", "w", "wb", "rt", "wt"):
            raise ConfigError(f"mode {mode!r} is not supported for gs:// artifacts", fix="use r, rb, w or wb")
        blob = self._blob(uri)
        if "r" in mode and not blob.exists():
            raise NotFoundError(f"artifact {uri} does not exist", fix="check the URI")
        return blob.open(mode.replace("t", ""))

    def list(self, prefix: str) -> list[str]:
        from google.api_core import exceptions as gexc

        bucket, name = split_gs_uri(prefix)
        try:
            blobs = self.client.list_blobs(bucket, prefix=name)
            return sorted(f"gs://{bucket}/{b.name}" for b in blobs if not b.name.endswith("/"))
        except gexc.NotFound:
            return []

    def exists(self, uri: str) -> bool:
        from google.api_core import exceptions as gexc

        try:
            return bool(self._blob(uri).exists())
        except gexc.NotFound:
            return False

    def delete(self, uri: str) -> None:
        from google.api_core import exceptions as gexc

        try:
            self._blob(uri).delete()
        except gexc.NotFound:
            pass

    def copy(self, src_uri: str, dst_uri: str) -> str:
        """A server-side copy (objects.copy)."""
        from google.api_core import exceptions as gexc

        src = self._blob(src_uri)
        dst_bucket, dst_name = split_gs_uri(dst_uri)
        try:
            src.bucket.copy_blob(src, self.client.bucket(dst_bucket), dst_name)
        except gexc.NotFound as exc:
            raise self._missing(src_uri, exc) from None
        return dst_uri

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
