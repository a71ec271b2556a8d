"""GoogleSQL functions that DuckDB lacks or answers differently, rewritten as DuckDB SQL.

Each rewrite is a DuckDB SQL template (no Python UDF); `_A`, `_B`, ... in a template stand for
the call's arguments. A case the rewrite cannot answer as BigQuery does raises a named error.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlglot
from sqlglot import exp

from .bytescalls import rewrite_bytes_calls
from .bytescast import BYTES_CAST
from .bytestext import as_text, rewrite_bytes_likes, rewrite_bytes_text_calls
from .casemapping import rewrite_case_mappings
from .census import find_all
from .coltypes import checked, known_type
from .regexpmatches import rewrite_regexp_matches
from .substrsearch import rewrite_contains_substr


def _unsupported(what: str) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(
        f"{what} is not supported by the local warehouse",
        fix="rewrite the query without it, or run it on BigQuery (profile gcp)",
    )


@functools.cache
def _parsed(template: str) -> Any:
    tree = sqlglot.parse_one(template, read="duckdb")
    # a lambda parameter named like a column of the query (`i`, `e`) would hide that column
    for fn in tree.find_all(exp.Lambda):
        params = {p.name for p in fn.expressions}
        for ident in fn.find_all(exp.Identifier):
            parent = ident.parent
            if ident.name not in params or isinstance(parent, exp.Column | exp.PropertyEQ):
                continue
            if isinstance(parent, exp.Dot) and parent.expression is ident:
                continue
            ident.set("this", f"__lambda_{ident.name}")
    return tree


def _t(template: str, *args: exp.Expression | None) -> exp.Expression:
    """The template with `_A`, `_B`, ... replaced by copies of `args`."""
    names = {f"_{chr(ord('A') + i)}": a for i, a in enumerate(args)}

    def put(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name in names:
            arg = names[node.name]
            return arg.copy() if arg is not None else exp.Null()
        return node

    return exp.paren(_parsed(template).copy().transform(put), copy=False)


def _is_bytes(node: exp.Expression | None) -> bool:
    """Whether `node` is BYTES as far as the query text shows (literals, casts, byte functions)."""
    if isinstance(node, exp.ByteString) or (node is not None and node._meta and node.meta.get(BYTES_CAST)):
        return True  # a literal, or the query's own CAST(x AS BYTES) (bytescast.py)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return node.to.this in (exp.DataType.Type.VARBINARY, exp.DataType.Type.BINARY, exp.DataType.Type.BLOB)
    if isinstance(node, exp.Paren):
        return _is_bytes(node.this)
    return isinstance(node, (exp.FromBase64, exp.MD5Digest, exp.SHA, exp.SHA2, exp.Unhex)) or (
        isinstance(node, exp.CodePointsToBytes)
    )


_NORMALIZE_MODES = ("NFC", "NFKC", "NFD", "NFKD")


def _normalize(node: exp.Normalize) -> exp.Expression:
    """NORMALIZE / NORMALIZE_AND_CASEFOLD: ASCII text in DuckDB SQL (it is its own normal form,
    folded by lower()), other text through Python's unicodedata and str.casefold (udfs.py)."""
    from .udfs import NORMALIZE_CASEFOLD_UDF, NORMALIZE_UDF

    form = node.args.get("form")
    mode = form.name.upper() if isinstance(form, exp.Expression) else "NFC"
    folded = bool(node.args.get("is_casefold"))
    what = "NORMALIZE_AND_CASEFOLD" if folded else "NORMALIZE"
    if mode not in _NORMALIZE_MODES:
        raise _invalid(f"{what} mode {mode} is not one of {', '.join(_NORMALIZE_MODES)}")
    if mode == "NFC" and not folded:
        return _t("nfc_normalize(_A)", node.this)
    udf = NORMALIZE_CASEFOLD_UDF if folded else NORMALIZE_UDF
    ascii_form = "lower(_A)" if folded else "_A"
    return _t(
        f"CASE WHEN strlen(_A) <> length(_A) THEN {udf}(_A, '{mode}') ELSE {ascii_form} END",  # non-ASCII
        node.this,
    )


def _known_bytes(node: exp.Expression | None) -> bool:
    """Whether `node` is BYTES only as inferred from the tables' schemas (the rewrite is checked)."""
    return not _is_bytes(node) and known_type(node) == "BYTES"


def _to_code_points(node: exp.ToCodePoints) -> exp.Expression:
    if _is_bytes(node.this) or _known_bytes(node.this):
        new = _t(
            "list_transform(range(octet_length(_A)), i -> ('0x' || substr(hex(_A), 2 * i + 1, 2))::BIGINT)", node.this
        )
        return checked(new, (node.this, "BYTES")) if _known_bytes(node.this) else new
    return _t("list_transform(range(length(_A)), i -> unicode(substr(_A, i + 1, 1))::BIGINT)", node.this)


_NULL_IF_ANY_NULL = "CASE WHEN _A IS NULL OR list_count(_A) < len(_A) THEN NULL ELSE {} END"


# the pieces joined, or NULL where one is NULL: only an error() that SAFE. made NULL (safecalls.py)
# makes one, and SAFE.CODE_POINTS_TO_STRING([97, 55296]) is NULL, not 'a'
_JOINED = "list_extract(list_transform([{}], lambda __llmops_parts: CASE WHEN list_count(__llmops_parts) < len(__llmops_parts) THEN NULL ELSE array_to_string(__llmops_parts, '') END), 1)"


def _code_points_to_string(node: exp.CodePointsToString) -> exp.Expression:
    parts = "list_transform(_A, c -> CASE WHEN c < 0 OR c > 1114111 OR c BETWEEN 55296 AND 57343 THEN error('Invalid code point ' || c) ELSE chr(c::INTEGER) END)"
    return _t(_NULL_IF_ANY_NULL.format(_JOINED.format(parts)), node.this)


def _code_points_to_bytes(node: exp.CodePointsToBytes) -> exp.Expression:
    parts = "list_transform(_A, c -> CASE WHEN c < 0 OR c > 255 THEN error('Invalid byte value ' || c) ELSE lpad(hex(c), 2, '0') END)"
    return _t(_NULL_IF_ANY_NULL.format(f"unhex({_JOINED.format(parts)})"), node.this)


def _soundex(node: exp.Soundex) -> exp.Expression:
    # letters only; H and W are dropped without separating; vowels separate equal codes; the
    # first letter keeps its case and its code (an H or W first has none: 7 joins no run)
    kept = "regexp_replace(_A, '[^A-Za-z]', '', 'g')"
    letters = f"upper({kept})"
    first = f"translate(left({letters}, 1), 'AEIOUYBFPVCGJKQSXZDTLMNRHW', '00000011112222222233455677')"
    rest = f"translate(substr({letters}, 2), 'AEIOUYBFPVCGJKQSXZDTLMNRHW', '000000111122222222334556')"
    codes = f"{first} || {rest}"
    runs = codes
    for d in "0123456":
        runs = f"regexp_replace({runs}, '{d}+', '{d}', 'g')"
    tail = f"replace(substr({runs}, 2), '0', '')"
    return _t(
        f"CASE WHEN {letters} = '' THEN '' ELSE rpad(left({kept}, 1) || left({tail}, 3), 4, '0') END",
        node.this,
    )


