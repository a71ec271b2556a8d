"""GoogleSQL procedural scripts: an interpreter over `script_parser`'s tree.

Every SQL statement and expression of a script runs through the engine's ordinary path
(translation, sandbox, time limit) on one connection, so a transaction spans statements.
Script variables reach SQL as bound query parameters (`@_v_<name>`), never pasted into the text.

Bounded work: a script stops after `MAX_STEPS` executed statements and loop iterations
(`ScriptLimitExceeded`), after the engine's query time limit, and CALLs nest at most
`MAX_CALL_DEPTH` deep.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ...core.errors import LlmopsError
from . import bignumerics, scriptparams
from .googlesql import BigQueryError, BigQueryInvalid
from .script_parser import Node, Parser, Span, Token, tokenize

if TYPE_CHECKING:
    import duckdb

    from .engine import BigQueryEngine, QueryResult
    from .sandbox import QueryControl
    from .sessions import Session

MAX_STEPS = 10_000
"""Statements and loop iterations one script may execute (a loop that never ends stops here)."""
MAX_CALL_DEPTH = 50


class ScriptLimitExceeded(BigQueryError):
    """A script ran more than MAX_STEPS statements and iterations."""


class ScriptRaised(BigQueryError):
    """RAISE USING MESSAGE in a script."""


class ScriptAssertionFailed(BigQueryError):
    """An ASSERT whose condition was FALSE or NULL."""


_CASE_SEARCH = "__bq_case_search"
"""The scope variable holding a CASE statement's search value while its WHENs are compared."""


def _equals_search(when: Span) -> Span:
    """`<search> = (<when>)` as a span of its own text."""
    text = f"{_CASE_SEARCH} = ({when.text})"
    return Span(tokenize(text), text)


class _Break(Exception):
    def __init__(self, label: str | None):
        self.label = label


class _Continue(_Break):
    pass


class _Return(Exception):
    pass


@dataclass
class Var:
    type: str | None
    value: Any
    fields: dict[str, str | None] = field(default_factory=dict)
    """For a STRUCT value (a FOR loop's row): field name -> type."""
    limits: exp.DataType | None = None
    """The declared type where it has type parameters (`STRING(10)`), which each value must fit."""


@dataclass
class ChildStatement:
    """One SQL statement a script ran: what BigQuery reports as a child job."""

    sql: str
    result: QueryResult | None
    error: LlmopsError | None = None
    transaction_id: str | None = None
    """The script's transaction this statement ran in (BigQuery's `transactionInfo`)."""


_COERCIONS = {
    ("INT64", "FLOAT64"),
    ("INT64", "NUMERIC"),
    ("INT64", "BIGNUMERIC"),
    ("NUMERIC", "BIGNUMERIC"),
    ("NUMERIC", "FLOAT64"),
    ("BIGNUMERIC", "FLOAT64"),
}
_STRING_LITERAL_TARGETS = frozenset({"DATE", "DATETIME", "TIME", "TIMESTAMP"})
"""The types a STRING literal coerces to (the conversion rules' "Literal coercion")."""
_FLOAT_LITERAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_SIMPLE_TYPES = frozenset(
    "INT64 FLOAT64 NUMERIC BIGNUMERIC BOOL STRING BYTES DATE DATETIME TIME TIMESTAMP JSON INTERVAL".split()
)


def canonical_type(text: str) -> str:
    """A GoogleSQL type as BigQuery spells it (INTEGER -> INT64, ARRAY<INT64>, STRUCT<...>)."""
    try:
        return exp.DataType.build(text, dialect="bigquery").sql("bigquery").upper()
    except (SqlglotError, ValueError):
        raise BigQueryError(f"Syntax error: invalid type {text!r}", fix="use a GoogleSQL type such as INT64") from None


def field_type(f: dict) -> str | None:
    """A result column's type as a variable type; None for STRUCTs (left untyped)."""
    if f.get("type") in ("RECORD", "STRUCT"):
        return None
    t = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL"}.get(f["type"], f["type"])
    return f"ARRAY<{t}>" if f.get("mode") == "REPEATED" else t


def run_script(
    engine: BigQueryEngine,
    sql: str,
    params: Any,
    *,
    default_project: str | None,
    default_dataset: str | None,
    param_types: Any,
    control: QueryControl | None,
) -> QueryResult:
    """Run a GoogleSQL script; the result of its last SELECT (or last statement), with its
    child statements in `result.children`."""
    nodes = Parser(sql).parse()
    with engine._controlled(control) as (con, ctl):
        run = Interpreter(engine, con, ctl, default_project or engine.default_project, default_dataset)
        _interpret(run, params, param_types, lambda: run.block(nodes))
        if run.in_transaction:
            con.execute("ROLLBACK")
            raise BigQueryError(
                "Transaction was not committed by the end of the script (it was rolled back)",
                fix="end it with COMMIT TRANSACTION",
            )
    return _script_result(run, nodes)


def run_in_session(
    engine: BigQueryEngine,
    session: Session,
    sql: str,
    params: Any,
    *,
    default_project: str | None,
    default_dataset: str | None,
    param_types: Any,
    control: QueryControl | None,
) -> QueryResult:
    """Run one query of a session on the session's connection: the temporary tables and
    functions, variables and open transaction of its earlier queries carry over, and so do
    this query's. A query of one statement reports that statement, as outside a session."""
    nodes = Parser(sql).parse()
    dataset = session.default_dataset() or default_dataset
    with engine._controlled(control, session=session.con) as (con, ctl):
        run = Interpreter(engine, con, ctl, default_project or session.project, dataset)
        run.session = session
        run.scopes = [session.variables]  # the session's variables, not a block's
        run.temp_functions, run.temp_tables = session.temp_functions, session.temp_tables
        run.transaction_id = session.transaction_id

        def each() -> None:
            for node in nodes:
                run.run(node)

        try:
            _interpret(run, params, param_types, each)
        finally:
            session.transaction_id = run.transaction_id
    if len(nodes) == 1 and nodes[0].kind == "sql" and len(run.children) == 1 and run.children[0].result:
        return run.children[0].result
    return _script_result(run, nodes)


