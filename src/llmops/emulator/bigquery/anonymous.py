"""Anonymous result tables: BigQuery writes every query's rows to a table in a hidden dataset
(`_<hash>`, table `anon<hash>`) and names it as the job's destinationTable; the clients read big
results from there through the Storage Read API. Here the table is the job's kept result, held
for the newest `KEEP` queries (BigQuery keeps them for about 24 hours)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

KEEP = 64


def is_anonymous(dataset: str) -> bool:
    """Whether a dataset id names an anonymous results dataset."""
    return dataset.startswith("_") and len(dataset) == 41


class AnonymousTables:
    """The newest query results by (project, dataset, table)."""

    def __init__(self, keep: int = KEEP):
        self._tables: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.keep = keep

    def add(self, project: str, job_id: str, result: Any) -> dict[str, str]:
        """Keep a query's result; the destinationTable reference naming it."""
        dataset = "_" + hashlib.sha1(f"anon:{project}".encode()).hexdigest()
        table = "anon" + hashlib.sha1(f"{project}:{job_id}".encode()).hexdigest()
        with self._lock:
            self._tables[(project, dataset, table)] = result
            while len(self._tables) > self.keep:
                self._tables.popitem(last=False)
        return {"projectId": project, "datasetId": dataset, "tableId": table}

    def get(self, project: str, dataset: str, table: str) -> Any | None:
        """The kept result (engine QueryResult), or None once expired or never made."""
        with self._lock:
            return self._tables.get((project, dataset, table))


_ATTACH_LOCK = threading.Lock()


def of(state: Any) -> AnonymousTables:
    """The anonymous tables of one emulated BigQuery (made on first use)."""
    tables = getattr(state, "_anonymous_tables", None)
    if tables is None:
        with _ATTACH_LOCK:
            tables = getattr(state, "_anonymous_tables", None)
            if tables is None:
                tables = AnonymousTables()
                state._anonymous_tables = tables
    return tables
