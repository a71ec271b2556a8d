"""A session's temporary tables as jobs outside the session reach them.

BigQuery keeps a session's temporary tables in a hidden dataset and names the table a
`CREATE TEMP TABLE` job made as the job's `destinationTable`, by which load jobs, the Storage
APIs, tables.get and later queries reach it (BigQuery DataFrames makes its temporary tables
so). Here that dataset is `_session_<sha1 of the session id>` in the session's project, made
with the session and dropped when it ends. Inside the session a temporary table keeps its bare
name and `_SESSION.t`; `_SESSION` resolves only in a job that names the session (a query, or a
load job through its `session_id` connection property, as JobConfigurationLoad documents).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from ...core.errors import LlmopsError
from ..server.errors import ApiError, bad_request
from .googlesql import HIDDEN_DATASET_PREFIX

if TYPE_CHECKING:
    from sqlglot import exp

    from .api import BigQueryApi
    from .engine import BigQueryEngine
    from .sessions import Session

SESSION_DATASET = "_SESSION"
_DESCRIPTION = "Temporary tables of BigQuery session "
"""How a hidden dataset's description begins (the mark of the datasets `drop_leftovers` drops)."""


def is_hidden(dataset: str) -> bool:
    """Whether a dataset id names a session's hidden dataset."""
    return dataset.startswith(HIDDEN_DATASET_PREFIX)


def open_session(state: BigQueryApi, project: str, location: str) -> Session:
    """A new session of `project` with its hidden dataset (in `location`), dropped when it ends."""
    engine = state.bigquery
    session = state.sessions.create(project, engine.session_connection())
    dataset = session.temp_dataset
    try:
        engine.create_dataset(
            project, dataset, exists_ok=True, location=location, description=_DESCRIPTION + session.session_id
        )
    except BaseException:
        with contextlib.suppress(ApiError):
            state.sessions.end(session.session_id)
        raise

    def drop() -> None:
        engine.delete_dataset(project, dataset, delete_contents=True)

    session.on_close = drop
    return session


def drop_leftovers(engine: BigQueryEngine) -> None:
    """Drop the hidden datasets of sessions that were open when the emulator last stopped
    without ending them (a kept warehouse file outlives its sessions)."""
    from .engine import CATALOG_SCHEMA
    from .googlesql import split_schema

    with engine.connection() as con:
        rows = con.execute(
            f"SELECT schema_name FROM {CATALOG_SCHEMA}.datasets WHERE contains(schema_name, ?) "
            "AND starts_with(description, ?)",
            ["." + HIDDEN_DATASET_PREFIX, _DESCRIPTION],
        ).fetchall()
    for (schema,) in rows:
        parts = split_schema(schema)
        if parts and is_hidden(parts[1]):
            with contextlib.suppress(LlmopsError):
                engine.delete_dataset(*parts, delete_contents=True)


def load_target(
    state: BigQueryApi, project: str, config: dict[str, Any], location: str
) -> tuple[dict[str, Any], Session | None]:
    """A load configuration whose `_SESSION` destination names the session's hidden dataset,
    and the session of its `session_id` connection property (or the one `createSession` made)."""
    session = _load_session(state, project, config, location)
    ref = config.get("destinationTable")
    if not isinstance(ref, dict) or ref.get("datasetId") != SESSION_DATASET:
        return config, session
    if session is None:
        raise bad_request(
            "_SESSION names the temporary tables of a session: pass the session's id in the session_id "
            "connection property of the load job (or set createSession)",
            location="configuration.load.destinationTable",
        )
    if (ref.get("projectId") or project) != session.project:
        raise bad_request(
            f"_SESSION tables belong to the session's project {session.project}",
            location="configuration.load.destinationTable.projectId",
        )
    hidden = {**ref, "projectId": session.project, "datasetId": session.temp_dataset}
    return {**config, "destinationTable": hidden}, session


def loaded(session: Session | None, config: dict[str, Any]) -> None:
    """After a load into the session's hidden dataset: the session's queries know the table
    by its bare name and as `_SESSION.t`."""
    ref = config.get("destinationTable")
    if session is not None and isinstance(ref, dict) and ref.get("datasetId") == session.temp_dataset:
        session.temp_tables.add(str(ref.get("tableId", "")).split("$", 1)[0].lower())


