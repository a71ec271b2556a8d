"""The four backend contracts, and the optional capabilities a backend may add.

Every backend, built in or third party, implements one of the four kind ABCs (`Warehouse`,
`ArtifactStore`, `ModelProvider`, `Orchestrator`) and is registered by name through a
`register_*` hook (see hookspecs.py). A kind's ABC holds only what every backend of that kind
can do; more (tuning, deployment, aliases, cancelling runs...) is a `Capability` ABC the backend
also subclasses, which commands check with `isinstance` (or `require`) and `llmops backends`
reports. A backend never carries a method whose body only says "not supported".

This module imports nothing heavy (no pyarrow, no kfp) and no other core module but `types`
and `errors`: the rest of core imports it, never the other way round.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, cast

from .errors import ConfigError
from .types import (
    Endpoint,
    ExportResult,
    GenerationConfig,
    PipelineRun,
    Prediction,
    TunedModel,
    TuningJob,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from .config import Settings


class Backend(ABC):  # noqa: B024 - abstract through its kinds; never built itself
    """Common base: a backend is built from the resolved settings of the active profile."""

    kind: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init__(self, settings: Settings):
        self.settings = settings

    def close(self) -> None:
        """Release connections; safe to call twice."""


class Warehouse(Backend):
    """Runs GoogleSQL (BigQuery dialect) and exports query results."""

    kind = "warehouse"

    @abstractmethod
    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run a query with named `@param` parameters bound, return the rows as Arrow."""

    @abstractmethod
    def export(
        self,
        sql: str,
        destination_uri: str,
        params: Mapping[str, Any] | None = None,
        format: str = "jsonl",
    ) -> ExportResult:
        """Write the query's rows to `destination_uri` (a file or a prefix) without pulling them
        through Python; return the files written and the row count."""

    @abstractmethod
    def load(self, table: str, data: pa.Table, mode: str = "append") -> int:
        """Load an Arrow table into `project.dataset.table`; mode is append or replace."""

    @abstractmethod
    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert JSON-like rows into an existing table; return the count inserted."""

    @abstractmethod
    def tables(self) -> list[str]:
        """Fully qualified names (`project.dataset.table`) of the tables visible."""


class ArtifactStore(Backend):
    """Files by URI: plain paths and file:// locally, gs:// on Google Cloud."""

    kind = "artifacts"

    @abstractmethod
    def put(self, local_path: str | Path, uri: str) -> str:
        """Upload a local file to `uri`; return the URI written."""

    @abstractmethod
    def get(self, uri: str, local_path: str | Path) -> Path:
        """Download `uri` to a local file."""

    @abstractmethod
    def open(self, uri: str, mode: str = "rb") -> IO[Any]:
        """Open `uri` for reading (or writing, where the store allows)."""

    @abstractmethod
    def list(self, prefix: str) -> list[str]:
        """URIs under `prefix`, sorted."""

    @abstractmethod
    def exists(self, uri: str) -> bool:
        """Whether an object exists at `uri`."""

    @abstractmethod
    def delete(self, uri: str) -> None:
        """Remove the object at `uri`; no error if it is already gone."""

    @abstractmethod
    def uri_for(self, *parts: str) -> str:
        """The store's URI for a path relative to its root (the workspace locally, the bucket
        prefix on Google Cloud)."""

    def copy(self, src_uri: str, dst_uri: str) -> str:
        """Copy one object within the store (streamed; stores override with a server-side copy)."""
        import shutil

        with self.open(src_uri, "rb") as src, self.open(dst_uri, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        return dst_uri

    def move(self, src_uri: str, dst_uri: str) -> str:
        """Move one object within the store (copy then delete unless the store can rename)."""
        self.copy(src_uri, dst_uri)
        self.delete(src_uri)
        return dst_uri


class ModelProvider(Backend):
    """A model that answers prompts. Tuning, deployment and aliases are capabilities a provider
    may also implement (`Tuner`, `Deployer`, `Aliaser`)."""

    kind = "model"
    tuning_format: str = "seed"
    """Training file format the provider's tuning reads: "seed" (input_text_instruct /
    output_text, the course's) or "gemini" (contents with user and model turns)."""

    @abstractmethod
    def predict(
        self,
        prompt: str,
        *,
        model: str | None = None,
        generation: GenerationConfig | None = None,
        safety: Mapping[str, str] | None = None,
    ) -> Prediction:
        """One prediction; `safety` maps harm categories to block thresholds."""

    def predict_batch(
        self,
        prompts: Iterable[str],
        *,
        model: str | None = None,
        generation: GenerationConfig | None = None,
        safety: Mapping[str, str] | None = None,
        concurrency: int = 8,
    ) -> list[Prediction]:
        """Many predictions, concurrently, in the order given."""
        from concurrent.futures import ThreadPoolExecutor

        prompts = list(prompts)

        def one(p: str) -> Prediction:
            return self.predict(p, model=model, generation=generation, safety=safety)

        if concurrency <= 1 or len(prompts) <= 1:
            return [one(p) for p in prompts]
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(one, prompts))

    def list_base_models(self) -> list[str]:
        """Names of the foundation models the provider answers with; by default the profile's
        `base_model`."""
        return [self.settings.base_model]


class Orchestrator(Backend):
    """Runs compiled Kubeflow pipeline packages (compile them with
    `llmops.core.pipeline.compile_pipeline`). Stopping a run is the `Canceller` capability."""

    kind = "orchestrator"

    @abstractmethod
    def submit(
        self,
        package_path: str | Path,
        params: Mapping[str, Any] | None = None,
        *,
        run_name: str | None = None,
        enable_caching: bool = True,
    ) -> PipelineRun:
        """Start a run of a compiled pipeline package."""

    @abstractmethod
    def get(self, run_id: str) -> PipelineRun:
        """A run by id, with task states."""

    @abstractmethod
    def wait(self, run_id: str, timeout: float | None = None) -> PipelineRun:
        """Block until the run reaches a terminal state (or `timeout` seconds pass)."""

    @abstractmethod
    def list_runs(self) -> list[PipelineRun]:
        """Known runs, newest first."""


