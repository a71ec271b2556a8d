"""The four backend contracts. Every backend, built in or third party, implements one of these
ABCs and is registered by name through a `register_*` hook (see hookspecs.py)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

import pyarrow as pa

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
    from .config import Settings


class Backend(ABC):
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
    """Foundation and tuned models: predictions, tuning, registry and deployment."""

    kind = "model"
    tuning_format: ClassVar[str] = "seed"
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

    def tune(  # type: ignore[empty-body]  # temporary: capability ABCs replace these
        self,
        base_model: str,
        train_uri: str,
        eval_uri: str | None = None,
        *,
        epochs: int = 1,
        display_name: str | None = None,
    ) -> TuningJob:
        """Start supervised tuning of `base_model` on a JSONL training file."""

    def get_tuning_job(self, name: str) -> TuningJob:  # type: ignore[empty-body]
        """A tuning job by name."""

    def list_tuned_models(self) -> list[TunedModel]:  # type: ignore[empty-body]
        """Registered tuned models, newest first."""

    def deploy(self, tuned_model: TunedModel | str) -> Endpoint:  # type: ignore[empty-body]
        """Make a tuned model answer predictions; return its endpoint."""

    def set_alias(self, model: str, alias: str) -> TunedModel:  # type: ignore[empty-body]
        """Point `alias` at a tuned model, moving it from any other model."""


class Orchestrator(Backend):
    """Compiles and runs Kubeflow pipelines."""

    kind = "orchestrator"

    def compile(self, pipeline_func: Callable[..., Any], package_path: str | Path) -> Path:
        """Check a kfp pipeline function for the common mistakes, then compile it to a YAML
        package with kfp's compiler (written atomically)."""
        from .pipeline import compile_pipeline

        return compile_pipeline(pipeline_func, package_path)

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

    def list_runs(self) -> list[PipelineRun]:
        """Known runs, newest first."""
        return []


BACKEND_KINDS: dict[str, type[Backend]] = {
    "warehouse": Warehouse,
    "orchestrator": Orchestrator,
    "model": ModelProvider,
    "artifacts": ArtifactStore,
}
"""Configuration key -> interface each backend of that kind implements."""
