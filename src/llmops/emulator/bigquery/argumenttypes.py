"""Function arguments of a type GoogleSQL has no signature for, where the argument is an
expression whose type the query text does not show at a glance (`LENGTH(DATE_TRUNC(d, MONTH))`,
`ABS(REGEXP_EXTRACT(s, r'\\d+'))`), and ROUND/TRUNC/CEIL/FLOOR of such an INT64 expression.

DuckDB's rewrites of these calls cast their argument to text, or coerce it, so the query
answered (10 for the LENGTH of a DATE) where BigQuery fails with `No matching signature for
function LENGTH for argument types: DATE`; and an inner call's rewrite dropped the type coltypes.py
had inferred for it, so `ROUND(DIV(-7, 2))` stayed INT64 (BigQuery: FLOAT64).

An argument's type is the one the text shows (`setoptypes.value_type`: literals, CASTs,
constructors), a column's inferred type (coltypes.py), or sqlglot's type of an expression all of
whose leaves have such a type (literals, CASTs, typed columns). Anything else (a column or query
parameter of unknown type, a bare NULL, a subquery, a user's function) leaves the call unchecked,
as before. The judgement is made before any rewrite replaces the calls.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all
from .coltypes import KINDS, known_type
from .setoptypes import NULL, NUMBERS, STRING_LITERAL, value_type

_TEXT = frozenset({"STRING", "BYTES", STRING_LITERAL, NULL})
_STRING = frozenset({"STRING", STRING_LITERAL, NULL})
# INTERVAL is left to DuckDB: whether each numeric function takes one was not measured
_NUMBER = NUMBERS | {NULL, "INTERVAL"}

# call -> (GoogleSQL name, its arguments' keys in GoogleSQL's order, the argument positions judged, the types taken)
_SIGNATURES: dict[type[exp.Expression], tuple[str, tuple[str, ...], tuple[int, ...], frozenset[str]]] = {
    exp.Length: ("LENGTH", ("this",), (0,), _TEXT),
    exp.Upper: ("UPPER", ("this",), (0,), _TEXT),
    exp.Lower: ("LOWER", ("this",), (0,), _TEXT),
    exp.Initcap: ("INITCAP", ("this", "expression"), (0,), _STRING),
    exp.Reverse: ("REVERSE", ("this",), (0,), _TEXT),
    exp.Substring: ("SUBSTR", ("this", "start", "length"), (0,), _TEXT),
    exp.StartsWith: ("STARTS_WITH", ("this", "expression"), (0,), _TEXT),
    exp.EndsWith: ("ENDS_WITH", ("this", "expression"), (0,), _TEXT),
    exp.Replace: ("REPLACE", ("this", "expression", "replacement"), (0,), _TEXT),
    exp.Left: ("LEFT", ("this", "expression"), (0,), _TEXT),
    exp.Right: ("RIGHT", ("this", "expression"), (0,), _TEXT),
    exp.Trim: ("TRIM", ("this", "expression"), (0,), _TEXT),
    exp.Pad: ("LPAD", ("this", "expression", "fill_pattern"), (0,), _TEXT),
    exp.Repeat: ("REPEAT", ("this", "times"), (0,), _TEXT),
    exp.Ascii: ("ASCII", ("this",), (0,), _TEXT),
    exp.Soundex: ("SOUNDEX", ("this",), (0,), _STRING),
    exp.RegexpLike: ("REGEXP_CONTAINS", ("this", "expression"), (0,), _TEXT),
    exp.RegexpExtract: ("REGEXP_EXTRACT", ("this", "expression", "position", "occurrence"), (0,), _TEXT),
    exp.RegexpReplace: ("REGEXP_REPLACE", ("this", "expression", "replacement"), (0,), _TEXT),
    # a STRING literal coerces to TIMESTAMP / DATE
    exp.UnixSeconds: ("UNIX_SECONDS", ("this",), (0,), frozenset({"TIMESTAMP", STRING_LITERAL, NULL})),
    exp.UnixMillis: ("UNIX_MILLIS", ("this",), (0,), frozenset({"TIMESTAMP", STRING_LITERAL, NULL})),
    exp.UnixMicros: ("UNIX_MICROS", ("this",), (0,), frozenset({"TIMESTAMP", STRING_LITERAL, NULL})),
    exp.UnixDate: ("UNIX_DATE", ("this",), (0,), frozenset({"DATE", STRING_LITERAL, NULL})),
    exp.JSONExtractScalar: ("JSON_VALUE", ("this",), (0,), frozenset({"STRING", "JSON", STRING_LITERAL, NULL})),
    exp.Div: ("/", ("this", "expression"), (0, 1), _NUMBER),
    exp.Abs: ("ABS", ("this",), (0,), _NUMBER),
    exp.Sign: ("SIGN", ("this",), (0,), _NUMBER),
    exp.Sqrt: ("SQRT", ("this",), (0,), _NUMBER),
    exp.Exp: ("EXP", ("this",), (0,), _NUMBER),
    exp.Ln: ("LN", ("this",), (0,), _NUMBER),
    exp.Round: ("ROUND", ("this", "decimals"), (0, 1), _NUMBER),
    exp.Trunc: ("TRUNC", ("this", "decimals"), (0, 1), _NUMBER),
    exp.Ceil: ("CEIL", ("this",), (0,), _NUMBER),
    exp.Floor: ("FLOOR", ("this",), (0,), _NUMBER),
    exp.Mod: ("MOD", ("this", "expression"), (0, 1), _NUMBER),
    exp.IntDiv: ("DIV", ("this", "expression"), (0, 1), _NUMBER),
    exp.SafeDivide: ("SAFE_DIVIDE", ("this", "expression"), (0, 1), _NUMBER),
    exp.Pow: ("POW", ("this", "expression"), (0, 1), _NUMBER),
}

# their (GoogleSQL-typed) answer does not depend on the types of the arguments sqlglot may mistype
_T = exp.DataType.Type
_OWN_FAMILY = {
    exp.DatetimeAdd: "DATETIME",
    exp.DatetimeSub: "DATETIME",
    exp.DatetimeTrunc: "DATETIME",
    exp.TimestampAdd: "TIMESTAMP",
    exp.TimestampSub: "TIMESTAMP",
    exp.TimestampTrunc: "TIMESTAMP",
}
_TYPED_LEAVES = (exp.Literal, exp.Boolean, exp.Var, exp.Identifier, exp.DataType, exp.DataTypeParam, exp.ByteString)


def _name(node: exp.Expression, name: str) -> str:
    if isinstance(node, exp.Pad):
        return "LPAD" if node.args.get("is_left") else "RPAD"
    written = node.meta.get("bigquery_name") if node._meta else None  # CHAR_LENGTH, JSON_EXTRACT_SCALAR
    if isinstance(written, str) and written.replace("_", "").isalpha():
        return written.upper()
    if isinstance(node, exp.Trim):
        return {"LEADING": "LTRIM", "TRAILING": "RTRIM"}.get(str(node.args.get("position") or "").upper(), "TRIM")
    return name


def _shown(kind: str) -> str:
    return "STRING" if kind == STRING_LITERAL else "INT64" if kind == NULL else kind


def argument_type(node: exp.Expression | None) -> tuple[str | None, bool]:
    """The GoogleSQL type of argument `node` (STRING_LITERAL and NULL for those literals) and
    whether the text shows it (False: inferred); (None, False) where it is not known."""
    if not isinstance(node, exp.Expression):
        return None, False
    if isinstance(node, exp.Cast | exp.TryCast) and isinstance(node.this, exp.Parameter | exp.Placeholder):
        kind = value_type(node)  # a STRING query parameter coerces as a literal does (stringparams.py)
        return (kind, True) if kind != "STRING" else (None, False)
    shown = value_type(node)
    if shown is not None:
        return shown, True
    kind = known_type(node)
    inner = node.unnest() if isinstance(node, exp.Paren) else node
    if kind is not None and isinstance(inner, exp.Add | exp.Sub) and kind not in NUMBERS:
        return None, False  # date arithmetic: DATE - DATE is an INTERVAL, which inference may call a DATE
    if kind is not None:
        return kind, False
    if isinstance(node, exp.Column | exp.Literal) or not _typed_leaves(node):
        return None, False
    return _annotated(node), False


def _typed_leaves(node: exp.Expression) -> bool:
    """Whether every value `node` is computed from has a type sqlglot can know: literals, CASTs
    (of anything but a parameter), columns coltypes.py typed."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, exp.Cast | exp.TryCast) and not n.args.get("format"):
            if isinstance(n.this, exp.Parameter | exp.Placeholder):
                return False
            continue
        if isinstance(n, exp.Column):
            if known_type(n) not in KINDS.values():
                return False
            continue
        if isinstance(n, exp.Null | exp.Parameter | exp.Placeholder | exp.Anonymous | exp.Query | exp.Subquery):
            return False
        if isinstance(n, exp.Star | exp.Window | exp.AggFunc):
            return False
        if isinstance(n, exp.Extract) and n.name.upper() in ("DATE", "TIME", "DATETIME"):
            return False  # sqlglot types EXTRACT(DATETIME FROM ts) INT64
        children = [c for c in n.iter_expressions()]
        if not children and not isinstance(n, _TYPED_LEAVES):
            return False
        stack += children
    return True


