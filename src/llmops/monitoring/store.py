"""The local prediction log: an append-only segment store under `<workspace>/logs/predictions/`.

Layout:
  segments/seg-<pid>-<ns>-<rand>.jsonl   one file per writer process (rotated at 32 MiB)
  compacted/part-<ns>.parquet           segments compacted by `compact()`
  _migrations.jsonl                     migrations applied, one JSON line each

A writer opens its own segment with O_APPEND and writes each batch of rows with one
`os.write` of whole lines, so writers in any number of processes and threads never interleave
or lose rows and nothing needs a lock on the hot path. A writer holds a shared `flock` on its
open segment; compaction takes only segments it can lock exclusively (their writers are gone).

Durability (`LLMOPS_LOG_FSYNC`): `never` (default) — a row is committed when `write` returns:
it survives the writing process crashing, not the machine losing power; `always` — fsync after
every write (survives power loss, costs a disk flush per prediction).

The warehouse reads the log through a DuckDB view `llmops.predictions` (JSON segments UNION
Parquet parts), so GoogleSQL queries see every committed row. Schema changes are migrations
recorded in `_migrations.jsonl`, in the spirit of simonw/llm's `_llm_migrations`.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..core.errors import DataError

SEGMENT_BYTES = 32 << 20
DUCKDB_TYPES = {
    "STRING": "VARCHAR",
    "TIMESTAMP": "TIMESTAMPTZ",
    "BOOL": "BOOLEAN",
    "FLOAT64": "DOUBLE",
    "INT64": "BIGINT",
}
EMPTY_PART = "part-0-empty.parquet"


def log_dir(workspace: str | os.PathLike[str]) -> Path:
    """Where a workspace's prediction log lives."""
    return Path(workspace) / "logs" / "predictions"


def _columns() -> tuple[tuple[str, str], ...]:
    from ..core.monitoring import COLUMNS

    return COLUMNS


def _fsync_always() -> bool:
    return os.environ.get("LLMOPS_LOG_FSYNC", "never").lower() == "always"


class SegmentWriter:
    """This process's open segment in one log directory."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._fd: int | None = None
        self._size = 0
        self._lock = threading.Lock()

    def _open(self) -> int:
        seg = self.directory / "segments"
        seg.mkdir(parents=True, exist_ok=True)
        name = f"seg-{os.getpid()}-{time.time_ns()}-{secrets.token_hex(3)}.jsonl"
        fd = os.open(seg / name, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        fcntl.flock(fd, fcntl.LOCK_SH)
        self._size = 0
        return fd

    def append(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Write rows as JSON lines with one system call; return the count written."""
        if not rows:
            return 0
        data = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows).encode()
        with self._lock:
            if self._fd is None or self._size > SEGMENT_BYTES:
                self.close()
                self._fd = self._open()
            fd = self._fd
            view = memoryview(data)
            while view:  # a regular file takes it all at once unless the disk is full
                n = os.write(fd, view)
                view = view[n:]
            self._size += len(data)
            if _fsync_always():
                os.fsync(fd)
        return len(rows)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # also releases the flock
            self._fd = None


_writers: dict[Path, SegmentWriter] = {}
_writers_lock = threading.Lock()


def _forget_writers() -> None:
    # a forked child writes its own segment; the parent's stays the parent's
    _writers.clear()


os.register_at_fork(after_in_child=_forget_writers)


def writer(directory: Path) -> SegmentWriter:
    """The process's writer for a log directory."""
    w = _writers.get(directory)
    if w is None:
        with _writers_lock:
            w = _writers.setdefault(directory, SegmentWriter(directory))
    return w


def append(workspace: str | os.PathLike[str], rows: Sequence[Mapping[str, Any]]) -> int:
    """Append rows to a workspace's log (committed when this returns)."""
    return writer(log_dir(workspace)).append(rows)


# --------------------------------------------------------------------------- reading


@contextmanager
def _dir_lock(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _json_columns_sql() -> str:
    # timestamps are read as text and cast: DuckDB's JSON reader is strict about formats
    return ", ".join(
        f"{name}: '{'VARCHAR' if kind == 'TIMESTAMP' else DUCKDB_TYPES[kind]}'" for name, kind in _columns()
    )


def _select_sql() -> str:
    return ", ".join(
        f"CAST({name} AS TIMESTAMPTZ) AS {name}" if kind == "TIMESTAMP" else name for name, kind in _columns()
    )


def _sql_str(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def view_sql(directory: Path, view: str) -> str:
    """DuckDB DDL of the view over segments and Parquet parts."""
    segs = _sql_str(directory / "segments" / "*.jsonl*")
    parts = _sql_str(directory / "compacted" / "*.parquet")
    names = ", ".join(name for name, _ in _columns())
    return (
        f"CREATE OR REPLACE VIEW {view} AS "
        f"SELECT {_select_sql()} FROM read_json({segs}, format = 'newline_delimited', "
        f"columns = {{{_json_columns_sql()}}}, ignore_errors = true) "
        f"UNION ALL SELECT {names} FROM read_parquet({parts}, union_by_name = true)"
    )


def _write_empty_part(con: Any, directory: Path) -> None:
    cols = ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[kind]}) AS {name}" for name, kind in _columns())
    tmp = directory / "compacted" / f".{EMPTY_PART}.tmp"
    con.execute(f"COPY (SELECT {cols} LIMIT 0) TO {_sql_str(tmp)} (FORMAT parquet)")
    os.replace(tmp, directory / "compacted" / EMPTY_PART)


