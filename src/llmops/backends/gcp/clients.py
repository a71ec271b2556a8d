"""Google Cloud clients built from settings.

On Google Cloud: Application Default Credentials (`gcloud auth application-default login`, a
service account, or the metadata server) and the profile's project. When the `gcp` section's
`endpoint` is set (the `emulated` profile, or LLMOPS_GCP_ENDPOINT), the clients talk to that endpoint with
anonymous credentials and no credential lookup at all.
"""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlparse

from ...core.config import Settings
from ...core.errors import ConfigError
from .plugin import GcpSettings


def gcp_settings(settings: Settings) -> GcpSettings:
    """The profile's `[gcp]` section (project, location, bucket, endpoint)."""
    return settings.section(GcpSettings)


def _endpoint(settings: Settings) -> str | None:
    endpoint = (gcp_settings(settings).endpoint or "").strip().rstrip("/")
    if not endpoint:
        return None
    if "://" not in endpoint:
        # Without a scheme the Google clients assume https and hang in retries against a
        # plain-http emulator, so refuse early.
        raise ConfigError(
            f"endpoint {endpoint!r} has no scheme",
            fix=f"write it as http://{endpoint} (LLMOPS_GCP_ENDPOINT or endpoint in [profiles.NAME.gcp])",
        )
    return endpoint


def check_reachable(endpoint: str, timeout: float = 3.0) -> None:
    """Fail at once, with one line, when nothing listens at `endpoint` (the clients would
    otherwise retry a refused connection for minutes)."""
    parsed = urlparse(endpoint)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", port), timeout=timeout):
            pass
    except OSError as exc:
        raise ConfigError(
            f"nothing answers at {endpoint} ({exc.strerror or exc})",
            fix="start the emulator with `llmops emulator start`, or set LLMOPS_GCP_ENDPOINT to where it runs",
        ) from None


def project_and_credentials(settings: Settings) -> tuple[str, Any]:
    """(project id, credentials) for the profile: anonymous on an endpoint, else ADC."""
    if endpoint := _endpoint(settings):
        from google.auth.credentials import AnonymousCredentials

        check_reachable(endpoint)
        return gcp_settings(settings).project or "llmops-emulated", AnonymousCredentials()
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, adc_project = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    except DefaultCredentialsError as exc:
        raise ConfigError(
            f"no Google Cloud credentials found ({str(exc).splitlines()[0]})",
            fix="run `gcloud auth application-default login`, or use the emulated profile (--profile emulated)",
        ) from None
    project = gcp_settings(settings).project or adc_project
    if not project:
        raise ConfigError(
            f"profile {settings.profile!r} names no Google Cloud project",
            fix=f"set project in llmops.toml [profiles.{settings.profile}.gcp] or LLMOPS_GCP_PROJECT",
        )
    return project, credentials


def bigquery_client(settings: Settings) -> Any:
    """A google-cloud-bigquery Client for the profile."""
    from google.cloud import bigquery

    project, credentials = project_and_credentials(settings)
    options = {"api_endpoint": endpoint} if (endpoint := _endpoint(settings)) else None
    return bigquery.Client(project=project, credentials=credentials, client_options=options)


def storage_client(settings: Settings) -> Any:
    """A google-cloud-storage Client for the profile."""
    import google.cloud.storage as storage  # the `from google.cloud import` form trips mypy on this untyped package

    project, credentials = project_and_credentials(settings)
    options = {"api_endpoint": endpoint} if (endpoint := _endpoint(settings)) else None
    return storage.Client(project=project, credentials=credentials, client_options=options)


def is_emulated(settings: Settings) -> bool:
    """Whether the profile points the Google clients at an emulator endpoint."""
    return _endpoint(settings) is not None


EMULATOR_TOKEN = "emulator"
"""The static bearer token sent to an emulator (google-genai refuses anonymous credentials)."""


def genai_client(settings: Settings) -> Any:
    """A google-genai Client in Vertex mode for the profile's project and location; on an
    endpoint, a static bearer token and `base_url` (project and location passed explicitly, or
    genai switches to its API-gateway mode)."""
    from google import genai
    from google.genai import types

    if endpoint := _endpoint(settings):
        import google.oauth2.credentials

        check_reachable(endpoint)
        return genai.Client(
            vertexai=True,
            project=gcp_settings(settings).project or "llmops-emulated",
            location=gcp_settings(settings).location,
            credentials=google.oauth2.credentials.Credentials(token=EMULATOR_TOKEN),
            http_options=types.HttpOptions(base_url=endpoint),
        )
    project, credentials = project_and_credentials(settings)
    location = gcp_settings(settings).location
    return genai.Client(vertexai=True, project=project, location=location, credentials=credentials)


def aiplatform_init(settings: Settings, **extra: Any) -> str:
    """Initialise aiplatform (and vertexai) for the profile; return the project. On an
    endpoint: REST transport with the scheme written out (gRPC, or no scheme, hangs in retries)
    and anonymous credentials."""
    from google.cloud import aiplatform

    project, credentials = project_and_credentials(settings)
    location = gcp_settings(settings).location
    kwargs: dict[str, Any] = {"project": project, "location": location, "credentials": credentials, **extra}
    if endpoint := _endpoint(settings):
        kwargs.update(api_endpoint=endpoint, api_transport="rest")
    aiplatform.init(**kwargs)
    return project
