"""BigQuery REST v2 over the GoogleSQL-on-DuckDB engine.

`/bigquery/v2/projects/...`: datasets, tables, tabledata (list, insertAll), jobs (insert, get,
list, cancel, delete), jobs.query and jobs.getQueryResults with paging;
`/upload/bigquery/v2/projects/{p}/jobs`: multipart and resumable load uploads.
The shapes follow what google-cloud-bigquery sends and parses (see the wire notes).
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...core.errors import LlmopsError
from ..server.errors import ApiError, bad_request, required
from ..server.http import (
    JSONResponse,
    base_url,
    parse_json,
    parse_multipart_related,
    query_bool,
    query_int,
    read_body,
    read_json,
)
from ..server.threads import in_thread
from . import (
    anonymous,
    ddlopts,
    partition_summary,
    partitiondecorators,
    partitioning,
    session_tables,
    tablekinds,
    typeparams,
)
from .encoding import encode_rows, encode_rows_json, schema_from_api, schema_to_api, timestamp_output
from .jobs import INSERT_WAIT_S, NAME_RE, Job, JobRunner, sql_table, wait_s
from .resources import (
    DATASET_FIELDS,
    TABLE_FIELDS,
    RestMetadata,
    dataset_key,
    dataset_list_item,
    dataset_resource,
    ms,
    table_key,
    table_list_item,
    table_resource,
)

if TYPE_CHECKING:
    from .api import BigQueryApi

PAGE_BYTES = 8 * 1024 * 1024
"""Default page size in (estimated) bytes when the client sets no maxResults."""

SMALL_PAGE_CELLS = 1000
"""Pages of up to this many cells are encoded value by value: the column-at-a-time Arrow
kernels of encode_rows_json cost a fixed ~0.3 ms, more than a small page takes (one cell:
about 40 µs; the two meet near 1,500 cells)."""

_COLUMN_RE = r"^[A-Za-z_][A-Za-z0-9_]*$"
_MULTI_REGIONS = ("US", "EU")
"""Where jobs.get finds a job whose location the request does not name."""
_ROWS_WRITTEN_ON_THE_LOOP = 1000
"""A cached result of at most this many rows is written on the event loop (~1 ms of JSON)."""


def _check_names(**names: str) -> None:
    for what, value in names.items():
        if not NAME_RE.match(value or ""):
            raise bad_request(f"Invalid {what} {value!r}")


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"row:{offset}".encode()).decode()


def _offset(token: str | None, start_index: int | None) -> int:
    if token:
        try:
            text = base64.urlsafe_b64decode(token.encode()).decode()
            if not text.startswith("row:"):
                raise ValueError
            return int(text[4:])
        except (ValueError, UnicodeError):
            raise bad_request(f"Invalid page token {token!r}", location="pageToken") from None
    return start_index or 0


def _default_page_rows(table: Any) -> int:
    if table.num_rows <= 1:
        return 1  # without reading `nbytes`, a measurable share of a small query's time
    per_row = max(1, table.nbytes // table.num_rows) * 2  # JSON is roughly twice Arrow's size
    return max(1, min(100_000, PAGE_BYTES // per_row))


class BigQueryHandlers:
    """The BigQuery v2 handlers over the emulator's engines."""

    def __init__(self, state: BigQueryApi):
        self.state = state
        self.meta = RestMetadata(state.data_dir / "bigquery" / "rest-metadata.json")
        state.table_fields = lambda p, d, t: self.meta.with_created(table_key(p, d, t))
        self.jobs = JobRunner(state, meta=self.meta)
        self.recent_insert_ids: OrderedDict[tuple[str, str], float] = OrderedDict()

    @property
    def engine(self) -> Any:
        return self.state.bigquery

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Awaitable[Any]:
        return in_thread(fn, *args, **kwargs)

    # ------------------------------------------------------------------ projects

    async def list_projects(self, request: Request) -> Response:
        def projects() -> list[str]:
            found = {self.state.config.default_project}
            found.update(p for p, _, _ in self.engine.all_tables())
            return sorted(found)

        names = await self._call(projects)
        return JSONResponse(
            {
                "kind": "bigquery#projectList",
                "projects": [
                    {
                        "kind": "bigquery#project",
                        "id": p,
                        "numericId": "0",
                        "projectReference": {"projectId": p},
                        "friendlyName": p,
                    }
                    for p in names
                ],
                "totalItems": len(names),
            }
        )

    # ------------------------------------------------------------------ datasets

    def _dataset_json(self, request: Request, info: dict[str, Any]) -> dict[str, Any]:
        key = dataset_key(info["project"], info["dataset"])
        ddl = ddlopts.fields_of(self.engine, info["project"], info["dataset"])
        return dataset_resource(info, self.meta.get(key, ms(info.get("created"))), base_url(request), ddl)

    async def list_datasets(self, request: Request, project: str) -> Response:
        infos = await self._call(self.engine.list_datasets, project)
        if not query_bool(request, "all"):  # sessions' and results' hidden datasets: only with all=true
            infos = [i for i in infos if not _hidden(i["dataset"])]
        items = [dataset_list_item(self._dataset_json(request, i)) for i in infos]
        label_filter = request.query_params.get("filter")
        if label_filter:
            items = [i for i in items if _label_filter(label_filter, i.get("labels") or {})]
        offset = _offset(request.query_params.get("pageToken"), 0)
        limit = query_int(request, "maxResults", None, minimum=1)
        body: dict[str, Any] = {"kind": "bigquery#datasetList", "etag": str(len(items))}
        page = items[offset : offset + limit] if limit else items[offset:]
        if page:
            body["datasets"] = page
        if limit and offset + limit < len(items):
            body["nextPageToken"] = _page_token(offset + limit)
        return JSONResponse(body)

    async def insert_dataset(self, request: Request, project: str) -> Response:
        body = await read_json(request, limit=self.state.config.max_request_bytes)
        ref = body.get("datasetReference")
        if not isinstance(ref, dict) or not ref.get("datasetId"):
            raise required("datasetReference.datasetId")
        p = ref.get("projectId") or project
        d = ref["datasetId"]
        _check_names(project=p, dataset=d)

        def create() -> dict[str, Any]:
            tablekinds.parse_ms(body.get("defaultTableExpirationMs"), "defaultTableExpirationMs", 3_600_000)
            try:
                info = self.engine.create_dataset(
                    p,
                    d,
                    location=body.get("location") or self.state.config.location,
                    description=body.get("description"),
                    labels=body.get("labels"),
                )
            except LlmopsError as exc:
                if getattr(exc, "reason", None) == "duplicate":
                    raise ApiError(409, f"Already Exists: Dataset {p}:{d}", "duplicate") from None
                raise
            extra = {k: body[k] for k in DATASET_FIELDS if k in body and k not in ("description", "labels")}
            if body.get("defaultTableExpirationMs"):
                tablekinds.set_default_expiration(self.engine, p, d, body["defaultTableExpirationMs"])
            self.meta.update(dataset_key(p, d), ms(info.get("created")), extra, merge=False)
            return info

        info = await self._call(create)
        return JSONResponse(self._dataset_json(request, info))

    async def get_dataset(self, request: Request, project: str, dataset: str) -> Response:
        info = await self._call(self._dataset_info, project, dataset)
        return JSONResponse(self._dataset_json(request, info))

    def _dataset_info(self, project: str, dataset: str) -> dict[str, Any]:
        try:
            return self.engine.get_dataset(project, dataset)
        except LlmopsError as exc:
            if getattr(exc, "reason", None) == "notFound":
                raise ApiError(404, f"Not found: Dataset {project}:{dataset}", "notFound") from None
            raise

    async def patch_dataset(self, request: Request, project: str, dataset: str) -> Response:
        body = await read_json(request, limit=self.state.config.max_request_bytes)

        def patch() -> dict[str, Any]:
            info = self._dataset_info(project, dataset)
            _check_etag(request, self._dataset_json(request, info))
            fields = {k: body.get(k) for k in DATASET_FIELDS if k in body}
            if request.method == "PUT":
                fields = {k: body.get(k) for k in DATASET_FIELDS}
            if "defaultTableExpirationMs" in fields:
                tablekinds.set_default_expiration(self.engine, project, dataset, fields["defaultTableExpirationMs"])
            ddlopts.forget_fields(self.engine, project, dataset, "", fields)
            self.meta.update(
                dataset_key(project, dataset), ms(info.get("created")), fields, merge=request.method == "PATCH"
            )
            ddlopts.mirror(self.engine, project, dataset, "", fields, self._dataset_json(request, info))
            return info

        info = await self._call(patch)
        return JSONResponse(self._dataset_json(request, info))

    async def delete_dataset(self, request: Request, project: str, dataset: str) -> Response:
        delete_contents = query_bool(request, "deleteContents")

        def delete() -> None:
            self._dataset_info(project, dataset)
            if not delete_contents and self.engine.list_tables(project, dataset):
                raise ApiError(400, f"Dataset {project}:{dataset} is still in use", "resourceInUse")
            self.engine.delete_dataset(project, dataset, delete_contents=delete_contents)
            self.meta.drop(dataset_key(project, dataset))

        await self._call(delete)
        return Response(status_code=204)

    # ------------------------------------------------------------------ tables

    def _table_info(self, project: str, dataset: str, table: str) -> dict[str, Any]:
        _check_names(project=project, dataset=dataset, table=table)
        if partition_summary.is_summary(table):
            base = self._table_info(project, dataset, table.split("$", 1)[0])
            found = partition_summary.rows(self.engine, project, dataset, base["table"], base.get("created"))
            return partition_summary.info(base, found)
        table = table.split("$", 1)[0]
        if anonymous.is_anonymous(dataset) and anonymous.of(self.state).get(project, dataset, table) is not None:
            return self._anonymous_info(project, dataset, table)
        dataset_info = self._dataset_info(project, dataset)
        location = dataset_info.get("location")
        try:
            info = self.engine.get_table(project, dataset, table)
        except LlmopsError as exc:
            if getattr(exc, "reason", None) != "notFound":
                raise
            stored = self._case_insensitive_match(dataset_info, table)
            if stored is None:
                raise ApiError(404, f"Not found: Table {project}:{dataset}.{table}", "notFound") from None
            info, table = self.engine.get_table(project, dataset, stored), stored
        if info.get("type") == "TABLE":
            info["num_bytes"] = self.engine.table_bytes(project, dataset, table)
        return {**info, "location": location}

    def _anonymous_info(self, project: str, dataset: str, table: str) -> dict[str, Any]:
        """A query's anonymous result table (its job's destinationTable), as tables.get shows it."""
        result = anonymous.of(self.state).get(project, dataset, table)
        if result is None:
            raise ApiError(404, f"Not found: Table {project}:{dataset}.{table}", "notFound")
        return {
            "project": project,
            "dataset": dataset,
            "table": table,
            "type": "TABLE",
            "schema": result.schema,
            "num_rows": result.table.num_rows,
            "num_bytes": result.table.nbytes,
            "location": self.state.config.location,
            "rows": result.table,
        }

    def _case_insensitive_match(self, dataset_info: dict[str, Any], table: str) -> str | None:
        """The stored name of `table` in a dataset with `isCaseInsensitive` (whose table names
        BigQuery matches in any case); None elsewhere or when no table matches."""
        project, dataset = dataset_info["project"], dataset_info["dataset"]
        extra = self.meta.get(dataset_key(project, dataset), ms(dataset_info.get("created")))
        if extra.get("isCaseInsensitive") is not True:
            return None
        wanted = table.casefold()
        names = [t["table"] for t in self.engine.list_tables(project, dataset) if t["table"].casefold() == wanted]
        return names[0] if len(names) == 1 else None

    def _table_json(self, request: Request, info: dict[str, Any]) -> dict[str, Any]:
        key = table_key(info["project"], info["dataset"], info["table"])
        extra = self.meta.get(key, ms(info.get("created")))
        return table_resource(info, extra, base_url(request), info.get("location") or self.state.config.location)

    async def list_tables(self, request: Request, project: str, dataset: str) -> Response:
        def tables() -> list[dict[str, Any]]:
            self._dataset_info(project, dataset)
            return self.engine.list_tables(project, dataset)

        infos = await self._call(tables)
        items = [
            table_list_item(i, self.meta.get(table_key(project, dataset, i["table"]), ms(i.get("created"))))
            for i in infos
        ]
        offset = _offset(request.query_params.get("pageToken"), 0)
        limit = query_int(request, "maxResults", None, minimum=1)
        page = items[offset : offset + limit] if limit else items[offset:]
        body: dict[str, Any] = {"kind": "bigquery#tableList", "etag": str(len(items)), "totalItems": len(items)}
        if page:
            body["tables"] = page
        if limit and offset + limit < len(items):
            body["nextPageToken"] = _page_token(offset + limit)
        return JSONResponse(body)

    async def insert_table(self, request: Request, project: str, dataset: str) -> Response:
        body = await read_json(request, limit=self.state.config.max_request_bytes)
        ref = body.get("tableReference")
        if not isinstance(ref, dict) or not ref.get("tableId"):
            raise required("tableReference.tableId")
        p, d, t = ref.get("projectId") or project, ref.get("datasetId") or dataset, ref["tableId"]
        _check_names(project=p, dataset=d, table=t)
        for unsupported in ("externalDataConfiguration", "snapshotDefinition", "cloneDefinition"):
            if body.get(unsupported):
                raise ApiError(501, f"Tables with {unsupported} are not supported by the emulator", "notImplemented")
        view = body.get("view")
        mview = body.get("materializedView")
        refresh = _mview_refresh(mview) if isinstance(mview, dict) and mview.get("query") else None
        fields = schema_from_api((body.get("schema") or {}).get("fields") or [])
        rest_fields = partitioning.int64_strings({k: body[k] for k in TABLE_FIELDS if k in body and k != "description"})

        def create() -> dict[str, Any]:
            tablekinds.parse_ms(body.get("expirationTime"), "expirationTime")
            self._dataset_info(p, d)
            try:
                if isinstance(view, dict) and view.get("query"):
                    if view.get("useLegacySql") is True:
                        raise ApiError(400, "Legacy SQL views are not supported by the emulator", "invalid")
                    if t in [i["table"] for i in self.engine.list_tables(p, d)]:
                        raise ApiError(409, f"Already Exists: Table {p}:{d}.{t}", "duplicate")
                    self.engine.query(f"CREATE VIEW {sql_table(p, d, t)} AS {view['query']}", default_project=p)
                elif isinstance(mview, dict) and mview.get("query"):
                    self.engine.query(
                        f"CREATE MATERIALIZED VIEW {sql_table(p, d, t)} AS {mview['query']}", default_project=p
                    )
                else:
                    if not fields and t in [i["table"] for i in self.engine.list_tables(p, d)]:
                        raise ApiError(409, f"Already Exists: Table {p}:{d}.{t}", "duplicate")
                    if not fields:
                        raise ApiError(
                            400,
                            f"The emulator needs a schema to create table {p}:{d}.{t}; give schema.fields, "
                            "or create it with a load job or CREATE TABLE ... AS SELECT",
                            "invalid",
                        )
                    self.engine.create_table(p, d, t, fields, description=body.get("description"))
            except LlmopsError as exc:
                if getattr(exc, "reason", None) == "duplicate":
                    raise ApiError(409, f"Already Exists: Table {p}:{d}.{t}", "duplicate") from None
                raise
            if body.get("expirationTime"):
                tablekinds.set_expiration(self.engine, p, d, t, body["expirationTime"])
            info = self._table_info(p, d, t)
            extra = dict(rest_fields)
            if refresh:
                extra["mviewRefresh"] = refresh
            if isinstance(view, dict) and view.get("query"):
                extra["viewQuery"] = view["query"]
                if body.get("description"):
                    extra["description"] = body["description"]
            self.meta.update(table_key(p, d, t), ms(info.get("created")), extra, merge=False)
            return info

        info = await self._call(create)
        return JSONResponse(self._table_json(request, info))

    def _partition(self, project: str, dataset: str, table: str, partition: str) -> tuple[str, int]:
        """(` WHERE <its rows>`, how many) of one partition of a table."""
        where = " WHERE " + partitiondecorators.googlesql_filter(self.engine, project, dataset, table, partition)
        counted = f"SELECT COUNT(*) AS n FROM {sql_table(project, dataset, table)}{where}"
        return where, int(self.engine.query(counted, default_project=project).table.column(0)[0].as_py())

    async def get_table(self, request: Request, project: str, dataset: str, table: str) -> Response:
        def get() -> tuple[dict[str, Any], int | None]:
            info = self._table_info(project, dataset, table)
            partition = None if "rows" in info else partitiondecorators.split(table)[1]
            return info, None if partition is None else self._partition(project, dataset, info["table"], partition)[1]

        info, partition_rows = await self._call(get)
        res = self._table_json(request, info)
        if partition_rows is not None:  # `t$20240101`: the partition, named as asked, with its rows
            res["tableReference"]["tableId"] = table
            res["id"] = f"{project}:{dataset}.{table}"
            res["numRows"] = str(partition_rows)
        selected = request.query_params.get("selectedFields")
        if selected:
            wanted = {s.strip().split(".")[0].lower() for s in selected.split(",") if s.strip()}
            res["schema"]["fields"] = [f for f in res["schema"]["fields"] if f["name"].lower() in wanted]
        view = (request.query_params.get("view") or "TABLE_METADATA_VIEW_UNSPECIFIED").upper()
        if view not in _TABLE_VIEWS:
            raise bad_request(f"Invalid view {view!r}; use BASIC, STORAGE_STATS or FULL", location="view")
        if view == "BASIC":
            for key in _STORAGE_STATS:
                res.pop(key, None)  # "does not include storage statistics such as numRows or numBytes"
        return JSONResponse(res)

    async def patch_table(self, request: Request, project: str, dataset: str, table: str) -> Response:
        body = await read_json(request, limit=self.state.config.max_request_bytes)

        def patch() -> dict[str, Any]:
            info = self._table_info(project, dataset, table)
            _check_etag(request, self._table_json(request, info))
            t = info["table"]
            if isinstance(body.get("schema"), dict) and body["schema"].get("fields") is not None:
                new = schema_from_api(body["schema"]["fields"])
                if info["type"] == "VIEW" and _schema_differs(_undescribed(info["schema"]), _undescribed(new)):
                    # a view's columns come from its query; their descriptions may be set (dbt's persist_docs)
                    raise ApiError(400, "The schema of a view cannot be changed", "invalid")
                if _schema_differs(info["schema"], new):
                    self.engine.update_table_schema(project, dataset, t, new)
            if isinstance(body.get("view"), dict) and body["view"].get("query") and info["type"] == "VIEW":
                self.engine.query(
                    f"CREATE OR REPLACE VIEW {sql_table(project, dataset, t)} AS {body['view']['query']}",
                    default_project=project,
                )
                info = self.engine.get_table(project, dataset, t)
                self.meta.update(
                    table_key(project, dataset, t), ms(info.get("created")), {"viewQuery": body["view"]["query"]}
                )
            fields = {k: body.get(k) for k in TABLE_FIELDS if k in body}
            if request.method == "PUT":
                fields = {k: body.get(k) for k in TABLE_FIELDS}
            fields = partitioning.int64_strings(fields)
            if (
                isinstance(body.get("materializedView"), dict)
                and (info.get("features") or {}).get("kind") == "MATERIALIZED_VIEW"
            ):
                fields["mviewRefresh"] = _mview_refresh(body["materializedView"])
            if "expirationTime" in fields:
                tablekinds.set_expiration(self.engine, project, dataset, t, fields["expirationTime"])
            ddlopts.forget_fields(self.engine, project, dataset, t, fields)
            self.meta.update(
                table_key(project, dataset, t), ms(info.get("created")), fields, merge=request.method == "PATCH"
            )
            resource = self._table_json(request, self._table_info(project, dataset, t))
            ddlopts.mirror(self.engine, project, dataset, t, fields, resource)
            return self._table_info(project, dataset, t)

        info = await self._call(patch)
        return JSONResponse(self._table_json(request, info))

    async def delete_table(self, request: Request, project: str, dataset: str, table: str) -> Response:
        def delete() -> None:
            info = self._table_info(project, dataset, table)
            partition = partitiondecorators.split(table)[1]
            if partition is not None:  # `t$20240101`: that partition's rows
                self.engine.delete_partition(project, dataset, info["table"], partition)
                return
            self.engine.delete_table(project, dataset, info["table"])
            self.meta.drop(table_key(project, dataset, info["table"]))

        await self._call(delete)
        return Response(status_code=204)

    # ------------------------------------------------------------------ tabledata

    async def list_rows(self, request: Request, project: str, dataset: str, table: str) -> Response:
        offset = _offset(request.query_params.get("pageToken"), query_int(request, "startIndex", 0))
        limit = query_int(request, "maxResults", None, minimum=0)
        timestamps = timestamp_output(
            query_bool(request, "formatOptions.useInt64Timestamp"),
            request.query_params.get("formatOptions.timestampOutputFormat"),
        )
        selected = [s.strip() for s in (request.query_params.get("selectedFields") or "").split(",") if s.strip()]
        for name in selected:
            if not re.match(_COLUMN_RE, name.split(".")[0]):
                raise bad_request(f"Invalid selectedFields entry {name!r}", location="selectedFields")

        def rows() -> Response:
            info = self._table_info(project, dataset, table)
            total = int(info["num_rows"])
            where = ""
            partition = None if "rows" in info else partitiondecorators.split(table)[1]
            if partition is not None:  # `t$20240101`: that partition's rows
                where, total = self._partition(project, dataset, info["table"], partition)
            columns = ", ".join(dict.fromkeys(f"`{s.split('.')[0]}`" for s in selected)) if selected else "*"
            n = limit if limit is not None else None
            if n is None:
                n = min(max(1, total - offset), 100_000)
            if "rows" in info:  # a partition summary's or a query's kept rows, not a stored table
                found = info["rows"]
                names = [s.split(".")[0] for s in selected] or found.column_names
                unknown = [name for name in names if name not in found.column_names]
                if unknown:
                    raise bad_request(f"Invalid selectedFields entry {unknown[0]!r}", location="selectedFields")
                found = found.select(names).slice(offset, n)
                fields = [f for f in info["schema"] if f["name"] in names]
                from .engine import QueryResult

                ordered = sorted(fields, key=lambda f: names.index(f["name"]))
                result = QueryResult(table=found, schema=ordered, statement_type="SELECT")
            else:
                sql = f"SELECT {columns} FROM {sql_table(project, dataset, info['table'])}{where} LIMIT {int(n)} OFFSET {int(offset)}"
                result = self.engine.query(sql, default_project=project)
            table_ = result.table
            if limit is None and table_.num_rows > _default_page_rows(table_):
                table_ = table_.slice(0, _default_page_rows(table_))
            body: dict[str, Any] = {"kind": "bigquery#tableDataList", "etag": str(total), "totalRows": str(total)}
            if table_.num_rows:
                body["rows"] = _encode_rows(table_, result.schema, timestamps)
            if offset + table_.num_rows < total and (table_.num_rows or limit == 0):
                body["pageToken"] = _page_token(offset + table_.num_rows)
            return _json_response(body)

        return await self._call(rows)

    async def insert_all(self, request: Request, project: str, dataset: str, table: str) -> Response:
        body = await read_json(request, limit=self.state.config.max_request_bytes)
        rows = body.get("rows")
        if not isinstance(rows, list) or not rows:
            raise bad_request("No rows present in the request.", "invalid")
        if body.get("templateSuffix"):
            raise ApiError(501, "templateSuffix is not supported by the emulator", "notImplemented")
        for i, r in enumerate(rows):
            if not isinstance(r, dict) or not isinstance(r.get("json"), dict):
                raise bad_request(f"rows[{i}].json must be an object", location=f"rows[{i}].json")

        def insert() -> list[dict[str, Any]]:
            info = self._table_info(project, dataset, table)
            key = f"{project}.{dataset}.{info['table']}"
            keep, in_request = [], set()
            for i, r in enumerate(rows):
                insert_id = r.get("insertId")
                if insert_id and str(insert_id) in in_request or self._seen_insert_id(key, insert_id):
                    continue  # a row repeated within one request is de-duplicated too
                keep.append(i)
                if insert_id:
                    in_request.add(str(insert_id))
            refused = _limit_errors(info, rows, keep)
            if refused and not body.get("skipInvalidRows"):
                bad = {e["index"] for e in refused}
                stopped = [
                    {"index": i, "errors": [{"reason": "stopped", "location": "", "debugInfo": "", "message": ""}]}
                    for i in keep
                    if i not in bad
                ]
                return refused + stopped
            keep = [i for i in keep if i not in {e["index"] for e in refused}]
            errors = (
                self.engine.insert_rows(
                    project,
                    dataset,
                    info["table"],
                    [rows[i]["json"] for i in keep],
                    skip_invalid=bool(body.get("skipInvalidRows")),
                    ignore_unknown=bool(body.get("ignoreUnknownValues")),
                    partition=partitiondecorators.split(table)[1],
                )
                if keep
                else []
            )
            for e in errors:
                e["index"] = keep[e["index"]]
            errors = sorted(refused + errors, key=lambda e: e["index"]) if refused else errors
            if not errors or body.get("skipInvalidRows"):
                bad = {e["index"] for e in errors}
                self._remember_insert_ids(key, [rows[i].get("insertId") for i in keep if i not in bad])
            return errors

        errors = await self._call(insert)
        out: dict[str, Any] = {"kind": "bigquery#tableDataInsertAllResponse"}
        if errors:
            out["insertErrors"] = errors
        return JSONResponse(out)

    def _seen_insert_id(self, table: str, insert_id: Any) -> bool:
        """Best-effort de-duplication of retried rows, like BigQuery's (one minute window)."""
        if not insert_id:
            return False
        cutoff = time.time() - 60
        while self.recent_insert_ids and next(iter(self.recent_insert_ids.values())) < cutoff:
            self.recent_insert_ids.popitem(last=False)
        return (table, str(insert_id)) in self.recent_insert_ids

    def _remember_insert_ids(self, table: str, ids: list[Any]) -> None:
        now = time.time()
        for i in ids:
            if i:
                self.recent_insert_ids[(table, str(i))] = now

    # ------------------------------------------------------------------ jobs

    def _job_json(self, request: Request, job: Job) -> dict[str, Any]:
        res = dict(job.resource)
        res["selfLink"] = (
            f"{base_url(request)}/bigquery/v2/projects/{job.project}/jobs/{job.job_id}?location={job.location}"
        )
        return res

    async def insert_job(self, request: Request, project: str) -> Response:
        body = await read_json(request, limit=self.state.config.max_request_bytes)
        job = await self._call(self.jobs.insert, project, body, wait_s=INSERT_WAIT_S)
        return JSONResponse(self._job_json(request, job))

    def _located_job(self, request: Request, project: str, job_id: str) -> Job:
        """The job, or 404 as BigQuery answers when `?location=` names another location than its own."""
        job = self.jobs.get(project, job_id)
        location = request.query_params.get("location")
        if location and location.lower() != str(job.location).lower():
            raise ApiError(404, f"Not found: Job {project}:{location}.{job_id}", "notFound")
        if not location and str(job.location).upper() not in _MULTI_REGIONS:
            # without ?location= BigQuery looks only in the US and EU multi-regions
            raise ApiError(404, f"Not found: Job {project}:{job_id}", "notFound")
        return job

    async def get_job(self, request: Request, project: str, job_id: str) -> Response:
        return JSONResponse(self._job_json(request, self._located_job(request, project, job_id)))

    async def cancel_job(self, request: Request, project: str, job_id: str) -> Response:
        self._located_job(request, project, job_id)
        await self._call(self.jobs.cancel, project, job_id)
        job = self.jobs.get(project, job_id)
        return JSONResponse({"kind": "bigquery#jobCancelResponse", "job": self._job_json(request, job)})

    async def delete_job(self, request: Request, project: str, job_id: str) -> Response:
        job = self._located_job(request, project, job_id)
        if not job.done:
            raise bad_request(
                f"Job {project}:{job.location}.{job_id} is still running; cancel it (jobs.cancel) or wait until it "
                "is DONE, then delete its metadata"
            )
        self.jobs.store.delete(project, job_id)
        return JSONResponse({})  # google.protobuf.Empty, as Google's JSON APIs answer it

    async def list_jobs(self, request: Request, project: str) -> Response:
        jobs = self.jobs.list_jobs(project)
        parent = request.query_params.get("parentJobId")  # children of a script, else top-level jobs
        jobs = [j for j in jobs if j.resource.get("statistics", {}).get("parentJobId") == parent]
        states = {s.upper() for s in request.query_params.getlist("stateFilter")}
        if states - {"DONE", "PENDING", "RUNNING"}:
            raise bad_request(
                f"Invalid stateFilter {sorted(states)}: use done, pending or running", location="stateFilter"
            )
        if states:
            jobs = [j for j in jobs if j.resource["status"]["state"] in states]
        projection = (request.query_params.get("projection") or "full").lower()
        if projection not in {"full", "minimal"}:
            raise bad_request(f"Invalid projection {projection!r}: use full or minimal", location="projection")
        earliest = query_int(request, "minCreationTime", None)
        latest = query_int(request, "maxCreationTime", None)
        if earliest is not None or latest is not None:
            jobs = [j for j in jobs if _created_between(j, earliest, latest)]
        offset = _offset(request.query_params.get("pageToken"), 0)
        limit = query_int(request, "maxResults", None, minimum=1)
        page = jobs[offset : offset + limit] if limit else jobs[offset:]
        items = []
        for job in page:
            res = self._job_json(request, job)
            item: dict[str, Any] = {
                k: res[k]
                for k in (
                    "kind",
                    "id",
                    "jobReference",
                    "configuration",
                    "status",
                    "statistics",
                    "user_email",
                    "principal_subject",
                )
                if k in res
            }
            if projection == "minimal":
                item.pop("configuration", None)  # "minimal": everything but the job configuration
            item["state"] = res["status"]["state"]
            if "errorResult" in res["status"]:
                item["errorResult"] = res["status"]["errorResult"]
            items.append(item)
        body: dict[str, Any] = {"kind": "bigquery#jobList", "etag": str(len(jobs))}
        if items:
            body["jobs"] = items
        if limit and offset + limit < len(jobs):
            body["nextPageToken"] = _page_token(offset + limit)
        return JSONResponse(body)

    def _results_body(self, job: Job, *, offset: int, limit: int | None, timestamps: str) -> dict[str, Any]:
        """The query-results part shared by jobs.query and jobs.getQueryResults."""
        body: dict[str, Any] = {
            "jobReference": job.reference,
            "jobComplete": True,
            "totalBytesProcessed": "0",
            "cacheHit": False,
        }
        session = job.resource.get("statistics", {}).get("sessionInfo")
        if session:
            body["sessionInfo"] = session
        stats = job.resource.get("statistics", {}).get("query", {})
        if stats.get("cacheHit"):
            body["cacheHit"] = True
        if "numDmlAffectedRows" in stats:
            body["numDmlAffectedRows"] = stats["numDmlAffectedRows"]
            body["dmlStats"] = stats.get("dmlStats", {})
        result = job.result
        if result is None and job.resource.get("configuration", {}).get("dryRun"):
            body["totalBytesProcessed"] = stats.get("totalBytesProcessed", "0")
            if "schema" in stats:
                body["schema"] = stats["schema"]
            return body
        if result is None:
            if "schema" in stats:
                raise ApiError(
                    404, f"The results of job {job.project}:{job.job_id} have expired; run the query again", "notFound"
                )
            return body  # DDL, EXPORT DATA, loads: no rows and no totalRows -> an empty iterator
        if result.statement_type != "SELECT" and not result.schema:
            return body
        table = result.table
        total = table.num_rows
        body["schema"] = {"fields": schema_to_api(result.schema)}
        body["totalRows"] = str(total)
        n = limit if limit is not None else _default_page_rows(table)
        page = table.slice(offset, n)
        if page.num_rows:
            body["rows"] = _encode_rows(page, result.schema, timestamps)
        if offset + page.num_rows < total and n != 0:
            # maxResults=0 asks for the job's state, not a page: a token there would send a client
            # that follows tokens (nodejs-bigquery's getQueryResults({maxResults: 0})) round forever
            body["pageToken"] = _page_token(offset + page.num_rows)
        return body

    async def query(self, request: Request, project: str) -> Response:
        body = await read_json(request, limit=self.state.config.max_request_bytes)
        limit = body.get("maxResults")
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
            raise bad_request(f"Invalid maxResults {limit!r}", location="maxResults")
        formats = body.get("formatOptions") or {}
        timestamps = timestamp_output(bool(formats.get("useInt64Timestamp")), formats.get("timestampOutputFormat"))

        arrow = str(body.get("queryResultsFormat") or "").upper() == "ARROW"
        wait: float | None = wait_s(body.get("timeoutMs"))
        prepared = self.jobs.prepare_query(project, body)  # a bad request's 4xx, before anything runs
        if prepared.dry_run:
            wait = None  # a dry run answers its plan or its error, never jobComplete: false

        def respond(job: Job) -> Response:
            if job.error is not None:
                raise job.error
            if arrow and job.result is not None and job.result.schema:
                return JSONResponse(_arrow_results(job))
            out = self._results_body(job, offset=0, limit=limit, timestamps=timestamps)
            out["kind"] = "bigquery#queryResponse"
            if job.resource["configuration"].get("dryRun"):
                # a dry run creates no job: BigQuery's reference names no jobId
                out["jobReference"] = {"projectId": job.project, "location": job.location}
            elif str(body.get("jobCreationMode") or "") == "JOB_CREATION_OPTIONAL":
                _job_optional(body, job, out)
            return _json_response(out)

        def run() -> Response:
            # on this request's worker thread, not a job thread: a small query pays no second hand-off
            return respond(self.jobs.run_here(prepared))

        cached = self.jobs.answer_cached(prepared)
        if cached is not None:
            # the query cache's answer: no hand-off to a thread unless its rows take a while to write
            small = cached.result is None or cached.result.table.num_rows <= _ROWS_WRITTEN_ON_THE_LOOP
            return respond(cached) if small else await self._call(respond, cached)
        answer = asyncio.ensure_future(self._call(run))
        try:
            return await asyncio.wait_for(asyncio.shield(answer), timeout=wait)
        except TimeoutError:
            if not prepared.abandon():
                return await answer  # failing this moment: its own answer
        answer.add_done_callback(_settled_without_caller)
        return _json_response(_incomplete(self.jobs.get(project, prepared.job.job_id), "bigquery#queryResponse"))

    async def get_query_results(self, request: Request, project: str, job_id: str) -> Response:
        job = self._located_job(request, project, job_id)
        wait = wait_s(request.query_params.get("timeoutMs"))
        if not job.done:
            job = await self._call(self.jobs.wait, project, job_id, wait)
            if not job.done:
                return _json_response(_incomplete(job, "bigquery#getQueryResultsResponse"))
        if job.error is not None:
            raise job.error
        offset = _offset(request.query_params.get("pageToken"), query_int(request, "startIndex", 0))
        limit = query_int(request, "maxResults", None, minimum=0)
        timestamps = timestamp_output(
            query_bool(request, "formatOptions.useInt64Timestamp"),
            request.query_params.get("formatOptions.timestampOutputFormat"),
        )

        def results() -> Response:
            out = self._results_body(job, offset=offset, limit=limit, timestamps=timestamps)
            out["kind"] = "bigquery#getQueryResultsResponse"
            out["etag"] = job.resource["etag"]
            return _json_response(out)

        return await self._call(results)

    # ------------------------------------------------------------------ uploads

    async def upload_job(self, request: Request, project: str) -> Response:
        upload_type = request.query_params.get("uploadType")
        uploads = self.state.uploads
        if upload_type == "multipart":
            raw = await read_body(request, uploads.max_bytes)
            parts = parse_multipart_related(raw, request.headers.get("content-type", ""))
            if len(parts) != 2:
                raise bad_request(f"A multipart upload has 2 parts (job, data); got {len(parts)}")
            body = parse_json(parts[0][1], what="job part")
            if not isinstance(body, dict):
                raise bad_request("The job part must be a JSON object", "parseError")
            _require_load(body)
            job = await self._call(self.jobs.insert, project, body, media=parts[1][1], wait_s=INSERT_WAIT_S)
            return JSONResponse(self._job_json(request, job))
        if upload_type == "resumable":
            body = await read_json(request, limit=self.state.config.max_request_bytes)
            _require_load(body)
            total = request.headers.get("x-upload-content-length")
            size = int(total) if total and total.isdigit() else None
            session = uploads.create("bigquery", {"project": project, "job": body}, size)
            location = f"{base_url(request)}/upload/bigquery/v2/projects/{project}/jobs?uploadType=resumable&upload_id={session.id}"
            return Response(status_code=200, headers={"Location": location, "X-GUploader-UploadID": session.id})
        if not upload_type:
            raise required("uploadType")
        raise bad_request(f"Unsupported uploadType {upload_type!r}; use multipart or resumable", location="uploadType")

    async def upload_chunk(self, request: Request, project: str) -> Response:
        uploads = self.state.uploads
        session = uploads.get(request.query_params.get("upload_id"), "bigquery")
        if session.info["project"] != project:
            raise ApiError(404, f"Upload session {session.id} is for another project", "notFound")
        done = await uploads.receive(session, request)
        if not done:
            return uploads.incomplete_response(session)
        try:
            data = await run_in_threadpool(session.data_path.read_bytes)
            job = await self._call(self.jobs.insert, project, session.info["job"], media=data, wait_s=INSERT_WAIT_S)
        finally:
            uploads.discard(session)
        return JSONResponse(self._job_json(request, job))

    async def cancel_upload(self, request: Request, project: str) -> Response:
        uploads = self.state.uploads
        uploads.discard(uploads.get(request.query_params.get("upload_id"), "bigquery"))
        return Response(status_code=499)


