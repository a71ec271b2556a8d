"""JavaScript user-defined functions, run by an embedded V8 (`mini-racer`, the `js` extra).

Types follow BigQuery's JavaScript encodings ("Supported JavaScript UDF data types"): FLOAT64
is a Number; a NUMERIC or BIGNUMERIC argument a Number when it is a whole number within ±2^53,
else a String of its digits; STRING and BOOL their JavaScript kinds, BYTES a base64 string, an
ARRAY an Array, a STRUCT an Object with a property per field, JSON the equivalent JavaScript
object, array or value (`JSON.parse` of its text). An INT64 argument, which the reference calls
unsupported but BigQuery takes, is a String of its digits, as BigQuery passes it (JavaScript has
no 64-bit integer); an INT64 result may be a Number or a numeric String. DATE, TIMESTAMP and the
other types are refused by name. Each call runs under `TIMEOUT_S` and the context under
`MAX_MEMORY` bytes.
"""

from __future__ import annotations

import base64
import decimal
import hashlib
import inspect
import json
import threading
from collections import OrderedDict
from typing import Any

from ...core.extras import require_extra
from .googlesql import BigQueryError, quote_ident

TIMEOUT_S = 1.0
"""Wall time one JavaScript call may take."""
MAX_MEMORY = 64 * 1024 * 1024
"""V8 heap one function's context may use."""

_DUCKDB_TYPES = {
    "FLOAT64": "DOUBLE",
    "INT64": "BIGINT",
    "STRING": "VARCHAR",
    "BOOL": "BOOLEAN",
    "NUMERIC": "DOUBLE",
    "BIGNUMERIC": "DOUBLE",
    "BYTES": "BLOB",
    "JSON": "JSON",
}


def udf_name(params: list[tuple[str, str]], returns: str, body: str) -> str:
    key = json.dumps([params, returns, body]).encode()
    return "__llmops_js_" + hashlib.sha256(key).hexdigest()[:16]


def check_signature(params: list[tuple[str, str]], returns: str | None) -> None:
    """Refuse what BigQuery's JavaScript UDFs cannot take or give (a one-line error)."""
    for _, t in params:
        if duckdb_type(t) is None:
            raise BigQueryError(
                f"JavaScript UDF argument type {t} is not supported by the local warehouse",
                fix="use FLOAT64, INT64, STRING, BOOL, NUMERIC, BYTES or JSON, or an ARRAY or STRUCT of them",
            )
    if returns is None:
        raise BigQueryError("A JavaScript UDF needs a RETURNS type", fix="add RETURNS FLOAT64 (or another type)")
    if duckdb_type(returns) is None:
        raise BigQueryError(
            f"JavaScript UDF return type {returns} is not supported by the local warehouse",
            fix="use FLOAT64, INT64, STRING, BOOL, NUMERIC, BYTES or JSON, or an ARRAY or STRUCT of them",
        )


_EXACT_ARGUMENTS = {"NUMERIC": "DECIMAL(38,9)", "BIGNUMERIC": "DECIMAL(38,18)"}
"""Argument types that reach Python as Decimals, so their JavaScript encoding sees every digit."""


def duckdb_type(t: str, *, argument: bool = False) -> str | None:
    """The DuckDB type of a JavaScript UDF's result type (or, `argument`, of an argument's);
    None for the types the local warehouse does not pass to JavaScript."""
    return _duckdb(_tree(t), argument)


def call_sql(udf: str, params: list[tuple[str, str]]) -> str:
    """The call of `udf` on the parameters by name, each cast to its argument type where the
    call's own type may differ (DuckDB does not widen a DOUBLE to a DECIMAL to bind a call)."""
    args = []
    for name, t in params:
        exact, plain = duckdb_type(t, argument=True), duckdb_type(t)
        args.append(quote_ident(name) if exact == plain else f"CAST({quote_ident(name)} AS {exact})")
    return f"{udf}({', '.join(args)})"


