"""The kubeflow orchestrator runs against the emulator's Kubeflow Pipelines API."""

from __future__ import annotations

