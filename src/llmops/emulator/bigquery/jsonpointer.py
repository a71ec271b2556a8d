"""JSONPaths DuckDB's `$` syntax cannot take, as DuckDB's JSON Pointer paths (`/a/1/b.c`).

JSON_EXTRACT's legacy forms that sqlglot leaves as text (`$[a][1]['b.c']`: an unquoted or single-
quoted bracket key, escaped quotes), and JSON subscripts with an empty key or one holding `"` or
a backslash (`json['']`, or a field named so), which DuckDB's `$."key"` path cannot spell.
"""

from __future__ import annotations

import re

from sqlglot import exp

from .census import find_all

_EXTRACTORS = (exp.JSONExtract, exp.JSONExtractScalar, exp.JSONExtractArray, exp.JSONValueArray)
# `.key`, `."key"`, `['key']`, `["key"]`, `[0]`, `[key]` (ZetaSQL's JSON_EXTRACT and JSON_QUERY)
_TOKEN = re.compile(
    r"""\.(?P<bare>[^.\["']+)|\."(?P<dq>(?:[^"\\]|\\.)*)"|\['(?P<sq>(?:[^'\\]|\\.)*)'\]"""
    r"""|\["(?P<bdq>(?:[^"\\]|\\.)*)"\]|\[\s*(?P<index>\d+)\s*\]|\[(?P<plain>[^\]'"]*)\]"""
)
_ESCAPE = re.compile(r"\\(.)")


def _keys(path: str) -> list[str] | None:
    """The keys and indexes of a JSONPath, or None where it is not one."""
    if not path.startswith("$"):
        return None
    keys, pos = [], 1
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if m is None:
            return None
        kind = m.lastgroup or ""
        keys.append(_ESCAPE.sub(r"\1", m.group(kind)) if kind in ("dq", "sq", "bdq") else m.group(kind))
        pos = m.end()
    return keys


def _pointer(keys: list[str]) -> exp.Literal:
    return exp.Literal.string("".join("/" + k.replace("~", "~0").replace("/", "~1") for k in keys))


def _spellable(key: str) -> bool:
    return bool(key) and '"' not in key and "\\" not in key


def _is_json(node: exp.Expression) -> bool:
    from .coltypes import known_type

    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.ParseJSON | exp.JSONExtract) or known_type(node) == "JSON"


def pointer_paths(stmt: exp.Expression) -> None:
    """Rewrite the paths and subscripts DuckDB's `$` syntax cannot take (see the module docstring)."""
    for node in find_all(stmt, *_EXTRACTORS):
        path = node.expression
        if isinstance(path, exp.Literal) and path.is_string:
            keys = _keys(path.name)
            if keys is not None:
                node.set("expression", _pointer(keys))
    for bracket in find_all(stmt, exp.Bracket):
        if not bracket.args.get("json_access") or len(bracket.expressions) != 1:
            continue
        key = bracket.expressions[0]
        if isinstance(key, exp.Literal) and key.is_string and not _spellable(key.name):
            bracket.replace(exp.JSONExtract(this=bracket.this.copy(), expression=_pointer([key.name])))
    for dot in reversed(find_all(stmt, exp.Dot)):
        field = dot.expression
        if isinstance(field, exp.Identifier) and not _spellable(field.name) and _is_json(dot.this):
            dot.replace(exp.JSONExtract(this=dot.this.copy(), expression=_pointer([field.name])))
