"""Built-in CLI commands, added through the same `register_commands` hook plugins use."""

from __future__ import annotations

import importlib

from ..core.hookspecs import hookimpl

COMMAND_MODULES = (
    "llmops.commands.sql",
    "llmops.commands.data",
    "llmops.commands.models",
    "llmops.commands.pipeline",
    "llmops.commands.evaluate",
    "llmops.commands.autosxs",
    "llmops.commands.prompts",
    "llmops.commands.run",
    "llmops.commands.emulator",
    "llmops.commands.config",
    "llmops.commands.monitor",
    "llmops.commands.embed",
    "llmops.commands.rag",
    "llmops.commands.chat",
    "llmops.commands.conversations",
    "llmops.commands.chain",
)
"""Each module defines `add_commands(cli)`."""


@hookimpl
def register_commands(cli):
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(cli)
