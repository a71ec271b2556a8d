"""Rows added, removed and changed between two dataset versions.

Rows are matched by a hash of their question: the instruction text less the prefix all of a
version's rows share (its template), so a new template shows as changed rows, not as all rows
replaced. (The question ids of the sources sidecar cover the train split only, so they cannot
match eval rows.) A row whose question is in both versions with a different line is changed."""

from __future__ import annotations

import hashlib
import json
import os
from typing import TYPE_CHECKING, Any

from .data import get_version

if TYPE_CHECKING:
    from .session import Session
    from .types import DatasetVersion


def _question(row: dict[str, Any]) -> str:
    if "contents" in row:
        return str(row["contents"][0]["parts"][0]["text"])
    return str(row.get("input_text_instruct", json.dumps(row, sort_keys=True)))


def _lines(session: Session, uri: str) -> list[str]:
    with session.artifacts.open(uri, "rb") as f:
        return [line.decode("utf-8") for line in f.read().splitlines() if line.strip()]


def _rows(session: Session, v: DatasetVersion) -> dict[str, tuple[str, str, str]]:
    """key -> (split, question, line) over both splits."""
    rows = [
        (split, _question(json.loads(line)), line)
        for split in ("train", "eval")
        for line in _lines(session, getattr(v, split).uri)
    ]
    template = os.path.commonprefix([q for _, q, _ in rows]) if len(rows) > 1 else ""
    out: dict[str, tuple[str, str, str]] = {}
    for split, question, line in rows:
        key = hashlib.sha256(question.removeprefix(template).encode()).hexdigest()[:16]
        out.setdefault(key, (split, question, line))
    return out


def diff_versions(session: Session, a: str, b: str) -> dict[str, Any]:
    """What changed from version `a` to version `b`: counts and the rows themselves."""
    va, vb = get_version(session, a), get_version(session, b)
    ra, rb = _rows(session, va), _rows(session, vb)
    added = [k for k in rb if k not in ra]
    removed = [k for k in ra if k not in rb]
    changed = [k for k in rb if k in ra and ra[k][2] != rb[k][2]]

    def show(rows: dict[str, tuple[str, str, str]], keys: list[str]) -> list[dict[str, str]]:
        return [{"key": k, "split": rows[k][0], "question": rows[k][1]} for k in keys]

    return {
        "from": va.version,
        "to": vb.version,
        "key": "question_sha256",
        "counts": {
            "added": len(added),
            "removed": len(removed),
            "changed": len(changed),
            "unchanged": len(rb) - len(added) - len(changed),
        },
        "added": show(rb, added),
        "removed": show(ra, removed),
        "changed": [{**r, "split_before": ra[r["key"]][0]} for r in show(rb, changed)],
    }
