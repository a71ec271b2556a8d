"""Configuration: embedded profiles, `llmops.toml` / `[tool.llmops]`, environment -> Settings.

Precedence, lowest first: embedded profile, file profile (after `extends`), environment
variables, explicit overrides (CLI flags). No file is needed: the embedded default is the
`local` profile.

`Settings` holds the cross-cutting keys. A plugin declares its own keys as a section through
the `register_settings` hook (`register("gcp", GcpSettings)`, a pydantic model); a profile sets
them in a `[profiles.NAME.gcp]` table or `LLMOPS_GCP_<KEY>`, and a backend reads them back,
validated, with `settings.section(GcpSettings)`. Flat keys of older versions (`project = ...`,
`LLMOPS_PROJECT`) still work: the plugin names them (`register(..., legacy_keys={...})`), and
each is mapped to its section with a one-line note on stderr.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, overload

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError

DEFAULT_PROFILE = "local"

EMBEDDED_PROFILES: dict[str, dict[str, Any]] = {
    "local": {
        "warehouse": "duckdb",
        "orchestrator": "local",
        "model": "emulator",
        "artifacts": "local",
    },
    "gcp": {
        "warehouse": "bigquery",
        "orchestrator": "vertex",
        "model": "vertex",
        "artifacts": "gcs",
        "conversations": {"store": "agent-engine"},
    },
    # The Google backends pointed at `llmops emulator start`; LLMOPS_GCP_ENDPOINT moves the port.
    "emulated": {
        "extends": "gcp",
        "gcp": {
            "project": "llmops-emulated",
            "bucket": "gs://llmops-emulated/llmops",
            "endpoint": "http://127.0.0.1:9050",
        },
    },
}

SafetyThreshold = Literal["BLOCK_LOW_AND_ABOVE", "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_ONLY_HIGH", "BLOCK_NONE"]
M = TypeVar("M", bound=BaseModel)


class PluginSettings(BaseModel):
    """Base for a plugin's settings section: frozen, unknown keys refused. Give every field a
    default, so that a profile without the section still works."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Settings(BaseModel):
    """The resolved configuration of one profile. Frozen; unknown keys are errors.

    Only keys that the core reads, or that plugins of different kinds read, live here: the
    backend per kind (the registry), `workspace` (every local backend), `base_model` (the
    pipeline, evaluation and every model provider), `safety_threshold` (every model provider),
    `log_predictions` and `log_text` (the prediction log, whatever the model provider) and
    `component_image` (the pipeline's components, for every container orchestrator). The rest
    belongs to plugins, in `sections`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    profile: str = DEFAULT_PROFILE
    warehouse: str = "duckdb"
    orchestrator: str = "local"
    model: str = "emulator"
    artifacts: str = "local"
    workspace: Path = Path(".llmops")
    base_model: str = "text-bison@001"
    safety_threshold: SafetyThreshold = "BLOCK_MEDIUM_AND_ABOVE"
    log_predictions: bool = True
    log_text: bool = True
    """Log prompt and response text; when off, only their SHA-256 and lengths."""
    component_image: str | None = None
    sections: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Plugin sections as given (JSON values); read them with `section()`."""

    @field_validator("workspace")
    @classmethod
    def _absolute_workspace(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @model_validator(mode="before")
    @classmethod
    def _legacy_flat_keys(cls, data: Any) -> Any:
        # Settings(project=...) and JSON from older versions: move flat plugin keys to sections.
        if not isinstance(data, dict) or not set(data) - set(cls.model_fields):
            return data
        legacy = _legacy_keys(registered_sections())
        data = dict(data)
        moved = {k: data.pop(k) for k in list(data) if k in legacy}
        out = {name: dict(body) for name, body in (data.get("sections") or {}).items()}
        for key, value in moved.items():
            sec, name = legacy[key]
            _note(f"arg:{key}", f"Settings({key}=...) is deprecated; pass sections={{{sec!r}: {{{name!r}: ...}}}}")
            out.setdefault(sec, {}).setdefault(name, value)
        return {**data, "sections": out} if moved else data

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready settings, e.g. to hand to a pipeline component."""
        return self.model_dump(mode="json")

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Settings:
        """The settings `to_json_dict()` wrote."""
        return cls.model_validate(data)

    @overload
    def section(self, which: type[M]) -> M: ...
    @overload
    def section(self, which: str) -> BaseModel: ...
    def section(self, which: str | type[BaseModel]) -> BaseModel:
        """A plugin's validated settings section, by name or by its registered model."""
        found = registered_sections()
        if isinstance(which, str):
            sec = found.get(which)
            if sec is None:
                raise ConfigError(f"no settings section {which!r} is registered", fix=f"known: {_list(found)}")
        else:
            sec = next((s for s in found.values() if s.model is which), None)
            if sec is None:
                raise ConfigError(
                    f"settings model {which.__name__} is not registered",
                    fix="register it through the register_settings hook",
                )
        data = json.dumps(self.sections.get(sec.name, {}), sort_keys=True, default=str)
        return _validated_section(sec.model, sec.name, sec.plugin, data)

    def require(self, *keys: str) -> None:
        """Fail with one line if any of `keys` (a core key, or `section.key`) is unset."""
        for key in keys:
            sec, _, name = key.rpartition(".")
            value = getattr(self.section(sec), name) if sec else getattr(self, key)
            if value in (None, ""):
                table = f"[profiles.{self.profile}.{sec}]" if sec else f"[profiles.{self.profile}]"
                raise ConfigError(
                    f"profile {self.profile!r} needs {key!r}",
                    fix=f"set {name} in llmops.toml {table} or {env_var(key)}",
                )


CORE_KEYS = tuple(k for k in Settings.model_fields if k not in ("profile", "sections"))
"""The keys a profile may set directly (the rest are plugin sections)."""


@dataclass(frozen=True)
class Section:
    """A settings section registered by a plugin through `register_settings`."""

    name: str
    model: type[BaseModel]
    plugin: str
    legacy_keys: Mapping[str, str] = field(default_factory=dict)
    """Flat keys of older versions (`kubeflow_host`) -> this section's field (`host`)."""

    @property
    def keys(self) -> list[str]:
        return list(self.model.model_fields)


def env_var(key: str) -> str:
    """The environment variable for a core key or a `section.key`: `LLMOPS_GCP_ENDPOINT`."""
    return "LLMOPS_" + re.sub(r"[^A-Za-z0-9]", "_", key).upper()


_SECTION_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_memo: tuple[object, dict[str, Section]] | None = None


def registered_sections() -> dict[str, Section]:
    """Every plugin's settings section, by name; a malformed registration is a ConfigError."""
    global _memo
    from . import registry

    regs = registry.registrations("register_settings")
    if _memo is not None and _memo[0] is regs:
        return _memo[1]
    found: dict[str, Section] = {}
    env_owner = {env_var(k): "llmops core" for k in CORE_KEYS}
    for name, reg in regs.items():
        model, legacy = reg.obj, dict(reg.extra.get("legacy_keys") or {})
        where = f"plugin {reg.plugin!r} registered settings {name!r}"
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise ConfigError(f"{where} that are not a pydantic model", fix="register a pydantic BaseModel subclass")
        if not _SECTION_NAME.match(name) or name in CORE_KEYS or name in ("extends", "sections"):
            raise ConfigError(f"{where}: not a usable section name", fix="use lowercase letters, digits and _")
        required = [k for k, f in model.model_fields.items() if f.is_required()]
        if required:
            raise ConfigError(f"{where} with no default for {required[0]!r}", fix="give every field a default")
        for old, new in legacy.items():
            if new not in model.model_fields:
                raise ConfigError(f"{where}: legacy key {old!r} maps to no field {new!r}", fix="fix legacy_keys")
        for key in model.model_fields:
            var = env_var(f"{name}.{key}")
            other = env_owner.setdefault(var, reg.plugin)
            if other != reg.plugin:
                raise ConfigError(f"{where}, whose {var} is also {other}'s", fix="rename the section or the field")
        found[name] = Section(name, model, reg.plugin, legacy)
    owners: dict[str, str] = {}
    for sec in found.values():
        for old in sec.legacy_keys:
            if old in CORE_KEYS or old in owners:
                raise ConfigError(
                    f"legacy key {old!r} is claimed by {owners.get(old, 'llmops core')!r} and {sec.plugin!r}",
                    fix="drop it from one plugin's legacy_keys",
                )
            owners[old] = sec.plugin
    _memo = (regs, found)
    return found


def _legacy_keys(found: Mapping[str, Section]) -> dict[str, tuple[str, str]]:
    return {old: (s.name, new) for s in found.values() for old, new in s.legacy_keys.items()}


@lru_cache(maxsize=256)
def _validated_section(model: type[BaseModel], name: str, plugin: str, data: str) -> BaseModel:
    try:
        return model.model_validate(json.loads(data))
    except ValidationError as exc:
        key, message = _describe(exc, model, name, plugin)
        raise ConfigError(message, fix=f"fix {key} in the settings") from None


_NOTED: set[str] = set()


def _note(key: str, message: str) -> None:
    """A deprecation note on stderr, at most once per key per process (never on stdout)."""
    if key not in _NOTED:
        _NOTED.add(key)
        print(f"llmops: note: {message}", file=sys.stderr)


def _list(found: Mapping[str, Section]) -> str:
    return ", ".join(f"{s.name} ({s.plugin})" for s in found.values()) or "(none)"


def _known_keys(found: Mapping[str, Section], only: str | None = None) -> str:
    keys = [] if only else list(CORE_KEYS)
    keys += [f"{s.name}.{k} ({s.plugin})" for s in found.values() if only in (None, s.name) for k in s.keys]
    return ", ".join(keys)


_TYPE_NAMES: dict[Any, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    Path: "a path",
}


def _expected(tp: Any) -> str | None:
    """A reader's name for an annotation: `a string`, `one of 'A', 'B'`, ..."""
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (Union, types.UnionType):
        parts = [_expected(a) for a in args if a is not type(None)]
        return " or ".join(p for p in parts if p) if all(parts) else None
    if tp in _TYPE_NAMES:
        return _TYPE_NAMES[tp]
    if tp in (list, tuple, set) or origin in (list, tuple, set):
        return "a list"
    if tp is dict or origin is dict:
        return "a table"
    return None


def _describe(exc: ValidationError, model: type[BaseModel], section: str | None, plugin: str = "") -> tuple[str, str]:
    """(`key`, "invalid value for 'key' (plugin 'p'): expected ..., got ...") for a model's first error."""
    err = exc.errors()[0]
    name = str(err["loc"][0]) if err["loc"] else ""
    key = f"{section}.{name}" if section else name
    info = model.model_fields.get(name)
    expected = (_expected(info.annotation) if info else None) or err["msg"]
    got = f", got {err['input']!r}" if err.get("input") is not None and not isinstance(err["input"], dict) else ""
    owner = f" (plugin {plugin!r})" if plugin else ""
    return key, f"invalid value for {key!r}{owner}: expected {expected}{got}"


def find_config_file(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The nearest `llmops.toml`, or `pyproject.toml` with `[tool.llmops]`, from `start` upward."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in ("llmops.toml", "pyproject.toml"):
            path = folder / name
            if not path.is_file():
                continue
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path} is not valid TOML: {exc}", fix="fix the file's syntax") from exc
            if name == "pyproject.toml":
                data = data.get("tool", {}).get("llmops")
                if data is None:
                    continue
            return path, data
    return None


def default_workspace(config_file: Path | None, start: Path | None = None) -> tuple[Path, str]:
    """(`.llmops` folder, why) when no profile, variable or flag names one: next to the config
    file found upward, else at the root of the git checkout around `start`, else in the cwd."""
    if config_file is not None:
        return config_file.parent / ".llmops", f"default: next to {config_file.name} in {config_file.parent}"
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder / ".llmops", f"default: at the git root {folder}"
    return Path.cwd() / ".llmops", "default: in the current folder (no llmops.toml or git root above it)"


Sourced = dict[str, tuple[Any, str]]
"""`key` or `section.key` -> (value, where it came from)."""


def _profiles(file_data: dict[str, Any] | None, source: str) -> dict[str, list[tuple[dict[str, Any], str]]]:
    """Each profile's bodies, lowest first (embedded, then the file's), with their source."""
    profiles = {name: [(dict(p), f"embedded profile {name!r}")] for name, p in EMBEDDED_PROFILES.items()}
    if not file_data:
        return profiles
    unknown = set(file_data) - {"profiles", "default_profile"}
    if unknown:
        raise ConfigError(
            f"unknown top-level key {sorted(unknown)[0]!r} in {source}",
            fix="put settings under [profiles.NAME]; top-level keys are profiles and default_profile",
        )
    for name, body in (file_data.get("profiles") or {}).items():
        if not isinstance(body, dict):
            raise ConfigError(f"profile {name!r} in {source} is not a table", fix=f"write it as [profiles.{name}]")
        profiles.setdefault(name, []).append((body, f"{source} [profiles.{name}]"))
    return profiles


def _normalise(body: dict[str, Any], profile: str, source: str, found: Mapping[str, Section]) -> Sourced:
    """One profile body -> flat `key` / `section.key` entries; unknown keys are errors."""
    legacy = _legacy_keys(found)
    out: Sourced = {}
    for key, value in body.items():
        if key == "extends" or key in CORE_KEYS:
            out[key] = (value, source)
        elif key in found:
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{key!r} in profile {profile!r} ({source}) is a plugin section, not a value",
                    fix=f"write it as a table: [profiles.{profile}.{key}]",
                )
            for sub, v in value.items():
                if sub not in found[key].model.model_fields:
                    raise ConfigError(
                        f"unknown setting '{key}.{sub}' in profile {profile!r} ({source})",
                        fix=f"known keys of {key!r}: {_known_keys(found, key)}",
                    )
                out[f"{key}.{sub}"] = (v, source)
        elif key in legacy:
            sec, name = legacy[key]
            _note(
                f"file:{key}",
                f"{key!r} directly in profile {profile!r} is deprecated; write it as [profiles.{profile}.{sec}] {name}",
            )
            if f"{sec}.{name}" not in out:  # the section's own spelling wins
                out[f"{sec}.{name}"] = (value, source)
        elif isinstance(value, dict):
            raise ConfigError(
                f"unknown settings section {key!r} in profile {profile!r} ({source})",
                fix=f"known sections: {_list(found)}; install the plugin that declares it or remove the table",
            )
        else:
            raise ConfigError(
                f"unknown setting {key!r} in profile {profile!r} ({source})",
                fix=f"known keys: {_known_keys(found)}",
            )
    return out


