"""Set operations whose inputs' columns have no common type fail as BigQuery's do.

GoogleSQL's set operators combine columns of a common supertype ("Conversion rules":
INT64, NUMERIC, BIGNUMERIC and FLOAT64 meet; DATE coerces to DATETIME; a STRING literal coerces to DATE, DATETIME, TIME
and TIMESTAMP; NULL meets any type); other pairs are an error, `Column 1 in UNION ALL has
incompatible types: INT64, STRING`. DuckDB unifies them (`SELECT 1 UNION ALL SELECT 'a'`
answered two STRING rows, `[1] UNION ALL ['a']` two string arrays).

Only the types the query text shows are judged: literals, typed literals and CASTs, array
literals of them, a nested set operation of them. A column whose type the text does not show
(a table's column, a function call) leaves its column unchecked, as before, so a valid query
never starts failing.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all
from .coltypes import KINDS

NUMBERS = frozenset({"INT64", "NUMERIC", "BIGNUMERIC", "FLOAT64"})
STRING_LITERAL = "STRING literal"
"""A STRING literal's type: STRING, which coerces to the types of `TEXT_COERCED`."""
TEXT_COERCED = frozenset({"DATE", "DATETIME", "TIME", "TIMESTAMP", "STRING"})
NULL = "NULL"

_T = exp.DataType.Type
_CAST_KINDS = {**KINDS, _T.BOOLEAN: "BOOL"}

_CONSTRUCTORS: tuple[tuple[tuple[type[exp.Expression], ...], str], ...] = (
    ((exp.TsOrDsToDatetime, exp.Datetime, exp.TimestampFromParts), "DATETIME"),
    ((exp.Timestamp,), "TIMESTAMP"),
    ((exp.Date, exp.DateFromParts), "DATE"),
    ((exp.TimeFromParts,), "TIME"),
)
"""The calls whose name is their type in GoogleSQL (DATETIME(...) is a DATETIME whatever its
arguments), as sqlglot reads them in BigQuery text."""


def check_set_operation_types(stmt: exp.Expression) -> None:
    """Raise BigQuery's error for a set operation whose column types the text shows to clash."""
    for op in find_all(stmt, exp.SetOperation):
        if not _same_operation(op.parent, op):
            _column_types(op)


def _word(op: exp.SetOperation) -> str:
    kind = {exp.Union: "UNION", exp.Intersect: "INTERSECT", exp.Except: "EXCEPT"}.get(type(op), "UNION")
    return f"{kind} {'DISTINCT' if op.args.get('distinct') else 'ALL'}"


def _same_operation(parent: exp.Expr | None, op: exp.SetOperation) -> bool:
    return isinstance(parent, exp.SetOperation) and _word(parent) == _word(op)


def _inputs(op: exp.Expression) -> list[exp.Expression]:
    """The inputs of one operation: `a UNION ALL b UNION ALL c` has three."""
    out: list[exp.Expression] = []
    for side in (op.this, op.expression):
        if isinstance(side, exp.SetOperation) and _same_operation(op, side):
            out += _inputs(side)
        else:
            out.append(side)
    return out


def _column_types(node: exp.Expression | None) -> list[str | None] | None:
    """The types of the columns of a query the text shows (None where it does not); raises for
    a set operation whose shown types clash."""
    if isinstance(node, exp.Subquery):
        return _column_types(node.this)
    if isinstance(node, exp.Select):
        if node.args.get("kind") or any(isinstance(e, exp.Star) or e.find(exp.Star) for e in node.expressions):
            return None
        return [value_type(e) for e in node.expressions]
    if not isinstance(node, exp.SetOperation) or node.args.get("by_name"):
        return None
    inputs = [_column_types(i) for i in _inputs(node)]
    if any(i is None for i in inputs) or len({len(i) for i in inputs if i is not None}) != 1:
        return None
    out: list[str | None] = []
    for position, kinds in enumerate(zip(*[i for i in inputs if i is not None], strict=True), start=1):
        if any(k is None for k in kinds):
            out.append(None)
            continue
        known = [k for k in kinds if k is not None]
        common = supertype(known)
        if common is False:
            from .googlesql import BigQueryError

            shown = ", ".join(_shown(k) for k in known)
            raise BigQueryError(f"Column {position} in {_word(node)} has incompatible types: {shown}")
        out.append(common if isinstance(common, str) else None)
    return out


def _shown(kind: str) -> str:
    return kind.replace(STRING_LITERAL, "STRING").replace(NULL, "INT64")


def value_type(node: exp.Expression) -> str | None:
    """The type of `node` as the query text shows it (a literal, a CAST, a DATE, DATETIME,
    TIMESTAMP or TIME constructor call, an array literal of them), None where it does not."""
    if isinstance(node, exp.Alias | exp.Paren):
        return value_type(node.this)
    if isinstance(node, exp.Null):
        return NULL
    if isinstance(node, exp.Boolean):
        return "BOOL"
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return value_type(node.this)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return STRING_LITERAL
        text = node.this.lower()
        if text.isdigit():
            return "INT64" if int(text) < 2**63 else None
        return "FLOAT64" if text.replace(".", "", 1).replace("e", "", 1).replace("-", "", 1).isdigit() else None
    for calls, kind in _CONSTRUCTORS:
        if isinstance(node, calls):
            return kind
    if isinstance(node, exp.Cast | exp.TryCast) and not node.args.get("format"):
        return _CAST_KINDS.get(node.to.this) if not node.to.expressions else None
    if isinstance(node, exp.Array) and node.expressions and not isinstance(node.expressions[0], exp.Query):
        kinds = [value_type(e) for e in node.expressions]
        if any(k is None for k in kinds):
            return None
        common = supertype([k for k in kinds if k is not None])
        if not isinstance(common, str) or common == NULL:
            return None
        return f"ARRAY<{common}>"
    return None


def supertype(kinds: list[str]) -> str | bool | None:
    """The common type of `kinds`; False where they certainly have none; None where this cannot
    tell (types it does not model)."""
    kinds = [k for k in kinds if k != NULL]
    if not kinds:
        return NULL
    literal = STRING_LITERAL in kinds
    others = sorted({k for k in kinds if k != STRING_LITERAL})
    if not others:
        return STRING_LITERAL
    if all(k in NUMBERS for k in others):
        if literal:
            return False
        for k in ("FLOAT64", "BIGNUMERIC", "NUMERIC", "INT64"):
            if k in others:
                return k
    if others == ["DATE", "DATETIME"]:  # DATE coerces to DATETIME
        return False if literal else "DATETIME"
    arrays = [k for k in others if k.startswith("ARRAY<")]
    if arrays:
        if len(arrays) != len(others) or literal:
            return False if all(_modelled(k) for k in others) else None
        elements = supertype([k[len("ARRAY<") : -1] for k in arrays])
        return f"ARRAY<{elements}>" if isinstance(elements, str) else elements
    if len(others) == 1:
        if literal and others[0] not in TEXT_COERCED:
            return False if _modelled(others[0]) else None
        return others[0]
    return False if all(_modelled(k) for k in others) else None


def _modelled(kind: str) -> bool:
    return kind in NUMBERS or kind in TEXT_COERCED or kind in ("BOOL", "BYTES") or kind.startswith("ARRAY<")
