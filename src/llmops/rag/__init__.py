"""Retrieval corpora and grounded prediction: `create`, `open_corpus`, `grounded_predict`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .chunking import Chunking
from .grounding import GroundedAnswer, assess, build_prompt, grounded_predict
from .index import Chunk, Corpus
from .index import delete as _delete
from .index import load as _load
from .index import manifests as _manifests

if TYPE_CHECKING:
    from ..core.session import Session

__all__ = [
    "Chunk",
    "Chunking",
    "Corpus",
    "GroundedAnswer",
    "assess",
    "build_prompt",
    "create",
    "delete",
    "grounded_predict",
    "list_corpora",
    "open_corpus",
]

_cache: dict[tuple[Path, str, str], Corpus] = {}


def corpora_folder(session: Session) -> Path:
    """Where corpora live: the workspace's `rag/` folder."""
    return session.workspace.path("rag")


def create(
    session: Session,
    name: str,
    *,
    query: str | None = None,
    files: list[str] | None = None,
    text_column: str | None = None,
    chunking: Chunking | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    """Build corpus `name` from a GoogleSQL query's rows or from files; return its manifest."""
    from ..core.errors import ConfigError
    from . import index, sources

    if bool(query) == bool(files):
        raise ConfigError("a corpus needs exactly one source", fix="pass either --query SQL or --files URI...")
    index.check_name(name)
    if query:
        docs = sources.from_query(session, query, text_column=text_column)
        source: dict[str, Any] = {"query": query}
    else:
        docs = sources.from_files(session, list(files or []))
        source = {"files": list(files or [])}
    return index.build(corpora_folder(session), name, docs, source=source, chunking=chunking, replace=replace)


def open_corpus(session: Session, name: str) -> Corpus:
    """A stored corpus, loaded once per process and reloaded when it is rebuilt."""
    folder = corpora_folder(session)
    stamp = folder / name / "manifest.json"
    key = (folder, name, str(stamp.stat().st_mtime_ns) if stamp.exists() else "")
    if key not in _cache:
        _cache[key] = _load(folder, name)
    return _cache[key]


def list_corpora(session: Session) -> list[dict[str, Any]]:
    """Manifests of the stored corpora."""
    return _manifests(corpora_folder(session))


def delete(session: Session, name: str) -> None:
    """Remove a stored corpus."""
    _delete(corpora_folder(session), name)
