"""The Google backends run against the emulator started by the llmops pytest plugin.

The fixtures are imported rather than enabled with `pytest_plugins` (only allowed in the
top-level conftest.py; the `pytest11` entry point enables them everywhere)."""

from __future__ import annotations

import pytest

from llmops.core.config import load_settings
from llmops.core.session import Session
from llmops.testing import bigquery_client, llmops_emulator, storage_client  # noqa: F401


@pytest.fixture
def emulated_settings(llmops_emulator, tmp_path):  # noqa: F811
    """The built-in `emulated` profile, pointed at this session's emulator by LLMOPS_ENDPOINT."""
    return load_settings("emulated", overrides={"workspace": str(tmp_path / "ws")},
                         environ={"LLMOPS_ENDPOINT": llmops_emulator.endpoint})


@pytest.fixture
def emulated(emulated_settings):
    with Session(emulated_settings) as s:
        yield s