def _interpret(run: Interpreter, params: Any, param_types: Any, body: Callable[[], None]) -> None:
    """Run `body` on `run`: RETURN ends it; an error rolls back an open transaction and carries
    the statements run so far (`script_children`)."""
    run.user_params = dict(params) if isinstance(params, dict) else {}
    run.user_types = dict(param_types or {})
    try:
        body()
    except _Return:
        pass
    except _Break:
        raise BigQueryError(
            "BREAK or CONTINUE outside of a loop", fix="use them inside LOOP, WHILE, REPEAT or FOR"
        ) from None
    except BaseException as exc:
        if run.in_transaction:
            run.con.execute("ROLLBACK")
            run.transaction_id = None
        if isinstance(exc, LlmopsError):
            exc.script_children = tuple(run.children)  # type: ignore[attr-defined]
        raise


def _script_result(run: Interpreter, nodes: list[Node]) -> QueryResult:
    out = run.result()
    lone = _lone_statement_type(nodes, run.children)
    child = run.children[0].result if lone else None
    if lone and child is not None:
        out.statement_type = lone
        out.target = child.target  # the routine, for the job's ddlTargetRoutine
    return out


_ROUTINE_DDL = {"CREATE_FUNCTION", "CREATE_TABLE_FUNCTION", "DROP_FUNCTION", "DROP_TABLE_FUNCTION", "DROP_PROCEDURE"}


def _lone_statement_type(nodes: list[Node], children: list[ChildStatement]) -> str | None:
    """A job of one routine DDL statement reports that statement's type, as BigQuery does
    (CREATE PROCEDURE, like any script, stays SCRIPT)."""
    if len(nodes) != 1 or len(children) != 1 or children[0].result is None:
        return None
    kind = children[0].result.statement_type
    return kind if kind in _ROUTINE_DDL else None


