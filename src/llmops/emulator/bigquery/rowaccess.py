"""Row-level security: row access policies on tables, and the filter they put on queries.

DDL: `CREATE [OR REPLACE] ROW ACCESS POLICY [IF NOT EXISTS] p ON t [GRANT TO ("user:..", ...)]
FILTER USING (expr)`, `DROP ROW ACCESS POLICY [IF EXISTS] p ON t`, `DROP ALL ROW ACCESS POLICIES
ON t`; the REST `rowAccessPolicies` collection reads and writes the same catalog table.

Who the caller is: the emulator has no identities, so its one caller is taken to be a grantee of
every policy. A table with policies therefore shows the rows that match any of its filters (the
union BigQuery gives a principal granted all of them) and hides the rest; grantees are stored
and listed, not checked. The filter applies wherever a SELECT statement reads the table, directly
or through views, and so to `tabledata.list`; DML and the Storage Read API see every row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

import duckdb

from .catalog import CATALOG
from .googlesql import (
    BigQueryDuplicate,
    BigQueryError,
    BigQueryInvalid,
    BigQueryNotFound,
    Statement,
    bq_name,
    duckdb_schema,
    duckdb_table,
    quote_ident,
)

if TYPE_CHECKING:
    from .engine import BigQueryEngine, QueryResult

_NAME = r"`[^`]+`|[\w.\-:]+"
_POLICY_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,255}$")
_CREATE = re.compile(
    rf"^\s*CREATE\s+(?P<replace>OR\s+REPLACE\s+)?ROW\s+ACCESS\s+POLICY\s+(?P<ifnot>IF\s+NOT\s+EXISTS\s+)?"
    rf"(?P<name>{_NAME})\s+ON\s+(?P<table>{_NAME})\s+(?:GRANT\s+TO\s*\((?P<grantees>.*?)\)\s*)?"
    r"FILTER\s+USING\s*\((?P<filter>.*)\)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_DROP = re.compile(
    rf"^\s*DROP\s+ROW\s+ACCESS\s+POLICY\s+(?P<ifexists>IF\s+EXISTS\s+)?(?P<name>{_NAME})\s+ON\s+(?P<table>{_NAME})"
    r"\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_DROP_ALL = re.compile(
    rf"^\s*DROP\s+ALL\s+ROW\s+ACCESS\s+POLICIES\s+ON\s+(?P<table>{_NAME})\s*;?\s*$", re.IGNORECASE | re.DOTALL
)
_STARTS = re.compile(r"^\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?|DROP\s+(?:ALL\s+)?)ROW\s+ACCESS\s+POL", re.IGNORECASE)
_GRANTEE = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)')\s*(?:,|$)""")
_GRANTEE_KINDS = ("user:", "group:", "serviceAccount:", "domain:", "principal:", "principalSet:")


def ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Create the policies table (once per engine, when it opens)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.row_access_policies (schema_name VARCHAR, table_name VARCHAR, "
        "policy_id VARCHAR, filter_predicate VARCHAR, grantees JSON, created TIMESTAMPTZ, modified TIMESTAMPTZ, "
        "duckdb_filter VARCHAR, PRIMARY KEY (schema_name, table_name, policy_id))"
    )


def is_policy_ddl(sql: str) -> bool:
    """Whether `sql` is one of the row access policy statements this module runs."""
    return bool(_STARTS.match(sql))


# ---------------------------------------------------------------------- catalog


