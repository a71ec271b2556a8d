"""REGEXP_EXTRACT_ALL's and REGEXP_EXTRACT's matches as GoogleSQL iterates them.

ZetaSQL (RegExp::ExtractAllIterator) stops once a match, or the character skipped after an empty
match, reaches the end of a non-empty input; DuckDB's regexp_extract_all searches once more there,
so a pattern that can match empty had one empty match too many (`REGEXP_EXTRACT_ALL('abc', '')`,
`'a*'` of `'baaa'`, the 4th occurrence of `REGEXP_EXTRACT('abc', 'x*', 1, 4)`). An unmatched
capturing group is an empty match in REGEXP_EXTRACT_ALL (DuckDB's NULL element) and NULL in
REGEXP_EXTRACT.

The extra match can only be an empty last one, so only such lists are checked again: the pattern
wrapped as `(?s:.*?)(pattern)` has, for each match, the text from the search's start to the match's
end, which gives where DuckDB's last search started (each search starts where the last match
ended, one character further after an empty match); it is extra where that is the end of the
input. DuckDB finds an empty match that follows a skipped text twice under the wrapped pattern
(once with the text, once without): a last pair of those is one match, not an extra.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_FIXED = (
    "CASE WHEN coalesce(list_extract(_L, -1), '') = '' AND length(_X) > 0 THEN "
    "CASE WHEN list_transform([[regexp_extract_all(_X, _Q), regexp_extract_all(_X, _Q, 1)]], w -> "
    "list_sum(list_transform(w[1], v -> greatest(length(v), 1))) = length(_X) + 1 AND w[1][len(w[1])] = '' "
    "AND NOT (len(w[1]) > 1 AND w[1][len(w[1]) - 1] <> '' AND w[2][len(w[1]) - 1] = ''))[1] "
    "THEN list_slice(_L, 1, len(_L) - 1) ELSE _L END ELSE _L END"
)


def _matches(text: exp.Expression, pattern: exp.Expression, group: exp.Expression | None) -> exp.Expression:
    """The list of GoogleSQL's matches (their `group`, 0 or 1) of `pattern` in `text`."""
    from .functions import _t

    duck = exp.RegexpExtractAll(this=text.copy(), expression=pattern.copy(), group=group or exp.Literal.number(0))
    wrapped = _t("'(?s:.*?)(' || _A || ')'", pattern)
    return _t(_FIXED.replace("_X", "_A").replace("_L", "_B").replace("_Q", "_C"), text, duck, wrapped)


def _has_group(group: exp.Expression | None) -> bool:
    return group is not None and not (group.is_int and group.to_py() == 0)


def _extract_all(node: exp.RegexpExtractAll) -> exp.Expression:
    from .functions import _t

    matches = _matches(node.this, node.expression, node.args.get("group"))
    if _has_group(node.args.get("group")):
        return _t("list_transform(_A, m -> coalesce(m, ''))", matches)
    return matches


def _positive(arg: exp.Expression | None, what: str) -> exp.Expression | None:
    """REGEXP_EXTRACT's position and occurrence count from 1: a smaller one is an error (so NULL
    under SAFE.); DuckDB's substring read position 0 or -1 as the text's start."""
    from .functions import _t

    if arg is None or (arg.is_int and arg.to_py() >= 1):
        return arg
    return _t(f"CASE WHEN _A < 1 THEN error('{what} must be positive') ELSE _A END", arg)


def _extract(node: exp.RegexpExtract) -> exp.Expression:
    """REGEXP_EXTRACT(value, regexp[, position[, occurrence]]): the occurrence-th match of the
    text from `position` on (NULL past the end), as sqlglot writes it but over `_matches`."""
    from .functions import _t

    text = node.this
    position = _positive(node.args.get("position"), "Position")
    if position is not None and (not position.is_int or position.to_py() > 1):
        text = exp.Nullif(
            this=exp.Substring(this=text.copy(), start=position.copy()), expression=exp.Literal.string("")
        )
    occurrence = _positive(node.args.get("occurrence"), "Occurrence") or exp.Literal.number(1)
    return _t("list_extract(_A, _B)", _matches(text, node.expression, node.args.get("group")), occurrence)


_TOO_MANY_GROUPS = "Regular expressions passed into extraction functions must not have more than 1 capturing group"


def _too_many_groups(pattern: exp.Expression) -> bool:
    """Whether a literal pattern has more than one capturing group (sqlglot would answer the
    whole match; BigQuery fails when the call runs, so SAFE. gives NULL)."""
    import re

    if (
        not isinstance(pattern, exp.Literal | exp.RawString)
        or isinstance(pattern, exp.Literal)
        and not pattern.is_string
    ):
        return False
    try:
        return re.compile(pattern.name).groups > 1
    except re.error:
        return False  # RE2 syntax Python's re lacks: DuckDB's RE2 judges the pattern


# the capturing groups of a pattern: its `(` and `(?P<`, past escapes, character classes and
# the other `(?` groups (RE2's syntax)
_GROUPS = (
    r"len(list_filter(regexp_extract_all(_A, '\\.|\[\^?\]?(?:\\.|[^\]])*\]|\(\?P<|\(\?|\(', 0), "
    r"lambda t: t = '(' OR t = '(?P<'))"
)


def _by_groups(node: exp.RegexpExtract | exp.RegexpExtractAll) -> exp.Expression:
    """A call with a pattern that is not a literal: the match of its capturing group where it has
    one (sqlglot, which counts the groups of a literal only, answered the whole match), the whole
    match where it has none, BigQuery's error where it has more (when the call runs)."""
    from .functions import _t

    rewrite = _extract_all if isinstance(node, exp.RegexpExtractAll) else _extract
    grouped = node.copy()
    grouped.set("group", exp.Literal.number(1))
    return _t(
        f"CASE WHEN {_GROUPS} > 1 THEN error('{_TOO_MANY_GROUPS}') WHEN {_GROUPS} = 1 THEN _B ELSE _C END",
        node.expression,
        rewrite(grouped),  # type: ignore[arg-type]
        rewrite(node),  # type: ignore[arg-type]
    )


def rewrite_regexp_matches(stmt: exp.Expression) -> None:
    """REGEXP_EXTRACT_ALL and REGEXP_EXTRACT of the query (not DuckDB's own calls in rewrites)."""
    for node in reversed(find_all(stmt, exp.RegexpExtractAll, exp.RegexpExtract)):
        if not node.meta.get("bigquery_name"):
            continue
        failing = _too_many_groups(node.expression)
        pattern = node.expression
        dynamic = not isinstance(pattern, exp.Literal | exp.RawString | exp.Null)
        if (
            dynamic
            and not _has_group(node.args.get("group"))
            and isinstance(node, exp.RegexpExtract | exp.RegexpExtractAll)
        ):
            new = _by_groups(node)
        elif isinstance(node, exp.RegexpExtractAll):
            new = _extract_all(node)
        elif isinstance(node, exp.RegexpExtract):
            new = _extract(node)
        else:
            continue
        if failing:
            error = exp.Anonymous(this="error", expressions=[exp.Literal.string(_TOO_MANY_GROUPS)])
            new = exp.Case(ifs=[exp.If(this=exp.true(), true=error)], default=new)
        node.replace(new)
