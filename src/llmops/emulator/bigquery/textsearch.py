"""BigQuery's SEARCH and TEXT_ANALYZE with the LOG_ANALYZER (the default) and NO_OP_ANALYZER text
analyzers, as Python UDFs.

SEARCH(data, query) is TRUE when one STRING field of `data` (a STRING, an ARRAY, a STRUCT, a
table's row) satisfies the query: terms (a word, whose tokens must all be among the field's,
a `"phrase"`, whose tokens must appear next to each other in order, or a `` `backtick` `` term,
an exact, case-sensitive match bounded by delimiters) joined by AND (or whitespace) and OR, in
parentheses. Else NULL when a STRING field is NULL, else FALSE. The PATTERN_ANALYZER, analyzer
options and JSON data are refused by name.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, cast

import pyarrow as pa
from sqlglot import exp

from .census import find_all

SEARCH_UDF = "__bq_search"
TEXT_ANALYZE_UDF = "__bq_text_analyze"

LOG_ANALYZER = "LOG_ANALYZER"
NO_OP_ANALYZER = "NO_OP_ANALYZER"
_ANALYZERS = (LOG_ANALYZER, NO_OP_ANALYZER, "PATTERN_ANALYZER")
_JSON_SCOPES = ("JSON_VALUES", "JSON_KEYS", "JSON_KEYS_AND_VALUES")

DELIMITERS = (
    "[ ] < > ( ) { } | ! ; , ' \" * & ? + / : = @ . - $ % \\ _ \n \r \t %21 %26 %2526 %3B %3b %7C %7c %20 "
    "%2B %2b %3D %3d %2520 %5D %5d %5B %5b %3A %3a %0A %0a %2C %2c %28 %29"
).split(" ") + [" "]
"""LOG_ANALYZER's default delimiters (the text analysis reference's list; `\\s` is the space)."""

_PERCENT_CODES = sorted({d[1:] for d in DELIMITERS if len(d) > 1}, key=lambda d: (-len(d), d))
_SINGLE_DELIMITERS = sorted(d for d in DELIMITERS if len(d) == 1)
_ONE_DELIMITER = f"%(?:{'|'.join(_PERCENT_CODES)})|[{re.escape(''.join(_SINGLE_DELIMITERS))}]"
"""One delimiter: a percent code before the bare `%` (the alternation is leftmost-first)."""
_SPLIT = re.compile(f"(?:{_ONE_DELIMITER})+")
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_LOWER = str.maketrans(_UPPER, _UPPER.lower())
_RESERVED = set("[]<>(){}|!'\"*&?+/:=-\\~^")
"""Characters a search query's plain term must escape with a backslash."""
_DELIMITER_TUPLE = tuple(DELIMITERS)
_RESERVED_WORDS = ("NOT", "IN", "NEAR")
"""Reserved words (besides the AND and OR operators) that must be in backticks."""


def _unsupported(what: str) -> ValueError:
    return ValueError(f"{what} is not supported by the local warehouse")


# ---------------------------------------------------------------------- text analysis


def log_tokens(text: str) -> list[str]:
    """LOG_ANALYZER's tokens: `text` split at the delimiters, ASCII letters made lowercase (each
    upper-case percent code has a lower-case twin among the delimiters)."""
    return [t for t in _SPLIT.split(text.translate(_ASCII_LOWER)) if t]


def _bounded(text: str, term: str) -> bool:
    """Whether `term` occurs in `text` with a delimiter (or the start / end) on each side."""
    start = text.find(term)
    while start >= 0:
        end = start + len(term)
        before, after = text[:start], text[end:]
        if (not before or before.endswith(_DELIMITER_TUPLE)) and (not after or after.startswith(_DELIMITER_TUPLE)):
            return True
        start = text.find(term, start + 1)
    return False


# ---------------------------------------------------------------------- the search query

# A parsed query: ("word", tokens) | ("phrase", tokens) | ("exact", text) | ("and"|"or", [parts])
Query = tuple[str, Any]


@functools.lru_cache(maxsize=256)
def parse_query(text: str) -> Query:
    """The LOG_ANALYZER search query `text` as a tree of terms (ValueError if malformed)."""
    items = list(_lex(text))
    if not any(kind in ("word", "phrase", "exact") for kind, _ in items):
        raise ValueError("SEARCH's search_query contains no tokens")
    query, rest = _or(items, 0)
    if rest != len(items):
        raise ValueError(f"SEARCH's search_query {text!r} has an unexpected {items[rest][1]!r}")
    if _token_count(query) == 0:
        raise ValueError("SEARCH's search_query contains no tokens")
    return query


