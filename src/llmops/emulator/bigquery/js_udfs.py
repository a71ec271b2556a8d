"""JavaScript user-defined functions, run by an embedded V8 (`mini-racer`, the `js` extra).

Types follow BigQuery's JavaScript encodings: FLOAT64 and NUMERIC are Numbers, STRING and BOOL
their JavaScript kinds, BYTES a base64 string, an ARRAY of those an Array (STRUCT, an Object in
BigQuery, is not passed: refused by name). INT64, alone or in an ARRAY, is refused
as an argument type (JavaScript has no 64-bit integer; BigQuery refuses it too) and allowed as a
return type (a Number or a numeric String). Each call runs under `TIMEOUT_S` and the context
under `MAX_MEMORY` bytes.
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
from .googlesql import BigQueryError

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
}


def udf_name(params: list[tuple[str, str]], returns: str, body: str) -> str:
    key = json.dumps([params, returns, body]).encode()
    return "__llmops_js_" + hashlib.sha256(key).hexdigest()[:16]


def check_signature(params: list[tuple[str, str]], returns: str | None) -> None:
    """Refuse what BigQuery's JavaScript UDFs cannot take or give (a one-line error)."""
    for name, t in params:
        if t == "INT64" or _element(t) == "INT64":
            raise BigQueryError(
                f"JavaScript UDF argument {name} has type {t}, which JavaScript cannot represent",
                fix="declare it FLOAT64 (a number) or STRING",
            )
        if duckdb_type(t) is None:
            raise BigQueryError(
                f"JavaScript UDF argument type {t} is not supported by the local warehouse",
                fix="use FLOAT64, STRING, BOOL, NUMERIC or BYTES, or an ARRAY of them",
            )
    if returns is None:
        raise BigQueryError("A JavaScript UDF needs a RETURNS type", fix="add RETURNS FLOAT64 (or another type)")
    if duckdb_type(returns) is None:
        raise BigQueryError(
            f"JavaScript UDF return type {returns} is not supported by the local warehouse",
            fix="use FLOAT64, INT64, STRING, BOOL, NUMERIC or BYTES, or an ARRAY of them",
        )


def duckdb_type(t: str) -> str | None:
    """The DuckDB type of a JavaScript UDF's argument or result type (a scalar, or an ARRAY of
    one); None for the types the local warehouse does not pass to JavaScript."""
    element = _element(t)
    if element is not None:
        inner = _DUCKDB_TYPES.get(element)
        return f"{inner}[]" if inner else None
    return _DUCKDB_TYPES.get(t)


def _element(t: str) -> str | None:
    """The element type of `ARRAY<T>`; None for any other type."""
    upper = t.replace(" ", "").upper()
    return upper[6:-1] if upper.startswith("ARRAY<") and upper.endswith(">") else None


class JsFunction:
    """One compiled JavaScript function, callable from DuckDB as a scalar UDF."""

    def __init__(self, params: list[tuple[str, str]], returns: str, body: str):
        require_extra("py_mini_racer", "js", "JavaScript UDFs (LANGUAGE js)")
        from py_mini_racer import MiniRacer

        self.params, self.returns = params, returns
        self._lock = threading.Lock()
        self._ctx = MiniRacer()
        names = ", ".join(n for n, _ in params)
        # the result leaves V8 as JSON: `undefined` is NULL (as a null result is), and a STRING
        # result of another kind is JavaScript's own String() of it (`true`, `1,2`), as BigQuery
        # converts it
        out = {
            "STRING": "r == null ? null : String(r)",
            "ARRAY<STRING>": "Array.isArray(r) ? r.map((e) => (e == null ? null : String(e))) : r === undefined ? null : r",
        }.get(returns.upper().replace(" ", ""), "r === undefined ? null : r")
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
        js_args = [_to_js(a, t) for a, (_, t) in zip(args, self.params)]
        with self._lock:
            try:
                out = self._ctx.call("__udf_result", *js_args, timeout_sec=TIMEOUT_S, max_memory=MAX_MEMORY)
            except Exception as exc:
                text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
                if "timeout" in type(exc).__name__.lower() or "timed out" in text.lower():
                    text = f"the call took longer than {TIMEOUT_S:g} s"
                raise ValueError(f"JavaScript UDF failed: {text}") from None
        return _from_js(out, self.returns)

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
            [duckdb_type(t) for _, t in self.params],
            duckdb_type(self.returns),
            null_handling="special",
            exception_handling=duckdb.PythonExceptionHandling.DEFAULT,
            side_effects=False,
        )


def _to_js(value: Any, t: str) -> Any:
    if value is None:
        return None
    element = _element(t)
    if element is not None:
        return [_to_js(v, element) for v in value]
    if t == "BYTES":
        return base64.b64encode(value).decode()
    return value


def _from_js(value: Any, t: str) -> Any:
    if value is None:
        return None
    element = _element(t)
    if element is not None:
        if not isinstance(value, list):
            raise ValueError(f"JavaScript UDF returned {value!r}, which is not an {t}")
        return [_from_js(v, element) for v in value]
    try:
        if t == "INT64":
            return _int64(value)
        if t in ("FLOAT64", "NUMERIC", "BIGNUMERIC"):
            return float(value)
        if t == "STRING":
            return str(value)  # V8 wrote it with String()
        if t == "BOOL":
            return bool(value)
        if t == "BYTES":
            return base64.b64decode(value)
    except (TypeError, ValueError):
        raise ValueError(f"JavaScript UDF returned {value!r}, which is not a {t}") from None
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