def _load_session(state: BigQueryApi, project: str, config: dict[str, Any], location: str) -> Session | None:
    props = config.get("connectionProperties") or []
    if not isinstance(props, list) or not all(isinstance(p, dict) for p in props):
        raise bad_request(
            "connectionProperties must be a list of {key, value} objects",
            location="configuration.load.connectionProperties",
        )
    ids = [p.get("value") for p in props if p.get("key") == "session_id"]
    if len(ids) > 1:
        raise bad_request(
            "connectionProperties name more than one session_id", location="configuration.load.connectionProperties"
        )
    if config.get("createSession"):
        if ids:
            raise bad_request(
                "createSession cannot be combined with a session_id connection property: "
                "create a session, then run the later jobs with its id",
                location="configuration.load.createSession",
            )
        return open_session(state, project, location)
    return state.sessions.get(ids[0], project) if ids else None


def refuse_session_tables(kind: str, config: dict[str, Any]) -> None:
    """400 for `_SESSION` where BigQuery takes no session: a query's destinationTable, a copy's
    or an extract's tables (they name a temporary table by its hidden dataset)."""
    refs: list[tuple[str, Any]] = []
    if kind == "query":
        refs.append(("configuration.query.destinationTable", config.get("destinationTable")))
    elif kind == "copy":
        refs.append(("configuration.copy.destinationTable", config.get("destinationTable")))
        refs += [(f"configuration.copy.sourceTables[{i}]", r) for i, r in enumerate(config.get("sourceTables") or [])]
        refs.append(("configuration.copy.sourceTable", config.get("sourceTable")))
    elif kind == "extract":
        refs.append(("configuration.extract.sourceTable", config.get("sourceTable")))
    for where, ref in refs:
        if isinstance(ref, dict) and ref.get("datasetId") == SESSION_DATASET:
            fix = (
                "write the rows with CREATE TEMP TABLE ... AS SELECT in the session"
                if kind == "query"
                else "name the temporary table by the destinationTable of the job that created it"
            )
            raise bad_request(f"A {kind} job cannot name a _SESSION table: {fix}", location=where)


def name_destination(config: dict[str, Any], result: Any, session: Session) -> None:
    """A session's `CREATE TEMP TABLE` job names the table it made, in the hidden dataset, as
    its destinationTable (the reference by which jobs outside the session reach it)."""
    target = getattr(result, "target", None)
    if not target or "destinationTable" in config or not str(result.statement_type).startswith("CREATE_TABLE"):
        return
    project, dataset, table = target
    if project == session.project and dataset == session.temp_dataset and table:
        config["destinationTable"] = {"projectId": project, "datasetId": dataset, "tableId": table}


def qualify(tree: exp.Expression, project: str, dataset: str, temp_tables: set[str]) -> None:
    """Name a session's temporary tables in a parsed statement by its hidden dataset:
    `CREATE TEMP TABLE [_SESSION.]t` creates `project.dataset.t`; `_SESSION.t`, and a bare `t`
    that no CTE of the statement shadows, read it."""
    from sqlglot import exp

    from .googlesql import _flatten_table_name, _is_temporary

    if isinstance(tree, exp.Create) and str(tree.kind).upper() == "TABLE" and _is_temporary(tree):
        props = tree.args["properties"]
        props.set("expressions", [p for p in props.expressions if not isinstance(p, exp.TemporaryProperty)])
        if not props.expressions:
            tree.set("properties", None)
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        names = _flatten_table_name(target) if isinstance(target, exp.Table) else []
        if len(names) == 1 or (len(names) == 2 and names[0].upper() == SESSION_DATASET):
            _point(target, project, dataset, names[-1])
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue
        names = _flatten_table_name(table)
        if len(names) == 2 and names[0].upper() == SESSION_DATASET and names[1].lower() in temp_tables:
            _point(table, project, dataset, names[1])
        elif len(names) == 1 and names[0].lower() in temp_tables and names[0].lower() not in ctes:
            _point(table, project, dataset, names[0])


def _point(table: exp.Table, project: str, dataset: str, name: str) -> None:
    from sqlglot import exp

    table.set("catalog", exp.to_identifier(project, quoted=True))
    table.set("db", exp.to_identifier(dataset, quoted=True))
    table.set("this", exp.to_identifier(name, quoted=True))
