"""DuckDB SQL written from a translated tree, with the names of the functions it calls.

sqlglot's DuckDB generator writes the SQL; the names are taken from what it writes for each
function node (the name before the opening parenthesis), so user-given names (anonymous
functions) and sqlglot's renamings of known ones are both seen as DuckDB will read them. This
works the same on the pure-Python sqlglot and on its compiled build (`sqlglot[c]`, whose
generator classes cannot be subclassed): each function node's entry in the generator's
dispatch table is wrapped, nothing is overridden.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from sqlglot import ErrorLevel, exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import UnsupportedError

_DUCKDB = DuckDB()
_CALL = re.compile(r'([A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")\(')
"""A call's name where a function node's SQL starts: `name(` or `"quoted name"(`."""

# The session's time zone is UTC (sandbox.py), so EXTRACT from a TIMESTAMP is BigQuery's.
_HARMLESS = ("EXTRACT from TIMESTAMPTZ",)

_calls = threading.local()


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    todo: list[type] = [cls]
    while todo:
        sub: type
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def _recording(handler: Callable[[Any, exp.Expression], str]) -> Callable[[Any, exp.Expression], str]:
    def write(gen: Any, node: exp.Expression) -> str:
        sql = handler(gen, node)
        match = _CALL.match(sql)
        # AND/OR/XOR are function nodes too, whose SQL starts with their left operand's
        if match is not None and not _is_array_of_query(node) and not isinstance(node, exp.Connector):
            _calls.names.append(match.group(1))
        return sql

    return write


def _is_array_of_query(node: exp.Expression) -> bool:
    """ARRAY(subquery) is syntax, not a function call."""
    args = node.expressions
    return isinstance(node, exp.Array) and len(args) == 1 and isinstance(args[0], exp.Query | exp.Subquery)


def _fallback(gen: Any, node: exp.Expression) -> str:
    return gen.function_fallback_sql(node)


# DuckDB binds a bare CURRENT_TIMESTAMP / CURRENT_DATE to a select-list alias of the same name
# (`SELECT CURRENT_DATE() AS current_date` fails to bind), so they are written as calls.
_AS_CALLS: dict[type, str] = {exp.CurrentTimestamp: "now()", exp.CurrentDate: "today()"}


def _as_call(handler: Callable[[Any, exp.Expression], str], call: str) -> Callable[[Any, exp.Expression], str]:
    def write(gen: Any, node: exp.Expression) -> str:
        return call if not any(node.args.values()) else handler(gen, node)

    return write


_dispatch: dict[type, Callable[..., str]] | None = None
_lock = threading.Lock()


def _recording_dispatch(base: dict[type, Callable[..., str]]) -> dict[type, Callable[..., str]]:
    """The generator's dispatch table with every function node's entry recording its call."""
    global _dispatch
    with _lock:
        if _dispatch is None:
            table = dict(base)
            for cls in [exp.Func, *_subclasses(exp.Func)]:
                handler = base.get(cls, _fallback)
                if cls in _AS_CALLS:
                    handler = _as_call(handler, _AS_CALLS[cls])
                table[cls] = _recording(handler)
            _dispatch = table
        return _dispatch


def generate(node: exp.Expression) -> tuple[str, list[str]]:
    """DuckDB SQL for `node`, and the function names it calls (as written, in order).

    Raises UnsupportedError for what sqlglot cannot write in DuckDB's dialect."""
    from .udfnames import unmark_udf_calls

    unmark_udf_calls(node)
    gen: Any = DuckDB.Generator(dialect=_DUCKDB, unsupported_level=ErrorLevel.IGNORE)
    gen._dispatch = _recording_dispatch(gen._dispatch)
    outer = getattr(_calls, "names", None)
    names: list[str] = []
    _calls.names = names
    try:
        sql = gen.generate(node)
    finally:
        _calls.names = outer
    problems = [m for m in gen.unsupported_messages if not m.startswith(_HARMLESS)]
    if problems:
        raise UnsupportedError(problems[0])
    return sql, names
