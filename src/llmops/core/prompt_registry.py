"""The prompt registry: named prompts with immutable, content-hashed versions and mutable aliases.

A prompt's text may declare variables as `{name}` (`{{` and `}}` are literal braces). Its
version is the first 12 hex digits of the SHA-256 of the text, so creating the same text again
returns the existing version. Aliases (`production`, `staging`, any name) point at a version
and move. Everything lives in the workspace, written atomically:

    <workspace>/prompts/<NAME>/versions/<VERSION>.json   text, variables, message, created
    <workspace>/prompts/<NAME>/aliases.json               {"production": VERSION, ...}

A reference `prompts:/NAME`, `prompts:/NAME@VERSION` (or a unique prefix of it) or
`prompts:/NAME@ALIAS` names one version wherever llmops takes a template.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import shutil
import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import ConfigError, DataError, NotFoundError
from .workspace import atomic_write_text

SCHEME = "prompts:/"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_VERSION = re.compile(r"^[0-9a-f]{4,12}$")
LATEST = "latest"
"""`NAME@latest`: the newest version, always (so it cannot be an alias)."""


def is_reference(text: str | None) -> bool:
    """Whether a template option names a registry prompt (`prompts:/...`)."""
    return bool(text) and str(text).startswith(SCHEME)


def variables_of(text: str) -> list[str]:
    """The variables a prompt text declares, in order of first use; one line if malformed."""
    found: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise DataError(
            f"the prompt text is not a valid template ({exc})",
            fix="write variables as {name} and literal braces as {{ and }}",
        ) from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise DataError(
                f"the prompt text has a malformed variable {{{field}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}}",
                fix="write variables as {name} (letters, digits, _) and literal braces as {{ and }}",
            )
        if field not in found:
            found.append(field)
    return found


@dataclass(frozen=True)
class PromptVersion:
    """One immutable version of a registered prompt."""

    name: str
    version: str
    text: str
    variables: tuple[str, ...]
    message: str = ""
    created: str = ""

    @property
    def reference(self) -> str:
        return f"{SCHEME}{self.name}@{self.version}"

    def render(self, values: Mapping[str, Any]) -> str:
        """The text with every declared variable filled; one line naming any missing or unknown."""
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise DataError(
                f"prompt {self.name}@{self.version} needs {', '.join(missing)} but got "
                f"{', '.join(sorted(values)) or 'no values'}",
                fix=f"pass a value for every declared variable: {', '.join(self.variables)}",
            )
        unknown = [k for k in values if k not in self.variables]
        if unknown:
            raise DataError(
                f"prompt {self.name}@{self.version} does not declare {', '.join(unknown)}",
                fix=f"its variables are: {', '.join(self.variables) or 'none'}",
            )
        return self.text.format_map(dict(values))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["variables"] = list(self.variables)
        return out


def content_version(text: str) -> str:
    """The version id of a prompt text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class PromptRegistry:
    """The prompts of one workspace."""

    def __init__(self, root: str | Path):
        self.root = Path(root) / "prompts"

    # ------------------------------------------------------------ paths and checks

    def _dir(self, name: str) -> Path:
        if not _NAME.match(name or ""):
            raise DataError(
                f"invalid prompt name {name!r}",
                fix="use letters, digits, '.', '_' or '-' (up to 64 characters, starting with a letter or digit)",
            )
        return self.root / name

    def _require(self, name: str) -> Path:
        path = self._dir(name)
        if not (path / "versions").is_dir():
            known = self.names()
            raise NotFoundError(
                f"no prompt named {name!r}",
                fix=f"create it with `llmops prompts create {name} --text ...`"
                + (f"; known prompts: {', '.join(known)}" if known else ""),
            )
        return path

    def names(self) -> list[str]:
        """Every registered prompt name."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / "versions").is_dir())

    # ------------------------------------------------------------ versions

    def create(self, name: str, text: str, message: str = "") -> tuple[PromptVersion, bool]:
        """Register a text as a version of `name`; `(version, created)` where created is False
        when that exact text already was a version (its first message is kept)."""
        path = self._dir(name)
        if not text.strip():
            raise DataError("the prompt text is empty", fix="pass --text TEXT or --file FILE with the prompt")
        variables = tuple(variables_of(text))
        version = content_version(text)
        target = path / "versions" / f"{version}.json"
        if target.exists():
            return self._read(name, target), False
        pv = PromptVersion(name, version, text, variables, message, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        atomic_write_text(target, json.dumps(pv.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return pv, True

    def _read(self, name: str, path: Path) -> PromptVersion:
        d = json.loads(path.read_text(encoding="utf-8"))
        return PromptVersion(
            name, d["version"], d["text"], tuple(d.get("variables", ())), d.get("message", ""), d.get("created", "")
        )

    def versions(self, name: str) -> list[PromptVersion]:
        """Every version of a prompt, oldest first."""
        path = self._require(name) / "versions"
        found = [self._read(name, p) for p in path.glob("*.json")]
        return sorted(found, key=lambda v: (v.created, v.version))

    def aliases(self, name: str) -> dict[str, str]:
        """Alias -> version of a prompt."""
        path = self._require(name) / "aliases.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def get(self, spec: str) -> PromptVersion:
        """The version named by `NAME`, `NAME@VERSION` (or a unique prefix) or `NAME@ALIAS`
        (a `prompts:/` prefix is accepted); `NAME` alone, or `NAME@latest`, is the newest version."""
        if spec.startswith(SCHEME):
            spec = spec[len(SCHEME) :]
        name, _, which = spec.partition("@")
        versions = self.versions(name)
        if not which or which == LATEST:
            return versions[-1]
        aliases = self.aliases(name)
        if which in aliases:
            return self._version(name, versions, aliases[which])
        if _VERSION.match(which):
            matches = [v for v in versions if v.version.startswith(which)]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise DataError(f"version prefix {which!r} of prompt {name!r} is ambiguous", fix="give more digits")
        known = f"versions: {', '.join(v.version for v in versions)}" + (
            f"; aliases: {', '.join(sorted(aliases))}" if aliases else "; no aliases yet"
        )
        raise NotFoundError(
            f"prompt {name!r} has no version or alias {which!r}",
            fix=known
            if _VERSION.match(which)
            else f"point the alias at a version first: llmops prompts alias {name} {which} "
            f"{versions[-1].version} ({known})",
        )

    @staticmethod
    def _version(name: str, versions: list[PromptVersion], version: str) -> PromptVersion:
        for v in versions:
            if v.version == version:
                return v
        raise NotFoundError(f"prompt {name!r} has no version {version!r}", fix="list them: llmops prompts show NAME")

    # ------------------------------------------------------------ aliases and deletion

    def set_alias(self, name: str, alias: str, version: str) -> PromptVersion:
        """Point `alias` at a version (an existing version id or prefix, or another alias)."""
        if not _NAME.match(alias) or _VERSION.fullmatch(alias) or alias == LATEST:
            raise DataError(
                f"invalid alias {alias!r}",
                fix="use a word such as production or staging (not 'latest', nor something that looks like a version id)",
            )
        target = self.get(f"{name}@{version}")
        aliases = self.aliases(name)
        aliases[alias] = target.version
        atomic_write_text(self._dir(name) / "aliases.json", json.dumps(aliases, indent=2, sort_keys=True) + "\n")
        return target

    def delete(self, spec: str) -> str:
        """Delete a whole prompt (`NAME`), one version (`NAME@VERSION`, refused while an alias
        points at it) or an alias (`NAME@ALIAS`). Returns what was deleted."""
        name, _, which = spec.removeprefix(SCHEME).partition("@")
        path = self._require(name)
        if not which:
            shutil.rmtree(path)
            return f"prompt {name}"
        aliases = self.aliases(name)
        if which in aliases:
            del aliases[which]
            atomic_write_text(path / "aliases.json", json.dumps(aliases, indent=2, sort_keys=True) + "\n")
            return f"alias {name}@{which}"
        target = self.get(f"{name}@{which}")
        holding = sorted(a for a, v in aliases.items() if v == target.version)
        if holding:
            raise DataError(
                f"version {target.version} of prompt {name!r} is aliased as {', '.join(holding)}",
                fix=f"move or delete the alias first: llmops prompts delete {name}@{holding[0]}",
            )
        (path / "versions" / f"{target.version}.json").unlink()
        if not any((path / "versions").iterdir()):
            shutil.rmtree(path)
        return f"version {name}@{target.version}"

    def diff(self, a: str, b: str) -> str:
        """A unified diff of two versions' texts (each given as NAME[@VERSION|@ALIAS])."""
        va, vb = self.get(a), self.get(b)
        lines = difflib.unified_diff(
            va.text.splitlines(keepends=True),
            vb.text.splitlines(keepends=True),
            fromfile=va.reference,
            tofile=vb.reference,
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def registry_for(workspace_root: str | Path) -> PromptRegistry:
    """The registry of a workspace root folder."""
    return PromptRegistry(workspace_root)


def check_reference_syntax(spec: str) -> None:
    """Refuse a `prompts:/` reference without a name before anything runs."""
    if spec.startswith(SCHEME) and not spec[len(SCHEME) :].partition("@")[0]:
        raise ConfigError(f"prompt reference {spec!r} has no name", fix="write prompts:/NAME[@VERSION|@ALIAS]")
