"""Pipe operators sqlglot reads wrongly or not at all, written as ones it reads:

- `|> AGGREGATE ... GROUP AND ORDER BY a, b DESC` orders by every grouping item, ascending unless
  the item says otherwise; sqlglot kept only the items with a suffix (`ORDER BY b DESC`), so the
  rows came back in the wrong order. It is written `GROUP BY a ASC, b DESC`, the same ordering.
- `|> DROP a, b` is `|> SELECT * EXCEPT (a, b)`;
- `|> SET a = e` is `|> SELECT * REPLACE (e AS a)` (the column keeps its place);
- a named window of `|> SELECT` or `|> EXTEND` (`|> SELECT SUM(x) OVER w WINDOW w AS (...)`) is
  written into each `OVER w`: sqlglot dropped the WINDOW clause or moved it to the outer query
  ("window w does not exist");
- a pipe query on the right of a pipe set operation (`|> EXCEPT DISTINCT (SELECT ... |> EXCEPT
  DISTINCT (...))`) keeps its parentheses: sqlglot wrote its WITH clause bare after EXCEPT, a
  DuckDB syntax error;
- a query sqlglot cannot read because of a pipe operator the local warehouse does not run
  (`|> RENAME`, `|> WITH`, `|> AS` where sqlglot lacks it, ...) is refused by name instead of
  failing as a syntax error.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

_OPENS = (TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE)
_CLOSES = (TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE)
_DIRECTIONS = {"ASC", "DESC", "FIRST", "LAST"}  # the last word of an item that names its order
# pipe operators of GoogleSQL the local warehouse does not run, by their first word
_REFUSED = {
    "RENAME": "|> RENAME",
    "AS": "|> AS",
    "WITH": "|> WITH",
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
    except TokenError:
        return sql  # the parser reports the problem
    edits: list[tuple[int, int, str]] = []  # (start, end inclusive, replacement)
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.token_type == TokenType.PIPE_GT and nxt is not None:
            word = nxt.text.upper()
            if word in ("DROP", "SET"):
                items = _items(tokens, i + 2)
                if items:
                    edits.append(_drop_or_set(sql, word, items, tok, nxt))
            elif word in ("SELECT", "EXTEND"):
                edits.extend(_named_windows(sql, tokens, i + 2))
        elif _is_group_and_order(tokens, i):
            edits.extend(_group_and_order(sql, tokens, i))
    for start, end, text in sorted(edits, reverse=True):
        sql = f"{sql[:start]}{text}{sql[end + 1 :]}"
    return sql


def parenthesize_set_operands(tree: exp.Expr) -> None:
    """Wrap each operand of a set operation that carries its own WITH clause in parentheses."""
    for node in tree.find_all(exp.SetOperation):
        for key in ("this", "expression"):
            operand = node.args.get(key)
            if isinstance(operand, exp.Query) and not isinstance(operand, exp.Subquery) and operand.args.get("with_"):
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
        if tokens[k].token_type == TokenType.OVER and name.text.lower() in specs:
            edits.append((name.start, name.end, specs[name.text.lower()]))
    return edits


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
