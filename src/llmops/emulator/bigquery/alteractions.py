"""`ALTER TABLE t ADD COLUMN a STRING, ADD COLUMN b INT64, DROP COLUMN c, ALTER COLUMN d ...`:
several actions in one statement, as BigQuery's DDL reference writes them.

DuckDB runs one action per ALTER ("Only one ALTER command per statement is supported"). Each
action is translated as an ALTER of its own and the statement's DuckDB SQL is those ALTERs in
order. An action whose translation is more than DuckDB SQL (`SET OPTIONS`, `RENAME TO`, a key
constraint) is refused by name beside others. Known difference: BigQuery applies all actions or
none; here a failing action leaves the ones before it applied (the error is still the statement's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlglot import exp

from .googlesql import BigQueryError, Statement

_SPLIT = (exp.ColumnDef, exp.Drop, exp.AlterColumn)
"""ADD COLUMN, DROP COLUMN and ALTER COLUMN actions."""


def several_actions(stmt: exp.Alter, translate: Callable[[exp.Expression], Statement | None]) -> Statement | None:
    """One Statement running each action of a several-action ALTER TABLE in turn (None for an
    ALTER of one action, or of actions this does not split)."""
    actions = stmt.args.get("actions") or []
    if len(actions) < 2 or not all(isinstance(a, _SPLIT) for a in actions):
        return None
    parts: list[Statement] = []
    for action in actions:
        single = stmt.copy()
        single.set("actions", [action.copy()])
        part = translate(single)
        if part is None or part.statement_type != "ALTER_TABLE" or not part.sql:
            raise BigQueryError(
                f"ALTER TABLE with {action.sql('bigquery')} beside other actions is not supported by the local warehouse",
                fix="write that action as an ALTER TABLE statement of its own",
            )
        parts.append(part)
    options: dict[str, Any] = {}
    for part in parts:
        for key, value in part.options.items():
            options[key] = {**options.get(key, {}), **value} if isinstance(value, dict) else value
    return replace(parts[0], sql=";\n".join(p.sql for p in parts), options=options)
