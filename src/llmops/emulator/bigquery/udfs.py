"""GoogleSQL functions DuckDB SQL cannot express (SHA384, SHA512, BASE32, CAST FORMAT 'BASE8', NET.*,
JSON_FLATTEN, NORMALIZE's
NFKC/NFD/NFKD forms and Unicode case folding, TO_JSON_STRING of nested values), as vectorised
Python UDFs the engine registers on its own connections.

Each UDF takes and returns Arrow arrays (one call per batch, not per row). A value the function
rejects raises `ValueError` with BigQuery's message; SAFE variants answer NULL instead.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import functools
import hashlib
import ipaddress
import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from . import (
    decimalmath,
    floatcasts,
    jsonedit,
    jsonlax,
    jsonnumbers,
    jsonorder,
    substrsearch,
    textsearch,
    widearithmetic,
    widecolumns,
    widefunctions,
)
from .jsonout import pretty_json, to_json_string, to_json_text

SHA512_UDF = "__bq_sha512"
SHA384_UDF = "__bq_sha384"
NORMALIZE_UDF = "__bq_normalize"
NORMALIZE_CASEFOLD_UDF = "__bq_normalize_casefold"
JSON_KEYS_UDF = "__bq_json_keys"
JSON_QUERY_LAX_UDF = "__bq_json_query_lax"
JSON_FLATTEN_UDF = "__bq_json_flatten"
TO_BASE32_UDF = "__bq_to_base32"
FROM_BASE32_UDF = "__bq_from_base32"
TO_BASE8_UDF = "__bq_to_base8"
FROM_BASE8_UDF = "__bq_from_base8"
TO_JSON_STRING_UDF = "__bq_to_json_string"
TO_JSON_UDF = "__bq_to_json"
JSON_PRETTY_UDF = "__bq_json_pretty"
SAFE_CONVERT_BYTES_UDF = "__bq_safe_convert_bytes"
STRING_LITERAL_UDF = "__bq_string_literal"
RAISE_UDF = "__bq_raise"
INTERVAL_PARTS_UDF = "__bq_interval_parts"
UPPER_UDF = "__bq_upper"
LOWER_UDF = "__bq_lower"
SAFE_INTERVAL_PARTS_UDF = "__bq_safe_interval_parts"
JSON_EDIT_UDFS = {
    "JSON_SET": "__bq_json_set",
    "JSON_REMOVE": "__bq_json_remove",
    "JSON_STRIP_NULLS": "__bq_json_strip_nulls",
    "JSON_ARRAY_APPEND": "__bq_json_array_append",
    "JSON_ARRAY_INSERT": "__bq_json_array_insert",
}
NET_UDFS_BY_NAME = {
    "HOST": "__bq_net_host",
    "PUBLIC_SUFFIX": "__bq_net_public_suffix",
    "REG_DOMAIN": "__bq_net_reg_domain",
    "IP_FROM_STRING": "__bq_net_ip_from_string",
    "SAFE_IP_FROM_STRING": "__bq_net_safe_ip_from_string",
    "IP_TO_STRING": "__bq_net_ip_to_string",
    "IPV4_FROM_INT64": "__bq_net_ipv4_from_int64",
    "IPV4_TO_INT64": "__bq_net_ipv4_to_int64",
    "IP_NET_MASK": "__bq_net_ip_net_mask",
    "IP_TRUNC": "__bq_net_ip_trunc",
}
GOOGLESQL_NAME = {
    SHA512_UDF: "SHA512",
    SHA384_UDF: "SHA384",
    NORMALIZE_UDF: "NORMALIZE",
    NORMALIZE_CASEFOLD_UDF: "NORMALIZE_AND_CASEFOLD",
    JSON_KEYS_UDF: "JSON_KEYS",
    JSON_QUERY_LAX_UDF: "JSON_QUERY",
    JSON_FLATTEN_UDF: "JSON_FLATTEN",
    TO_BASE32_UDF: "TO_BASE32",
    FROM_BASE32_UDF: "FROM_BASE32",
    TO_BASE8_UDF: "CAST",
    FROM_BASE8_UDF: "CAST",
    TO_JSON_STRING_UDF: "TO_JSON_STRING",
    TO_JSON_UDF: "TO_JSON",
    JSON_PRETTY_UDF: "TO_JSON_STRING",
    jsonorder.SORTED_JSON_UDF: "TO_JSON_STRING",
    SAFE_CONVERT_BYTES_UDF: "SAFE_CONVERT_BYTES_TO_STRING",
    STRING_LITERAL_UDF: "FORMAT",
    INTERVAL_PARTS_UDF: "CAST",
    UPPER_UDF: "UPPER",
    LOWER_UDF: "LOWER",
    jsonnumbers.PARSE_JSON_NUMBERS_UDF: "PARSE_JSON",
    SAFE_INTERVAL_PARTS_UDF: "SAFE_CAST",
    **{udf: f"NET.{name}" for name, udf in NET_UDFS_BY_NAME.items()},
    **{udf: name for name, udf in JSON_EDIT_UDFS.items()},
    textsearch.SEARCH_UDF: "SEARCH",
    textsearch.TEXT_ANALYZE_UDF: "TEXT_ANALYZE",
    substrsearch.CONTAINS_SUBSTR_UDF: "CONTAINS_SUBSTR",
}
"""The GoogleSQL function each engine UDF implements (for error messages)."""


# ---------------------------------------------------------------------- hashing and encoding


def _sha512(value: bytes) -> bytes:
    return hashlib.sha512(value).digest()


def _sha384(value: bytes) -> bytes:
    return hashlib.sha384(value).digest()


def _normalize(value: str, mode: str) -> str:
    return unicodedata.normalize(mode, value)  # type: ignore[arg-type]  # the translator checks the mode


def _normalize_casefold(value: str, mode: str) -> str:
    # ZetaSQL normalizes, then applies ICU's default full case folding (Python's str.casefold)
    return unicodedata.normalize(mode, value).casefold()  # type: ignore[arg-type]


def _upper(value: str) -> str:
    return value.upper()


def _lower(value: str) -> str:
    return value.lower()


def _each_byte_replaced(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return "\ufffd" * (error.end - error.start), error.end


codecs.register_error("bq_each_byte", _each_byte_replaced)


def _safe_convert_bytes(value: bytes) -> str:
    # ZetaSQL's SafeConvertBytes: one U+FFFD for each byte of an ill-formed sequence (ICU's
    # U8_NEXT and Python's decoder stop at the same maximal subpart; Python's "replace" would
    # write one U+FFFD for the whole subpart: b"\xe2\x82(" is "\ufffd\ufffd(" in BigQuery)
    return value.decode("utf-8", "bq_each_byte")


_SIMPLE_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def _string_literal(value: str) -> str:
    """A STRING as the GoogleSQL literal FORMAT's %T writes (ZetaSQL's ToStringLiteral): in
    single quotes when it has a double quote and no single one, control characters as \\xNN, and
    a hex digit right after such an escape escaped too."""
    quote = "'" if '"' in value and "'" not in value else '"'
    out: list[str] = []
    after_hex = False
    for ch in value:
        hex_escape = False
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ch == quote:
            out.append("\\" + ch)
        elif ord(ch) < 0x80 and (not ch.isprintable() or after_hex and ch in "0123456789abcdefABCDEF"):
            out.append(f"\\x{ord(ch):02x}")
            hex_escape = True
        else:
            out.append(ch)
        after_hex = hex_escape
    return quote + "".join(out) + quote


def _to_base32(value: bytes) -> str:
    return base64.b32encode(value).decode("ascii")


def _from_base32(value: str) -> bytes:
    text = value.strip().upper()
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise ValueError(f"Failed to decode invalid base32 string: {value!r}") from None


# bytes read from N base8 digits: the fewest bytes whose digits are at least N (ZetaSQL's
# kBase8NumUnescapedBytes, for N below 8)
_BASE8_BYTES = (0, 1, 1, 1, 2, 2, 2, 3)


def _to_base8(value: bytes) -> str:
    """The bytes as one big-endian number in octal, ceil(8n/3) digits (zero-padded)."""
    if not value:
        return ""
    return format(int.from_bytes(value, "big"), "o").zfill((8 * len(value) + 2) // 3)


def _from_base8(text: str) -> bytes:
    """The inverse of `_to_base8`: the number's low bytes, as many as the digits make."""
    if text.strip("01234567"):
        raise ValueError("Failed to decode invalid base8 string")
    size = len(text) // 8 * 3 + _BASE8_BYTES[len(text) % 8]
    if not size:
        return b""
    return (int(text, 8) & ((1 << 8 * size) - 1)).to_bytes(size, "big")