def _resolve(
    name: str,
    profiles: dict[str, list[tuple[dict[str, Any], str]]],
    found: Mapping[str, Section],
    seen: tuple[str, ...] = (),
) -> Sourced:
    if name not in profiles:
        import difflib

        close = difflib.get_close_matches(name, sorted(profiles), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(f"unknown profile {name!r}", fix=f"{hint}choose one of: {', '.join(sorted(profiles))}")
    if name in seen:
        raise ConfigError(f"profile {name!r} extends itself through {' -> '.join(seen)}", fix="break the cycle")
    body: Sourced = {}
    for part, source in profiles[name]:
        body.update(_normalise(part, name, source, found))
    parent = body.pop("extends", None)
    base = _resolve(parent[0], profiles, found, (*seen, name)) if parent else {}
    return {**base, **body}  # key by key, sections included


def profile_names(start: Path | None = None) -> list[str]:
    """Every profile name available from `start` (embedded and file-defined)."""
    found = find_config_file(start)
    return sorted(_profiles(found[1] if found else None, str(found[0]) if found else "embedded"))


@dataclass(frozen=True)
class ResolvedSettings:
    """Settings plus where each value came from (what `llmops config show` prints)."""

    settings: Settings
    sources: dict[str, str]
    """Every core key and every registered `section.key` -> `default`, an embedded profile,
    `<file> [profiles.NAME]`, `env LLMOPS_...` or the override's source (e.g. `flag`)."""
    profile_source: str
    config_file: Path | None
    sections: dict[str, Section]

    def value(self, key: str) -> Any:
        """The JSON value of a core key or `section.key` (defaults included)."""
        sec, _, name = key.rpartition(".")
        if sec:
            return self.settings.section(sec).model_dump(mode="json")[name]
        return self.settings.to_json_dict()[key]


def resolve_settings(
    profile: str | None = None,
    *,
    overrides: dict[str, Any] | None = None,
    start: Path | None = None,
    environ: Mapping[str, str] | None = None,
    override_source: str = "override",
) -> ResolvedSettings:
    """Resolve the settings for `profile` (or LLMOPS_PROFILE, or the file's default, or local)
    and record the source of every value."""
    env = os.environ if environ is None else environ
    found_file = find_config_file(start)
    file_data, source = (found_file[1], str(found_file[0])) if found_file else (None, "embedded defaults")
    sections = registered_sections()
    profiles = _profiles(file_data, source)
    if profile:
        name, profile_source = profile, override_source
    elif env.get("LLMOPS_PROFILE"):
        name, profile_source = env["LLMOPS_PROFILE"], "env LLMOPS_PROFILE"
    elif file_data and file_data.get("default_profile"):
        name, profile_source = str(file_data["default_profile"]), f"{source} default_profile"
    else:
        name, profile_source = DEFAULT_PROFILE, "default"
    values = _resolve(name, profiles, sections)
    values.update(_from_env(env, sections))
    legacy = _legacy_keys(sections)
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key in legacy:
            key = ".".join(legacy[key])
        owner, _, sub = key.rpartition(".")
        if key not in CORE_KEYS and not (owner in sections and sub in sections[owner].model.model_fields):
            raise ConfigError(f"unknown setting {key!r}", fix=f"known keys: {_known_keys(sections)}")
        values[key] = (value, override_source)
    if "workspace" in values and found_file and values["workspace"][1].startswith(source + " "):
        ws = Path(str(values["workspace"][0])).expanduser()
        if not ws.is_absolute():  # relative to the config file, not the cwd
            values["workspace"] = (found_file[0].parent / ws, values["workspace"][1])
    if "workspace" not in values:
        values["workspace"] = default_workspace(found_file[0] if found_file else None, start)
    settings = _build(name, values, sections)
    sources = {k: values[k][1] if k in values else "default" for k in CORE_KEYS}
    for section in sections.values():
        for k in section.keys:
            sources[f"{section.name}.{k}"] = values.get(f"{section.name}.{k}", (None, "default"))[1]
    return ResolvedSettings(settings, sources, profile_source, found_file[0] if found_file else None, sections)


def _from_env(env: Mapping[str, str], sections: Mapping[str, Section]) -> Sourced:
    out: Sourced = {}
    for key in CORE_KEYS:
        if env.get(env_var(key)):
            out[key] = (env[env_var(key)], f"env {env_var(key)}")
    for sec in sections.values():
        for old, new in sec.legacy_keys.items():
            var, current = env_var(old), env_var(f"{sec.name}.{new}")
            if env.get(var) and var != current and not env.get(current):
                _note(f"env:{var}", f"{var} is deprecated; use {current}")
                out[f"{sec.name}.{new}"] = (env[var], f"env {var}")
        for key in sec.keys:
            var = env_var(f"{sec.name}.{key}")
            if env.get(var):
                out[f"{sec.name}.{key}"] = (env[var], f"env {var}")
    return out


def _fix_for(key: str, where: str, profile: str) -> str:
    if where.startswith("env "):
        return f"fix {where[4:]}"
    sec, _, name = key.rpartition(".")
    table = f"[profiles.{profile}.{sec}]" if sec else f"[profiles.{profile}]"
    file = f" of {where.split(' [profiles.')[0]}" if " [profiles." in where else ""
    return f"fix {name} in {table}{file}, or set {env_var(key)}"


def _build(profile: str, values: Sourced, sections: Mapping[str, Section]) -> Settings:
    core = {k: v for k, (v, _) in values.items() if "." not in k}
    raw: dict[str, dict[str, Any]] = {}
    for key, (value, _) in values.items():
        if "." in key:
            owner, sub = key.split(".", 1)
            raw.setdefault(owner, {})[sub] = value
    checked: dict[str, dict[str, Any]] = {}
    for sec_name, body in raw.items():
        sec = sections[sec_name]
        try:
            checked[sec_name] = sec.model.model_validate(body).model_dump(mode="json", exclude_unset=True)
        except ValidationError as exc:
            key, message = _describe(exc, sec.model, sec_name, sec.plugin)
            where = values.get(key, (None, "the settings"))[1]
            raise ConfigError(f"{message} in profile {profile!r}", fix=_fix_for(key, where, profile)) from None
    try:
        return Settings(profile=profile, **core, sections=checked)
    except ValidationError as exc:
        key, message = _describe(exc, Settings, None)
        where = values.get(key, (None, "the settings"))[1]
        raise ConfigError(f"{message} in profile {profile!r}", fix=_fix_for(key, where, profile)) from None


def load_settings(
    profile: str | None = None,
    *,
    overrides: dict[str, Any] | None = None,
    start: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve the settings for `profile` (or LLMOPS_PROFILE, or the file's default, or local)."""
    return resolve_settings(profile, overrides=overrides, start=start, environ=environ).settings
