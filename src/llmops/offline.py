"""Point Google's client libraries at the llmops emulator, in code that builds them the usual
way (`bigquery.Client()`, `storage.Client()`, `genai.Client(vertexai=True)`, `vertexai.init()`,
`aiplatform.PipelineJob(...).submit()`).

`offline_authenticate()` is a drop-in for the LLMOps course's `utils.authenticate()`:

    from llmops.offline import offline_authenticate as authenticate
    credentials, PROJECT_ID = authenticate()

It sets the environment variables the clients read, writes fake Application Default
Credentials (a service-account file whose token endpoint is the emulator's `/token`), and
initialises aiplatform and vertexai with REST transport on the emulator's `http://` endpoint.
Importing this module imports only the standard library.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_ENDPOINT = "http://127.0.0.1:9050"
DEFAULT_PROJECT = "llmops-offline"
DEFAULT_LOCATION = "us-central1"
EMULATOR_PROJECT_NUMBER = "0"
"""The project number the llmops emulator reports for every bucket."""


def emulator_endpoint(endpoint: str | None = None) -> str:
    """`endpoint`, else LLMOPS_GCP_ENDPOINT, else the emulator's default; refused without an
    `http://` scheme (Google's clients would assume https and retry for minutes)."""
    from .core.errors import ConfigError

    value = (endpoint or os.environ.get("LLMOPS_GCP_ENDPOINT") or DEFAULT_ENDPOINT).strip().rstrip("/")
    if not value.startswith("http://"):
        raise ConfigError(
            f"emulator endpoint {value!r} is not an http:// URL",
            fix=f"write it as http://{value.split('://')[-1]} (the emulator speaks plain HTTP)",
        )
    return value


def service_account_email(project: str) -> str:
    """The service account the fake credentials (and pipeline jobs) use."""
    return f"llmops-offline@{project}.iam.gserviceaccount.com"


def write_fake_adc(path: str | Path, endpoint: str, project: str) -> Path:
    """Write a service-account key file whose token endpoint is the emulator (a fresh RSA key,
    never valid at Google); `GOOGLE_APPLICATION_CREDENTIALS` pointing at it makes
    `google.auth.default()` return credentials and `project`, with no network but the emulator."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": "llmops-emulator",
        "private_key": pem,
        "client_email": service_account_email(project),
        "client_id": "0",
        "token_uri": f"{endpoint}/token",
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(info, f)
    return path


def environment(endpoint: str, project: str, location: str, adc_path: str | Path) -> dict[str, str]:
    """The environment variables that make clients built from the environment reach the
    emulator: BigQuery and Cloud Storage by their emulator variables, google-genai by its
    Vertex base URL, all of them by project, location and the fake credentials."""
    return {
        "STORAGE_EMULATOR_HOST": endpoint,
        "BIGQUERY_EMULATOR_HOST": endpoint,
        "GOOGLE_VERTEX_BASE_URL": endpoint,
        "GOOGLE_GENAI_USE_VERTEXAI": "true",
        "GOOGLE_CLOUD_PROJECT": project,
        "GOOGLE_CLOUD_LOCATION": location,
        "GOOGLE_CLOUD_REGION": location,
        "GOOGLE_APPLICATION_CREDENTIALS": str(adc_path),
        "LLMOPS_GCP_ENDPOINT": endpoint,
        "LLMOPS_GCP_PROJECT": project,
        # google-cloud-storage otherwise asks the bucket's metadata for tracing attributes.
        "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "1",
    }


def answer_project_number() -> None:
    """Make aiplatform's Cloud Resource Manager project-number lookup (gRPC, no endpoint
    override: a minute of retries offline, in `PipelineJob.submit()` with a `gs://` root or no
    service account) answer the emulator's number while aiplatform is initialised on an
    `http://` endpoint. Talking to Google, the lookup is unchanged. Idempotent."""
    from google.cloud.aiplatform import initializer
    from google.cloud.aiplatform.utils import resource_manager_utils

    original = resource_manager_utils.get_project_number
    if getattr(original, "_llmops_emulator", False):
        return

    def get_project_number(project_id: str, credentials: Any = None) -> str:
        if (initializer.global_config._api_endpoint or "").startswith("http://"):
            return EMULATOR_PROJECT_NUMBER
        return original(project_id, credentials)

    get_project_number._llmops_emulator = True  # type: ignore[attr-defined]
    resource_manager_utils.get_project_number = get_project_number


def genai_project_from_environment() -> None:
    """Make `genai.Client(vertexai=True)` without project and location take them from
    `GOOGLE_CLOUD_PROJECT`/`GOOGLE_CLOUD_LOCATION` while `GOOGLE_VERTEX_BASE_URL` is an
    `http://` (emulator) URL. google-genai otherwise treats a custom base URL without explicit
    project and location as an API gateway and posts every call to the bare base URL. Talking
    to Google (no such base URL), nothing changes. Idempotent."""
    from google import genai

    original = genai.Client.__init__
    if getattr(original, "_llmops_emulator", False):
        return

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        vertex = kwargs.get("vertexai")
        if vertex is None:
            vertex = os.environ.get("GOOGLE_GENAI_USE_VERTEXAI", "").lower() in ("1", "true")
        base = os.environ.get("GOOGLE_VERTEX_BASE_URL", "")
        if vertex and base.startswith("http://") and not kwargs.get("api_key"):
            kwargs["project"] = kwargs.get("project") or os.environ.get("GOOGLE_CLOUD_PROJECT")
            kwargs["location"] = kwargs.get("location") or os.environ.get("GOOGLE_CLOUD_LOCATION")
        original(self, *args, **kwargs)

    __init__._llmops_emulator = True  # type: ignore[attr-defined]
    genai.Client.__init__ = __init__  # type: ignore[method-assign]


_STORAGE_ENDPOINTS: dict[str, str | None] = {}


def _read_api_endpoint(rest_endpoint: str) -> str | None:
    """The gRPC `host:port` of the emulator at `rest_endpoint`'s BigQuery Storage API (asked
    once, from `GET /emulator/v1/bigquerystorage`); None when it is not served or needs a token."""
    if rest_endpoint not in _STORAGE_ENDPOINTS:
        import urllib.request

        found: str | None = None
        try:
            url = rest_endpoint.rstrip("/") + "/emulator/v1/bigquerystorage"
            with urllib.request.urlopen(url, timeout=10) as r:
                status = json.loads(r.read())
            if status.get("serving") and not status.get("tokenRequired"):
                found = status.get("endpoint")
        except (OSError, ValueError):
            found = None
        _STORAGE_ENDPOINTS[rest_endpoint] = found
    return _STORAGE_ENDPOINTS[rest_endpoint]


def bigquery_storage_on_emulator() -> None:
    """Make the BigQuery Storage read client that google-cloud-bigquery creates by itself (in
    `to_dataframe()`/`to_arrow()` when google-cloud-bigquery-storage is installed) talk to the
    emulator's gRPC endpoint when the BigQuery client talks to an `http://` (emulator) endpoint;
    it would otherwise dial bigquerystorage.googleapis.com. Talking to Google, nothing changes.
    Idempotent."""
    try:
        from google.cloud import bigquery
    except ImportError:
        return
    original = bigquery.Client._ensure_bqstorage_client
    if getattr(original, "_llmops_emulator", False):
        return

    def _ensure_bqstorage_client(self: Any, bqstorage_client: Any = None, *args: Any, **kwargs: Any) -> Any:
        base = str(getattr(getattr(self, "_connection", None), "API_BASE_URL", "") or "")
        if bqstorage_client is None and not args and not kwargs and base.startswith("http://"):
            endpoint = _read_api_endpoint(base)
            if endpoint:
                try:
                    from .emulator.bigquery_storage.clients import read_client
                except ImportError:
                    return None
                return read_client(endpoint)
        return original(self, bqstorage_client, *args, **kwargs)

    _ensure_bqstorage_client._llmops_emulator = True  # type: ignore[attr-defined]
    bigquery.Client._ensure_bqstorage_client = _ensure_bqstorage_client  # type: ignore[method-assign]


def init_vertex(
    endpoint: str,
    *,
    project: str = DEFAULT_PROJECT,
    location: str = DEFAULT_LOCATION,
    credentials: Any = None,
    service_account: str | None = None,
) -> None:
    """`aiplatform.init` and `vertexai.init` on the emulator: REST transport (gRPC would hang),
    the `http://` endpoint, a service account for pipeline jobs, and the project-number answer
    (`answer_project_number`), so `PipelineJob.submit()` takes seconds with any pipeline root."""
    import vertexai
    from google.cloud import aiplatform

    if credentials is None:
        from google.auth.credentials import AnonymousCredentials

        credentials = AnonymousCredentials()
    kwargs: dict[str, Any] = dict(
        project=project,
        location=location,
        credentials=credentials,
        api_endpoint=endpoint,
        api_transport="rest",
        service_account=service_account or service_account_email(project),
    )
    aiplatform.init(**kwargs)
    vertexai.init(**kwargs)
    answer_project_number()


def offline_authenticate(
    endpoint: str | None = None,
    *,
    project: str = DEFAULT_PROJECT,
    location: str = DEFAULT_LOCATION,
    kfp_local: bool = True,
) -> tuple[Any, str]:
    """The course's `authenticate()`, offline: `(credentials, project_id)` for the emulator at
    `endpoint` (default LLMOPS_GCP_ENDPOINT or http://127.0.0.1:9050), with the environment,
    fake Application Default Credentials, aiplatform and vertexai set up for it, and (with
    `kfp_local`) `kfp.local.init` so that calling a component outside a pipeline runs it."""
    import google.auth

    from .backends.gcp.clients import check_reachable

    endpoint = emulator_endpoint(endpoint)
    check_reachable(endpoint)
    folder = tempfile.mkdtemp(prefix="llmops-adc-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # the environment points at it until exit
    adc = write_fake_adc(Path(folder) / "adc.json", endpoint, project)
    os.environ.update(environment(endpoint, project, location, adc))
    genai_project_from_environment()
    bigquery_storage_on_emulator()
    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    init_vertex(endpoint, project=project, location=location, credentials=credentials)
    if kfp_local:
        from kfp import local

        local.init(runner=local.SubprocessRunner(use_venv=False))
    return credentials, project
