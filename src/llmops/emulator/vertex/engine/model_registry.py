"""Records of the emulated model service: tuning jobs, tuned models, aliases and endpoints, as
JSON files under one folder (the workspace's `models/`, or the emulator server's data folder).

Layout:

```
jobs/<id>.json           a tuning job (state, base model, files, tuned model, error)
tuned/<id>/model.json    a tuned model; the folder also holds its retrieval index
endpoints/<id>.json      an endpoint and the tuned model it serves
aliases.json             alias -> tuned model name
.lock                    serialises read-modify-write of aliases and endpoints
```

Every file is written to a temporary name and renamed into place; a tuned model's folder
appears only when complete. Names are Vertex's relative resource names with numeric ids:
`tuningJobs/<id>`, `models/<id>`, `endpoints/<id>` (a server prefixes
`projects/<p>/locations/<l>/`).

A model reference resolves, in this order: a base model name (`text-bison@001`, Gemini names,
`publishers/google/models/...`), a tuned model (`models/<id>`, `<id>`, optionally
`projects/.../` and `@version`), an endpoint (`endpoints/<id>`), an alias, and last a tuned
model's display name when exactly one model has it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ....core.errors import ConfigError, NotFoundError
from ....core.types import Endpoint, TunedModel, TuningJob
from ....core.workspace import atomic_write_text
from .base_model import GEMINI_MODELS, PALM_MODELS, canonical_base

ALIAS_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_RESOURCE_PREFIX = re.compile(r"^projects/[^/]+/locations/[^/]+/")
_ID = re.compile(r"^\d{1,20}$")


def now_rfc3339() -> str:
    """The current UTC time as Vertex writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Target:
    """What a model reference resolved to: a base model name, or a tuned model (and the
    endpoint, when the reference named one)."""

    kind: str  # "base" | "tuned"
    name: str
    endpoint: str | None = None