def _settled_without_caller(answer: asyncio.Future[Any]) -> None:
    """Take the outcome of a query whose caller got `jobComplete: false`: its job records a
    failure itself (nothing to log twice here)."""
    if not answer.cancelled():
        answer.exception()


def _incomplete(job: Job, kind: str) -> dict[str, Any]:
    """A query response for a job still running after the request's timeoutMs: the client asks
    again (getQueryResults) or polls jobs.get."""
    return {"kind": kind, "jobReference": job.reference, "jobComplete": False}


def _job_optional(request: dict[str, Any], job: Job, out: dict[str, Any]) -> None:
    """jobs.query under JOB_CREATION_OPTIONAL: a SELECT whose rows all fit in the response is
    answered without a job (a `queryId`, a jobReference without jobId), as BigQuery answers short
    queries; otherwise the job is named with its `jobCreationReason`."""
    result = job.result
    whole = result is not None and result.statement_type == "SELECT" and "pageToken" not in out
    if whole and "sessionInfo" not in out and not request.get("createSession"):
        out["jobReference"] = {"projectId": job.project, "location": job.location}
        out["queryId"] = job.job_id
        return
    out["jobCreationReason"] = {"code": "LARGE_RESULTS" if "pageToken" in out else "OTHER"}


def _encode_rows(page: pa.Table, schema: list[dict[str, Any]], timestamps: str) -> list[dict[str, Any]] | bytes:
    """A page's `rows`: the JSON bytes of a large page, the row objects of a small one."""
    if page.num_rows * len(schema) <= SMALL_PAGE_CELLS:
        return encode_rows(page, schema, timestamps=timestamps)
    return encode_rows_json(page, schema, timestamps=timestamps)


