"""pytest plugin: an offline BigQuery and Cloud Storage for your own tests.

Fixtures (session-scoped):

- `llmops_emulator`: the emulator, started once per test session on a free loopback port with a
  temporary data folder; has `.endpoint`, `.port`, `.data_dir` and `.env()` (the environment
  variables that point Google clients at it).
- `bigquery_client`: a `google.cloud.bigquery.Client` on the emulator (anonymous credentials).
- `storage_client`: a `google.cloud.storage.Client` on the emulator (anonymous credentials).

Enabled by the `pytest11` entry point `llmops`; in a project without it, add
`pytest_plugins = ["llmops.testing"]` to the top-level conftest.py. Google client libraries,
starlette and uvicorn are imported only when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

EMULATOR_PROJECT = "llmops-test"
"""The project id the client fixtures use (the emulator accepts any)."""


@dataclass(frozen=True)
class RunningEmulator:
    """A running emulator: where it listens and where it keeps its data."""

    endpoint: str
    host: str
    port: int
    data_dir: Path
    server: Any

    def env(self) -> dict[str, str]:
        """Environment variables that point Google clients and llmops at this emulator."""
        return {
            "STORAGE_EMULATOR_HOST": self.endpoint,
            "BIGQUERY_EMULATOR_HOST": self.endpoint,
            "LLMOPS_ENDPOINT": self.endpoint,
        }


def start_emulator(data_dir: str | Path, *, host: str = "127.0.0.1", port: int = 0, **config: Any) -> RunningEmulator:
    """Start an emulator in a background thread; stop it with `.server.stop()`."""
    from .emulator.server.app import EmulatorConfig
    from .emulator.server.runner import EmulatorServer

    server = EmulatorServer(EmulatorConfig(data_dir=Path(data_dir), **config), host=host, port=port).start()
    return RunningEmulator(server.endpoint, host, server.port, Path(data_dir), server)


@pytest.fixture(scope="session")
def llmops_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """The emulator (BigQuery and Cloud Storage REST) on a free loopback port, for the session."""
    running = start_emulator(tmp_path_factory.mktemp("llmops-emulator"))
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture(scope="session")
def bigquery_client(llmops_emulator: RunningEmulator) -> Iterator[Any]:
    """A real BigQuery client talking to the emulator."""
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    client = bigquery.Client(
        project=EMULATOR_PROJECT,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=llmops_emulator.endpoint),
        location="US",
    )
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def storage_client(llmops_emulator: RunningEmulator) -> Iterator[Any]:
    """A real Cloud Storage client talking to the emulator."""
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client = storage.Client(
        project=EMULATOR_PROJECT,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=llmops_emulator.endpoint),
    )
    try:
        yield client
    finally:
        client.close()