class Interpreter:
    """Runs a parsed script on one engine connection."""

    def __init__(
        self,
        engine: BigQueryEngine,
        con: duckdb.DuckDBPyConnection,
        ctl: QueryControl,
        project: str,
        dataset: str | None,
        *,
        depth: int = 0,
        shared: Interpreter | None = None,
    ):
        self.engine, self.con, self.ctl = engine, con, ctl
        self.project, self.dataset = project, dataset
        self.scopes: list[dict[str, Var]] = [{}]
        self.depth = depth
        self.root = shared or self
        if shared is None:
            self.steps = 0
            self.children: list[ChildStatement] = []
            self.temp_functions: set[str] = set()
            self.temp_tables: set[str] = set()
            self.transaction_id: str | None = None
            self.rolled_back_by_error = False
            """An error in a BEGIN ... EXCEPTION block rolled the transaction back."""
            self.user_params: dict[str, Any] = {}
            self.user_types: dict[str, str] = {}
            self.job_id = f"script_job_{uuid.uuid4().hex}"
            self.created = dt.datetime.now(dt.UTC)
        self.error: LlmopsError | None = None
        self.row_count: int | None = None
        self.session: Session | None = shared.session if shared is not None else None

    @property
    def in_transaction(self) -> bool:
        return self.transaction_id is not None

    # ------------------------------------------------------------------ results

    def result(self) -> QueryResult:
        from .engine import EMPTY, QueryResult

        done = [c for c in self.children if c.result is not None]
        selects = [c for c in done if c.result and c.result.statement_type == "SELECT"]
        last = selects[-1].result if selects else None
        out = QueryResult(
            table=last.table if last else EMPTY, schema=last.schema if last else [], statement_type="SCRIPT"
        )
        out.children = tuple(self.children)
        return out

    # ------------------------------------------------------------------ variables

    def lookup(self, name: str) -> Var | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def step(self) -> None:
        root = self.root
        root.steps += 1
        if root.steps > MAX_STEPS:
            raise ScriptLimitExceeded(
                f"Script exceeded the limit of {MAX_STEPS:,} executed statements and loop iterations",
                fix="make the loop end (BREAK, or a WHILE condition that becomes false)",
            )
        self.ctl.check()

    def system_value(self, name: str) -> tuple[Any, str]:
        key = name.lower().removeprefix("@@")
        root = self.root
        err = self.error
        values: dict[str, tuple[Any, str]] = {
            "error.message": (err.problem if err else None, "STRING"),
            "error.statement_text": (getattr(err, "statement_text", None) if err else None, "STRING"),
            "error.stack_trace": (None, "STRING"),
            "error.formatted_stack_trace": (None, "STRING"),
            "row_count": (self.row_count, "INT64"),
            "project_id": (self.project, "STRING"),
            "dataset_id": (self.dataset, "STRING"),
            "time_zone": ("UTC", "STRING"),
            "session_id": (root.session.session_id if root.session else None, "STRING"),
            "dataset_project_id": (root.session.dataset_project if root.session else None, "STRING"),
            "current_job_id": (root.job_id, "STRING"),
            "script.job_id": (root.job_id, "STRING"),
            "script.bytes_processed": (0, "INT64"),
            "script.bytes_billed": (0, "INT64"),
            "script.slot_ms": (0, "INT64"),
            "script.num_child_jobs": (len(root.children), "INT64"),
            "script.creation_time": (root.created, "TIMESTAMP"),
        }
        if key not in values:
            raise BigQueryError(
                f"Unrecognized system variable @@{key}", fix="see BigQuery's system variables reference"
            )
        return values[key]

    def bind(self, span: Span) -> tuple[str, dict[str, Any], dict[str, str]]:
        """The span's text with variables as @_v_ parameters, the values and their types."""
        toks = span.tokens
        params: dict[str, Any] = {}
        types: dict[str, str] = {}
        pieces: list[str] = []
        pos = toks[0].start if toks else 0
        has_vars = any(t.kind == "word" and self.lookup(t.text.lower()) for t in toks)
        shadowed = self._columns_in_scope(toks) if has_vars else set()
        derived = _derived_columns(toks) if has_vars else []
        i = 0
        depth = 0
        select_list: set[int] = set()  # paren depths whose SELECT list is being read
        while i < len(toks):
            t = toks[i]
            if t.text == "(":
                depth += 1
            elif t.text == ")":
                select_list.discard(depth)
                depth -= 1
            elif t.upper == "SELECT":
                select_list.add(depth)
            elif t.upper in ("FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "WINDOW", "QUALIFY"):
                select_list.discard(depth)
            prev = toks[i - 1] if i else None
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            replace_to = None
            if t.kind == "sysvar":
                value, typ = self.system_value(t.text)
                pname = "_s_" + t.text[2:].replace(".", "_").lower()
                params[pname], types[pname] = value, typ
                replace_to = (i, "@" + pname)
            elif t.kind == "param" and t.text != "?":
                name = t.text[1:]
                if name in self.root.user_params:
                    params[name] = self.root.user_params[name]
                    if name in self.root.user_types:
                        types[name] = self.root.user_types[name]
            elif (
                t.kind == "word"
                and (prev is None or (prev.text != "." and prev.upper != "AS"))
                and not _implicit_alias(prev, nxt)
                and (nxt is None or nxt.text != "(")
                and t.text.lower() not in shadowed
                and not any(
                    t.text.lower() in cols and scope[0] <= i <= scope[1] and not lo <= i <= hi
                    for cols, lo, hi, scope in derived
                )
                and (var := self.lookup(t.text.lower())) is not None
            ):
                name = t.text.lower()
                if isinstance(var.value, dict) and nxt is not None and nxt.text == "." and i + 2 < len(toks):
                    fname = toks[i + 2].text.strip("`")
                    key = next((k for k in var.value if k.lower() == fname.lower()), None)
                    if key is None:
                        raise BigQueryError(f"Field name {fname} does not exist in {name}", fix="check the field name")
                    pname = f"_v_{name}__{key.lower()}"
                    params[pname] = var.value[key]
                    if var.fields.get(key):
                        types[pname] = var.fields[key]  # type: ignore[assignment]
                    replace_to = (i + 2, "@" + pname)
                elif nxt is None or nxt.text != ".":
                    pname = f"_v_{name}"
                    params[pname] = _param(var.value)
                    if var.type and _castable(var.type):
                        types[pname] = var.type
                    # a bare variable as a select item keeps its name as the column's, as in BigQuery
                    item = depth in select_list and prev is not None and (prev.upper == "SELECT" or prev.text == ",")
                    ends = (
                        nxt is None
                        or nxt.text in (",", ")")
                        or nxt.upper in ("FROM", "WHERE", "GROUP", "ORDER", "LIMIT")
                    )
                    replace_to = (i, f"@{pname} AS {t.text}" if item and ends else "@" + pname)
            if replace_to is not None:
                last, text = replace_to
                pieces.append(span.source[pos : t.start])
                pieces.append(text)
                pos = toks[last].end
                i = last + 1
                continue
            i += 1
        if toks:
            pieces.append(span.source[pos : toks[-1].end])
        return "".join(pieces), params, types

    def _columns_in_scope(self, toks: list[Token]) -> set[str]:
        """Lower-case names a statement's tables and UNNEST aliases bring into scope: in
        BigQuery a column shadows a variable of the same name."""
        from .googlesql import duckdb_schema

        names: set[str] = set()
        i = 0
        while i < len(toks):
            if toks[i].upper not in ("FROM", "JOIN", "UPDATE", "MERGE", "USING") and not (
                toks[i].upper == "DELETE" or (toks[i].upper == "INTO" and i and toks[i - 1].upper == "MERGE")
            ):
                i += 1
                continue
            i += 1
            if i < len(toks) and toks[i].upper == "FROM":  # DELETE FROM
                i += 1
            if i < len(toks) and toks[i].upper == "UNNEST":
                depth, i = 0, i + 1
                while i < len(toks):
                    depth += {"(": 1, ")": -1}.get(toks[i].text, 0)
                    i += 1
                    if depth == 0:
                        break
                if i < len(toks) and toks[i].upper == "AS":
                    i += 1
                if i < len(toks) and toks[i].kind in ("word", "quoted"):
                    names.add(toks[i].text.strip("`").lower())
                continue
            parts: list[str] = []
            while i < len(toks) and toks[i].kind in ("word", "quoted"):
                parts.extend(toks[i].text.strip("`").split("."))
                if i + 1 < len(toks) and toks[i + 1].text == ".":
                    i += 2
                    continue
                i += 1
                break
            if len(parts) == 3:
                project, dataset, table = parts
            elif len(parts) == 2:
                project, dataset, table = self.project, parts[0], parts[1]
            elif len(parts) == 1 and self.dataset:
                # a default dataset of another project comes as "project.dataset"
                project, _, dataset = self.dataset.rpartition(".")
                project, table = project or self.project, parts[0]
            else:
                continue
            rows = self.con.execute(
                "SELECT lower(column_name) FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
                [duckdb_schema(project, dataset), table],
            ).fetchall()
            names.update(r[0] for r in rows)
        return names

    # ------------------------------------------------------------------ running SQL

    def sql(
        self,
        text: str,
        params: dict[str, Any] | list | None,
        types: dict[str, str],
        *,
        child: bool,
        shown: str | None = None,
    ) -> QueryResult:
        """Run SQL on the script's connection; a `child` is recorded (as `shown`, the statement
        as the script wrote it) like BigQuery's child jobs."""
        shown = shown or text
        # a BIGNUMERIC variable beyond the engine's DECIMAL(38, 18) (EXECUTE IMMEDIATE ... INTO of a
        # wide value): served where the statement selects it, refused by name elsewhere (bignumerics.py)
        params, wide_types = bignumerics.wide_parameters(params, types)
        try:
            res = self.engine._execute(
                self.con,
                self.ctl,
                text,
                params or None,
                default_project=self.project,
                default_dataset=self.dataset,
                param_types=dict(wide_types or {}),
                functions=frozenset(self.root.temp_functions),
                temp_tables=frozenset(self.root.temp_tables),
                session_dataset=self.root.session.temp_dataset if self.root.session else None,
                in_transaction=self.root.in_transaction,
            )
        except LlmopsError as exc:
            exc.statement_text = shown  # type: ignore[attr-defined]
            if child:
                self.root.children.append(ChildStatement(shown, None, exc, self.root.transaction_id))
            raise
        if child:
            self.root.children.append(ChildStatement(shown, res, transaction_id=self.root.transaction_id))
            self.row_count = res.num_dml_affected_rows
        return res

    def evaluate(self, span: Span) -> tuple[Any, str | None]:
        """An expression's value and type."""
        fast = self._literal(span.tokens)
        if fast is not None:
            return fast
        text, params, types = self.bind(span)
        if _is_tuple(span.tokens):
            text = "STRUCT" + text  # `(1, 'x')`: an anonymous STRUCT, as in BigQuery
        res = self.sql(f"SELECT ({text}) AS v", params, types, child=False)
        value = res.table.column(0)[0].as_py() if res.table.num_rows else None
        return value, field_type(res.schema[0]) if res.schema else None

    def _literal_as(self, span: Span, value: Any, vtype: str | None, want: str | None) -> tuple[Any, str | None]:
        """GoogleSQL's literal coercion for DECLARE ... DEFAULT and SET: a STRING literal where a
        DATE, DATETIME, TIME or TIMESTAMP is wanted is read as one (an invalid one: the cast's error)."""
        toks = span.tokens
        if vtype != "STRING" or want not in _STRING_LITERAL_TARGETS or len(toks) != 1 or toks[0].kind != "string":
            return value, vtype
        res = self.sql(f"SELECT CAST({span.text} AS {want}) AS v", {}, {}, child=False)
        return (res.table.column(0)[0].as_py() if res.table.num_rows else None), want

    def _literal(self, toks: list[Token]) -> tuple[Any, str | None] | None:
        if len(toks) == 2 and toks[0].text == "-" and toks[1].kind == "number":
            got = self._literal(toks[1:])
            return (-got[0], got[1]) if got else None
        if len(toks) != 1:
            return None
        t = toks[0]
        if t.kind == "number":
            if t.text.isdigit():
                return int(t.text), "INT64"
            return float(t.text), "FLOAT64"
        if t.upper in ("TRUE", "FALSE"):
            return t.upper == "TRUE", "BOOL"
        if t.upper == "NULL":
            return None, None
        if t.kind == "word" and (var := self.lookup(t.text.lower())) is not None and not isinstance(var.value, dict):
            return var.value, var.type
        return None

    def condition(self, span: Span) -> bool:
        value, _ = self.evaluate(span)
        if value is not None and not isinstance(value, bool):
            raise BigQueryError(
                f"Query error: condition {span.text!r} is not a BOOL", fix="write a condition that gives TRUE or FALSE"
            )
        return bool(value)

    def assign(self, name: str, value: Any, vtype: str | None, expr_text: str) -> None:
        var = self.lookup(name)
        if var is None:
            raise BigQueryError(f"Query error: Unrecognized name: {name}", fix=f"declare it first: DECLARE {name} ...")
        var.value = coerce(value, vtype, var.type, expr_text)
        if var.fields and isinstance(var.type, str) and var.type.startswith("STRUCT<"):
            var.value = _renamed(var.value, list(var.fields))
        if var.limits is not None:
            var.value = scriptparams.fit(var.value, var.limits)

    # ------------------------------------------------------------------ statements

    def block(self, nodes: list[Node]) -> None:
        self.scopes.append({})
        try:
            for node in nodes:
                self.run(node)
        finally:
            self.scopes.pop()

    def run(self, node: Node) -> None:
        self.step()
        getattr(self, "_" + node.kind)(node)

    def _sql(self, node: Node) -> None:
        from . import routines

        assert node.span is not None
        if routines.handles(node.span):
            routines.run_ddl(self, node.span)
            return
        text, params, types = self.bind(node.span)
        self.sql(text, params, types, child=True, shown=node.span.text)
        self._note_temporary(node.span)

    def _note_temporary(self, span: Span) -> None:
        """The temporary function or table `span` created: later statements name it bare."""
        from . import routines

        temp = routines.temp_created_name(span, "FUNCTION")
        if temp:
            self.root.temp_functions.add(temp)
        table = routines.temp_created_name(span, "TABLE")
        if table:
            self.root.temp_tables.add(table)

    def _declare(self, node: Node) -> None:
        declared = canonical_type(node.type_text) if node.type_text else None
        limits = scriptparams.parameterized(declared) if declared else None
        if limits is not None:
            declared = scriptparams.without_parameters(limits)
        value, vtype = (None, None)
        if node.exprs:
            value, vtype = self.evaluate(node.exprs[0])
            text = node.exprs[0].text
            if declared:
                value, vtype = self._literal_as(node.exprs[0], value, vtype, declared)
                value = coerce(value, vtype, declared, text)
            if limits is not None:
                value = scriptparams.fit(value, limits)
        names = _struct_field_names(node.type_text) if node.type_text else None
        value = _renamed(value, names)
        scope = self.scopes[-1]
        for name in node.names:
            if name in scope:
                raise BigQueryError(f"Query error: Variable {name} is already declared", fix="declare it once")
            fields = dict.fromkeys(names) if names else {}
            scope[name] = Var(declared or vtype, value, fields=fields, limits=limits)

    def _set(self, node: Node) -> None:
        expr = node.exprs[0]
        if node.names[0].startswith("@@"):
            self._set_system(node.names[0].lower(), expr)
            return
        if not node.extra.get("multi"):
            value, vtype = self.evaluate(expr)
            if (var := self.lookup(node.names[0])) is not None:
                value, vtype = self._literal_as(expr, value, vtype, var.type)
            self.assign(node.names[0], value, vtype, expr.text)
            return
        values, types = self._row(expr)
        if len(values) != len(node.names):
            raise BigQueryError(
                f"Query error: SET has {len(node.names)} variables but the value has {len(values)} fields",
                fix="give one value per variable",
            )
        for name, value, vtype in zip(node.names, values, types):
            self.assign(name, value, vtype, expr.text)

    def _set_system(self, name: str, expr: Span) -> None:
        """`SET @@dataset_id`, `@@dataset_project_id` (a session's default dataset from here on)
        and `@@time_zone` (UTC only: the warehouse's functions work in UTC)."""
        session = self.root.session
        value, _ = self.evaluate(expr)
        if name == "@@time_zone" and isinstance(value, str) and value.upper() in ("UTC", "ETC/UTC"):
            return
        if session is None or name not in ("@@dataset_id", "@@dataset_project_id"):
            raise BigQueryError(
                f"Setting {name} is not supported by the local warehouse",
                fix="@@dataset_id and @@dataset_project_id can be set in a session; remove it",
            )
        if value is not None and not isinstance(value, str):
            raise BigQueryError(f"Query error: {name} must be a STRING", fix=f"SET {name} = 'name'")
        if name == "@@dataset_id":
            session.dataset_id = value
        else:
            session.dataset_project = value
        self.dataset = session.default_dataset()

    def _row(self, span: Span) -> tuple[list[Any], list[str | None]]:
        """`(a, b)`, `STRUCT(a, b)` or `(SELECT a, b ...)` as a list of values."""
        toks = span.tokens
        inner = toks
        if toks and toks[0].upper == "STRUCT":
            inner = toks[1:]
        if inner and inner[0].text == "(" and inner[-1].text == ")":
            inner = inner[1:-1]
        if inner and inner[0].upper in ("SELECT", "WITH"):
            kept = [t for j, t in enumerate(inner) if not (t.upper == "STRUCT" and j and inner[j - 1].upper == "AS")]
            kept = [
                t
                for j, t in enumerate(kept)
                if not (
                    t.upper == "AS"
                    and j + 1 < len(kept)
                    and kept[j + 1].upper == "STRUCT"
                    and kept[j - 1].upper == "SELECT"
                )
            ]
            text, params, types = self.bind(Span(kept, span.source))
            res = self.sql(text, params, types, child=False)
            if res.table.num_rows > 1:
                raise BigQueryError("Query error: Scalar subquery produced more than one element", fix="add LIMIT 1")
            row = res.table.to_pylist()[0] if res.table.num_rows else {}
            return list(row.values()) if row else [None] * len(res.schema), [field_type(f) for f in res.schema]
        from .script_parser import _split_commas

        parts = _split_commas(Span(inner, span.source))
        text = ", ".join(self.bind(p)[0] for p in parts)
        values: dict[str, Any] = {}
        ptypes: dict[str, str] = {}
        for p in parts:
            _, pp, pt = self.bind(p)
            values.update(pp)
            ptypes.update(pt)
        res = self.sql(f"SELECT {text}", values, ptypes, child=False)
        return list(res.table.to_pylist()[0].values()), [field_type(f) for f in res.schema]

    def _if(self, node: Node) -> None:
        for cond, body in node.branches:
            if self.condition(cond):
                self.block(body)
                return
        self.block(node.body)

    def _case(self, node: Node) -> None:
        """The first WHEN that is TRUE (searched form), or equal to the search value, which is
        evaluated once (a scope variable the WHEN comparisons read), else ELSE."""
        if not node.exprs:
            self._if(node)
            return
        value, vtype = self.evaluate(node.exprs[0])
        self.scopes.append({_CASE_SEARCH: Var(vtype, value)})
        try:
            chosen = next((body for when, body in node.branches if self.condition(_equals_search(when))), node.body)
        finally:
            self.scopes.pop()
        self.block(chosen)

    def _loop_body(self, node: Node) -> bool:
        """Run one iteration; False when the loop must stop."""
        try:
            self.block(node.body)
        except _Continue as c:
            if c.label not in (None, node.label):
                raise
        except _Break as b:
            if b.label not in (None, node.label):
                raise
            return False
        return True

    def _loop(self, node: Node) -> None:
        while True:
            self.step()
            if not self._loop_body(node):
                return

    def _while(self, node: Node) -> None:
        while True:
            self.step()
            if not self.condition(node.exprs[0]) or not self._loop_body(node):
                return

    def _repeat(self, node: Node) -> None:
        while True:
            self.step()
            if not self._loop_body(node) or self.condition(node.exprs[0]):
                return

    def _for(self, node: Node) -> None:
        span = node.exprs[0]
        toks = span.tokens
        if toks and toks[0].text == "(" and toks[-1].text == ")":
            span = Span(toks[1:-1], span.source)
        text, params, types = self.bind(span)
        res = self.sql(text, params, types, child=True, shown=span.text)
        fields = {f["name"]: field_type(f) for f in res.schema}
        for row in res.table.to_pylist():
            self.step()
            self.scopes.append({node.names[0]: Var(None, row, fields)})
            try:
                if not self._loop_body(node):
                    return
            finally:
                self.scopes.pop()

    def _block(self, node: Node) -> None:
        """A BEGIN ... END block; `BREAK label` / `LEAVE label` of a labeled one ends it."""
        try:
            self._block_body(node)
        except _Continue:
            raise
        except _Break as b:
            if node.label is None or b.label != node.label:
                raise

    def _block_body(self, node: Node) -> None:
        if node.handler is None:
            self.block(node.body)
            return
        try:
            self.block(node.body)
        except (ScriptLimitExceeded, _Break, _Return):
            raise
        except LlmopsError as exc:
            if self.ctl.reason is not None:
                raise
            if self.root.in_transaction:  # an error inside a transaction rolls it back
                self.con.execute("ROLLBACK")
                self.root.transaction_id = None
                # the handler's own ROLLBACK TRANSACTION (the reference's pattern) then succeeds
                self.root.rolled_back_by_error = True
            outer = self.error
            self.error = exc
            try:
                self.block(node.handler)
            finally:
                self.error = outer

    def _break(self, node: Node) -> None:
        raise _Break(node.label)

    def _continue(self, node: Node) -> None:
        raise _Continue(node.label)

    def _return(self, node: Node) -> None:
        raise _Return()

    def _raise(self, node: Node) -> None:
        if not node.exprs:
            if self.error is None:
                raise BigQueryError(
                    "RAISE without a message outside an exception handler", fix="RAISE USING MESSAGE = '...'"
                )
            raise self.error
        value, _ = self.evaluate(node.exprs[0])
        raise ScriptRaised(str(value), fix="this error was raised by the script (RAISE USING MESSAGE)")

    def _assert(self, node: Node) -> None:
        value, kind = self.evaluate(node.exprs[0])
        if value is not None and not isinstance(value, bool):
            raise BigQueryError(
                f"ASSERT expression must be a BOOL, not {kind or type(value).__name__}",
                fix="write a condition that gives TRUE or FALSE",
            )
        if value is not True:
            description = node.extra.get("description")
            text = self.evaluate(description)[0] if description is not None else node.exprs[0].text
            raise ScriptAssertionFailed(
                f"Assertion failed: {text}", fix="the ASSERT's condition was FALSE or NULL: check the data it tests"
            )

    def _begin_tx(self, node: Node) -> None:
        if self.root.in_transaction:
            raise BigQueryError("Transaction is already in progress", fix="COMMIT or ROLLBACK it first")
        self.con.execute("BEGIN TRANSACTION")
        self.root.transaction_id = uuid.uuid4().hex
        self.root.rolled_back_by_error = False

    def _commit(self, node: Node) -> None:
        if not self.root.in_transaction:
            raise BigQueryError("There is no active transaction to commit", fix="start one with BEGIN TRANSACTION")
        self.con.execute("COMMIT")
        self.root.transaction_id = None

    def _rollback(self, node: Node) -> None:
        if not self.root.in_transaction and self.root.rolled_back_by_error:
            self.root.rolled_back_by_error = False
            return
        if not self.root.in_transaction:
            raise BigQueryError("There is no active transaction to roll back", fix="start one with BEGIN TRANSACTION")
        self.con.execute("ROLLBACK")
        self.root.transaction_id = None

    def _execute(self, node: Node) -> None:
        query, _ = self.evaluate(node.exprs[0])
        if not isinstance(query, str):
            raise BigQueryError("EXECUTE IMMEDIATE needs a STRING query", fix="pass the SQL text as a string")
        using = node.extra.get("using") or []
        params: dict[str, Any] | list | None = None
        types: dict[str, str] = {}
        if using:
            evaluated = [(self.evaluate(span), alias) for span, alias in using]
            if all(alias for _, alias in evaluated):
                params = {alias: _param(v) for (v, _t), alias in evaluated}
                types = {alias: t for (_v, t), alias in evaluated if t and _castable(t)}
            elif not any(alias for _, alias in evaluated):
                params = [_param(v) for (v, _t), _a in evaluated]
            else:
                raise BigQueryError("EXECUTE IMMEDIATE mixes named and positional USING values", fix="use one kind")
        res = self.sql(query, params, types, child=True)
        self._note_temporary(Span(tokenize(query), query))  # EXECUTE IMMEDIATE "CREATE TEMP TABLE Books ..."
        if node.names:
            row = res.table.to_pylist()[0] if res.table.num_rows else None
            if res.table.num_rows > 1:
                raise BigQueryError("EXECUTE IMMEDIATE ... INTO got more than one row", fix="add LIMIT 1")
            values = list(row.values()) if row else [None] * len(res.schema)
            if len(values) != len(node.names):
                raise BigQueryError(
                    f"EXECUTE IMMEDIATE ... INTO has {len(node.names)} variables but the query has {len(values)} columns",
                    fix="select one column per variable",
                )
            for name, value, f in zip(node.names, values, res.schema):
                self.assign(name, value, field_type(f), query)

    def _call(self, node: Node) -> None:
        from . import mviewrefresh, routines

        if node.names[0].replace("`", "").upper() == "BQ.ABORT_SESSION":
            self._abort_session(node)
            return
        if node.names[0].replace("`", "").upper() == mviewrefresh.NAME:
            if len(node.exprs) != 1:
                raise BigQueryError(f"{mviewrefresh.NAME} takes one argument", fix=f"CALL {mviewrefresh.NAME}('p.d.v')")
            mviewrefresh.refresh(self.engine, self.con, self.evaluate(node.exprs[0])[0], self.project)
            return
        if self.depth >= MAX_CALL_DEPTH:
            raise BigQueryError(f"Procedure calls nest more than {MAX_CALL_DEPTH} deep", fix="reduce the recursion")
        routines.call_procedure(self, node)

    def _abort_session(self, node: Node) -> None:
        """`CALL BQ.ABORT_SESSION([session_id])`: ends this session, or the one named."""
        session = self.root.session
        if len(node.exprs) > 1:
            raise BigQueryError("BQ.ABORT_SESSION takes at most one argument", fix="CALL BQ.ABORT_SESSION('id')")
        target = self.evaluate(node.exprs[0])[0] if node.exprs else (session.session_id if session else None)
        if not isinstance(target, str):
            raise BigQueryError(
                "BQ.ABORT_SESSION() without an argument must run in a session",
                fix="run it in the session, or pass the session's id: CALL BQ.ABORT_SESSION('id')",
            )
        if self.engine.end_session is None:
            raise BigQueryError("sessions are not supported by the local warehouse", fix="run it on the emulator")
        self.engine.end_session(target)

    def _create_procedure(self, node: Node) -> None:
        from . import routines

        routines.create_procedure(self, node)

    def _drop_procedure(self, node: Node) -> None:
        from . import routines

        routines.drop(self, node.names[0], "PROCEDURE", if_exists=node.extra["if_exists"])


def coerce(value: Any, have: str | None, want: str | None, expr_text: str) -> Any:
    """`value` (of type `have`) as a `want` value, or BigQuery's coercion error."""
    if value is None or value == [] or have is None or want is None or have == want:
        return value
    if (have, want) in _COERCIONS:
        return float(value) if want == "FLOAT64" else decimal.Decimal(value)
    if have == "FLOAT64" and want in ("NUMERIC", "BIGNUMERIC") and _FLOAT_LITERAL.match(expr_text.strip()):
        return decimal.Decimal(expr_text.strip())  # a FLOAT64 literal coerces to NUMERIC (BigQuery's literal coercion)
    raise BigQueryInvalid(
        f"Query error: Cannot coerce expression {expr_text} to type {want} (it is {have})",
        fix=f"give a {want} value, or CAST it",
        reason="invalidQuery",
    )


def _is_tuple(toks: list[Token]) -> bool:
    """Whether the tokens are one parenthesized list with a comma at its top level: `(a, b)`."""
    if len(toks) < 2 or toks[0].text != "(" or toks[-1].text != ")":
        return False
    depth = 0
    comma = False
    for i, t in enumerate(toks):
        if t.text in ("(", "[") or t.upper == "STRUCT<":
            depth += 1
        elif t.text in (")", "]"):
            depth -= 1
            if depth == 0 and i != len(toks) - 1:
                return False
        elif t.text == "," and depth == 1:
            comma = True
    return comma


def _struct_field_names(type_text: str) -> list[str] | None:
    """The field names of a declared STRUCT type, as written (`STRUCT<a INT64, b STRING>`); None
    for another type or a STRUCT with an unnamed field."""
    try:
        dt = exp.DataType.build(type_text, dialect="bigquery")
    except (SqlglotError, ValueError):
        return None
    if not dt.is_type(exp.DataType.Type.STRUCT) or not dt.expressions:
        return None
    if not all(isinstance(f, exp.ColumnDef) for f in dt.expressions):
        return None
    return [f.name for f in dt.expressions]


def _renamed(value: Any, names: list[str] | None) -> Any:
    """A STRUCT value (a dict) with the declared type's field names, matched by position as
    GoogleSQL assigns a STRUCT (`DECLARE s STRUCT<c STRING> DEFAULT STRUCT('x')`: `s.c` is 'x')."""
    if not names or not isinstance(value, dict) or len(value) != len(names):
        return value
    return dict(zip(names, value.values(), strict=True))


def _castable(t: str) -> bool:
    if t in _SIMPLE_TYPES:
        return True
    return t.startswith("ARRAY<") and t[6:-1] in _SIMPLE_TYPES


def _param(value: Any) -> Any:
    if isinstance(value, pa.Scalar):
        return value.as_py()
    return value


def _derived_columns(toks: list[Token]) -> list[tuple[set[str], int, int, tuple[int, int]]]:
    """The columns that a statement's WITH queries and FROM / JOIN subqueries give (lower-case
    names from their SELECT lists' aliases and bare column names), each with the token span of its
    parentheses and the span of the query whose FROM it is in (the statement for a WITH query): in
    BigQuery such a column shadows a variable of the same name in that query, outside its own span
    (`DECLARE x ...; WITH n AS (SELECT 50 AS x) SELECT x + x FROM n` is 100); inside it, and in
    other queries (a subquery in WHERE), the variable is still read."""
    out: list[tuple[set[str], int, int, tuple[int, int]]] = []
    for i, t in enumerate(toks):
        if t.text != "(" or i + 1 >= len(toks) or toks[i + 1].upper != "SELECT" or not i:
            continue
        before = toks[i - 1]
        if before.upper not in ("AS", "FROM", "JOIN", "LATERAL") and before.text != ",":
            continue
        if before.text == "," and not _in_from_or_with(toks, i - 1):
            continue
        names = _select_list_names(toks, i + 2)
        scope = (0, len(toks) - 1) if before.upper == "AS" else _enclosing(toks, i)
        out.append((names, i, _closing(toks, i), scope))
    # `SELECT *` passes on the columns of the queries in its FROM (inner ones first)
    for names, lo, hi, _ in sorted(out, key=lambda e: e[2] - e[1]):
        if "*" in names:
            for inner, _, _, scope in out:
                if scope == (lo, hi):
                    names.update(inner)
    return [(names - {"*"}, lo, hi, scope) for names, lo, hi, scope in out if names - {"*"}]


def _enclosing(toks: list[Token], i: int) -> tuple[int, int]:
    """The span of the parentheses around token `i` (the whole statement when none are)."""
    depth = 0
    for j in range(i - 1, -1, -1):
        if toks[j].text == ")":
            depth += 1
        elif toks[j].text == "(":
            if depth == 0:
                return j, _closing(toks, j)
            depth -= 1
    return 0, len(toks) - 1


def _closing(toks: list[Token], i: int) -> int:
    """The index of the parenthesis that closes the one at `i` (the last token if none does)."""
    depth = 0
    for j in range(i, len(toks)):
        depth += {"(": 1, ")": -1}.get(toks[j].text, 0)
        if depth == 0:
            return j
    return len(toks) - 1


def _in_from_or_with(toks: list[Token], i: int) -> bool:
    """Whether the comma at `i` separates FROM items or WITH queries (the nearest clause keyword
    at its depth is FROM or WITH)."""
    depth = 0
    for t in reversed(toks[:i]):
        if t.text == ")":
            depth += 1
        elif t.text == "(":
            if depth == 0:
                return False
            depth -= 1
        elif depth == 0 and t.upper in ("FROM", "WITH"):
            return True
        elif depth == 0 and t.upper in ("SELECT", "WHERE", "GROUP", "ORDER", "BY", "ON"):
            return False
    return False


def _select_list_names(toks: list[Token], i: int) -> set[str]:
    """The output names of the SELECT list starting at token `i` (after SELECT, DISTINCT or AS
    STRUCT): each item's alias, or the last part of a column path; a `*` item gives "*"."""
    names: set[str] = set()
    while i < len(toks) and toks[i].upper in ("DISTINCT", "ALL", "AS", "STRUCT", "VALUE"):
        i += 1
    item: list[Token] = []
    depth = 0
    while i < len(toks):
        t = toks[i]
        if t.text in ("(", "["):
            depth += 1
        elif t.text in (")", "]"):
            if depth == 0:
                break
            depth -= 1
        if depth == 0 and (t.text == "," or t.upper in ("FROM", "WHERE", "GROUP", "UNION", "ORDER", "LIMIT", "WINDOW")):
            names.update(_item_name(item))
            item = []
            if t.text != ",":
                break
        else:
            item.append(t)
        i += 1
    names.update(_item_name(item))
    return names


def _implicit_alias(prev: Token | None, nxt: Token | None) -> bool:
    """Whether a word between these tokens is an alias written without AS (`SELECT 9 x, ...`,
    `(a + b) x FROM`): it names a column and is not a variable."""
    return (
        prev is not None
        and (prev.kind in ("number", "string") or prev.text in (")", "]"))
        and (nxt is None or nxt.text in (",", ")") or nxt.upper in ("FROM", "WHERE", "GROUP", "ORDER", "LIMIT"))
    )


_NOT_AN_ALIAS_AFTER = {"AND", "OR", "NOT", "IS", "IN", "LIKE", "BETWEEN", "THEN", "ELSE", "WHEN", "CASE", "INTERVAL"}


def _item_name(item: list[Token]) -> set[str]:
    """A SELECT item's output name: its alias (with or without AS) or a column path's last part
    ("*" for `*` and `t.*`, whose columns the caller finds)."""
    if item and (item[0].text == "*" or (len(item) >= 3 and item[1].text == "." and item[2].text == "*")):
        return {"*"}  # `*`, `t.*`, also with EXCEPT (...) / REPLACE (...)
    if len(item) >= 2 and item[-1].kind in ("word", "quoted"):
        prev = item[-2]
        if prev.upper == "AS" or (
            prev.text != "."
            and prev.upper not in _NOT_AN_ALIAS_AFTER
            and (prev.kind != "punct" or prev.text in (")", "]"))
        ):
            return {item[-1].text.strip("`").lower()}
    if item and all(t.kind in ("word", "quoted") or t.text == "." for t in item) and item[-1].kind != "punct":
        return {item[-1].text.strip("`").split(".")[-1].lower()}
    return set()
