"""`ALTER TABLE t ADD COLUMN a STRING, ADD COLUMN b INT64, DROP COLUMN c, ALTER COLUMN d ...,
RENAME COLUMN e TO f`:
several actions in one statement, as BigQuery's DDL reference writes them.

DuckDB runs one action per ALTER ("Only one ALTER command per statement is supported"). Each
action is translated as an ALTER of its own and the statement's DuckDB SQL is those ALTERs in
order. An action whose translation is more than DuckDB SQL (`SET OPTIONS`, `RENAME TO`, a key
constraint) is refused by name beside others. Known difference: BigQuery applies all actions or
none; here a failing action leaves the ones before it applied (the error is still the statement's).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import sqlglot
from sqlglot import exp

from .googlesql import BigQueryError, Statement

_SPLIT = (exp.ColumnDef, exp.Drop, exp.AlterColumn, exp.RenameColumn)
"""ADD COLUMN, DROP COLUMN, ALTER COLUMN and RENAME COLUMN actions."""


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
            if isinstance(value, dict):
                options[key] = {**options.get(key, {}), **value}
            elif isinstance(value, list):
                options[key] = [*options.get(key, []), *value]
            else:
                options[key] = value
    return replace(parts[0], sql=";\n".join(p.sql for p in parts), options=options)


_NAME = r"(?:`[^`]+`|[\w\-:]+)"
_RENAME = re.compile(rf"\s*RENAME\s+COLUMN\s+(?:IF\s+EXISTS\s+)?{_NAME}\s+TO\s+{_NAME}\s*(?:,|;?\s*$)", re.I)
_TABLE = re.compile(rf"^\s*TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}(?:\.{_NAME})*\s+", re.I)


def several_renames(text: str) -> exp.Alter | None:
    """`ALTER TABLE t RENAME COLUMN a TO b, RENAME COLUMN IF EXISTS c TO d` (BigQuery's DDL
    reference writes it so; sqlglot parses one RENAME COLUMN only) as one ALTER of several
    actions; None for any other text. `text` is what follows ALTER."""
    head = _TABLE.match(text)
    if head is None:
        return None
    pieces, at = [], head.end()
    while at < len(text):
        m = _RENAME.match(text, at)
        if m is None:
            return None
        pieces.append(m.group(0).strip().rstrip(",;").strip())
        at = m.end()
    if len(pieces) < 2:
        return None
    parsed = [sqlglot.parse_one(f"ALTER {head.group(0)}{piece}", read="bigquery") for piece in pieces]
    alters = [p for p in parsed if isinstance(p, exp.Alter)]
    if len(alters) != len(parsed):
        return None
    alters[0].set("actions", [a for p in alters for a in p.args.get("actions") or []])
    return alters[0]
