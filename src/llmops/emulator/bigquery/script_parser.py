"""GoogleSQL procedural language: a lexer and a parser from script text to a tree of statements.

Plain SQL statements are kept as spans of the source text (the translator handles them); only
the procedural statements (DECLARE, SET, IF, LOOP, WHILE, REPEAT, FOR, BEGIN ... END, EXCEPTION
handlers, RAISE, RETURN, CALL, EXECUTE IMMEDIATE, transactions, procedure DDL) are parsed here.
Expressions inside them are spans too, evaluated later as `SELECT (expr)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .googlesql import BigQueryError

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|--[^\n]*|\#[^\n]*|/\*.*?\*/)
  | (?P<string>(?:[rRbB]{1,2})?(?:'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"))
  | (?P<quoted>`(?:[^`\\]|\\.)*`)
  | (?P<sysvar>@@[A-Za-z_][\w.]*)
  | (?P<param>@[A-Za-z_]\w*|\?)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # word, quoted, string, number, param, sysvar, punct
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def tokenize(sql: str) -> list[Token]:
    """The script's tokens without white space and comments; an unclosed string is an error."""
    out = []
    for m in _TOKEN.finditer(sql):
        kind = m.lastgroup or "punct"
        if kind == "space":
            continue
        text = m.group()
        if kind == "punct" and text in "'\"`":
            raise BigQueryError(
                f"Syntax error: unclosed string literal at [{_line_col(sql, m.start())}]",
                fix="close the quote",
            )
        out.append(Token(kind, text, m.start(), m.end()))
    return out


def _line_col(sql: str, pos: int) -> str:
    line = sql.count("\n", 0, pos) + 1
    return f"{line}:{pos - (sql.rfind(chr(10), 0, pos) + 1) + 1}"


# ----------------------------------------------------------------------------- the tree


@dataclass
class Span:
    """Source text between two token positions (an expression, a query or a SQL statement)."""

    tokens: list[Token]
    source: str

    @property
    def text(self) -> str:
        if not self.tokens:
            return ""
        return self.source[self.tokens[0].start : self.tokens[-1].end]


@dataclass
class Node:
    kind: str
    """sql, declare, set, if, case, loop, while, repeat, for, block, break, continue, raise, return,
    call, execute, begin_tx, commit, rollback, create_procedure, drop_routine, create_function"""
    span: Span | None = None
    names: list[str] = field(default_factory=list)
    type_text: str | None = None
    exprs: list[Span] = field(default_factory=list)
    body: list[Node] = field(default_factory=list)
    branches: list[tuple[Span, list[Node]]] = field(default_factory=list)
    handler: list[Node] | None = None
    label: str | None = None
    extra: dict = field(default_factory=dict)


PROCEDURAL_WORDS = frozenset(
    "DECLARE SET IF LOOP WHILE REPEAT FOR BEGIN BREAK LEAVE CONTINUE ITERATE RAISE RETURN CALL EXECUTE "
    "COMMIT ROLLBACK ASSERT CASE".split()
)