def list_policies(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> list[dict[str, Any]]:
    """The policies of a table, by id: {policy_id, filter_predicate, grantees, created, modified}."""
    rows = con.execute(
        f"SELECT policy_id, filter_predicate, grantees, created, modified FROM {CATALOG}.row_access_policies "
        "WHERE schema_name = ? AND table_name = ? ORDER BY policy_id",
        [duckdb_schema(project, dataset), table],
    ).fetchall()
    return [
        {"policy_id": p, "filter_predicate": f, "grantees": json.loads(g or "[]"), "created": c, "modified": m}
        for p, f, g, c, m in rows
    ]


def get_policy(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, policy: str) -> dict[str, Any]:
    """One policy; BigQueryNotFound naming it."""
    for p in list_policies(con, project, dataset, table):
        if p["policy_id"] == policy:
            return p
    raise BigQueryNotFound(
        f"row access policy {policy} on table `{bq_name(project, dataset, table)}` not found",
        fix="list the table's row access policies",
    )


def create_policy(
    engine: BigQueryEngine,
    con: duckdb.DuckDBPyConnection,
    project: str,
    dataset: str,
    table: str,
    policy: str,
    filter_predicate: str,
    grantees: list[str],
    *,
    replace: bool = False,
    if_not_exists: bool = False,
) -> dict[str, Any]:
    """Store a policy after checking its table, id, grantees and filter; BigQueryDuplicate if it exists."""
    if not _POLICY_ID.match(policy):
        raise BigQueryInvalid(
            f"invalid row access policy id {policy!r}",
            fix="use letters, digits and underscores, starting with a letter or underscore (256 at most)",
        )
    for g in grantees:
        if not (g.startswith(_GRANTEE_KINDS) or g in ("allUsers", "allAuthenticatedUsers")):
            raise BigQueryInvalid(
                f"invalid grantee {g!r} in row access policy {policy}",
                fix='write grantees as "user:EMAIL", "group:EMAIL", "serviceAccount:EMAIL", "domain:DOMAIN", '
                '"allUsers" or "allAuthenticatedUsers"',
            )
    if not filter_predicate.strip():
        raise BigQueryInvalid(f"row access policy {policy} has no filter", fix="give FILTER USING (expression)")
    engine._table_info(con, project, dataset, table)  # 404 for a missing table
    if _is_view(con, project, dataset, table):
        raise BigQueryInvalid(
            f"row access policies apply to tables; `{bq_name(project, dataset, table)}` is a view",
            fix="create the policy on the view's base table",
        )
    schema = duckdb_schema(project, dataset)
    exists = con.execute(
        f"SELECT created FROM {CATALOG}.row_access_policies WHERE schema_name = ? AND table_name = ? AND policy_id = ?",
        [schema, table, policy],
    ).fetchall()
    if exists and if_not_exists:
        return get_policy(con, project, dataset, table, policy)
    if exists and not replace:
        raise BigQueryDuplicate(
            f"row access policy {policy} on table `{bq_name(project, dataset, table)}` already exists",
            fix="use CREATE OR REPLACE ROW ACCESS POLICY, or another name",
        )
    condition = _filtered_sql(engine, con, project, dataset, table, filter_predicate)
    now = dt.datetime.now(dt.UTC)
    created = exists[0][0] if exists else now
    con.execute(
        f"INSERT OR REPLACE INTO {CATALOG}.row_access_policies VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [schema, table, policy, filter_predicate.strip(), json.dumps(grantees), created, now, condition],
    )
    return get_policy(con, project, dataset, table, policy)


def delete_policy(
    con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, policy: str | None, *, missing_ok: bool
) -> int:
    """Delete one policy (all of the table's when `policy` is None); how many were deleted."""
    schema = duckdb_schema(project, dataset)
    where, args = "schema_name = ? AND table_name = ?", [schema, table]
    if policy is not None:
        where += " AND policy_id = ?"
        args.append(policy)
    n = con.execute(f"SELECT count(*) FROM {CATALOG}.row_access_policies WHERE {where}", args).fetchall()[0][0]
    if policy is not None and not n and not missing_ok:
        get_policy(con, project, dataset, table, policy)  # raises the not-found error
    con.execute(f"DELETE FROM {CATALOG}.row_access_policies WHERE {where}", args)
    return int(n)


def forget(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str | None = None) -> None:
    """A dropped or recreated table (or dropped dataset, `table` None) loses its policies."""
    schema = duckdb_schema(project, dataset)
    if table is None:
        con.execute(f"DELETE FROM {CATALOG}.row_access_policies WHERE schema_name = ?", [schema])
    else:
        con.execute(
            f"DELETE FROM {CATALOG}.row_access_policies WHERE schema_name = ? AND table_name = ?", [schema, table]
        )


def _is_view(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE schema_name = ? AND view_name = ?",
            [duckdb_schema(project, dataset), table],
        ).fetchall()[0][0]
    )


