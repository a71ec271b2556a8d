"""Conformance suites: one contract per backend kind, run against every backend of that kind that
the registry knows, so a new backend (built in or a third-party plugin) gets the same tests.

Each kind has a module-scoped fixture (`warehouse`, `artifacts`, `model`, `orchestrator`)
parametrised over `registry.backends(kind)`; the test id is the backend name, so
`pytest tests/conformance -k mybackend` runs one backend's contract. The Google backends run
against the session's emulator (the `llmops_emulator` fixture of `llmops.testing`). A backend
this file does not know is built with default settings; if that fails, or it does not answer a
first cheap call, its tests are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from llmops.core import registry
from llmops.core.config import Settings
from llmops.core.interfaces import ArtifactStore, Backend

KINDS = ("warehouse", "artifacts", "model", "orchestrator")

EMULATED = {
    ("warehouse", "bigquery"),
    ("artifacts", "gcs"),
    ("model", "vertex"),
    ("model", "openai"),
    ("orchestrator", "vertex"),
    ("orchestrator", "kubeflow"),
}
"""Backends that talk to a server (Google's APIs, Kubeflow's, an OpenAI-compatible one): here,
the emulator."""

LOCAL = {("warehouse", "duckdb"), ("artifacts", "local"), ("model", "emulator"), ("orchestrator", "local")}

DETERMINISTIC_MODELS = {"emulator", "vertex", "openai"}
"""Providers whose answers here come from the deterministic emulated model."""

PROJECT = "llmops-conformance"
BUCKET = "gs://llmops-conformance/llmops"
LOCATION = "us-central1"


def backend_names(kind: str) -> list[str]:
    """Every registered backend name of `kind`, sorted (third-party plugins included)."""
    return sorted(registry.backends(kind))


def _settings_for(kind: str, name: str, emulator: Any | None, tmp: Path) -> tuple[Settings, dict[str, str]]:
    """The settings that build backend `name` of `kind` here, and environment variables to set
    while it is built (for plugins that read their keys from the environment). The one place
    that knows the profile keys of the known backends: the server-backed ones point at the
    emulator (and take the `gcs` artifact store as their native store), local ones need only a
    workspace, others get the defaults."""
    base: dict[str, Any] = {"workspace": tmp / "ws"}
    if emulator is None:
        return Settings(**base, **{kind: name}), {}
    settings = Settings(
        **{**base, "artifacts": "gcs", kind: name},
        project=PROJECT,
        location=LOCATION,
        bucket=BUCKET,
        endpoint=emulator.endpoint,
        kubeflow_host=emulator.endpoint,
    )
    env: dict[str, str] = {}
    if (kind, name) == ("model", "openai"):  # Vertex AI's OpenAI-compatible endpoint
        env = {
            "LLMOPS_OPENAI_BASE_URL": f"{emulator.endpoint}/v1/projects/{PROJECT}/locations/{LOCATION}/endpoints/openapi",
            "LLMOPS_OPENAI_MODEL": "google/gemini-2.0-flash-001",
            "LLMOPS_OPENAI_MAX_RETRIES": "0",
        }
    return settings, env


@dataclass
class Built:
    """A backend under test, with the artifact store where its files live (for exports and
    training data) and what the suite may expect of it."""

    name: str
    backend: Any
    store: ArtifactStore
    deterministic: bool = False
    third_party: bool = False

    def scratch(self, *parts: str) -> str:
        """A fresh URI under the store's root, unique to this call."""
        return self.store.uri_for("conformance", uuid.uuid4().hex[:12], *parts)


def _probe(kind: str, backend: Any) -> None:
    """One cheap call, to tell an unreachable third-party backend from a broken one."""
    if kind == "warehouse":
        backend.query("SELECT 1 AS x")
    elif kind == "artifacts":
        backend.exists(backend.uri_for("conformance-probe"))
    elif kind == "orchestrator":
        backend.list_runs()
    elif kind == "model":
        backend.predict("ping")


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _build(kind: str, name: str, request: pytest.FixtureRequest, tmp: Path) -> Iterator[Built]:
    known = (kind, name) in EMULATED | LOCAL
    emulator = request.getfixturevalue("llmops_emulator") if (kind, name) in EMULATED else None
    settings, env = _settings_for(kind, name, emulator, tmp)
    built: list[Backend] = []
    try:
        with _environment(env):
            backend = registry.create_backend(kind, settings)
        built.append(backend)
        store = backend if kind == "artifacts" else registry.create_backend("artifacts", settings)
        built.append(store)
        if not known:
            _probe(kind, backend)
    except Exception as exc:  # a third-party backend may fail in any library's way
        if known:
            raise
        for b in built:
            b.close()
        pytest.skip(
            f"{kind} backend {name!r} cannot be built or reached with default settings here: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        )
    try:
        yield Built(
            name,
            backend,
            store,  # type: ignore[arg-type]
            deterministic=kind == "model" and name in DETERMINISTIC_MODELS,
            third_party=not known,
        )
    finally:
        for b in built:
            b.close()


def _fixture(kind: str) -> Any:
    @pytest.fixture(scope="module", params=backend_names(kind), name=f"{kind}_backend")
    def fixture(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
        """Each registered backend of the kind, built once per module (see Built)."""
        yield from _build(kind, request.param, request, tmp_path_factory.mktemp(f"{kind}-{request.param}"))

    return fixture


warehouse_backend = _fixture("warehouse")
artifacts_backend = _fixture("artifacts")
model_backend = _fixture("model")
orchestrator_backend = _fixture("orchestrator")


@pytest.fixture
def known_break(request: pytest.FixtureRequest) -> Any:
    """`known_break(BREAKS, backend, case)`: mark this one case of this one backend as a known
    contract break, a strict xfail (so the mark fails as soon as the backend is fixed)."""

    def mark(breaks: dict[tuple[str, str], str], backend: str, case: str) -> None:
        reason = breaks.get((backend, case))
        if reason:
            request.applymarker(pytest.mark.xfail(strict=True, reason=f"{backend}: {reason}"))

    return mark


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep each backend's tests together under xdist: an `xdist_group` per backend (honoured
    by `-n N --dist loadgroup`), and, within the slots this folder's tests already hold, the
    orchestrator tests first, backend by backend, those sharing the pipeline runs leading.
    Plain `-n N` hands out leading chunks of consecutive tests, so the tests that share one
    backend's pipeline runs then land on one worker instead of running the pipelines on both."""
    here = Path(__file__).parent
    slots = [i for i, item in enumerate(items) if Path(str(item.path)).is_relative_to(here)]
    ours = [items[i] for i in slots]
    for item in ours:
        backend = _backend_of(item)
        if backend:
            item.add_marker(pytest.mark.xdist_group(backend))
    ours.sort(key=lambda item: 0 if "orchestrator_backend" in getattr(item, "fixturenames", ()) else 1)
    for i, item in zip(slots, ours, strict=True):
        items[i] = item


def _backend_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    for kind in KINDS:
        name = callspec.params.get(f"{kind}_backend")
        if name is not None:
            return f"{kind}-{name}"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "course_data: needs the course's bundled Stack Overflow sample (deselect for a bare backend)"
    )
