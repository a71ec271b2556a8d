"""The threads jobs run on: up to a fixed number, started as jobs need them and kept for the
next ones, so a small query pays a hand-off (tens of microseconds) instead of a thread start.
Work beyond that number waits in line, in order."""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable


class JobThreads:
    """Runs submitted callables on at most `size` daemon threads (daemon: a job still running
    never holds up the process's exit)."""

    def __init__(self, size: int, name: str = "bq-job"):
        self.size = size
        self.name = name
        self._line: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._threads = 0
        self._numbers = itertools.count(1)

    def submit(self, work: Callable[[], None]) -> None:
        """Run `work` on a free thread, a new one while fewer than `size` exist, else in turn."""
        self._line.put(work)
        if self._idle.acquire(blocking=False):
            return  # a waiting thread takes it
        with self._lock:
            if self._threads >= self.size:
                return
            self._threads += 1
        threading.Thread(target=self._serve, name=f"{self.name}-{next(self._numbers)}", daemon=True).start()

    def _serve(self) -> None:
        while True:
            work = self._line.get()
            work()
            del work
            self._idle.release()
