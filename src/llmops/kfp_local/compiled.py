"""Compile a pipeline package only when what it is compiled from has changed.

Compiling imports kfp and builds the pipeline (most of a cached `llmops run`). The inputs are
summarised as one digest — the source files the pipeline is defined in, kfp's version, the
Python version and any settings the compilation reads — stored next to the package together
with the package's own digest, so an edited or replaced package is compiled again too.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from ..core.pipeline_package import sha256_file
from ..core.workspace import atomic_path


def inputs_digest(sources: Iterable[Path], extra: Mapping[str, Any]) -> str:
    """A digest of the source files' bytes, kfp's and Python's versions and `extra`."""
    h = hashlib.sha256()
    for path in sources:
        h.update(str(Path(path).name).encode() + b"\0" + Path(path).read_bytes() + b"\0")
    try:
        kfp_version = metadata.version("kfp")
    except metadata.PackageNotFoundError:
        kfp_version = ""
    h.update(json.dumps([kfp_version, sys.version, dict(extra)], sort_keys=True, default=str).encode())
    return h.hexdigest()


def _stamp_path(package: Path) -> Path:
    return package.with_name(package.name + ".inputs.json")


def compile_if_changed(
    package: str | Path, sources: Iterable[Path], extra: Mapping[str, Any], compile_: Callable[[Path], Any]
) -> bool:
    """Run `compile_(package)` unless the package was compiled from the same inputs and is
    unchanged since; True when it compiled."""
    package = Path(package)
    digest = inputs_digest(sources, extra)
    stamp = _stamp_path(package)
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        if recorded.get("inputs") == digest and recorded.get("package") == sha256_file(package):
            return False
    except (OSError, ValueError, AttributeError):
        pass
    compile_(package)
    with atomic_path(stamp) as tmp:
        tmp.write_text(json.dumps({"inputs": digest, "package": sha256_file(package)}), encoding="utf-8")
    return True
