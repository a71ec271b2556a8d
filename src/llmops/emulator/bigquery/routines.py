"""BigQuery routines: persistent SQL and JavaScript functions and SQL procedures.

A routine is stored as BigQuery's Routine resource (the REST shape) in `_llmops_catalog.routines`;
DDL (`CREATE FUNCTION`, `CREATE PROCEDURE`, `DROP ...`) and the `routines` REST resource write
the same rows. A scalar function is also a DuckDB macro `"project.dataset"."name"` (a JavaScript
one calls a Python UDF that runs the code in V8, see js_udfs.py), so later queries call
`dataset.name(...)` as the translator rewrites it; a procedure's body runs in the script
interpreter on CALL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from . import bignumerics, ml, routineaggregates, udfarguments
from .census import find_all
from .dashednames import refuse_dashed_routine_names
from .googlesql import (
    BigQueryDuplicate,
    BigQueryError,
    BigQueryNotFound,
    duckdb_schema,
    quote_ident,
    translate,
)
from .keywordnames import quote_operator_words
from .script_parser import Node, Parser, Span

if TYPE_CHECKING:
    import duckdb

    from .engine import BigQueryEngine
    from .scripting import Interpreter

CATALOG = "_llmops_catalog.routines"
ROUTINE_MARK = "routine:"
"""Prefix of the `Script.udfs` entries naming routines a statement calls."""
_NAMESPACES = frozenset(
    {"SAFE", "NET", "ML", "AI", "KEYS", "AEAD", "HLL_COUNT", "KLL_QUANTILES", "OBJ", "S2", "ST", "VECTOR_SEARCH"}
)


# ----------------------------------------------------------------------------- types


def type_json(text: str) -> dict[str, Any]:
    """A GoogleSQL type as BigQuery's StandardSqlDataType."""
    try:
        node = exp.DataType.build(text, dialect="bigquery")
    except (SqlglotError, ValueError):
        raise BigQueryError(f"Syntax error: invalid type {text!r}", fix="use a GoogleSQL type such as INT64") from None
    return _type_node(node)


def _type_node(node: exp.DataType) -> dict[str, Any]:
    if node.this == exp.DataType.Type.ARRAY:
        return {"typeKind": "ARRAY", "arrayElementType": _type_node(node.expressions[0])}
    if node.this == exp.DataType.Type.STRUCT:
        fields = []
        for f in node.expressions:
            kind = f.args.get("kind") if isinstance(f, exp.ColumnDef) else f
            fields.append({"name": f.name, "type": _type_node(cast(exp.DataType, kind))})
        return {"typeKind": "STRUCT", "structType": {"fields": fields}}
    if node.this == exp.DataType.Type.RANGE and node.expressions:
        return {"typeKind": "RANGE", "rangeElementType": _type_node(node.expressions[0])}
    return {"typeKind": node.sql("bigquery").upper()}


def type_text(t: dict[str, Any] | None) -> str | None:
    """BigQuery's StandardSqlDataType as GoogleSQL type text."""
    if not t:
        return None
    kind = str(t.get("typeKind", "")).upper()
    if kind == "ARRAY":
        return f"ARRAY<{type_text(t.get('arrayElementType'))}>"
    if kind == "STRUCT":
        fields = (t.get("structType") or {}).get("fields") or []
        return "STRUCT<" + ", ".join(f"{f.get('name', '')} {type_text(f.get('type'))}".strip() for f in fields) + ">"
    if kind == "RANGE":
        return f"RANGE<{type_text(t.get('rangeElementType'))}>"
    aliases = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL"}
    return aliases.get(kind, kind) or None


# ----------------------------------------------------------------------------- catalog


def _table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CATALOG} (schema_name VARCHAR, routine_id VARCHAR, resource JSON, "
        "PRIMARY KEY (schema_name, routine_id))"
    )


_LIVE = (
    "CAST(json_extract_string(resource, '$.creationTime') AS BIGINT) >= (SELECT max(epoch_ms(created)) FROM "
    f"_llmops_catalog.datasets d WHERE d.schema_name = {CATALOG}.schema_name)"
)
"""A routine row of the dataset as it exists now: one left from a dropped dataset (or one of
the same name dropped and created again) is ignored, as BigQuery deletes a dataset's routines."""


def find(con: duckdb.DuckDBPyConnection, project: str, dataset: str, routine: str) -> dict[str, Any] | None:
    _table(con)
    rows = con.execute(
        f"SELECT resource FROM {CATALOG} WHERE schema_name = ? AND lower(routine_id) = lower(?) AND {_LIVE}",
        [duckdb_schema(project, dataset), routine],
    ).fetchall()
    return json.loads(rows[0][0]) if rows else None


