"""Partial responses: the `fields` query parameter of Google's JSON APIs.

`fields=items(name,size),nextPageToken` keeps only the named members; `a/b` reaches into an
object, `a(b,c)` picks several members of it, and a selection on a list applies to every
element. `*` keeps everything at its level."""

from __future__ import annotations

from typing import Any

from ..server.errors import bad_request

Selection = dict[str, "Selection | None"]  # member -> what to keep inside it (None: all of it)


def parse_fields(spec: str) -> Selection:
    """`items(name,size),kind` -> {"items": {"name": None, "size": None}, "kind": None}; 400 when malformed."""
    selection, rest = _parse_list(spec.replace(" ", ""), 0, spec)
    if rest != len(spec.replace(" ", "")):
        raise _invalid(spec)
    return selection


def apply_fields(value: Any, selection: Selection | None) -> Any:
    """`value` with only the selected members (lists filtered element by element)."""
    if selection is None or "*" in selection:
        return value
    if isinstance(value, list):
        return [apply_fields(item, selection) for item in value]
    if not isinstance(value, dict):
        return value
    return {key: apply_fields(value[key], inner) for key, inner in selection.items() if key in value}


def _parse_list(text: str, pos: int, spec: str) -> tuple[Selection, int]:
    selection: Selection = {}
    while True:
        path, pos = _parse_path(text, pos, spec)
        _merge(selection, path)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return selection, pos


def _parse_path(text: str, pos: int, spec: str) -> tuple[Selection, int]:
    start = pos
    while pos < len(text) and text[pos] not in ",()/":
        pos += 1
    name = text[start:pos]
    if not name:
        raise _invalid(spec)
    if pos < len(text) and text[pos] == "/":
        inner, pos = _parse_path(text, pos + 1, spec)
        return {name: inner}, pos
    if pos < len(text) and text[pos] == "(":
        inner, pos = _parse_list(text, pos + 1, spec)
        if pos >= len(text) or text[pos] != ")":
            raise _invalid(spec)
        return {name: inner}, pos + 1
    return {name: None}, pos


def _merge(into: Selection, path: Selection) -> None:
    for key, inner in path.items():
        if key in into and into[key] is None or inner is None:
            into[key] = None
            continue
        existing = into.get(key)
        if existing is None:
            into[key] = inner
        else:
            _merge(existing, inner)


def _invalid(spec: str) -> Exception:
    return bad_request(f"Invalid field selection {spec!r}", location="fields")
