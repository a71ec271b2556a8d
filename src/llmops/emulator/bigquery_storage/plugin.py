"""Registers the emulated BigQuery Storage API through the same hook third-party plugins use."""

from __future__ import annotations

from typing import Any

from ...core.hookspecs import hookimpl


@hookimpl
def register_emulator_apis(register: Any) -> None:
    from .api import BigQueryStorageApi

    register(BigQueryStorageApi)
