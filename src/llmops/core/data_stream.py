"""Train, eval and sources files from one streamed scan of a local warehouse.

The warehouse renders each row's lines exactly as `EXPORT DATA` (format JSON) writes them and
streams them in whatever order the scan produces. As they arrive the rows are dealt into
buckets by the top bits of their split hash and kept LZ4-compressed in memory; since the files
are ordered by split hash first, the buckets are then written one after the other, each sorted
on its own (split hash, then instruction, then answer: the BigQuery script's order) and hashed
while written. So the bytes, and the version ids, are the script's, with one scan, no temporary
table, no second read of the files, and only a few buckets uncompressed at a time.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from itertools import groupby
from typing import IO, Any, Protocol

import numpy as np
import pyarrow as pa

HASH, IN_EVAL, RECORD, SOURCE = "split_hash", "llmops_in_eval", "llmops_record", "llmops_source"
"""The column names the streamed query returns (RECORD and SOURCE are rendered lines)."""

_BITS = 5  # 32 buckets
_CODEC = pa.Codec("lz4")


class JsonLineStream(Protocol):
    """A warehouse that streams query rows with some columns rendered as export lines."""

    def stream_json_lines(
        self,
        sql: str,
        consume: Callable[[pa.RecordBatch], None],
        *,
        lines: Mapping[str, Sequence[str]],
        params: Mapping[str, Any] | Sequence[Any] | None = None,
    ) -> None: ...


def _values(column: pa.Array) -> tuple[pa.Buffer, np.ndarray]:
    """A string column's values back to back (its lines, newlines included), and where each
    one starts in them (plus the end)."""
    _, offsets, data = column.buffers()
    width = np.dtype(np.int64 if pa.types.is_large_string(column.type) else np.int32)
    bounds = np.frombuffer(offsets, width, len(column) + 1, column.offset * width.itemsize)
    return (data if data is not None else pa.py_buffer(b"")), bounds.astype(np.int64)


class _Lines:
    """Lines appended in order, kept compressed, with their lengths."""

    def __init__(self) -> None:
        self.chunks: list[tuple[bytes, int]] = []
        self.lengths: list[np.ndarray] = []

    def add(self, data: pa.Buffer, bounds: np.ndarray) -> None:
        """The lines between bounds[0] and bounds[-1] of `data`, split at `bounds`."""
        begin, end = int(bounds[0]), int(bounds[-1])
        self.chunks.append((_CODEC.compress(data.slice(begin, end - begin), asbytes=True), end - begin))
        self.lengths.append(np.diff(bounds))

    def read(self) -> pa.LargeStringArray:
        """Every line, in the order added."""
        data = b"".join([_CODEC.decompress(c, size, asbytes=False) for c, size in self.chunks])
        self.chunks = []
        lengths = np.concatenate(self.lengths) if self.lengths else np.zeros(0, np.int64)
        offsets = np.zeros(len(lengths) + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return pa.Array.from_buffers(pa.large_string(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(data)])


class _Bucket:
    def __init__(self, names: Sequence[str]) -> None:
        self.hashes: list[np.ndarray] = []
        self.in_eval: list[np.ndarray] = []
        self.lines = {n: _Lines() for n in names}


class _Buckets:
    """The consumer of the streamed batches: deals each batch's rows into buckets."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.buckets: dict[int, _Bucket] = {}

    def __call__(self, batch: pa.RecordBatch) -> None:
        hashes = batch.column(HASH).to_numpy()
        ids = (hashes >> (64 - _BITS)) + (1 << (_BITS - 1))  # arithmetic shift: the buckets sort as the hashes do
        order = np.argsort(ids, kind="stable")
        counts = np.bincount(ids, minlength=1 << _BITS)
        batch = batch.take(pa.array(order))
        hashes = hashes[order]
        in_eval = batch.column(IN_EVAL).to_numpy(zero_copy_only=False)
        lines = {name: _values(batch.column(name)) for name in self.names}
        start = 0
        for key in np.flatnonzero(counts).tolist():
            stop = start + int(counts[key])
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = _Bucket(self.names)
            bucket.hashes.append(hashes[start:stop])
            bucket.in_eval.append(in_eval[start:stop])
            for name, (data, bounds) in lines.items():
                bucket.lines[name].add(data, bounds[start : stop + 1])
            start = stop

    def in_order(self):
        for key in sorted(self.buckets):
            yield self.buckets.pop(key)


