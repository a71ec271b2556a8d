"""Errors a user can cause, each rendered as one line that names the problem and the fix."""

from __future__ import annotations


class LlmopsError(Exception):
    """An expected, user-facing failure: the CLI prints its message on one line and exits 1."""

    exit_code = 1

    def __init__(self, message: str, *, fix: str | None = None):
        self.problem = message
        self.fix = fix
        super().__init__(f"{message} ({fix})" if fix else message)


class ConfigError(LlmopsError):
    """Bad configuration: unknown profile, backend name or key, or an invalid value."""


class NotFoundError(LlmopsError):
    """A named thing (dataset version, model, run, file) does not exist."""


class QueryError(LlmopsError):
    """A SQL statement is invalid, untranslatable or failed in the warehouse."""


class DataError(LlmopsError):
    """Input data is empty, malformed or lacks required fields."""
