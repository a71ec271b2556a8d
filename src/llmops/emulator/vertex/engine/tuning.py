"""Emulated supervised tuning: a job reads the training JSONL, builds a retrieval model over its
examples (BM25 over the questions, answering with the nearest training answer), registers it
and deploys it to an endpoint.

Job states follow Vertex: JOB_STATE_PENDING -> JOB_STATE_RUNNING -> JOB_STATE_SUCCEEDED or
JOB_STATE_FAILED. The training file is validated before any record is written, so a bad file
(empty, not JSONL, missing fields: the error names the line) registers nothing. `epochs` and
other hyper-parameters are recorded but do not change a retrieval model.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlparse

from ....core.errors import DataError, LlmopsError, NotFoundError
from ....core.types import TuningJob
from ....core.workspace import atomic_dir
from .base_model import PALM_MODELS, canonical_base
from .model_registry import ModelRegistry, now_rfc3339
from .retrieval import RetrievalIndex
from .training_data import Example, read_examples, read_pairs

MODEL_KIND = "bm25-retrieval"


def local_path(uri: str) -> Path:
    """A local file from a plain path or a `file://` URI; other schemes are refused."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:  # one letter: a Windows drive
        raise DataError(
            f"the emulator reads training files from local paths, not {parsed.scheme}:// ({uri})",
            fix="pass a local path or file:// URI (the emulator server maps gs:// to its storage)",
        )
    return Path(uri)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class TuningService:
    """Creates and runs tuning jobs against a ModelRegistry."""

    def __init__(self, registry: ModelRegistry):
        self.registry = registry

    def tune(
        self,
        base_model: str,
        train_uri: str,
        eval_uri: str | None = None,
        *,
        epochs: int = 1,
        display_name: str | None = None,
    ) -> TuningJob:
        """Validate, tune, register and deploy, in one call; the job's final state is returned."""
        job, examples = self._create(base_model, train_uri, eval_uri, epochs=epochs, display_name=display_name)
        return self._run(job, examples)

    def create_job(
        self,
        base_model: str,
        train_uri: str,
        eval_uri: str | None = None,
        *,
        epochs: int = 1,
        display_name: str | None = None,
    ) -> TuningJob:
        """Validate the files and record a PENDING job (for servers that run it later)."""
        return self._create(base_model, train_uri, eval_uri, epochs=epochs, display_name=display_name)[0]

    def run_job(self, name: str) -> TuningJob:
        """Run a PENDING job created by `create_job`."""
        job = self.registry.get_job(name)
        if job.state != "JOB_STATE_PENDING":
            return job
        try:
            examples = read_examples(local_path(job.train_uri))
        except LlmopsError as exc:
            return self._fail(job, str(exc))
        return self._run(job, examples)

    def _create(
        self,
        base_model: str,
        train_uri: str,
        eval_uri: str | None,
        *,
        epochs: int,
        display_name: str | None,
    ) -> tuple[TuningJob, list[Example]]:
        base = canonical_base(base_model)
        if base is None:
            raise NotFoundError(
                f"unknown base model {base_model!r}",
                fix=f"tune a base model such as {PALM_MODELS[0]} or gemini-2.5-flash",
            )
        if not isinstance(epochs, int) or epochs < 1:
            raise DataError(f"epochs must be a positive integer, got {epochs!r}", fix="pass epochs >= 1")
        train = local_path(train_uri)
        examples = read_examples(train)
        eval_rows = len(read_pairs(local_path(eval_uri))) if eval_uri else None
        ident = self.registry.new_id()
        stamp = now_rfc3339()
        job = TuningJob(
            name=f"tuningJobs/{ident}",
            state="JOB_STATE_PENDING",
            base_model=base,
            train_uri=str(train_uri),
            eval_uri=str(eval_uri) if eval_uri else None,
            display_name=display_name or f"{base} tuned on {train.name}",
            created=stamp,
            updated=stamp,
        )
        self.registry.save_job(job, {"epochs": epochs, "train_rows": len(examples), "eval_rows": eval_rows})
        return job, examples

    def _extra(self, job: TuningJob) -> dict:
        record = self.registry.job_record(job.name)
        return {k: record[k] for k in ("epochs", "train_rows", "eval_rows", "seconds") if k in record}

    def _fail(self, job: TuningJob, error: str) -> TuningJob:
        failed = replace(job, state="JOB_STATE_FAILED", error=error, updated=now_rfc3339())
        self.registry.save_job(failed, self._extra(job))
        return failed

    def _run(self, job: TuningJob, examples: list[Example]) -> TuningJob:
        started = time.perf_counter()
        extra = self._extra(job)
        running = replace(job, state="JOB_STATE_RUNNING", updated=now_rfc3339())
        self.registry.save_job(running, extra)
        try:
            ident = self.registry.new_id()
            name = f"models/{ident}"
            train = local_path(job.train_uri)
            with atomic_dir(self.registry.tuned_dir / ident) as folder:
                RetrievalIndex.build(examples, folder)
                record = {
                    "name": name,
                    "kind": MODEL_KIND,
                    "base_model": job.base_model,
                    "display_name": job.display_name,
                    "job": job.name,
                    "train_uri": job.train_uri,
                    "train_sha256": _sha256(train) if train.is_file() else None,
                    "train_rows": len(examples),
                    "cited_sources": sum(1 for e in examples if e.uri),
                    "created": now_rfc3339(),
                }
                (folder / "model.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
            self.registry.deploy(name)
        except Exception as exc:  # the job records any failure; the caller still sees it
            self._fail(running, str(exc))
            raise
        extra["seconds"] = round(time.perf_counter() - started, 3)
        done = replace(
            running, state="JOB_STATE_SUCCEEDED", tuned_model=self.registry.get_model(name), updated=now_rfc3339()
        )
        self.registry.save_job(done, extra)
        return done