class Parser:
    """A recursive-descent parser over the token list; `parse()` gives the top-level statements."""

    def __init__(self, sql: str):
        self.sql = sql
        self.toks = tokenize(sql)
        self.i = 0
        self.labels: list[str | None] = []
        """The labels of the statements being parsed, outermost first (None: unlabeled)."""

    # -- helpers

    def peek(self, ahead: int = 0) -> Token | None:
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else None

    def word(self, ahead: int = 0) -> str:
        t = self.peek(ahead)
        return t.upper if t is not None else ""

    def error(self, what: str) -> BigQueryError:
        t = self.peek()
        where = f"[{_line_col(self.sql, t.start)}]" if t else "at the end of the script"
        found = f"{t.text!r}" if t else "end of script"
        return BigQueryError(f"Syntax error: {what} but got {found} {where}", fix="check the script's syntax there")

    def expect(self, *words: str) -> None:
        for w in words:
            if self.word() != w:
                raise self.error(f"Expected keyword {w}")
            self.i += 1

    def accept(self, w: str) -> bool:
        if self.word() == w:
            self.i += 1
            return True
        return False

    def semicolon(self) -> None:
        t = self.peek()
        if t is not None and t.text == ";":
            self.i += 1
        elif t is not None:
            raise self.error('Expected ";"')

    def until(self, stop: set[str], *, semicolon: bool = True, pair: str | None = None) -> Span:
        """Tokens up to (not including) a stop word at depth 0 (parentheses, brackets and
        CASE ... END nest), or up to ';' when `semicolon`. `pair` (e.g. REPEAT) makes END <pair>
        the stop."""
        start, depth, case = self.i, 0, 0
        while self.i < len(self.toks):
            t = self.toks[self.i]
            if t.text in "([":
                depth += 1
            elif t.text in ")]":
                depth -= 1
            elif depth == 0:
                u = t.upper
                if u == "CASE":
                    case += 1
                elif u == "END" and case:
                    case -= 1
                elif case == 0:
                    if semicolon and t.text == ";":
                        break
                    if u in stop and (pair is None or self.word(1) == pair):
                        break
            self.i += 1
        return Span(self.toks[start : self.i], self.sql)

    def ident(self) -> str:
        t = self.peek()
        if t is None or t.kind not in ("word", "quoted"):
            raise self.error("Expected an identifier")
        self.i += 1
        return t.text.strip("`")

    def dotted_name(self) -> str:
        parts = [self.ident()]
        while (t := self.peek()) is not None and t.text == ".":
            self.i += 1
            parts.append(self.ident())
        return ".".join(parts)

    # -- statements

    def parse(self) -> list[Node]:
        nodes = self.statements(set())
        if self.i < len(self.toks):
            raise self.error("Unexpected statement end")
        return nodes

    def statements(self, stop: set[str]) -> list[Node]:
        out: list[Node] = []
        while self.i < len(self.toks):
            t = self.toks[self.i]
            if t.text == ";":
                self.i += 1
                continue
            if t.upper in stop:
                break
            out.append(self.statement())
            self.semicolon()
        return out

    def statement(self) -> Node:
        label = None
        t1 = self.peek(1)
        if t1 is not None and t1.text == ":" and self.word(2) in ("BEGIN", "LOOP", "WHILE", "REPEAT", "FOR"):
            if self.word().lower() in self.labels:
                raise self.error(
                    f"Label {self.word().lower()} is already in use by an enclosing statement; expected a new label"
                )
            label = self.ident().lower()
            self.i += 1
        w = self.word()
        method = getattr(self, "_" + w.lower(), None) if w in PROCEDURAL_WORDS else None
        if w == "CREATE" and self._is_procedure():
            return self._create_procedure()
        if w == "DROP" and self.word(1) == "PROCEDURE":
            return self._drop_procedure()
        if method is None:
            return Node("sql", span=self.until(set()))
        self.labels.append(label)
        try:
            node = method()
        finally:
            self.labels.pop()
        if label:
            if node.kind not in ("block", "loop", "while", "repeat", "for"):
                raise self.error("A label must precede BEGIN, LOOP, WHILE, REPEAT or FOR")
            node.label = label
            end_label = self.peek()
            if end_label is not None and end_label.kind == "word" and end_label.text.lower() == label:
                self.i += 1
        return node

    def _declare(self) -> Node:
        self.i += 1
        names = [self.ident().lower()]
        while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
            self.i += 1
            names.append(self.ident().lower())
        type_span = self.until({"DEFAULT"})
        if type_span.tokens:
            from .foreignsyntax import type_not_found

            type_not_found(type_span.text, self.sql, type_span.tokens[0].start)
        default = None
        if self.accept("DEFAULT"):
            default = self.until(set())
        if not type_span.tokens and default is None:
            raise self.error("DECLARE needs a type or a DEFAULT value")
        return Node("declare", names=names, type_text=type_span.text or None, exprs=[default] if default else [])

    def _set(self) -> Node:
        self.i += 1
        names: list[str] = []
        t = self.peek()
        if t is not None and t.text == "(":
            self.i += 1
            while True:
                names.append(self.ident().lower())
                if self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                    self.i += 1
                    continue
                break
            if self.peek() is None or self.peek().text != ")":  # type: ignore[union-attr]
                raise self.error('Expected ")"')
            self.i += 1
            multi = True
        else:
            tok = self.peek()
            if tok is not None and tok.kind == "sysvar":
                self.i += 1
                names = [tok.text.lower()]
            else:
                names = [self.ident().lower()]
            multi = False
        if self.peek() is None or self.peek().text != "=":  # type: ignore[union-attr]
            raise self.error('Expected "="')
        self.i += 1
        return Node("set", names=names, exprs=[self.until(set())], extra={"multi": multi})

    def _if(self) -> Node:
        self.i += 1
        branches = []
        cond = self.until({"THEN"}, semicolon=False)
        self.expect("THEN")
        body = self.statements({"ELSEIF", "ELSE", "END"})
        branches.append((cond, body))
        orelse: list[Node] = []
        while True:
            if self.accept("ELSEIF"):
                cond = self.until({"THEN"}, semicolon=False)
                self.expect("THEN")
                branches.append((cond, self.statements({"ELSEIF", "ELSE", "END"})))
            elif self.accept("ELSE"):
                orelse = self.statements({"END"})
            else:
                break
        self.expect("END", "IF")
        return Node("if", branches=branches, body=orelse)

    def _case(self) -> Node:
        """`CASE [search] WHEN expr THEN statements ... [ELSE statements] END CASE`."""
        self.i += 1
        search = None if self.word() == "WHEN" else self.until({"WHEN"}, semicolon=False)
        branches = []
        while self.accept("WHEN"):
            cond = self.until({"THEN"}, semicolon=False)
            self.expect("THEN")
            branches.append((cond, self.statements({"WHEN", "ELSE", "END"})))
        if not branches:
            raise self.error("Expected keyword WHEN")
        orelse = self.statements({"END"}) if self.accept("ELSE") else []
        self.expect("END", "CASE")
        return Node("case", exprs=[search] if search is not None else [], branches=branches, body=orelse)

    def _loop(self) -> Node:
        self.i += 1
        body = self.statements({"END"})
        self.expect("END", "LOOP")
        return Node("loop", body=body)

    def _while(self) -> Node:
        self.i += 1
        cond = self.until({"DO"}, semicolon=False)
        self.expect("DO")
        body = self.statements({"END"})
        self.expect("END", "WHILE")
        return Node("while", exprs=[cond], body=body)

    def _repeat(self) -> Node:
        self.i += 1
        body = self.statements({"UNTIL"})
        self.expect("UNTIL")
        cond = self.until({"END"}, semicolon=False, pair="REPEAT")
        self.expect("END", "REPEAT")
        return Node("repeat", exprs=[cond], body=body)

    def _for(self) -> Node:
        self.i += 1
        name = self.ident().lower()
        self.expect("IN")
        query = self.until({"DO"}, semicolon=False)
        self.expect("DO")
        body = self.statements({"END"})
        self.expect("END", "FOR")
        return Node("for", names=[name], exprs=[query], body=body)

    def _begin(self) -> Node:
        self.i += 1
        t = self.peek()
        # `BEGIN [TRANSACTION];`: a block holds at least one statement, so `BEGIN;` is a transaction
        if self.accept("TRANSACTION") or t is None or t.text == ";":
            return Node("begin_tx")
        body = self.statements({"EXCEPTION", "END"})
        handler = None
        if self.accept("EXCEPTION"):
            self.expect("WHEN", "ERROR", "THEN")
            handler = self.statements({"END"})
        self.expect("END")
        return Node("block", body=body, handler=handler)

    def _loop_control(self, kind: str) -> Node:
        self.i += 1
        label = None
        t = self.peek()
        if t is not None and t.kind == "word" and t.text != ";":
            label = self.ident().lower()
        return Node(kind, label=label)

    def _break(self) -> Node:
        return self._loop_control("break")

    _leave = _break

    def _continue(self) -> Node:
        return self._loop_control("continue")

    _iterate = _continue

    def _raise(self) -> Node:
        self.i += 1
        if self.accept("USING"):
            self.expect("MESSAGE")
            if self.peek() is None or self.peek().text != "=":  # type: ignore[union-attr]
                raise self.error('Expected "="')
            self.i += 1
            return Node("raise", exprs=[self.until(set())])
        return Node("raise")

    def _return(self) -> Node:
        self.i += 1
        return Node("return")

    def _assert(self) -> Node:
        """ASSERT expression [AS 'description']"""
        self.i += 1
        condition = self.until({"AS"})
        if not condition.tokens:
            raise self.error("ASSERT needs a BOOL expression")
        description = None
        if self.accept("AS"):
            t = self.peek()
            if t is None or t.kind != "string":
                raise self.error("ASSERT ... AS takes a STRING literal")
            description = Span([t], self.sql)
            self.i += 1
        return Node("assert", exprs=[condition], extra={"description": description})

    def _commit(self) -> Node:
        self.i += 1
        self.accept("TRANSACTION")
        return Node("commit")

    def _rollback(self) -> Node:
        self.i += 1
        self.accept("TRANSACTION")
        return Node("rollback")

    def _call(self) -> Node:
        self.i += 1
        name = self.dotted_name()
        if self.peek() is None or self.peek().text != "(":  # type: ignore[union-attr]
            raise self.error('Expected "("')
        self.i += 1
        args = self._comma_list(")")
        return Node("call", names=[name], exprs=args)

    def _comma_list(self, close: str) -> list[Span]:
        """Comma-separated spans up to the closing bracket (consumed)."""
        args: list[Span] = []
        start, depth, case = self.i, 0, 0
        while self.i < len(self.toks):
            t = self.toks[self.i]
            if t.text in "([":
                depth += 1
            elif t.text in ")]" and depth:
                depth -= 1
            elif t.upper == "CASE":
                case += 1
            elif t.upper == "END" and case:
                case -= 1
            elif depth == 0 and case == 0 and t.text in (",", close):
                if self.i > start:
                    args.append(Span(self.toks[start : self.i], self.sql))
                self.i += 1
                if t.text == close:
                    return args
                start = self.i
                continue
            self.i += 1
        raise self.error(f'Expected "{close}"')

    def _execute(self) -> Node:
        self.i += 1
        self.expect("IMMEDIATE")
        query = self.until({"INTO", "USING"})
        into: list[str] = []
        using: list[tuple[Span, str | None]] = []
        if self.accept("INTO"):
            into.append(self.ident().lower())
            while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                self.i += 1
                into.append(self.ident().lower())
        if self.accept("USING"):
            while True:
                expr = self.until({"AS"}, pair=None)
                # `expr AS name`: split the span at a top-level AS if there is one
                alias = None
                if self.accept("AS"):
                    alias = self.ident()
                # the span may have swallowed a following ", expr": split on top-level commas
                parts = _split_commas(expr)
                for p in parts[:-1]:
                    using.append((p, None))
                using.append((parts[-1], alias))
                if self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                    self.i += 1
                    continue
                break
        return Node("execute", exprs=[query], names=into, extra={"using": using})

    def _is_procedure(self) -> bool:
        j = 1
        if self.word(j) == "OR" and self.word(j + 1) == "REPLACE":
            j += 2
        return self.word(j) == "PROCEDURE"

    def _create_procedure(self) -> Node:
        start = self.peek()
        self.i += 1
        replace = self.accept("OR")
        if replace:
            self.expect("REPLACE")
        self.expect("PROCEDURE")
        if_not_exists = False
        if self.accept("IF"):
            self.expect("NOT", "EXISTS")
            if_not_exists = True
        name = self.dotted_name()
        if self.peek() is None or self.peek().text != "(":  # type: ignore[union-attr]
            raise self.error('Expected "("')
        self.i += 1
        params = self._comma_list(")")
        options: list[Span] = []
        if self.accept("OPTIONS"):
            self.i += 1
            options = self._comma_list(")")
        if self.word() != "BEGIN":
            raise self.error("Expected keyword BEGIN")
        body_start = self.i
        self._begin()
        body_tokens = self.toks[body_start : self.i]
        assert start is not None
        return Node(
            "create_procedure",
            names=[name],
            exprs=params,
            span=Span(body_tokens, self.sql),
            extra={
                "replace": replace,
                "if_not_exists": if_not_exists,
                "text": self.sql[start.start : self.toks[self.i - 1].end],
                "options": [o.text for o in options],
            },
        )

    def _drop_procedure(self) -> Node:
        self.i += 2
        if_exists = False
        if self.accept("IF"):
            self.expect("EXISTS")
            if_exists = True
        return Node("drop_procedure", names=[self.dotted_name()], extra={"if_exists": if_exists})


