"""Instruction templates, versioned by content hash, registered through a hook.

A template is a prefix put before each question (the course's format:
`TEMPLATE + ' ' + question`). Its version is the first 12 hex digits of the SHA-256 of its
text, so a changed template is a new version and a new dataset version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .errors import ConfigError
from .hookspecs import hookimpl

STACKOVERFLOW_PYTHON = (
    "Please answer the following Stackoverflow question on Python. "
    "Answer it like you are a developer answering Stackoverflow questions.\n"
    "\n"
    "Stackoverflow question:\n"
)
"""The course's INSTRUCTION_TEMPLATE, byte for byte."""

DEFAULT_TEMPLATE = "stackoverflow-python"


@dataclass(frozen=True)
class PromptTemplate:
    """A named instruction prefix with a content-derived version."""

    name: str
    text: str
    description: str = ""
    separator: str = " "

    @property
    def version(self) -> str:
        digest = hashlib.sha256(f"{self.text}\x00{self.separator}".encode()).hexdigest()
        return digest[:12]

    def render(self, question: str) -> str:
        """The instruction for one question."""
        return f"{self.text}{self.separator}{question}"

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "text": self.text, "description": self.description}


@hookimpl
def register_prompt_templates(register):
    register(
        DEFAULT_TEMPLATE,
        PromptTemplate(
            DEFAULT_TEMPLATE,
            STACKOVERFLOW_PYTHON,
            "The LLMOps course's Stack Overflow Python template.",
        ),
    )


def templates() -> dict[str, PromptTemplate]:
    """Every registered template by name."""
    from .registry import _collect

    return {name: r.obj for name, r in _collect("register_prompt_templates").items()}


def get_template(name: str) -> PromptTemplate:
    """A registered template, or a one-line error listing the names that exist."""
    found = templates()
    if name not in found:
        raise ConfigError(f"unknown prompt template {name!r}", fix=f"choose one of: {', '.join(sorted(found))}")
    return found[name]
