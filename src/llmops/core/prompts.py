"""Instruction templates, versioned by content hash, registered through a hook.

A template is a prefix put before each question (the course's format:
`TEMPLATE + ' ' + question`). Its version is the first 12 hex digits of the SHA-256 of its
text, so a changed template is a new version and a new dataset version.

Wherever a template name is taken, `prompts:/NAME[@VERSION|@ALIAS]` names a version of the
prompt registry (`core/prompt_registry.py`) instead: a prompt without variables is a prefix
joined by a space, a prompt whose only variable is a final `{question}` is the text before it.
While a registry prompt is in use (`active_prompt`), logged predictions record its name and
version (`current_prompt`).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, DataError
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
    registry_version: str = ""
    """The prompt registry's version when the template is a `prompts:/` reference."""

    @property
    def version(self) -> str:
        if self.registry_version:
            return self.registry_version
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


def from_registry(reference: str, workspace_root: str | Path) -> PromptTemplate:
    """The template a `prompts:/NAME[@VERSION|@ALIAS]` reference resolves to."""
    from .prompt_registry import check_reference_syntax, registry_for

    check_reference_syntax(reference)
    pv = registry_for(workspace_root).get(reference)
    if not pv.variables:
        return PromptTemplate(f"prompts:/{pv.name}", pv.text, pv.message, " ", pv.version)
    if list(pv.variables) == ["question"] and pv.text.endswith("{question}"):
        return PromptTemplate(f"prompts:/{pv.name}", pv.render({"question": ""}), pv.message, "", pv.version)
    raise DataError(
        f"prompt {pv.reference} declares {', '.join('{' + v + '}' for v in pv.variables)}; "
        "a template can only fill a final {question}",
        fix="end the prompt with {question} (or use no variables), then create it as a new version",
    )


def get_template(name: str, workspace_root: str | Path | None = None) -> PromptTemplate:
    """A registered template or a `prompts:/` reference into the workspace's prompt registry;
    one line listing the names that exist otherwise."""
    if name.startswith("prompts:/"):
        if workspace_root is None:
            raise ConfigError(f"prompt reference {name!r} needs a workspace", fix="run it inside an llmops session")
        return from_registry(name, workspace_root)
    found = templates()
    if name not in found:
        raise ConfigError(
            f"unknown prompt template {name!r}",
            fix=f"choose one of: {', '.join(sorted(found))}, or a registry prompt as prompts:/NAME@ALIAS",
        )
    return found[name]


_ACTIVE: ContextVar[tuple[str, str] | None] = ContextVar("llmops_active_prompt", default=None)


@contextlib.contextmanager
def active_prompt(template: PromptTemplate | None) -> Iterator[None]:
    """Predictions logged inside the block record this registry prompt's name and version."""
    if template is None or not template.registry_version:
        yield
        return
    token = _ACTIVE.set((template.name.removeprefix("prompts:/"), template.registry_version))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def current_prompt() -> tuple[str | None, str | None]:
    """`(name, version)` of the registry prompt in use, or `(None, None)`."""
    return _ACTIVE.get() or (None, None)
