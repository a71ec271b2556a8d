"""Documents for a corpus: rows of a GoogleSQL query, or files (local paths or gs:// URIs) in
JSONL, plain text, Markdown or HTML."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import DataError, NotFoundError

if TYPE_CHECKING:
    from ..core.session import Session

TEXT_COLUMNS = ("text", "content", "body")
"""Column (or JSONL field) names taken as the document text, in this order."""
URI_COLUMNS = ("uri", "url", "link")
TITLE_COLUMNS = ("title", "name")
TEXT_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "text", ".md": "markdown", ".markdown": "markdown"}
TEXT_SUFFIXES |= {".html": "html", ".htm": "html", ".rst": "text", ".text": "text"}

_HTML_HINT = re.compile(r"</?(?:p|div|pre|code|br|li|ul|ol|h[1-6]|a|blockquote|span|table)\b[^>]*>", re.I)
_DROP = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_BLOCK = re.compile(r"</?(?:p|div|pre|br|li|ul|ol|h[1-6]|blockquote|tr|table)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


@dataclass(frozen=True)
class Document:
    """One source document: its text, where it came from, and a title."""

    text: str
    uri: str
    title: str


def html_to_text(markup: str) -> str:
    """Visible text of HTML: scripts and styles dropped, blocks on their own lines."""
    text = _BLOCK.sub("\n", _DROP.sub(" ", markup))
    text = html.unescape(_TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def clean(text: str) -> str:
    """Text as indexed: HTML turned to text when it looks like HTML."""
    return html_to_text(text) if _HTML_HINT.search(text) else text.strip()


def _pick(names: Sequence[str], wanted: Sequence[str]) -> str | None:
    lower = {n.lower(): n for n in names}
    return next((lower[w] for w in wanted if w in lower), None)


def from_query(session: Session, sql: str, *, text_column: str | None = None) -> list[Document]:
    """One document per row; the text column is `text_column` or the first of `TEXT_COLUMNS`."""
    import pyarrow as pa

    table = session.warehouse.query(sql)
    names = table.column_names
    column = text_column or _pick(names, TEXT_COLUMNS)
    if column is None or column not in names or not pa.types.is_string(table.schema.field(column).type):
        raise DataError(
            f"the corpus query returns no text column (columns: {', '.join(names) or 'none'})",
            fix="name a STRING column `text` (e.g. SELECT body AS text ...) or pass --text-column",
        )
    uri_col, title_col = _pick(names, URI_COLUMNS), _pick(names, TITLE_COLUMNS)
    texts = table.column(column).to_pylist()
    uris = table.column(uri_col).to_pylist() if uri_col else [None] * len(texts)
    titles = table.column(title_col).to_pylist() if title_col else [None] * len(texts)
    return [
        Document(clean(t), str(u) if u is not None else f"row:{i}", str(ti) if ti is not None else f"row {i}")
        for i, (t, u, ti) in enumerate(zip(texts, uris, titles, strict=True))
        if t and t.strip()
    ]


def from_files(session: Session, uris: Iterable[str]) -> list[Document]:
    """Documents of every file named (a folder or a gs:// prefix ending in / means its files)."""
    docs: list[Document] = []
    for uri in uris:
        for name, data in _read_all(session, uri):
            docs.extend(_parse(name, data))
    return docs


def _kind(name: str) -> str:
    suffix = Path(name.split("?")[0]).suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise DataError(
            f"{name} is not a text file llmops can index ({suffix or 'no suffix'})",
            fix=f"pass files ending in {', '.join(sorted(TEXT_SUFFIXES))}",
        )
    return TEXT_SUFFIXES[suffix]


def _decode(name: str, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise DataError(f"{name} is binary, not text", fix="pass JSONL, text, Markdown or HTML files")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DataError(f"{name} is not UTF-8 text", fix="convert it to UTF-8 or leave it out") from None


def _read_all(session: Session, uri: str) -> list[tuple[str, bytes]]:
    if uri.startswith("gs://"):
        return _read_gcs(session, uri)
    path = Path(uri.removeprefix("file://")).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        if not files:
            raise DataError(
                f"folder {path} holds no text files", fix=f"put {', '.join(sorted(TEXT_SUFFIXES))} files in it"
            )
        return [(str(p), p.read_bytes()) for p in files]
    if not path.is_file():
        raise NotFoundError(f"file {uri} does not exist", fix="check the path (local paths or gs://BUCKET/NAME)")
    _kind(str(path))
    return [(str(path), path.read_bytes())]


def _read_gcs(session: Session, uri: str) -> list[tuple[str, bytes]]:
    """gs:// files through the profile's artifact store (`gcs` on the gcp and emulated profiles)."""
    store = session.artifacts
    if not uri.removeprefix("gs://").partition("/")[2] or uri.endswith("/"):
        uris = [u for u in store.list(uri) if Path(u).suffix.lower() in TEXT_SUFFIXES]
        if not uris:
            raise DataError(f"{uri} holds no text files", fix=f"upload {', '.join(sorted(TEXT_SUFFIXES))} files there")
    else:
        _kind(uri)
        if not store.exists(uri):
            raise NotFoundError(f"file {uri} does not exist", fix="check the bucket and object name")
        uris = [uri]
    out = []
    for u in uris:
        with store.open(u, "rb") as f:
            out.append((u, f.read()))
    return out


def parse_bytes(name: str, data: bytes) -> list[Document]:
    """The documents of one file's bytes, its kind taken from `name`'s suffix."""
    return _parse(name, data)


def _parse(name: str, data: bytes) -> list[Document]:
    kind = _kind(name)
    text = _decode(name, data)
    base = Path(name).name
    if kind == "jsonl":
        return list(_jsonl(name, text))
    if kind == "html":
        m = _TITLE.search(text)
        title = " ".join(html.unescape(m.group(1)).split()) if m else base
        body = html_to_text(text)
        return [Document(body, name, title)] if body else []
    if kind == "markdown":
        heading = next((ln.lstrip("#").strip() for ln in text.splitlines() if ln.startswith("#")), "")
        return [Document(text.strip(), name, heading or base)] if text.strip() else []
    return [Document(text.strip(), name, base)] if text.strip() else []


def _jsonl(name: str, text: str) -> Iterable[Document]:
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{name} line {n} is not JSON ({exc.msg})", fix="write one JSON object per line") from None
        if not isinstance(row, dict):
            raise DataError(f"{name} line {n} is not a JSON object", fix="write one JSON object per line")
        key = _pick(list(row), TEXT_COLUMNS)
        if key is None or not isinstance(row[key], str):
            raise DataError(
                f"{name} line {n} has no text field", fix=f"give each line one of: {', '.join(TEXT_COLUMNS)}"
            )
        uri_key, title_key = _pick(list(row), URI_COLUMNS), _pick(list(row), TITLE_COLUMNS)
        body = clean(row[key])
        if body:
            yield Document(
                body,
                str(row[uri_key]) if uri_key and row.get(uri_key) else f"{name}#L{n}",
                str(row[title_key]) if title_key and row.get(title_key) else f"{Path(name).name} line {n}",
            )