# ---------------------------------------------------------------------- JSON_FLATTEN


def _json_flatten(text: str) -> list[str]:
    """The non-array values in a JSON document or in its directly nested arrays, in order, as
    JSON texts (numbers as written)."""
    out: list[str] = []
    stack = [jsonedit.loads(text)]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
        else:
            out.append(jsonedit.dumps(value))
    return out


# ---------------------------------------------------------------------- JSON_KEYS

_JSON_KEYS_MODES = ("strict", "lax", "lax recursive")


def _json_key(key: str) -> str:
    """A key as JSON_KEYS writes it: quoted and escaped (JSON) when it holds a '.', a quote, a
    backslash, a control character or U+2028/U+2029 (ZetaSQL's JsonKeysTreeWalker)."""
    if "." in key or '"' in key or "\\" in key or "\u2028" in key or "\u2029" in key or any(ord(c) < 0x20 for c in key):
        return json.dumps(key, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return key


def json_keys(doc: Any, max_depth: int | None, mode: str) -> list[str]:
    """The sorted, distinct keys of a parsed JSON document, nested ones as `a.b`: `strict`
    descends only objects, `lax` also the arrays directly inside them (one level), `lax
    recursive` arrays at any nesting; only objects count toward `max_depth`."""
    keys: set[str] = set()
    stack: list[tuple[Any, float, str]] = [(doc, max_depth if max_depth is not None else float("inf"), "")]
    while stack:
        value, depth, prefix = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                path = f"{prefix}.{_json_key(key)}" if prefix else _json_key(key)
                keys.add(path)
                if depth - 1 > 0:
                    stack.append((child, depth - 1, path))
        elif isinstance(value, list) and mode != "strict":
            for element in value:
                if isinstance(element, dict) or (isinstance(element, list) and mode == "lax recursive"):
                    stack.append((element, depth, prefix))
    return sorted(keys)


def _json_keys_batch(docs: pa.Array, depths: pa.Array, modes: pa.Array) -> pa.Array:
    out: list[list[str] | None] = []
    seen: dict[tuple[str, int | None, str], list[str]] = {}  # a batch often repeats documents
    for text, depth, mode in zip(docs.to_pylist(), depths.to_pylist(), modes.to_pylist(), strict=True):
        if depth is not None and depth <= 0:
            raise ValueError("max_depth must be positive.")
        if mode is not None and mode.strip().lower() not in _JSON_KEYS_MODES:
            raise ValueError(f"Invalid JSON mode specified: {mode!r} (use 'strict', 'lax' or 'lax recursive')")
        if text is None or mode is None:
            out.append(None)
            continue
        key = (text, depth, mode)
        found = seen.get(key)
        if found is None:
            found = seen[key] = json_keys(json.loads(text), depth, mode.strip().lower())
        out.append(found)
    return pa.array(out, type=pa.list_(pa.string()))


# ---------------------------------------------------------------------- NET.* host names

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?=//)")


def _host(url: str) -> str | None:
    """The host of a URL as BigQuery's NET.HOST parses it (scheme optional, case kept)."""
    text = url.strip()
    text = _SCHEME.sub("", text, count=1)
    if text.startswith("//"):
        text = text[2:]
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1]
    if text.startswith("["):
        end = text.find("]")
        return text[: end + 1] if end > 0 else None
    text = text.split(":", 1)[0]
    return text or None


