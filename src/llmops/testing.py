"""pytest plugin: an offline BigQuery, Cloud Storage and Vertex AI for your own tests.

Fixtures (session-scoped):

- `llmops_emulator`: the emulator, started once per test session on a free loopback port with a
  temporary data folder; has `.endpoint`, `.port`, `.data_dir` and `.env()` (the environment
  variables that point Google clients at it).
- `bigquery_client`: a `google.cloud.bigquery.Client` on the emulator (anonymous credentials);
  with google-cloud-bigquery-storage installed, its `to_dataframe()`/`to_arrow()` read through
  the emulator's Storage Read API.
- `bigquery_read_client` / `bigquery_write_client`: `BigQueryReadClient` / `BigQueryWriteClient`
  on the emulator's BigQuery Storage API (gRPC).
- `storage_client`: a `google.cloud.storage.Client` on the emulator (anonymous credentials).
- `signing_credentials`: service-account credentials whose key the emulator accepts for V4
  signed URLs (`blob.generate_signed_url(version="v4", credentials=signing_credentials)`).
- `genai_client`: a `google.genai.Client` in Vertex mode on the emulator (static bearer token).

Per test:

- `aiplatform_init`: aiplatform and vertexai initialised against the emulator (REST, anonymous,
  a service account; `STORAGE_EMULATOR_HOST` set), e.g. for `PipelineJob` and
  `TextGenerationModel`.
- `google_cloud_env`: the environment variables and fake Application Default Credentials that
  make clients your code builds from the environment (`bigquery.Client()`, `storage.Client()`,
  `genai.Client(vertexai=True)`, `vertexai.init()`, `PipelineJob(...).submit()`) reach the
  emulator; restored afterwards.
- `canned_responses`: `.add(prompt=..., response=..., safety=..., blocked=..., citations=...)`
  forces the emulated model's answer (the emulator's `/emulator/v1/canned` admin route).

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

from .offline import offline_authenticate

__all__ = ["offline_authenticate", "start_emulator", "RunningEmulator", "CannedResponses", "GoogleCloudEnv"]

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
            "LLMOPS_GCP_ENDPOINT": self.endpoint,
        }


def start_emulator(data_dir: str | Path, *, host: str = "127.0.0.1", port: int = 0, **config: Any) -> RunningEmulator:
    """Start an emulator in a background thread; stop it with `.server.stop()`."""
    from .emulator.server.api import EmulatorConfig
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
    _read_through_emulator(client, llmops_emulator)
    try:
        yield client
    finally:
        client.close()


def bigquery_storage_endpoint(running: RunningEmulator) -> str:
    """`host:port` of a running emulator's BigQuery Storage API (gRPC)."""
    from .emulator.bigquery_storage.api import BigQueryStorageApi

    api = running.server.app.state.emulator.api(BigQueryStorageApi)
    if api.endpoint is None:
        pytest.skip(f"BigQuery Storage API not served: {api.unavailable}")
    return api.endpoint


def _read_through_emulator(client: Any, running: RunningEmulator) -> None:
    """Make the storage client that `to_dataframe()`/`to_arrow()` create by default talk to the
    emulator's Read API (it would otherwise dial bigquerystorage.googleapis.com)."""
    ensure = client._ensure_bqstorage_client

    def ensure_on_emulator(bqstorage_client: Any = None, *args: Any, **kwargs: Any) -> Any:
        if bqstorage_client is None and not args and not kwargs:
            try:
                from .emulator.bigquery_storage.clients import read_client

                return read_client(bigquery_storage_endpoint(running), running.server.config.token)
            except ImportError:
                return None
        return ensure(bqstorage_client, *args, **kwargs)

    client._ensure_bqstorage_client = ensure_on_emulator