def _token_count(query: Query) -> int:
    kind, value = query
    if kind in ("and", "or"):
        return sum(_token_count(q) for q in value)
    return 1 if kind == "exact" else len(value)


def _lex(text: str) -> Iterator[tuple[str, Any]]:
    """(kind, value): "(", ")", "AND", "OR", and the terms: ("word", tokens), ("phrase", tokens),
    ("exact", text)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            yield c, c
            i += 1
        elif c in '`"':
            body, i = _quoted(text, i)
            yield ("exact", body) if c == "`" else ("phrase", log_tokens(body))
        else:
            word: list[str] = []
            while i < n and not text[i].isspace() and text[i] not in '()"':
                if text[i] == "\\" and i + 1 < n and text[i + 1] in _RESERVED:
                    word.append(text[i + 1])
                    i += 2
                    continue
                if text[i] in _RESERVED:
                    raise ValueError(
                        f"An unescaped {text[i]!r} in SEARCH's search_query is not supported by the local "
                        f"warehouse: escape it with a backslash (\\\\{text[i]} in a quoted STRING) or use backticks"
                    )
                word.append(text[i])
                i += 1
            term = "".join(word)
            if term in ("AND", "OR"):
                yield term, term
            elif term in _RESERVED_WORDS:
                raise ValueError(f"The reserved word {term} must be in backticks in SEARCH's search_query: `{term}`")
            else:
                yield "word", log_tokens(term)


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The body of the backtick or double-quoted term opening at `start` (its quote escaped by a
    backslash), and the index after it."""
    quote, out, i = text[start], [], start + 1
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] == quote:
            out.append(quote)
            i += 2
        elif text[i] == quote:
            if not out:
                raise ValueError(f"SEARCH's search_query has an empty {quote}{quote} term")
            return "".join(out), i + 1
        else:
            out.append(text[i])
            i += 1
    raise ValueError(f"SEARCH's search_query has an unclosed {quote}")


def _or(items: list[tuple[str, Any]], i: int) -> tuple[Query, int]:
    parts = []
    part, i = _and(items, i)
    parts.append(part)
    while i < len(items) and items[i][0] == "OR":
        part, i = _and(items, i + 1)
        parts.append(part)
    return (parts[0] if len(parts) == 1 else ("or", parts)), i


def _and(items: list[tuple[str, Any]], i: int) -> tuple[Query, int]:
    parts = []
    part, i = _primary(items, i)
    parts.append(part)
    while i < len(items) and items[i][0] not in ("OR", ")"):
        if items[i][0] == "AND":
            i += 1
        part, i = _primary(items, i)
        parts.append(part)
    return (parts[0] if len(parts) == 1 else ("and", parts)), i


def _primary(items: list[tuple[str, Any]], i: int) -> tuple[Query, int]:
    if i >= len(items):
        raise ValueError("SEARCH's search_query ends where a term was expected")
    kind, value = items[i]
    if kind == "(":
        inner, i = _or(items, i + 1)
        if i >= len(items) or items[i][0] != ")":
            raise ValueError("SEARCH's search_query has an unclosed (")
        return inner, i + 1
    if kind in ("word", "phrase", "exact"):
        return (kind, value), i + 1
    raise ValueError(f"SEARCH's search_query has an unexpected {value!r}")


class _Field:
    """A STRING field being searched, its tokens made once and only when a term needs them."""

    def __init__(self, text: str):
        self.text = text
        self._tokens: list[str] | None = None
        self._token_set: set[str] | None = None

    @property
    def tokens(self) -> list[str]:
        if self._tokens is None:
            self._tokens = log_tokens(self.text)
        return self._tokens

    @property
    def token_set(self) -> set[str]:
        if self._token_set is None:
            self._token_set = set(self.tokens)
        return self._token_set


@functools.lru_cache(maxsize=1024)
def _bounded_word(token: str) -> re.Pattern[str]:
    """`token` (lower-case, no digit first) bounded by delimiters, its ASCII letters in either case."""
    body = "".join(f"[{c}{c.upper()}]" if c.isascii() and c.isalpha() else re.escape(c) for c in token)
    return re.compile(f"(?:^|{_ONE_DELIMITER}){body}(?:{_ONE_DELIMITER}|$)")


