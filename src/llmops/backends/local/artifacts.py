"""`local` artifact store: files under the workspace folder, as plain paths or file:// URIs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

from ...core.errors import NotFoundError
from ...core.interfaces import ArtifactStore
from ...core.workspace import Workspace, atomic_path


def local_path(uri: str | Path) -> Path:
    """The filesystem path of a plain path or file:// URI."""
    text = str(uri)
    if text.startswith("file://"):
        return Path(urlparse(text).path)
    if "://" in text:
        raise NotFoundError(
            f"{text!r} is not a local path", fix="use a plain path or a file:// URI with the local artifact store"
        )
    return Path(text)


class LocalArtifactStore(ArtifactStore):
    """Artifacts as files; writes are atomic (temporary name, then rename)."""

    description = "Files under the workspace folder."

    def uri_for(self, *parts: str) -> str:
        return str(Workspace(self.settings.workspace).path(*parts))

    def delete(self, uri: str) -> None:
        local_path(uri).unlink(missing_ok=True)

    def move(self, src_uri: str, dst_uri: str) -> str:
        src, dst = local_path(src_uri), local_path(dst_uri)
        if not src.is_file():
            raise NotFoundError(f"artifact {src_uri} does not exist", fix="check the URI")
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        return str(dst)

    def put(self, local_path_: str | Path, uri: str) -> str:
        dest = local_path(uri)
        with atomic_path(dest) as tmp:
            shutil.copyfile(local_path_, tmp)
        return str(dest)

    def get(self, uri: str, local_path_: str | Path) -> Path:
        src = local_path(uri)
        if not src.is_file():
            raise NotFoundError(f"artifact {uri} does not exist", fix="check the URI with `llmops data list`")
        with atomic_path(local_path_) as tmp:
            shutil.copyfile(src, tmp)
        return Path(local_path_)

    def open(self, uri: str, mode: str = "rb") -> IO[Any]:
        path = local_path(uri)
        if "r" in mode and "+" not in mode and not path.is_file():
            raise NotFoundError(f"artifact {uri} does not exist", fix="check the URI")
        if "w" in mode:
            path.parent.mkdir(parents=True, exist_ok=True)
        return path.open(mode)

    def list(self, prefix: str) -> list[str]:
        base = local_path(prefix)
        if base.is_file():
            return [str(base)]
        if base.is_dir():
            return sorted(str(p) for p in base.rglob("*") if p.is_file())
        parent = base.parent
        if not parent.is_dir():
            return []
        return sorted(str(p) for p in parent.rglob("*") if p.is_file() and str(p).startswith(str(base)))

    def exists(self, uri: str) -> bool:
        return local_path(uri).is_file()
