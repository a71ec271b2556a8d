"""Unquoted dashed names (`my-project.dataset.name`) where GoogleSQL allows them: table names only.

GoogleSQL's grammar reads a dashed first part in the name of a table it reads or writes (FROM,
INSERT, UPDATE, DELETE, MERGE, CREATE/DROP TABLE and VIEW, ...), but the name of a function, table
function or procedure, in its CREATE or in a call, is a plain path: `CREATE TABLE FUNCTION
my-project.ds.f() AS ...` is "Syntax error: Expected (" and `FROM my-project.ds.f()` a syntax error
on BigQuery. sqlglot reads the dashes everywhere, so both ran here.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all


def _dashed_part(table: exp.Table) -> str | None:
    for key in ("catalog", "db", "this"):
        part = table.args.get(key)
        if isinstance(part, exp.Identifier) and not part.quoted and "-" in part.name:
            return part.name
    return None


def refuse_dashed_routine_names(stmt: exp.Expr) -> None:
    """Refuse a function's, table function's or procedure's name with an unquoted dash, created
    or called, as BigQuery's parser does."""
    from .googlesql import BigQueryError

    for node in find_all(stmt, exp.UserDefinedFunction, exp.Table):
        if isinstance(node, exp.UserDefinedFunction):
            table = node.this
        elif isinstance(node.this, exp.Func):  # a table function called in FROM
            table = node
        else:
            continue
        if not isinstance(table, exp.Table) or (dashed := _dashed_part(table)) is None:
            continue
        raise BigQueryError(
            f"Syntax error: Expected ( after {dashed.split('-', 1)[0]}: a routine name cannot contain an unquoted '-'",
            fix=f"quote the name part with backticks, `{dashed}`: unquoted dashes are allowed in table names only",
        )