def _json_response(body: dict[str, Any]) -> Response:
    """`body` as JSONResponse writes it, its "rows" (when JSON bytes from encode_rows_json)
    spliced in."""
    rows = body.pop("rows") if isinstance(body.get("rows"), bytes) else None
    content = JSONResponse(body).body
    if rows is not None:
        content = b"".join((content[:-1], b',"rows":' if len(content) > 2 else b'"rows":', rows, b"}"))
    return Response(content, media_type="application/json")


def _arrow_results(job: Job) -> dict[str, Any]:
    """jobs.query's (beta) ARROW results: every row inline as one IPC record batch, so the
    client never needs the BigQuery Storage read stream."""
    table = job.result.table.combine_chunks()
    batches = table.to_batches()
    out: dict[str, Any] = {
        "kind": "bigquery#queryResponse",
        "jobReference": job.reference,
        "jobComplete": True,
        "schema": {"fields": schema_to_api(job.result.schema)},
        "totalRows": str(table.num_rows),
        "pageRowCount": str(table.num_rows),
        "totalBytesProcessed": "0",
        "cacheHit": False,
        "arrowSchema": {"serializedSchema": base64.b64encode(table.schema.serialize().to_pybytes()).decode()},
    }
    if batches:
        batch = (
            batches[0]
            if len(batches) == 1
            else pa.RecordBatch.from_struct_array(table.to_struct_array().combine_chunks())
        )
        out["arrowRecordBatch"] = {
            "serializedRecordBatch": base64.b64encode(batch.serialize().to_pybytes()).decode(),
            "rowCount": str(batch.num_rows),
        }
    return out


