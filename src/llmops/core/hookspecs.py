"""Hook specifications. Every hook is handed a callback; plugins only call it, the core owns
the data structures (the style of simonw/llm). Built-in backends use these same hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("llmops")
hookimpl = pluggy.HookimplMarker("llmops")

Register = Callable[..., None]


@hookspec
def register_warehouses(register: Register) -> None:
    """Register warehouse backends: `register("duckdb", DuckDBWarehouse)`."""


@hookspec
def register_orchestrators(register: Register) -> None:
    """Register pipeline orchestrator backends: `register("local", LocalOrchestrator)`."""


@hookspec
def register_model_providers(register: Register) -> None:
    """Register model provider backends: `register("emulator", EmulatorModelProvider)`."""


@hookspec
def register_artifact_stores(register: Register) -> None:
    """Register artifact store backends: `register("local", LocalArtifactStore)`."""


@hookspec
def register_prompt_templates(register: Register) -> None:
    """Register instruction templates: `register("stackoverflow-python", text, description=...)`."""


@hookspec
def register_emulator_apis(register: Register) -> None:
    """Register emulated Google APIs: `register(BigQueryApi)`, an `EmulatedApi` subclass."""


@hookspec
def register_settings(register: Register) -> None:
    """Register a settings section: `register("gcp", GcpSettings)`, a pydantic model with defaults."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add sub-commands to the typer app `cli` (`cli.command()(fn)` or `cli.add_typer(...)`)."""


@hookspec
def register_chains(register: Register) -> None:
    """Register chains: `register(Chain("so-answer", [steps...]))`, or `register(name, [steps...])`."""


@hookspec
def register_conversation_stores(register: Register) -> None:
    """Register conversation stores: `register("local", LocalConversationStore)`, a `ConversationStore` subclass."""