def _filtered_sql(
    engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, predicate: str
) -> str:
    """The DuckDB condition of a GoogleSQL filter on the table; BigQueryInvalid naming one that does not run."""
    try:
        script = engine._translate(
            f"SELECT * FROM `{bq_name(project, dataset, table)}` WHERE ({predicate})",
            default_project=project,
            default_dataset=dataset,
            con=con,
        )
        if len(script.statements) != 1 or script.statements[0].statement_type != "SELECT":
            raise BigQueryError("not one expression", fix="")
        sql = script.statements[0].sql
        prefix = f"SELECT * FROM {duckdb_table(project, dataset, table)} WHERE "
        if not sql.startswith(prefix):
            raise BigQueryError("the emulator cannot apply this filter to the table's rows", fix="")
        con.execute(f"{sql} LIMIT 0")
    except (BigQueryError, duckdb.Error) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BigQueryInvalid(
            f"invalid row access policy filter ({predicate.strip()}): {first}",
            fix="write one boolean expression over the table's columns",
        ) from None
    return sql[len(prefix) :]


# ---------------------------------------------------------------------- queries


def guard(con: duckdb.DuckDBPyConnection, stmt: Statement) -> str:
    """`stmt.sql` with each table that has policies read through the union of their filters,
    also where it is read through views (as BigQuery enforces policies through views)."""
    if not stmt.tables:
        return stmt.sql
    policies: dict[tuple[str, str], list[str]] = {}
    for schema, table, condition in con.execute(
        f"SELECT schema_name, table_name, duckdb_filter FROM {CATALOG}.row_access_policies ORDER BY policy_id"
    ).fetchall():
        policies.setdefault((schema, table), []).append(f"({condition})")
    if not policies:
        return stmt.sql
    views = {
        (schema, name): sql
        for schema, name, sql in con.execute(
            "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal AND NOT temporary "
            "AND database_name = current_database()"
        ).fetchall()
    }
    named = [(duckdb_schema(p, d), t) for p, d, t in stmt.tables]
    return _guarded(con, stmt.sql, named, policies, views, 0)


_VIEW_BODY = re.compile(
    r'^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:"(?:[^"]|"")*"|[\w$]+)\s*\.\s*(?:"(?:[^"]|"")*"|[\w$]+)'
    r"\s+AS\s+(?P<body>.*?);?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_MAX_VIEW_DEPTH = 16


def _guarded(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    named: Any,
    policies: dict[tuple[str, str], list[str]],
    views: dict[tuple[str, str], str],
    depth: int,
) -> str:
    for schema, table in dict.fromkeys(named):
        pattern = _reference(schema, table)
        if not pattern.search(sql):
            continue
        key = f"{schema}\0{table}"
        if (schema, table) in policies:
            relation = "__llmops_rap_" + hashlib.sha1(key.encode()).hexdigest()[:16]
            project, dataset = schema.rsplit(".", 1)
            body = (
                f"SELECT * FROM {duckdb_table(project, dataset, table)} "
                f"WHERE COALESCE({' OR '.join(policies[(schema, table)])}, FALSE)"
            )
        elif (schema, table) in views and depth < _MAX_VIEW_DEPTH:
            m = _VIEW_BODY.match(views[(schema, table)])
            if not m:
                continue
            inner = _guarded(con, m.group("body"), [*policies, *views], policies, views, depth + 1)
            if inner == m.group("body"):
                continue
            relation = "__llmops_rap_view_" + hashlib.sha1(key.encode()).hexdigest()[:16]
            body = inner
        else:
            continue
        con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_ident(relation)} AS {body}")
        sql = pattern.sub(lambda m, r=relation, t=table: _aliased(m, r, t), sql)  # type: ignore[misc]
    return sql


