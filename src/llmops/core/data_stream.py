"""Train, eval and sources files from one streamed scan of a local warehouse.

The warehouse renders each row's lines exactly as `EXPORT DATA` (format JSON) writes them,
newline included, and streams them in whatever order the scan produces. As they arrive the rows
are dealt into buckets by the top bits of their split hash and kept LZ4-compressed in memory;
since the files are ordered by split hash first, the buckets are then written one after the
other, each sorted on its own (split hash, then instruction, then answer: the BigQuery script's
order) and hashed while written. So the bytes, and the version ids, are the script's, with one scan, no temporary
table, no second read of the files, and only one bucket uncompressed at a time. Both phases use
two threads: the warehouse produces rows while a worker deals them, and the rows are gathered
into pieces while a worker hashes the pieces before them (each thread writes half the pieces,
at their offsets).
"""

from __future__ import annotations

import hashlib
import io
import os
import queue
import threading
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from itertools import groupby
from typing import IO, Any, Protocol

import pyarrow as pa

# The kernels are called by name: importing pyarrow.compute builds a wrapper for every kernel
# (about 0.05 CPU-s, several times that in wall time on a loaded machine) and `Array.take`
# imports it.
from pyarrow._compute import CastOptions, call_function

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


def _int64s(values: list[int]) -> pa.Array:
    """An int64 array built from its buffer: `pa.array` imports pandas on first use."""
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(array("q", values))])


def _values(column: pa.Array) -> tuple[memoryview, list[int]]:
    """A string column's values back to back (its lines, newlines included), and where each
    one starts in them (plus the end)."""
    _, offsets, data = column.buffers()
    width = pa.int64() if pa.types.is_large_string(column.type) else pa.int32()
    bounds: list[int] = pa.Array.from_buffers(width, len(column) + 1, [None, offsets], offset=column.offset).to_pylist()
    return memoryview(data if data is not None else b""), bounds


class _Lines:
    """Lines appended in order, kept as LZ4 frames (one per chunk added), with where each line
    ends."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.sizes: list[int] = []
        self.ends = array("q", [0])

    def add(self, data: memoryview, bounds: list[int], start: int, stop: int) -> None:
        begin, end = bounds[start], bounds[stop]
        shift = self.ends[-1] - begin
        self.ends.extend([b + shift for b in bounds[start + 1 : stop + 1]])
        self.frames.append(_CODEC.compress(data[begin:end], asbytes=True))
        self.sizes.append(end - begin)

    def read(self) -> pa.Array:
        """Every line, in the order added, as one array."""
        frames, sizes, ends = self.frames, self.sizes, self.ends
        self.frames, self.sizes, self.ends = [], [], array("q", [0])
        if all(f[:6] in _FRAME_STARTS and f[-4:] == _FRAME_END for f in frames):
            # The chunks' blocks spliced into one frame decompress straight into one buffer:
            # decompressing each chunk and concatenating the arrays copied every line once more
            # into fresh memory (and `take` from a chunked array was ten times slower).
            spliced = b"".join([_FRAME_HEAD, *(memoryview(f)[7:-4] for f in frames), _FRAME_END])
            data = _CODEC.decompress(spliced, ends[-1])
        else:  # frames of another layout (another Arrow version): each on its own
            data = pa.py_buffer(b"".join(_CODEC.decompress(f, n, asbytes=True) for f, n in zip(frames, sizes)))
        return pa.Array.from_buffers(pa.large_string(), len(ends) - 1, [None, pa.py_buffer(ends), data])


_FRAME_HEAD = bytes.fromhex("04224d184040c0")
"""An LZ4 frame header: blocks of up to 64 KB that may refer to the ones before, no checksums,
no content size; Arrow's frames have it (or the same with independent blocks)."""
_FRAME_STARTS = (_FRAME_HEAD[:6], bytes.fromhex("04224d186040"))
_FRAME_END = bytes(4)


class _Bucket:
    def __init__(self, names: Sequence[str]) -> None:
        self.hashes = array("q")
        self.in_eval = array("b")
        self.lines = {n: _Lines() for n in names}