def _duckdb(tree: Any, argument: bool = False) -> str | None:
    if isinstance(tree, str):
        return (argument and _EXACT_ARGUMENTS.get(tree)) or _DUCKDB_TYPES.get(tree)
    kind, inner = tree
    if kind == "ARRAY":
        element = _duckdb(inner, argument)
        return f"{element}[]" if element else None
    fields = [(name, _duckdb(t, argument)) for name, t in inner]
    if not fields or any(t is None for _, t in fields):
        return None
    return "STRUCT(" + ", ".join(f"{quote_ident(name)} {t}" for name, t in fields) + ")"


def _tree(t: str) -> Any:
    """GoogleSQL type text as a tree: the scalar's name, `("ARRAY", T)` or `("STRUCT", ((name,
    T), ...))`. A STRUCT with an unnamed field is no tree (refused: JavaScript has no property
    for it)."""
    text = t.strip()
    upper = text.upper()
    for kind in ("ARRAY", "STRUCT"):
        if upper.startswith(kind) and upper[len(kind) :].lstrip().startswith("<") and text.endswith(">"):
            inside = text[text.index("<") + 1 : -1]
            if kind == "ARRAY":
                return ("ARRAY", _tree(inside))
            fields = []
            for part in _split_top(inside):
                name, _, rest = part.strip().partition(" ")
                if not rest.strip():
                    return "STRUCT<unnamed>"
                fields.append((name.strip("`"), _tree(rest)))
            return ("STRUCT", tuple(fields))
    return upper.replace(" ", "")


