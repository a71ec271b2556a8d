"""Default plugin: the `monitor` settings section (alert thresholds and the log to read)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.config import PluginSettings
from ..core.hookspecs import hookimpl

Rate = Field(default=None, ge=0, le=1)
Positive = Field(default=None, gt=0)


class MonitorSettings(PluginSettings):
    """`[profiles.NAME.monitor]` (LLMOPS_MONITOR_<KEY>): the thresholds `llmops monitor check`
    and `watch` use when no flag gives them, and which prediction log they read."""

    max_blocked_rate: float | None = Rate
    max_error_rate: float | None = Rate
    max_p95_ms: float | None = Positive
    max_p99_ms: float | None = Positive
    min_citation_rate: float | None = Rate
    min_grounding: float | None = Rate
    max_drift_p: float | None = Field(default=None, gt=0, lt=1)
    source: Literal["llmops", "vertex-log"] = "llmops"
    """`llmops`: the llmops prediction log; `vertex-log`: a Vertex AI request-response logging table."""
    table: str | None = None
    """The table to read (`project.dataset.table` for `vertex-log`); unset: `llmops.predictions`."""


@hookimpl
def register_settings(register):
    register("monitor", MonitorSettings)
