"""TO_JSON_STRING of STRUCT and ARRAY values, as BigQuery encodes them.

DuckDB's `to_json` writes a nested value with its own number and text forms; this module reads
that JSON back with the value's DuckDB type (`typeof`) and writes BigQuery's encoding: FLOAT64
with 15 (else 17) significant digits, NaN and infinities as strings, NUMERIC with a fraction and
INT64 beyond 2^53 quoted, BYTES as base64, TIMESTAMP as RFC 3339 with `Z`, DATETIME with a `T`.
"""

from __future__ import annotations

import base64
import decimal
import functools
import json
import math
import re
from typing import Any

from .jsonorder import first_key_kept

_MAX_EXACT = 2**53


def _split_top(text: str) -> list[str]:
    """`text` split at the commas outside parentheses and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


@functools.lru_cache(maxsize=256)
def parse_type(text: str) -> Any:
    """A DuckDB type name as a tree: `("list", T)`, `("struct", [(name, T)])` or the scalar name."""
    text = text.strip()
    if text.endswith("[]"):
        return ("list", parse_type(text[:-2]))
    if text.upper().startswith("STRUCT(") and text.endswith(")"):
        fields = []
        for part in _split_top(text[7:-1]):
            if part.startswith('"'):
                end = part.index('"', 1)
                while end + 1 < len(part) and part[end + 1] == '"':  # "" inside a quoted name
                    end = part.index('"', end + 2)
                name, rest = part[1:end].replace('""', '"'), part[end + 1 :]
            else:
                name, _, rest = part.partition(" ")
            fields.append((name, parse_type(rest)))
        return ("struct", tuple(fields))
    return text.upper()


def _float(value: Any) -> str:
    if isinstance(value, str):  # DuckDB writes non-finite doubles as NaN / Infinity
        value = float(value)
    number = float(value)
    if math.isnan(number):
        return '"NaN"'
    if math.isinf(number):
        return '"Infinity"' if number > 0 else '"-Infinity"'
    short = f"{number:.15g}"
    return short if float(short) == number else f"{number:.17g}"


def _fraction(text: str, digits: int) -> str:
    """A time's fraction padded to 3 or 6 digits, or dropped when zero (BigQuery's scales)."""
    head, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if not frac:
        return head
    return f"{head}.{frac.ljust(3 if len(frac) <= 3 else 6, '0')[:digits]}"


_BLOB_ESCAPE = re.compile(r"\\x([0-9A-Fa-f]{2})")


_INTS = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT")
_LINE_SEPARATORS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029"})


def _dumps(value: Any) -> str:
    """A JSON string as ZetaSQL's JsonEscapeString writes it: `"`, `\\` and the control characters
    escaped, and U+2028 / U+2029 too (as `\\u2028`, `\\u2029`)."""
    return json.dumps(value, ensure_ascii=False).translate(_LINE_SEPARATORS)


def anonymous_key(name: str, position: int) -> str:
    """A STRUCT field's key in TO_JSON_STRING: `""` for an anonymous field ("Anonymous fields are
    represented with `""`"), which the local warehouse names `_field_N` after its 1-based position
    N (structs.py), as BigQuery's result schema does."""
    return "" if name == f"_field_{position + 1}" else name


def _int(value: Any) -> str:
    number = int(value)
    return f'"{number}"' if abs(number) > _MAX_EXACT else str(number)


def _decimal(value: Any) -> str:
    number = decimal.Decimal(str(value))
    text = format(number.normalize(), "f") if number != 0 else "0"
    return f'"{text}"' if "." in text or abs(number) > _MAX_EXACT else text


def _blob(value: Any) -> str:
    raw = _BLOB_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(value)).encode("latin-1")
    return '"' + base64.b64encode(raw).decode("ascii") + '"'


def _timestamp(value: Any) -> str:
    day, _, clock = str(value).partition(" ")
    return _dumps(f"{day}T{_fraction(clock.removesuffix('+00'), 6)}Z")


def _datetime(value: Any) -> str:
    day, _, clock = str(value).replace("T", " ").partition(" ")
    return _dumps(f"{day}T{_fraction(clock, 6)}")