def _split_top(text: str) -> list[str]:
    """`text` split at the commas outside angle brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "<") - (ch == ">")
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def _result_js(tree: Any, v: str, depth: int = 0) -> str:
    """JavaScript that turns the body's result `v` into what V8 hands back (as JSON) for `tree`:
    `undefined` is NULL (as a null result is); a STRING of another kind is JavaScript's own
    String() of it (`true`, `1,2`), as BigQuery converts it; a STRUCT takes its fields from the
    object's properties of their names (a missing one is NULL); JSON is the value's JSON text."""
    if tree == "STRING":
        return f"({v} == null ? null : String({v}))"
    if tree == "JSON":
        return f"({v} == null ? null : JSON.stringify({v}))"
    if isinstance(tree, str):
        return f"({v} === undefined ? null : {v})"
    kind, inner = tree
    if kind == "ARRAY":
        e = f"__e{depth}"
        return f"(Array.isArray({v}) ? {v}.map(({e}) => {_result_js(inner, e, depth + 1)}) : {v} ?? null)"
    props = ", ".join(
        f"{json.dumps(name)}: {_result_js(t, f'{v}[{json.dumps(name)}]', depth + 1)}" for name, t in inner
    )
    return f"({v} !== null && typeof {v} === 'object' && !Array.isArray({v}) ? {{{props}}} : {v} ?? null)"


class JsFunction:
    """One compiled JavaScript function, callable from DuckDB as a scalar UDF."""

    def __init__(self, params: list[tuple[str, str]], returns: str, body: str):
        require_extra("py_mini_racer", "js", "JavaScript UDFs (LANGUAGE js)")
        from py_mini_racer import MiniRacer

        self.params, self.returns = params, returns
        self._lock = threading.Lock()
        self._ctx = MiniRacer()
        names = ", ".join(n for n, _ in params)
        self._arg_trees = [_tree(t) for _, t in params]
        self._result_tree = _tree(returns)
        out = _result_js(self._result_tree, "r")  # the result leaves V8 as JSON
        try:
            self._ctx.eval(
                f"function __udf({names}) {{\n{body}\n}}\n"
                f"function __udf_result(...a) {{ const r = __udf(...a); return {out}; }}",
                timeout_sec=TIMEOUT_S,
                max_memory=MAX_MEMORY,
            )
        except Exception as exc:  # V8's syntax errors have no common base class
            raise BigQueryError(
                f"JavaScript UDF body is invalid: {str(exc).splitlines()[0][:200]}", fix="fix the JavaScript code"
            ) from None

    def __call__(self, *args: Any) -> Any:
        js_args = [_to_js(a, t) for a, t in zip(args, self._arg_trees)]
        with self._lock:
            try:
                out = self._ctx.call("__udf_result", *js_args, timeout_sec=TIMEOUT_S, max_memory=MAX_MEMORY)
            except Exception as exc:
                text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
                if "timeout" in type(exc).__name__.lower() or "timed out" in text.lower():
                    text = f"the call took longer than {TIMEOUT_S:g} s"
                raise ValueError(f"JavaScript UDF failed: {text}") from None
        return _from_js(out, self._result_tree)

    def register(self, con: Any, name: str) -> None:
        import duckdb

        # DuckDB counts the callable's parameters: give the call exactly one per argument
        def udf(*args: Any) -> Any:
            return self(*args)

        positional = inspect.Parameter.POSITIONAL_ONLY
        udf.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(f"a{i}", positional) for i in range(len(self.params))]
        )
        con.create_function(
            name,
            udf,
            [duckdb_type(t, argument=True) for _, t in self.params],
            duckdb_type(self.returns),
            null_handling="special",
            exception_handling=duckdb.PythonExceptionHandling.DEFAULT,
            side_effects=False,
        )


def _to_js(value: Any, tree: Any) -> Any:
    if value is None:
        return None
    if isinstance(tree, tuple):
        kind, inner = tree
        if kind == "ARRAY":
            return [_to_js(v, inner) for v in value]
        return {name: _to_js(value.get(name), t) for name, t in inner}
    if tree == "BYTES":
        return base64.b64encode(value).decode()
    if tree == "JSON":
        return json.loads(value)
    if tree == "INT64":
        return str(value)
    if tree in ("NUMERIC", "BIGNUMERIC"):
        return _numeric(decimal.Decimal(value))
    return value


def _numeric(value: decimal.Decimal) -> int | str:
    """A NUMERIC or BIGNUMERIC argument as BigQuery encodes it: a Number when it has no fraction
    and lies within ±2^53 (a double holds it exactly), else a String of its digits."""
    if value == value.to_integral_value() and abs(value) <= 2**53:
        return int(value)
    return format(value.normalize(), "f")


def _from_js(value: Any, tree: Any) -> Any:
    if value is None:
        return None
    if isinstance(tree, tuple):
        kind, inner = tree
        if kind == "ARRAY":
            if not isinstance(value, list):
                raise ValueError(f"JavaScript UDF returned {value!r}, which is not an ARRAY")
            return [_from_js(v, inner) for v in value]
        if not isinstance(value, dict):
            raise ValueError(f"JavaScript UDF returned {value!r}, which is not a STRUCT")
        return {name: _from_js(value.get(name), t) for name, t in inner}
    try:
        if tree == "INT64":
            return _int64(value)
        if tree in ("FLOAT64", "NUMERIC", "BIGNUMERIC"):
            return float(value)
        if tree in ("STRING", "JSON"):
            return str(value)  # V8 wrote it with String() / JSON.stringify()
        if tree == "BOOL":
            return bool(value)
        if tree == "BYTES":
            return base64.b64decode(value)
    except (TypeError, ValueError):
        raise ValueError(f"JavaScript UDF returned {value!r}, which is not a {tree}") from None
    return value


def _int64(value: Any) -> int:
    """A Number or a numeric String as INT64, as BigQuery converts a JavaScript result: a fraction
    rounds half away from zero (CAST of a FLOAT64), a String is read as an integer's digits."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, str):
        return int(value.strip())
    number = decimal.Decimal(value).to_integral_value(decimal.ROUND_HALF_UP)
    if not -(2**63) <= number < 2**63:
        raise ValueError(value)
    return int(number)


_compiled: OrderedDict[str, JsFunction] = OrderedDict()
_compiled_lock = threading.Lock()
_CACHE_SIZE = 256


def compiled(name: str, params: list[tuple[str, str]], returns: str, body: str) -> JsFunction:
    """The JsFunction for `name`, compiled once per process (the newest `_CACHE_SIZE` are kept;
    a UDF already registered keeps its own reference)."""
    with _compiled_lock:
        fn = _compiled.get(name)
        if fn is None:
            fn = _compiled[name] = JsFunction(params, returns, body)
            while len(_compiled) > _CACHE_SIZE:
                _compiled.popitem(last=False)
        else:
            _compiled.move_to_end(name)
        return fn