def _annotated(node: exp.Expression) -> str | None:
    """sqlglot's type of `node`, its typed columns given as typed NULLs."""
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.annotate_types import annotate_types

    from .coltypes import _kind, googlesql_typing

    copy = node.copy()
    for column in list(copy.find_all(exp.Column)):
        kind = known_type(column)
        typed = exp.cast(exp.null(), exp.DataType.build(kind or "STRING", dialect="bigquery"))
        if column is copy:
            return kind
        column.replace(typed)
    try:
        typed_copy = annotate_types(copy, expression_metadata=googlesql_typing(), dialect="bigquery")
    except (SqlglotError, KeyError, ValueError, TypeError, AttributeError, IndexError, AssertionError):
        return None
    for call in typed_copy.find_all(*_OWN_FAMILY):
        arg = call.this.type if isinstance(call.this, exp.Expression) else None
        if arg is None or _kind(arg) != _OWN_FAMILY[type(call)]:
            return None  # DATETIME_ADD of a DATE is DATE_ADD's (datefamily.py); sqlglot says DATETIME
    for arithmetic in typed_copy.find_all(exp.Add, exp.Sub):
        if arithmetic.type is None or _kind(arithmetic.type) not in NUMBERS:
            return None  # sqlglot types DATE - DATE a DATE (GoogleSQL: an INTERVAL)
    dtype = typed_copy.type
    if dtype is None or dtype.this == _T.UNKNOWN:
        return None
    if dtype.this == _T.BOOLEAN:
        return "BOOL"
    if dtype.this in (_T.ARRAY, _T.STRUCT):
        return dtype.sql("bigquery")
    return _kind(dtype)