class _Background:
    """`consume` on a worker thread, a couple of items behind the caller, so the warehouse goes
    on producing rows (and the next bucket is prepared) meanwhile; its error is raised in the
    caller at the next item or on leaving."""

    def __init__(self, consume: Callable[[Any], None]) -> None:
        self._consume = consume
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="llmops-data-prepare", daemon=True)

    def _run(self) -> None:
        while (item := self._queue.get()) is not _DONE:
            if self._error is None:
                try:
                    self._consume(item)
                except BaseException as exc:  # handed to the caller
                    self._error = exc

    def __call__(self, item: Any) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(item)

    def __enter__(self) -> _Background:
        self._thread.start()
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._queue.put(_DONE)
        self._thread.join()
        if self._error is not None and exc_type is None:
            raise self._error


_DONE = object()


class _Output:
    def __init__(self, f: IO[bytes]) -> None:
        self.file, self.digest, self.rows = f, hashlib.sha256(), 0


def _order(hashes: np.ndarray, record: pa.LargeStringArray, tie_key: Callable[[bytes], Any]) -> np.ndarray:
    """Row numbers by split hash; rows sharing a hash (one question, several answers) by
    `tie_key` of their RECORD line."""
    order = np.argsort(hashes, kind="stable")
    ranked = hashes[order]
    if not (ranked[1:] == ranked[:-1]).any():
        return order
    keys = hashes.tolist()
    ordered: list[int] = []
    for _, run in groupby(order.tolist(), key=keys.__getitem__):
        rows = list(run)
        if len(rows) > 1:
            rows.sort(key=lambda i: tie_key(record[i].as_py().encode()))
        ordered.extend(rows)
    return np.array(ordered, np.int64)


def _joined(lines: pa.Array) -> pa.Buffer:
    """A string array's values back to back."""
    data, bounds = _values(lines)
    return data.slice(int(bounds[0]), int(bounds[-1] - bounds[0]))


_AHEAD = 3  # buckets being gathered or waiting to be written: bounds the memory in use


def _gathered(bucket: _Bucket, tie_key: Callable[[bytes], Any], sources: bool) -> list[tuple[str, pa.Buffer, int]]:
    """The bucket's part of each file, in the files' order: (name, bytes, rows)."""
    record = bucket.lines[RECORD].read()
    order = _order(np.concatenate(bucket.hashes), record, tie_key)
    flags = np.concatenate(bucket.in_eval)[order]
    train = pa.array(order[~flags])
    parts = [("train", record, train), ("eval", record, pa.array(order[flags]))]
    if sources:
        parts.append(("sources", bucket.lines[SOURCE].read(), train))
    return [(name, _joined(lines.take(rows)), len(rows)) for name, lines, rows in parts]


def write_splits(
    warehouse: JsonLineStream,
    sql: str,
    params: Mapping[str, Any],
    *,
    lines: Mapping[str, Sequence[str]],
    open_file: Callable[[str], AbstractContextManager[IO[bytes]]],
    tie_key: Callable[[bytes], Any],
) -> dict[str, tuple[str, int]]:
    """Run `sql` (columns HASH, IN_EVAL and those of `lines`, keyed RECORD and optionally
    SOURCE) and write the files "train", "eval" (RECORD lines) and "sources" (SOURCE lines of
    the train rows) through `open_file(name)`; {name: (sha256, rows)}. `tie_key` orders rows
    that share a split hash, given the RECORD line."""
    buckets = _Buckets(list(lines))
    with _Background(buckets) as consume:
        warehouse.stream_json_lines(sql, consume, lines=lines, params=params)
    names = ["train", "eval", *(["sources"] if SOURCE in lines else [])]
    with (
        open_file("train") as train_file,
        open_file("eval") as eval_file,
        open_file("sources") if "sources" in names else nullcontext() as sources_file,
    ):
        outputs = {"train": _Output(train_file), "eval": _Output(eval_file)}
        if sources_file is not None:
            outputs["sources"] = _Output(sources_file)
        # Buckets are ordered and gathered two at a time on a pool (Arrow and LZ4 let go of the
        # GIL), a couple ahead of the writing and the hashing, which run on their own threads.
        with (
            ThreadPoolExecutor(2, thread_name_prefix="llmops-data-prepare") as pool,
            _Background(lambda item: item[0].file.write(item[1])) as write,
            _Background(lambda item: item[0].digest.update(item[1])) as digest,
        ):
            ahead: deque[Future[list[tuple[str, pa.Buffer, int]]]] = deque()
            buckets_left = buckets.in_order()
            while True:
                while len(ahead) < _AHEAD and (bucket := next(buckets_left, None)) is not None:
                    ahead.append(pool.submit(_gathered, bucket, tie_key, "sources" in outputs))
                if not ahead:
                    break
                for name, data, rows in ahead.popleft().result():
                    out = outputs[name]
                    out.rows += rows
                    write((out, data))
                    digest((out, data))
    return {name: (o.digest.hexdigest(), o.rows) for name, o in outputs.items()}