def _m0001_layout(con: Any, directory: Path, old_table: str) -> None:
    (directory / "segments").mkdir(parents=True, exist_ok=True)
    (directory / "compacted").mkdir(parents=True, exist_ok=True)
    (directory / "segments" / "seg-0-empty.jsonl").touch()
    _write_empty_part(con, directory)


def _m0002_import_table(con: Any, directory: Path, old_table: str) -> None:
    """Move the rows of the v1 log (a DuckDB table in the warehouse) into a Parquet part."""
    schema, name = old_table.rsplit(".", 1)
    found = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema.strip('"'), name.strip('"')],
    ).fetchall()
    if not found or found[0][0] != "BASE TABLE":
        return
    have = {r[0] for r in con.execute(f"DESCRIBE {old_table}").fetchall()}
    cols = ", ".join(
        (name if name in have else f"CAST(NULL AS {DUCKDB_TYPES[kind]})") + f" AS {name}" for name, kind in _columns()
    )
    tmp = directory / "compacted" / ".part-1-v1.parquet.tmp"
    con.execute(f"COPY (SELECT {cols} FROM {old_table}) TO {_sql_str(tmp)} (FORMAT parquet)")
    os.replace(tmp, directory / "compacted" / "part-1-v1.parquet")
    con.execute(f"DROP TABLE {old_table}")


MIGRATIONS: tuple[tuple[str, Callable[[Any, Path, str], None]], ...] = (
    ("0001_segment_store", _m0001_layout),
    ("0002_import_v1_table", _m0002_import_table),
)
"""Applied in order, once per workspace, each recorded in `_migrations.jsonl`."""


def applied_migrations(directory: Path) -> list[str]:
    """Names of the migrations applied to a log directory, in order."""
    try:
        text = (directory / "_migrations.jsonl").read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line)["name"] for line in text.splitlines() if line.strip()]


def ensure_view(con: Any, directory: Path, view: str) -> None:
    """Apply pending migrations and (re)create the view, on an open DuckDB connection to the
    warehouse file."""
    with _dir_lock(directory):
        done = set(applied_migrations(directory))
        for name, migrate in MIGRATIONS:
            if name in done:
                continue
            migrate(con, directory, view)
            with open(directory / "_migrations.jsonl", "a", encoding="utf-8") as f:
                f.write(
                    json.dumps({"name": name, "applied": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}) + "\n"
                )
        con.execute(view_sql(directory, view))


# --------------------------------------------------------------------------- compaction


def compact(con: Any, directory: Path) -> int:
    """Move every segment no process still writes into one Parquet part; return rows moved.

    Readers see each row exactly once before and after; a crash between writing the part and
    removing its segments is repaired by the next compaction (the part names its sources)."""
    import pyarrow.parquet as pq

    seg_dir, part_dir = directory / "segments", directory / "compacted"
    if not seg_dir.is_dir():
        return 0
    with _dir_lock(directory):
        done_sources: set[str] = set()
        for part in part_dir.glob("part-*.parquet"):
            meta = pq.read_metadata(part).metadata or {}
            done_sources.update(json.loads(meta.get(b"llmops_sources", b"[]")))
        taken: list[tuple[Path, int]] = []
        for path in sorted(seg_dir.glob("seg-*.jsonl*")):
            if path.name == "seg-0-empty.jsonl":
                continue
            if path.name.removesuffix(".compacting") in done_sources:
                path.unlink(missing_ok=True)
                continue
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            taken.append((path, fd))
        try:
            if not taken:
                return 0
            files = "[" + ", ".join(_sql_str(p) for p, _ in taken) + "]"
            sources = json.dumps([p.name.removesuffix(".compacting") for p, _ in taken])
            stamp = time.time_ns()
            tmp = part_dir / f".part-{stamp}.parquet.tmp"
            rows = con.execute(
                f"COPY (SELECT {_select_sql()} FROM read_json({files}, format = 'newline_delimited', "
                f"columns = {{{_json_columns_sql()}}}, ignore_errors = true)) TO {_sql_str(tmp)} "
                f"(FORMAT parquet, KV_METADATA {{llmops_sources: {_sql_str(sources)}}})"
            ).fetchall()[0][0]
            os.replace(tmp, part_dir / f"part-{stamp}.parquet")
            for path, _ in taken:
                path.unlink(missing_ok=True)
            return int(rows)
        finally:
            for _, fd in taken:
                os.close(fd)


def require_rows(n: int, what: str) -> None:
    """DataError when a window holds no predictions."""
    if n == 0:
        raise DataError(f"no logged predictions {what}", fix="widen --since/--until or check --model")
