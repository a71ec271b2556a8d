"""The local workspace folder (default `.llmops/`) and safe file writing.

Nothing half-written is ever visible: files and folders are written under a temporary name
in the same folder and renamed into place only when complete.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from .errors import ConfigError, DataError


class Workspace:
    """Paths of everything llmops writes locally, under one root."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).expanduser().resolve()

    @property
    def warehouse_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def datasets(self) -> Path:
        return self.root / "datasets"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def pipelines(self) -> Path:
        return self.root / "pipelines"

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def artifacts(self) -> Path:
        return self.root / "artifacts"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def ensure(self) -> Workspace:
        """Create the workspace if needed; fail with one line if it cannot be written."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".write-test-{uuid.uuid4().hex}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise ConfigError(
                f"workspace {self.root} is not writable ({exc.strerror or exc})",
                fix="pass --workspace DIR or set LLMOPS_WORKSPACE to a folder you can write",
            ) from None
        return self

    def path(self, *parts: str) -> Path:
        """A path inside the workspace; refuses anything that would escape it."""
        return safe_join(self.root, *parts)


def safe_join(root: Path, *parts: str) -> Path:
    """Join `parts` under `root`, rejecting absolute parts and `..` that escape it."""
    root = Path(root).resolve()
    candidate = root.joinpath(*parts).resolve()
    if candidate != root and root not in candidate.parents:
        raise DataError(f"path {'/'.join(parts)!r} escapes {root}", fix="use a relative name without '..'")
    return candidate


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once at import, while no other thread can be creating files.
NEW_FILE_MODE = 0o666 & ~_read_umask()


def make_temp_file(final: Path) -> tuple[int, str]:
    """A temporary file next to `final`, with the mode a plain `open(final, "w")` would give
    (mkstemp's 0600 would otherwise outlive the rename)."""
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.fchmod(fd, NEW_FILE_MODE)
    return fd, name


@contextlib.contextmanager
def atomic_path(final: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary file path next to `final`; rename it into place on success."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = make_temp_file(final)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_text(final: str | os.PathLike[str], text: str) -> Path:
    """Write text to `final` atomically."""
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(final)


@contextlib.contextmanager
def atomic_dir(final: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder next to `final`; rename it into place on success.

    If `final` already exists when the work is done (a concurrent writer won, or the content
    was already there), the new folder is discarded: content-addressed folders are immutable.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    try:
        yield tmp
        if final.exists():
            shutil.rmtree(tmp)
        else:
            os.replace(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
