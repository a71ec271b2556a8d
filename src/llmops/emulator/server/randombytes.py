"""Random bytes for ids and etags made on every request (a query job takes two).

Each `os.urandom` call lets go of the GIL, and under concurrent requests taking it back is a
wait; these come from the same source, drawn 4 KiB at a time.
"""

from __future__ import annotations

import os
import threading

_DRAW = 4096
_lock = threading.Lock()
_pool = b""
_taken = 0


def random_bytes(n: int) -> bytes:
    """`n` (at most 4096) bytes from `os.urandom`, none of them handed out before."""
    global _pool, _taken
    with _lock:
        if _taken + n > len(_pool):
            _pool, _taken = os.urandom(_DRAW), 0
        _taken += n
        return _pool[_taken - n : _taken]


def random_hex(n: int) -> str:
    """`n` random bytes as 2n hex digits."""
    return random_bytes(n).hex()


def _forget() -> None:
    global _pool, _taken
    _pool, _taken = b"", 0


os.register_at_fork(after_in_child=_forget)  # a forked child must not repeat the parent's ids
