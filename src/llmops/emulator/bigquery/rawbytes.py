"""Raw bytes literals, `rb'...'` / `br'...'` (any case, any of the four quotes): BYTES whose
backslashes are kept as written, as the lexical reference describes.

sqlglot reads `rb` as an identifier before a string ("Unexpected string literal"). Before parsing,
each raw bytes literal is written as the ordinary bytes literal of the same value: its backslashes
and its own quote character escaped (`rb'\\x01'` is `b'\\\\x01'`, four bytes)."""

from __future__ import annotations

import re

_HINT = re.compile(r"(?i)(?<![\w`])(?:rb|br)['\"]")
_QUOTES = ("'''", '"""', "'", '"')


def raw_bytes_as_escaped(sql: str) -> str:
    """`sql` with every raw bytes literal written as the equal escaped one."""
    if not _HINT.search(sql):
        return sql
    from .googlesql import BigQueryError
    from .script_parser import tokenize

    try:
        tokens = tokenize(sql)
    except BigQueryError:
        return sql  # an unclosed quote: the translator reports it
    out: list[str] = []
    done = 0
    for t in tokens:
        if t.kind != "string" or t.text[:2].lower() not in ("rb", "br"):
            continue
        body = t.text[2:]
        quote = next(q for q in _QUOTES if body.startswith(q))
        content = body[len(quote) : len(body) - len(quote)]
        escaped = content.replace("\\", "\\\\").replace(quote[0], "\\" + quote[0])
        out += [sql[done : t.start], "b", quote, escaped, quote]
        done = t.end
    return "".join(out) + sql[done:]
