"""`x [NOT] LIKE {ANY | SOME | ALL} UNNEST(array)`: BigQuery's quantified LIKE over an array.

sqlglot writes `x LIKE UNNEST(array)` for DuckDB: a set-returning call in the select list, which
repeats the row once per pattern (and drops it for an empty array). And it parses ANY before
UNNEST but not SOME or ALL. The list form `LIKE ANY ('a%', 'b')`, and an array written in the
query, become the ORs (ANDs for ALL) of their LIKEs, which have BigQuery's NULLs; an array from
elsewhere becomes one list expression.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokens import TokenType

from .census import find_all

_ALL_MARK = "LQ_ALL"
"""What `ALL UNNEST(` becomes before parsing (`ANY LQ_ALL(`), of UNNEST's length, so that the
positions in a syntax error stay the user's."""

# BigQuery: an empty (or NULL) array gives FALSE for ANY and TRUE for ALL, even for a NULL value;
# otherwise ANY is TRUE if some pattern matches, NULL if none does and some comparison is NULL
# (and ALL the converse). `_R` is the list of the comparisons, computed once.
_ANY = (
    "CASE WHEN coalesce(len(_R), 0) = 0 THEN FALSE WHEN list_bool_or(_R) THEN TRUE "
    "WHEN list_count(_R) < len(_R) THEN NULL ELSE FALSE END"
)
_ALL = (
    "CASE WHEN coalesce(len(_R), 0) = 0 THEN TRUE WHEN NOT list_bool_and(_R) THEN FALSE "
    "WHEN list_count(_R) < len(_R) THEN NULL ELSE TRUE END"
)


def protect(sql: str) -> str:
    """`sql` with `LIKE SOME UNNEST(` and `LIKE ALL UNNEST(` spelled so that sqlglot parses them."""
    upper = sql.upper()
    if "UNNEST" not in upper or ("SOME" not in upper and "ALL" not in upper):
        return sql
    from sqlglot.dialects.bigquery import BigQuery
    from sqlglot.errors import TokenError

    try:
        tokens = BigQuery().tokenize(sql)
    except TokenError:
        return sql  # the parser reports the problem
    edits: list[tuple[int, int, str]] = []
    for like, word, unnest in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if like.token_type != TokenType.LIKE or unnest.token_type != TokenType.UNNEST:
            continue
        if word.token_type == TokenType.SOME:
            edits.append((word.start, word.end, "ANY "))
        elif word.token_type == TokenType.ALL:
            edits.append((word.start, word.end, "ANY"))
            edits.append((unnest.start, unnest.end, _ALL_MARK))
    for start, end, text in reversed(edits):
        sql = f"{sql[:start]}{text}{sql[end + 1 :]}"
    return sql


def _is_scalar_subquery(node: exp.Expression) -> bool:
    return isinstance(node, exp.Subquery) and isinstance(node.this, exp.Subquery)


def _is_pattern_subquery(node: exp.Expression) -> bool:
    """`LIKE ANY (SELECT ...)`: ZetaSQL's LIKE_ANY_SOME_ALL_SUBQUERY form, which BigQuery does not
    document (its patterns are a list or UNNEST of an array); `((SELECT ...))` is a list of one."""
    inner = node.this if isinstance(node, exp.Subquery) else node
    return isinstance(inner, exp.Query) and not isinstance(inner, exp.Subquery)


def rewrite_quantified_likes(stmt: exp.Expression) -> None:
    """Each `x [NOT] LIKE ANY/ALL UNNEST(array)` in `stmt` as one BOOL with BigQuery's answer."""
    from .functions import _t

    for node in reversed(find_all(stmt, exp.Like)):
        quantifier = node.expression
        if isinstance(quantifier, (exp.Any, exp.All)) and _is_pattern_subquery(quantifier.this):
            from .googlesql import BigQueryError

            word = "ALL" if isinstance(quantifier, exp.All) else "ANY"
            raise BigQueryError(
                "The LIKE ANY|SOME|ALL operator does not support subquery expression as patterns. Patterns "
                f"must be string or bytes; did you mean LIKE {word} (pattern1, pattern2, ...)?",
                fix=f"write the patterns as LIKE {word} UNNEST(ARRAY(SELECT ...))",
            )
        if isinstance(quantifier, (exp.Any, exp.All)) and _is_scalar_subquery(quantifier.this):
            # `LIKE ANY ((SELECT ...))`: a list of one pattern (sqlglot wrote `LIKE SELECT ...`)
            node.set("expression", quantifier.this.this)
            continue
        if isinstance(quantifier, (exp.Any, exp.All)) and isinstance(quantifier.this, (exp.Tuple, exp.Paren)):
            # the list form, written out here (sqlglot does so only when it writes the SQL) so that
            # the later rewrites see each LIKE (a BYTES pattern's, the backslash escape)
            items = quantifier.this.expressions if isinstance(quantifier.this, exp.Tuple) else [quantifier.this.this]
            every = isinstance(quantifier, exp.All)
            node.replace(_written_out(node.this, items, every=every, negate=bool(node.args.get("negate"))))
            continue
        if not isinstance(quantifier, exp.Any):
            continue
        source = quantifier.this
        if isinstance(source, exp.Unnest) and len(source.expressions) == 1:
            every = False
        elif isinstance(source, exp.Anonymous) and source.name.upper() == _ALL_MARK and len(source.expressions) == 1:
            every = True
        else:
            continue
        array = source.expressions[0]
        if isinstance(array, (exp.Literal, exp.Boolean)):
            from .googlesql import BigQueryError

            raise BigQueryError(
                f"Values referenced in UNNEST must be arrays. UNNEST contains expression {array.sql('bigquery')}",
                fix="give LIKE ANY/ALL UNNEST an ARRAY of patterns",
            )
        if isinstance(array, exp.Array) and not any(isinstance(e, exp.Query) for e in array.expressions):
            node.replace(_written_out(node.this, array.expressions, every=every, negate=bool(node.args.get("negate"))))
            continue
        test = "NOT (_A LIKE __llmops_pattern)" if node.args.get("negate") else "_A LIKE __llmops_pattern"
        comparisons = _t(f"list_transform(_B, lambda __llmops_pattern: {test})", node.this, source.expressions[0])
        answer = (_ALL if every else _ANY).replace("_R", "__llmops_results")
        node.replace(_t(f"list_extract(list_transform([_A], lambda __llmops_results: {answer}), 1)", comparisons))


def _written_out(value: exp.Expr, patterns: list[exp.Expr], *, every: bool, negate: bool) -> exp.Expr:
    """An array written in the query as the ORs (ANDs for ALL) of its LIKEs, which have BigQuery's
    NULLs; as fast as the LIKEs themselves, about twice as fast as the list form
    (`bench_googlesql_differences.py`)."""
    if not patterns:
        return exp.true() if every else exp.false()
    likes: list[exp.Expr] = []
    for pattern in patterns:
        like: exp.Expr = exp.Like(this=value.copy(), expression=pattern.copy())
        likes.append(exp.Not(this=exp.paren(like, copy=False)) if negate else like)
    return exp.paren(exp.and_(*likes) if every else exp.or_(*likes), copy=False)
