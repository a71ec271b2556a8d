"""JSON subscripts count from 0 in GoogleSQL and in DuckDB alike: `json.a[0]['b']` must reach
DuckDB unshifted, while sqlglot adds 1 to every bare array index it writes for DuckDB."""

from __future__ import annotations

from sqlglot import exp

from .census import find_all
from .coltypes import known_type


def _chain(node: exp.Bracket) -> list[exp.Bracket]:
    """The brackets of one subscript chain, outermost first (`x[0]['a'][1]`)."""
    while isinstance(node.parent, exp.Bracket) and node.parent.this is node:
        node = node.parent
    chain = []
    cur: exp.Expression = node
    while isinstance(cur, exp.Bracket):
        chain.append(cur)
        cur = cur.this
    return chain


def lift_json_literal_paths(stmt: exp.Expression) -> None:
    """`JSON '{...}'.a[0]` is parsed as the JSON of `'{...}'.a[0]`: make it the field and
    subscripts of the JSON literal."""
    for node in find_all(stmt, exp.ParseJSON):
        inner = node.this
        if not node.args.get("is_literal") or not isinstance(inner, (exp.Dot, exp.Bracket)):
            continue
        base = inner
        while isinstance(base.this, (exp.Dot, exp.Bracket)):
            base = base.this
        if not isinstance(base.this, exp.Literal):
            continue
        base.set("this", exp.paren(exp.ParseJSON(this=base.this, is_literal=True), copy=False))
        node.replace(inner)


def _index_by_type(bracket: exp.Bracket) -> None:
    """A bare index whose base's type is unknown (`json_col.a[0]`, `s.arr[0]`): counted from 0 on
    JSON and from 1 on a DuckDB list, chosen by DuckDB's `typeof` (folded when it binds)."""
    base = bracket.this
    indexes = []
    for index in bracket.expressions:
        is_json = exp.EQ(
            this=exp.Anonymous(this="typeof", expressions=[base.copy()]), expression=exp.Literal.string("JSON")
        )
        shifted = exp.Add(this=exp.paren(index.copy(), copy=False), expression=exp.Literal.number(1))
        indexes.append(exp.Case(ifs=[exp.If(this=is_json, true=_from_zero(index.copy()))], default=shifted))
    bracket.set("expressions", indexes)
    bracket.set("json_access", True)


def mark_json_subscripts(stmt: exp.Expression) -> None:
    """Keep the indexes of subscript chains on JSON values as written: a chain with a string key
    (only JSON takes one) or whose base is known to be JSON. A chain on a field reached with a dot
    whose type is unknown chooses by the type DuckDB sees."""
    seen: set[int] = set()
    for bracket in find_all(stmt, exp.Bracket):
        if id(bracket) in seen:
            continue
        chain = _chain(bracket)
        seen.update(id(b) for b in chain)
        keyed = any(
            isinstance(k, exp.Literal) and k.is_string
            for b in chain
            for k in b.expressions
            if b.args.get("offset") is None
        )
        if not keyed and known_type(chain[-1].this) != "JSON" and not _json_literal(chain[-1].this):
            if _is_field_access(chain[-1].this):
                for b in chain:
                    if b.args.get("offset") is None and len(b.expressions) == 1:
                        _index_by_type(b)
            continue
        for b in chain:
            if b.args.get("offset") is None:
                b.set("json_access", True)
                b.set("expressions", [_from_zero(k) for k in b.expressions])


def _from_zero(index: exp.Expression) -> exp.Expression:
    """A JSON subscript as GoogleSQL reads it: a negative index is out of range (NULL), where
    DuckDB's counts from the array's end (`JSON '[1, 2]'[-1]` was 2). A key (a STRING) is kept;
    the test of the type folds away when DuckDB binds."""
    if isinstance(index, exp.Literal) and (index.is_string or not index.name.startswith("-")):
        return index
    text = exp.cast(index.copy(), "VARCHAR")
    kept = exp.or_(
        exp.EQ(this=exp.Anonymous(this="typeof", expressions=[index.copy()]), expression=exp.Literal.string("VARCHAR")),
        exp.not_(exp.Anonymous(this="starts_with", expressions=[text, exp.Literal.string("-")])),
    )
    return exp.Case(ifs=[exp.If(this=kept, true=index)])


_JSON_RESULTS = (
    exp.JSONSet,
    exp.JSONRemove,
    exp.JSONStripNulls,
    exp.JSONArrayAppend,
    exp.JSONArrayInsert,
    exp.JSONObject,
    exp.JSONArray,
)


def _json_literal(node: exp.Expression) -> bool:
    """`JSON '...'` (in parentheses, as `lift_json_literal_paths` leaves it) or a call whose
    result is JSON by its form (`JSON_ARRAY_APPEND(...)[0]` was read as a list's subscript)."""
    while isinstance(node, exp.Paren):
        node = node.this
    return (isinstance(node, exp.ParseJSON) and bool(node.args.get("is_literal"))) or isinstance(node, _JSON_RESULTS)


def _is_field_access(node: exp.Expression) -> bool:
    """`a.b` (a column with a qualifier, which may be a field) or a `.field` of an expression, in
    parentheses or not, or a JSON_QUERY/JSON_EXTRACT (JSON of a JSON, STRING of a STRING):
    `(j.a)[1]` and `JSON_QUERY(j, '$.a')[1]` were read as a list's subscript, one too far (NULL)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, (exp.Dot, exp.JSONExtract)):
        return True
    return isinstance(node, exp.Column) and bool(node.table) and known_type(node) is None


def first_json_object_keys(stmt: exp.Expression) -> None:
    """`JSON_OBJECT('a', 1, 'a', 2)` is `{"a":1}` in GoogleSQL (the first pair of a repeated key
    is kept); DuckDB wrote both pairs. Keys written as string literals only."""
    for node in stmt.find_all(exp.JSONObject):
        seen: set[str] = set()
        kept = []
        for pair in node.expressions:
            key = pair.this if isinstance(pair, exp.JSONKeyValue) else None
            if isinstance(key, exp.Literal) and key.is_string:
                if key.this in seen:
                    continue
                seen.add(key.this)
            kept.append(pair)
        if len(kept) != len(node.expressions):
            node.set("expressions", kept)
