"""Anonymous result tables: BigQuery writes every query's rows to a table in a hidden dataset
(`_<hash>`, table `anon<hash>`) and names it as the job's destinationTable; the clients read big
results from there through the Storage Read API. Here the table is the job's kept result, held
for the newest `KEEP` queries (BigQuery keeps them for about 24 hours).

The hidden dataset is a dataset of the project's own, as in BigQuery: clients create tables in it
(ibis registers its in-memory tables there, `CREATE TABLE `p._<hash>.t``, loads, tables.get and
delete), so it is made in the engine with the first result that names it, and datasets.list shows
it only with `all=true`. Its `anon<hash>` tables are the kept results; other tables are stored."""

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
        self._datasets: set[tuple[str, str]] = set()
        self.keep = keep

    @staticmethod
    def dataset_id(project: str) -> str:
        """The project's hidden results dataset."""
        return "_" + hashlib.sha1(f"anon:{project}".encode()).hexdigest()

    def add(self, project: str, job_id: str, result: Any) -> dict[str, str]:
        """Keep a query's result; the destinationTable reference naming it."""
        dataset = self.dataset_id(project)
        table = "anon" + hashlib.sha1(f"{project}:{job_id}".encode()).hexdigest()
        with self._lock:
            self._tables[(project, dataset, table)] = result
            while len(self._tables) > self.keep:
                self._tables.popitem(last=False)
        return {"projectId": project, "datasetId": dataset, "tableId": table}

    def make_dataset(self, engine: Any, project: str, dataset: str, location: str) -> None:
        """Create the hidden dataset in the engine the first time a result names it."""
        with self._lock:
            if (project, dataset) in self._datasets:
                return
        engine.create_dataset(project, dataset, exists_ok=True, location=location)
        with self._lock:
            self._datasets.add((project, dataset))

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