def check_argument_types(stmt: exp.Expression) -> None:
    """Raise BigQuery's error for a call of `_SIGNATURES` whose judged argument has a known type
    the function does not take; give ROUND/TRUNC/CEIL/FLOOR of an INT64 expression a FLOAT64."""
    from .operandtypes import no_signature

    for node in reversed(find_all(stmt, *_SIGNATURES)):
        if isinstance(node, exp.Lower | exp.Upper) and isinstance(node.parent, exp.Contains):
            continue  # sqlglot's CONTAINS_SUBSTR(x, s): LOWER of each, which takes any type there
        name, keys, judged, takes = _SIGNATURES[type(node)]
        present = [node.args.get(k) for k in keys if node.args.get(k) is not None]
        kinds = [argument_type(a) for a in present]
        if isinstance(node, exp.JSONExtractScalar):
            kinds.append((STRING_LITERAL, True))  # the path, a JSONPath node by now
        bad = [i for i in judged if i < len(kinds) and kinds[i][0] is not None and kinds[i][0] not in takes]
        if bad and all(k is not None for k, _ in kinds):
            what = "operator" if isinstance(node, exp.Div) else "function"
            raise no_signature(what, _name(node, name), [_shown(k) for k, _ in kinds if k is not None])
        if isinstance(node, exp.Round | exp.Trunc | exp.Ceil | exp.Floor) and kinds:
            _float_rounding(node, *kinds[0])


def _float_rounding(node: exp.Expression, kind: str | None, shown: bool) -> None:
    """ROUND/TRUNC/CEIL/FLOOR of an INT64 is a FLOAT64 (DuckDB keeps the integer type): the
    argument is cast now, before an inner call's rewrite drops the type inferred for it."""
    arg = node.this
    if kind != "INT64" or isinstance(arg, exp.Literal):
        return  # an integer literal is cast by mathfuncs.rewrite_math_calls
    cast: exp.Expression = exp.cast(arg.copy(), "DOUBLE")
    if not shown:
        from .coltypes import checked_among
        from .mathfuncs import INTEGER_TYPEOF

        cast = checked_among(cast, arg.copy(), INTEGER_TYPEOF)
    node.set("this", cast)
