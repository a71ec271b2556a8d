"""BigQuery sessions: temporary tables, temporary functions, variables and a transaction kept
between the queries of one session (`createSession`, then the `session_id` connection property).

A session holds its own connection to the engine's database; its queries run one at a time,
in the order they arrive. Its temporary tables are tables of its hidden dataset
(session_tables.py), which goes when the session ends.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..server.errors import ApiError
from ..server.randombytes import random_bytes
from .googlesql import HIDDEN_DATASET_PREFIX

if TYPE_CHECKING:
    import duckdb

IDLE_LIMIT_S = 24 * 3600
"""A session unused this long ends, as BigQuery's do after 24 hours of inactivity."""
MAX_SESSIONS = 64
"""Open sessions at once: each holds a database connection and its temporary tables."""


@dataclass
class Session:
    """One session's state between its queries."""

    session_id: str
    project: str
    con: duckdb.DuckDBPyConnection
    dataset_id: str | None = None
    """`SET @@dataset_id`: the default dataset of the session's later queries."""
    dataset_project: str | None = None
    """`SET @@dataset_project_id`: the project of that dataset (the session's when NULL)."""
    variables: dict[str, Any] = field(default_factory=dict)
    """The DECLAREd variables (scripting.Var by lower-case name)."""
    temp_functions: set[str] = field(default_factory=set)
    temp_tables: set[str] = field(default_factory=set)
    transaction_id: str | None = None
    last_used: float = field(default_factory=time.monotonic)
    ended: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_close: Callable[[], None] | None = None
    """Run once when the session ends, after its connection closed (drops its hidden dataset)."""

    @property
    def temp_dataset(self) -> str:
        """The hidden dataset (of the session's project) that holds its temporary tables."""
        return HIDDEN_DATASET_PREFIX + hashlib.sha1(self.session_id.encode()).hexdigest()

    def default_dataset(self) -> str | None:
        """The default dataset set in the session, as the translator takes it ("dataset", or
        "project.dataset" in another project); None when none was set."""
        if not self.dataset_id:
            return None
        if self.dataset_project and self.dataset_project != self.project:
            return f"{self.dataset_project}.{self.dataset_id}"
        return self.dataset_id


def _not_found(session_id: str) -> ApiError:
    return ApiError(
        400,
        f"Session {session_id} was not found: it ended (BQ.ABORT_SESSION, or 24 hours unused) or never existed; "
        "start a new one with createSession",
        "invalidQuery",
    )


class SessionStore:
    """The open sessions of one emulator, by id."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, project: str, con: duckdb.DuckDBPyConnection) -> Session:
        """A new session over `con` (which the store closes when the session ends)."""
        self._end_idle()
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                con.close()
                raise ApiError(
                    400,
                    f"Too many open sessions (at most {MAX_SESSIONS}): end one with CALL BQ.ABORT_SESSION()",
                    "quotaExceeded",
                )
            sid = base64.urlsafe_b64encode(random_bytes(24)).decode().rstrip("=")
            session = Session(sid, project, con)
            self._sessions[sid] = session
        return session

    def get(self, session_id: Any, project: str) -> Session:
        """The open session `session_id` of `project`; 400 if there is none."""
        self._end_idle()
        with self._lock:
            session = self._sessions.get(session_id) if isinstance(session_id, str) else None
        if session is None or session.ended or session.project != project:
            raise _not_found(str(session_id))
        return session

    def end(self, session_id: str) -> None:
        """End a session: its temporary tables and functions go, an open transaction is rolled back.
        A query of the session that is running ends it when it finishes."""
        with self._lock:
            session = self._sessions.pop(session_id, None)
        if session is None:
            raise _not_found(session_id)
        session.ended = True
        if session.lock.acquire(blocking=False):
            try:
                _close(session)
            finally:
                session.lock.release()

    def close_all(self) -> None:
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.ended = True
            with session.lock:
                _close(session)

    def _end_idle(self) -> None:
        now = time.monotonic()
        with self._lock:
            idle = [s for s in self._sessions.values() if now - s.last_used > IDLE_LIMIT_S]
            for s in idle:
                del self._sessions[s.session_id]
        for s in idle:
            s.ended = True
            with s.lock:
                _close(s)

    @contextlib.contextmanager
    def running(self, session: Session) -> Any:
        """Hold the session for one query; the session's queries wait for each other."""
        with session.lock:
            if session.ended:
                raise _not_found(session.session_id)
            try:
                yield session
            finally:
                session.last_used = time.monotonic()
                if session.ended:  # aborted by this query
                    _close(session)


def _close(session: Session) -> None:
    with contextlib.suppress(Exception):
        session.con.close()  # closing rolls back an open transaction
    on_close, session.on_close = session.on_close, None
    if on_close is not None:
        with contextlib.suppress(Exception):
            on_close()
