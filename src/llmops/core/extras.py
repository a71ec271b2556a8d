"""Optional dependencies: which `pip install 'llmops[EXTRA]'` brings a missing module, and the
one-line error that says so instead of an import traceback."""

from __future__ import annotations

import importlib
import re

from .errors import ConfigError

EXTRA_MODULES: dict[str, str] = {
    "starlette": "emulator",
    "uvicorn": "emulator",
    "google_crc32c": "emulator",
    "google.cloud.aiplatform": "gcp",
    "google.cloud.bigquery": "gcp",
    "google.cloud.storage": "gcp",
    "google.genai": "gcp",
    "google.api_core": "gcp",
    "google.auth": "gcp",
    "google.oauth2": "gcp",
    "vertexai": "gcp",
    "db_dtypes": "gcp",
    "wordllama": "embeddings",
    "py_mini_racer": "js",
}
"""Top-level (or dotted) module -> the extra of pyproject.toml that installs it."""

FEATURES = {
    "emulator": "the emulator needs",
    "gcp": "the Google Cloud backends (profile gcp or emulated) need",
    "embeddings": "embeddings need",
    "js": "JavaScript UDFs need",
}
"""Extra -> what needs it, as the start of the error line."""


class MissingExtraError(ConfigError):
    """An optional dependency is not installed; the fix names the extra to install."""

    def __init__(self, module: str, extra: str, feature: str | None = None):
        self.module, self.extra = module, extra
        what = f"{feature} needs" if feature else FEATURES.get(extra, "this command needs")
        super().__init__(
            f"{what} the {extra!r} extra ({module} is not installed)",
            fix=f"pip install 'llmops[{extra}]'",
        )


def require_extra(module: str, extra: str, feature: str | None = None) -> None:
    """Import `module`, or raise a MissingExtraError naming `pip install 'llmops[extra]'`."""
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(missing_module(exc) or module, extra, feature) from None


def missing_module(exc: ImportError) -> str | None:
    """The dotted module an ImportError failed to find (`from google.cloud import aiplatform`
    reports `google.cloud`; the name is in its message)."""
    name = exc.name
    found = re.match(r"cannot import name '([\w.]+)' from '([\w.]+)'", str(exc))
    if found:
        return f"{found.group(2)}.{found.group(1)}"
    return name


def explain(exc: ImportError) -> MissingExtraError | None:
    """The MissingExtraError for an ImportError of a module an extra provides, else None."""
    module = missing_module(exc)
    if not module:
        return None
    for known, extra in sorted(EXTRA_MODULES.items(), key=lambda kv: -len(kv[0])):
        if module == known or module.startswith(known + ".") or known.startswith(module + "."):
            return MissingExtraError(known if known.startswith(module + ".") else module, extra)
    return None
