"""Statements over wide BIGNUMERIC table columns, and DML writing BIGNUMERIC values beyond the
engine's DECIMAL(38, 18) (see bignumerics.py and docs/googlesql.md, "BIGNUMERIC at full precision").

A wide column is DuckDB's `STRUCT(__bignumeric BIGNUM)` holding the value times 10^38; the struct
is opaque to DuckDB's arithmetic, so what no rule here serves fails loudly. Before a statement is
translated, each use of a wide column (and each value written into one) that is served exactly is
replaced by a placeholder column (`__bnw_<n>`), which the translator passes through as a name of
unknown type; the placeholder's DuckDB text is put back into the translated SQL:

- comparisons (`=`, `!=`, `<`, `<=`, `>`, `>=`, `IS NOT DISTINCT FROM`, BETWEEN, IN of a list, IS
  NULL) of a wide column with another wide column, a numeric column (INT64, NUMERIC, BIGNUMERIC:
  widened exactly from its text), a numeric literal or NULL: decided on the structs, in the scaled
  domain (a FLOAT64 literal is coerced to BIGNUMERIC from its digits, ZetaSQL's literal coercion);
- MIN, MAX, COUNT (DISTINCT) of a wide column as an item of the top-level SELECT list (struct
  order), SUM, exact through BIGNUM and rewrapped (BigQuery's "BIGNUMERIC overflow" past its
  range), and AVG (the SUM's text divided by a Python UDF once a group, `AVG_UDF`); ORDER BY, GROUP BY and DISTINCT keep the bare column (the struct sorts and groups exactly);
- `+`, `-`, `*`, `/` and unary `-` of a wide value with another or with a numeric column or
  literal (`widearithmetic.py`: exact, rounded half away from zero at 38 decimals, BigQuery's
  overflow and division by zero), served wherever a wide column is; an aggregate of a wide value
  is a wide value in turn (`HAVING SUM(b) > 0`, `MAX(b) - MIN(b)`, `ORDER BY MAX(b)`);
- ABS, SIGN, ROUND, TRUNC, FLOOR, CEIL, SAFE_DIVIDE, DIV and MOD of a wide value: a wide value in
  turn (`widearithmetic.function`, `_function`);
- a wide value beside a FLOAT64 operand, or cast to FLOAT64: BigQuery coerces it to FLOAT64, so its
  exact text cast to DOUBLE takes its place and the translator does the rest (`_as_float`);
- `CAST(b AS STRING)` (and SAFE_CAST): the scaled integer's text with the point put back;
- STDDEV/VARIANCE (and _POP/_SAMP) of a wide value: FLOAT64 from the exact sums
  (`widefunctions.VARIANCE_UDF` over the group's list of scaled texts);
- MIN/MAX OVER (...) of a wide column as a SELECT item, COUNT OVER (...), and a wide column as a
  window's PARTITION BY or ORDER BY key: DuckDB's window over the struct itself; SUM/AVG/MIN/MAX
  OVER (...) of a wide value whose window's keys are columns (`_over` renders it): a wide value
  served where it is used, QUALIFY among them;
- a CTE (not RECURSIVE) or FROM/JOIN subquery of a SELECT: planned first as a scope of its own,
  its output columns (a wide one the struct) relations of the query that reads it (`_derive`);
- MERGE: its source table or subquery a relation, its conditions reads, each WHEN's UPDATE SET and
  INSERT (...) VALUES (...) written as below;
- INSERT ... VALUES / SELECT and UPDATE ... SET of BIGNUMERIC literals, NULL and numeric or wide
  columns (or a wide computation) into a BIGNUMERIC column: a value the column cannot hold makes it wide first (the
  ALTER runs in the write's transaction, `Plan.widen`), and every value written into a wide column
  is the struct of its scaled integer.

Anything else that meets a wide column (other casts, other functions, other windows, a scalar, IN or
EXISTS subquery, a set operation, MERGE's INSERT ROW, or a narrow computation inside the arithmetic) is the
named refusal. A table with no wide column pays nothing: the engine asks for a plan only where
a statement reads a wide column or INSERTs/UPDATEs a table that has a BIGNUMERIC column.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from . import bignumerics, widearithmetic, widefunctions

ColumnTypes = Mapping[str, tuple[str, str]]
"""A table's columns: lower-case name -> (name, DuckDB type), in the table's order."""
TableRef = tuple[str, str, str]

NARROW = "DECIMAL(38,18)"
WIDE = bignumerics.DUCKDB_TYPE
_PLACEHOLDER = "__bnw_{}"
_PLACEHOLDER_RE = re.compile(r'"?\b__bnw_(\d+)\b"?')
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")
_INTEGERS = {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT"}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ)
_AGGREGATES = (exp.Min, exp.Max, exp.Count, exp.Sum, exp.Avg)
_OPERATORS_OF: dict[type[exp.Expression], str] = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/"}
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Neg, exp.Paren)
_FUNCTIONS = (exp.Abs, exp.Sign, exp.Round, exp.Trunc, exp.Floor, exp.Ceil, exp.SafeDivide, exp.IntDiv, exp.Mod)
"""Functions of a wide value whose result is a BIGNUMERIC (`widearithmetic.function`)."""
_FLOAT_OPERATORS = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.SafeDivide)
"""Where a FLOAT64 operand makes BigQuery coerce a BIGNUMERIC to FLOAT64 (the result FLOAT64)."""
_FLOAT_TYPES = ("DOUBLE", "FLOAT")
_VARIANCES: dict[type[exp.Expression], str] = {
    exp.Stddev: "STDDEV_SAMP",
    exp.StddevSamp: "STDDEV_SAMP",
    exp.StddevPop: "STDDEV_POP",
    exp.Variance: "VAR_SAMP",
    exp.VariancePop: "VAR_POP",
}
_ROUNDING_MODES = {"ROUND_HALF_AWAY_FROM_ZERO": "ROUND", "ROUND_HALF_EVEN": "ROUND_HALF_EVEN"}
_WINDOW_NODES = (exp.Window, exp.WindowSpec, exp.Order, exp.Ordered, exp.Column, exp.Identifier, exp.Literal, exp.Var)
AVG_UDF = "__bq_bignumeric_avg"
"""AVG of a wide column: its scaled SUM's text and COUNT to the scaled mean's text (DuckDB's BIGNUM
divides only as a DOUBLE); called once a group."""


@dataclass
class Plan:
    """A statement to translate instead (`sql`, GoogleSQL with placeholders), the DuckDB text of
    each placeholder, and the ALTERs that widen columns before the write runs."""

    sql: str
    texts: list[str] = field(default_factory=list)
    widen: list[str] = field(default_factory=list)
    changed: bool = False
    """False: the statement is served as it is (`SELECT * FROM t`), no second translation."""
    udfs: set[str] = field(default_factory=set)
    """The engine UDFs the placeholders' texts call."""

    def substitute(self, duckdb_sql: str) -> str:
        """The translated SQL with each placeholder's DuckDB text put back."""
        return _PLACEHOLDER_RE.sub(lambda m: f"({self.texts[int(m.group(1))]})", duckdb_sql)