@functools.cache
def _suffix_list() -> Any:
    try:
        from publicsuffixlist import PublicSuffixList
    except ImportError:
        from .googlesql import BigQueryError

        raise BigQueryError(
            "NET.PUBLIC_SUFFIX and NET.REG_DOMAIN need the publicsuffixlist package",
            fix="pip install publicsuffixlist",
        ) from None
    # BigQuery uses only the ICANN section (private domains such as appspot.com are not suffixes)
    return PublicSuffixList(only_icann=True, accept_unknown=False)


def _labels(url: str) -> list[str] | None:
    host = _host(url)
    if host is None or host.startswith("["):
        return None
    labels = host.strip(".").split(".")
    return None if any(not part for part in labels) else labels


def _public_suffix_length(labels: list[str]) -> int:
    suffix = _suffix_list().publicsuffix(".".join(labels).lower())
    return 0 if suffix is None else suffix.count(".") + 1


def _public_suffix(url: str) -> str | None:
    labels = _labels(url)
    n = _public_suffix_length(labels) if labels else 0
    return ".".join(labels[-n:]) if labels and n else None


def _reg_domain(url: str) -> str | None:
    labels = _labels(url)
    n = _public_suffix_length(labels) if labels else 0
    return ".".join(labels[-n - 1 :]) if labels and n and len(labels) > n else None


