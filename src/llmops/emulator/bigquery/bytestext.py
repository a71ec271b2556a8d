"""The BYTES overloads of the string functions DuckDB has only for VARCHAR: SUBSTR, REPLACE,
TRIM/LTRIM/RTRIM, LOWER/UPPER, STARTS_WITH/ENDS_WITH, ASCII, TRANSLATE and the REGEXP_ functions;
and ARRAY_TO_STRING of an ARRAY<BYTES> (joined through the bytes' hex digits, exact for any bytes).

Each BYTES argument is read as a text of one character a byte (the character whose code point is
the byte, as Latin-1 reads it), the VARCHAR function runs on that text, so it counts, compares and
matches bytes (a regular expression's `.` is one byte, as in BigQuery's RE2 over BYTES), and a
BYTES result is written back the same way. The mapping is exact for any bytes (NUL and bytes that
are not UTF-8 included). Where the translator cannot tell BYTES from STRING the call is left as it
is, and DuckDB's refusal is named (`bytescalls.unknown_bytes_error`).
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

# BLOB -> VARCHAR, a byte a character: through the hex digits, a space after each byte so that a
# pattern matches only whole bytes; 80-BF become C2 80-BF and C0-FF C3 80-BF (UTF-8 of U+0080-00FF;
# the lower-case digits written are not matched again by the later, upper-case, patterns)
_TO_TEXT = (
    # printable ASCII bytes (which DuckDB's CAST to VARCHAR writes as they are, where it writes any
    # other byte as a \\xNN escape) are their own text
    "CASE WHEN length(CAST(_A AS VARCHAR)) = octet_length(CAST(_A AS BLOB)) THEN decode(_A) ELSE "
    "decode(unhex(replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace("
    "regexp_replace(hex(_A), '(..)', '\\1 ', 'g'), '([89AB].) ', 'c2 \\1 ', 'g'), "
    "'C(.) ', 'c3 8\\1 ', 'g'), 'D(.) ', 'c3 9\\1 ', 'g'), 'E(.) ', 'c3 a\\1 ', 'g'), 'F(.) ', 'c3 b\\1 ', 'g'), "
    "' ', ''))) END"
)
# its inverse: the UTF-8 of U+0080-00FF back to one byte each (C2 first: its output has no C2 or C3)
_TO_BYTES = (
    "CASE WHEN strlen(_A) = length(_A) THEN encode(_A) ELSE unhex(replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace("
    "regexp_replace(hex(encode(_A)), '(..)', '\\1 ', 'g'), 'C2 (..) ', '\\1 ', 'g'), "
    "'C3 8(.) ', 'c\\1 ', 'g'), 'C3 9(.) ', 'd\\1 ', 'g'), 'C3 A(.) ', 'e\\1 ', 'g'), 'C3 B(.) ', 'f\\1 ', 'g'), "
    "' ', '')) END"
)
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# each function: the arguments that are BYTES with the first, and how its answer is written back
_BYTES_RESULT = "bytes"
_BYTES_ARRAY = "array"
_CALLS: dict[type, tuple[tuple[str, ...], str | None]] = {
    exp.Substring: (("this",), _BYTES_RESULT),
    exp.Replace: (("this", "expression", "replacement"), _BYTES_RESULT),
    exp.Trim: (("this", "expression"), _BYTES_RESULT),
    exp.Lower: (("this",), _BYTES_RESULT),
    exp.Upper: (("this",), _BYTES_RESULT),
    exp.Translate: (("this", "from_", "to"), _BYTES_RESULT),
    exp.RegexpExtract: (("this", "expression"), _BYTES_RESULT),
    exp.RegexpReplace: (("this", "expression", "replacement"), _BYTES_RESULT),
    exp.RegexpExtractAll: (("this", "expression"), _BYTES_ARRAY),
    exp.StartsWith: (("this", "expression"), None),
    exp.EndsWith: (("this", "expression"), None),
    exp.Ascii: (("this",), None),
    exp.RegexpLike: (("this", "expression"), None),
    exp.RegexpInstr: (("this", "expression"), None),
}
BYTES_TEXT_CALLS = tuple(_CALLS)


def as_text(value: exp.Expression) -> exp.Expression:
    """`value` (BYTES) as a VARCHAR of one character a byte."""
    from .functions import _t

    return _t(_TO_TEXT, value)


def as_bytes(text: exp.Expression) -> exp.Expression:
    """The BYTES whose characters `text` holds (the inverse of `as_text`)."""
    from .functions import _t

    return _t(_TO_BYTES, text)


def _rewrite(node: exp.Expression) -> exp.Expression | None:
    from .coltypes import checked, known_type  # (coltypes reads BYTES_TEXT_CALLS)
    from .functions import _invalid, _is_bytes, _positional, _t

    keys, result = _CALLS[type(node)]
    args = [a for a in (node.args.get(k) for k in keys) if isinstance(a, exp.Expression)]
    # the first argument that shows BYTES (another may be NULL), else one inferred to be BYTES
    value = next((a for a in args if _is_bytes(a)), None)
    visible = value is not None
    value = value or next((a for a in args if known_type(a) == "BYTES"), None)
    if value is None or _positional(node):
        return None
    if isinstance(node, exp.Trim) and node.args.get("expression") is None:
        raise _invalid("TRIM, LTRIM and RTRIM of BYTES take the set of bytes to remove as their second argument")
    new = node.copy()
    for key in keys:
        arg = new.args.get(key)
        if isinstance(arg, exp.Expression):
            new.set(key, as_text(arg))
    if isinstance(new, (exp.Lower, exp.Upper)):  # only ASCII letters change case in BYTES
        lower = _UPPER.lower()
        source, target = (_UPPER, lower) if isinstance(new, exp.Lower) else (lower, _UPPER)
        new = _t(f"translate(_A, '{source}', '{target}')", new.this)
    out: exp.Expression = new
    if result == _BYTES_RESULT:
        out = as_bytes(new)
    elif result == _BYTES_ARRAY:
        out = _t("list_transform(_A, t -> " + _TO_BYTES.replace("_A", "t") + ")", new)
    return out if visible else checked(out, (value, "BYTES"))


def rewrite_bytes_text_calls(stmt: exp.Expression) -> None:
    """Rewrite the BYTES forms of the string functions in `stmt` to their VARCHAR forms."""
    node: exp.Expression
    for node in reversed(find_all(stmt, *BYTES_TEXT_CALLS)):
        new = _rewrite(node)
        if new is not None:
            node.replace(new)
    for node in reversed(find_all(stmt, exp.ArrayToString)):
        joined = _bytes_join(node)
        if joined is None and not (isinstance(node.expression, exp.Literal) and node.expression.is_string):
            joined = _join_with_a_value(node)
        if joined is not None:
            node.replace(joined)


def _join_with_a_value(node: exp.ArrayToString) -> exp.Expression:
    """ARRAY_TO_STRING(array, delimiter[, null_text]) of a delimiter that is not a literal (a
    column, a function's argument): DuckDB's array_to_string takes only a constant delimiter ("The
    "arg" argument in function "string_agg" must be a constant expression"), so the elements are
    joined by a fold that puts the delimiter before each and drops the first. NULL elements are
    left out (or are the null text), and a NULL delimiter gives NULL (DuckDB's joined with ',')."""
    from .functions import _t

    array, delimiter, null_text = node.this, node.expression, node.args.get("null")
    if null_text is not None:
        array = _t("list_transform(_A, __join_e -> coalesce(__join_e, _B))", array, null_text)
    return _t("CASE WHEN _B IS NULL THEN NULL ELSE _C END", None, delimiter, _fold(array, delimiter))


def _fold(array: exp.Expression, delimiter: exp.Expression) -> exp.Expression:
    """The non-NULL VARCHAR elements of `array` joined with `delimiter`, any expression."""
    from .functions import _t

    return _t(
        "substr(list_reduce(list_filter(_A, __join_e -> __join_e IS NOT NULL), "
        "(__join_acc, __join_e) -> __join_acc || _B || __join_e, ''), length(_B) + 1)",
        array,
        delimiter,
    )


def _bytes_join(node: exp.ArrayToString) -> exp.Expression | None:
    """ARRAY_TO_STRING(array, delimiter[, null_text]) whose delimiter or null text shows BYTES, or
    whose array is a literal of BYTES values (DuckDB's array_to_string takes VARCHAR only)."""
    from .coltypes import known_type
    from .functions import _is_bytes, _t

    array, delimiter, null_text = node.this, node.expression, node.args.get("null")
    items = array.expressions if isinstance(array, exp.Array) else []
    if not (
        _is_bytes(delimiter)
        or _is_bytes(null_text)
        or known_type(delimiter) == "BYTES"
        or any(_is_bytes(item) for item in items)
    ):
        return None
    element = "hex(x)" if null_text is None else "hex(coalesce(x, _C))"
    if not isinstance(delimiter, exp.Literal | exp.ByteString):  # a column: DuckDB's constant-only join
        hexes = _t(f"list_transform(_A, x -> {element})", array, None, null_text)
        return _t(
            "CASE WHEN _B IS NULL THEN NULL ELSE unhex(_C) END", None, delimiter, _fold(hexes, _t("hex(_A)", delimiter))
        )
    return _t(
        f"CASE WHEN _B IS NULL THEN NULL ELSE unhex(array_to_string(list_transform(_A, x -> {element}), hex(_B))) END",
        array,
        delimiter,
        null_text,
    )


def rewrite_bytes_likes(stmt: exp.Expression) -> None:
    """`x LIKE p` where x or p shows BYTES (a `b'...'` literal, a CAST AS BYTES): both read as
    text of one character a byte, in which `%`, `_` and the backslash are the bytes they were
    (DuckDB has no LIKE for BLOB). So is a LIKE whose operand is BYTES as inferred from the tables'
    schemas (`x LIKE x` of a BYTES column), checked by typeof(). A BYTES LIKE whose operands' type
    is not known is left to DuckDB's "No function matches" error."""
    from .coltypes import checked, known_type
    from .functions import _is_bytes

    for node in find_all(stmt, exp.Like):
        target = node.parent if isinstance(node.parent, exp.Escape) else node
        if isinstance(node.this, exp.Null) or isinstance(node.expression, exp.Null):
            # NULL whatever the other side's type (a BLOB LIKE NULL did not bind)
            target.replace(exp.cast(exp.Null(), exp.DataType.build("BOOLEAN")))
            continue
        shown = _is_bytes(node.this) or _is_bytes(node.expression)
        inferred = None if shown else next((a for a in (node.this, node.expression) if known_type(a) == "BYTES"), None)
        if not shown and inferred is None:
            continue
        guard = inferred.copy() if inferred is not None else None
        node.set("this", as_text(node.this))
        node.set("expression", as_text(node.expression))
        if guard is not None:
            target.replace(checked(target.copy(), (guard, "BYTES")))
