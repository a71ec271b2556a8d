"""`TRIM(s)`, `LTRIM(s)` and `RTRIM(s)` of a STRING without a set of characters remove the Unicode
`White_Space` code points (the reference: "all whitespace characters"; ZetaSQL trims ICU's
UCHAR_WHITE_SPACE set). DuckDB's one-argument trims remove only spaces and the space separators:
`TRIM(' \\t\\u3000a\\n')` kept `'\\t\\u3000a\\n'`. The call gets the set as its second argument.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all
from .coltypes import known_type

# Unicode's White_Space property: tab to carriage return, space, NEL, NBSP, Ogham space mark, the
# en quad to hair space, line and paragraph separators, narrow NBSP, medium math space, ideographic
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u2028\u2029\u202f\u205f\u3000"
)


def rewrite_whitespace_trims(stmt: exp.Expression) -> None:
    for node in find_all(stmt, exp.Trim):
        operand = node.this
        if node.args.get("expression") is not None or isinstance(operand, exp.ByteString):
            continue
        if known_type(operand) in (None, "STRING"):
            node.set("expression", exp.Literal.string(WHITE_SPACE))