# ---------------------------------------------------------------------- NET.* addresses


def _ip_from_string(text: str) -> bytes:
    try:
        return ipaddress.ip_address(text).packed
    except ValueError:
        raise ValueError(f"Unparseable IP address: {text!r}") from None


def _safe_ip_from_string(text: str) -> bytes | None:
    try:
        return ipaddress.ip_address(text).packed
    except ValueError:
        return None


def _ip_to_string(value: bytes) -> str:
    if len(value) == 4:
        return str(ipaddress.IPv4Address(value))
    if len(value) == 16:
        address = ipaddress.IPv6Address(value)
        mapped = address.ipv4_mapped
        return f"::ffff:{mapped}" if mapped is not None else str(address)
    raise ValueError(f"NET.IP_TO_STRING() encountered a non-IPv4/IPv6 address of {len(value)} bytes")


def _ipv4_from_int64(value: int) -> bytes:
    if not -0x80000000 <= value <= 0xFFFFFFFF:
        raise ValueError(f"NET.IPV4_FROM_INT64() encountered an integer out of IPv4 range: {value}")
    return (value & 0xFFFFFFFF).to_bytes(4, "big")


def _ipv4_to_int64(value: bytes) -> int:
    if len(value) != 4:
        raise ValueError(f"NET.IPV4_TO_INT64() encountered a non-IPv4 address of {len(value)} bytes")
    return int.from_bytes(value, "big")


def _mask(length: int, prefix: int) -> int:
    bits = 8 * length
    return ((1 << bits) - 1) ^ ((1 << (bits - prefix)) - 1)


def _ip_net_mask(length: int, prefix: int) -> bytes:
    if length not in (4, 16) or not 0 <= prefix <= 8 * length:
        raise ValueError(f"NET.IP_NET_MASK() got an invalid output length {length} or prefix length {prefix}")
    return _mask(length, prefix).to_bytes(length, "big")


def _ip_trunc(value: bytes, prefix: int) -> bytes:
    n = len(value)
    if n not in (4, 16) or not 0 <= prefix <= 8 * n:
        raise ValueError(f"NET.IP_TRUNC() got an invalid address of {n} bytes or prefix length {prefix}")
    return (int.from_bytes(value, "big") & _mask(n, prefix)).to_bytes(n, "big")


# ---------------------------------------------------------------------- errors


def _raise_batch(messages: pa.Array) -> pa.Array:
    """ERROR(message) as a function DuckDB treats as stable: window keys may not be volatile."""
    for message in messages.to_pylist():
        if message is not None:
            raise ValueError(message)
    return pa.nulls(len(messages), pa.bool_())


# ---------------------------------------------------------------------- registration


def _interval_parts(text: str) -> list[int]:
    from .intervaltext import interval_parts

    parts = interval_parts(text)
    if parts is None:
        raise ValueError(f"Invalid INTERVAL value '{text}'")
    return list(parts)


def _safe_interval_parts(text: str) -> list[int] | None:
    from .intervaltext import interval_parts

    parts = interval_parts(text)
    return None if parts is None else list(parts)


def _vectorised(fn: Callable[..., Any], out: pa.DataType) -> Callable[..., pa.Array]:
    """`fn` applied to each row of Arrow arrays; a NULL argument gives NULL."""

    def run(*columns: pa.Array) -> pa.Array:
        rows = zip(*(c.to_pylist() for c in columns), strict=True)
        return pa.array([None if None in row else fn(*row) for row in rows], type=out)

    # DuckDB reads the arity from the signature
    def one(a: pa.Array) -> pa.Array:
        return run(a)

    def two(a: pa.Array, b: pa.Array) -> pa.Array:
        return run(a, b)

    return one if fn.__code__.co_argcount == 1 else two