_BYTES_INSTR = (
    "CASE WHEN _A IS NULL OR _B IS NULL OR _C IS NULL OR _D IS NULL THEN NULL WHEN _C = 0 THEN error('The position argument of INSTR must not be 0') "
    "WHEN _D <= 0 THEN error('The occurrence argument of INSTR must be positive') "
    "WHEN _C > 0 THEN coalesce(list_extract(list_filter(range(_C, octet_length(_A) + 2), "
    "i -> substr(hex(_A), 2 * i - 1, 2 * octet_length(_B)) = hex(_B)), _D), 0) "
    "ELSE coalesce(list_extract(list_filter(range(octet_length(_A) + _C + 1, 0, -1), "
    "i -> substr(hex(_A), 2 * i - 1, 2 * octet_length(_B)) = hex(_B)), _D), 0) END"
)


def _instr(node: exp.StrPosition) -> exp.Expression | None:
    position, occurrence = node.args.get("position"), node.args.get("occurrence")
    value, search = node.this, node.args.get("substr")
    if _is_bytes(value) or _known_bytes(value):
        # byte positions, compared as two hex digits a byte
        new = _t(_BYTES_INSTR, value, search, position or exp.Literal.number(1), occurrence or exp.Literal.number(1))
        return checked(new, (value, "BYTES")) if _known_bytes(value) else new
    if position is None and occurrence is None:
        return None
    position = position or exp.Literal.number(1)
    occurrence = occurrence or exp.Literal.number(1)
    # every start of `search` (overlapping), forwards from position or backwards from -position
    return _t(
        "CASE WHEN _A IS NULL OR _B IS NULL OR _C IS NULL OR _D IS NULL THEN NULL WHEN _C = 0 THEN error('The position argument of INSTR must not be 0') "
        "WHEN _D <= 0 THEN error('The occurrence argument of INSTR must be positive') "
        "WHEN _C > 0 THEN coalesce(list_extract(list_filter(range(_C, length(_A) + 2), i -> substr(_A, i, length(_B)) = _B), _D), 0) "
        "ELSE coalesce(list_extract(list_filter(range(length(_A) + _C + 1, 0, -1), i -> substr(_A, i, length(_B)) = _B), _D), 0) END",
        node.this,
        node.args.get("substr"),
        position,
        occurrence,
    )


def _bytes_call(node: exp.Expression, visible: bool = False) -> exp.Expression | None:
    """LEFT/RIGHT/LPAD/RPAD/REVERSE of BYTES through the hex text (two digits a byte)."""
    if not visible and _known_bytes(node.this):
        new = _bytes_call(node, visible=True)
        return checked(new, (node.this, "BYTES")) if new is not None else None
    if not (visible or _is_bytes(node.this)):
        return None
    if isinstance(node, exp.Left):
        return _t("unhex(left(hex(_A), 2 * _B))", node.this, node.expression)
    if isinstance(node, exp.Right):
        return _t("unhex(right(hex(_A), 2 * _B))", node.this, node.expression)
    if isinstance(node, exp.Reverse):
        return _t(
            "unhex(array_to_string(list_reverse(list_transform(range(octet_length(_A)), i -> substr(hex(_A), 2 * i + 1, 2))), ''))",
            node.this,
        )
    if isinstance(node, exp.Pad):
        fill = node.args.get("fill_pattern")
        pad = "lpad" if node.args.get("is_left") else "rpad"
        fill_hex = _t("hex(_A)", fill) if fill is not None else exp.Literal.string("20")
        return _t(f"unhex({pad}(hex(_A), 2 * _B, _C))", node.this, node.expression, fill_hex)
    return None


_BY_CODE_POINTS = "bq_reversed_by_code_points"


def _reverse(node: exp.Reverse) -> exp.Expression | None:
    """REVERSE of BYTES as `_bytes_call`; of a STRING by code points, as ZetaSQL does
    (`REVERSE('a\u0301b')` is b, U+0301, a; DuckDB's reverse keeps each grapheme cluster whole).
    An ASCII value stays with DuckDB's reverse, which also names a BYTES value of unknown type."""
    if node._meta and node.meta.get(_BY_CODE_POINTS):
        return None
    new = _bytes_call(node)
    if new is not None or _positional(node):
        return new
    new = _t(
        "CASE WHEN strlen(CAST(_A AS VARCHAR)) = length(CAST(_A AS VARCHAR)) THEN reverse(_A) "
        "ELSE array_to_string(list_reverse(string_split(CAST(_A AS VARCHAR), '')), '') END",
        node.this,
    )
    for call in find_all(new, exp.Reverse):
        call.meta[_BY_CODE_POINTS] = True
    return new


def _positional(node: exp.Expression) -> bool:
    """Whether `node` holds a positional `?` parameter, which a template must not copy."""
    return any(p.name in ("", "?") for p in node.find_all(exp.Placeholder))


def _unicode_empty(node: exp.Unicode) -> exp.Expression | None:
    """UNICODE('') is 0 (DuckDB's unicode answers -1)."""
    if _positional(node):
        return None
    return _t("CASE WHEN _A = '' THEN 0 ELSE unicode(_A) END", node.this)


def _split_null_delimiter(node: exp.Split) -> exp.Expression | None:
    """SPLIT with a NULL delimiter is NULL (DuckDB's str_split answers the whole string)."""
    delimiter = node.expression
    if delimiter is None or (isinstance(delimiter, exp.Literal) and delimiter.is_string) or _positional(node):
        return None
    return _t("CASE WHEN _A IS NULL THEN NULL ELSE _B END", delimiter, node.copy())


def _concat_number(node: exp.Concat) -> exp.Expression | None:
    """CONCAT of one value that is not a string is its STRING (DuckDB's CONCAT of one argument is
    that argument, of its own type); each such value among several is written as CAST(x AS
    STRING) writes it (DuckDB's text of a NUMERIC keeps trailing zeros, of an INTERVAL is `1 day`)."""
    args = node.expressions
    for arg in args:
        if isinstance(arg, exp.Not):  # `a || NOT b` does not parse in DuckDB
            arg.replace(exp.paren(arg.copy(), copy=False))
    from .semantics import string_cast

    if len(args) != 1:
        for arg in args:
            if not isinstance(arg, exp.Literal) and (
                known_type(arg) not in (None, "BYTES", "STRING") or _shows_non_text(arg)
            ):
                arg.replace(string_cast(exp.cast(arg.copy(), "VARCHAR")))  # GoogleSQL's text (1.5, 0-0 1 0:0:0)
        return None
    if isinstance(args[0], exp.Literal) and args[0].is_string:
        return None
    if isinstance(args[0], exp.Literal):
        return exp.cast(args[0].copy(), "VARCHAR")
    if known_type(args[0]) in (None, "BYTES", "STRING") and not _shows_non_text(args[0]):
        return None  # BYTES stays BYTES; a type the translator does not know is left as it was
    return string_cast(exp.cast(args[0].copy(), "VARCHAR"))