def _check_etag(request: Request, current: dict[str, Any]) -> None:
    """`If-Match` (what the client sends from a fetched resource's etag): 412 if it changed since."""
    wanted = request.headers.get("if-match")
    if wanted and wanted.strip() not in ("*", current.get("etag")):
        raise ApiError(412, "Precondition check failed.", "conditionNotMet")


def _require_load(body: dict[str, Any]) -> None:
    config = body.get("configuration")
    if not isinstance(config, dict) or not isinstance(config.get("load"), dict):
        raise required("configuration.load")


def _undescribed(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A schema without its fields' descriptions (nested ones too)."""
    return [
        {**{k: v for k, v in f.items() if k != "description"}, "fields": _undescribed(f.get("fields") or [])}
        for f in fields
    ]


def _schema_differs(have: list[dict[str, Any]], new: list[dict[str, Any]]) -> bool:
    def norm(fields: list[dict[str, Any]]) -> list[Any]:
        return [
            (
                f["name"].lower(),
                f["type"],
                str(f.get("timestampPrecision") or "6"),
                f.get("mode") or "NULLABLE",
                norm(f.get("fields") or []),
                f.get("description") or None,
            )
            for f in fields
        ]

    return norm(have) != norm(new)


def _hidden(dataset: str) -> bool:
    """Whether datasets.list leaves a dataset out unless asked for all: a session's or the query
    results' hidden dataset."""
    return session_tables.is_hidden(dataset) or anonymous.is_anonymous(dataset)


def _label_filter(expr: str, labels: dict[str, str]) -> bool:
    """`labels.key[:value]` terms joined by spaces (BigQuery's dataset list filter)."""
    for term in expr.split():
        if not term.startswith("labels."):
            raise bad_request(f"Invalid filter {expr!r}; use labels.KEY or labels.KEY:VALUE", location="filter")
        key, _, value = term[len("labels.") :].partition(":")
        if key not in labels or (value and labels[key] != value):
            return False
    return True


_TABLE_VIEWS = ("TABLE_METADATA_VIEW_UNSPECIFIED", "BASIC", "STORAGE_STATS", "FULL")
_STORAGE_STATS = ("numBytes", "numLongTermBytes", "numRows", "lastModifiedTime")
"""What tables.get leaves out under `view=BASIC` (BigQuery's STORAGE_STATS view adds them)."""


def _endpoint(handler: Callable[..., Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await handler(request, **request.path_params)

    return endpoint


def routes(state: BigQueryApi) -> list[BaseRoute]:
    api = BigQueryHandlers(state)
    v2 = "/bigquery/v2/projects"
    table = v2 + "/{project}/datasets/{dataset}/tables/{table}"
    # Routes are tried in order: the job and query calls every small query makes come first
    # (no other route's path matches theirs, so where they stand changes no answer).
    table_list: list[tuple[str, str, Callable[..., Awaitable[Response]]]] = [
        (v2 + "/{project}/queries", "POST", api.query),
        (v2 + "/{project}/queries/{job_id}", "GET", api.get_query_results),
        (v2 + "/{project}/jobs", "GET", api.list_jobs),  # before POST: a 405 names the methods of the first
        (v2 + "/{project}/jobs", "POST", api.insert_job),
        (v2 + "/{project}/jobs/{job_id}", "GET", api.get_job),
        ("/bigquery/v2/projects", "GET", api.list_projects),
        (v2 + "/{project}/datasets", "GET", api.list_datasets),
        (v2 + "/{project}/datasets", "POST", api.insert_dataset),
        (v2 + "/{project}/datasets/{dataset}", "GET", api.get_dataset),
        (v2 + "/{project}/datasets/{dataset}", "PATCH", api.patch_dataset),
        (v2 + "/{project}/datasets/{dataset}", "PUT", api.patch_dataset),
        (v2 + "/{project}/datasets/{dataset}", "DELETE", api.delete_dataset),
        (v2 + "/{project}/datasets/{dataset}/tables", "GET", api.list_tables),
        (v2 + "/{project}/datasets/{dataset}/tables", "POST", api.insert_table),
        (table, "GET", api.get_table),
        (table, "PATCH", api.patch_table),
        (table, "PUT", api.patch_table),
        (table, "DELETE", api.delete_table),
        (table + "/data", "GET", api.list_rows),
        (table + "/insertAll", "POST", api.insert_all),
        (v2 + "/{project}/jobs/{job_id}/cancel", "POST", api.cancel_job),
        (v2 + "/{project}/jobs/{job_id}/delete", "DELETE", api.delete_job),
        ("/upload/bigquery/v2/projects/{project}/jobs", "POST", api.upload_job),
        ("/upload/bigquery/v2/projects/{project}/jobs", "PUT", api.upload_chunk),
        ("/upload/bigquery/v2/projects/{project}/jobs", "DELETE", api.cancel_upload),
    ]
    from .model_routes import model_routes
    from .routine_routes import routine_routes

    own = [Route(path, _endpoint(handler), methods=[method]) for path, method, handler in table_list]
    return own + routine_routes(state) + model_routes(state)


def _created_between(job: Job, earliest: int | None, latest: int | None) -> bool:
    """Whether a job was created within jobs.list's minCreationTime/maxCreationTime (ms, inclusive)."""
    created = int(job.resource.get("statistics", {}).get("creationTime") or 0)
    return (earliest is None or created >= earliest) and (latest is None or created <= latest)


def _limit_errors(info: dict[str, Any], rows: list[Any], keep: list[int]) -> list[dict[str, Any]]:
    """insertAll errors for rows whose values their fields' maxLength or precision refuse (a value
    with more decimals than the scale is rounded in the row, as BigQuery rounds it)."""
    options = (info.get("features") or {}).get("field_options") or {}
    types = {f["name"].lower(): f["type"] for f in info.get("schema") or []}
    mode = ((info.get("features") or {}).get("ddl_fields") or {}).get("defaultRoundingMode")
    limited = {
        path: {
            **o,
            "_bytes": types.get(path) == "BYTES",
            "_bignumeric": types.get(path) == "BIGNUMERIC",
            "_mode": o.get("roundingMode") or mode,
        }
        for path, o in options.items()
        if "maxLength" in o or "precision" in o
    }
    if not limited:
        return []
    out = []
    for i in keep:
        hit = typeparams.limit_error(rows[i]["json"], limited)
        if hit:
            field, message = hit
            out.append(
                {"index": i, "errors": [{"reason": "invalid", "location": field, "debugInfo": "", "message": message}]}
            )
    return out


def _mview_refresh(mview: dict[str, Any]) -> dict[str, Any]:
    """The refresh settings a tables.insert/patch gives a materialized view (BigQuery keeps them)."""
    out: dict[str, Any] = {}
    if isinstance(mview.get("enableRefresh"), bool):
        out["enableRefresh"] = mview["enableRefresh"]
    if mview.get("refreshIntervalMs") is not None:
        try:
            interval = int(mview["refreshIntervalMs"])
        except (TypeError, ValueError):
            raise bad_request(
                f"Invalid materializedView.refreshIntervalMs {mview['refreshIntervalMs']!r}: give milliseconds",
                location="materializedView.refreshIntervalMs",
            ) from None
        if not 60_000 <= interval <= 7 * 24 * 3_600_000:
            raise bad_request(
                "materializedView.refreshIntervalMs must be between 1 minute and 7 days",
                location="materializedView.refreshIntervalMs",
            )
        out["refreshIntervalMs"] = str(interval)
    return out
