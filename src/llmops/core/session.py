"""A Session: resolved settings plus the backends they name, built on first use."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from . import registry
from .config import Settings, load_settings
from .interfaces import ArtifactStore, ModelProvider, Orchestrator, Warehouse
from .workspace import Workspace


class Session:
    """The entry point of the Python API: `with llmops.Session() as s: s.warehouse.query(...)`."""

    def __init__(self, settings: Settings | None = None, **overrides: Any):
        if settings is None:
            settings = load_settings(overrides.pop("profile", None), overrides=overrides)
        elif overrides:
            settings = settings.model_copy(update=overrides)
        self.settings = settings
        self._built: list[Any] = []

    @cached_property
    def workspace(self) -> Workspace:
        return Workspace(self.settings.workspace).ensure()

    def _build(self, kind: str) -> Any:
        self.workspace  # noqa: B018 - fail early, with one line, on an unwritable workspace
        backend = registry.create_backend(kind, self.settings)
        self._built.append(backend)
        return backend

    @cached_property
    def warehouse(self) -> Warehouse:
        return self._build("warehouse")

    @cached_property
    def orchestrator(self) -> Orchestrator:
        return self._build("orchestrator")

    @cached_property
    def model(self) -> ModelProvider:
        return self._build("model")

    @cached_property
    def artifacts(self) -> ArtifactStore:
        return self._build("artifacts")

    def close(self) -> None:
        for backend in reversed(self._built):
            backend.close()
        self._built.clear()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