_SCALARS: dict[str, Any] = {
    "DOUBLE": _float,
    "FLOAT": _float,
    "BOOLEAN": lambda v: "true" if v else "false",
    "BLOB": _blob,
    "TIMESTAMP WITH TIME ZONE": _timestamp,
    "TIMESTAMP": _datetime,
    "TIME": lambda v: _dumps(_fraction(str(v), 6)),
    # a JSON's members sorted by key, as BigQuery keeps them (jsonorder.py; the first of a
    # repeated key is kept as the text is read: `first_key_kept`; a STRUCT's field names do not repeat)
    "JSON": lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
    "VARCHAR": _dumps,
    "DATE": _dumps,
    "UUID": lambda v: _dumps(str(v)),
    "NULL": lambda v: "null",
    **dict.fromkeys(_INTS, _int),
}


def _number(value: Any) -> str:
    """TO_JSON's INT64 or NUMERIC: a JSON number whatever its width (stringify_wide_numbers off)."""
    number = decimal.Decimal(str(value))
    return format(number.normalize(), "f") if number != 0 else "0"


@functools.lru_cache(maxsize=256)
def _encoder(typ: Any, wide_as_text: bool = True) -> Any:
    """A function writing a value of DuckDB type `typ` (parsed) as BigQuery's JSON: TO_JSON_STRING's
    (INT64 beyond 2^53 and NUMERIC with a fraction quoted), or TO_JSON's (`wide_as_text` off)."""
    if isinstance(typ, tuple) and typ[0] == "list":
        item = _encoder(typ[1], wide_as_text)
        return lambda v: "[" + ",".join("null" if e is None else item(e) for e in v) + "]"
    if isinstance(typ, tuple) and typ[0] == "struct":
        fields = tuple(
            (n, _dumps(anonymous_key(n, i) if wide_as_text else n) + ":", _encoder(t, wide_as_text))
            for i, (n, t) in enumerate(typ[1])
        )
        return lambda v: "{" + ",".join(k + ("null" if v.get(n) is None else f(v[n])) for n, k, f in fields) + "}"
    if not wide_as_text and (typ.startswith("DECIMAL") or typ in _INTS):
        return _number
    if typ.startswith("DECIMAL"):
        return _decimal
    if typ in _SCALARS:
        return _SCALARS[typ]

    def refuse(value: Any) -> str:
        raise ValueError(f"TO_JSON_STRING of a {typ} inside a STRUCT or ARRAY is not supported by the local warehouse")

    return refuse


def to_json_string(duck_json: str, duck_type: str) -> str:
    """BigQuery's TO_JSON_STRING of a value, from DuckDB's `to_json` text and `typeof` name."""
    exact = decimal.Decimal if "DECIMAL" in duck_type else float
    value = json.loads(duck_json, parse_float=exact, parse_constant=str, object_pairs_hook=first_key_kept)
    return "null" if value is None else _encoder(parse_type(duck_type))(value)


def to_json_text(duck_json: str, duck_type: str) -> str:
    """BigQuery's TO_JSON of a value (as text): wide INT64 and NUMERIC stay JSON numbers."""
    exact = decimal.Decimal if "DECIMAL" in duck_type else float
    value = json.loads(duck_json, parse_float=exact, parse_constant=str, object_pairs_hook=first_key_kept)
    return "null" if value is None else _encoder(parse_type(duck_type), False)(value)


def pretty_json(text: str) -> str:
    """Compact JSON text as TO_JSON_STRING's pretty_print writes it (ZetaSQL's JsonPrettyPrinter):
    each member and element on its own line, indented by 2, `"key": value`; `{}` and `[]` stay
    empty. The tokens are kept as written."""
    out: list[str] = []
    depth, quoted, escaped = 0, False, False
    for i, ch in enumerate(text):
        if quoted:
            out.append(ch)
            quoted = escaped or ch != '"'
            escaped = not escaped and ch == "\\"
        elif ch == '"':
            out.append(ch)
            quoted = True
        elif ch in "{[":
            depth += 1
            empty = i + 1 < len(text) and text[i + 1] in "}]"
            out.append(ch if empty else ch + "\n" + "  " * depth)
        elif ch in "}]":
            depth -= 1
            out.append(ch if text[i - 1] in "{[" else "\n" + "  " * depth + ch)
        elif ch == ",":
            out.append(",\n" + "  " * depth)
        elif ch == ":":
            out.append(": ")
        else:
            out.append(ch)
    return "".join(out)
