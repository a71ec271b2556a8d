"""What an emulated Google API is to the emulator: a class registered through the
`register_emulator_apis` hook, built once per emulator, that owns its store and engine and
serves its routes (LocalStack's one-package-per-service shape).

APIs reach each other through the `Emulator` they are built with (`emulator.api(StorageApi)`),
so BigQuery exports and Vertex tuning read and write the same emulated Cloud Storage.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

if TYPE_CHECKING:
    from starlette.routing import BaseRoute


@dataclass(frozen=True)
class EmulatorConfig:
    """What an emulator instance serves from and its limits."""

    data_dir: Path
    max_upload_bytes: int = 5 * 1024**3
    max_request_bytes: int = 100 * 1024**2
    default_project: str = "llmops-emulated"
    location: str = "US"
    warm_start: bool = False
    """Open the BigQuery engine (and its public tables) at startup rather than on first use."""
    bind_host: str = "127.0.0.1"
    """The address served; a `Host` header may name it or a loopback name (DNS rebinding guard)."""
    allowed_origins: tuple[str, ...] = ()
    """Browser origins (`http://localhost:3000`) allowed to call the emulator cross-origin."""
    token: str | None = None
    """When set, every request must carry `Authorization: Bearer <token>` (required off loopback)."""
    request_deadline_s: float = 120.0
    """Longest time a request other than an upload, a download or a BigQuery job may take to answer."""
    max_query_bytes: int = 1024 * 1024
    """Longest GoogleSQL text accepted (BigQuery's limit); longer answers 400 before parsing."""
    max_query_tokens: int = 100_000
    """Most tokens in one query's text; bounds translation time and memory."""
    query_timeout_s: float | None = 600.0
    """Wall-time limit of one query (a job's jobTimeoutMs may set a shorter one); None: no limit."""
    query_memory_limit: str | None = None
    """DuckDB memory_limit of the BigQuery database ("4GB"); None keeps DuckDB's 80% of RAM."""
    local_files_root: Path | None = None
    """Folder whose files a tuning template's `dataset_uri` may name by relative path (the course
    passes `./train.jsonl`); None: only `gs://` URIs."""


class EmulatedApi(ABC):
    """One emulated Google API: its routes under `prefixes`, its store and its engine."""

    name: ClassVar[str] = ""
    """Short name shown by `llmops emulator apis` (`bigquery`, `storage`...)."""
    prefixes: ClassVar[tuple[str, ...]] = ()
    """URL path prefixes the API serves; two plugins may not claim the same one."""
    description: ClassVar[str] = ""

    def __init__(self, emulator: Emulator):
        self.emulator = emulator
        self.config = emulator.config
        self.data_dir = emulator.data_dir

    @abstractmethod
    def routes(self) -> list[BaseRoute]:
        """The starlette routes of this API."""

    def start(self) -> None:
        """Called once the server is up (e.g. to warm an engine); the default does nothing."""

    def close(self) -> None:
        """Release files and connections; safe to call twice."""


A = TypeVar("A", bound=EmulatedApi)


class Emulator:
    """The APIs of one emulator instance, built on first use, sharing one data folder."""

    def __init__(self, config: EmulatorConfig, api_classes: dict[str, type[EmulatedApi]]):
        self.config = config
        self.data_dir = Path(config.data_dir).expanduser().resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.api_classes = dict(api_classes)
        self._apis: dict[type[EmulatedApi], EmulatedApi] = {}
        self._lock = threading.RLock()

    def api(self, cls: type[A]) -> A:
        """The instance of API class `cls` in this emulator (built on first use)."""
        with self._lock:
            found = self._apis.get(cls)
            if found is None:
                found = cls(self)
                self._apis[cls] = found
            assert isinstance(found, cls)
            return found

    def apis(self) -> list[EmulatedApi]:
        """Every registered API, built."""
        return [self.api(cls) for cls in self.api_classes.values()]

    def close(self) -> None:
        with self._lock:
            for api in reversed(list(self._apis.values())):
                api.close()
            self._apis.clear()