_DML = re.compile(r"^\s*(?:INSERT|UPDATE|MERGE)\b", re.IGNORECASE)


def may_write(sql: str) -> bool:
    """Whether `sql` may be one INSERT, UPDATE or MERGE (the writes planned here), cheaply from its text."""
    return _DML.match(sql) is not None


def plan(
    sql: str,
    types_of: Callable[[TableRef], ColumnTypes | None],
    resolve: Callable[[exp.Table], TableRef | None],
    widen: Callable[[TableRef, str], str],
) -> Plan | None:
    """The plan of one statement that reads a wide column or writes a BIGNUMERIC column, None
    where it needs none (nothing wide met, no literal to coerce); the named refusal where it
    would meet a wide column other than as served. `types_of`: a table's columns (None: missing);
    `resolve`: a table name's (project, dataset, table); `widen`: the ALTER that makes a column
    wide (it refuses by name where the column cannot be)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="bigquery") if s is not None]
    except (SqlglotError, TypeError, ValueError):  # sqlglot raises TypeError for some bad calls
        return None
    if len(statements) != 1 or not isinstance(
        statements[0], exp.Select | exp.Insert | exp.Update | exp.Delete | exp.Merge
    ):
        return None
    return _Planner(statements[0], types_of, resolve, widen).run()


class _Planner:
    def __init__(
        self,
        stmt: exp.Expression,
        types_of: Callable[[TableRef], ColumnTypes | None],
        resolve: Callable[[exp.Table], TableRef | None],
        widen: Callable[[TableRef, str], str],
        parent: _Planner | None = None,
    ):
        self.stmt = stmt
        self.types_of = types_of
        self.resolve = resolve
        self.widen_sql = widen
        self.out = Plan(sql="")
        self.changed = False
        self.handled: set[int] = set()  # ids of wide column nodes a write rule took care of
        # relation name (alias or table name, lower case) -> (ref, its columns)
        self.relations: dict[str, tuple[TableRef, ColumnTypes]] = {}
        self.wide_tables: set[str] = set()
        # placeholder name -> the scaled BIGNUM text of the served wide value it stands for (an
        # aggregate's, an arithmetic's), so enclosing rules can compute with it
        self.wide_values: dict[str, str] = {}
        self.float_values: set[str] = set()  # placeholders standing for a FLOAT64 (a coerced wide value)
        # the CTEs the statement sees, lower-case name -> their columns; the ids of the CTE
        # bodies and FROM/JOIN subqueries planned as scopes of their own (`_derive`)
        self.ctes: dict[str, ColumnTypes] = {}
        self.cte_names: set[str] = set()  # planned or not: a name that is not a table's
        self.served: set[int] = set()
        self.wide_seen = False  # a planned CTE or subquery read a wide column
        if parent is not None:  # a CTE's or a FROM subquery's SELECT: one plan, one set of placeholders
            self.out, self.wide_values, self.float_values = parent.out, parent.wide_values, parent.float_values
            self.ctes, self.cte_names = dict(parent.ctes), set(parent.cte_names)

    # ------------------------------------------------------------------ the statement

    def run(self) -> Plan | None:
        stmt = self.stmt
        target = self._target()
        scope = stmt.expression if isinstance(stmt, exp.Insert) else stmt
        if isinstance(stmt, exp.Insert) and not isinstance(scope, exp.Select | exp.Values):
            return None
        self._derive()
        self._relations(scope if isinstance(scope, exp.Select) else None, target)
        if isinstance(stmt, exp.Insert):
            self._insert(stmt, target)
        elif isinstance(stmt, exp.Update):
            self._update(stmt, target)
        elif isinstance(stmt, exp.Merge):
            self._merge(stmt, target)
        target_wide = target is not None and any(t == WIDE for _, t in target[2].values())
        if not self.wide_tables and not self.wide_seen and not target_wide and not self.changed:
            return None
        self._reads()
        self.out.sql = stmt.sql(dialect="bigquery")
        self.out.changed = self.changed
        return self.out

    def _derive(self) -> None:
        """Plan a SELECT's CTEs (not RECURSIVE) and FROM/JOIN subqueries first, each a scope of its
        own whose wide columns are served by the same rules; their output columns are relations
        of this one (a wide item stays the struct, a computed one is made one), so the outer
        query's uses of them are served or refused as a table's would be."""
        stmt = self.stmt
        if isinstance(stmt, exp.Merge):  # MERGE ... USING (SELECT ...) S: a scope of its own
            source = stmt.args.get("using")
            if isinstance(source, exp.Subquery) and isinstance(source.this, exp.Select):
                types = self._subscope(source.this)
                if types is not None and source.alias_or_name:
                    self._add_relation(source.alias_or_name.lower(), ("", "", source.alias_or_name), types)
            return
        if not isinstance(stmt, exp.Select):
            return
        with_ = stmt.args.get("with_")
        if with_ is not None:
            self.cte_names.update(cte.alias_or_name.lower() for cte in with_.expressions)
        if with_ is not None and not with_.args.get("recursive"):
            for cte in with_.expressions:
                if isinstance(cte.this, exp.Select):
                    types = self._subscope(cte.this)
                    if types is not None:
                        self.ctes[cte.alias_or_name.lower()] = types
        for source in [stmt.args.get("from_"), *(stmt.args.get("joins") or [])]:
            node = source.this if source is not None else None
            if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
                types = self._subscope(node.this)
                if types is not None:  # an unaliased one's columns are named bare
                    name = node.alias_or_name or f"__bnw_subquery_{len(self.relations)}"
                    self._add_relation(name.lower(), ("", "", name), types)

    def _subscope(self, select: exp.Select) -> ColumnTypes | None:
        """Plan one CTE body or FROM subquery; its output columns' types (None: not served, its
        wide tables are then the refusal as before)."""
        child = _Planner(select, self.types_of, self.resolve, self.widen_sql, parent=self)
        child._derive()
        child._relations(select, None)
        child._reads()
        outputs = child._outputs()
        if outputs is None:
            return None
        self.served.add(id(select))
        self.changed = self.changed or child.changed
        self.wide_seen = self.wide_seen or child.wide_seen or bool(child.wide_tables)
        return outputs

    def _outputs(self) -> ColumnTypes | None:
        """The columns a planned SELECT returns, lower-case name -> (name, DuckDB type): a wide
        one's the struct, a numeric one's its type, anything else `?`; None where a `*` with
        REPLACE would hide which is which."""
        out: dict[str, tuple[str, str]] = {}
        for item in self.stmt.expressions:
            node = item.this if isinstance(item, exp.Alias) else item
            star = node if isinstance(node, exp.Star) else node.this if isinstance(node, exp.Column) else None
            if isinstance(star, exp.Star):
                if star.args.get("replace"):
                    return None
                dropped = {c.name.lower() for c in star.args.get("except") or []}
                relations = (
                    [self.relations[node.table.lower()]]
                    if isinstance(node, exp.Column) and node.table.lower() in self.relations
                    else list(self.relations.values())
                )
                for _, types in relations:
                    out.update({k: v for k, v in types.items() if k not in dropped})
                continue
            name = item.alias_or_name
            if name:
                kind = self._column_type(node) if isinstance(node, exp.Column) else None
                out[name.lower()] = (name, kind or "?")
        return out

    def _inside_served(self, node: exp.Expression) -> bool:
        """Whether `node` is in a CTE body or FROM subquery planned as a scope of its own."""
        current: exp.Expr | None = node
        while current is not None and current is not self.stmt:
            if id(current) in self.served:
                return True
            current = current.parent
        return False

    def _target(self) -> tuple[str, TableRef, ColumnTypes] | None:
        stmt = self.stmt
        if isinstance(stmt, exp.Select):
            return None
        node = _target_node(stmt)
        if not isinstance(node, exp.Table):
            raise self._refuse()
        ref = self.resolve(node)
        types = self.types_of(ref) if ref is not None else None
        if ref is None or types is None:
            return None
        return (node.alias_or_name.lower(), ref, types)

    def _relations(self, select: exp.Select | None, target: tuple[str, TableRef, ColumnTypes] | None) -> None:
        """The tables, planned CTEs and FROM subqueries the statement reads (its own FROM/JOIN)
        and writes. A wide table or CTE anywhere else (a scalar, IN or EXISTS subquery, a set
        operation, a CTE not planned) is the refusal; so is any nested query that is not planned
        once a wide relation is met."""
        if target is not None and not isinstance(self.stmt, exp.Insert):  # INSERT's names are its query's
            self._add_relation(target[0], target[1], target[2])
        nested = False
        for table in self.stmt.find_all(exp.Table):
            if self._inside_served(table):
                continue
            own = self._own(table, select)
            if not table.db and table.name.lower() in self.cte_names:
                types = self.ctes.get(table.name.lower())
                if types is not None and own:
                    self._add_relation(table.alias_or_name.lower(), ("", "", table.name), types)
                elif types is not None and any(t == WIDE for _, t in types.values()):
                    raise self._refuse()  # a wide CTE read by a nested query (a scalar subquery, IN, EXISTS)
                continue
            ref = self.resolve(table)
            types = self.types_of(ref) if ref is not None else None
            if types is None or ref is None:
                continue
            own = self._own(table, select)
            if target is not None and table is _target_node(self.stmt):
                continue
            if any(t == WIDE for _, t in types.values()) and not own:
                raise self._refuse()
            if own:
                self._add_relation(table.alias_or_name.lower(), ref, types)
        for query in self.stmt.find_all(exp.Select, exp.With, exp.Subquery):
            if query is select or query is self.stmt or self._inside_served(query):
                continue
            if isinstance(query, exp.Subquery) and id(query.this) in self.served:
                continue
            if isinstance(query, exp.With) and all(id(c.this) in self.served for c in query.expressions):
                continue
            nested = True
        if nested and self.wide_tables:
            raise self._refuse()
        if isinstance(self.stmt, exp.Update) and self.stmt.args.get("from_") is not None and self.wide_tables:
            raise self._refuse()

    def _own(self, table: exp.Table, select: exp.Select | None) -> bool:
        """Whether a table is one the statement reads itself: its SELECT's FROM/JOIN, or the source
        table of a MERGE (`USING t S`)."""
        if isinstance(self.stmt, exp.Merge):
            return table.parent is self.stmt and table.arg_key == "using"
        return isinstance(table.parent, exp.From | exp.Join) and table.parent.parent is select

    def _add_relation(self, name: str, ref: TableRef, types: ColumnTypes) -> None:
        self.relations[name] = (ref, types)
        if any(t == WIDE for _, t in types.values()):
            self.wide_tables.add(name)

    # ------------------------------------------------------------------ columns

    def _column_type(self, column: exp.Column) -> str | None:
        """The DuckDB type of a column of the statement's own tables, None if it is not one."""
        if len(column.parts) > 2:
            return None
        if not column.table and column.name in self.wide_values:
            return WIDE
        name = column.name.lower()
        if column.table:
            found = self.relations.get(column.table.lower())
            return found[1][name][1] if found and name in found[1] else None
        hits = [types[name][1] for _, types in self.relations.values() if name in types]
        if len(hits) > 1 and WIDE in hits:
            raise self._refuse()  # ambiguous: DuckDB's own error would come, but not through a rewrite
        return hits[0] if len(hits) == 1 else None

    def _is_wide(self, node: exp.Expression) -> bool:
        return isinstance(node, exp.Column) and self._column_type(node) == WIDE

    def _ref(self, column: exp.Column) -> str:
        parts = [column.table, column.name] if column.table else [column.name]
        return ".".join('"' + p.replace('"', '""') + '"' for p in parts)

    def _widened(self, node: exp.Expression) -> str | None:
        """The DuckDB text of `node` as a wide struct, exactly; None where `_scaled` has none."""
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.Null):
            return "NULL"
        if isinstance(node, exp.Column) and node.name not in self.wide_values:
            kind = self._column_type(node)
            if kind == WIDE:
                return self._ref(node)
            return _widen_column(self._ref(node), kind) if kind is not None else None
        value = literal_value(node)
        if value is not None:
            stored = _stored(value)
            return _struct_literal(stored) if stored is not None else None
        scaled = self._scaled(node)
        return widearithmetic.wrapped(scaled) if scaled is not None else None

    def _scaled(self, node: exp.Expression) -> str | None:
        """The DuckDB text of `node`'s value times 10^38 as a BIGNUM (NULL stays NULL), exactly:
        a wide column, a numeric (INT64, NUMERIC, BIGNUMERIC) column, a numeric literal, NULL,
        a served wide value (a placeholder), or `+`, `-`, `*`, `/` and unary `-` of them with a
        wide operand (`widearithmetic.py`: BIGNUMERIC's rounding, overflow and division by
        zero); None for anything else (a narrow computation, whose own type BigQuery keeps)."""
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.Null):
            return "CAST(NULL AS BIGNUM)"
        if isinstance(node, exp.Column):
            if not node.table and node.name in self.wide_values:
                return f"({self.wide_values[node.name]})"
            kind = self._column_type(node)
            if kind == WIDE:
                return f"{self._ref(node)}.{bignumerics.FIELD}"
            return _scaled_column(self._ref(node), kind) if kind is not None else None
        value = literal_value(node)
        if value is not None:
            stored = _stored(value)
            return f"CAST('{bignumerics.scaled(stored)}' AS BIGNUM)" if stored is not None else None
        if not self._involves_wide(node):
            return None
        if (
            isinstance(node, exp.Min | exp.Max | exp.Sum | exp.Avg)
            and not isinstance(node.this, exp.Distinct)
            and self._in_aggregation(node)
        ):
            argument = self._scaled(node.this)  # MAX(b) - MIN(b): the second aggregate an operand
            return self._aggregate_value(node, argument) if argument is not None else None
        if isinstance(node, exp.Neg):
            operand = self._scaled(node.this)
            return widearithmetic.negated(operand) if operand is not None else None
        if isinstance(node, _FUNCTIONS):
            return self._function(node)
        if isinstance(node, exp.Window):
            return self._window_value(node)
        op = _OPERATORS_OF.get(type(node))
        if op is None or (isinstance(node, exp.Div) and (node.args.get("safe") or node.args.get("typed"))):
            return None
        left, right = self._scaled(node.this), self._scaled(node.expression)
        if left is None or right is None:
            return None
        self.out.udfs.add(widearithmetic.ARITHMETIC_UDF)
        return widearithmetic.binary(op, left, right)

    def _function(self, node: exp.Expression) -> str | None:
        """The scaled BIGNUM text of ABS, SIGN, FLOOR, CEIL, ROUND, TRUNC (digits an integer literal, ROUND's
        rounding mode a literal), SAFE_DIVIDE, DIV or MOD of a wide value: a BIGNUMERIC, as the
        GoogleSQL reference's return type tables give it; None for other arguments."""
        operand = self._scaled(node.this)
        if operand is None:
            return None
        if isinstance(node, exp.Abs):
            return widearithmetic.absolute(operand)
        if isinstance(node, exp.Sign):
            return widearithmetic.sign(operand)
        if isinstance(node, exp.Floor | exp.Ceil):
            if node.args.get("decimals") is not None or node.args.get("to") is not None:
                return None
            self.out.udfs.add(widearithmetic.ARITHMETIC_UDF)
            return widearithmetic.function("FLOOR" if isinstance(node, exp.Floor) else "CEIL", operand, "'0'")
        if isinstance(node, exp.Round | exp.Trunc):
            digits = _integer(node.args.get("decimals"))
            mode = node.args.get("truncate") if isinstance(node, exp.Round) else None
            op = "TRUNC" if isinstance(node, exp.Trunc) else "ROUND"
            if mode is not None:
                op = _ROUNDING_MODES.get(mode.name.upper(), "") if isinstance(mode, exp.Literal) else ""
            if digits is None or not op:
                return None
            self.out.udfs.add(widearithmetic.ARITHMETIC_UDF)
            return widearithmetic.function(op, operand, f"'{digits}'")
        argument = self._scaled(node.expression)
        if argument is None:
            return None
        op = "SAFE/" if isinstance(node, exp.SafeDivide) else "DIV" if isinstance(node, exp.IntDiv) else "MOD"
        self.out.udfs.add(widearithmetic.ARITHMETIC_UDF)
        return widearithmetic.function(op, operand, argument)

    def _is_float(self, node: exp.Expression) -> bool:
        """Whether `node` is a FLOAT64 the statement's text shows: a FLOAT64 column, a cast to
        FLOAT64, a wide value coerced to one, or arithmetic with one of them."""
        while isinstance(node, exp.Paren | exp.Neg):
            node = node.this
        if isinstance(node, exp.Column):
            if not node.table and node.name in self.float_values:
                return True
            return node.name not in self.wide_values and self._column_type(node) in _FLOAT_TYPES
        if isinstance(node, exp.Cast):
            return node.to.is_type(exp.DataType.Type.DOUBLE) and not node.to.expressions
        if isinstance(node, exp.Literal) and _inexact_text(node):
            value = literal_value(node)  # beyond BIGNUMERIC (`1e40`): no literal coercion, FLOAT64
            return value is not None and _stored(value) is None
        if isinstance(node, _FLOAT_OPERATORS):
            return self._is_float(node.this) or self._is_float(node.expression)
        return False

    def _beside_float(self, node: exp.Expression) -> bool:
        """Whether `node` is an operand of arithmetic or a comparison whose other operand is a
        FLOAT64: BigQuery coerces the BIGNUMERIC to FLOAT64 there."""
        parent = node.parent
        if not isinstance(parent, _FLOAT_OPERATORS + _COMPARISONS) or node.arg_key not in ("this", "expression"):
            return False
        if _is_assignment(parent):
            return False
        other = parent.expression if node.arg_key == "this" else parent.this
        return isinstance(other, exp.Expression) and self._is_float(other)

    def _as_float(self, node: exp.Expression, scaled: str) -> None:
        """Put a FLOAT64 placeholder for a wide value in `node`'s place: its exact text cast to
        DOUBLE (correctly rounded, as ZetaSQL converts a BIGNUMERIC to a double)."""
        placeholder = self._placeholder(node, f"CAST({_string_of(scaled)} AS DOUBLE)")
        self.float_values.add(placeholder.name)

    def _window_value(self, window: exp.Window) -> str | None:
        """The scaled BIGNUM text of SUM, AVG, MIN or MAX OVER (...) of a wide value, where the
        window is the statement's own and `_over` renders it; None otherwise."""
        aggregate = window.this
        if not isinstance(aggregate, exp.Sum | exp.Avg | exp.Min | exp.Max) or window.parent_select is not self.stmt:
            return None
        over = self._over(window)
        argument = self._scaled(aggregate.this) if over is not None else None
        if over is None or argument is None:
            return None
        return self._aggregate_value(aggregate, argument, over=f" OVER {over}")

    def _window(self, window: exp.Window, aggregate: exp.Expression, scaled: str) -> bool:
        """SUM, AVG, MIN or MAX OVER (...) of a wide value, a wide value served where it is used
        (`SUM(b) OVER (PARTITION BY g)`, `QUALIFY MAX(b) OVER () = b`); False where the window's
        text is not one this renders (a named window, a computed key)."""
        over = self._over(window)
        if over is None:
            return False
        value = self._aggregate_value(aggregate, scaled, over=f" OVER {over}")
        top_level = isinstance(self.stmt, exp.Select) and bignumerics.is_top_level_item(window, self.stmt)
        placeholder = self._placeholder(window, widearithmetic.wrapped(value), scaled=value)
        if not top_level:
            self._read(placeholder)
        return True

    def _over(self, window: exp.Window) -> str | None:
        """The DuckDB text of a window's `(PARTITION BY ... ORDER BY ... frame)` whose keys are
        columns of the statement's own relations (a wide one orders as its struct) and whose frame
        bounds are literals; None for anything else."""
        if window.args.get("alias") or window.args.get("over") != "OVER" or window.args.get("first") is not None:
            return None
        copy = window.copy()
        copy.set("this", exp.column("__bnv_arg"))
        for node in list(copy.walk()):
            if not isinstance(node, _WINDOW_NODES):
                return None
            if isinstance(node, exp.Column) and node is not copy.this:
                if len(node.parts) > 2 or node.name in self.wide_values or node.name in self.float_values:
                    return None
                if self._column_type(node) is None:
                    return None
                node.replace(exp.column(node.name, table=node.table or None, quoted=True))
        text = copy.sql(dialect="duckdb")
        head = "__bnv_arg OVER "
        return text[len(head) :] if text.startswith(head) else None

    def _involves_wide(self, node: exp.Expression) -> bool:
        return any(self._is_wide(c) for c in node.find_all(exp.Column))

    def _placeholder(self, node: exp.Expression, text: str, scaled: str | None = None) -> exp.Column:
        """Put a placeholder for `text` in `node`'s place; `scaled`: the value's scaled BIGNUM
        text where it is a wide value enclosing rules may compute with."""
        self.out.texts.append(text)
        placeholder = exp.column(_PLACEHOLDER.format(len(self.out.texts) - 1))
        if scaled is not None:
            self.wide_values[placeholder.name] = scaled
        stmt = self.stmt
        if isinstance(stmt, exp.Select) and node.parent is stmt and node.arg_key == "expressions":
            # an unaliased item of the SELECT list: BigQuery's name for it (f0_, ...) comes from a call
            node.replace(exp.func("COALESCE", placeholder))
        else:
            node.replace(placeholder)
        self.changed = True
        return placeholder

    # ------------------------------------------------------------------ reads

    def _reads(self) -> None:
        """Each wide column the writes left: served where a rule here serves it, else refused."""
        for column in list(self.stmt.find_all(exp.Column)):
            if column.parent is None and column is not self.stmt:
                continue  # replaced with its comparison
            if self._inside_served(column):
                continue  # its own scope's
            name = column.name.lower()
            if not column.table and name in self.wide_tables and name not in _all_columns(self.relations):
                raise self._refuse()  # the row as a value (`SELECT t FROM t`, `TO_JSON_STRING(t)`)
            if id(column) in self.handled or not _attached(column, self.stmt) or not self._is_wide(column):
                continue
            self._read(column)

    def _read(self, node: exp.Column) -> None:
        """Serve one wide value (a wide column, or a placeholder standing for a served wide
        value) where it is used, else the refusal. Arithmetic around it is computed exactly and
        served where the result is used; an aggregate of it is a wide value served in turn."""
        top: exp.Expression = node
        while isinstance(top.parent, _ARITHMETIC + _FUNCTIONS) and not self._beside_float(top):
            top = top.parent
        parent = top.parent
        stmt = self.stmt
        bare = top is node
        to_float = (
            parent
            if isinstance(parent, exp.Cast)
            and parent.to.is_type(exp.DataType.Type.DOUBLE)
            and not parent.to.expressions
            and not parent.args.get("format")
            else None
        )
        if (self._beside_float(top) or to_float is not None) and not _in_written_value(top):
            scaled = self._scaled(top)
            if scaled is None:
                raise self._refuse()
            self._as_float(to_float if to_float is not None else top, scaled)
            return
        served_bare = (
            (isinstance(stmt, exp.Select) and bignumerics.is_top_level_item(top, stmt))
            or (
                isinstance(parent, exp.Ordered)
                and isinstance(parent.parent, exp.Order)
                and parent.parent.parent is stmt
            )
            or (isinstance(parent, exp.Group) and parent.parent is stmt)
        )
        if served_bare:
            if not bare:
                text, scaled = self._widened(top), self._scaled(top)
                if text is None or scaled is None:
                    raise self._refuse()
                self._placeholder(top, text, scaled=scaled)
            return
        if isinstance(parent, _COMPARISONS) and not _is_assignment(parent):
            left, right = self._scaled(parent.this), self._scaled(parent.expression)
            if left is not None and right is not None:
                op = "IS NOT DISTINCT FROM" if isinstance(parent, exp.NullSafeEQ) else _OPERATORS[type(parent)]
                self._placeholder(parent, f"{left} {op} {right}")
                return
        scaled = self._scaled(top)
        if scaled is None:
            raise self._refuse()
        if (
            isinstance(parent, exp.Cast)
            and parent.to.is_type(exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR)
            and not parent.to.expressions
            and not parent.args.get("format")
        ):
            self._placeholder(parent, _string_of(scaled))
            return
        if isinstance(parent, exp.Is) and isinstance(parent.expression, exp.Null):
            self._placeholder(parent, f"{scaled} IS NULL")
            return
        if isinstance(parent, exp.Between) and parent.this is top:
            low, high = self._scaled(parent.args["low"]), self._scaled(parent.args["high"])
            if low is not None and high is not None:
                self._placeholder(parent, f"{scaled} BETWEEN {low} AND {high}")
                return
        if isinstance(parent, exp.In) and parent.this is top and not parent.args.get("query"):
            items = [self._scaled(e) for e in parent.expressions]
            if items and all(i is not None for i in items) and not parent.args.get("unnest"):
                self._placeholder(parent, f"{scaled} IN ({', '.join(i for i in items if i)})")
                return
        if bare and self._in_window(node, stmt):
            return
        if isinstance(parent, exp.Sum | exp.Avg | exp.Min | exp.Max) and isinstance(parent.parent, exp.Window):
            window = parent.parent
            if window.parent_select is stmt and isinstance(stmt, exp.Select) and self._window(window, parent, scaled):
                return
            raise self._refuse()
        name = _VARIANCES.get(type(parent)) if isinstance(parent, exp.Expression) else None
        if (
            name is not None
            and isinstance(parent, exp.Expression)
            and isinstance(stmt, exp.Select)
            and self._in_aggregation(parent)
        ):
            self.out.udfs.add(widefunctions.VARIANCE_UDF)
            placeholder = self._placeholder(
                parent, f"{widefunctions.VARIANCE_UDF}('{name}', LIST(CAST({scaled} AS VARCHAR)))"
            )
            self.float_values.add(placeholder.name)
            return
        aggregate = parent.parent if isinstance(parent, exp.Distinct) else parent
        if isinstance(aggregate, _AGGREGATES) and isinstance(stmt, exp.Select) and self._in_aggregation(aggregate):
            distinct = isinstance(parent, exp.Distinct)
            if isinstance(parent, exp.Distinct) and (
                not isinstance(aggregate, exp.Count) or len(parent.expressions) != 1
            ):
                raise self._refuse()
            self._aggregate(aggregate, scaled, distinct)
            return
        raise self._refuse()

    def _in_window(self, column: exp.Column, stmt: exp.Expression) -> bool:
        """Whether a bare wide column is served by DuckDB's window over the struct itself (exact:
        the struct orders, partitions and counts as the value does): the argument of MIN, MAX or
        COUNT OVER (...) that is an item of the SELECT list (its value the struct), or a PARTITION
        BY or ORDER BY key of a window of the statement."""
        parent = column.parent
        if isinstance(parent, exp.Window) and column.arg_key == "partition_by":
            return parent.parent_select is stmt
        if isinstance(parent, exp.Ordered) and isinstance(parent.parent, exp.Order):
            window = parent.parent.parent
            return isinstance(window, exp.Window) and window.parent_select is stmt
        window = parent.parent if isinstance(parent, exp.Min | exp.Max | exp.Count) else None
        if not isinstance(window, exp.Window) or window.parent_select is not stmt or not isinstance(stmt, exp.Select):
            return False
        return isinstance(parent, exp.Count) or bignumerics.is_top_level_item(window, stmt)

    def _in_aggregation(self, aggregate: exp.Expression) -> bool:
        """Whether an aggregate call is one of the statement's own groups' (its SELECT list,
        HAVING, ORDER BY), not a window's or a filter's."""
        if isinstance(aggregate.parent, exp.Window):
            return False
        node: exp.Expr | None = aggregate
        while node is not None and node.parent is not self.stmt:
            if isinstance(node, exp.Window | exp.Select | exp.Subquery):
                return False
            node = node.parent
        return node is not None and node.arg_key in ("expressions", "having", "order")

    def _aggregate(self, node: exp.Expression, scaled: str, distinct: bool) -> None:
        """An aggregate of a wide value, itself a wide value served where it is used (COUNT is an
        INT64, served as it is)."""
        if isinstance(node, exp.Count):
            self._placeholder(node, f"COUNT({'DISTINCT ' if distinct else ''}{scaled})")
            return
        value = self._aggregate_value(node, scaled)
        top_level = isinstance(self.stmt, exp.Select) and bignumerics.is_top_level_item(node, self.stmt)
        placeholder = self._placeholder(node, widearithmetic.wrapped(value), scaled=value)
        if not top_level:
            self._read(placeholder)  # HAVING SUM(b) > 0, SUM(b) * 2, ORDER BY MAX(b)

    def _aggregate_value(self, node: exp.Expression, scaled: str, over: str = "") -> str:
        """The scaled BIGNUM text of MIN, MAX, SUM or AVG of a wide value (`scaled`); `over`: a
        window's ` OVER (...)` text, for each aggregate call."""
        if isinstance(node, exp.Sum):
            total = "__bnv_v"
            return (
                f"list_transform([SUM({scaled}){over}], lambda {total}: CASE WHEN {total} > {widearithmetic.MAX_SQL} "
                f"OR {total} < {widearithmetic.MIN_SQL} "
                f"THEN error('BIGNUMERIC overflow: SUM of BIGNUMERIC values') ELSE {total} END)[1]"
            )
        if isinstance(node, exp.Avg):
            self.out.udfs.add(AVG_UDF)
            return (
                f"CASE WHEN COUNT({scaled}){over} = 0 THEN NULL ELSE "
                f"CAST({AVG_UDF}(CAST(SUM({scaled}){over} AS VARCHAR), COUNT({scaled}){over}) AS BIGNUM) END"
            )
        return f"{'MIN' if isinstance(node, exp.Min) else 'MAX'}({scaled}){over}"

    # ------------------------------------------------------------------ writes

    def _insert(self, stmt: exp.Insert, target: tuple[str, TableRef, ColumnTypes] | None) -> None:
        if target is None:
            return
        _, ref, types = target
        schema = stmt.this
        if isinstance(schema, exp.Schema) and schema.expressions:
            names = [c.name.lower() for c in schema.expressions]
        else:
            names = list(types)
        source = stmt.expression
        if isinstance(source, exp.Values):
            rows = [list(t.expressions) if isinstance(t, exp.Tuple) else [t] for t in source.expressions]
        else:
            assert isinstance(source, exp.Select)
            items = [e.this if isinstance(e, exp.Alias) else e for e in source.expressions]
            if any(isinstance(e, exp.Star) for e in items):
                if self.wide_tables or any(types.get(n, ("", ""))[1] == WIDE for n in names):
                    raise self._refuse()
                return
            rows = [items]
        for i, name in enumerate(names):
            if name not in types:
                continue
            self._write_column(ref, types[name], [row[i] for row in rows if i < len(row)])

    def _update(self, stmt: exp.Update, target: tuple[str, TableRef, ColumnTypes] | None) -> None:
        if target is None:
            return
        _, ref, types = target
        for assignment in stmt.expressions:
            if not isinstance(assignment, exp.EQ) or not isinstance(assignment.this, exp.Column):
                continue
            name = assignment.this.name.lower()
            if name in types:
                self._write_column(ref, types[name], [assignment.expression])
                self.handled.add(id(assignment.this))

    def _merge(self, stmt: exp.Merge, target: tuple[str, TableRef, ColumnTypes] | None) -> None:
        """A MERGE's writes: each WHEN's `UPDATE SET c = v` and `INSERT (c, ...) VALUES (v, ...)`
        as UPDATE's and INSERT's are; its ON and WHEN conditions are reads. `INSERT ROW` or an
        INSERT without its columns named is the refusal where a wide column is involved."""
        if target is None:
            return
        _, ref, types = target
        whens = stmt.args.get("whens")
        target_wide = any(t == WIDE for _, t in types.values())
        for when in whens.expressions if whens is not None else []:
            then = when.args.get("then")
            if isinstance(then, exp.Update):
                for assignment in then.expressions:
                    if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
                        name = assignment.this.name.lower()
                        if name in types:
                            self._write_column(ref, types[name], [assignment.expression])
                            self.handled.add(id(assignment.this))
            elif isinstance(then, exp.Insert):
                names, values = then.this, then.expression
                if not isinstance(names, exp.Tuple) or not isinstance(values, exp.Tuple):
                    if target_wide or self.wide_tables:
                        raise self._refuse()
                    continue
                for column, value in zip(names.expressions, values.expressions, strict=False):
                    name = column.name.lower() if isinstance(column, exp.Column) else ""
                    if name in types:
                        self._write_column(ref, types[name], [value])
                        self.handled.add(id(column))

    def _write_column(self, ref: TableRef, column: tuple[str, str], values: list[exp.Expression]) -> None:
        """The values written into one column: a BIGNUMERIC column made wide where a value needs
        it, each value written into a wide column as its struct; a wide value into another
        column is the refusal (by the read rules)."""
        name, kind = column
        if kind not in (NARROW, WIDE):
            return
        wide_needed = kind == WIDE
        plans: list[tuple[exp.Expression, decimal.Decimal | None]] = []
        for value in values:
            number = literal_value(value)
            stored = _stored(number) if number is not None else None
            if stored is not None and not bignumerics.fits_engine(stored):
                wide_needed = True
            if isinstance(value, exp.Column) and self._column_type(value) == WIDE:
                wide_needed = True
            elif number is None and self._involves_wide(value) and self._scaled(value) is not None:
                wide_needed = True  # a computed wide value (`SET b = S.b * 2`)
            plans.append((value, stored))
        if not wide_needed:
            for value, stored in plans:
                if stored is not None and _inexact_text(value):
                    # a FLOAT64 literal coerced to BIGNUMERIC from its digits, not through a DOUBLE
                    value.replace(exp.cast(exp.Literal.string(_text(stored)), exp.DataType.build("BIGNUMERIC")))
                    self.changed = True
            return
        if kind == NARROW:
            self.out.widen.append(self.widen_sql(ref, name))
        for value, _ in plans:
            text = self._widened(value)
            if text is None:
                raise refusal(
                    f"writing a computed value, or one beyond BIGNUMERIC's range, into BIGNUMERIC column {name}"
                )
            if isinstance(value, exp.Column) and self._column_type(value) == WIDE:
                self.handled.add(id(value))
                continue
            if isinstance(value, exp.Null):
                continue
            self._placeholder(value, text)
        self.changed = True

    def _refuse(self) -> Exception:
        held = ", ".join(sorted(self.wide_tables)) or "the table"
        return refusal(f"this use of a BIGNUMERIC column of {held} that holds one")


