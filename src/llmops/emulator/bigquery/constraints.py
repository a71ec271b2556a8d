"""Primary and foreign keys: `PRIMARY KEY (c) NOT ENFORCED` and `[CONSTRAINT name] FOREIGN KEY (c)
REFERENCES t(k) NOT ENFORCED` in CREATE TABLE, `ALTER TABLE ... ADD PRIMARY KEY / ADD [CONSTRAINT
name] FOREIGN KEY / DROP PRIMARY KEY / DROP CONSTRAINT`.

As in BigQuery they are never enforced: they are kept as the table's REST `tableConstraints`
(through ddlopts, so `tables.get` shows them and a REST update replaces them) and listed by
INFORMATION_SCHEMA.TABLE_CONSTRAINTS and KEY_COLUMN_USAGE (`infoschema.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import duckdb
from sqlglot import exp

from .googlesql import BigQueryInvalid, BigQueryNotFound, Statement

if TYPE_CHECKING:
    from .engine import BigQueryEngine

MAX_KEY_COLUMNS = 16
MAX_FOREIGN_KEYS = 64
KEY_TYPES = frozenset(
    {"BIGNUMERIC", "BOOL", "BOOLEAN", "DATE", "DATETIME", "INT64", "INTEGER", "NUMERIC", "STRING", "TIMESTAMP"}
)
"""The column types BigQuery's keys may have."""


def take_from_create(stmt: exp.Create, ctx: Any) -> dict[str, Any] | None:
    """Remove the key constraints from a CREATE TABLE's column list (DuckDB would enforce them);
    their REST `tableConstraints`, or None where there are none."""
    from .tablekinds import _resolve_name

    schema = stmt.this
    if not isinstance(schema, exp.Schema) or not any(_is_key(item) for item in schema.expressions):
        return None
    home = _resolve_name(schema.this.sql("bigquery"), ctx)[:2]
    primary: list[str] | None = None
    foreign: list[dict[str, Any]] = []
    keep = []
    for item in schema.expressions:
        if isinstance(item, exp.PrimaryKey):
            primary = _primary(primary, [i.name for i in item.expressions], item.args.get("options"))
        elif isinstance(item, exp.ForeignKey):
            foreign.append(_foreign(None, item, home))
        elif isinstance(item, exp.Constraint) and any(isinstance(e, exp.ForeignKey) for e in item.expressions):
            foreign.extend(_foreign(item.name, e, home) for e in item.expressions if isinstance(e, exp.ForeignKey))
        elif isinstance(item, exp.Constraint) and any(isinstance(e, exp.PrimaryKey) for e in item.expressions):
            raise BigQueryInvalid("Primary keys cannot be named", fix="write PRIMARY KEY (c) NOT ENFORCED")
        else:
            if isinstance(item, exp.ColumnDef):
                others = []
                for constraint in item.args.get("constraints") or []:
                    kind = constraint.args.get("kind")
                    if isinstance(kind, exp.PrimaryKeyColumnConstraint):
                        primary = _primary(primary, [item.name], kind.args.get("options"))
                    elif isinstance(kind, exp.Reference):
                        foreign.append(_reference(None, [item.name], kind, home))
                    else:
                        others.append(constraint)
                item.set("constraints", others)
            keep.append(item)
    if primary is None and not foreign:
        return None
    schema.set("expressions", keep)
    columns = {c.name.lower(): c for c in keep if isinstance(c, exp.ColumnDef)}
    if columns:  # CREATE TABLE ... AS SELECT without a column list: checked when it has run
        check_columns(_constraints(primary, foreign), {n: c.args["kind"].sql("bigquery") for n, c in columns.items()})
    return _constraints(primary, foreign)


def alter_statement(stmt: exp.Alter, target: tuple[str, str, str]) -> Statement | None:
    """ALTER TABLE's ADD PRIMARY KEY / ADD FOREIGN KEY / DROP PRIMARY KEY / DROP CONSTRAINT as a
    Statement `run_alter` executes; None for other ALTERs."""
    actions = stmt.args.get("actions") or []
    if len(actions) != 1:
        return None
    action = actions[0]
    change: dict[str, Any]
    if isinstance(action, exp.AddConstraint):
        inner = action.expressions[0] if action.expressions else None
        if isinstance(inner, exp.PrimaryKey):
            change = {"add_primary": _primary(None, [i.name for i in inner.expressions], inner.args.get("options"))}
        elif (
            isinstance(inner, exp.Constraint) and inner.expressions and isinstance(inner.expressions[0], exp.ForeignKey)
        ):
            change = {"add_foreign": _foreign(inner.name, inner.expressions[0], target[:2])}
        elif isinstance(inner, exp.ForeignKey):
            change = {"add_foreign": _foreign(None, inner, target[:2])}
        else:
            return None
    elif isinstance(action, exp.Drop) and str(action.args.get("kind") or "").upper() == "CONSTRAINT":
        names = action.args.get("tables") or []
        if len(names) != 1:
            return None
        change = {"drop_constraint": names[0].name, "key_if_exists": bool(action.args.get("exists"))}
    elif isinstance(action, exp.Command) and str(action.this).upper() == "DROP":
        upper = str(action.expression).upper().split()
        if upper[:2] != ["PRIMARY", "KEY"]:
            return None
        change = {"drop_primary": True, "key_if_exists": upper[2:] == ["IF", "EXISTS"]}
    else:
        return None
    return Statement(
        sql="",
        statement_type="ALTER_TABLE_CONSTRAINTS",
        target=target,
        tables=(target,),
        options={**change, "if_exists": bool(stmt.args.get("exists"))},
    )