def _shows_non_text(node: exp.Expression) -> bool:
    """Whether the query text shows `node` is neither STRING nor BYTES (a cast, a condition)."""
    inner = node.unnest()
    if isinstance(inner, (exp.Cast, exp.TryCast)):
        return not inner.to.is_type(*exp.DataType.TEXT_TYPES, "BLOB", "VARBINARY", "BINARY")
    return isinstance(inner, (exp.Predicate, exp.Not, exp.Connector, exp.Interval))


_MAX_TOP = 100000
"""BigQuery's limit on APPROX_TOP_COUNT's and APPROX_TOP_SUM's number of values."""


def checked_count(
    name: str, result: exp.Expression, count: exp.Expression | None, limit: int = _MAX_TOP
) -> exp.Expression:
    """`result`, or BigQuery's error when the count of values an aggregate returns is NULL, not
    positive or over `limit` (APPROX_QUANTILES, APPROX_TOP_COUNT, APPROX_TOP_SUM; ZetaSQL names
    it "the second argument" for all three)."""
    if count is None:
        return result
    message = f"The second argument to {name} function"
    return _t(
        f"CASE WHEN _B IS NULL THEN error('{message} must not be NULL') "
        f"WHEN _B <= 0 THEN error('{message} must be positive') "
        f"WHEN _B > {limit} THEN error('{message} cannot be greater than {limit}') ELSE _A END",
        result,
        count,
    )


def _safe_convert_bytes(node: exp.SafeConvertBytesToString) -> exp.Expression:
    """SAFE_CONVERT_BYTES_TO_STRING(b): DuckDB's decode where b is UTF-8, else the Python UDF. An
    argument with an aggregate (`CODE_POINTS_TO_BYTES(ARRAY_AGG(c))`, bigquery-utils' cw_substrb)
    or a large one is evaluated once, outside the TRY (DuckDB: "aggregates are not allowed inside
    the TRY expression")."""
    from .boundvalues import bound_once, is_large

    template = (
        "CASE WHEN _A IS NOT NULL AND TRY(decode(_A)) IS NULL THEN __bq_safe_convert_bytes(_A) ELSE decode(_A) END"
    )
    value = node.this
    if is_large(value) or any(isinstance(x, exp.AggFunc) for x in value.walk()):
        return bound_once(value, lambda ref: _t(template, ref))
    return _t(template, value)


def _null_separator_error(node: exp.GroupConcat) -> None:
    """STRING_AGG with a separator that is not a literal (a query parameter): BigQuery's error when
    it is NULL. Checked outside the call, as DuckDB takes only a constant separator."""
    separator = node.args.get("separator")
    if separator is None or isinstance(separator, (exp.Literal, exp.Null)):
        return
    outer = node.parent if isinstance(node.parent, exp.Window) else node
    guarded = _t(
        "CASE WHEN _A IS NULL THEN error('Illegal NULL separator in STRING_AGG') ELSE _B END", separator, outer
    )
    outer.replace(guarded)


def _text_argument_errors(node: exp.Ascii | exp.Translate) -> exp.Expression | None:
    """BigQuery's errors for ASCII of a STRING whose first character is not ASCII and TRANSLATE
    with a source character (or byte) listed twice (DuckDB answers its code point; the first
    mapping). ASCII of BYTES is any byte's value (bytestext.py)."""
    value = node.this if isinstance(node, exp.Ascii) else node.args.get("from_")
    if value is None:
        return None
    duplicate = "list_filter(str_split(_A, ''), (c, i) -> list_position(str_split(_A, ''), c) < i)[1]"
    if _is_bytes(value) or known_type(value) == "BYTES":
        if isinstance(node, exp.Ascii):
            return None
        # the source bytes read as a text of one character a byte (bytestext.py)
        return _t(
            f"CASE WHEN {duplicate} IS NOT NULL THEN error('Duplicate byte 0x' || printf('%02x', unicode({duplicate})) "
            "|| ' in TRANSLATE source bytes') ELSE _B END",
            as_text(value),
            node,
        )
    if isinstance(node, exp.Ascii):
        message = "'Argument to ASCII is not a structurally valid ASCII string: ''' || _A || ''''"
        return _t(f"CASE WHEN ascii(_A) > 127 THEN error({message}) ELSE _B END", value, node)
    return _t(
        f"CASE WHEN {duplicate} IS NOT NULL THEN error('Duplicate character \"' || {duplicate} || "
        "'\" in TRANSLATE source characters') ELSE _B END",
        value,
        node,
    )


def _approx_top_count(node: exp.ApproxTopK) -> exp.Expression:
    return checked_count("APPROX_TOP_COUNT", _approx_top_count_values(node), node.expression)


def _approx_top_count_values(node: exp.ApproxTopK) -> exp.Expression:
    return _t(
        # NULL for no rows, as the reference says (an empty list was not NULL)
        "CASE WHEN count(*) = 0 THEN NULL ELSE "
        # coalesce: the histogram of only NULLs is NULL, not an empty map
        "list_transform(list_slice(list_sort(list_concat(coalesce(list_transform(map_entries(histogram(_A)), e -> {'c': e.value, 'v': e.key}), []), "
        # NULL is a value that APPROX_TOP_COUNT counts too (histogram skips it)
        "CASE WHEN count(*) > count(_A) THEN [{'c': (count(*) - count(_A))::UBIGINT, 'v': NULL}] ELSE [] END), 'DESC'), 1, _B), "
        "e -> {'value': e.v, 'count': e.c::BIGINT}) END",
        node.this,
        node.expression,
    )


def _agg_limit(node: exp.Expression) -> exp.Expression | None:
    """STRING_AGG(... LIMIT n) and ARRAY_AGG(... LIMIT n): the aggregate's list, sliced; NULL
    for LIMIT 0, as for no rows."""
    limit = node.this
    if not isinstance(limit, exp.Limit):
        return None
    count = limit.expression
    node.set("this", limit.this)
    if isinstance(node, exp.GroupConcat):
        # STRING_AGG ignores NULL values, so they do not count toward the limit
        sep = node.args.get("separator") or exp.Literal.string(",")
        value = node.this
        while isinstance(value, (exp.Order, exp.Distinct)):
            value = value.this if isinstance(value, exp.Order) else value.expressions[0]
        values = exp.Filter(
            this=exp.Anonymous(this="list", expressions=[node.this]),
            expression=exp.Where(this=exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))),
        )
        return _t(
            "CASE WHEN _C = 0 THEN NULL ELSE array_to_string(list_slice(_A, 1, _C), _B) END",
            values,
            sep,
            count,
        )
    whole = node.parent if isinstance(node.parent, exp.Filter) else node
    new = _t("CASE WHEN _B = 0 THEN NULL ELSE list_slice(_A, 1, _B) END", whole, count)
    whole.replace(new)
    return None