# name: (function, DuckDB argument types, DuckDB result type, Arrow result type)
_UDFS: dict[str, tuple[Callable[..., Any], list[str], str, pa.DataType]] = {
    SHA512_UDF: (_sha512, ["BLOB"], "BLOB", pa.binary()),
    floatcasts.FLOAT_BIGNUMERIC_UDF: (floatcasts.float_bignumeric_scaled, ["DOUBLE"], "VARCHAR", pa.string()),
    SHA384_UDF: (_sha384, ["BLOB"], "BLOB", pa.binary()),
    NORMALIZE_UDF: (_normalize, ["VARCHAR", "VARCHAR"], "VARCHAR", pa.string()),
    NORMALIZE_CASEFOLD_UDF: (_normalize_casefold, ["VARCHAR", "VARCHAR"], "VARCHAR", pa.string()),
    TO_BASE32_UDF: (_to_base32, ["BLOB"], "VARCHAR", pa.string()),
    FROM_BASE32_UDF: (_from_base32, ["VARCHAR"], "BLOB", pa.binary()),
    TO_BASE8_UDF: (_to_base8, ["BLOB"], "VARCHAR", pa.string()),
    JSON_FLATTEN_UDF: (_json_flatten, ["VARCHAR"], "VARCHAR[]", pa.list_(pa.string())),
    FROM_BASE8_UDF: (_from_base8, ["VARCHAR"], "BLOB", pa.binary()),
    TO_JSON_STRING_UDF: (to_json_string, ["VARCHAR", "VARCHAR"], "VARCHAR", pa.string()),
    TO_JSON_UDF: (to_json_text, ["VARCHAR", "VARCHAR"], "VARCHAR", pa.string()),
    JSON_PRETTY_UDF: (pretty_json, ["VARCHAR"], "VARCHAR", pa.string()),
    SAFE_CONVERT_BYTES_UDF: (_safe_convert_bytes, ["BLOB"], "VARCHAR", pa.string()),
    STRING_LITERAL_UDF: (_string_literal, ["VARCHAR"], "VARCHAR", pa.string()),
    # Unicode's full case mappings (Final_Sigma included), ICU's root locale (casemapping.py)
    UPPER_UDF: (_upper, ["VARCHAR"], "VARCHAR", pa.string()),
    LOWER_UDF: (_lower, ["VARCHAR"], "VARCHAR", pa.string()),
    INTERVAL_PARTS_UDF: (_interval_parts, ["VARCHAR"], "BIGINT[]", pa.list_(pa.int64())),
    widecolumns.AVG_UDF: (widecolumns.scaled_average, ["VARCHAR", "BIGINT"], "VARCHAR", pa.string()),
    jsonnumbers.PARSE_JSON_NUMBERS_UDF: (jsonnumbers.wide_numbers, ["VARCHAR", "VARCHAR"], "VARCHAR", pa.string()),
    SAFE_INTERVAL_PARTS_UDF: (_safe_interval_parts, ["VARCHAR"], "BIGINT[]", pa.list_(pa.int64())),
    NET_UDFS_BY_NAME["HOST"]: (_host, ["VARCHAR"], "VARCHAR", pa.string()),
    NET_UDFS_BY_NAME["PUBLIC_SUFFIX"]: (_public_suffix, ["VARCHAR"], "VARCHAR", pa.string()),
    NET_UDFS_BY_NAME["REG_DOMAIN"]: (_reg_domain, ["VARCHAR"], "VARCHAR", pa.string()),
    NET_UDFS_BY_NAME["IP_FROM_STRING"]: (_ip_from_string, ["VARCHAR"], "BLOB", pa.binary()),
    NET_UDFS_BY_NAME["SAFE_IP_FROM_STRING"]: (_safe_ip_from_string, ["VARCHAR"], "BLOB", pa.binary()),
    NET_UDFS_BY_NAME["IP_TO_STRING"]: (_ip_to_string, ["BLOB"], "VARCHAR", pa.string()),
    NET_UDFS_BY_NAME["IPV4_FROM_INT64"]: (_ipv4_from_int64, ["BIGINT"], "BLOB", pa.binary()),
    NET_UDFS_BY_NAME["IPV4_TO_INT64"]: (_ipv4_to_int64, ["BLOB"], "BIGINT", pa.int64()),
    NET_UDFS_BY_NAME["IP_NET_MASK"]: (_ip_net_mask, ["BIGINT", "BIGINT"], "BLOB", pa.binary()),
    NET_UDFS_BY_NAME["IP_TRUNC"]: (_ip_trunc, ["BLOB", "BIGINT"], "BLOB", pa.binary()),
}