def _aliased(m: re.Match[str], relation: str, table: str) -> str:
    """The guarded relation under the name the query gave the table (its own, without an alias)."""
    return quote_ident(relation) + (m.group("alias") or f" AS {quote_ident(table)}")


def _reference(schema: str, table: str) -> re.Pattern[str]:
    """How a table is written in DuckDB SQL: the engine quotes both parts; DuckDB's stored view
    text leaves a plain lower-case name unquoted."""
    spellings = [re.escape(quote_ident(table))]
    if re.fullmatch(r"[a-z_][a-z0-9_]*", table):
        spellings.append(re.escape(table) + r'(?![\w$"])')
    return re.compile(
        re.escape(quote_ident(schema)) + r"\s*\.\s*(?:" + "|".join(spellings) + r")(?!\s*\.)(?P<alias>\s+(?i:AS)\b)?"
    )


# ---------------------------------------------------------------------- DDL


def run_ddl(
    engine: BigQueryEngine, sql: str, *, default_project: str | None, default_dataset: str | None
) -> QueryResult:
    """Run one row access policy statement (`is_policy_ddl`); the result names its statement type."""
    from .engine import QueryResult, _empty_table

    project = default_project or engine.default_project
    if m := _CREATE.match(sql):
        grantees = _grantees(m.group("grantees"))
        stype = "CREATE_ROW_ACCESS_POLICY"
    elif m := _DROP_ALL.match(sql):
        stype = "DROP_ALL_ROW_ACCESS_POLICIES"
    elif m := _DROP.match(sql):
        stype = "DROP_ROW_ACCESS_POLICY"
    else:
        raise BigQueryInvalid(
            "cannot parse the row access policy statement",
            fix="write CREATE [OR REPLACE] ROW ACCESS POLICY [IF NOT EXISTS] name ON table "
            '[GRANT TO ("user:EMAIL", ...)] FILTER USING (expression), DROP ROW ACCESS POLICY [IF EXISTS] '
            "name ON table, or DROP ALL ROW ACCESS POLICIES ON table",
        )
    p, d, t = _table_name(m.group("table"), project, default_dataset)
    with engine.connection() as con:
        if stype == "CREATE_ROW_ACCESS_POLICY":
            create_policy(
                engine,
                con,
                p,
                d,
                t,
                _unquote(m.group("name")),
                m.group("filter"),
                grantees,
                replace=bool(m.group("replace")),
                if_not_exists=bool(m.group("ifnot")),
            )
        else:
            engine._table_info(con, p, d, t)
            policy = None if stype == "DROP_ALL_ROW_ACCESS_POLICIES" else _unquote(m.group("name"))
            delete_policy(con, p, d, t, policy, missing_ok=bool(m.groupdict().get("ifexists")))
    return QueryResult(table=_empty_table([]), schema=[], statement_type=stype)


def _unquote(name: str) -> str:
    return name[1:-1] if name.startswith("`") and name.endswith("`") else name


def _table_name(text: str, project: str, dataset: str | None) -> tuple[str, str, str]:
    parts = [p for part in text.split("`") for p in part.split(".") if p]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    if len(parts) == 2:
        return project, parts[0], parts[1]
    if len(parts) == 1 and dataset:
        return project, dataset, parts[0]
    raise BigQueryInvalid(
        f"table name {text!r} in a row access policy statement is missing a dataset",
        fix="write `dataset.table` or `project.dataset.table`",
    )


def _grantees(text: str | None) -> list[str]:
    if text is None:
        return []
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _GRANTEE.match(text, pos)
        if not m:
            raise BigQueryInvalid(
                f"cannot read the GRANT TO list ({text})", fix='write GRANT TO ("user:EMAIL", "group:EMAIL", ...)'
            )
        out.append(m.group(1) if m.group(1) is not None else m.group(2))
        pos = m.end()
    return out
