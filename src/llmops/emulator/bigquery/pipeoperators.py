"""Pipe operators sqlglot reads wrongly or not at all, written as ones it reads:

- `|> AGGREGATE ... GROUP AND ORDER BY a, b DESC` orders by every grouping item, ascending unless
  the item says otherwise; sqlglot kept only the items with a suffix (`ORDER BY b DESC`), so the
  rows came back in the wrong order. It is written `GROUP BY a ASC, b DESC`, the same ordering.
- `|> DROP a, b` is `|> SELECT * EXCEPT (a, b)`;
- `|> SET a = e` is `|> SELECT * REPLACE (e AS a)` (the column keeps its place);
- a named window of `|> SELECT` or `|> EXTEND` (`|> SELECT SUM(x) OVER w WINDOW w AS (...)`) is
  written into each `OVER w` and `OVER (w ...)`: sqlglot dropped the WINDOW clause or moved it to
  the outer query ("window w does not exist");
- a pipe query on the right of a pipe set operation (`|> EXCEPT DISTINCT (SELECT ... |> EXCEPT
  DISTINCT (...))`) keeps its parentheses: sqlglot wrote its WITH clause bare after EXCEPT, a
  DuckDB syntax error; so does a set operation there (`|> INTERSECT DISTINCT (a UNION ALL b)`):
  written bare, DuckDB read it as `(... INTERSECT a) UNION ALL b`, silently other rows;
- a standard query before the first `|>` (`SELECT x * 10 AS x FROM t ORDER BY x LIMIT 2 |> WHERE
  x > 1`) is read as a subquery: sqlglot added the pipe's WHERE, ORDER BY, DISTINCT or AGGREGATE
  to that SELECT, so they ran before its LIMIT, GROUP BY, DISTINCT or SELECT list (the columns of
  the FROM clause, not the query's) and answered other rows;
- `|> SELECT DISTINCT ...` is `|> SELECT ... |> DISTINCT` (sqlglot dropped the DISTINCT), and an
  operator after `|> DISTINCT` reads the distinct rows (a new query level, `|> SELECT *`, between
  them: sqlglot ran a later AGGREGATE or window function before the DISTINCT);
- `|> LIMIT n [OFFSET m]` is its own query level: sqlglot merged it into the query before (a
  second LIMIT took the smaller count and added the offsets, a later WHERE or ORDER BY ran before
  it) and failed in Python on a count that is not a literal (`@n`, `1 + 1`, NULL) or after a
  SELECT with a FROM clause. It is written `|> WHERE __PIPE_LIMIT__(n, m)` (and `|> SELECT *`
  when an operator follows), which `apply_pipe_markers` makes the LIMIT and OFFSET of that query;
- `|> PIVOT` / `|> UNPIVOT` start a new query level: sqlglot set them on the FROM table of the
  query before, so they ran before its WHERE (`Unrecognized name`) and were dropped after `|> AS`;
- `|> WITH a AS (...)` joins the WITH clause of its query (unless a name it defines is read
  before it, or is RECURSIVE: refused by name as before);
- `|> WHERE` over a window function (`|> WHERE RANK() OVER (ORDER BY x) = 1`, what QUALIFY does in
  standard syntax) is written `|> WHERE __PIPE_QUALIFY__(...)`, which becomes that query's QUALIFY
  (DuckDB refuses a window function in WHERE);
- a query sqlglot cannot read because of a pipe operator the local warehouse does not run
  (`|> RENAME`, `|> WITH`, `|> AS` where sqlglot lacks it, ...) is refused by name instead of
  failing as a syntax error.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

_OPENS = (TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE)
_CLOSES = (TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE)
# a new query level: sqlglot writes the query so far as a CTE (`|> AS name` would too, but a PIVOT
# after it is dropped: sqlglot sets it on the CTE's alias, which is not generated)
_NEW_LEVEL = " |> SELECT *"
_LIMIT_MARK = "__PIPE_LIMIT__"
_QUALIFY_MARK = "__PIPE_QUALIFY__"
_DIRECTIONS = {"ASC", "DESC", "FIRST", "LAST"}  # the last word of an item that names its order
# pipe operators of GoogleSQL the local warehouse does not run, by their first word
_REFUSED = {
    "RENAME": "|> RENAME",
    "AS": "|> AS",
    "WITH": "|> WITH",  # where it cannot join the query's WITH clause
    "RECURSIVE": "|> RECURSIVE UNION",
    "WINDOW": "|> WINDOW",
    "MATCH_RECOGNIZE": "|> MATCH_RECOGNIZE",
    "DESCRIBE": "|> DESCRIBE",
    "IF": "|> IF",
    "FORK": "|> FORK",
    "TEE": "|> TEE",
    "ASSERT": "|> ASSERT",
    "LOG": "|> LOG",
}


def rewrite_pipe_operators(sql: str) -> str:
    """`sql` with the operators above written as sqlglot reads them; unchanged without `|>`."""
    if "|>" not in sql:
        return sql
    from sqlglot.dialects.bigquery import BigQuery
    from sqlglot.errors import TokenError

    try:
        tokens = BigQuery().tokenize(sql)
        for _ in range(sql.count("|>")):
            hoisted = _hoist_with(sql, tokens)
            if hoisted is None:
                break
            sql = hoisted
            tokens = BigQuery().tokenize(sql)
    except TokenError:
        return sql  # the parser reports the problem
    edits: list[tuple[int, int, str]] = _standard_queries(tokens)  # (start, end inclusive, replacement)
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.token_type == TokenType.PIPE_GT and nxt is not None:
            word = nxt.text.upper()
            if word == "LIMIT":
                edits.append(_limit(sql, tokens, i))
            elif word == "WHERE":
                edits.extend(_windowed_where(sql, tokens, i))
            elif word == "DISTINCT":
                edits.extend(_distinct(tokens, i))
            elif word in ("PIVOT", "UNPIVOT"):
                # sqlglot sets it on the query's FROM table, before that query's WHERE or LIMIT
                edits.append((tok.start, tok.start - 1, _NEW_LEVEL[1:] + " "))
            elif word in ("DROP", "SET"):
                items = _items(tokens, i + 2)
                if items:
                    edits.append(_drop_or_set(sql, word, items, tok, nxt))
            elif word in ("SELECT", "EXTEND"):
                edits.extend(_named_windows(sql, tokens, i + 2))
                if word == "SELECT":
                    edits.extend(_select_distinct(tokens, i))
        elif _is_group_and_order(tokens, i):
            edits.extend(_group_and_order(sql, tokens, i))
    for start, end, text in sorted(edits, reverse=True):
        sql = f"{sql[:start]}{text}{sql[end + 1 :]}"
    return sql


def apply_pipe_markers(tree: exp.Expr) -> None:
    """Make each `__PIPE_LIMIT__(n, m)` / `__PIPE_QUALIFY__(c)` condition that
    `rewrite_pipe_operators` wrote the LIMIT and OFFSET / QUALIFY of its query."""
    for select in list(tree.find_all(exp.Select)):
        where = select.args.get("where")
        if where is None:
            continue
        conds = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
        last = conds[-1]
        name = last.name.upper() if isinstance(last, exp.Anonymous) else ""
        if name not in (_LIMIT_MARK, _QUALIFY_MARK):
            continue
        rest = conds[:-1]
        select.set("where", exp.Where(this=exp.and_(*rest)) if rest else None)
        args = last.expressions
        if name == _LIMIT_MARK:
            select.set("limit", exp.Limit(expression=args[0]))
            if len(args) > 1:
                select.set("offset", exp.Offset(expression=args[1]))
        elif _has_window(args[0]):
            select.set("qualify", exp.Qualify(this=args[0]))
        else:  # its OVER was a subquery's
            select.set("where", exp.Where(this=exp.and_(*rest, args[0])))


def _has_window(cond: exp.Expr) -> bool:
    """Whether `cond` calls a window function outside its subqueries."""
    for window in cond.find_all(exp.Window):
        node = window.parent
        while node is not None and node is not cond and not isinstance(node, exp.Query | exp.Subquery):
            node = node.parent
        if node is cond or node is None:
            return True
    return False


def parenthesize_set_operands(tree: exp.Expr) -> None:
    """Wrap each operand of a set operation that carries its own WITH clause, and a set operation
    on the right of another, in parentheses."""
    for node in list(tree.find_all(exp.SetOperation)):
        for key in ("this", "expression"):
            operand = node.args.get(key)
            if not isinstance(operand, exp.Query) or isinstance(operand, exp.Subquery):
                continue
            if operand.args.get("with_") or (key == "expression" and isinstance(operand, exp.SetOperation)):
                operand.replace(exp.Subquery(this=operand.copy()))


def refuse_pipe_operators(sql: str) -> None:
    """Raise the named refusal for the first pipe operator of `sql` (which did not parse) that the
    local warehouse does not run."""
    if "|>" not in sql:
        return
    from sqlglot.dialects.bigquery import BigQuery
    from sqlglot.errors import TokenError

    try:
        tokens = BigQuery().tokenize(sql)
    except TokenError:
        return
    words = [nxt.text.upper() for tok, nxt in zip(tokens, tokens[1:]) if tok.token_type == TokenType.PIPE_GT]
    # `|> AS` is read in some places, so another operator is the likelier reason
    refused = [w for w in words if w in _REFUSED and w != "AS"] or [w for w in words if w == "AS"]
    if refused:
        from .googlesql import _unsupported

        raise _unsupported(f"the pipe operator {_REFUSED[refused[0]]}")


def _items(tokens: list[Token], start: int) -> list[list[Token]]:
    """The comma-separated items from `start` to the end of the operator (the next `|>`, `;`, or
    the bracket that closes the enclosing one)."""
    items: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens[start:]:
        kind = tok.token_type
        if depth == 0 and (kind in (TokenType.PIPE_GT, TokenType.SEMICOLON) or kind in _CLOSES):
            break
        if kind in _OPENS:
            depth += 1
        elif kind in _CLOSES:
            depth -= 1
        if depth == 0 and kind == TokenType.COMMA:
            items.append([])
        else:
            items[-1].append(tok)
    return [item for item in items if item]


def _text(sql: str, item: list[Token]) -> str:
    return sql[item[0].start : item[-1].end + 1]


def _drop_or_set(sql: str, word: str, items: list[list[Token]], pipe: Token, op: Token) -> tuple[int, int, str]:
    end = items[-1][-1].end
    if word == "DROP":
        return op.start, end, f"SELECT * EXCEPT ({', '.join(_text(sql, item) for item in items)})"
    replaced = []
    for item in items:
        eq = next((k for k, t in enumerate(item) if t.token_type == TokenType.EQ), None)
        if eq is None or eq == 0 or eq == len(item) - 1:
            return pipe.start, pipe.end, "|>"  # not `name = value`: the parser reports it
        replaced.append(f"{_text(sql, item[eq + 1 :])} AS {_text(sql, item[:eq])}")
    return op.start, end, f"SELECT * REPLACE ({', '.join(replaced)})"


def _operator_end(tokens: list[Token], start: int) -> int:
    """The index after the last token of the pipe operator whose arguments begin at `start`."""
    depth = 0
    for k in range(start, len(tokens)):
        kind = tokens[k].token_type
        if depth == 0 and (kind in (TokenType.PIPE_GT, TokenType.SEMICOLON) or kind in _CLOSES):
            return k
        if kind in _OPENS:
            depth += 1
        elif kind in _CLOSES:
            depth -= 1
    return len(tokens)


def _named_windows(sql: str, tokens: list[Token], start: int) -> list[tuple[int, int, str]]:
    end = _operator_end(tokens, start)
    depth, window = 0, None
    for k in range(start, end):
        kind = tokens[k].token_type
        depth += kind in _OPENS
        depth -= kind in _CLOSES
        if depth == 0 and kind == TokenType.WINDOW:
            window = k
            break
    if window is None:
        return []
    specs: dict[str, str] = {}
    for item in _items(tokens, window + 1):
        if len(item) < 4 or item[1].token_type != TokenType.ALIAS or item[2].token_type != TokenType.L_PAREN:
            return []  # not `name AS (...)`: the parser reports it
        specs[item[0].text.lower()] = _text(sql, item[2:])
    edits = [(tokens[window - 1].end + 1, tokens[end - 1].end, "")]
    for k in range(start, window - 1):
        name = tokens[k + 1]
        if tokens[k].token_type != TokenType.OVER:
            continue
        if name.text.lower() in specs:
            edits.append((name.start, name.end, specs[name.text.lower()]))
        elif name.token_type == TokenType.L_PAREN and k + 2 < window and tokens[k + 2].text.lower() in specs:
            # `OVER (w)`, `OVER (w ROWS ...)`: the window's own text inside the parentheses
            named = tokens[k + 2]
            edits.append((named.start, named.end, specs[named.text.lower()][1:-1]))
    return edits


def _hoist_with(sql: str, tokens: list[Token]) -> str | None:
    """`sql` with its first `|> WITH a AS (...), ...` moved into the WITH clause of the query it is
    part of (the CTEs it defines are seen by the operators after it only, which is the same
    unless a name it defines is read before it: then None, as when there is none)."""
    starts = [0]  # per bracket: the index of its first token
    for i, tok in enumerate(tokens):
        kind = tok.token_type
        if kind in _OPENS:
            starts.append(i + 1)
        elif kind in _CLOSES:
            if len(starts) > 1:
                starts.pop()
        elif kind == TokenType.SEMICOLON and len(starts) == 1:
            starts[0] = i + 1
        elif kind == TokenType.PIPE_GT and i + 1 < len(tokens) and tokens[i + 1].token_type == TokenType.WITH:
            return _hoisted(sql, tokens, starts[-1], i)
    return None


def _hoisted(sql: str, tokens: list[Token], start: int, pipe: int) -> str | None:
    end = _operator_end(tokens, pipe + 2)
    items = _items(tokens, pipe + 2)  # a trailing comma leaves no item
    first = tokens[start]
    if not items or first.token_type not in (TokenType.SELECT, TokenType.FROM, TokenType.WITH, TokenType.L_PAREN):
        return None
    names = {item[0].text.lower() for item in items}
    if any(item[0].token_type == TokenType.RECURSIVE for item in items) or any(
        t.text.lower() in names for t in tokens[start:pipe]
    ):
        return None
    ctes = ", ".join(_text(sql, item) for item in items)
    removed = f"{sql[: tokens[pipe].start]}{sql[tokens[end - 1].end + 1 :]}"
    if first.token_type != TokenType.WITH:
        return f"{removed[: first.start]}WITH {ctes} {removed[first.start :]}"
    depth = 0
    for k in range(start + 1, pipe):  # the end of the query's own WITH list
        kind = tokens[k].token_type
        depth += kind in _OPENS
        depth -= kind in _CLOSES
        if (
            depth == 0
            and kind in (TokenType.SELECT, TokenType.FROM, TokenType.L_PAREN)
            and tokens[k - 1].token_type == TokenType.R_PAREN
        ):
            at = tokens[k - 1].end + 1
            return f"{removed[:at]}, {ctes}{removed[at:]}"
    return None


def _standard_queries(tokens: list[Token]) -> list[tuple[int, int, str]]:
    """Edits that read each standard query a `|>` follows (`SELECT ... |>`, `(SELECT ...) UNION ALL
    SELECT ... |>`) as `SELECT * FROM (...) |>`."""
    edits: list[tuple[int, int, str]] = []
    # per bracket: [where its query starts (a SELECT, or the bracket opening its first operand), piped,
    # the position of its first token when that is a bracket, whether no token was read yet]
    frames: list[list[Any]] = [[None, False, None, True]]
    for tok in tokens:
        kind = tok.token_type
        frame = frames[-1]
        if frame[3]:
            frame[3] = False
            if kind == TokenType.L_PAREN:
                frame[2] = tok.start
        if kind in _OPENS:
            frames.append([None, False, None, True])
        elif kind in _CLOSES:
            if len(frames) > 1:
                frames.pop()
        elif kind == TokenType.SEMICOLON and len(frames) == 1:
            frames[0] = [None, False, None, True]
        elif frame[1]:
            continue
        elif kind == TokenType.FROM and frame[0] is None:
            frame[1] = True  # a query that starts with FROM: its operators apply to it
        elif kind == TokenType.SELECT and frame[0] is None:
            frame[0] = tok.start if frame[2] is None else frame[2]
        elif kind == TokenType.PIPE_GT:
            frame[1] = True
            if frame[0] is not None:
                edits.append((frame[0], frame[0] - 1, "SELECT * FROM ("))
                edits.append((tok.start, tok.start - 1, ") "))
    return edits


def _limit(sql: str, tokens: list[Token], pipe: int) -> tuple[int, int, str]:
    end = _operator_end(tokens, pipe + 2)
    offset = next((k for k in range(pipe + 2, end) if tokens[k].token_type == TokenType.OFFSET), end)
    count, skip = tokens[pipe + 2 : offset], tokens[offset + 1 : end]
    if not count or (len(count) == 1 and count[0].token_type == TokenType.ALL):
        from .googlesql import BigQueryError

        raise BigQueryError(
            "Syntax error: Unexpected keyword ALL" if count else "Syntax error: Unexpected end of LIMIT",
            fix="give LIMIT a count",
        )
    args = _text(sql, count) + (f", {_text(sql, skip)}" if skip else "")
    text = f"|> WHERE {_LIMIT_MARK}({args})"
    if end < len(tokens) and tokens[end].token_type == TokenType.PIPE_GT:
        text += _NEW_LEVEL
    return tokens[pipe].start, tokens[end - 1].end, text


def _distinct(tokens: list[Token], pipe: int) -> list[tuple[int, int, str]]:
    after = pipe + 2
    if after < len(tokens) and tokens[after].token_type == TokenType.PIPE_GT:
        return [(tokens[pipe + 1].end + 1, tokens[pipe + 1].end, _NEW_LEVEL)]
    return []


def _select_distinct(tokens: list[Token], pipe: int) -> list[tuple[int, int, str]]:
    word = pipe + 2
    if word >= len(tokens) or tokens[word].token_type != TokenType.DISTINCT:
        return []
    end = _operator_end(tokens, word + 1)
    text = " |> DISTINCT"
    if end < len(tokens) and tokens[end].token_type == TokenType.PIPE_GT:
        text += _NEW_LEVEL
    last = tokens[end - 1].end
    return [(tokens[word].start, tokens[word].end, ""), (last + 1, last, text)]


def _windowed_where(sql: str, tokens: list[Token], pipe: int) -> list[tuple[int, int, str]]:
    end = _operator_end(tokens, pipe + 2)
    if not any(tokens[k].token_type == TokenType.OVER for k in range(pipe + 2, end)):
        return []
    text = f"|> WHERE {_QUALIFY_MARK}({_text(sql, tokens[pipe + 2 : end])})"
    if end < len(tokens) and tokens[end].token_type == TokenType.PIPE_GT:
        text += _NEW_LEVEL
    return [(tokens[pipe].start, tokens[end - 1].end, text)]


def _is_group_and_order(tokens: list[Token], i: int) -> bool:
    return (
        tokens[i].text.upper() == "GROUP"
        and i + 2 < len(tokens)
        and tokens[i + 1].token_type == TokenType.AND
        and tokens[i + 2].token_type == TokenType.ORDER_BY
    )


def _group_and_order(sql: str, tokens: list[Token], i: int) -> list[tuple[int, int, str]]:
    edits = [(tokens[i].start, tokens[i + 2].end, "GROUP BY")]
    for item in _items(tokens, i + 3):
        if item[-1].text.upper() not in _DIRECTIONS:
            edits.append((item[-1].end + 1, item[-1].end, " ASC"))
    return edits