def _bytes_string_agg(node: exp.GroupConcat) -> None:
    """STRING_AGG of BYTES is BYTES: DuckDB's LISTAGG has no BLOB form (it cast the values to
    text, or found no function for a BYTES delimiter), so the values are aggregated as their
    hexadecimal text, whose concatenation is the text of the bytes' concatenation."""
    holder: exp.Expression = node
    value = node.this
    orders: list[exp.Order] = []
    while isinstance(value, (exp.Limit, exp.Order)):
        if isinstance(value, exp.Order):
            orders.append(value)
        holder, value = value, value.this
    # STRING_AGG(DISTINCT x ...): the hexadecimal text of x is distinct where x is
    distinct = value if isinstance(value, exp.Distinct) and len(value.expressions) == 1 else None
    if distinct is not None:
        holder, value = distinct, distinct.expressions[0]
    separator = node.args.get("separator")
    if isinstance(separator, exp.Null) or not any(_is_bytes(x) or known_type(x) == "BYTES" for x in (value, separator)):
        return  # a NULL literal separator is refused by the caller
    delimiter = (separator or exp.Literal.string(",")).copy()
    hexed = exp.Anonymous(this="hex", expressions=[value.copy()])
    if distinct is not None:
        distinct.set("expressions", [hexed])
        # DuckDB orders a DISTINCT aggregate only by its argument; the hexadecimal text sorts
        # as the bytes do (two digits a byte, 0-9 before A-F)
        for order in orders:
            for key in order.expressions:
                if key.this == value:
                    key.set("this", hexed.copy())
    else:
        holder.set("this", hexed)
    node.set("separator", exp.Anonymous(this="hex", expressions=[delimiter.copy()]))
    whole = node.parent if isinstance(node.parent, (exp.Window, exp.Filter)) else node
    # the delimiter is a constant (a literal or a parameter): checked outside the aggregate,
    # where DuckDB's LISTAGG wants it folded
    whole.replace(
        _t(
            "CASE WHEN _A IS NULL THEN error('Illegal NULL separator in STRING_AGG') ELSE unhex(_B) END",
            delimiter,
            whole.copy(),
        )
    )


def _null_treatment(node: exp.IgnoreNulls | exp.RespectNulls) -> exp.Expression | None:
    """ARRAY_AGG(x IGNORE NULLS ...) is DuckDB's array_agg with a filter; RESPECT NULLS is the default."""
    agg = node.this
    if not isinstance(agg, exp.ArrayAgg):
        return None
    if isinstance(node, exp.RespectNulls):
        return agg
    value = agg.this.this if isinstance(agg.this, (exp.Order, exp.Limit)) else agg.this
    if isinstance(value, (exp.Order, exp.Limit)):
        value = value.this
    if isinstance(value, exp.Distinct) and len(value.expressions) == 1:
        value = value.expressions[0]
    keep = exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
    return exp.Filter(this=agg, expression=exp.Where(this=keep))


def _regexp_instr(node: exp.RegexpInstr) -> exp.Expression:
    value: exp.Expression = node
    option = node.args.get("option")
    if option is not None and not isinstance(option, exp.Literal):
        # sqlglot answers the end of the match only for a literal occurrence_position of 1
        if _positional(node):
            raise _unsupported("REGEXP_INSTR with a positional occurrence_position parameter")
        start, end = node.copy(), node.copy()
        start.set("option", exp.Literal.number(0))
        end.set("option", exp.Literal.number(1))
        value = _t(
            "CASE WHEN _A IS NULL THEN NULL WHEN _A = 0 THEN _B WHEN _A = 1 THEN _C "
            "ELSE error('REGEXP_INSTR: occurrence_position must be 0 or 1') END",
            option,
            start,
            end,
        )
    elif option is not None and str(option.this) not in ("0", "1"):
        raise _invalid("REGEXP_INSTR: occurrence_position must be 0 or 1")
    # with a capturing group BigQuery answers the group's position, which DuckDB cannot find
    return _t(
        "CASE WHEN regexp_matches(regexp_replace(_B, '\\\\.', '', 'g'), '\\((?:[^?]|$)') "
        "THEN error('REGEXP_INSTR with a capturing group is not supported by the local warehouse') ELSE _A END",
        value,
        node.expression,
    )


def _approx_top_sum(node: exp.ApproxTopSum) -> exp.Expression:
    weight = _t(
        "CASE WHEN _A < 0 OR isnan(CAST(_A AS DOUBLE)) THEN error('APPROX_TOP_SUM does not support negative or NaN "
        "weights in the second argument; got ' || CAST(_A AS VARCHAR)) ELSE _A END",
        node.expression,
    )
    count = node.args.get("count")
    return checked_count("APPROX_TOP_SUM", _approx_top_sum_values(node.this, weight, count), count)


def _approx_top_sum_values(
    value: exp.Expression, weight: exp.Expression, count: exp.Expression | None
) -> exp.Expression:
    # exact sums: the group's (value, weight) pairs, regrouped by value in a correlated subquery;
    # summed in the weight's own type (DuckDB's sum widens INT64); a NULL sum ranks last
    return _t(
        "(SELECT list_slice(list({'value': __top_v, 'sum': __top_s} ORDER BY __top_s IS NULL, __top_s DESC, __top_v DESC), 1, _C) "
        "FROM (SELECT __top_u.__top_e.v AS __top_v, CASE WHEN count(__top_u.__top_e.w) = 0 THEN NULL ELSE list_reduce("
        "list_prepend(0, list(__top_u.__top_e.w) FILTER (WHERE __top_u.__top_e.w IS NOT NULL)), (a, b) -> a + b) END AS __top_s "
        "FROM (SELECT unnest(list({'v': _A, 'w': _B})) AS __top_e) AS __top_u GROUP BY __top_u.__top_e.v))",
        value,
        weight,
        count,
    )


_HLL_TAG = "llmops-hll:"
_HLL_VALUES = (
    f"CAST(substr(decode(CASE WHEN NOT starts_with(hex(_A), '{_HLL_TAG.encode().hex().upper()}') THEN error('HLL_COUNT got a "
    f"sketch that the local warehouse did not make (its sketches are exact value sets)') ELSE _A END), {len(_HLL_TAG) + 1}) AS JSON[])"
)
# whether the sketches hold values of more than one kind (a sketch of INT64s and one of STRINGs)
_HLL_MIXED = (
    f"count(DISTINCT CASE WHEN list_extract({_HLL_VALUES}, 1) IS NULL THEN NULL "
    f"WHEN json_type(list_extract({_HLL_VALUES}, 1)) = 'VARCHAR' THEN 'text' ELSE 'number' END) > 1"
)
_HLL_TEMPLATES = {
    # a sketch is the set of distinct values as JSON text: counts are exact; a NULL literal is
    # GoogleSQL's INT64 (over only NULLs the sketch is NULL)
    "INIT": (
        "CASE WHEN typeof(any_value(_A)) NOT SIMILAR TO '(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|DECIMAL.*|VARCHAR|BLOB|\"NULL\")' "
        "THEN error('HLL_COUNT.INIT takes INT64, NUMERIC, BIGNUMERIC, STRING or BYTES, not ' || typeof(any_value(_A))) "
        f"ELSE encode('{_HLL_TAG}' || CAST(to_json(list(DISTINCT _A) FILTER (WHERE _A IS NOT NULL)) AS VARCHAR)) END"
    ),
    # over only NULLs: NULL; sketches of numbers and of strings together: BigQuery's error
    "MERGE_PARTIAL": (
        f"CASE WHEN {_HLL_MIXED} THEN error('Invalid or incompatible sketch in HLL_COUNT.MERGE_PARTIAL') "
        f"WHEN count(_A) > 0 THEN encode('{_HLL_TAG}' || CAST(to_json(list_distinct(flatten(list({_HLL_VALUES})))) AS VARCHAR)) END"
    ),
    "MERGE": (
        f"CASE WHEN {_HLL_MIXED} THEN error('Invalid or incompatible sketch in HLL_COUNT.MERGE') "
        f"ELSE coalesce(len(list_distinct(flatten(list({_HLL_VALUES})))), 0) END"
    ),
    "EXTRACT": f"coalesce(len({_HLL_VALUES}), 0)",
}