def run_alter(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, stmt: Statement, info: dict[str, Any]) -> None:
    """Apply an ALTER TABLE key change to the table's stored `tableConstraints`."""
    from . import ddlopts

    project, dataset, table = stmt.target  # type: ignore[misc]
    o = stmt.options
    have = dict(((info.get("features") or {}).get("ddl_fields") or {}).get("tableConstraints") or {})
    foreign = list(have.get("foreignKeys") or [])
    if o.get("add_primary") is not None:
        if have.get("primaryKey"):
            raise BigQueryInvalid(
                f"Table {project}:{dataset}.{table} already has a primary key",
                fix="drop it first: ALTER TABLE ... DROP PRIMARY KEY",
            )
        have["primaryKey"] = {"columns": o["add_primary"]}
    elif o.get("add_foreign") is not None:
        new = o["add_foreign"]
        if new.get("name") and any(str(f.get("name", "")).lower() == new["name"].lower() for f in foreign):
            raise BigQueryInvalid(
                f"Constraint {new['name']} already exists on table {project}:{dataset}.{table}",
                fix="give the foreign key another name",
            )
        foreign.append(new)
    elif o.get("drop_primary"):
        if not have.get("primaryKey"):
            if o.get("key_if_exists"):
                return
            raise BigQueryInvalid(
                f"Table {project}:{dataset}.{table} has no primary key", fix="use DROP PRIMARY KEY IF EXISTS"
            )
        have.pop("primaryKey")
    else:
        name = str(o["drop_constraint"])
        left = [f for f in foreign if str(f.get("name", "")).lower() != name.lower()]
        if len(left) == len(foreign):
            if o.get("key_if_exists"):
                return
            raise BigQueryNotFound(
                f"Constraint {name} not found in table {project}:{dataset}.{table}",
                fix="list the constraints in INFORMATION_SCHEMA.TABLE_CONSTRAINTS",
            )
        foreign = left
    if foreign:
        have["foreignKeys"] = foreign
    else:
        have.pop("foreignKeys", None)
    check_columns(have, {f["name"].lower(): f["type"] for f in info["schema"]})
    check_references(engine, con, project, dataset, table, have)
    ddlopts.store(con, project, dataset, table, {"tableConstraints": have or None})


def check_columns(constraints: dict[str, Any], types: dict[str, str]) -> None:
    """Keys name existing top-level columns of key types (`types`: lower-case name -> type)."""
    lower = {k.lower(): v for k, v in types.items()}
    referencing = [r["referencingColumn"] for f in constraints.get("foreignKeys") or [] for r in f["columnReferences"]]
    for column in [*((constraints.get("primaryKey") or {}).get("columns") or []), *referencing]:
        kind = lower.get(column.lower())
        if kind is None:
            raise BigQueryInvalid(
                f"Column {column} in a key constraint is not a column of the table",
                fix="name top-level columns of the table in PRIMARY KEY / FOREIGN KEY",
            )
        base = kind.split("(")[0].split("<")[0].strip().upper()
        if base not in KEY_TYPES:
            raise BigQueryInvalid(
                f"Column {column} of type {kind} cannot be part of a key constraint",
                fix="keys may be INT64, STRING, NUMERIC, BIGNUMERIC, BOOL, DATE, DATETIME or TIMESTAMP columns",
            )