def refusal(what: str) -> Exception:
    """The named refusal of a use of a wide BIGNUMERIC column that no rule here serves."""
    from .googlesql import BigQueryError

    return BigQueryError(
        f"{what}: a BIGNUMERIC value beyond DECIMAL(38, 18) (more than 20 integer or 18 decimal digits) is "
        "served by the local warehouse only as a selected value, compared with and added, subtracted, "
        "multiplied or divided by numeric columns and literals (FLOAT64 ones as a FLOAT64), cast to STRING or "
        "FLOAT64, in ORDER BY, GROUP BY and DISTINCT, through ABS, SIGN, ROUND, TRUNC, FLOOR, CEIL, SAFE_DIVIDE, "
        "DIV and MOD, "
        "through MIN, MAX, COUNT, SUM, AVG, STDDEV and VARIANCE, and through MIN, MAX, SUM and AVG OVER a "
        "window of column keys; anything else done with it is not supported by the local warehouse",
        fix="keep BIGNUMERIC values within 20 integer and 18 decimal digits here, or run the query on BigQuery",
    )


_OPERATORS = {exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}


def _integer(node: exp.Expression | None) -> int | None:
    """The value of an integer literal (`2`, `-1`); 0 where there is none (ROUND(x)); None for
    anything else."""
    if node is None:
        return 0
    negative = False
    while isinstance(node, exp.Neg | exp.Paren):
        negative = negative != isinstance(node, exp.Neg)
        node = node.this
    if not isinstance(node, exp.Literal) or node.is_string or not node.this.isdigit():
        return None
    return -int(node.this) if negative else int(node.this)