def _split_commas(span: Span) -> list[Span]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for t in span.tokens:
        if t.text in "([":
            depth += 1
        elif t.text in ")]":
            depth -= 1
        if t.text == "," and depth == 0:
            parts.append([])
            continue
        parts[-1].append(t)
    return [Span(p, span.source) for p in parts if p]


_SCRIPT_HINT = re.compile(
    r"\b(DECLARE|SET|IF|LOOP|WHILE|REPEAT|FOR|BEGIN|CALL|EXECUTE|RAISE|RETURN|COMMIT|ROLLBACK|PROCEDURE|FUNCTION|BREAK|LEAVE|CONTINUE|ITERATE|ASSERT|CASE)\b|@@(row_count|script)\b|INFORMATION_SCHEMA|__TABLES__",
    re.IGNORECASE,
)


_SCRIPT_VARIABLES = ("@@row_count", "@@script.")


def needs_interpreter(sql: str) -> bool:
    """Whether the text holds procedural statements or routine DDL (the interpreter's work);
    plain SQL scripts keep the translator's single pass."""
    if not _SCRIPT_HINT.search(sql):
        return False
    try:
        toks = tokenize(sql)
    except BigQueryError:
        return False  # the translator reports it
    if any(t.kind == "sysvar" and t.text.lower().startswith(_SCRIPT_VARIABLES) for t in toks):
        return True  # only a script knows what its earlier statements did
    starts = [0] + [i + 1 for i, t in enumerate(toks) if t.text == ";"]
    if len(starts) > 1 and any(_names_catalog_view(t) for t in toks[starts[1] :]):
        # the translator's single pass registers INFORMATION_SCHEMA before any statement runs:
        # a later statement would not see what the earlier ones created or altered
        return True
    for s in starts:
        if s >= len(toks):
            continue
        w = toks[s].upper
        if w in PROCEDURAL_WORDS:
            return True
        if s + 1 < len(toks) and toks[s + 1].text == ":":
            return True
        if w in ("CREATE", "DROP"):
            head = " ".join(t.upper for t in toks[s : s + 8])
            if "PROCEDURE" in head:
                return True
            if "FUNCTION" in head and (
                "TEMP" not in head or "AGGREGATE" in head or " LANGUAGE " in _upper_text(toks[s:])
            ):
                return True
    return False


def _names_catalog_view(t: Token) -> bool:
    text = t.text.strip("`").upper()
    return "INFORMATION_SCHEMA" in text or "__TABLES__" in text


def _upper_text(toks: list[Token]) -> str:
    out = []
    for t in toks:
        if t.text == ";":
            break
        out.append(t.upper)
    return " " + " ".join(out) + " "
