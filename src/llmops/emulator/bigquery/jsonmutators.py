"""JSON_SET, JSON_REMOVE, JSON_STRIP_NULLS, JSON_ARRAY_APPEND and JSON_ARRAY_INSERT as calls of
the `jsonedit.py` UDFs: each value written as TO_JSON writes it, the paths and values as lists,
the named BOOL arguments checked and passed in their places. DuckDB has no such functions (its
`json_set`-like names differ or are absent)."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .census import find_all
from .coltypes import known_type

AS_TEXT = "json_text"
"""Meta key of a TO_JSON whose JSON text a mutator reads (left a VARCHAR, not cast to JSON)."""

_FLAGS = {
    exp.JSONSet: ("JSON_SET", "create_if_missing"),
    exp.JSONArrayAppend: ("JSON_ARRAY_APPEND", "append_each_element"),
    exp.JSONArrayInsert: ("JSON_ARRAY_INSERT", "insert_each_element"),
}


def _invalid(message: str) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(message, fix="see the JSON functions in the GoogleSQL reference")


def _json_document(name: str, doc: exp.Expression) -> exp.Expression:
    """The JSON argument (a STRING is no JSON in GoogleSQL: no matching signature)."""
    if (isinstance(doc, exp.Literal) and doc.is_string) or known_type(doc) == "STRING":
        raise _invalid(f"No matching signature for function {name}: the first argument must be JSON, not STRING")
    return doc.copy()


def _flag(name: str, kwarg: exp.Expression | None, allowed: str) -> exp.Expression:
    """A named BOOL argument's value (TRUE when it is absent)."""
    if kwarg is None:
        return exp.true()
    if not isinstance(kwarg, exp.Kwarg) or kwarg.this.name.lower() != allowed:
        shown = kwarg.this.name if isinstance(kwarg, exp.Kwarg) else kwarg.sql("bigquery")
        raise _invalid(f"{name} does not take the argument {shown}; its named argument is {allowed} => TRUE | FALSE")
    value = kwarg.expression
    if isinstance(value, exp.Literal) or known_type(value) not in (None, "BOOL"):
        raise _invalid(f"{name}'s {allowed} must be a BOOL")
    return exp.cast(value.copy(), "BOOLEAN")


def _as_json(value: exp.Expression) -> exp.Expression:
    """The value's JSON text as TO_JSON writes it (semantics.py rewrites the TO_JSON)."""
    node = exp.JSONFormat(this=value.copy(), to_json=True)
    node.meta[AS_TEXT] = True
    return node


def _list(items: list[exp.Expression], of: str) -> exp.Expression:
    return exp.cast(exp.Array(expressions=items), f"{of}[]")


def _pairs(node: exp.Expression, name: str, flag_name: str) -> tuple[list[exp.Expression], exp.Expression]:
    args = list(node.expressions)
    kwarg = args.pop() if args and isinstance(args[-1], exp.Kwarg) else None
    if not args or len(args) % 2:
        raise _invalid(f"No matching signature for function {name}: it takes (json, path, value[, path, value ...])")
    if any(isinstance(a, exp.Kwarg) for a in args):
        raise _invalid(f"{name}'s named argument must come last")
    return args, _flag(name, kwarg, flag_name)


def _call(udf: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="json", expressions=[exp.Anonymous(this=udf, expressions=list(args))])


def _mutator(node: Any) -> exp.Expression:
    from .udfs import JSON_EDIT_UDFS

    if isinstance(node, exp.JSONRemove):
        doc = _json_document("JSON_REMOVE", node.this)
        if not node.expressions or any(isinstance(a, exp.Kwarg) for a in node.expressions):
            raise _invalid("No matching signature for function JSON_REMOVE: it takes (json, path[, path ...])")
        return _call(JSON_EDIT_UDFS["JSON_REMOVE"], doc, _list([p.copy() for p in node.expressions], "VARCHAR"))
    if isinstance(node, exp.JSONStripNulls):
        doc = _json_document("JSON_STRIP_NULLS", node.this)
        path = node.expression.copy() if node.expression is not None else exp.Literal.string("$")
        include_arrays = _flag("JSON_STRIP_NULLS", node.args.get("include_arrays"), "include_arrays")
        remove_empty = node.args.get("remove_empty")
        empty = exp.false() if remove_empty is None else _flag("JSON_STRIP_NULLS", remove_empty, "remove_empty")
        return _call(JSON_EDIT_UDFS["JSON_STRIP_NULLS"], doc, path, include_arrays, empty)
    name, flag_name = _FLAGS[type(node)]
    doc = _json_document(name, node.this)
    args, flag = _pairs(node, name, flag_name)
    paths = _list([a.copy() for a in args[0::2]], "VARCHAR")
    values = _list([_as_json(a) for a in args[1::2]], "VARCHAR")
    if isinstance(node, exp.JSONSet):
        return _call(JSON_EDIT_UDFS[name], doc, paths, values, flag)
    # a SQL ARRAY value adds its elements one by one (a JSON array is one value)
    is_arrays: list[exp.Expression] = [
        exp.Anonymous(
            this="ends_with",
            expressions=[exp.Anonymous(this="typeof", expressions=[a.copy()]), exp.Literal.string("[]")],
        )
        for a in args[1::2]
    ]
    return _call(JSON_EDIT_UDFS[name], doc, paths, values, _list(is_arrays, "BOOLEAN"), flag)


def rewrite_json_mutators(stmt: exp.Expression) -> None:
    """Rewrite each JSON mutator call in `stmt` as its UDF's call (before TO_JSON_STRING's rewrite)."""
    kinds = (exp.JSONSet, exp.JSONRemove, exp.JSONStripNulls, exp.JSONArrayAppend, exp.JSONArrayInsert)
    for node in reversed(find_all(stmt, *kinds)):
        node.replace(_mutator(node))