def _matches(query: Query, field: _Field) -> bool:
    """Whether `field` satisfies `query`. A token that does not start with a digit is sought as a
    bounded match of the text (a percent code such as `%3b` may take a digit from the token after
    it), the others among the field's tokens."""
    kind, value = query
    if kind == "and":
        return all(_matches(q, field) for q in value)
    if kind == "or":
        return any(_matches(q, field) for q in value)
    if kind == "word":
        return all(
            t in field.token_set if t[0].isdigit() else _bounded_word(t).search(field.text) is not None for t in value
        )
    if kind == "exact":
        return _bounded(field.text, value)
    tokens, width = field.tokens, len(value)
    return any(tokens[i : i + width] == value for i in range(len(tokens) - width + 1))


# ---------------------------------------------------------------------- the data to search


@functools.lru_cache(maxsize=256)
def _shape(duck_type: str) -> Any:
    """Which parts of a value of DuckDB type `duck_type` are STRINGs: "s" (a STRING), "x"
    (searched as nothing), ("list", shape) or ("struct", [shapes])."""
    t = duck_type.strip()
    if t == "JSON":
        raise _unsupported("SEARCH of a JSON value")
    if t.endswith("]"):
        return ("list", _shape(t[: t.rindex("[")]))
    if t.startswith(("STRUCT(", "TUPLE(")) and t.endswith(")"):
        named = t.startswith("STRUCT(")
        fields = _top_level_split(t[t.index("(") + 1 : -1])
        return ("struct", [_shape(_field_type(f) if named else f) for f in fields])
    return "s" if t == "VARCHAR" else "x"


def _top_level_split(text: str) -> list[str]:
    parts, depth, quoted, start = [], 0, False, 0
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif not quoted and c == "(":
            depth += 1
        elif not quoted and c == ")":
            depth -= 1
        elif not quoted and depth == 0 and c == ",":
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _field_type(field: str) -> str:
    """The type of a STRUCT field written `name TYPE` (the name perhaps in double quotes)."""
    if field.startswith('"'):
        return field[field.index('"', 1) + 1 :]
    return field.split(" ", 1)[1] if " " in field else field


def _fields(value: Any, shape: Any) -> Iterator[str | None]:
    """The STRING fields of a value (parsed from its JSON text) of the given shape; a NULL
    STRUCT holding STRINGs is one NULL field, a NULL ARRAY none (BigQuery stores it empty)."""
    if shape == "s":
        yield value
    elif shape == "x":
        return
    elif value is None:
        if shape[0] == "struct" and _has_strings(shape):
            yield None
    elif shape[0] == "list":
        for item in value:
            yield from _fields(item, shape[1])
    else:
        items = value.values() if isinstance(value, dict) else value
        for item, field_shape in zip(items, shape[1], strict=False):
            yield from _fields(item, field_shape)


def _has_strings(shape: Any) -> bool:
    if shape == "s":
        return True
    if shape == "x":
        return False
    return _has_strings(shape[1]) if shape[0] == "list" else any(_has_strings(s) for s in shape[1])


def search_value(data: str | None, duck_type: str, query_text: str | None, analyzer: str) -> bool | None:
    """SEARCH of one value: `data` is the STRING itself, or another type's JSON text."""
    if query_text is None:
        raise ValueError("SEARCH's search_query must not be NULL")
    shape = _shape(duck_type)
    parsed = data if shape == "s" or data is None else json.loads(data)
    fields = list(_fields(parsed, shape))
    if analyzer == NO_OP_ANALYZER:
        if query_text in fields:
            return True
        return None if None in fields else False
    query = parse_query(query_text)
    if any(text is not None and _matches(query, _Field(text)) for text in fields):
        return True
    return None if None in fields else False


def search_batch(data: pa.Array, types: pa.Array, queries: pa.Array, analyzers: pa.Array) -> pa.Array:
    rows = zip(data.to_pylist(), types.to_pylist(), queries.to_pylist(), analyzers.to_pylist(), strict=True)
    return pa.array([search_value(*row) for row in rows], type=pa.bool_())