def _target_node(stmt: exp.Expression) -> exp.Expression | None:
    """The table a DML statement writes (BigQuery's `DELETE dataset.table WHERE ...` has no FROM)."""
    node = stmt.this if isinstance(stmt, exp.Insert | exp.Update | exp.Delete | exp.Merge) else None
    if not isinstance(node, exp.Expression) and isinstance(stmt, exp.Delete) and stmt.args.get("tables"):
        node = stmt.args["tables"][0]
    return node.this if isinstance(node, exp.Schema) else node if isinstance(node, exp.Expression) else None


def _is_assignment(node: exp.Expr) -> bool:
    """Whether `node` is an UPDATE's (or a MERGE's WHEN ... UPDATE's) `SET c = v`, not a comparison."""
    return isinstance(node, exp.EQ) and isinstance(node.parent, exp.Update)


def _in_written_value(node: exp.Expression) -> bool:
    """Whether `node` is inside a value an UPDATE or MERGE assigns or an INSERT's VALUES writes:
    a FLOAT64 there would be written into the column as it is (BigQuery: a type error)."""
    current: exp.Expr | None = node
    while current is not None and current.parent is not None:
        parent = current.parent
        if _is_assignment(parent) and current.arg_key == "expression":
            return True
        if isinstance(parent, exp.Tuple) and isinstance(parent.parent, exp.Values | exp.Insert):
            return True
        current = parent
    return False