@pytest.fixture(scope="session")
def bigquery_read_client(llmops_emulator: RunningEmulator) -> Any:
    """A `BigQueryReadClient` on the emulator's Storage Read API (gRPC, insecure channel);
    pass it as `to_dataframe(bqstorage_client=...)`."""
    from .emulator.bigquery_storage.clients import read_client

    return read_client(bigquery_storage_endpoint(llmops_emulator), llmops_emulator.server.config.token)


@pytest.fixture(scope="session")
def bigquery_write_client(llmops_emulator: RunningEmulator) -> Any:
    """A `BigQueryWriteClient` on the emulator's Storage Write API (gRPC, insecure channel)."""
    from .emulator.bigquery_storage.clients import write_client

    return write_client(bigquery_storage_endpoint(llmops_emulator), llmops_emulator.server.config.token)


@pytest.fixture(scope="session")
def storage_client(llmops_emulator: RunningEmulator) -> Iterator[Any]:
    """A real Cloud Storage client talking to the emulator."""
    import google.cloud.storage as storage  # the `from google.cloud import` form trips mypy on this untyped package
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials

    client = storage.Client(
        project=EMULATOR_PROJECT,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=llmops_emulator.endpoint),
    )
    try:
        yield client
    finally:
        client.close()


SIGNING_SERVICE_ACCOUNT = f"llmops-signer@{EMULATOR_PROJECT}.iam.gserviceaccount.com"


@pytest.fixture(scope="session")
def signing_credentials(llmops_emulator: RunningEmulator) -> Any:
    """Service-account credentials with a fresh RSA key whose public half is registered with the
    emulator, so `blob.generate_signed_url(version="v4", credentials=...)` URLs verify there."""
    import httpx
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.oauth2 import service_account

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    response = httpx.post(
        f"{llmops_emulator.endpoint}/emulator/v1/signing-keys",
        json={"clientEmail": SIGNING_SERVICE_ACCOUNT, "publicKeyPem": public_pem},
        timeout=30,
    )
    response.raise_for_status()
    return service_account.Credentials.from_service_account_info(
        {
            "type": "service_account",
            "project_id": EMULATOR_PROJECT,
            "private_key_id": "llmops-emulator",
            "private_key": private_pem,
            "client_email": SIGNING_SERVICE_ACCOUNT,
            "token_uri": f"{llmops_emulator.endpoint}/token",
        }
    )


# --- Vertex AI -----------------------------------------------------------------------------------

EMULATOR_LOCATION = "us-central1"
EMULATOR_SERVICE_ACCOUNT = f"llmops-tests@{EMULATOR_PROJECT}.iam.gserviceaccount.com"


@pytest.fixture(scope="session")
def genai_client(llmops_emulator: RunningEmulator) -> Any:
    """A google-genai Client in Vertex mode talking to the emulator (a static bearer token:
    genai refuses anonymous credentials)."""
    import google.oauth2.credentials
    from google import genai
    from google.genai import types

    return genai.Client(
        vertexai=True,
        project=EMULATOR_PROJECT,
        location=EMULATOR_LOCATION,
        credentials=google.oauth2.credentials.Credentials(token="emulator"),
        http_options=types.HttpOptions(base_url=llmops_emulator.endpoint),
    )


@dataclass(frozen=True)
class VertexInit:
    """What `aiplatform_init` set up: pass `service_account` to `PipelineJob.submit` if you
    re-initialise aiplatform yourself."""

    project: str
    location: str
    endpoint: str
    service_account: str


