"""The emulated Kubeflow Pipelines v2beta1 REST API; its pipeline jobs (shared with Vertex AI
`pipelineJobs`) run on kfp's local runner."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ..server.api import EmulatedApi, Emulator
from ..storage.api import StorageApi

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from .jobs import PipelineJobs


class KfpApi(EmulatedApi):
    """Kubeflow Pipelines v2beta1: experiments, pipelines (upload), runs."""

    name = "kfp"
    prefixes = ("/apis/v2beta1",)
    description = "Kubeflow Pipelines REST API v2beta1 (kfp's local runner)"

    def __init__(self, emulator: Emulator):
        super().__init__(emulator)
        self._jobs: PipelineJobs | None = None
        self._lock = threading.Lock()

    @property
    def jobs(self) -> PipelineJobs:
        """The emulator's pipeline jobs under `<data>/pipelines/`, built on first use."""
        if self._jobs is None:
            with self._lock:
                if self._jobs is None:
                    from .jobs import PipelineJobs

                    self._jobs = PipelineJobs(self.data_dir / "pipelines", self.emulator.api(StorageApi).store)
        return self._jobs

    def routes(self) -> list[BaseRoute]:
        from .routes import routes

        return routes(self)

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.close()
            self._jobs = None
