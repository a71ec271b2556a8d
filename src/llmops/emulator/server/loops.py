"""The emulator's event loop: uvloop (libuv, in C) where it is installed, else asyncio's own.

uvloop takes 10-20% off the server's CPU time per small request (`benchmarks/bench_emulator.py
--only small` measures both). `LLMOPS_EMULATOR_LOOP=asyncio` selects asyncio's loop instead (a
baseline for benchmarks, or a way around a loop problem); `uvloop` insists on uvloop.
"""

from __future__ import annotations

import importlib.util
import os

from ...core.errors import ConfigError

LOOP_ENV = "LLMOPS_EMULATOR_LOOP"
_LOOPS = ("auto", "uvloop", "asyncio")


def loop_name(name: str | None = None) -> str:
    """uvicorn's `loop` setting for `name` ("auto", "uvloop" or "asyncio"; default: the
    LLMOPS_EMULATOR_LOOP environment variable, else auto: uvloop when installed)."""
    chosen = (name or os.environ.get(LOOP_ENV) or "auto").strip().lower()
    if chosen not in _LOOPS:
        raise ConfigError(
            f"{LOOP_ENV}={chosen!r} is not an event loop the emulator knows",
            fix=f"set {LOOP_ENV} to uvloop or asyncio, or unset it",
        )
    have_uvloop = importlib.util.find_spec("uvloop") is not None
    if chosen == "uvloop" and not have_uvloop:
        raise ConfigError(
            "the emulator's event loop (uvloop) is not installed",
            fix=f"pip install 'llmops[emulator]' (or set {LOOP_ENV}=asyncio)",
        )
    if chosen == "auto":
        return "uvloop" if have_uvloop else "asyncio"
    return chosen