def hll_supported(name: str) -> bool:
    """Whether HLL_COUNT.<name> is answered by the local warehouse."""
    return name.upper() in _HLL_TEMPLATES


def _hll_count(node: exp.Dot) -> exp.Expression | None:
    fn = node.expression
    if not (isinstance(node.this, exp.Identifier) and node.this.name.upper() == "HLL_COUNT"):
        return None
    name = fn.name.upper() if isinstance(fn, exp.Anonymous) else ""
    if name not in _HLL_TEMPLATES:
        raise _unsupported(f"HLL_COUNT.{name or fn.sql()}")
    args = list(fn.expressions)
    if name == "INIT" and len(args) == 2:
        precision = args[1]
        bound = precision.this if isinstance(precision, exp.Cast) else precision
        if isinstance(bound, exp.Parameter):
            # a query parameter is a constant too, its value known only when the query runs;
            # the sketch here is exact, so the precision is only checked
            return _t(
                f"CASE WHEN _B BETWEEN 10 AND 24 THEN {_HLL_TEMPLATES[name]} "
                "ELSE error('HLL_COUNT.INIT''s precision must be an integer from 10 to 24') END",
                args[0],
                precision,
            )
        if not (isinstance(precision, exp.Literal) and precision.is_int and 10 <= int(precision.this) <= 24):
            raise _invalid("HLL_COUNT.INIT's precision must be an integer literal from 10 to 24")
    elif len(args) != 1:
        raise _invalid(f"HLL_COUNT.{name} takes {'one or two arguments' if name == 'INIT' else 'one argument'}")
    return _t(_HLL_TEMPLATES[name], args[0])


def _invalid(message: str) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(message, fix="see the GoogleSQL reference for the function's arguments")


_NET_ARITY = {
    "HOST": 1,
    "PUBLIC_SUFFIX": 1,
    "REG_DOMAIN": 1,
    "IP_FROM_STRING": 1,
    "SAFE_IP_FROM_STRING": 1,
    "IP_TO_STRING": 1,
    "IPV4_FROM_INT64": 1,
    "IPV4_TO_INT64": 1,
    "IP_NET_MASK": 2,
    "IP_TRUNC": 2,
}


def _net_call(node: exp.NetFunc) -> exp.Expression:
    from .udfs import NET_UDFS_BY_NAME

    inner = node.this
    if isinstance(inner, exp.Anonymous):
        name, args = inner.name.upper(), list(inner.expressions)
    else:
        name = inner.sql_name().upper() if isinstance(inner, exp.Func) else ""
        args = [a for a in (inner.args.get("this"), *inner.args.get("expressions", [])) if a is not None]
    if name not in NET_UDFS_BY_NAME:
        raise _unsupported(f"NET.{name or 'functions'}")
    if len(args) != _NET_ARITY[name]:
        raise _invalid(f"NET.{name} takes {_NET_ARITY[name]} argument{'s' if _NET_ARITY[name] > 1 else ''}")
    return exp.Anonymous(this=NET_UDFS_BY_NAME[name], expressions=[a.copy() for a in args])


def _sha512(node: exp.Expression) -> exp.Expression | None:
    from .udfs import SHA512_UDF

    length = node.args.get("length")
    if length is None or length.name == "256":
        return None
    if length.name == "384":
        return _sha384(node.this)
    if length.name != "512":
        raise _unsupported(f"SHA{length.name}")
    return exp.Anonymous(this=SHA512_UDF, expressions=[_utf8_bytes(node.this)])


def _json_keys(node: exp.JSONKeysAtDepth) -> exp.Expression:
    """JSON_KEYS(json[, max_depth][, mode => ...]): nested keys as `a.b`, sorted (udfs.py; DuckDB's
    json_keys lists only the top level)."""
    from .udfs import JSON_KEYS_UDF

    depth: exp.Expression = exp.cast(exp.Null(), "BIGINT")
    mode: exp.Expression = exp.Literal.string("strict")
    for arg in (node.args.get("expression"), node.args.get("mode")):
        if isinstance(arg, exp.Kwarg):
            if arg.this.name.lower() != "mode":
                raise _invalid(f"JSON_KEYS has no argument named {arg.this.name}; write mode => 'lax'")
            mode = arg.expression.copy()
        elif arg is not None:
            depth = exp.cast(arg.copy(), "BIGINT")
    text = exp.cast(node.this.copy(), "VARCHAR")
    return exp.Anonymous(this=JSON_KEYS_UDF, expressions=[text, depth, exp.cast(mode, "VARCHAR")])


def _sha384(value: exp.Expression) -> exp.Expression:
    from .udfs import SHA384_UDF

    return exp.Anonymous(this=SHA384_UDF, expressions=[_utf8_bytes(value)])


def _utf8_bytes(value: exp.Expression) -> exp.Expression:
    """BYTES as they are, a STRING as its UTF-8 bytes (DuckDB's CAST to BLOB refuses non-ASCII
    text); the branch is chosen by typeof(), which DuckDB folds when it binds the query."""
    return _t("CASE WHEN typeof(_A) = 'VARCHAR' THEN encode(CAST(_A AS VARCHAR)) ELSE CAST(_A AS BLOB) END", value)


def _base32(node: exp.Expression) -> exp.Expression:
    from .udfs import FROM_BASE32_UDF, TO_BASE32_UDF

    name = TO_BASE32_UDF if isinstance(node, exp.ToBase32) else FROM_BASE32_UDF
    return exp.Anonymous(this=name, expressions=[node.this.copy()])


def used_udfs(stmt: exp.Expression) -> set[str]:
    """Names of `udfs.py` functions that `stmt` (after rewriting) calls."""
    from .udfs import GOOGLESQL_UDFS

    return {str(n.this) for n in find_all(stmt, exp.Anonymous) if str(n.this) in GOOGLESQL_UDFS}