def _attached(node: exp.Expression, root: exp.Expression) -> bool:
    """Whether `node` is still in the tree below `root` (not replaced by a placeholder)."""
    current: exp.Expr | None = node
    while current is not None:
        if current is root:
            return True
        current = current.parent
    return False


def _all_columns(relations: Mapping[str, tuple[TableRef, ColumnTypes]]) -> set[str]:
    return {c for _, types in relations.values() for c in types}


def literal_value(node: exp.Expression) -> decimal.Decimal | None:
    """The value of a numeric literal (`42`, `42e30`, `-1.5`), a `BIGNUMERIC '...'`/`NUMERIC
    '...'` literal or a cast of a string literal to them; None for anything else."""
    negative = False
    while isinstance(node, exp.Neg | exp.Paren):
        if isinstance(node, exp.Neg):
            negative = not negative
        node = node.this
    text: str | None = None
    if isinstance(node, exp.Literal) and not node.is_string:
        text = node.this
    elif (
        isinstance(node, exp.Cast)
        and isinstance(node.this, exp.Literal)
        and node.this.is_string
        and node.to.is_type(exp.DataType.Type.BIGDECIMAL, exp.DataType.Type.DECIMAL)
        and not node.to.expressions
        and not node.args.get("format")
    ):
        text = node.this.this
    if text is None:
        return None
    try:
        value = decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value.copy_negate() if negative else value  # not -value: it rounds to 28 digits