def every_resource(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The stored resource of every routine of every dataset, by dataset and name."""
    _table(con)
    rows = con.execute(f"SELECT resource FROM {CATALOG} WHERE {_LIVE} ORDER BY schema_name, routine_id").fetchall()
    return [json.loads(r[0]) for r in rows]


def _not_found(project: str, dataset: str, routine: str, kind: str = "Routine") -> BigQueryNotFound:
    return BigQueryNotFound(
        f"Not found: {kind} {project}:{dataset}.{routine}",
        fix="check the name, or create it with CREATE FUNCTION / CREATE PROCEDURE",
    )


def list_routines(engine: BigQueryEngine, project: str, dataset: str) -> list[dict[str, Any]]:
    with engine.connection() as con:
        engine._require_dataset(con, project, dataset)
        _table(con)
        rows = con.execute(
            f"SELECT resource FROM {CATALOG} WHERE schema_name = ? AND {_LIVE} ORDER BY routine_id",
            [duckdb_schema(project, dataset)],
        ).fetchall()
    return [json.loads(r[0]) for r in rows]


def get_routine(engine: BigQueryEngine, project: str, dataset: str, routine: str) -> dict[str, Any]:
    with engine.connection() as con:
        engine._require_dataset(con, project, dataset)
        found = find(con, project, dataset, routine)
    if found is None:
        raise _not_found(project, dataset, routine)
    return found


def delete_routine(engine: BigQueryEngine, project: str, dataset: str, routine: str) -> None:
    with engine.connection() as con:
        engine._require_dataset(con, project, dataset)
        _drop(con, project, dataset, routine, None, if_exists=False)


def put_routine(
    engine: BigQueryEngine, resource: dict[str, Any], *, replace: bool, if_not_exists: bool = False
) -> dict[str, Any]:
    """Create (or with `replace`, update) a routine from its REST resource; the stored resource."""
    with engine.connection() as con:
        return install(engine, con, resource, replace=replace, if_not_exists=if_not_exists)


def install(
    engine: BigQueryEngine,
    con: duckdb.DuckDBPyConnection,
    resource: dict[str, Any],
    *,
    replace: bool,
    if_not_exists: bool = False,
) -> dict[str, Any]:
    ref = resource.get("routineReference") or {}
    project, dataset, routine = ref.get("projectId"), ref.get("datasetId"), ref.get("routineId")
    if not (project and dataset and routine) or not str(routine).replace("_", "a").isalnum():
        raise BigQueryError(
            "Invalid routine reference: projectId, datasetId and routineId (letters, digits, _) are required",
            fix="set routineReference",
        )
    engine._require_dataset(con, project, dataset)
    kind = str(resource.get("routineType") or "SCALAR_FUNCTION").upper()
    language = str(resource.get("language") or "SQL").upper()
    if kind not in ("SCALAR_FUNCTION", "TABLE_VALUED_FUNCTION", "PROCEDURE", routineaggregates.AGGREGATE_FUNCTION):
        raise BigQueryError(
            f"routineType {kind} is not supported by the local warehouse",
            fix="use SCALAR_FUNCTION, AGGREGATE_FUNCTION, TABLE_VALUED_FUNCTION or PROCEDURE",
        )
    _check_language(language, kind)
    if resource.get("importedLibraries"):
        raise _libraries_unsupported()
    body = resource.get("definitionBody")
    if not isinstance(body, str) or not body.strip():
        raise BigQueryError("Routine definitionBody is required", fix="give the function's body")
    existing = find(con, project, dataset, routine)
    if existing is not None and if_not_exists:
        return existing
    if existing is not None and not replace:
        raise BigQueryDuplicate(f"Already Exists: Routine {project}:{dataset}.{routine}", fix="use CREATE OR REPLACE")
    args = []
    for a in resource.get("arguments") or []:
        if not isinstance(a, dict) or not a.get("name"):
            raise BigQueryError("Each routine argument needs a name", fix="set arguments[].name")
        args.append(a)
    if kind == routineaggregates.AGGREGATE_FUNCTION:
        routineaggregates.check_body(body, args)
    if kind in ("SCALAR_FUNCTION", routineaggregates.AGGREGATE_FUNCTION):
        _create_macro(engine, con, project, dataset, routine, args, resource.get("returnType"), language, body, kind)
    elif kind == "TABLE_VALUED_FUNCTION":
        _create_table_macro(engine, con, project, dataset, routine, args, body)
    else:
        Parser(_procedure_body(body)).parse()
    now = str(int(dt.datetime.now(dt.UTC).timestamp() * 1000))
    stored = {
        **{k: v for k, v in resource.items() if k not in ("etag", "creationTime", "lastModifiedTime")},
        "routineReference": {"projectId": project, "datasetId": dataset, "routineId": routine},
        "routineType": kind,
        "language": language,
        "creationTime": (existing or {}).get("creationTime", now),
        "lastModifiedTime": now,
    }
    stored["etag"] = hashlib.md5(json.dumps(stored, sort_keys=True).encode()).hexdigest()[:16]
    con.execute(
        f"INSERT OR REPLACE INTO {CATALOG} VALUES (?, ?, ?)",
        [duckdb_schema(project, dataset), routine, json.dumps(stored)],
    )
    return stored


def _create_macro(
    engine: BigQueryEngine,
    con: duckdb.DuckDBPyConnection,
    project: str,
    dataset: str,
    routine: str,
    args: list[dict[str, Any]],
    returns: dict[str, Any] | None,
    language: str,
    body: str,
    kind: str = "SCALAR_FUNCTION",
) -> None:
    target = f"{quote_ident(duckdb_schema(project, dataset))}.{quote_ident(routine)}"
    names = [str(a["name"]) for a in args]
    if language == "JAVASCRIPT":
        from . import js_udfs

        params = [(str(a["name"]), type_text(a.get("dataType")) or "") for a in args]
        ret = type_text(returns)
        js_udfs.check_signature(params, ret)
        assert ret is not None
        udf = js_udfs.udf_name(params, ret, body)
        _register(engine, con, udf, js_udfs.compiled(udf, params, ret, body))
        macro_body = js_udfs.call_sql(udf, params)
    else:
        typed = ", ".join(f"{n} {type_text(a.get('dataType')) or 'ANY TYPE'}" for n, a in zip(names, args))
        ret = type_text(returns)
        bignumerics.check_names(con, body, f"function {routine}", dataset)  # its reads meet no wide column
        ddl = f"CREATE TEMP FUNCTION __llmops_routine({typed}){f' RETURNS {ret}' if ret else ''} AS ({body})"
        token = udfarguments.AGGREGATE_BODY.set(kind == routineaggregates.AGGREGATE_FUNCTION)
        try:
            script = translate(ddl, default_project=project, default_dataset=dataset)
        finally:
            udfarguments.AGGREGATE_BODY.reset(token)
        macro_body = script.statements[0].sql.split(" AS ", 1)[1]
        needed = set(ENGINE_UDF_CALL.findall(macro_body.lower()))
        if any(u.startswith(ROUTINE_MARK) for u in script.udfs):
            from .engine import _every_engine_udf

            needed |= _every_engine_udf()  # a routine it calls may call any of them (NET.HOST...)
        engine.register_udfs(con, needed)
        prepare(engine, con, script.udfs)  # the routines it calls exist (their JavaScript UDFs registered)
    _define(con, f"{target}({', '.join(quote_ident(n) for n in names)}) AS {macro_body}", project, dataset, routine)


def _create_table_macro(
    engine: BigQueryEngine,
    con: duckdb.DuckDBPyConnection,
    project: str,
    dataset: str,
    routine: str,
    args: list[dict[str, Any]],
    body: str,
) -> None:
    """A table-valued function: a DuckDB table macro over the translated query."""
    bignumerics.check_names(con, body, f"table function {routine}", dataset)  # its reads meet no wide column
    script = translate(body, default_project=project, default_dataset=dataset)
    if len(script.statements) != 1 or script.statements[0].statement_type != "SELECT":
        raise BigQueryError("A table function's body must be one query", fix="write AS SELECT ...")
    if bignumerics.FIELD in script.statements[0].sql:  # served only where a query returns it
        raise bignumerics.unsupported("a table function's column")
    engine_udfs = set(ENGINE_UDF_CALL.findall(script.statements[0].sql.lower()))
    if script.udfs - engine_udfs or engine_udfs & ml.ML_UDFS or script.info_schema or script.wildcards:
        raise BigQueryError(
            "A table function's body may not call ML, INFORMATION_SCHEMA, wildcard tables or other routines",
            fix="use a view or a procedure",
        )
    engine.register_udfs(con, engine_udfs)
    target = f"{quote_ident(duckdb_schema(project, dataset))}.{quote_ident(routine)}"
    names = ", ".join(quote_ident(str(a["name"])) for a in args)
    _define(con, f"{target}({names}) AS TABLE {script.statements[0].sql}", project, dataset, routine)


def _define(con: duckdb.DuckDBPyConnection, macro: str, project: str, dataset: str, routine: str) -> None:
    import duckdb

    try:
        con.execute(f"CREATE OR REPLACE MACRO {macro}")
    except duckdb.Error as exc:
        raise BigQueryError(
            f"Invalid function body of {project}.{dataset}.{routine}: {str(exc).splitlines()[0][:200]}",
            fix="refer only to the function's arguments and to tables by name",
        ) from None


def _procedure_body(body: str) -> str:
    """A procedure body as one BEGIN ... END block (the REST resource may hold bare statements)."""
    return body if body.lstrip().upper().startswith("BEGIN") else f"BEGIN\n{body}\nEND"


ENGINE_UDF_CALL = re.compile(r"__(?:bq|llmops)_[a-z0-9_]+")
"""A call of one of the engine's UDFs in translated SQL (lower-cased)."""

MAX_JS_FUNCTIONS = 256
"""Distinct JavaScript functions one emulator process keeps compiled (each holds a V8 context)."""


def prepare_called_by_views(
    engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, names: frozenset[str], *, every: bool = False
) -> None:
    """Register the JavaScript routines' UDFs among `names` (what views call: a view keeps its
    translated SQL, which names the UDF and not the routine), or all of them with `every` (a
    view calls a routine, whose macro calls its UDF)."""
    wanted = {n for n in names if n.startswith("__llmops_js_")}
    if not wanted and not every:
        return
    _table(con)
    rows = con.execute(f"SELECT resource FROM {CATALOG} WHERE resource->>'language' = 'JAVASCRIPT'").fetchall()
    for (resource,) in rows:
        found = json.loads(resource) if isinstance(resource, str) else resource
        if every or _js_udf_name(found) in wanted:
            _register_js(engine, con, found)


def _js_udf_name(found: dict[str, Any]) -> str:
    """The UDF name of the stored JavaScript routine `found`."""
    from . import js_udfs

    return js_udfs.udf_name(*_js_signature(found), found["definitionBody"])


def _js_signature(found: dict[str, Any]) -> tuple[list[tuple[str, str]], str]:
    params = [(str(a["name"]), type_text(a.get("dataType")) or "") for a in found.get("arguments") or []]
    return params, type_text(found.get("returnType")) or ""


def _register_js(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, found: dict[str, Any]) -> None:
    """Register the stored JavaScript routine `found`'s UDF where `con` sees it."""
    from . import js_udfs

    params, ret = _js_signature(found)
    udf = js_udfs.udf_name(params, ret, found["definitionBody"])
    _register(engine, con, udf, js_udfs.compiled(udf, params, ret, found["definitionBody"]))


def _register(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, name: str, fn: Any) -> None:
    """Register a JavaScript UDF where later statements see it: once on a held database (a
    function registered on a cursor dies with it), else on this connection."""
    held = engine._db
    if held is None:
        if not _has_function(con, name):
            fn.register(con, name)
        return
    with engine._lock:
        done: set[str] = engine.__dict__.setdefault("_js_udfs_on_db", set())
        if name not in done:
            if len(done) >= MAX_JS_FUNCTIONS:
                raise BigQueryError(
                    f"Too many distinct JavaScript functions in this emulator (the limit is {MAX_JS_FUNCTIONS})",
                    fix="reuse functions, or restart the emulator",
                )
            fn.register(held, name)
            done.add(name)


def _has_function(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = ?", [name]).fetchall()[0][0])


def _drop(
    con: duckdb.DuckDBPyConnection, project: str, dataset: str, routine: str, kind: str | None, *, if_exists: bool
) -> None:
    found = find(con, project, dataset, routine)
    if found is None or (kind == "PROCEDURE") != (found["routineType"] == "PROCEDURE"):
        if if_exists:
            return
        raise _not_found(
            project, dataset, routine, {"PROCEDURE": "Procedure", "FUNCTION": "Function"}.get(kind or "", "Routine")
        )
    if found["routineType"] != "PROCEDURE":
        table = " TABLE" if found["routineType"] == "TABLE_VALUED_FUNCTION" else ""
        con.execute(
            f"DROP MACRO{table} IF EXISTS {quote_ident(duckdb_schema(project, dataset))}."
            f"{quote_ident(found['routineReference']['routineId'])}"
        )
    con.execute(
        f"DELETE FROM {CATALOG} WHERE schema_name = ? AND lower(routine_id) = lower(?)",
        [duckdb_schema(project, dataset), routine],
    )


# ----------------------------------------------------------------------------- DDL in scripts


def _split_name(name: str, interp: Interpreter) -> tuple[str, str, str]:
    parts = name.replace("`", "").split(".")
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    if len(parts) == 2:
        return interp.project, parts[0], parts[1]
    if interp.dataset:
        return interp.project, interp.dataset, parts[0]
    raise BigQueryError(
        f"Routine name {name} needs a dataset (dataset.{name})", fix="qualify it, or set a default dataset"
    )


def _head(span: Span) -> list[str]:
    return [t.upper or t.text for t in span.tokens[:8]]


def handles(span: Span) -> bool:
    """Whether a SQL statement is routine DDL this module runs (persistent or JavaScript
    functions; TEMP SQL functions stay with the translator)."""
    head = _head(span)
    if head[:2] == ["DROP", "FUNCTION"]:
        # qualified as ds.f, `ds`.`f` or `project.ds.f` (one quoted token)
        return any(t.text == "." or (t.text.startswith("`") and "." in t.text) for t in span.tokens[:8])
    if head[:3] == ["DROP", "TABLE", "FUNCTION"]:
        return True
    if head[:1] != ["CREATE"] or "FUNCTION" not in head:
        return False
    if _aggregate_function(head):
        return True  # refused by name in run_ddl, TEMP or not
    temp = "TEMP" in head or "TEMPORARY" in head
    return not temp or any(t.upper == "LANGUAGE" for t in span.tokens)


_CREATE_AGGREGATE = re.compile(
    r"(?:^|;)(?:\s|--[^\n]*\n|#[^\n]*\n|/\*.*?\*/)*"
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?AGGREGATE\s+FUNCTION\b",
    re.IGNORECASE | re.DOTALL,
)
"""A statement (the text's first, or one after a semicolon) that creates an aggregate function."""


def refuse_aggregate_functions(sql: str) -> None:
    """A `CREATE [TEMP] AGGREGATE FUNCTION` the translator meets (the script interpreter runs
    the ones it serves, `run_ddl`) is refused by name (was a parse error or "the CREATE statement
    is not supported")."""
    if _CREATE_AGGREGATE.search(sql):
        raise BigQueryError(
            "CREATE AGGREGATE FUNCTION in this statement is not supported by the local warehouse",
            fix="run it as a statement of a query or script of its own",
        )


def _aggregate_functions_refused() -> BigQueryError:
    return BigQueryError(
        "JavaScript aggregate functions (CREATE AGGREGATE FUNCTION ... LANGUAGE js) are not supported by the "
        "local warehouse",
        fix="write the aggregate in SQL (AS (SUM(x) / divisor)) or run it on BigQuery",
    )


def _aggregate_function(head: list[str]) -> bool:
    """`CREATE [OR REPLACE] [TEMP] AGGREGATE FUNCTION ...` (a user-defined aggregate function)."""
    return head[:1] == ["CREATE"] and "FUNCTION" in head and "AGGREGATE" in head[: head.index("FUNCTION")]


def temp_created_name(span: Span, kind: str) -> str | None:
    """The name a `CREATE [OR REPLACE] TEMP[ORARY] <kind> [IF NOT EXISTS] name ...` statement
    creates (kind FUNCTION or TABLE), which the script's later statements may write bare."""
    head = _head(span)
    if head[:1] == ["CREATE"] and ("TEMP" in head or "TEMPORARY" in head) and kind in head:
        i = head.index(kind) + 1
        if head[i : i + 3] == ["IF", "NOT", "EXISTS"]:
            i += 3
        name = span.tokens[i].text.strip("`") if i < len(span.tokens) else ""
        if name.upper() == "_SESSION" and i + 2 < len(span.tokens) and span.tokens[i + 1].text == ".":
            name = span.tokens[i + 2].text.strip("`")  # `_SESSION`.t names the session's table t
        elif name.upper().startswith("_SESSION."):
            name = name[len("_SESSION.") :]  # `_SESSION.t`
        return name.lower() or None
    return None


def run_ddl(interp: Interpreter, span: Span) -> None:
    text = span.text
    head = _head(span)
    aggregate = _aggregate_function(head)
    non_aggregate: frozenset[str] = frozenset()
    if aggregate:
        text, non_aggregate = routineaggregates.scalar_form(span)
    if head[:2] == ["DROP", "FUNCTION"]:
        if_exists = head[2:4] == ["IF", "EXISTS"]
        name = "".join(t.text for t in span.tokens[4 if if_exists else 2 :])
        drop(interp, name, "FUNCTION", if_exists=if_exists)
        return
    if head[:3] == ["DROP", "TABLE", "FUNCTION"]:
        if_exists = head[3:5] == ["IF", "EXISTS"]
        name = "".join(t.text for t in span.tokens[5 if if_exists else 3 :])
        drop(interp, name, "FUNCTION", if_exists=if_exists, statement_type="DROP_TABLE_FUNCTION")
        return
    table_function = "TABLE" in head[: head.index("FUNCTION")]
    try:
        node = sqlglot.parse_one(quote_operator_words(text), read="bigquery")
    except SqlglotError as exc:
        raise BigQueryError(
            f"Syntax error in CREATE FUNCTION: {str(exc).splitlines()[0][:200]}",
            fix="write CREATE FUNCTION ds.f(x INT64) RETURNS INT64 AS (x + 1)",
        ) from None
    if not isinstance(node, exp.Create) or not isinstance(node.this, exp.UserDefinedFunction):
        raise BigQueryError("invalid CREATE FUNCTION", fix="write CREATE FUNCTION ds.f(x INT64) AS (x + 1)")
    refuse_dashed_routine_names(node)
    if aggregate and table_function:
        raise BigQueryError("invalid CREATE AGGREGATE TABLE FUNCTION", fix="write CREATE AGGREGATE FUNCTION")
    udf = node.this
    props = node.args.get("properties")
    plist = props.expressions if props else []
    language = "SQL"
    returns = None
    temp = False
    for p in plist:
        if isinstance(p, exp.LanguageProperty):
            language = {"JS": "JAVASCRIPT", "JAVASCRIPT": "JAVASCRIPT", "SQL": "SQL"}.get(
                p.name.upper(), p.name.upper()
            )
        elif isinstance(p, exp.ReturnsProperty):
            returns = p.this
        elif isinstance(p, exp.TemporaryProperty):
            temp = True
        elif isinstance(p, exp.Property) and p.name.lower() == "library":
            raise _libraries_unsupported()
    description = _description([p for p in plist if isinstance(p, exp.Property)])
    args = []
    for col in udf.expressions:
        kind = col.args.get("kind")
        if kind is None:
            raise BigQueryError(f"Routine argument {col.name} needs a type", fix=f"write {col.name} INT64")
        if isinstance(kind, exp.DataType) and kind.this == exp.DataType.Type.UNKNOWN:
            args.append({"name": col.name, "argumentKind": "ANY_TYPE"})
        else:
            args.append({"name": col.name, "dataType": _type_node(kind)})
        if col.name.lower() in non_aggregate:
            args[-1]["isAggregate"] = False
    body_node = node.expression
    if body_node is None:
        raise BigQueryError("CREATE FUNCTION needs a body", fix="add AS (expression)")
    if language == "SQL" and not table_function:
        refuse_string_body(body_node)
    if table_function:
        if language != "SQL" or not isinstance(body_node, exp.Query):
            raise BigQueryError("A table function's body must be a SQL query", fix="write AS SELECT ...")
        body = body_node.sql("bigquery")
    elif language == "JAVASCRIPT":
        body = body_node.name if isinstance(body_node, exp.Literal | exp.RawString) else body_node.sql("bigquery")
    else:
        body = (body_node.this if isinstance(body_node, exp.Paren) else body_node).sql("bigquery")
    return_json = _type_node(returns) if isinstance(returns, exp.DataType) else None
    return_table = (
        {"columns": [{"name": c.name, "type": _type_node(c.args["kind"])} for c in returns.expressions]}
        if isinstance(returns, exp.Schema)
        else None
    )
    name_node = udf.this
    routine_type = (
        "TABLE_VALUED_FUNCTION"
        if table_function
        else routineaggregates.AGGREGATE_FUNCTION
        if aggregate
        else "SCALAR_FUNCTION"
    )
    _check_language(language, routine_type)
    if temp and aggregate:
        routineaggregates.check_body(body, args)
        token = udfarguments.AGGREGATE_BODY.set(True)
        try:
            interp.sql(text, {}, {}, child=True, shown=span.text)
        finally:
            udfarguments.AGGREGATE_BODY.reset(token)
        interp.root.temp_functions.add(name_node.name.lower())
        return
    if temp:
        _temp_js(interp, name_node.name, args, return_json, body)
        return
    project, dataset, routine = _split_name(
        ".".join(p.name for p in name_node.parts) if isinstance(name_node, exp.Table) else str(name_node), interp
    )
    resource: dict[str, Any] = {
        "routineReference": {"projectId": project, "datasetId": dataset, "routineId": routine},
        "routineType": routine_type,
        "language": language,
        "arguments": args,
        "definitionBody": body,
    }
    if description is not None:
        resource["description"] = description
    if return_json:
        resource["returnType"] = return_json
    if return_table:
        resource["returnTableType"] = return_table
    install(
        interp.engine,
        interp.con,
        resource,
        replace=bool(node.args.get("replace")),
        if_not_exists=bool(node.args.get("exists")),
    )
    kind = "CREATE_TABLE_FUNCTION" if table_function else "CREATE_FUNCTION"
    _record(interp, text, kind, (project, dataset, routine))


def refuse_string_body(body: exp.Expression | None) -> None:
    """A SQL function's body written as a string (`AS \"\"\"x * 3\"\"\"`), which only a
    LANGUAGE js function takes: refused, as the function returned the text itself."""
    if isinstance(body, exp.RawString | exp.ByteString) or (isinstance(body, exp.Literal) and body.is_string):
        raise BigQueryError(
            "A SQL function's body is an expression in parentheses, not a string literal "
            "(a string body is for LANGUAGE js)",
            fix="write AS (x * 3), or add LANGUAGE js for a JavaScript function",
        )


def _description(options: list[exp.Property]) -> str | None:
    """The description an OPTIONS list of CREATE FUNCTION / PROCEDURE sets (the routine's REST
    `description`)."""
    for p in options:
        if p.name.lower() == "description":
            value = p.args.get("value")
            if isinstance(value, exp.Null):
                return None
            if not isinstance(value, exp.Literal) or not value.is_string:
                raise BigQueryError(
                    f"Routine option description must be a STRING, not {value.sql('bigquery') if value else ''}",
                    fix="write OPTIONS(description = '...')",
                )
            return value.name
    return None


def _libraries_unsupported() -> BigQueryError:
    return BigQueryError(
        "JavaScript libraries (OPTIONS(library=...), importedLibraries) are not supported by the local warehouse",
        fix="put the library's code in the function's body",
    )


def _check_language(language: str, kind: str) -> None:
    """Functions run locally in SQL or JavaScript only (a table function in SQL only): another
    LANGUAGE (Python, ZetaSQL's Lua) is refused, never run as one of those."""
    if kind == routineaggregates.AGGREGATE_FUNCTION and language == "JAVASCRIPT":
        raise _aggregate_functions_refused()
    if language not in ("SQL", "JAVASCRIPT") or (kind != "SCALAR_FUNCTION" and language != "SQL"):
        raise BigQueryError(f"language {language} is not supported for a {kind}", fix="use SQL or JAVASCRIPT")


def _temp_js(interp: Interpreter, name: str, args: list[dict], returns: dict | None, body: str) -> None:
    from . import js_udfs

    params = [(str(a["name"]), type_text(a.get("dataType")) or "") for a in args]
    ret = type_text(returns)
    js_udfs.check_signature(params, ret)
    assert ret is not None
    udf = js_udfs.udf_name(params, ret, body)
    _register(interp.engine, interp.con, udf, js_udfs.compiled(udf, params, ret, body))
    names = ", ".join(quote_ident(n) for n, _ in params)
    interp.con.execute(
        f"CREATE OR REPLACE TEMPORARY MACRO {quote_ident(name)}({names}) AS {js_udfs.call_sql(udf, params)}"
    )
    interp.root.temp_functions.add(name.lower())


def _record(interp: Interpreter, text: str, kind: str, routine: tuple[str, str, str] | None = None) -> None:
    from .engine import EMPTY, QueryResult
    from .scripting import ChildStatement

    result = QueryResult(table=EMPTY, schema=[], statement_type=kind, target=routine)
    interp.root.children.append(ChildStatement(text, result))


def drop(interp: Interpreter, name: str, kind: str, *, if_exists: bool, statement_type: str | None = None) -> None:
    project, dataset, routine = _split_name(name, interp)
    interp.engine._require_dataset(interp.con, project, dataset)
    _drop(interp.con, project, dataset, routine, kind, if_exists=if_exists)
    _record(interp, f"DROP {kind} {name}", statement_type or f"DROP_{kind}", (project, dataset, routine))


def create_procedure(interp: Interpreter, node: Node) -> None:
    project, dataset, routine = _split_name(node.names[0], interp)
    args = []
    for span in node.exprs:
        words = [t.text.strip("`") for t in span.tokens]
        mode = "IN"
        if words and words[0].upper() in ("IN", "OUT", "INOUT"):
            mode, words = words[0].upper(), words[1:]
        if len(words) < 2:
            raise BigQueryError(f"Procedure argument {span.text!r} needs a name and a type", fix="write x INT64")
        type_src = span.source[span.tokens[len(span.tokens) - len(words) + 1].start : span.tokens[-1].end]
        args.append({"name": words[0], "mode": mode, "dataType": type_json(type_src)})
    assert node.span is not None
    resource = {
        "routineReference": {"projectId": project, "datasetId": dataset, "routineId": routine},
        "routineType": "PROCEDURE",
        "language": "SQL",
        "arguments": args,
        "definitionBody": node.span.text,
    }
    if node.extra.get("options"):
        try:
            props = sqlglot.parse_one(f"CREATE TABLE t OPTIONS({', '.join(node.extra['options'])})", read="bigquery")
        except SqlglotError:
            raise BigQueryError(
                "Syntax error in the OPTIONS of CREATE PROCEDURE", fix="write OPTIONS(description = '...')"
            ) from None
        found = props.args.get("properties")
        description = _description([p for p in (found.expressions if found else []) if isinstance(p, exp.Property)])
        if description is not None:
            resource["description"] = description
    install(
        interp.engine, interp.con, resource, replace=node.extra["replace"], if_not_exists=node.extra["if_not_exists"]
    )
    _record(interp, node.extra["text"], "CREATE_PROCEDURE", (project, dataset, routine))


def call_procedure(interp: Interpreter, node: Node) -> None:
    from .scripting import Interpreter as _Interpreter
    from .scripting import Var, _Return, canonical_type, coerce

    project, dataset, routine = _split_name(node.names[0], interp)
    found = find(interp.con, project, dataset, routine)
    if found is None or found["routineType"] != "PROCEDURE":
        raise _not_found(project, dataset, routine, "Procedure")
    params = found.get("arguments") or []
    if len(params) != len(node.exprs):
        raise BigQueryError(
            f"Procedure {project}.{dataset}.{routine} takes {len(params)} arguments but {len(node.exprs)} were given",
            fix="pass one value per argument",
        )
    inner = _Interpreter(
        interp.engine, interp.con, interp.ctl, project, dataset, depth=interp.depth + 1, shared=interp.root
    )
    outs: list[tuple[str, str]] = []
    for p, span in zip(params, node.exprs):
        ptype = canonical_type(type_text(p.get("dataType")) or "STRING")
        mode = p.get("mode", "IN")
        if mode in ("OUT", "INOUT"):
            target = span.text.strip("`").lower()
            if interp.lookup(target) is None:
                raise BigQueryError(
                    f"OUT argument {p['name']} of {routine} must be a declared variable, not {span.text!r}",
                    fix="pass a variable",
                )
            outs.append((p["name"].lower(), target))
        value, vtype = interp.evaluate(span) if mode != "OUT" else (None, None)
        inner.scopes[0][p["name"].lower()] = Var(ptype, coerce(value, vtype, ptype, span.text))
    body = Parser(_procedure_body(found["definitionBody"])).parse()
    try:
        inner.block(body)
    except _Return:
        pass
    for name, target in outs:
        var = inner.scopes[0][name]
        interp.assign(target, var.value, var.type, name)


# ----------------------------------------------------------------------------- queries


def rewrite_calls(stmt: exp.Expression, ctx: Any) -> None:
    """`dataset.f(...)` / `project.dataset.f(...)` calls -> the routine's DuckDB macro, noted in
    `ctx.udfs` so the engine checks the routine exists (404 otherwise) before running."""
    for table in find_all(stmt, exp.Table):
        fn = table.this
        if not isinstance(fn, exp.Anonymous):
            continue
        parts = [p.name for p in (table.args.get("catalog"), table.args.get("db")) if p is not None]
        parts = [x for p in [*parts, str(fn.name)] for x in p.split(".")]
        if len(parts) not in (2, 3) or parts[0].upper() in _NAMESPACES:
            continue
        project, dataset = (ctx.project, parts[0]) if len(parts) == 2 else (parts[0], parts[1])
        table.set("this", exp.Anonymous(this=exp.to_identifier(parts[-1], quoted=True), expressions=fn.expressions))
        table.set("db", exp.to_identifier(duckdb_schema(project, dataset), quoted=True))
        table.set("catalog", None)
        table.meta[ROUTINE_MARK] = True
        ctx.temp_functions.add(parts[-1].lower())
        ctx.udfs.add(f"{ROUTINE_MARK}{project}\x1f{dataset}\x1f{parts[-1]}")
    for node in find_all(stmt, exp.Dot):
        fn = node.expression
        if not isinstance(fn, exp.Anonymous):
            continue
        parts = [p.name for p in node.this.flatten()] if isinstance(node.this, exp.Dot) else [node.this.name]
        if not all(parts) or parts[0].upper() in _NAMESPACES:
            continue
        parts = [x for p in parts for x in p.split(".")]
        if len(parts) == 1:
            project, dataset = ctx.project, parts[0]
        elif len(parts) == 2:
            project, dataset = parts
        else:
            continue
        _replace_call(node, fn, project, dataset, str(fn.name), ctx)
    for fn in find_all(stmt, exp.Anonymous):
        name = fn.this
        if isinstance(fn.parent, exp.Table) and fn.parent.meta.get(ROUTINE_MARK):
            continue
        if isinstance(name, exp.Identifier) and name.quoted and name.name.count(".") in (1, 2):
            parts = name.name.split(".")
            project, dataset = (ctx.project, parts[0]) if len(parts) == 2 else (parts[0], parts[1])
            _replace_call(fn, fn, project, dataset, parts[-1], ctx)


def _replace_call(node: exp.Expression, fn: exp.Anonymous, project: str, dataset: str, routine: str, ctx: Any) -> None:
    call = exp.Anonymous(this=exp.to_identifier(routine, quoted=True), expressions=list(fn.expressions))
    node.replace(exp.Dot(this=exp.to_identifier(duckdb_schema(project, dataset), quoted=True), expression=call))
    ctx.temp_functions.add(routine.lower())
    ctx.udfs.add(f"{ROUTINE_MARK}{project}\x1f{dataset}\x1f{routine}")


def prepare(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, udfs: frozenset[str]) -> None:
    """Before a statement runs: every routine it calls exists (404 otherwise), and a JavaScript
    one's UDF is registered on this connection; so for the routines a SQL routine's body calls,
    whose macros call theirs."""
    marks = [m for m in udfs if m.startswith(ROUTINE_MARK)]
    seen = set(marks)
    while marks:
        mark = marks.pop()
        project, dataset, routine = mark[len(ROUTINE_MARK) :].split("\x1f")
        found = find(con, project, dataset, routine)
        if found is None or found["routineType"] == "PROCEDURE":
            raise BigQueryError(  # BigQuery's invalidQuery (400), as for any name the query cannot resolve
                f"Function not found: {dataset}.{routine}",
                fix=f"create it first: CREATE FUNCTION {dataset}.{routine}(...) AS (...)",
            )
        if found["language"] == "JAVASCRIPT":
            _register_js(engine, con, found)
        elif found["routineType"] != "PROCEDURE":
            called = _called_routines(project, dataset, found["definitionBody"]) - seen
            seen |= called
            marks.extend(called)


@lru_cache(maxsize=1024)
def _called_routines(project: str, dataset: str, body: str) -> frozenset[str]:
    """The marks of the persistent functions a SQL routine's body calls (as `rewrite_calls` notes
    them)."""
    from types import SimpleNamespace

    try:
        node = sqlglot.parse_one(quote_operator_words(body), read="bigquery")
    except SqlglotError:
        return frozenset()
    ctx = SimpleNamespace(project=project, dataset=dataset, temp_functions=set(), udfs=set())
    rewrite_calls(cast(exp.Expression, node), ctx)
    return frozenset(m for m in ctx.udfs if m.startswith(ROUTINE_MARK))