def rewrite_function_calls(stmt: exp.Expression) -> None:
    """Rewrite every GoogleSQL call in `stmt` that DuckDB lacks or answers differently."""
    from .aggforms import rewrite_aggregate_forms
    from .mlscalars import rewrite_ml_scalars
    from .percentiles import rewrite_percentiles

    node: Any
    rewrite_aggregate_forms(stmt)
    rewrite_percentiles(stmt)
    for node in reversed(find_all(stmt, exp.IgnoreNulls, exp.RespectNulls)):
        new = _null_treatment(node)
        if new is not None:
            node.replace(new)
    for node in find_all(stmt, exp.GroupConcat):
        _bytes_string_agg(node)
    for node in find_all(stmt, exp.GroupConcat):
        _null_separator_error(node)
    for node in reversed(find_all(stmt, exp.GroupConcat, exp.ArrayAgg)):
        if isinstance(node, exp.GroupConcat) and isinstance(node.args.get("separator"), exp.Null):
            # DuckDB joined without a separator
            raise _invalid("Argument 2 to STRING_AGG must be non-NULL")
        new = _agg_limit(node)
        if new is not None:
            node.replace(new)
    for node in reversed(find_all(stmt, exp.Dot)):
        new = _hll_count(node)
        if new is not None:
            node.replace(new)
    rewrite_ml_scalars(stmt)
    simple: dict[type, Any] = {
        exp.Normalize: _normalize,
        exp.ToCodePoints: _to_code_points,
        exp.CodePointsToString: _code_points_to_string,
        exp.CodePointsToBytes: _code_points_to_bytes,
        exp.Soundex: _soundex,
        exp.Unicode: _unicode_empty,
        exp.Concat: _concat_number,
        exp.Split: _split_null_delimiter,
        # BYTE_LENGTH(NULL): DuckDB cannot choose octet_length's STRING or BYTES form
        exp.ByteLength: lambda n: exp.cast(exp.Null(), "BIGINT") if isinstance(n.this, exp.Null) else None,
        exp.StrPosition: _instr,
        exp.Left: _bytes_call,
        exp.Right: _bytes_call,
        exp.Reverse: _reverse,
        exp.Pad: _bytes_call,
        exp.ApproxTopK: _approx_top_count,
        # exact, as BigQuery's HLL++ is for all but large inputs (DuckDB's sketch misses some)
        exp.ApproxDistinct: lambda n: exp.Count(this=exp.Distinct(expressions=[n.this])),
        exp.RegexpInstr: _regexp_instr,
        exp.ApproxTopSum: _approx_top_sum,
        exp.NetFunc: _net_call,
        exp.SHA2Digest: _sha512,
        exp.SHA2: _sha512,
        exp.ToBase32: _base32,
        exp.FromBase32: _base32,
        # bytes that are not UTF-8: one U+FFFD a byte of each ill-formed sequence (a Python UDF)
        exp.SafeConvertBytesToString: _safe_convert_bytes,
    }
    for node in reversed(find_all(stmt, exp.Ascii, exp.Translate)):
        checked_text = _text_argument_errors(node)
        if checked_text is not None:
            node.replace(checked_text)
    for node in reversed(find_all(stmt, exp.Contains)):
        new = rewrite_contains_substr(node)  # before LOWER(bytes) is rewritten out of its shape
        if new is not None:
            node.replace(new)
    rewrite_bytes_text_calls(stmt)
    rewrite_case_mappings(stmt)  # the STRING forms, once the BYTES ones are rewritten
    rewrite_bytes_likes(stmt)
    rewrite_bytes_calls(stmt)
    rewrite_regexp_matches(stmt)
    for node in reversed(find_all(stmt, *simple)):
        new = simple[type(node)](node)
        if new is not None:
            node.replace(new)
    for node in find_all(stmt, exp.Anonymous):
        if node.name.upper() == "SHA384":
            if len(node.expressions) != 1:
                raise _invalid("SHA384 takes 1 argument")
            node.replace(_sha384(node.expressions[0]))
    for node in find_all(stmt, exp.Collate):
        # a collated STRING compares case-insensitively; returning the bare value would not
        raise _unsupported(f"COLLATE({node.expression.sql('bigquery')}) (collation specifications)")
    rewrite_date_calls(stmt)
    rewrite_json_calls(stmt)
    for node in reversed(find_all(stmt, exp.JSONKeysAtDepth)):
        node.replace(_json_keys(node))
    for node in find_all(stmt, exp.UnixToTime):
        # TIMESTAMP_SECONDS/MILLIS/MICROS are TIMESTAMPs (DuckDB's epoch_ms is naive)
        scale = node.args.get("scale")
        per_second = {None: 1, 0: 1, 3: 1000, 6: 1000000}.get(int(scale.this) if scale is not None else None)
        if per_second is not None and per_second != 1:
            node.replace(_t(f"make_timestamptz((_A * {1000000 // per_second})::BIGINT)", node.this))


_WEEKDAYS = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")
_EXTRACT_CASTS = {"DATE": "DATE", "TIME": "TIME", "DATETIME": "TIMESTAMP"}  # of a TIMESTAMP or DATETIME
_EXTRACT_FUNCTIONS = {"ISOWEEK": "week", "ISOYEAR": "isoyear", "DAYOFYEAR": "dayofyear"}


def _extract(node: exp.Extract) -> exp.Expression | None:
    part = node.this
    if isinstance(part, exp.WeekStart):
        day = part.name.upper()
        if day not in _WEEKDAYS:
            raise _invalid(f"WEEK({day}) is not a week part; name a weekday, e.g. WEEK(MONDAY)")
        # weeks start on `day`; the days before the year's first such day are week 0
        return _t(
            f"CAST((dayofyear(_A) - 1 - (({_WEEKDAYS.index(day)} - dayofweek(date_trunc('year', _A)) + 7) % 7) + 7) // 7 AS BIGINT)",
            node.expression,
        )
    name = part.name.upper() if isinstance(part, (exp.Var, exp.Identifier)) else ""
    if name in _EXTRACT_CASTS:  # EXTRACT(DATE / TIME / DATETIME FROM ...) is a cast (the session is UTC)
        value: exp.Expression = exp.paren(node.expression.copy(), copy=False)
        if name == "TIME":  # DuckDB casts a TIMESTAMPTZ to TIME only through TIMESTAMP
            value = exp.cast(value, "TIMESTAMP")
        return exp.cast(value, _EXTRACT_CASTS[name])
    if name in _EXTRACT_FUNCTIONS:
        return exp.Anonymous(this=_EXTRACT_FUNCTIONS[name], expressions=[node.expression.copy()])
    if isinstance(node.parent, exp.Cast):
        return None
    # every other part is an INT64; DuckDB types date_part of a constant NULL DOUBLE
    # (`EXTRACT(HOUR FROM CAST(NULL AS TIMESTAMP))` came back a FLOAT64 NULL)
    return exp.cast(node.copy(), exp.DataType.build("BIGINT"))


def _time_trunc(node: exp.TimeTrunc) -> exp.Expression:
    unit = node.args["unit"]
    return _t(f"(date_trunc('{unit.name.lower()}', DATE '1970-01-01' + _A))::TIME", node.this)


def _current_datetime(node: exp.CurrentDatetime) -> exp.Expression:
    return _t("timezone(_A, now())", node.this or exp.Literal.string("UTC"))