def text_analyze_batch(texts: pa.Array, analyzers: pa.Array) -> pa.Array:
    out = []
    for text, analyzer in zip(texts.to_pylist(), analyzers.to_pylist(), strict=True):
        out.append(None if text is None else [text] if analyzer == NO_OP_ANALYZER else log_tokens(text))
    return pa.array(out, type=pa.list_(pa.string()))


# ---------------------------------------------------------------------- the calls


def rewrite_search_calls(stmt: exp.Expression, own_functions: Iterable[str] = ()) -> None:
    """SEARCH(...) and TEXT_ANALYZE(...) in `stmt` as calls of this module's UDFs; not a call of
    a routine (`ds.search(...)`) or of a function among `own_functions` (lower-case names)."""
    own = set(own_functions)
    for node in reversed(find_all(stmt, exp.Anonymous)):
        name = node.name.upper()
        if name.lower() in own or isinstance(node.parent, exp.Dot) or isinstance(node.this, exp.Identifier):
            continue
        if name == "SEARCH":
            node.replace(_search_call(node))
        elif name == "TEXT_ANALYZE":
            node.replace(_text_analyze_call(node))


def _named_arguments(node: exp.Anonymous, function: str, positional: int, names: tuple[str, ...]) -> dict[str, str]:
    """The call's named arguments (string literals), after checking it has `positional` others."""
    from .googlesql import BigQueryError

    plain = [a for a in node.expressions if not isinstance(a, exp.Kwarg)]
    if len(plain) != positional:
        raise BigQueryError(
            f"{function} takes {positional} positional argument{'s' if positional > 1 else ''}, got {len(plain)}",
            fix=f"write {function}({', '.join(['...'] * positional)}[, analyzer => ...])",
        )
    named: dict[str, str] = {}
    for arg in node.expressions:
        if not isinstance(arg, exp.Kwarg):
            continue
        key = arg.this.name.lower()
        if key not in names:
            raise BigQueryError(f"{function} has no argument named {arg.this.name}", fix=f"use {', '.join(names)}")
        if key == "analyzer_options":
            raise _refused(f"{function} with analyzer_options")
        if not (isinstance(arg.expression, exp.Literal) and arg.expression.is_string):
            raise BigQueryError(f"{function}'s {key} must be a STRING literal", fix=f"write {key} => '...'")
        named[key] = arg.expression.name
    return named


def _refused(what: str) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(
        f"{what} is not supported by the local warehouse",
        fix="use the default LOG_ANALYZER or the NO_OP_ANALYZER without options, or run on BigQuery",
    )


def _analyzer(named: dict[str, str], function: str) -> str:
    from .googlesql import BigQueryError

    analyzer = named.get("analyzer", LOG_ANALYZER)
    if analyzer not in _ANALYZERS:
        raise BigQueryError(
            f"{function}'s analyzer must be one of {', '.join(_ANALYZERS)}, not {analyzer!r}",
            fix="write analyzer => 'LOG_ANALYZER' (the default) or 'NO_OP_ANALYZER'",
        )
    if analyzer not in (LOG_ANALYZER, NO_OP_ANALYZER):
        raise _refused(f"{function} with analyzer => '{analyzer}'")
    return analyzer


def _search_call(node: exp.Anonymous) -> exp.Expression:
    from .googlesql import BigQueryError

    named = _named_arguments(node, "SEARCH", 2, ("json_scope", "analyzer", "analyzer_options"))
    if named.get("json_scope", "JSON_VALUES") not in _JSON_SCOPES:
        raise BigQueryError(
            f"SEARCH's json_scope must be one of {', '.join(_JSON_SCOPES)}", fix="write json_scope => 'JSON_VALUES'"
        )
    analyzer = _analyzer(named, "SEARCH")
    data, query = [a for a in node.expressions if not isinstance(a, exp.Kwarg)]
    if isinstance(query, exp.Null):
        raise BigQueryError("SEARCH's search_query must not be NULL", fix="give SEARCH a STRING of search terms")
    if isinstance(query, exp.Literal) and query.is_string and analyzer == LOG_ANALYZER:
        try:
            parse_query(query.name)
        except ValueError as exc:
            raise BigQueryError(str(exc), fix="see BigQuery's rules for search_query") from None
    if isinstance(query, exp.Literal) and query.is_string and isinstance(data, exp.Tuple):
        # a list of columns: each STRING one searched in SQL (OR's NULLs are SEARCH's)
        return cast(exp.Expression, exp.or_(*(_searched(field, query, analyzer) for field in data.expressions)))
    return _searched(data, query, analyzer)