def _inexact_text(node: exp.Expression) -> bool:
    """A FLOAT64 literal (`1.5`, `42e30`): DuckDB would go through a DOUBLE."""
    while isinstance(node, exp.Neg | exp.Paren):
        node = node.this
    return isinstance(node, exp.Literal) and not node.is_string and not node.this.lstrip("-").isdigit()


def _stored(value: decimal.Decimal) -> decimal.Decimal | None:
    """The value BigQuery's BIGNUMERIC stores (rounded half away from zero to 38 decimals); None
    for one BIGNUMERIC does not hold or the engine does not store (10^38 and beyond)."""
    try:
        stored = bignumerics.stored_value(value, nested=False)
    except ValueError:
        return None
    except Exception:  # the refusal of 39 integer digits
        return None
    return stored


def _text(value: decimal.Decimal) -> str:
    return format(value, "f")


def _struct_literal(value: decimal.Decimal) -> str:
    return f"{{'{bignumerics.FIELD}': CAST('{bignumerics.scaled(value)}' AS BIGNUM)}}"


def scaled_average(total: str, count: int) -> str:
    """The mean of values whose scaled sum is `total` (text) over `count` of them, scaled, rounded
    half away from zero to 38 decimals as BigQuery rounds a BIGNUMERIC."""
    whole, rest = divmod(abs(int(total)), count)
    if 2 * rest >= count:
        whole += 1
    return str(-whole if total.startswith("-") else whole)