def _current_time(node: exp.CurrentTime) -> exp.Expression:
    """CURRENT_TIME([zone]) is a TIME in that zone (DuckDB's is a TIME WITH TIME ZONE, and its zone
    argument was dropped)."""
    return _t("CAST(timezone(_A, now()) AS TIME)", node.this or exp.Literal.string("UTC"))


def _timestamp_in_zone(node: exp.Timestamp) -> exp.Expression | None:
    """TIMESTAMP(x, zone) reads x in that zone for any zone (sqlglot writes DuckDB's missing
    TIMESTAMP(x, zone) unless it knows the zone's name)."""
    zone = node.args.get("zone")
    if zone is None:
        return None
    return exp.AtTimeZone(this=exp.cast(node.this.copy(), exp.DataType.build("TIMESTAMP")), zone=zone.copy())


_TIMESTAMP_CALLS = (exp.CurrentTimestamp, exp.UnixToTime, exp.TimestampTrunc, exp.StrToTime, exp.TimestampAdd)


def _date_trunc(node: exp.DateTrunc) -> exp.Expression | None:
    """DATE_TRUNC of a TIMESTAMP or DATETIME keeps its type; of a DATE it is a DATE."""
    value = node.this
    if isinstance(value, exp.Cast) and value.to.this in (exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.TIMESTAMP):
        return exp.Cast(this=node.copy(), to=value.to.copy())
    if isinstance(value, _TIMESTAMP_CALLS):
        return exp.Cast(this=node.copy(), to=exp.DataType.build("TIMESTAMPTZ"))
    kind = known_type(value)
    if kind in ("TIMESTAMP", "DATETIME", "DATE"):
        to = {"TIMESTAMP": "TIMESTAMPTZ", "DATETIME": "TIMESTAMP", "DATE": "DATE"}[kind]
        return checked(exp.Cast(this=node.copy(), to=exp.DataType.build(to)), (value, kind))
    if isinstance(node.parent, exp.Cast) and node.parent.to.this == exp.DataType.Type.DATE:
        return None
    # a column's type is known only to DuckDB: a DATE answers DATE; a TIMESTAMP is refused
    # (its DATE_TRUNC is a TIMESTAMP, and one expression cannot have both types)
    return _t(
        "CASE WHEN typeof(_A) LIKE 'TIMESTAMP%' THEN error('DATE_TRUNC of a TIMESTAMP or DATETIME column is not "
        "supported by the local warehouse; use TIMESTAMP_TRUNC or DATETIME_TRUNC') ELSE _B END",
        value,
        exp.Cast(this=node.copy(), to=exp.DataType.build("DATE")),
    )


def rewrite_date_calls(stmt: exp.Expression) -> None:
    """Rewrite GoogleSQL date and time calls that DuckDB lacks or types differently."""
    calls: dict[type, Any] = {
        exp.Extract: _extract,
        exp.TimeTrunc: _time_trunc,
        exp.CurrentDatetime: _current_datetime,
        exp.CurrentTime: _current_time,
        exp.Timestamp: _timestamp_in_zone,
        exp.DateTrunc: _date_trunc,
    }
    node: Any
    for node in reversed(find_all(stmt, *calls)):
        new = calls[type(node)](node)
        if new is not None:
            node.replace(new)


_RAW = "CAST(_A AS VARCHAR)"
_TEXT = "json_extract_string(_A, '$')"
_NUMBER = "('BIGINT', 'UBIGINT', 'DOUBLE')"
_JSON_TEMPLATES: dict[type, str] = {
    exp.LaxBool: (
        "CASE json_type(_A) WHEN 'BOOLEAN' THEN CAST(_A AS BOOLEAN) "
        f"WHEN 'VARCHAR' THEN CASE lower({_TEXT}) WHEN 'true' THEN true WHEN 'false' THEN false END "
        "WHEN 'BIGINT' THEN CAST(_A AS DOUBLE) <> 0 WHEN 'UBIGINT' THEN CAST(_A AS DOUBLE) <> 0 "
        "WHEN 'DOUBLE' THEN CAST(_A AS DOUBLE) <> 0 END"
    ),
    exp.LaxInt64: (
        "CASE json_type(_A) WHEN 'BOOLEAN' THEN CASE WHEN CAST(_A AS BOOLEAN) THEN 1 ELSE 0 END "
        f"WHEN 'BIGINT' THEN TRY_CAST({_RAW} AS BIGINT) WHEN 'UBIGINT' THEN TRY_CAST({_RAW} AS BIGINT) "
        "WHEN 'DOUBLE' THEN TRY_CAST(round(CAST(_A AS DOUBLE)) AS BIGINT) "
        f"WHEN 'VARCHAR' THEN coalesce(TRY_CAST({_TEXT} AS BIGINT), TRY_CAST(round(TRY_CAST({_TEXT} AS DOUBLE)) AS BIGINT)) END"
    ),
    exp.LaxFloat64: (
        f"CASE WHEN json_type(_A) IN {_NUMBER} THEN CAST(_A AS DOUBLE) "
        f"WHEN json_type(_A) = 'VARCHAR' THEN TRY_CAST({_TEXT} AS DOUBLE) END"
    ),
    exp.LaxString: (
        f"CASE json_type(_A) WHEN 'VARCHAR' THEN {_TEXT} WHEN 'BOOLEAN' THEN {_RAW} "
        f"WHEN 'BIGINT' THEN {_RAW} WHEN 'UBIGINT' THEN {_RAW} "
        f"WHEN 'DOUBLE' THEN CASE WHEN regexp_full_match({_RAW}, '-?[0-9]+\\.[0-9]*[1-9]') THEN {_RAW} "
        "ELSE error('LAX_STRING of the JSON number ' || _A || ' is not supported by the local warehouse') END END"
    ),
    exp.JSONBool: (
        "CASE WHEN _A IS NULL THEN NULL WHEN json_type(_A) = 'BOOLEAN' THEN CAST(_A AS BOOLEAN) "
        "ELSE error('The provided JSON input is not a boolean') END"
    ),
    exp.Int64: (
        "CASE WHEN _A IS NULL THEN NULL "
        f"WHEN json_type(_A) IN ('BIGINT', 'UBIGINT') THEN coalesce(TRY_CAST({_RAW} AS BIGINT), "
        "error('The provided JSON number ' || _A || ' is out of range of INT64')) "
        "WHEN json_type(_A) = 'DOUBLE' AND CAST(_A AS DOUBLE) = round(CAST(_A AS DOUBLE)) "
        "THEN coalesce(TRY_CAST(CAST(_A AS DOUBLE) AS BIGINT), error('The provided JSON number is out of range of INT64')) "
        "ELSE error('The provided JSON input is not an integer') END"
    ),
    exp.Float64: (
        "CASE WHEN _B NOT IN ('exact', 'round') THEN error('Invalid `wide_number_mode` specified: ' || _B) "
        "WHEN _A IS NULL THEN NULL "
        "WHEN json_type(_A) IN ('BIGINT', 'UBIGINT') AND _B <> 'round' "
        "AND CAST(CAST(_A AS DOUBLE) AS HUGEINT) <> CAST(_A AS HUGEINT) "
        "THEN error('The provided JSON number ' || _A || ' cannot be converted to FLOAT64 without loss of precision') "
        f"WHEN json_type(_A) IN {_NUMBER} THEN CAST(_A AS DOUBLE) "
        "ELSE error('The provided JSON input is not a number') END"
    ),
}


