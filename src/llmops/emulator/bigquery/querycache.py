"""BigQuery's cached query results: a query run again with the same text, parameters and
default dataset, while nothing it reads has changed, is answered from the first run's result,
with `cacheHit: true` and no bytes billed (https://cloud.google.com/bigquery/docs/cached-results).

BigQuery's exceptions are kept: a query is not cached when it names a destination table, runs in
a session or as a script, uses a non-deterministic function (`CURRENT_TIMESTAMP()`, `RAND()`,
`SESSION_USER()`, ...), reads a wildcard table, INFORMATION_SCHEMA or a table with row access
policies, or after 24 hours. Here also queries that read views, call persistent routines or
BigQuery ML, or read as of a past time, which the engine marks as not reusable
(`QueryResult.cacheable`).

"Nothing it reads has changed" is the engine's catalog generation, which every write to the
database moves (`BigQueryEngine.generation`), with the version of the table fields kept only in
REST metadata: any write, to any table, empties the cache in effect. A result is kept only if no write happened while it was computed."""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

TTL_S = 24 * 3600.0
"""BigQuery keeps cached results for about 24 hours."""
MAX_ENTRIES = 64
"""As many results as the job store keeps (each may be large)."""

_NOT_DETERMINISTIC = re.compile(
    r"\b(?:CURRENT_(?:DATE|DATETIME|TIME|TIMESTAMP|USER)|RAND|GENERATE_UUID|SESSION_USER|NOW|TABLESAMPLE"
    r"|EXTERNAL_QUERY|EXTERNAL_OBJECT_TRANSFORM|INFORMATION_SCHEMA|_TABLE_SUFFIX"
    r"|(?:ML|AI|KEYS|AEAD|DETERMINISTIC_ENCRYPT|OBJ)\s*\.)"
    r"|@@|`[^`]*\*`",
    re.IGNORECASE,
)
"""Text that makes a query's result depend on more than its tables: non-deterministic
functions, system variables, sampling, other services (models, keys, objects), wildcard tables
and INFORMATION_SCHEMA. Matching a string literal's text too only leaves that query uncached."""

_REQUEST_FIELDS = ("query", "queryParameters", "parameterMode", "defaultDataset", "useLegacySql")
"""The query configuration's fields whose values make a different query."""
_UNCACHED_FIELDS = (
    "destinationTable",
    "createSession",
    "connectionProperties",
    "tableDefinitions",
    "userDefinedFunctionResources",
    "scriptOptions",
    "continuous",
)
"""Fields with which BigQuery (or the emulator) runs the query every time."""


_QUERY_START = re.compile(r"\s*(?:SELECT|WITH|FROM|\()", re.IGNORECASE)


def reads_rows(sql: str) -> bool:
    """Whether a query's text starts as a query does (SELECT, WITH, FROM, a parenthesis), not as
    DDL, DML or a script."""
    return _QUERY_START.match(sql) is not None


def allowed(config: dict[str, Any]) -> bool:
    """A query configuration's `useQueryCache` (default true; JSON's `"false"` text is false, as
    Google's JSON reader takes it); 400 for any other value."""
    from ..server.errors import bad_request

    value = config.get("useQueryCache")
    if value is None or isinstance(value, bool):
        return value is not False
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad_request(
        f"Invalid value for useQueryCache: {value!r} (send true or false)", location="configuration.query.useQueryCache"
    )


@functools.lru_cache(maxsize=1024)
def _deterministic(sql: str) -> bool:
    return _NOT_DETERMINISTIC.search(sql) is None


def key(project: str, location: str | None, config: dict[str, Any]) -> str | None:
    """The cache key of a query job's configuration, or None where BigQuery would not use its
    cache for it (whatever the result)."""
    sql = config.get("query")
    if not isinstance(sql, str) or any(config.get(f) for f in _UNCACHED_FIELDS) or not _deterministic(sql):
        return None
    fields = {f: config[f] for f in _REQUEST_FIELDS if f in config}
    return json.dumps([project, location or "", fields], sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Cached:
    """A kept result, the job statistics it had and the location the job ran in."""

    result: Any
    query_stats: dict[str, Any]
    location: str
    generation: tuple[int, int]
    expires: float
    """time.time() after which the result is not used."""


class QueryCache:
    """Kept query results by `key`, the newest `max_entries`."""

    def __init__(self, max_entries: int = MAX_ENTRIES, ttl_s: float = TTL_S):
        self._entries: OrderedDict[str, Cached] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries
        self.ttl_s = ttl_s

    def __contains__(self, cache_key: object) -> bool:
        with self._lock:
            return cache_key in self._entries

    def get(self, cache_key: str, generation: tuple[int, int]) -> Cached | None:
        """The result kept under `cache_key`, if the engine is still at `generation` and it has not expired."""
        with self._lock:
            hit = self._entries.get(cache_key)
            if hit is None:
                return None
            if hit.generation != generation or hit.expires <= time.time():
                del self._entries[cache_key]
                return None
            self._entries.move_to_end(cache_key)
            return hit

    def put(
        self,
        cache_key: str,
        result: Any,
        query_stats: dict[str, Any],
        location: str,
        generation: tuple[int, int],
        tables_expire: float | None = None,
    ) -> None:
        """Keep a result computed entirely at `generation`; `tables_expire` (time.time()): the
        earliest expiration of a table then, after which the result is not used."""
        expires = time.time() + self.ttl_s
        if tables_expire is not None:
            expires = min(expires, tables_expire)
        entry = Cached(result, query_stats, location, generation, expires)
        with self._lock:
            self._entries[cache_key] = entry
            self._entries.move_to_end(cache_key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