@pytest.fixture
def aiplatform_init(llmops_emulator: RunningEmulator) -> Iterator[VertexInit]:
    """aiplatform and vertexai initialised against the emulator (REST transport, anonymous
    credentials, a service account so `PipelineJob.submit()` needs no Google lookups), with
    `STORAGE_EMULATOR_HOST` set for the pipeline-root bucket check. Restored afterwards."""
    import os

    import vertexai
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import aiplatform

    from .backends.gcp.vertex_pipelines import emulator_project_number

    saved = {k: os.environ.get(k) for k in ("STORAGE_EMULATOR_HOST", "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA")}
    os.environ["STORAGE_EMULATOR_HOST"] = llmops_emulator.endpoint
    os.environ["DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA"] = "1"
    kwargs = dict(
        project=EMULATOR_PROJECT,
        location=EMULATOR_LOCATION,
        credentials=AnonymousCredentials(),
        api_endpoint=llmops_emulator.endpoint,
        api_transport="rest",
        service_account=EMULATOR_SERVICE_ACCOUNT,
    )
    aiplatform.init(**kwargs)
    vertexai.init(**kwargs)
    try:
        with emulator_project_number():
            yield VertexInit(EMULATOR_PROJECT, EMULATOR_LOCATION, llmops_emulator.endpoint, EMULATOR_SERVICE_ACCOUNT)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass(frozen=True)
class GoogleCloudEnv:
    """What `google_cloud_env` set: the project, location, endpoint, the fake credentials file
    and every environment variable."""

    project: str
    location: str
    endpoint: str
    credentials_file: Path
    environ: dict[str, str]


@pytest.fixture
def google_cloud_env(
    llmops_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GoogleCloudEnv]:
    """Clients built from the environment by the code under test reach the emulator: project
    `llmops-test`, fake Application Default Credentials, the emulator variables, and
    aiplatform/vertexai initialised on it (REST). Restored after the test."""
    from google.cloud.aiplatform import initializer

    from . import offline

    adc = offline.write_fake_adc(
        tmp_path_factory.mktemp("adc") / "adc.json", llmops_emulator.endpoint, EMULATOR_PROJECT
    )
    environ = offline.environment(llmops_emulator.endpoint, EMULATOR_PROJECT, EMULATOR_LOCATION, adc)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    offline.genai_project_from_environment()
    offline.bigquery_storage_on_emulator()
    config = initializer.global_config  # `aiplatform.init` is bound to this object: restore its fields
    saved = dict(vars(config))
    offline.init_vertex(llmops_emulator.endpoint, project=EMULATOR_PROJECT, location=EMULATOR_LOCATION)
    try:
        yield GoogleCloudEnv(EMULATOR_PROJECT, EMULATOR_LOCATION, llmops_emulator.endpoint, adc, environ)
    finally:
        vars(config).clear()
        vars(config).update(saved)


class CannedResponses:
    """Canned answers of the emulated model, through the emulator's `/emulator/v1/canned`.

    `add(prompt="load a csv", response="Use read_csv.", safety={"harassment": 0.9},
    blocked=True, citations=[...])` makes prompts containing "load a csv" get that answer (the
    entry format of `llmops.emulator.vertex.engine.canned`; `regex=` or `exact=` instead of `prompt=`);
    the newest entry wins. `clear()` removes them all (done after each test)."""

    def __init__(self, endpoint: str):
        self.url = f"{endpoint}/emulator/v1/canned"

    def add(self, **entry: Any) -> None:
        self._send("POST", {"responses": [entry]})

    def set(self, entries: list[dict[str, Any]]) -> None:
        self._send("PUT", {"responses": entries})

    def clear(self) -> None:
        self._send("DELETE", None)

    def entries(self) -> list[dict[str, Any]]:
        import httpx

        return httpx.get(self.url, timeout=30).json()["responses"]

    def _send(self, method: str, body: Any) -> None:
        import httpx

        response = httpx.request(method, self.url, json=body, timeout=30)
        if response.status_code >= 400:
            raise ValueError(response.json()["error"]["message"])


@pytest.fixture
def canned_responses(llmops_emulator: RunningEmulator) -> Iterator[CannedResponses]:
    """Enqueue canned answers for the emulated model; cleared after the test."""
    canned = CannedResponses(llmops_emulator.endpoint)
    canned.clear()
    try:
        yield canned
    finally:
        canned.clear()