def check_references(
    engine: BigQueryEngine,
    con: duckdb.DuckDBPyConnection,
    project: str,
    dataset: str,
    table: str,
    constraints: dict[str, Any],
) -> None:
    """Each foreign key names another table of the same dataset, and columns it has."""
    for key in constraints.get("foreignKeys") or []:
        ref = key["referencedTable"]
        ref_project = ref.get("projectId") or project
        ref_dataset = ref.get("datasetId") or dataset
        if (ref_project, ref_dataset) != (project, dataset):
            raise BigQueryInvalid(
                "A foreign key must reference a table in the same dataset",
                fix=f"reference a table of {project}.{dataset}",
            )
        if ref["tableId"].lower() == table.lower():
            raise BigQueryInvalid("A foreign key cannot reference its own table", fix="reference another table")
        ref["projectId"], ref["datasetId"] = ref_project, ref_dataset
        info = engine._table_info(con, ref_project, ref_dataset, ref["tableId"])  # Not found: Table ...
        names = {f["name"].lower() for f in info["schema"]}
        for pair in key["columnReferences"]:
            if pair["referencedColumn"].lower() not in names:
                raise BigQueryInvalid(
                    f"Column {pair['referencedColumn']} referenced by a foreign key is not a column of "
                    f"{ref_project}:{ref_dataset}.{ref['tableId']}",
                    fix="reference columns of that table",
                )


def _constraints(primary: list[str] | None, foreign: list[dict[str, Any]]) -> dict[str, Any]:
    if len(foreign) > MAX_FOREIGN_KEYS:
        raise BigQueryInvalid(
            f"A table can have at most {MAX_FOREIGN_KEYS} foreign keys", fix="define fewer foreign keys"
        )
    out: dict[str, Any] = {}
    if primary is not None:
        out["primaryKey"] = {"columns": primary}
    if foreign:
        out["foreignKeys"] = foreign
    return out


def _not_enforced(options: Any, what: str) -> None:
    words = " ".join(str(o) for o in options or []).upper()
    if "NOT ENFORCED" not in words:
        raise BigQueryInvalid(
            f"{what} constraints must be declared NOT ENFORCED (BigQuery does not enforce keys)",
            fix=f"write {what} (...) NOT ENFORCED",
        )


def _primary(have: list[str] | None, columns: list[str], options: Any) -> list[str]:
    _not_enforced(options, "PRIMARY KEY")
    if have is not None:
        raise BigQueryInvalid("A table can have only one primary key", fix="list every key column in one PRIMARY KEY")
    if len(columns) > MAX_KEY_COLUMNS:
        raise BigQueryInvalid(f"A primary key can have at most {MAX_KEY_COLUMNS} columns", fix="use fewer key columns")
    if len({c.lower() for c in columns}) != len(columns):
        raise BigQueryInvalid("A primary key names a column twice", fix="name each key column once")
    return columns


def _is_key(item: exp.Expression) -> bool:
    if isinstance(item, (exp.PrimaryKey, exp.ForeignKey, exp.Constraint)):
        return True
    constraints = item.args.get("constraints") or [] if isinstance(item, exp.ColumnDef) else []
    return any(isinstance(c.args.get("kind"), (exp.PrimaryKeyColumnConstraint, exp.Reference)) for c in constraints)


def _foreign(name: str | None, key: exp.ForeignKey, home: tuple[str, ...]) -> dict[str, Any]:
    columns = [i.name for i in key.expressions]
    reference = key.args.get("reference")
    if not isinstance(reference, exp.Reference):
        raise BigQueryInvalid("A FOREIGN KEY needs REFERENCES table(columns)", fix="write REFERENCES t(k) NOT ENFORCED")
    return _reference(name, columns, reference, home, key.args.get("options"))


def _reference(
    name: str | None, columns: list[str], reference: exp.Reference, home: tuple[str, ...], extra: Any = None
) -> dict[str, Any]:
    """A foreign key's REST form; a table named without its dataset is in the constrained table's."""
    _not_enforced([*(reference.args.get("options") or []), *(extra or [])], "FOREIGN KEY")
    target = reference.this
    table = target.this if isinstance(target, exp.Schema) else target
    referenced = [i.name for i in target.expressions] if isinstance(target, exp.Schema) else []
    if len(referenced) != len(columns):
        raise BigQueryInvalid(
            f"A foreign key on {len(columns)} column(s) references {len(referenced)} column(s)",
            fix="list as many referenced columns as key columns: REFERENCES t(k1, k2)",
        )
    parts = [p for p in (table.catalog, table.db, table.name) if p]
    project, dataset = (parts[0], parts[1]) if len(parts) == 3 else (home[0], parts[0] if len(parts) == 2 else home[1])
    table_id = parts[-1]
    out: dict[str, Any] = {
        "referencedTable": {"projectId": project, "datasetId": dataset, "tableId": table_id},
        "columnReferences": [
            {"referencingColumn": a, "referencedColumn": b} for a, b in zip(columns, referenced, strict=True)
        ],
    }
    if name:
        out = {"name": name, **out}
    return out