def _json_call(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.String):
        zone = node.args.get("zone")
        if zone is not None and not (isinstance(zone, exp.Literal) and zone.name.upper() in ("UTC", "+00", "Z")):
            from .formats import timestamp_text
            from .semantics import time_text

            return time_text(timestamp_text(node.this.copy(), zone.copy()))
        from .semantics import string_cast

        # STRING(json) unquotes a JSON string; STRING of other types is CAST AS STRING
        return _t(
            "CASE WHEN typeof(_A) <> 'JSON' THEN _B WHEN _A IS NULL THEN NULL "
            "WHEN json_type(CAST(_A AS JSON)) = 'VARCHAR' THEN json_extract_string(CAST(_A AS JSON), '$') "
            "ELSE error('The provided JSON input is not a string') END",
            node.this,
            string_cast(exp.cast(node.this.copy(), "VARCHAR")),
        )
    # FLOAT64's wide_number_mode is 'round' by default (BigQuery's reference: `FLOAT64(JSON
    # '18446744073709551615')` is 1.8446744073709552e+19); 'exact' fails for any integer a FLOAT64
    # does not hold, 2^53 + 1 too (its FLOAT64 is 2^53, so a test `abs(x) > 2^53` let it through)
    mode = exp.Literal.string("round")
    kwarg = node.args.get("expression")
    if isinstance(node, exp.Float64) and isinstance(kwarg, exp.Kwarg):
        mode = kwarg.expression
    return _t(_JSON_TEMPLATES[type(node)], node.this, mode)


# marks the SQL that semantics.py writes for a TO_JSON_STRING call: a STRING
TO_JSON_STRING = "bq_to_json_string"


def _is_string(node: exp.Expression) -> bool:
    return (
        (isinstance(node, exp.Literal) and node.is_string)
        or (isinstance(node, exp.Cast) and node.to.this in (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT))
        or bool(node.meta.get(TO_JSON_STRING))
    )


def _json_extract(node: exp.Expression) -> exp.Expression | None:
    """JSON_QUERY/JSON_EXTRACT (and their _ARRAY forms) of a STRING answer STRING, not JSON."""
    known = not _is_string(node.this) and known_type(node.this) == "STRING"
    if not (known or _is_string(node.this)):
        return None
    to = "VARCHAR[]" if isinstance(node, exp.JSONExtractArray) else "VARCHAR"
    new: exp.Expression = exp.cast(node.copy(), to)
    if to == "VARCHAR":
        new = _json_null_as_sql_null(new)
    return checked(new, (node.this, "STRING")) if known else new


def _json_null_as_sql_null(text: exp.Expression) -> exp.Expression:
    """Of a JSON-formatted STRING, a JSON null found at the path is SQL NULL (a JSON input keeps
    JSON 'null'); a JSON string "null" is written with its quotes, so it stays."""
    return exp.Nullif(this=text, expression=exp.Literal.string("null"))


def _json_array_elements(node: exp.JSONExtractArray) -> exp.Expression | None:
    """JSON_QUERY_ARRAY/JSON_EXTRACT_ARRAY's elements as JSON values, a JSON null kept as JSON
    'null' (DuckDB's cast of a JSON array to JSON[] made it SQL NULL, which no result array may
    hold). For a path written in the query or given as a parameter (DuckDB's wildcard path must
    be a constant)."""
    path = node.expression.copy() if node.expression is not None else exp.Literal.string("$")
    if path.find(exp.Column) is not None:
        return None
    every = exp.DPipe(this=path, expression=exp.Literal.string("[*]"), safe=True)
    return exp.Anonymous(this="json_extract", expressions=[exp.cast(node.this.copy(), "JSON"), every])


def _json_array_guard(node: exp.JSONExtractArray | exp.JSONValueArray) -> exp.Expression:
    """The _ARRAY extractors are NULL where the value at the path is not an array (the _VALUE_ and
    _STRING_ forms also where it holds an object or array), not a DuckDB cast error or a value."""
    path = node.expression if node.expression is not None else exp.Literal.string("$")
    test = "json_type(json_extract(CAST(_A AS JSON), _B)) = 'ARRAY'"
    if isinstance(node, exp.JSONValueArray):
        test += (
            " AND NOT list_has_any(list_transform(CAST(json_extract(CAST(_A AS JSON), _B) AS JSON[]), "
            "e -> json_type(e)), ['OBJECT', 'ARRAY'])"
        )
    return _t(f"CASE WHEN {test} THEN _C END", node.this, path, node.copy())


def _json_flatten(node: exp.Anonymous) -> exp.Expression:
    """JSON_FLATTEN(json): the values of the document's nested arrays as ARRAY<JSON> (udfs.py)."""
    from .udfs import JSON_FLATTEN_UDF

    if len(node.expressions) != 1:
        raise _invalid("JSON_FLATTEN takes 1 argument, a JSON value")
    (value,) = node.expressions
    if _is_string(value) or known_type(value) == "STRING":
        raise _invalid("No matching signature for function JSON_FLATTEN for argument types: STRING")
    flat = exp.Anonymous(this=JSON_FLATTEN_UDF, expressions=[exp.cast(exp.cast(value.copy(), "JSON"), "VARCHAR")])
    return exp.cast(flat, exp.DataType.build("JSON[]", dialect="duckdb"))


def rewrite_json_calls(stmt: exp.Expression) -> None:
    """Rewrite GoogleSQL's JSON conversion functions as DuckDB SQL."""
    from .jsonlax import rewrite_lax_queries
    from .jsontext import null_invalid_json

    rewrite_lax_queries(stmt, lambda x: _is_string(x) or known_type(x) == "STRING")
    null_invalid_json(stmt)
    node: Any
    for node in reversed(find_all(stmt, exp.JSONExtractArray, exp.JSONValueArray)):
        if not node.meta.get("guarded") and not _positional(node):
            guarded = _json_array_guard(node)
            for inner in guarded.find_all(exp.JSONExtractArray, exp.JSONValueArray):
                inner.meta["guarded"] = True
            node.replace(guarded)
    for node in reversed(find_all(stmt, exp.JSONExtract, exp.JSONExtractArray)):
        if not isinstance(node.parent, exp.Cast):
            new = _json_extract(node)
            if new is not None:
                node.replace(new)
    for node in reversed(find_all(stmt, exp.JSONExtractArray)):
        elements = _json_array_elements(node)
        if elements is not None:
            node.replace(elements)
    for node in reversed(find_all(stmt, exp.Anonymous)):
        if node.name.upper() == "JSON_FLATTEN":
            node.replace(_json_flatten(node))
    for node in reversed(find_all(stmt, exp.String, *_JSON_TEMPLATES)):
        new = _json_call(node)
        if new is not None:
            node.replace(new)
