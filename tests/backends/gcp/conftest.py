"""The Google backends run against the emulator started by the llmops pytest plugin.

The fixtures (`llmops_emulator`, `bigquery_client`, ...) come from the `pytest11` entry point
`llmops.testing`, as they do in a user's project: one emulator for the whole test session."""

from __future__ import annotations

import pytest

from llmops.core.config import load_settings
from llmops.core.session import Session


@pytest.fixture
def emulated_settings(llmops_emulator, tmp_path):
    """The built-in `emulated` profile, pointed at this session's emulator by LLMOPS_GCP_ENDPOINT."""
    return load_settings(
        "emulated",
        overrides={"workspace": str(tmp_path / "ws")},
        environ={"LLMOPS_GCP_ENDPOINT": llmops_emulator.endpoint},
    )


@pytest.fixture
def emulated(emulated_settings):
    with Session(emulated_settings) as s:
        yield s
