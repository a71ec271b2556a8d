"""UPPER, LOWER and INITCAP of a STRING as ZetaSQL maps case: UPPER and LOWER with Unicode's full
case mapping in the root locale (ICU's `CaseMap::utf8ToUpper/utf8ToLower`), INITCAP with the
simple, one-character mapping (`u_toupper`/`u_tolower`) and Unicode's White_Space characters among
its default delimiters.

DuckDB's upper and lower map one character to one (and `ß` to `ẞ`, which Unicode does not):

| query | DuckDB answered | BigQuery |
|---|---|---|
| `UPPER('ß')`, `UPPER('ﬁ')`, `UPPER('ŉ')` | `ẞ`, `ﬁ`, `ŉ` | `SS`, `FI`, `ʼN` |
| `LOWER('İ')`, `LOWER('ΣΑΣ')` | `i`, `σασ` | `i̇` (i and U+0307), `σας` (final sigma) |
| `INITCAP('ßa')`, `INITCAP('a\\u00a0b')` | `ẞa`, `A\\u00a0b` | `ßa`, `A\\u00a0B` |

A value holding a character whose full mapping differs from DuckDB's (`_UPPER_SPECIAL`: the 102
characters whose upper case is longer than one character; `İ` and `Σ` for LOWER) goes to a Python
UDF (`udfs.UPPER_UDF`/`LOWER_UDF`: Python's str.upper/str.lower are Unicode's full mappings with
the Final_Sigma context, as ICU's root locale); any other value stays with DuckDB's function. The
argument is looked at as a VARCHAR, so a BYTES value whose type the translator did not learn
still reaches DuckDB's upper/lower first and gets `bytescalls.unknown_bytes_error`'s named error.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.bigquery import BigQuery

from .census import find_all

# every character whose Unicode uppercase (SpecialCasing.txt, unconditional) is more than one
# character; each maps to one character in DuckDB's upper (ß to U+1E9E)
_UPPER_SPECIAL = (
    "\u00df\u0149\u01f0\u0390\u03b0\u0587\u1e96-\u1e9a\u1f50\u1f52\u1f54\u1f56\u1f80-\u1faf"
    "\u1fb2-\u1fb4\u1fb6\u1fb7\u1fbc\u1fc2-\u1fc4\u1fc6\u1fc7\u1fcc\u1fd2\u1fd3\u1fd6\u1fd7"
    "\u1fe2-\u1fe4\u1fe6\u1fe7\u1ff2-\u1ff4\u1ff6\u1ff7\u1ffc\ufb00-\ufb06\ufb13-\ufb17"
)
# LOWER: U+0130 (İ is i and a combining dot above), Σ (ς at the end of a word)
_LOWER_SPECIAL = "\u0130\u03a3"

# ZetaSQL's INITCAP delimiters when none are given: these and Unicode's White_Space characters
INITCAP_DEFAULT_DELIMITERS = (
    '[](){}/|\\<>!?@"#$&~_,.:;*%+-^'
    " \t\n\r\f\v\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_REWRITTEN = "bq_case_mapped"


def _full_mapping(node: exp.Func) -> exp.Expression:
    from .functions import _t
    from .udfs import LOWER_UDF, UPPER_UDF

    upper = isinstance(node, exp.Upper)
    special, udf, duckdb = (_UPPER_SPECIAL, UPPER_UDF, "upper") if upper else (_LOWER_SPECIAL, LOWER_UDF, "lower")
    # ASCII text (octet length = length) stays with DuckDB's function without a regular expression
    new = _t(
        f"CASE WHEN strlen(CAST(_A AS VARCHAR)) = length(CAST(_A AS VARCHAR)) THEN {duckdb}(_A) "
        f"WHEN regexp_matches(CAST(_A AS VARCHAR), '[{special}]') THEN {udf}(_A) ELSE {duckdb}(_A) END",
        node.this,
    )
    for call in find_all(new, exp.Upper, exp.Lower):
        call.meta[_REWRITTEN] = True
    return new


def _class_text(delimiters: str) -> str:
    """The delimiters as the inside of a regular expression's character class."""
    return "".join("\\" + c if c in "\\-^[]" else c for c in delimiters)


def _initcap(node: exp.Initcap) -> exp.Expression:
    """INITCAP as ZetaSQL's Utf8Capitalizer: each run of delimiters kept, each run of other
    characters with its first one upper-cased (one to one: ß stays ß, as ICU's u_toupper leaves
    it) and the rest lower-cased. (sqlglot's translation parsed its argument's DuckDB SQL again,
    which failed for a CAST(NULL AS STRING) or a CODE_POINTS_TO_STRING argument.)"""
    from .functions import _t

    value, given = node.this, node.args.get("expression")
    if given is None or (given.is_string and given.this == BigQuery.INITCAP_DEFAULT_DELIMITER_CHARS):
        given = exp.Literal.string(INITCAP_DEFAULT_DELIMITERS)  # sqlglot's parser writes its own default
    word = "CASE WHEN left(_W, 1) = 'ß' THEN 'ß' ELSE upper(left(_W, 1)) END || lower(substring(_W, 2))"
    if given.is_string:
        if not given.this:
            new = _t(word.replace("_W", "_A"), value)
        else:
            inside = _class_text(given.this)
            # the runs alternate: the odd ones are words where the value starts with one
            new = _t(
                "array_to_string(list_transform(regexp_extract_all(_A, _B), lambda seg, i: CASE WHEN "
                f"(i % 2 = 1) = regexp_matches(_A, _C) THEN seg ELSE {word.replace('_W', 'seg')} END), '')",
                value,
                exp.Literal.string(f"([{inside}]+|[^{inside}]+)"),
                exp.Literal.string(f"^[{inside}]"),
            )
    else:
        escaped = _t("regexp_replace(_A, '([\\\\\\-^\\[\\]])', '\\\\\\1', 'g')", given)
        new = _t(
            f"CASE WHEN _B = '' THEN {word.replace('_W', '_A')} ELSE array_to_string(list_transform("
            "regexp_extract_all(_A, '([' || _C || ']+|[^' || _C || ']+)'), lambda seg: CASE WHEN "
            f"regexp_matches(seg, '^[' || _C || ']') THEN seg ELSE {word.replace('_W', 'seg')} END), '') END",
            value,
            given,
            escaped,
        )
    for call in find_all(new, exp.Upper, exp.Lower):
        call.meta[_REWRITTEN] = True
    return new


def rewrite_case_mappings(stmt: exp.Expression) -> None:
    """Rewrite the STRING forms of UPPER, LOWER and INITCAP in `stmt` (after bytestext.py has
    rewritten their BYTES forms) to ZetaSQL's case mappings."""
    for node in reversed(find_all(stmt, exp.Upper, exp.Lower, exp.Initcap)):
        if node._meta and node.meta.get(_REWRITTEN):
            continue
        node.replace(_initcap(node) if isinstance(node, exp.Initcap) else _full_mapping(node))
