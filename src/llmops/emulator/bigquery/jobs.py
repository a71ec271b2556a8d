"""BigQuery jobs: query, load, extract and copy, on job threads (`jobthreads.py`) or the caller's.

jobs.insert answers when its job is done, or after a short wait (INSERT_WAIT_S) with the job
PENDING or RUNNING; jobs.query and jobs.getQueryResults wait up to the request's `timeoutMs`
(10 s when not sent) and answer `jobComplete: false` for a job still running, so clients poll as
they do against BigQuery, and short jobs answer DONE at once. jobs.query runs its job on the
request's own thread (`run_here`); at most MAX_RUNNING_JOBS others run at a time, later ones stay
PENDING until a job thread frees. jobs.cancel (from another request) interrupts a
running or pending job: it ends DONE with errorResult reason `stopped`, as BigQuery's do. A failed
job is still a job: `status.errorResult` carries the error, and getQueryResults answers with it.
Query results are kept in memory for the most recent jobs so the clients can page through them
(jobs.getQueryResults); older results expire like BigQuery's do.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import json
import logging
import math
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ...core.errors import LlmopsError
from ..server.errors import ApiError, bad_request, from_exception, required
from ..server.randombytes import random_bytes, random_hex
from ..storage.store import ObjectStore
from . import (
    anonymous,
    ddlopts,
    exportcolumns,
    fieldopts,
    history,
    partitiondecorators,
    partitioning,
    querycache,
    result_names,
    session_tables,
    tablekinds,
)
from .dryrun import DryRun, billed_bytes
from .encoding import decode_parameters, schema_from_api, schema_to_api
from .googlesql import EXTRACT_JOB, SESSION_USER
from .jobthreads import JobThreads
from .loads import SELF_DESCRIBING, LoadError, read_load_data
from .resources import RestMetadata, table_key
from .resources import ms as created_ms
from .sandbox import QueryControl

if TYPE_CHECKING:
    from .api import BigQueryApi
    from .sessions import Session

JOB_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,1024}$")
NAME_RE = re.compile(r"^[^`\\\n\r]{1,1024}$")
MAX_RUNNING_JOBS = 16
"""Jobs that run at once; later ones wait (state PENDING) for a slot."""
INSERT_WAIT_S = 2.0
"""How long jobs.insert waits for its job before answering it PENDING or RUNNING."""
RESULTS_WAIT_S = 10.0
"""jobs.query's and jobs.getQueryResults' wait when no timeoutMs is sent (BigQuery's default)."""
MAX_RESULTS_WAIT_MS = 200_000
"""The longest a jobs.query or getQueryResults request waits, whatever timeoutMs asks (BigQuery's cap)."""
log = logging.getLogger(__name__)
_DDL_OPERATION = {"CREATE": "CREATE", "DROP": "DROP", "ALTER": "ALTER", "TRUNCATE": "TRUNCATE"}


def now_ms() -> str:
    return str(int(time.time() * 1000))


def table_ref(ref: Any, where: str, default_project: str) -> tuple[str, str, str]:
    """A `{projectId, datasetId, tableId}` reference -> (project, dataset, table), validated."""
    if not isinstance(ref, dict):
        raise required(where)
    project = ref.get("projectId") or default_project
    dataset, table = ref.get("datasetId"), ref.get("tableId")
    if not dataset:
        raise required(f"{where}.datasetId")
    if not table:
        raise required(f"{where}.tableId")
    for value in (project, dataset, table):
        if not isinstance(value, str) or not NAME_RE.match(value):
            raise bad_request(f"Invalid name {value!r} in {where}")
    return project, dataset, table.split("$", 1)[0]


def sql_table(project: str, dataset: str, table: str) -> str:
    """A backticked GoogleSQL table name (names were checked to hold no backtick)."""
    return f"`{project}.{dataset}.{table}`"


@dataclass
class Job:
    """One job: its REST resource, and the rows of a query job while they are kept."""

    project: str
    job_id: str
    location: str
    resource: dict[str, Any]
    result: Any = None  # engine QueryResult for query jobs
    error: ApiError | None = None
    created: float = field(default_factory=time.time)

    @property
    def reference(self) -> dict[str, str]:
        return {"projectId": self.project, "jobId": self.job_id, "location": self.location}

    @property
    def done(self) -> bool:
        return self.resource.get("status", {}).get("state") == "DONE"


@dataclass
class _Run:
    """One job on its way from jobs.insert to the store, and its handoff to the request that
    started it: that request gets the job (or an unexpected error) if it is still waiting."""

    job: Job
    kind: str
    config: dict[str, Any]
    media: bytes | None
    dry_run: bool
    control: QueryControl
    finished: threading.Event
    created: str
    located: str | None
    result: Job | None = None
    error: BaseException | None = None
    cached: querycache.Cached | None = None
    """The query cache's answer, found before the job ran (`answer_cached`)."""
    settled: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _caller: str = "waiting"  # then "gone" (stopped waiting) or "committed" (will take the error)

    def wait(self, timeout_s: float) -> bool:
        """Wait for the outcome; False, and the caller gone, if it takes longer than `timeout_s`."""
        if self.settled.wait(timeout_s):
            return True
        if self.abandon():
            return False
        self.settled.wait()  # the job failed just now and is handing its error over
        return True

    def abandon(self) -> bool:
        """The caller stops waiting; False if the job has already committed to hand it an error."""
        with self._lock:
            if self._caller == "waiting":
                self._caller = "gone"
                return True
            return False

    def abandoned_by_caller(self) -> bool:
        """Whether the request that started the job stopped waiting (else it takes the job's error)."""
        with self._lock:
            if self._caller == "gone":
                return True
            self._caller = "committed"
            return False

    def outcome(self) -> Job:
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class JobStore:
    """Jobs by (project, job id), newest last; results kept for the `keep_results` newest."""

    def __init__(self, max_jobs: int = 10_000, keep_results: int = 64):
        self._jobs: OrderedDict[tuple[str, str], Job] = OrderedDict()
        self._with_results: OrderedDict[tuple[str, str], Job] = OrderedDict()
        self._lock = threading.Lock()
        self.max_jobs = max_jobs
        self.keep_results = keep_results

    def reserve(self, project: str, job_id: str, location: str) -> None:
        with self._lock:
            if (project, job_id) in self._jobs:
                raise ApiError(409, f"Already Exists: Job {project}:{location}.{job_id}", "duplicate")

    def add(self, job: Job) -> None:
        with self._lock:
            key = (job.project, job.job_id)
            if key in self._jobs:
                raise ApiError(409, f"Already Exists: Job {job.project}:{job.location}.{job.job_id}", "duplicate")
            self._jobs[key] = job
            while len(self._jobs) > self.max_jobs:
                dropped, _ = self._jobs.popitem(last=False)
                self._with_results.pop(dropped, None)
            if job.result is not None:
                self._with_results[key] = job
            while len(self._with_results) > self.keep_results:
                _, old = self._with_results.popitem(last=False)
                old.result = None

    def get(self, project: str, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get((project, job_id))
        if job is None:
            raise ApiError(404, f"Not found: Job {project}:{job_id}", "notFound")
        return job

    def delete(self, project: str, job_id: str) -> None:
        with self._lock:
            self._with_results.pop((project, job_id), None)
            if self._jobs.pop((project, job_id), None) is None:
                raise ApiError(404, f"Not found: Job {project}:{job_id}", "notFound")

    def list(self, project: str) -> list[Job]:
        with self._lock:
            return [j for j in reversed(self._jobs.values()) if j.project == project]

    def resources(self) -> builtins.list[dict[str, Any]]:
        """The REST resource of every job kept, oldest first."""
        with self._lock:
            return [j.resource for j in self._jobs.values()]


class JobRunner:
    """Runs job configurations against the engines and records them in a JobStore."""

    def __init__(self, state: BigQueryApi, store: JobStore | None = None, meta: RestMetadata | None = None):
        self.state = state
        self.store = store or JobStore()
        state.job_resources = self._resources
        state.file_loads = self._load_from_sql
        self.meta = meta
        """The REST-only table fields (a query's destinationEncryptionConfiguration is kept there)."""
        self._running: dict[tuple[str, str], tuple[QueryControl, threading.Event]] = {}
        self._running_jobs: dict[tuple[str, str], Job] = {}
        self._running_lock = threading.Lock()
        self._threads = JobThreads(MAX_RUNNING_JOBS)
        self._pending: dict[tuple[str, str], _Run] = {}
        self.cache = querycache.QueryCache()

    def get(self, project: str, job_id: str) -> Job:
        """A finished job, or a running one (state RUNNING); 404 if neither."""
        with self._running_lock:
            running = self._running_jobs.get((project, job_id))
        return running if running is not None else self.store.get(project, job_id)

    def _resources(self) -> list[dict[str, Any]]:
        """Every job's REST resource, oldest first, running and pending ones last (INFORMATION_SCHEMA.JOBS)."""
        with self._running_lock:
            running = [dict(j.resource) for j in self._running_jobs.values()]
        return [*self.store.resources(), *running]

    def list_jobs(self, project: str) -> list[Job]:
        """The project's jobs, newest first: the running ones, then the store's."""
        with self._running_lock:
            running = [j for (p, _), j in self._running_jobs.items() if p == project]
        return [*reversed(running), *self.store.list(project)]

    def cancel(self, project: str, job_id: str, *, wait_s: float = 10.0) -> None:
        """Interrupt a running job and wait (up to `wait_s`) until it is recorded as done."""
        with self._running_lock:
            entry = self._running.get((project, job_id))
            pending = self._pending.pop((project, job_id), None)
        if entry is not None:
            control, finished = entry
            control.cancel()
            if pending is not None:
                self._run_to_end(pending)  # never started: it ends now, stopped
            finished.wait(wait_s)

    @property
    def engine(self) -> Any:
        return self.state.bigquery

    @property
    def objects(self) -> ObjectStore:
        return self.state.storage

    # ------------------------------------------------------------------ entry points

    def insert(
        self, project: str, body: dict[str, Any], *, media: bytes | None = None, wait_s: float | None = None
    ) -> Job:
        """jobs.insert: start the job in `body` and return it once it is done, or after `wait_s`
        seconds still PENDING or RUNNING (None: run it on this thread until it is done). A failed
        job is returned with its errorResult."""
        run = self._prepare(project, body, media)
        if run.dry_run or wait_s is None:
            return self._execute(run)  # a dry run's error is the response itself, not a job
        cached = self.answer_cached(run)
        if cached is not None:
            return cached  # no job thread needed
        with self._running_lock:
            self._pending[(project, run.job.job_id)] = run
        self._threads.submit(lambda: self._execute_later(run))
        if run.wait(wait_s):
            return run.outcome()
        return self.get(project, run.job.job_id)

    def _prepare(self, project: str, body: dict[str, Any], media: bytes | None) -> _Run:
        """Check a job's request (a bad one raises its 4xx) and record the job PENDING; reads no
        table, so it may run on the event loop."""
        ref = body.get("jobReference") or {}
        if not isinstance(ref, dict):
            raise bad_request("jobReference must be an object")
        job_id = ref.get("jobId") or f"job_{random_hex(16)}"
        if not isinstance(job_id, str) or not JOB_ID_RE.match(job_id):
            raise bad_request(
                f"Invalid job ID {job_id!r}: use letters, digits, '_' and '-'", location="jobReference.jobId"
            )
        location = ref.get("location") or self.state.config.location
        config = body.get("configuration")
        if not isinstance(config, dict):
            raise required("configuration")
        kinds = [k for k in ("query", "load", "extract", "copy") if isinstance(config.get(k), dict)]
        if len(kinds) != 1:
            raise bad_request("The job configuration must contain exactly one of query, load, extract or copy")
        kind = kinds[0]
        config = {**config, kind: _dispositions_unlisted(config[kind])}
        _check_labels(config.get("labels"))
        if kind == "query" and isinstance(config["query"].get("queryParameters"), list):
            # parameterValue.value is a string in BigQuery's resource, whatever JSON type was sent
            params = config["query"]["queryParameters"]
            config = {**config, "query": {**config["query"], "queryParameters": [_as_sent(p) for p in params]}}
        if kind == "query":
            querycache.allowed(config["query"])  # a bad useQueryCache is a bad request, not a failed job
        session_tables.refuse_session_tables(kind, config[kind])
        explicit = ref.get("location") if isinstance(ref.get("location"), str) else None
        if explicit and kind != "query":
            self._check_location(explicit, _job_datasets(kind, config[kind], project))
        if kind == "extract":
            _extract_uris(config["extract"])  # a bad destination is a bad request, not a failed job
        self.store.reserve(project, job_id, location)
        dry_run = bool(config.get("dryRun"))
        control = QueryControl(_job_timeout_s(config.get("jobTimeoutMs")))
        finished = threading.Event()
        created = now_ms()
        with self._running_lock:
            if (project, job_id) in self._running:
                raise ApiError(409, f"Already Exists: Job {project}:{location}.{job_id}", "duplicate")
            self._running[(project, job_id)] = (control, finished)
            self._running_jobs[(project, job_id)] = Job(
                project,
                job_id,
                location,
                {
                    "kind": "bigquery#job",
                    "id": f"{project}:{location}.{job_id}",
                    "jobReference": {"projectId": project, "jobId": job_id, "location": location},
                    "configuration": {**config, "jobType": kind.upper()},
                    "status": {"state": "PENDING"},
                    "statistics": {"creationTime": created},
                },
            )
        return _Run(
            Job(project, job_id, location, {}), kind, config, media, dry_run, control, finished, created, explicit
        )

    def run_here(self, run: _Run) -> Job:
        """Run a prepared job on this thread until it is done."""
        return self._execute(run)

    def answer_cached(self, run: _Run) -> Job | None:
        """A prepared query job done from BigQuery's query cache, or None where the cache does
        not hold its result (it must run). Reads no table, so it may run on the event loop."""
        if run.kind != "query" or run.dry_run:
            return None
        run.cached = self._cache_hit(run.job.project, run.located, run.config["query"])
        return self._execute(run) if run.cached is not None else None

    def _cache_hit(self, project: str, located: str | None, config: dict[str, Any]) -> querycache.Cached | None:
        if not querycache.allowed(config) or config.get("useLegacySql") is True:
            return None
        cache_key = querycache.key(project, located, config)
        if cache_key is None or cache_key not in self.cache:
            return None  # (and the engine is not opened here, on the event loop, by a first query)
        return self.cache.get(cache_key, self._generation())

    def _generation(self) -> tuple[int, int]:
        """What a cached result holds for: the engine's catalog generation and the version of
        the REST-only table fields (`requirePartitionFilter` set by tables.patch, ...)."""
        return self.engine.generation, (self.meta.version if self.meta is not None else 0)

    def wait(self, project: str, job_id: str, timeout_s: float) -> Job:
        """The job once it is done, or after `timeout_s` seconds as it is then."""
        with self._running_lock:
            entry = self._running.get((project, job_id))
        if entry is not None:
            entry[1].wait(timeout_s)
        return self.get(project, job_id)

    def _execute_later(self, run: _Run) -> None:
        """Run a job on a job thread, unless it was cancelled while it waited for one."""
        with self._running_lock:
            mine = self._pending.pop((run.job.project, run.job.job_id), None) is run
        if mine:
            self._run_to_end(run)

    def _run_to_end(self, run: _Run) -> None:
        try:
            run.result = self._execute(run)
        except BaseException as exc:  # handed to the request still waiting for it
            run.error = exc
        finally:
            run.settled.set()

    def _started(self, project: str, job_id: str) -> None:
        with self._running_lock:
            running = self._running_jobs.get((project, job_id))
            if running is not None:
                started = now_ms()
                running.resource = {
                    **running.resource,
                    "status": {"state": "RUNNING"},
                    "statistics": {**running.resource["statistics"], "startTime": started},
                }

    def _execute(self, run: _Run) -> Job:
        job, kind, config, project, job_id = run.job, run.kind, run.config, run.job.project, run.job.job_id
        self._started(project, job_id)
        started = now_ms()
        statistics: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        try:
            run.control.check()  # cancelled before it started
            if kind == "query":
                statistics = self._query(
                    job,
                    config["query"],
                    dry_run=run.dry_run,
                    control=run.control,
                    located=run.located,
                    cached=run.cached,
                )
            elif kind == "load":
                load, session = session_tables.load_target(self.state, project, config["load"], job.location)
                statistics, errors = self._load(project, load, run.media)
                session_tables.loaded(session, load)
                if session is not None:
                    statistics["sessionInfo"] = {"sessionId": session.session_id}
            elif kind == "extract":
                statistics = self._extract(project, config["extract"], run.control)
            else:
                statistics = self._copy(project, config["copy"])
        except (LlmopsError, LoadError, ApiError, ValueError) as exc:
            job.error = _job_error(exc)
        except BaseException as exc:
            if not run.abandoned_by_caller():
                self._forget(project, job_id, run.finished)
                raise  # the request waiting for the job answers it (a 500 the emulator logs)
            log.error("internal error in job %s:%s", project, job_id, exc_info=exc)
            job.error = from_exception(exc) if isinstance(exc, Exception) else ApiError(500, "The job was stopped")
        if run.dry_run and job.error is not None:
            self._forget(project, job_id, run.finished)
            raise job.error  # BigQuery answers an invalid dry run with the error itself, not a job
        self._finish(run, started, statistics, errors)
        return job

    def _finish(self, run: _Run, started: str, statistics: dict[str, Any], errors: list[dict[str, Any]]) -> None:
        """Give the job its final resource (state DONE) and move it from the running jobs to the store."""
        job, project, job_id = run.job, run.job.project, run.job.job_id
        status: dict[str, Any] = {"state": "DONE"}
        if job.error is not None:
            detail = job.error.body()["error"]["errors"][0]
            status["errorResult"] = detail
            status["errors"] = [detail, *errors]
            if isinstance(job.error, _LoadApiError):
                status["errors"] = job.error.details
        elif errors:
            status["errors"] = errors
        config_out = dict(run.config)
        config_out["jobType"] = run.kind.upper()
        job.resource = {
            "kind": "bigquery#job",
            "etag": base64.b64encode(random_bytes(9)).decode(),
            "id": f"{project}:{job.location}.{job_id}",
            "jobReference": job.reference,
            "configuration": config_out,
            "status": status,
            "statistics": {"creationTime": run.created, "startTime": started, "endTime": now_ms(), **statistics},
            "user_email": SESSION_USER,
            "principal_subject": f"user:{SESSION_USER}",
            "jobCreationReason": {"code": "REQUESTED"},
        }
        try:
            self.store.add(job)
        finally:
            self._forget(project, job_id, run.finished)

    def _forget(self, project: str, job_id: str, finished: threading.Event) -> None:
        with self._running_lock:
            entry = self._running.pop((project, job_id), None)
            self._running_jobs.pop((project, job_id), None)
        if entry is not None:
            entry[0].finish()  # ends a cancel's interrupts, for jobs whose engine call never started
        finished.set()

    def prepare_query(self, project: str, body: dict[str, Any]) -> _Run:
        """jobs.query's job checked and recorded PENDING, for `run_here` (see `_prepare`)."""
        return self._prepare(project, _query_job(project, body), None)

    # ------------------------------------------------------------------ query

    def _detected_location(self, result: Any) -> str | None:
        """The location of the first dataset a query read or wrote: where BigQuery runs a job
        sent without one."""
        for p, d, *_ in (*result.referenced, *([result.target] if result.target else [])):
            location = self.engine.dataset_location(p, d)
            if location:
                return location
        return None

    def _check_location(self, location: str, datasets: set[tuple[str, str]]) -> None:
        """404 as BigQuery answers a job run in a location other than its datasets'."""
        for p, d in sorted(datasets):
            have = self.engine.dataset_location(p, d)  # None: a missing dataset is the job's own error
            if have is not None and have.lower() != location.lower():
                raise ApiError(404, f"Not found: Dataset {p}:{d} was not found in location {location}", "notFound")

    def _query(
        self,
        job: Job,
        config: dict[str, Any],
        *,
        dry_run: bool,
        control: QueryControl,
        located: str | None = None,
        cached: querycache.Cached | None = None,
    ) -> dict[str, Any]:
        sql = config.get("query")
        if not isinstance(sql, str) or not sql.strip():
            raise required("configuration.query.query")
        if config.get("useLegacySql") is True:
            raise ApiError(
                400,
                "Legacy SQL is not supported by the emulator; send useLegacySql: false (GoogleSQL)",
                "invalidQuery",
                location="query",
            )
        _refuse_table_definitions(config)
        session = self._session(job.project, config, dry_run=dry_run, location=job.location)
        if session is None:
            if not dry_run:
                cached = cached or self._cache_hit(job.project, located, config)
            if cached is not None:
                return self._from_cache(job, config, cached, located=located)
            return self._run_query(job, config, dry_run=dry_run, control=control, located=located)
        try:
            with self.state.sessions.running(session):
                stats = self._run_query(job, config, dry_run=dry_run, control=control, located=located, session=session)
            session_tables.name_destination(config, job.result, session)
        except BaseException:
            if config.get("createSession"):
                with contextlib.suppress(ApiError):
                    self.state.sessions.end(session.session_id)  # no session outlives a failed first query
            raise
        return {**stats, "sessionInfo": {"sessionId": session.session_id}}

    def _session(self, project: str, config: dict[str, Any], *, dry_run: bool, location: str) -> Session | None:
        """The session a query runs in: a new one (`createSession`), the one its `session_id`
        connection property names, or None."""
        props = config.get("connectionProperties") or []
        if not isinstance(props, list) or not all(isinstance(p, dict) for p in props):
            raise bad_request(
                "connectionProperties must be a list of {key, value} objects",
                location="configuration.query.connectionProperties",
            )
        ids = [p.get("value") for p in props if p.get("key") == "session_id"]
        if config.get("createSession"):
            if ids:
                raise bad_request(
                    "createSession cannot be combined with a session_id connection property: "
                    "create a session, then run the later queries with its id",
                    location="configuration.query.createSession",
                )
            if dry_run:
                raise bad_request("A dry run cannot create a session", location="configuration.query.createSession")
            return session_tables.open_session(self.state, project, location)
        if len(ids) > 1:
            raise bad_request(
                "connectionProperties name more than one session_id",
                location="configuration.query.connectionProperties",
            )
        return self.state.sessions.get(ids[0], project) if ids else None

    def _run_query(
        self,
        job: Job,
        config: dict[str, Any],
        *,
        dry_run: bool,
        control: QueryControl,
        located: str | None,
        session: Session | None = None,
    ) -> dict[str, Any]:
        sql = config["query"]
        default_project, default_dataset = job.project, _default_dataset(config.get("defaultDataset"), job.project)
        params, types = decode_parameters(config.get("queryParameters"), config.get("parameterMode"))
        cache_key = querycache.key(job.project, located, config) if session is None and not dry_run else None
        if cache_key is not None and querycache.reads_rows(sql):
            # made before the query runs: made after, it would be a write that keeps this first
            # result out of the cache
            anon = anonymous.of(self.state)
            anon.make_dataset(self.engine, job.project, anon.dataset_id(job.project), job.location)
        generation = self._generation()
        limit = _max_bytes_billed(config.get("maximumBytesBilled"))
        processed = 0  # measured only for dry runs and queries with a billing limit
        from .script_parser import Parser, needs_interpreter

        script = needs_interpreter(sql)
        if dry_run and script:
            Parser(sql).parse()  # a script's statements are translated as they run
            return {
                "totalBytesProcessed": "0",
                "query": {"totalBytesProcessed": "0", "statementType": "SCRIPT", "cacheHit": False},
            }
        if not script and (dry_run or limit is not None):
            plan = self.engine.dry_run(
                sql,
                params,
                default_project=default_project,
                default_dataset=default_dataset,
                param_types=types,
                session=session,
            )
            if located:
                self._check_location(located, {(p, d) for p, d, _ in plan.tables})
            if dry_run:
                return _dry_run_statistics(plan)
            _check_bytes_billed(plan.total_bytes, limit)
            processed = plan.total_bytes
        try:
            result = self.engine.query(
                sql,
                params,
                default_project=default_project,
                default_dataset=default_dataset,
                param_types=types,
                control=control,
                session=session,
                location=located,
            )
        except LlmopsError as exc:  # a failed script still lists the statements it ran
            self._record_children(job, config, getattr(exc, "script_children", ()))
            raise
        result = result_names.for_job(result, destination=bool(config.get("destinationTable")))
        query_stats: dict[str, Any] = {
            "statementType": result.statement_type,
            "totalBytesProcessed": str(processed),
            "totalBytesBilled": str(billed_bytes(processed)),
            "totalSlotMs": "0",
            "cacheHit": False,
        }
        if result.referenced:
            query_stats["referencedTables"] = [
                {"projectId": p, "datasetId": d, "tableId": t} for p, d, t in result.referenced
            ]
        if result.statement_type == "SELECT" or result.schema:
            query_stats["schema"] = {"fields": schema_to_api(result.schema)}
            destination = config.get("destinationTable")
            if destination:
                self._write_query_destination(job.project, config, destination, result)
            elif result.statement_type == "SELECT":
                anon = anonymous.of(self.state)
                config["destinationTable"] = ref = anon.add(job.project, job.job_id, result)
                anon.make_dataset(self.engine, job.project, ref["datasetId"], job.location)
        if result.statement_type == "CREATE_TABLE_AS_SELECT" and result.target and "destinationTable" not in config:
            # BigQuery names the created table as the job's destination (dbt reads its numRows from there)
            p, d, t = result.target
            config["destinationTable"] = {"projectId": p, "datasetId": d, "tableId": t}
        if result.num_dml_affected_rows is not None:
            n = int(result.num_dml_affected_rows)
            query_stats["numDmlAffectedRows"] = str(n)
            key = {"INSERT": "insertedRowCount", "DELETE": "deletedRowCount", "UPDATE": "updatedRowCount"}.get(
                result.statement_type, "updatedRowCount"
            )
            query_stats["dmlStats"] = {key: str(n)}
        if result.export:
            query_stats["exportDataStatistics"] = {
                "fileCount": str(result.export.get("files", 1)),
                "rowCount": str(result.export.get("rows", 0)),
            }
        op = result.statement_type.split("_", 1)[0]
        if result.ddl_operation:
            query_stats["ddlOperationPerformed"] = result.ddl_operation
        elif op in _DDL_OPERATION and result.statement_type not in ("CREATE_TABLE_AS_SELECT",):
            query_stats["ddlOperationPerformed"] = _DDL_OPERATION[op]
        if result.target and result.target[2] and result.statement_type.endswith(("FUNCTION", "PROCEDURE")):
            p, d, r = result.target
            query_stats["ddlTargetRoutine"] = {"projectId": p, "datasetId": d, "routineId": r}
        elif (
            result.target and result.target[2] and (op in _DDL_OPERATION or result.statement_type.startswith("CREATE"))
        ):
            p, d, t = result.target
            query_stats["ddlTargetTable"] = {"projectId": p, "datasetId": d, "tableId": t}
        job.result = result
        if not located:
            job.location = self._detected_location(result) or job.location
        if cache_key is not None and result.cacheable and self._generation() == generation:
            expires = result.tables_expire.timestamp() if result.tables_expire is not None else None
            self.cache.put(cache_key, result, query_stats, job.location, generation, expires)
        if result.children:
            self._record_children(job, config, result.children)
            return {
                "totalBytesProcessed": str(processed),
                "numChildJobs": str(len(result.children)),
                "query": query_stats,
            }
        return {"totalBytesProcessed": str(processed), "query": query_stats}

    def _from_cache(
        self, job: Job, config: dict[str, Any], hit: querycache.Cached, *, located: str | None
    ) -> dict[str, Any]:
        """A query job's statistics when BigQuery answers it from the cache: no bytes processed
        or billed, `cacheHit` true; its results are the earlier job's."""
        query_stats = {**hit.query_stats, "totalBytesProcessed": "0", "totalBytesBilled": "0", "cacheHit": True}
        config["destinationTable"] = anonymous.of(self.state).add(job.project, job.job_id, hit.result)
        job.result = hit.result
        if not located:
            job.location = hit.location
        return {"totalBytesProcessed": "0", "query": query_stats}

    def _record_children(self, parent: Job, config: dict[str, Any], children: Any) -> None:
        """A script's statements as BigQuery's child jobs (`jobs.list(parentJobId=...)`)."""
        stamp = now_ms()
        for i, child in enumerate(children):
            job = Job(parent.project, f"{parent.job_id}_{i}", parent.location, {}, result=child.result)
            stats: dict[str, Any] = {"statementType": "SCRIPT" if child.result is None else child.result.statement_type}
            if child.result is not None and child.result.schema:
                stats["schema"] = {"fields": schema_to_api(child.result.schema)}
            status: dict[str, Any] = {"state": "DONE"}
            if child.error is not None:
                job.error = _job_error(child.error)
                status["errorResult"] = job.error.body()["error"]["errors"][0]
                status["errors"] = [status["errorResult"]]
            job.resource = {
                "kind": "bigquery#job",
                "etag": base64.b64encode(random_bytes(9)).decode(),
                "id": f"{job.project}:{job.location}.{job.job_id}",
                "jobReference": job.reference,
                "configuration": {
                    "jobType": "QUERY",
                    "query": {**{k: v for k, v in config.items() if k != "query"}, "query": child.sql},
                },
                "status": status,
                "statistics": {
                    "creationTime": stamp,
                    "startTime": stamp,
                    "endTime": stamp,
                    "parentJobId": parent.job_id,
                    "scriptStatistics": {"evaluationKind": "STATEMENT", "stackFrames": [{"text": child.sql}]},
                    "query": {**stats, "totalBytesProcessed": "0", "cacheHit": False},
                },
                "user_email": "emulator@llmops.local",
            }
            if child.transaction_id is not None:
                job.resource["statistics"]["transactionInfo"] = {"transactionId": child.transaction_id}
            self.store.add(job)

    def _write_query_destination(self, project: str, config: dict[str, Any], destination: Any, result: Any) -> None:
        p, d, t = table_ref(destination, "configuration.query.destinationTable", project)
        mode = _write_mode(config.get("writeDisposition") or "WRITE_EMPTY")
        exists = self._table_exists(p, d, t)
        if not exists and (config.get("createDisposition") or "CREATE_IF_NEEDED") == "CREATE_NEVER":
            raise ApiError(404, f"Not found: Table {p}:{d}.{t}", "notFound")
        schema = result.schema if (not exists or mode == "replace") else None
        layout = {} if exists else _layout(config, result.schema)
        if exists and mode == "append":
            have = self.engine.get_table(p, d, t)
            if have.get("type") == "TABLE" and have["schema"]:
                self._maybe_add_fields(
                    p, d, t, have["schema"], result.schema, config.get("schemaUpdateOptions") or [], partial=True
                )
        partition = _decorator(destination)
        if partition is not None and not exists:
            raise ApiError(404, f"Not found: Table {p}:{d}.{t}", "notFound")
        self.engine.load_table(p, d, t, result.table, mode=mode, schema=schema, partition=partition)
        encryption = config.get("destinationEncryptionConfiguration")
        self._keep_fields(p, d, t, {**layout, **({"encryptionConfiguration": encryption} if encryption else {})})

    def _keep_fields(self, p: str, d: str, t: str, fields: dict[str, Any]) -> None:
        """REST fields a job gave the table it wrote (its partitioning, clustering, encryption)."""
        if fields and self.meta is not None:
            created = created_ms(self.engine.get_table(p, d, t).get("created"))
            self.meta.update(table_key(p, d, t), created, fields)

    def _keep_properties(self, p: str, d: str, t: str, properties: Any) -> None:
        """A job's `destinationTableProperties` (description, friendlyName, labels): the table it
        created takes them, as a tables.patch would set them."""
        if not isinstance(properties, dict):
            return
        fields = {k: properties[k] for k in ("description", "friendlyName", "labels") if properties.get(k)}
        if fields:
            self._keep_fields(p, d, t, fields)
            ddlopts.mirror(self.engine, p, d, t, fields, fields)

    def _table_exists(self, project: str, dataset: str, table: str) -> bool:
        self.engine.get_dataset(project, dataset)  # a missing dataset is an error of its own
        try:
            self.engine.get_table(project, dataset, table)
        except LlmopsError as exc:
            if getattr(exc, "reason", None) == "notFound":
                return False
            raise
        return True

    # ------------------------------------------------------------------ load

    def _load_from_sql(self, project: str, config: dict[str, Any]) -> dict[str, Any]:
        """A LOAD DATA statement's load (its statistics); a bad file is the statement's error."""
        from .googlesql import BigQueryInvalid

        try:
            return self._load(project, config, None)[0]
        except LoadError as exc:
            raise BigQueryInvalid(exc.message, fix="check the files and the FILES(...) options") from None

    def _load(
        self, project: str, config: dict[str, Any], media: bytes | None
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        p, d, t = table_ref(config.get("destinationTable"), "configuration.load.destinationTable", project)
        blobs = [media] if media is not None else self._read_sources(config.get("sourceUris"))
        self.engine.get_dataset(p, d)
        existing = None
        try:
            existing = self.engine.get_table(p, d, t)
        except LlmopsError as exc:
            if getattr(exc, "reason", None) != "notFound":
                raise
        create = config.get("createDisposition") or "CREATE_IF_NEEDED"
        mode = _write_mode(config.get("writeDisposition") or "WRITE_APPEND")
        if existing is None and create == "CREATE_NEVER":
            raise ApiError(404, f"Not found: Table {p}:{d}.{t}", "notFound")
        if existing is not None and existing.get("type") == "TABLE" and not existing["schema"]:
            existing = None  # a table created without a schema takes the load's
        given = None
        if isinstance(config.get("schema"), dict) and config["schema"].get("fields"):
            given = schema_from_api(config["schema"]["fields"], where="configuration.load.schema.fields")
        fmt = str(config.get("sourceFormat") or "CSV").upper()
        autodetect = bool(config.get("autodetect"))
        updates = config.get("schemaUpdateOptions") or []
        # appending with autodetect and ALLOW_FIELD_ADDITION: the data's own columns, new ones added
        widen = autodetect and existing is not None and mode == "append" and "ALLOW_FIELD_ADDITION" in updates
        # WRITE_TRUNCATE "uses the schema from the load job" (the REST reference): autodetect's,
        # or a Parquet, Avro or ORC file's own; a partition decorator keeps the table's
        own = fmt in SELF_DESCRIBING and _decorator(config.get("destinationTable")) is None
        file_schema = mode == "replace" and (autodetect or own)
        if given is not None:
            target = given
        elif existing is not None and not file_schema and not widen:
            # with the REQUIRED fields inside RECORDs: a JSON or CSV row leaving one NULL is a bad record
            options = (existing.get("features") or {}).get("field_options") or {}
            target = fieldopts.with_nested_modes(existing["schema"], options)
        elif autodetect or fmt in SELF_DESCRIBING:
            target = None
        else:
            raise ApiError(400, "No schema specified on job or table.", "invalid")
        if existing is not None and given is not None and mode == "append":
            self._maybe_add_fields(p, d, t, existing["schema"], given, config.get("schemaUpdateOptions") or [])
        tables = []
        bad = 0
        errors: list[dict[str, Any]] = []
        schema = target
        for blob in blobs:
            parsed = read_load_data(blob, config, target)
            tables.append(parsed.table)
            schema = parsed.schema or schema
            bad += parsed.bad_records
            errors += parsed.errors
        data = _concat(tables)
        if widen and given is None and existing is not None and schema:
            self._maybe_add_fields(p, d, t, existing["schema"], schema, updates, partial=True)
        engine_schema = schema if schema and (existing is None or mode == "replace") else None
        layout = _layout(config, schema or []) if existing is None else {}
        partition = _decorator(config.get("destinationTable"))
        if partition is not None and existing is None:
            raise ApiError(404, f"Not found: Table {p}:{d}.{t}", "notFound")
        rows = self.engine.load_table(p, d, t, data, mode=mode, schema=engine_schema, partition=partition)
        self._keep_fields(p, d, t, layout)
        if existing is None:
            self._keep_properties(p, d, t, config.get("destinationTableProperties"))
        stats = {
            "load": {
                "inputFiles": str(len(blobs)),
                "inputFileBytes": str(sum(len(b) for b in blobs)),
                "outputRows": str(rows),
                "outputBytes": str(data.nbytes),
                "badRecords": str(bad),
            }
        }
        return stats, errors

    def _maybe_add_fields(
        self,
        p: str,
        d: str,
        t: str,
        have: list[dict[str, Any]],
        given: list[dict[str, Any]],
        options: list[str],
        *,
        partial: bool = False,
    ) -> None:
        """Apply an appending job's schema update options: new fields need ALLOW_FIELD_ADDITION;
        REQUIRED fields a load's schema makes NULLABLE, or a query's result (`partial`) leaves
        out, need ALLOW_FIELD_RELAXATION, which relaxes every REQUIRED field the job gives as
        NULLABLE; without them the job fails as BigQuery's does."""
        by_name = {f["name"].lower(): f for f in given}
        known = {f["name"].lower() for f in have}
        new = [{**f, "mode": f.get("mode") or "NULLABLE"} for f in given if f["name"].lower() not in known]
        nullable = [
            f
            for f in have
            if f.get("mode") == "REQUIRED"
            and (by_name.get(f["name"].lower(), {}).get("mode") or "NULLABLE") == "NULLABLE"
        ]
        # a query's columns are all NULLABLE yet may fill REQUIRED fields: only the ones it leaves out need the option
        forced = [f for f in nullable if f["name"].lower() not in by_name] if partial else nullable
        relax = nullable if "ALLOW_FIELD_RELAXATION" in options else []
        if new and "ALLOW_FIELD_ADDITION" not in options:
            raise ApiError(
                400,
                f"Provided Schema does not match Table {p}:{d}.{t}. Cannot add fields (field: {new[0]['name']})",
                "invalid",
            )
        if forced and "ALLOW_FIELD_RELAXATION" not in options:
            raise ApiError(
                400,
                f"Provided Schema does not match Table {p}:{d}.{t}. Field {forced[0]['name']} has changed mode "
                "from REQUIRED to NULLABLE",
                "invalid",
            )
        if not new and not relax:
            return
        relaxed = {f["name"].lower() for f in relax}
        merged = [{**f, "mode": "NULLABLE"} if f["name"].lower() in relaxed else f for f in have]
        self.engine.update_table_schema(p, d, t, [*merged, *new])

    def _read_sources(self, uris: Any) -> list[bytes]:
        if not isinstance(uris, list) or not uris:
            raise required("configuration.load.sourceUris")
        blobs = []
        for uri in uris:
            if not isinstance(uri, str) or not uri.startswith("gs://"):
                raise bad_request(
                    f"Source URI {uri!r} is not a gs:// URI; the emulator loads from its own Cloud Storage"
                )
            bucket, _, name = uri[5:].partition("/")
            if "*" in name:
                head, _, tail = name.partition("*")
                names = [n for n in self.objects.iter_names(bucket, head) if n.endswith(tail) and not n.endswith("/")]
                if not names:
                    raise ApiError(404, f"Not found: URI {uri}", "notFound")
                blobs += [self.objects.read_bytes(bucket, n) for n in names]
            else:
                try:
                    blobs.append(self.objects.read_bytes(bucket, name))
                except LlmopsError:
                    raise ApiError(404, f"Not found: URI {uri}", "notFound") from None
        return blobs

    # ------------------------------------------------------------------ extract and copy

    def _extract(self, project: str, config: dict[str, Any], control: QueryControl) -> dict[str, Any]:
        if config.get("sourceModel"):
            raise ApiError(
                400,
                "Extracting a model (an extract job with sourceModel) is not supported by the emulator: "
                "it keeps no TensorFlow SavedModel or Booster files to export",
                "invalid",
            )
        p, d, t = table_ref(config.get("sourceTable"), "configuration.extract.sourceTable", project)
        uris = _extract_uris(config)
        fmt = {
            "CSV": "CSV",
            "NEWLINE_DELIMITED_JSON": "JSON",
            "JSON": "JSON",
            "PARQUET": "PARQUET",
            "AVRO": "AVRO",
        }.get(str(config.get("destinationFormat") or "CSV").upper())
        if fmt is None:
            raise bad_request(
                f"destinationFormat {config.get('destinationFormat')} is not supported by the emulator; "
                "use CSV, NEWLINE_DELIMITED_JSON, PARQUET or AVRO"
            )
        options = [f"uri={_sql_literal(uris[0])}", f"format='{fmt}'", "overwrite=true"]
        if fmt == "CSV":
            options.append(f"header={'false' if config.get('printHeader') is False else 'true'}")
            options.append(f"field_delimiter={_sql_literal(str(config.get('fieldDelimiter') or ','))}")
        if fmt == "AVRO" and config.get("useAvroLogicalTypes"):
            options.append("use_avro_logical_types=true")
        compression = str(config.get("compression") or "NONE").upper()
        if compression != "NONE":
            options.append(f"compression={_sql_literal(compression)}")
        info = self.engine.get_table(p, d, t)
        columns = "*"
        if fmt in ("CSV", "JSON") and info.get("type") == "TABLE":
            columns = exportcolumns.select_list(info["schema"], fmt, f"{p}:{d}.{t}")
        partition = _decorator(config.get("sourceTable"))
        where = ""
        if partition is not None:  # `t$20240101`: that partition's rows
            where = " WHERE " + partitiondecorators.googlesql_filter(self.engine, p, d, t, partition)
        single_file = EXTRACT_JOB.set(True)
        try:
            result = self.engine.query(
                f"EXPORT DATA OPTIONS({', '.join(options)}) AS SELECT {columns} FROM {sql_table(p, d, t)}{where}",
                default_project=project,
                control=control,
            )
        finally:
            EXTRACT_JOB.reset(single_file)
        files = (result.export or {}).get("files", 1)
        return {"extract": {"destinationUriFileCounts": [str(files)], "inputBytes": "0"}}

    def _copy(self, project: str, config: dict[str, Any]) -> dict[str, Any]:
        sources = config.get("sourceTables") or ([config["sourceTable"]] if config.get("sourceTable") else [])
        if not sources:
            raise required("configuration.copy.sourceTables")
        p, d, t = table_ref(config.get("destinationTable"), "configuration.copy.destinationTable", project)
        operation = config.get("operationType") or "COPY"
        if operation != "COPY":
            return self._copy_operation(project, config, operation, sources, (p, d, t))
        tables, schema = [], None
        for i, src in enumerate(sources):
            sp, sd, st = table_ref(src, f"configuration.copy.sourceTables[{i}]", project)
            st, at_ms = _snapshot_decorator(st)
            partition = _decorator(src)
            if partition is not None:  # `t$20240101`: that partition's rows (dbt's copy_partitions)
                schema = schema or self.engine.get_table(sp, sd, st)["schema"]  # Not found
                where = partitiondecorators.googlesql_filter(self.engine, sp, sd, st, partition)
                sql = f"SELECT * FROM {sql_table(sp, sd, st)} WHERE {where}"
                tables.append(self.engine.query(sql, default_project=project).table)
                continue
            if at_ms is None:
                info = self.engine.get_table(sp, sd, st)
                schema = schema or info["schema"]
                tables.append(
                    self.engine.query(f"SELECT * FROM {sql_table(sp, sd, st)}", default_project=project).table
                )
                continue
            if not self._table_exists(sp, sd, st):
                restored = self.engine.dropped_table_rows(sp, sd, st, at_ms)
                if restored is None:
                    raise ApiError(404, f"Not found: Table {sp}:{sd}.{st}", "notFound")
                schema = schema or restored[1]
                tables.append(restored[0])
                continue
            if at_ms == 0:  # `t@0`: the oldest content kept
                oldest = history.oldest_kept(self.engine.get_table(sp, sd, st)["created"])
                at_ms = math.ceil(oldest.timestamp() * 1000)
            past = self.engine.query(
                f"SELECT * FROM {sql_table(sp, sd, st)} FOR SYSTEM_TIME AS OF TIMESTAMP_MILLIS({at_ms})",
                default_project=project,
            )
            schema = schema or past.schema
            tables.append(past.table)
        data = _concat(tables)
        mode = _write_mode(config.get("writeDisposition") or "WRITE_EMPTY")
        exists = self._table_exists(p, d, t)
        if not exists and (config.get("createDisposition") or "CREATE_IF_NEEDED") == "CREATE_NEVER":
            raise ApiError(404, f"Not found: Table {p}:{d}.{t}", "notFound")
        partition = _decorator(config.get("destinationTable"))
        if partition is not None:  # `t$20240101`: writes that partition of the existing table only
            if not exists:
                raise ApiError(404, f"Not found: Table {p}:{d}.{t}", "notFound")
            rows = self.engine.load_table(p, d, t, data, mode=mode, partition=partition)
            return {"copy": {"copiedRows": str(rows), "copiedLogicalBytes": str(data.nbytes)}}
        rows = self.engine.load_table(
            p, d, t, data, mode=mode, schema=schema if (not exists or mode == "replace") else None
        )
        return {"copy": {"copiedRows": str(rows), "copiedLogicalBytes": str(data.nbytes)}}

    def _copy_operation(
        self, project: str, config: dict[str, Any], operation: str, sources: list, dest: tuple[str, str, str]
    ) -> dict[str, Any]:
        """A copy job that makes a snapshot, a clone, or restores a snapshot into a table."""
        if operation not in ("SNAPSHOT", "CLONE", "RESTORE"):
            raise bad_request(
                f"Invalid operationType {operation!r}: use COPY, SNAPSHOT, CLONE or RESTORE",
                location="configuration.copy.operationType",
            )
        if len(sources) != 1:
            raise bad_request(f"A {operation} copy job takes exactly one source table")
        _refuse_decorators(operation, sources, config.get("destinationTable"))
        sp, sd, st = table_ref(sources[0], "configuration.copy.sourceTables[0]", project)
        info = self.engine.get_table(sp, sd, st)
        if operation == "RESTORE" and info.get("features", {}).get("type") != "SNAPSHOT":
            raise bad_request(f"RESTORE needs a table snapshot as its source; {sp}:{sd}.{st} is not one")
        disposition = config.get("writeDisposition") or "WRITE_EMPTY"
        sql = tablekinds.copy_job_sql(
            operation, sql_table(sp, sd, st), sql_table(*dest), disposition, config.get("destinationExpirationTime")
        )
        self.engine.query(sql, default_project=project)
        rows = self.engine.get_table(*dest)["num_rows"]
        return {"copy": {"copiedRows": str(rows), "copiedLogicalBytes": "0"}}


class _LoadApiError(ApiError):
    """A failed load, with every row error for `status.errors`."""

    def __init__(self, err: LoadError):
        super().__init__(400, err.message, err.reason)
        self.details = [
            {
                "reason": e.get("reason", "invalid"),
                "message": e.get("message", ""),
                **({"location": e["location"]} if e.get("location") else {}),
            }
            for e in err.errors
        ]


def _job_error(exc: BaseException) -> ApiError:
    if isinstance(exc, LoadError):
        return _LoadApiError(exc)
    if isinstance(exc, ValueError) and not isinstance(exc, ApiError):
        return ApiError(400, str(exc), "invalid")
    err = from_exception(exc)
    if err.reason == "invalidQuery" and err.location is None:
        err.location, err.location_type = "query", "other"
    return err


def _extract_uris(config: dict[str, Any]) -> list[str]:
    """An extract job's destination URIs: gs:// only (the emulator never writes host files)."""
    uris = config.get("destinationUris") or ([config["destinationUri"]] if config.get("destinationUri") else [])
    if not uris or not isinstance(uris, list):
        raise required("configuration.extract.destinationUris")
    for uri in uris:
        if not isinstance(uri, str) or not uri.startswith("gs://"):
            raise bad_request(
                f"Invalid extract destination URI {str(uri)[:200]!r}: the emulator extracts only to its Cloud Storage",
                location="configuration.extract.destinationUris",
            )
    return uris


_LABEL_KEY = re.compile(r"^[\w-]{1,63}$")
_LABEL_VALUE = re.compile(r"^[\w-]{0,63}$")


def _check_labels(labels: Any) -> None:
    """Job labels as BigQuery accepts them: at most 64; keys start with a lowercase letter; keys
    and values are lowercase letters, digits, '_' and '-', up to 63 characters."""
    if labels is None:
        return
    if not isinstance(labels, dict) or len(labels) > 64:
        raise bad_request("labels must be an object of at most 64 key/value pairs", location="configuration.labels")
    for key, value in labels.items():
        ok_key = isinstance(key, str) and _LABEL_KEY.match(key) and key[0].isalpha() and key == key.lower()
        if not ok_key:
            raise bad_request(
                f"Invalid label key {key!r}: use lowercase letters, digits, '_' and '-', starting with a letter",
                location="configuration.labels",
            )
        if not isinstance(value, str) or not _LABEL_VALUE.match(value) or value != value.lower():
            raise bad_request(
                f"Invalid value {value!r} of label {key!r}: use lowercase letters, digits, '_' and '-'",
                location="configuration.labels",
            )


def _snapshot_decorator(table: str) -> tuple[str, int | None]:
    """A copy source's snapshot decorator, `t@<ms since the epoch>` or `t@-<ms ago>`: the table's
    name and the time in ms since the epoch (None without a decorator)."""
    m = _SNAPSHOT_DECORATOR.fullmatch(table)
    if m is None:
        return table, None
    at = int(m.group(2))
    return m.group(1), at if at >= 0 else int(time.time() * 1000) + at


_SNAPSHOT_DECORATOR = re.compile(r"(.+)@(-?\d+)")


def _refuse_table_definitions(config: dict[str, Any]) -> None:
    """A query's temporary external tables (`tableDefinitions`) read files outside the warehouse,
    as the external tables that tables.insert refuses do."""
    if config.get("tableDefinitions"):
        names = ", ".join(sorted(str(n) for n in config["tableDefinitions"]))
        raise ApiError(
            501,
            f"Temporary external tables (configuration.query.tableDefinitions: {names}) are not supported by the "
            "local warehouse; load the files into a table first",
            "notImplemented",
        )


def _as_sent(value: Any) -> Any:
    """A query parameter with every scalar `value` as BigQuery's JSON string (arrays, structs inside)."""
    if isinstance(value, list):
        return [_as_sent(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if k == "value" and isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif k == "value" and isinstance(v, (int, float)):
            out[k] = json.dumps(v)
        else:
            out[k] = _as_sent(v)
    return out


def _decorator(ref: Any) -> str | None:
    """The partition a destination's decorator names (`t$20240101`: '20240101'), else None."""
    table = ref.get("tableId") if isinstance(ref, dict) else None
    return partitiondecorators.split(table)[1] if isinstance(table, str) else None


def _refuse_decorators(operation: str, sources: list, destination: Any) -> None:
    """A snapshot, clone or restore copies a whole table: a partition decorator (`t$20240101`)
    on its source or destination is refused by name, not dropped (a COPY takes them)."""
    refs = [(f"configuration.copy.sourceTables[{i}]", r) for i, r in enumerate(sources)]
    for where, ref in refs + [("configuration.copy.destinationTable", destination)]:
        if _decorator(ref) is not None:
            raise bad_request(
                f"Partition decorators are not supported by the emulator in a {operation} copy job: "
                f"{ref.get('tableId')!r} in {where} (a COPY takes one partition)",
                location=where,
            )


def _job_datasets(kind: str, config: Any, project: str) -> set[tuple[str, str]]:
    """The datasets a load, copy or extract job names (bad references are left to the job)."""
    if not isinstance(config, dict):
        return set()
    refs = [config.get("destinationTable"), config.get("sourceTable"), *(config.get("sourceTables") or [])]
    out = set()
    for ref in refs:
        if isinstance(ref, dict) and isinstance(ref.get("datasetId"), str):
            out.add((ref.get("projectId") or project, ref["datasetId"]))
    return out


def _dry_run_statistics(plan: DryRun) -> dict[str, Any]:
    """A dry run's statistics: the estimate, the result schema and the tables it reads."""
    total = str(plan.total_bytes)
    query: dict[str, Any] = {
        "totalBytesProcessed": total,
        "totalBytesProcessedAccuracy": "PRECISE",
        "estimatedBytesProcessed": total,
        "totalBytesBilled": "0",
        "statementType": ddlopts.reported(plan.statement_type),
        "cacheHit": False,
        "referencedTables": [{"projectId": p, "datasetId": d, "tableId": t} for p, d, t in plan.tables],
    }
    if plan.schema:
        names = result_names.unique([f["name"] for f in plan.schema])
        query["schema"] = {"fields": schema_to_api([{**f, "name": n} for f, n in zip(plan.schema, names)])}
    return {"totalBytesProcessed": total, "query": query}


def _max_bytes_billed(value: Any) -> int | None:
    """configuration.query.maximumBytesBilled (an int64 as a string); None if unset."""
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        raise bad_request(
            f"Invalid maximumBytesBilled {value!r}", location="configuration.query.maximumBytesBilled"
        ) from None


def _check_bytes_billed(processed: int, limit: int | None) -> None:
    billed = billed_bytes(processed)
    if limit is not None and billed > limit:
        raise ApiError(
            400,
            f"Query exceeded limit for bytes billed: {limit}. {billed} or higher required.",
            "bytesBilledLimitExceeded",
        )


def _default_dataset(ref: Any, project: str) -> str | None:
    """configuration.query.defaultDataset as the translator takes it: "dataset", or
    "project.dataset" when it is in another project than the job (it qualifies bare table
    names only; `dataset.table` and `CREATE SCHEMA d` stay in the job's project)."""
    if not ref:
        return None
    if not isinstance(ref, dict) or not ref.get("datasetId"):
        raise required("configuration.query.defaultDataset.datasetId")
    dataset, dataset_project = ref["datasetId"], ref.get("projectId") or project
    for value in (dataset, dataset_project):
        if not isinstance(value, str) or not NAME_RE.match(value) or (value is dataset and "." in value):
            raise bad_request(f"Invalid name {value!r} in defaultDataset", location="defaultDataset")
    return dataset if dataset_project == project else f"{dataset_project}.{dataset}"


def _query_job(project: str, body: dict[str, Any]) -> dict[str, Any]:
    """The query job a jobs.query request describes with its flat fields."""
    if not body.get("query"):
        raise required("query")
    config = {
        k: body[k]
        for k in (
            "query",
            "useLegacySql",
            "queryParameters",
            "parameterMode",
            "defaultDataset",
            "useQueryCache",
            "maximumBytesBilled",
            "createSession",
            "connectionProperties",
        )
        if k in body
    }
    timeout_ms = body.get("jobTimeoutMs")
    job_body = {
        "jobReference": {
            "projectId": project,
            "jobId": f"job_{random_hex(16)}",
            **({"location": body["location"]} if body.get("location") else {}),
        },
        "configuration": {
            "query": config,
            "dryRun": bool(body.get("dryRun")),
            **({"labels": body["labels"]} if body.get("labels") else {}),
            **({"jobTimeoutMs": timeout_ms} if timeout_ms is not None else {}),
        },
    }
    return job_body


def wait_s(value: Any, default_s: float = RESULTS_WAIT_S) -> float:
    """A request's `timeoutMs` as seconds to wait (`default_s` when not sent); 400 if it is not a
    number of milliseconds."""
    if value is None or value == "":
        return default_s
    try:
        ms = int(value) if not isinstance(value, bool) else -1
    except (TypeError, ValueError):
        ms = -1
    if ms < 0:
        raise bad_request(f"Invalid timeoutMs {value!r}: use a number of milliseconds, 0 or more", location="timeoutMs")
    return min(ms, MAX_RESULTS_WAIT_MS) / 1000


def _job_timeout_s(value: Any) -> float | None:
    """configuration.jobTimeoutMs (an int64 as a string, or a number) in seconds; None if unset."""
    if value is None:
        return None
    try:
        ms = int(str(value))
    except ValueError:
        raise bad_request(f"Invalid jobTimeoutMs {value!r}", location="configuration.jobTimeoutMs") from None
    if ms <= 0:
        raise bad_request(f"Invalid jobTimeoutMs {value!r}: must be positive", location="configuration.jobTimeoutMs")
    return ms / 1000


def _dispositions_unlisted(config: dict[str, Any]) -> dict[str, Any]:
    """`config` with a writeDisposition or createDisposition sent as a one-element list read as that
    element, as BigQuery reads it (Google's Node.js sample relaxColumnQueryAppend sends
    `writeDisposition: ['WRITE_APPEND']`)."""
    out = dict(config)
    for key in ("writeDisposition", "createDisposition"):
        value = out.get(key)
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            out[key] = value[0]
    return out


def _layout(config: dict[str, Any], schema: list[dict[str, Any]]) -> dict[str, Any]:
    """The partitioning and clustering a load or query job gives the table it creates (REST
    fields), each named column checked against the table's columns."""
    fields = partitioning.int64_strings({k: config[k] for k in partitioning.LAYOUT_FIELDS if config.get(k)})
    names = {str(f.get("name", "")).lower() for f in schema}
    for key in ("timePartitioning", "rangePartitioning"):
        column = (fields.get(key) or {}).get("field")
        if column and str(column).lower() not in names:
            raise bad_request(
                f"The field specified for partitioning cannot be found in the schema: {column}",
                location=f"configuration.{key}.field",
            )
    clustered = (fields.get("clustering") or {}).get("fields") or []
    if len(clustered) > 4:
        raise bad_request(f"Too many clustering fields: {len(clustered)}, only 4 allowed", location="clustering")
    for column in clustered:
        if str(column).lower() not in names:
            raise bad_request(
                f"The field specified for clustering cannot be found in the schema. Invalid field: {column}",
                location="clustering.fields",
            )
    return fields


def _write_mode(disposition: str) -> str:
    modes = {"WRITE_APPEND": "append", "WRITE_TRUNCATE": "replace", "WRITE_EMPTY": "empty"}
    mode = modes.get(str(disposition).upper())
    if mode is None:
        raise bad_request(f"Invalid writeDisposition {disposition!r}; use WRITE_APPEND, WRITE_TRUNCATE or WRITE_EMPTY")
    return mode


def _concat(tables: list[pa.Table]) -> pa.Table:
    tables = [t for t in tables if t is not None]
    if len(tables) == 1:
        return tables[0]
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ApiError(400, f"The sources do not share one schema: {exc}", "invalid") from None


def _sql_literal(text: str) -> str:
    if "'" in text or "\\" in text or "\n" in text:
        raise bad_request(f"Invalid value {text!r}: quotes, backslashes and newlines are not allowed")
    return f"'{text}'"