class ModelRegistry:
    """Tuning jobs, tuned models, aliases and endpoints stored under `root`."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    # --- paths -------------------------------------------------------------------------------
    @property
    def jobs_dir(self) -> Path:
        return self.root / "jobs"

    @property
    def tuned_dir(self) -> Path:
        return self.root / "tuned"

    @property
    def endpoints_dir(self) -> Path:
        return self.root / "endpoints"

    @property
    def aliases_path(self) -> Path:
        return self.root / "aliases.json"

    def model_dir(self, name: str) -> Path:
        return self.tuned_dir / _id_of(name, "models")

    def new_id(self) -> str:
        """A fresh numeric id, unused by any job, model or endpoint here."""
        while True:
            ident = str(10**9 + secrets.randbelow(9 * 10**9))
            if not any(
                (d / ident).exists() or (d / f"{ident}.json").exists()
                for d in (self.jobs_dir, self.tuned_dir, self.endpoints_dir)
            ):
                return ident

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the registry's lock (across processes) for a read-modify-write."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- jobs ----------------------------------------------------------------------------------
    def save_job(self, job: TuningJob, extra: dict[str, Any] | None = None) -> None:
        data = job.to_dict() | (extra or {})
        atomic_write_text(self.jobs_dir / f"{_id_of(job.name, 'tuningJobs')}.json", json.dumps(data, indent=2))

    def job_record(self, name: str) -> dict[str, Any]:
        path = self.jobs_dir / f"{_id_of(_strip_prefix(name), 'tuningJobs')}.json"
        if not path.is_file():
            raise NotFoundError(f"tuning job {name!r} does not exist", fix="list jobs with `llmops models list --json`")
        return json.loads(path.read_text(encoding="utf-8"))

    def get_job(self, name: str) -> TuningJob:
        data = self.job_record(name)
        tuned = data.get("tuned_model")
        return TuningJob(
            name=data["name"],
            state=data["state"],
            base_model=data["base_model"],
            train_uri=data["train_uri"],
            eval_uri=data.get("eval_uri"),
            display_name=data.get("display_name"),
            tuned_model=self.get_model(tuned["name"])
            if tuned and (self.model_dir(tuned["name"]) / "model.json").is_file()
            else None,
            error=data.get("error"),
            created=data.get("created"),
            updated=data.get("updated"),
        )

    def list_jobs(self) -> list[TuningJob]:
        """Every tuning job, newest first."""
        if not self.jobs_dir.is_dir():
            return []
        jobs = [self.get_job(f"tuningJobs/{p.stem}") for p in self.jobs_dir.glob("*.json")]
        return sorted(jobs, key=lambda j: (j.created or "", j.name), reverse=True)

    # --- tuned models ------------------------------------------------------------------------
    def model_record(self, name: str) -> dict[str, Any]:
        path = self.model_dir(name) / "model.json"
        if not path.is_file():
            raise NotFoundError(f"tuned model {name!r} does not exist", fix="see `llmops models list`")
        return json.loads(path.read_text(encoding="utf-8"))

    def get_model(self, name: str) -> TunedModel:
        data = self.model_record(name)
        aliases = sorted(a for a, m in self.aliases().items() if m == data["name"])
        endpoint = next((e.name for e in self.list_endpoints() if e.model == data["name"]), None)
        return TunedModel(
            name=data["name"],
            base_model=data["base_model"],
            display_name=data["display_name"],
            job=data["job"],
            aliases=aliases,
            endpoint=endpoint,
            train_uri=data.get("train_uri"),
            created=data.get("created"),
        )

    def list_models(self) -> list[TunedModel]:
        """Registered tuned models, newest first."""
        if not self.tuned_dir.is_dir():
            return []
        aliases = self.aliases()
        endpoints = self.list_endpoints()
        out = []
        for path in self.tuned_dir.glob("*/model.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            out.append(
                TunedModel(
                    name=data["name"],
                    base_model=data["base_model"],
                    display_name=data["display_name"],
                    job=data["job"],
                    aliases=sorted(a for a, m in aliases.items() if m == data["name"]),
                    endpoint=next((e.name for e in endpoints if e.model == data["name"]), None),
                    train_uri=data.get("train_uri"),
                    created=data.get("created"),
                )
            )
        return sorted(out, key=lambda m: (m.created or "", m.name), reverse=True)

    # --- aliases -----------------------------------------------------------------------------
    def aliases(self) -> dict[str, str]:
        try:
            return json.loads(self.aliases_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def set_alias(self, model: str, alias: str) -> TunedModel:
        """Point `alias` at a tuned model, moving it from any other model."""
        if not ALIAS_PATTERN.match(alias) or _ID.match(alias):
            raise ConfigError(
                f"alias {alias!r} is not a valid alias",
                fix="use lower-case letters, digits, '-' and '_', starting with a letter (at most 63 characters)",
            )
        if canonical_base(alias):
            raise ConfigError(f"alias {alias!r} is a base model name", fix="choose an alias that names no base model")
        target = self.resolve(model)
        if target.kind != "tuned":
            raise ConfigError(
                f"{model!r} is a base model; aliases name tuned models",
                fix="give a tuned model from `llmops models list`",
            )
        with self.locked():
            aliases = self.aliases()
            aliases[alias] = target.name
            atomic_write_text(self.aliases_path, json.dumps(dict(sorted(aliases.items())), indent=2))
        return self.get_model(target.name)

    def remove_alias(self, alias: str) -> None:
        """Drop `alias` (from whichever model has it)."""
        with self.locked():
            aliases = self.aliases()
            if aliases.pop(alias, None) is not None:
                atomic_write_text(self.aliases_path, json.dumps(dict(sorted(aliases.items())), indent=2))

    def update_model(self, name: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Set `display_name`, `description` and/or `labels` (the user's labels) of a tuned
        model's record; the updated record."""
        target = self.resolve(name)
        if target.kind != "tuned":
            raise ConfigError(f"{name!r} is a base model; only tuned models are updated", fix="give a tuned model")
        path = self.model_dir(target.name) / "model.json"
        with self.locked():
            record = json.loads(path.read_text(encoding="utf-8"))
            record.update({k: v for k, v in changes.items() if k in ("display_name", "description", "labels")})
            record["updated"] = now_rfc3339()
            atomic_write_text(path, json.dumps(record, indent=2))
        return record

    def delete_model(self, name: str) -> None:
        """Remove a tuned model (its record, weights and aliases); its tuning job stays, with no
        tuned model. The caller checks that no endpoint serves it."""
        target = self.resolve(name)
        if target.kind != "tuned":
            raise ConfigError(f"{name!r} is a base model; only tuned models are deleted", fix="give a tuned model")
        with self.locked():
            aliases = {a: m for a, m in self.aliases().items() if m != target.name}
            atomic_write_text(self.aliases_path, json.dumps(dict(sorted(aliases.items())), indent=2))
            shutil.rmtree(self.model_dir(target.name))

    # --- endpoints ---------------------------------------------------------------------------
    def bind_endpoint(self, ident: str, model: str | None) -> None:
        """Make `endpoints/<ident>` serve tuned model `model` (None: serve nothing)."""
        path = self.endpoints_dir / f"{_id_of(ident, 'endpoints')}.json"
        with self.locked():
            if model is None:
                path.unlink(missing_ok=True)
                return
            data = {
                "name": f"endpoints/{ident}",
                "model": self.resolve(model).name,
                "uri": None,
                "created": now_rfc3339(),
            }
            atomic_write_text(path, json.dumps(data, indent=2))

    def list_endpoints(self) -> list[Endpoint]:
        if not self.endpoints_dir.is_dir():
            return []
        out = []
        for path in sorted(self.endpoints_dir.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            out.append(Endpoint(name=data["name"], model=data["model"], uri=data.get("uri")))
        return out

    def get_endpoint(self, name: str) -> Endpoint:
        path = self.endpoints_dir / f"{_id_of(_strip_prefix(name), 'endpoints')}.json"
        if not path.is_file():
            raise NotFoundError(f"endpoint {name!r} does not exist", fix="deploy a tuned model first")
        data = json.loads(path.read_text(encoding="utf-8"))
        return Endpoint(name=data["name"], model=data["model"], uri=data.get("uri"))

    def deploy(self, model: TunedModel | str) -> Endpoint:
        """The endpoint serving a tuned model, created on first deployment."""
        name = model.name if isinstance(model, TunedModel) else model
        target = self.resolve(name)
        if target.kind != "tuned":
            raise ConfigError(f"{name!r} is a base model; only tuned models are deployed", fix="deploy a tuned model")
        with self.locked():
            existing = next((e for e in self.list_endpoints() if e.model == target.name), None)
            if existing:
                return existing
            ident = self.new_id()
            data = {"name": f"endpoints/{ident}", "model": target.name, "uri": None, "created": now_rfc3339()}
            atomic_write_text(self.endpoints_dir / f"{ident}.json", json.dumps(data, indent=2))
        return Endpoint(name=str(data["name"]), model=target.name)

    # --- resolution ----------------------------------------------------------------------------
    def resolve(self, reference: str) -> Target:
        """What a model reference names (see the module docstring), or a NotFoundError."""
        ref = reference.strip()
        base = canonical_base(ref)
        if base:
            return Target("base", base)
        short = _strip_prefix(ref)
        if short.startswith("models/") or _ID.match(short.split("@", 1)[0]):
            ident = short.removeprefix("models/").split("@", 1)[0]
            if _ID.match(ident) and (self.tuned_dir / ident / "model.json").is_file():
                return Target("tuned", f"models/{ident}")
        if short.startswith("endpoints/"):
            try:
                endpoint = self.get_endpoint(short)
            except NotFoundError:
                pass
            else:
                return Target("tuned", endpoint.model, endpoint.name)
        aliases = self.aliases()
        if ref in aliases and (self.model_dir(aliases[ref]) / "model.json").is_file():
            return Target("tuned", aliases[ref])
        if self.tuned_dir.is_dir():
            named = [m.name for m in self.list_models() if m.display_name == ref]
            if len(named) == 1:
                return Target("tuned", named[0])
            if len(named) > 1:
                raise ConfigError(
                    f"display name {ref!r} names {len(named)} tuned models",
                    fix=f"use a model name ({', '.join(named[:3])}) or set an alias",
                )
        raise NotFoundError(
            f"unknown model {reference!r}",
            fix=f"use a base model ({', '.join((*PALM_MODELS[:1], *GEMINI_MODELS[:2]))}, ...), "
            "a tuned model, alias or endpoint from `llmops models list`",
        )


def _strip_prefix(name: str) -> str:
    return _RESOURCE_PREFIX.sub("", name.strip())


def _id_of(name: str, collection: str) -> str:
    """The numeric id of `collection/<id>` (or a bare id); anything else cannot name a file."""
    ident = name.removeprefix(f"{collection}/")
    if not _ID.match(ident):
        raise NotFoundError(f"{collection[:-1]} {name!r} does not exist", fix=f"names look like {collection}/<number>")
    return ident