# ---------------------------------------------------------------- capabilities


class Capability(ABC):  # noqa: B024 - a marker base; its subclasses hold the methods
    """Something a backend can do beyond its kind's interface. A backend declares it by also
    subclassing the capability (`class MyProvider(ModelProvider, Tuner)`); callers check it
    with `isinstance` or `require`."""

    capability: ClassVar[str] = ""
    """The capability's short name, as `llmops backends` reports it and errors name it."""
    fix: ClassVar[str] = ""
    """What a user can do instead, for the one-line error of a missing capability."""


class Tuner(Capability):
    """Supervised tuning of a base model, and the registry of tuned models it produces."""

    capability = "tune"
    fix = 'choose a model provider that can tune (e.g. `model = "emulator"` or `"vertex"` in the profile)'

    @abstractmethod
    def tune(
        self,
        base_model: str,
        train_uri: str,
        eval_uri: str | None = None,
        *,
        epochs: int = 1,
        display_name: str | None = None,
    ) -> TuningJob:
        """Start supervised tuning of `base_model` on a JSONL training file."""

    @abstractmethod
    def get_tuning_job(self, name: str) -> TuningJob:
        """A tuning job by name."""

    @abstractmethod
    def list_tuned_models(self) -> list[TunedModel]:
        """Registered tuned models, newest first."""


class Deployer(Capability):
    """Serving a tuned model from an endpoint."""

    capability = "deploy"
    fix = 'choose a model provider that can deploy (e.g. `model = "emulator"` or `"vertex"` in the profile)'

    @abstractmethod
    def deploy(self, tuned_model: TunedModel | str) -> Endpoint:
        """Make a tuned model answer predictions; return its endpoint."""


class Aliaser(Capability):
    """Named aliases that point at tuned models."""

    capability = "alias"
    fix = 'choose a model provider with aliases (e.g. `model = "emulator"` or `"vertex"` in the profile)'

    @abstractmethod
    def set_alias(self, model: str, alias: str) -> TunedModel:
        """Point `alias` at a tuned model, moving it from any other model."""


class Canceller(Capability):
    """Stopping a pipeline run before it ends."""

    capability = "cancel"
    fix = "stop the run where the orchestrator runs it"

    @abstractmethod
    def cancel(self, run_id: str, reason: str | None = None) -> PipelineRun:
        """Stop a running run; with a `reason` it ends FAILED, without one CANCELLED."""


class StatementResult(Protocol):
    """What `StatementRunner.query_result` returns: the rows plus what the statement did."""

    table: pa.Table
    statement_type: str
    num_dml_affected_rows: int | None
    export: dict[str, Any] | None


class StatementRunner(Capability):
    """Statement details beyond the rows: the statement type, rows a DML statement changed,
    files an `EXPORT DATA` wrote."""

    capability = "statements"

    @abstractmethod
    def query_result(self, sql: str, params: Mapping[str, Any] | Sequence[Any] | None = None) -> StatementResult:
        """Run a query or script and return its result with the statement's details."""


CAPABILITIES: tuple[type[Capability], ...] = (Tuner, Deployer, Aliaser, Canceller, StatementRunner)
"""The built-in capabilities, in the order `llmops backends` lists them."""

BASE_CAPABILITY = {"warehouse": "query", "orchestrator": "run", "model": "predict", "artifacts": "files"}
"""What every backend of a kind can do, listed first among its capabilities."""

C = TypeVar("C", bound=Capability)


class MissingCapability(ConfigError):
    """A command needs a capability the configured backend does not have."""


def capabilities(backend: Backend | type[Backend]) -> list[str]:
    """The capability names of a backend class or instance, its kind's own first."""
    cls = backend if isinstance(backend, type) else type(backend)
    names = [BASE_CAPABILITY.get(cls.kind, cls.kind)] if cls.kind else []
    names += [c.capability for c in CAPABILITIES if issubclass(cls, c)]
    names += sorted(
        c.capability
        for c in cls.__mro__
        if issubclass(c, Capability) and c not in CAPABILITIES and c.__dict__.get("capability")
    )
    return names


def require(backend: Backend, wanted: Callable[..., C], name: str | None = None) -> C:
    """`backend` as the capability `wanted` (a `Capability` subclass), or a one-line
    `MissingCapability` naming the backend and what it lacks. `name` is the backend's registered
    name (default: its settings' choice)."""
    # Typed as a callable: mypy refuses abstract classes where `type[C]` is expected.
    capability = cast("type[Capability]", wanted)
    if isinstance(backend, capability):
        return cast(C, backend)
    if name is None:
        name = getattr(backend.settings, backend.kind, None) or type(backend).__name__
    kind = "model provider" if backend.kind == "model" else f"{backend.kind} backend"
    verb = {"tune": "tune", "deploy": "deploy", "alias": "set aliases", "cancel": "cancel runs"}.get(
        capability.capability, f"do {capability.capability!r}"
    )
    raise MissingCapability(
        f"{kind} {name!r} cannot {verb} (it has no {capability.capability!r} capability)",
        fix=capability.fix or f"choose a {backend.kind} backend with it (see `llmops backends`)",
    )


BACKEND_KINDS: dict[str, type[Backend]] = {
    "warehouse": Warehouse,
    "orchestrator": Orchestrator,
    "model": ModelProvider,
    "artifacts": ArtifactStore,
}
"""Configuration key -> interface each backend of that kind implements."""