# name: (function over Arrow arrays, DuckDB argument types, DuckDB result type); NULLs are the
# function's to handle (JSON_KEYS: a NULL max_depth is no limit)
_BATCH_UDFS: dict[str, tuple[Callable[..., pa.Array], list[str], str]] = {
    **{
        udf: (decimalmath.batch(udf), ["VARCHAR", to, to], to)
        for udf, to in (
            (decimalmath.NUMERIC_MATH_UDF, "DECIMAL(38, 9)"),
            (decimalmath.BIGNUMERIC_MATH_UDF, "DECIMAL(38, 18)"),
        )
    },
    RAISE_UDF: (_raise_batch, ["VARCHAR"], "BOOLEAN"),
    widearithmetic.ARITHMETIC_UDF: (widearithmetic.batch, ["VARCHAR", "VARCHAR", "VARCHAR"], "VARCHAR"),
    widefunctions.VARIANCE_UDF: (widefunctions.batch, ["VARCHAR", "VARCHAR[]"], "DOUBLE"),
    textsearch.SEARCH_UDF: (textsearch.search_batch, ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"], "BOOLEAN"),
    textsearch.TEXT_ANALYZE_UDF: (textsearch.text_analyze_batch, ["VARCHAR", "VARCHAR"], "VARCHAR[]"),
    substrsearch.CONTAINS_SUBSTR_UDF: (
        substrsearch.contains_substr_batch,
        ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"],
        "BOOLEAN",
    ),
    jsonorder.SORTED_JSON_UDF: (jsonorder.sorted_json_batch, ["VARCHAR"], "VARCHAR"),
    JSON_KEYS_UDF: (_json_keys_batch, ["VARCHAR", "BIGINT", "VARCHAR"], "VARCHAR[]"),
    JSON_QUERY_LAX_UDF: (jsonlax.json_query_lax_batch, ["VARCHAR", "VARCHAR", "BOOLEAN"], "VARCHAR"),
    # the mutators take the document's text, the paths and the values' TO_JSON text as lists
    JSON_EDIT_UDFS["JSON_SET"]: (jsonedit.json_set_batch, ["VARCHAR", "VARCHAR[]", "VARCHAR[]", "BOOLEAN"], "VARCHAR"),
    JSON_EDIT_UDFS["JSON_REMOVE"]: (jsonedit.json_remove_batch, ["VARCHAR", "VARCHAR[]"], "VARCHAR"),
    JSON_EDIT_UDFS["JSON_STRIP_NULLS"]: (
        jsonedit.json_strip_nulls_batch,
        ["VARCHAR", "VARCHAR", "BOOLEAN", "BOOLEAN"],
        "VARCHAR",
    ),
    **{
        JSON_EDIT_UDFS[name]: (batch, ["VARCHAR", "VARCHAR[]", "VARCHAR[]", "BOOLEAN[]", "BOOLEAN"], "VARCHAR")
        for name, batch in (
            ("JSON_ARRAY_APPEND", jsonedit.json_array_append_batch),
            ("JSON_ARRAY_INSERT", jsonedit.json_array_insert_batch),
        )
    },
}

GOOGLESQL_UDFS = frozenset(_UDFS) | frozenset(_BATCH_UDFS)
"""Names of the UDFs this module defines (allowlisted in `sandbox.ENGINE_UDFS`)."""


def register(con: Any) -> None:
    """Define every GoogleSQL UDF on a DuckDB connection (replacing earlier definitions)."""
    for name, (fn, args, result, arrow_type) in _UDFS.items():
        try:
            con.remove_function(name)
        except Exception:  # not defined yet
            pass
        con.create_function(
            name, _vectorised(fn, arrow_type), args, result, type="arrow", null_handling="special", side_effects=False
        )
    for name, (batch, args, result) in _BATCH_UDFS.items():
        try:
            con.remove_function(name)
        except Exception:  # not defined yet
            pass
        con.create_function(name, batch, args, result, type="arrow", null_handling="special", side_effects=False)