def _string_of(scaled: str) -> str:
    """`CAST(b AS STRING)` of a wide value (`scaled`: its scaled BIGNUM's text): the scaled
    integer's digits with the point put back 38 from the right, no leading zeros before it or
    trailing zeros after it (BigQuery's text of a BIGNUMERIC: `42000000000000000000000000000000`,
    `0.00000000000000000000000000000000000001`, `-1.5`). Each value's BIGNUM is turned into text
    once (a lambda binds it)."""
    s, d = "__bnv_s", "__bnv_d"
    digits = f"repeat('0', greatest(0, 39 - length(ltrim({s}, '-')))) || ltrim({s}, '-')"
    whole = f"ltrim({d}[1:length({d}) - 38], '0')"
    fraction = f"rtrim({d}[length({d}) - 37:], '0')"
    text = (
        f"(CASE WHEN {s}[1] = '-' THEN '-' ELSE '' END) || (CASE WHEN {whole} = '' THEN '0' ELSE {whole} END) "
        f"|| (CASE WHEN {fraction} = '' THEN '' ELSE '.' || {fraction} END)"
    )
    return (
        f"list_transform([CAST({scaled} AS VARCHAR)], lambda {s}: CASE WHEN {s} IS NULL THEN NULL "
        f"ELSE list_transform([{digits}], lambda {d}: {text})[1] END)[1]"
    )


def _scaled_column(ref: str, kind: str) -> str | None:
    """A numeric column's values times 10^38 as BIGNUMs, exactly from their text: an integer's
    digits with 38 zeros appended, a DECIMAL(p, s)'s (DuckDB writes all s decimals) with 38 - s;
    NULL stays NULL."""
    if kind in _INTEGERS:
        digits, zeros = f"CAST({ref} AS VARCHAR)", bignumerics.SCALE
    elif (m := _DECIMAL.fullmatch(kind.replace(" ", ""))) is not None and int(m.group(2)) <= bignumerics.SCALE:
        digits, zeros = f"replace(CAST({ref} AS VARCHAR), '.', '')", bignumerics.SCALE - int(m.group(2))
    else:
        return None
    return f"CAST({digits} || '{'0' * zeros}' AS BIGNUM)"


def _widen_column(ref: str, kind: str) -> str | None:
    """A numeric column's values as the wide struct (`_scaled_column`'s, NULL a NULL struct)."""
    scaled = _scaled_column(ref, kind)
    if scaled is None:
        return None
    return f"CASE WHEN {ref} IS NULL THEN NULL ELSE {{'{bignumerics.FIELD}': {scaled}}} END"
