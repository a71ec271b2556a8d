"""GoogleSQL's JSON mutators (JSON_SET, JSON_REMOVE, JSON_STRIP_NULLS, JSON_ARRAY_APPEND,
JSON_ARRAY_INSERT) on parsed JSON documents, as ZetaSQL's `functions/json.cc` defines them, and
their vectorised UDFs over Arrow arrays.

A path is ZetaSQL's strict JSONPath: `$` then `.key`, `."quoted key"` or `[index]` tokens. A path
that does not reach a value of the right kind leaves the document as it is; an invalid path is an
error. The values come in as the JSON text TO_JSON wrote for them (the translator converts them).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa

MAX_ARRAY_SIZE = 1_000_000  # ZetaSQL's kJSONMaxArraySize

_KEY = re.compile(r"\.([\w\-:\s]+)")  # RE2's [\p{L}\p{N}\d_\-\:\s]
_INDEX = re.compile(r"\[\s*(\d+)\s*\]")
_QUOTED_KEY = re.compile(r'\."((?:[^\\"]|\\"|\\[^"])*)"')

Token = str | int


@functools.lru_cache(maxsize=1024)  # a column of documents is edited at a few paths
def parse_path(path: str) -> tuple[Token, ...]:
    """The tokens of a strict JSONPath (keys as str, array indexes as int)."""
    if not path.startswith("$"):
        raise ValueError("JSONPath must start with '$'")
    tokens: list[Token] = []
    rest = path[1:]
    while rest:
        for lexer, kind in ((_KEY, str), (_INDEX, int), (_QUOTED_KEY, str)):
            m = lexer.match(rest)
            if m:
                tokens.append(kind(m.group(1)))
                rest = rest[m.end() :]
                break
        else:
            raise ValueError(f"Invalid token in JSONPath at: {rest}")
    return tuple(tokens)


class _Number(str):
    """A JSON number kept as its text (DuckDB's json() formats it as other JSON values)."""


_DECODER = json.JSONDecoder(parse_float=_Number, parse_int=_Number, parse_constant=_Number)
_quoted = json.encoder.encode_basestring  # C: a JSON string, non-ASCII kept
_LITERALS = {True: "true", False: "false", None: "null"}
loads = _DECODER.decode


def dumps(value: Any) -> str:
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, dict):
        return "{" + ",".join(_quoted(k) + ":" + dumps(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return _LITERALS[value]


def _step(node: Any, token: Token) -> tuple[bool, Any]:
    """(found, child) of one path token in `node`."""
    if isinstance(token, str) and isinstance(node, dict) and token in node:
        return True, node[token]
    if isinstance(token, int) and isinstance(node, list) and token < len(node):
        return True, node[token]
    return False, None


def _walk(doc: Any, tokens: tuple[Token, ...]) -> tuple[bool, Any]:
    """(found, value) at the path."""
    node = doc
    for token in tokens:
        found, node = _step(node, token)
        if not found:
            return False, None
    return True, node


def _container(token: Token) -> Any:
    return {} if isinstance(token, str) else []


def json_set(doc: Any, tokens: tuple[Token, ...], value: Any, create_if_missing: bool) -> Any:
    """The document with `value` at the path: replaced where it exists; where it does not (or a
    prefix is JSON null) created with its missing objects and null-padded arrays."""
    if not tokens:
        return value
    root: list[Any] = [doc]  # a holder, so the root can be replaced like any child
    parent: Any = root
    key: Token = 0
    depth = 0
    for depth, token in enumerate(tokens):  # noqa: B007  # depth is where creation starts
        node = parent[key]
        found, _ = _step(node, token)
        if found:
            parent, key = node, token
            continue
        if node is None or (isinstance(token, str) and isinstance(node, dict)):
            break
        if isinstance(token, int) and isinstance(node, list):
            break
        return doc  # a type mismatch: ignored
    else:
        parent[key] = value
        return root[0]
    if not create_if_missing:
        return doc
    if any(isinstance(token, int) and token >= MAX_ARRAY_SIZE for token in tokens[depth:]):
        raise ValueError(f"Exceeded maximum array size of {MAX_ARRAY_SIZE}")
    for token in tokens[depth:]:
        node = parent[key]
        if node is None:
            node = parent[key] = _container(token)
        if isinstance(token, int):
            node.extend([None] * (token + 1 - len(node)))
        elif token not in node:
            node[token] = None
        parent, key = node, token
    parent[key] = value
    return root[0]


def json_remove(doc: Any, tokens: tuple[Token, ...]) -> Any:
    """The document without the member or element at the path."""
    if not tokens:
        raise ValueError("The JSONPath cannot be '$'")
    found, node = _walk(doc, tokens[:-1])
    last = tokens[-1]
    if found and isinstance(last, str) and isinstance(node, dict):
        node.pop(last, None)
    elif found and isinstance(last, int) and isinstance(node, list) and last < len(node):
        del node[last]
    return doc


def _strip(value: Any, include_arrays: bool, remove_empty: bool) -> Any:
    def dropped(child: Any) -> bool:
        if child is None:
            return True
        if not remove_empty or child:
            return False
        return isinstance(child, dict) or (isinstance(child, list) and include_arrays)

    if isinstance(value, dict):
        stripped = {k: _strip(v, include_arrays, remove_empty) for k, v in value.items()}
        return {k: v for k, v in stripped.items() if not dropped(v)}
    if isinstance(value, list):
        items = [_strip(v, include_arrays, remove_empty) for v in value]
        return [v for v in items if not dropped(v)] if include_arrays else items
    return value


def json_strip_nulls(doc: Any, tokens: tuple[Token, ...], include_arrays: bool, remove_empty: bool) -> Any:
    """The document with the JSON nulls (and, with `remove_empty`, the emptied objects and, with
    `include_arrays`, arrays) under the path removed; an emptied subtree becomes JSON null."""
    found, node = _walk(doc, tokens)
    if not found or not isinstance(node, (dict, list)):
        return doc
    stripped = _strip(node, include_arrays, remove_empty)
    if remove_empty and not stripped and (isinstance(stripped, dict) or include_arrays):
        stripped = None
    if not tokens:
        return stripped
    _, parent = _walk(doc, tokens[:-1])
    parent[tokens[-1]] = stripped
    return doc


def json_array_add(doc: Any, tokens: tuple[Token, ...], values: list[Any], insert: bool) -> Any:
    """The document with `values` appended to the array at the path or (`insert`) inserted at the
    path's last index, padding with nulls; a JSON null there becomes an array."""
    index: int | None = None
    if insert:
        last = tokens[-1] if tokens else None
        if not isinstance(last, int):
            return doc
        tokens, index = tokens[:-1], last
    found, node = _walk(doc, tokens)
    if not found or not (node is None or isinstance(node, list)):
        return doc
    size = 0 if node is None else len(node)
    at = size if index is None else index
    if len(values) >= MAX_ARRAY_SIZE or max(at, size) >= MAX_ARRAY_SIZE + 1 - max(len(values), 1):
        raise ValueError(f"Exceeded maximum array size of {MAX_ARRAY_SIZE}")
    array: list[Any] = [] if node is None else node
    if at > len(array) or (insert and not values and at >= len(array)):
        array.extend([None] * (at + (0 if values else 1) - len(array)))  # ZetaSQL pads to the index
    array[at:at] = values
    if node is None:
        return json_set(doc, tokens, array, create_if_missing=False)
    return doc


# ---------------------------------------------------------------------- UDFs over Arrow arrays


def _paths(texts: list[str | None]) -> list[tuple[Token, ...] | None]:
    return [None if p is None else parse_path(p) for p in texts]


def _each_row(columns: list[pa.Array], edit: Callable[..., str | None]) -> pa.Array:
    rows = zip(*(c.to_pylist() for c in columns), strict=True)
    return pa.array([None if row[0] is None else edit(*row) for row in rows], type=pa.string())


def json_set_batch(docs: pa.Array, paths: pa.Array, values: pa.Array, creates: pa.Array) -> pa.Array:
    def edit(text: str, path_texts: list[str | None], value_texts: list[str], create: bool | None) -> str:
        tokens = _paths(path_texts)
        if create is None:
            return text
        doc = loads(text)
        for path, value in zip(tokens, value_texts, strict=True):
            if path is not None:
                doc = json_set(doc, path, loads(value), create)
        return dumps(doc)

    return _each_row([docs, paths, values, creates], edit)


def json_remove_batch(docs: pa.Array, paths: pa.Array) -> pa.Array:
    def edit(text: str, path_texts: list[str | None]) -> str:
        doc = loads(text)
        for path in _paths(path_texts):
            if path is not None:
                doc = json_remove(doc, path)
        return dumps(doc)

    return _each_row([docs, paths], edit)


def json_strip_nulls_batch(docs: pa.Array, paths: pa.Array, arrays: pa.Array, empties: pa.Array) -> pa.Array:
    def edit(text: str, path: str | None, include_arrays: bool | None, remove_empty: bool | None) -> str:
        tokens = None if path is None else parse_path(path)
        if tokens is None or include_arrays is None or remove_empty is None:
            return text
        return dumps(json_strip_nulls(loads(text), tokens, include_arrays, remove_empty))

    return _each_row([docs, paths, arrays, empties], edit)


def _array_add_batch(insert: bool) -> Callable[..., pa.Array]:
    def edit(
        text: str, path_texts: list[str | None], value_texts: list[str], is_arrays: list[bool], each: bool | None
    ) -> str:
        tokens = _paths(path_texts)
        if each is None:
            return text
        doc = loads(text)
        for path, value_text, is_array in zip(tokens, value_texts, is_arrays, strict=True):
            value = loads(value_text)
            if each and is_array and value is None:
                continue  # a NULL ARRAY adds nothing
            if path is not None:
                doc = json_array_add(doc, path, value if each and is_array else [value], insert)
        return dumps(doc)

    def batch(docs: pa.Array, paths: pa.Array, values: pa.Array, is_arrays: pa.Array, each: pa.Array) -> pa.Array:
        return _each_row([docs, paths, values, is_arrays, each], edit)

    return batch


json_array_append_batch = _array_add_batch(insert=False)
json_array_insert_batch = _array_add_batch(insert=True)