def _searched(data: exp.Expression, query: exp.Expression, analyzer: str) -> exp.Expression:
    """SEARCH of one value: in SQL when it is a STRING and the query a literal (DuckDB's regular
    expressions, ~50x faster than the UDF), else the UDF, given other types as JSON text."""
    from .functions import _t

    value = "CASE WHEN typeof(_A) = 'VARCHAR' THEN CAST(_A AS VARCHAR) ELSE CAST(to_json(_A) AS VARCHAR) END"
    udf = _t(f"{SEARCH_UDF}({value}, typeof(_A), CAST(_B AS VARCHAR), '{analyzer}')", data, query)
    if not (isinstance(query, exp.Literal) and query.is_string):
        return udf
    text = exp.cast(data.copy(), "VARCHAR")
    native: exp.Expression
    if analyzer == NO_OP_ANALYZER:
        native = exp.EQ(this=text, expression=query.copy())
    else:
        native = _sql_match(parse_query(query.name), text)
    return _t("CASE WHEN typeof(_A) = 'VARCHAR' THEN _B ELSE _C END", data, native, udf)


def _re2_char(c: str) -> str:
    """`c` as an RE2 pattern matching it (ASCII punctuation as \\x{HH})."""
    return c if c.isalnum() or not c.isascii() else f"\\x{{{ord(c):02x}}}"


_DELIMITER_RE = f"%(?:{'|'.join(_PERCENT_CODES)})|[{''.join(_re2_char(d) for d in _SINGLE_DELIMITERS)}]"
"""One delimiter, as in `_SPLIT` (RE2's alternation is leftmost-first too)."""
_TOKENS = (
    f"' ' || regexp_replace(translate(_A, '{_UPPER}', '{_UPPER.lower()}'), '(?:{_DELIMITER_RE})+', ' ', 'g') || ' '"
)
"""A STRING's LOG_ANALYZER tokens, each between spaces (a space is a delimiter: no token has one)."""


def _bounded_pattern(term: str, *, ascii_case: bool) -> str:
    """An RE2 pattern of `term` with a delimiter (or the start / end) on each side; its ASCII
    letters in either case with `ascii_case`."""
    body = "".join(
        f"[{c.lower()}{c.upper()}]" if ascii_case and c.isascii() and c.isalpha() else _re2_char(c) for c in term
    )
    return f"(?:^|{_DELIMITER_RE}){body}(?:{_DELIMITER_RE}|$)"


def _sql_match(query: Query, text: exp.Expression) -> exp.Expression:
    """Whether the STRING `text` satisfies `query`, in DuckDB SQL. A token is a match of the
    text bounded by delimiters, except one that starts with a digit (a percent code such as
    `%3b` may have taken it from the token before) and a phrase: those are sought among the
    text's `_TOKENS`."""
    from .functions import _t

    kind, value = query
    if kind in ("and", "or"):
        parts = [_sql_match(q, text) for q in value]
        return cast(exp.Expression, exp.and_(*parts) if kind == "and" else exp.or_(*parts))
    if kind == "exact":
        return _t("regexp_matches(_A, _B)", text, exp.Literal.string(_bounded_pattern(value, ascii_case=False)))
    runs = [[t] for t in value] if kind == "word" else [value] if value else []
    if not runs:
        return exp.true()
    tests = []
    for run in runs:
        if len(run) == 1 and not run[0][0].isdigit():
            pattern = exp.Literal.string(_bounded_pattern(run[0], ascii_case=True))
            tests.append(_t("regexp_matches(_A, _B)", text, pattern))
        else:
            tests.append(_t(f"contains({_TOKENS}, _B)", text, exp.Literal.string(f" {' '.join(run)} ")))
    return cast(exp.Expression, exp.and_(*tests))


def _text_analyze_call(node: exp.Anonymous) -> exp.Expression:
    from .functions import _t

    named = _named_arguments(node, "TEXT_ANALYZE", 1, ("analyzer", "analyzer_options"))
    analyzer = _analyzer(named, "TEXT_ANALYZE")
    text = [a for a in node.expressions if not isinstance(a, exp.Kwarg)][0]
    return _t(f"{TEXT_ANALYZE_UDF}(CAST(_A AS VARCHAR), '{analyzer}')", text)