class _Buckets:
    """The consumer of the streamed batches: deals each batch's rows into buckets."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.buckets: dict[int, _Bucket] = {}

    def __call__(self, batch: pa.RecordBatch) -> None:
        # a scalar argument would go through pa.scalar, which imports pandas (half a second)
        ids = call_function(
            "shift_right", [batch.column(HASH), _int64s([64 - _BITS] * len(batch))]
        )  # signed: sorts as the hashes
        order = call_function("sort_indices", [ids])
        batch = call_function("take", [batch, order])
        hashes, in_eval = batch.column(HASH).to_pylist(), batch.column(IN_EVAL).to_pylist()
        lines = {name: _values(batch.column(name)) for name in self.names}
        start = 0
        for entry in call_function("value_counts", [call_function("take", [ids, order])]).to_pylist():
            stop = start + entry["counts"]
            bucket = self.buckets.get(entry["values"])
            if bucket is None:
                bucket = self.buckets[entry["values"]] = _Bucket(self.names)
            bucket.hashes.extend(hashes[start:stop])
            bucket.in_eval.extend(in_eval[start:stop])
            for name, (data, bounds) in lines.items():
                bucket.lines[name].add(data, bounds, start, stop)
            start = stop

    def in_order(self):
        for key in sorted(self.buckets):
            yield self.buckets.pop(key)


class _Background:
    """`consume` on a worker thread, up to `depth` items behind the caller, so the caller goes
    on producing items meanwhile; its error is raised in the caller at the next item or on
    leaving."""

    def __init__(self, consume: Callable[[Any], None], depth: int = 2) -> None:
        self._consume = consume
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
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


_TO_BOOL = CastOptions.safe(pa.bool_())


_PIECE_BYTES = 256 * 1024
_PIECES_AHEAD = 8


class _Output:
    """One file, hashed in order; its pieces are written at their offsets, by either thread."""

    def __init__(self, f: IO[bytes]) -> None:
        self.file, self.digest, self.rows, self.size = f, hashlib.sha256(), 0, 0
        try:
            self.fd: int | None = f.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            self.fd = None  # not a plain file: written in order by the worker

    def pieces(self, lines: pa.Array, rows: pa.Array) -> Iterator[tuple[pa.Buffer, int]]:
        """`lines[rows]` gathered a few hundred KB at a time, each with its offset in the file:
        each piece is still in the CPU cache when it is written and hashed. (Gathering whole
        buckets and handing them to a writer and a hasher thread cost about a fifth more CPU
        time.)"""
        self.rows += len(rows)
        data = lines.buffers()[2]
        average = max(1, (data.size if data is not None else 0) // max(1, len(lines)))
        step = max(1, _PIECE_BYTES // average)
        for start in range(0, len(rows), step):
            piece = _joined(call_function("take", [lines, rows[start : start + step]]))
            yield piece, self.size
            self.size += piece.size

    def write_at(self, piece: pa.Buffer, at: int) -> None:
        if self.fd is None:
            self.file.write(piece)
            return
        view = memoryview(piece)
        while view:
            done = os.pwrite(self.fd, view, at)
            view, at = view[done:], at + done


def _write_and_hash(item: tuple[_Output, pa.Buffer, int | None]) -> None:
    """The worker's share: a piece hashed, and written too unless the gathering thread wrote
    it (offset None)."""
    output, piece, at = item
    if at is not None:
        output.write_at(piece, at)
    output.digest.update(piece)


def _order(hashes: array, record: pa.Array, tie_key: Callable[[bytes], Any]) -> pa.Array:
    """Row numbers by split hash; rows sharing a hash (one question, several answers) by
    `tie_key` of their RECORD line."""
    values = pa.Array.from_buffers(pa.int64(), len(hashes), [None, pa.py_buffer(hashes)])
    order = call_function("sort_indices", [values])
    ranked = call_function("take", [values, order])
    if len(ranked) < 2 or not call_function("any", [call_function("equal", [ranked[1:], ranked[:-1]])]).as_py():
        return order
    ordered: list[int] = []
    for _, run in groupby(order.to_pylist(), key=hashes.__getitem__):
        rows = list(run)
        if len(rows) > 1:
            rows.sort(key=lambda i: tie_key(record[i].as_py().encode()))
        ordered.extend(rows)
    return _int64s(ordered)


def _joined(lines: pa.Array) -> pa.Buffer:
    """A string array's values back to back."""
    _, offsets, data = lines.buffers()
    bounds = pa.Array.from_buffers(pa.int64(), len(lines) + 1, [None, offsets], offset=lines.offset)
    start, end = bounds[0].as_py(), bounds[-1].as_py()
    return data.slice(start, end - start) if data is not None else pa.py_buffer(b"")


def _sorted(bucket: _Bucket, tie_key: Callable[[bytes], Any]) -> list[tuple[str, pa.Array, pa.Array]]:
    """A bucket's (file name, lines, rows to write, in order) for the files "train", "eval" and,
    if it has SOURCE lines, "sources"."""
    record = bucket.lines[RECORD].read()
    order = _order(bucket.hashes, record, tie_key)
    in_eval = pa.Array.from_buffers(pa.int8(), len(bucket.in_eval), [None, pa.py_buffer(bucket.in_eval)])
    flags = call_function("cast", [call_function("take", [in_eval, order])], _TO_BOOL)
    train = call_function("filter", [order, call_function("invert", [flags])])
    parts = [("train", record, train), ("eval", record, call_function("filter", [order, flags]))]
    if SOURCE in bucket.lines:
        parts.append(("sources", bucket.lines[SOURCE].read(), train))
    return parts


def _write_buckets(buckets: _Buckets, outputs: dict[str, _Output], tie_key: Callable[[bytes], Any]) -> None:
    """Each bucket sorted and its rows written to the outputs "train", "eval" and "sources"."""
    # The pieces are hashed on a second thread, a few pieces behind, which also writes every
    # other piece; this thread decompresses, sorts, gathers and writes the rest. Hashing and
    # writing release the GIL and cost more than the rest: with all the writing on the worker,
    # it was the slower of the two (phase 2 took a tenth longer). (Decompressing and sorting the
    # next bucket on a third thread saved nothing once the decompression had become cheap.)
    with _Background(_write_and_hash, depth=_PIECES_AHEAD) as hand:
        ours = False
        for bucket in buckets.in_order():
            for name, lines, rows in _sorted(bucket, tie_key):
                output = outputs[name]
                for piece, at in output.pieces(lines, rows):
                    ours = not ours and output.fd is not None
                    hand((output, piece, None if ours else at))
                    if ours:
                        output.write_at(piece, at)


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
        _write_buckets(buckets, outputs, tie_key)
    return {name: (o.digest.hexdigest(), o.rows) for name, o in outputs.items()}
