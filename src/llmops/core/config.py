"""Configuration: embedded profiles, `llmops.toml` / `[tool.llmops]`, environment -> Settings.

Precedence, lowest first: embedded profile, file profile (after `extends`), `LLMOPS_<KEY>`
environment variables, explicit overrides (CLI flags). No file is needed: the embedded default
is the `local` profile.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

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
    },
    # The Google backends pointed at `llmops emulator start`; LLMOPS_ENDPOINT moves the port.
    "emulated": {
        "extends": "gcp",
        "project": "llmops-emulated",
        "bucket": "gs://llmops-emulated/llmops",
        "endpoint": "http://127.0.0.1:9050",
    },
}


class Settings(BaseModel):
    """The resolved configuration of one profile. Frozen; unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    profile: str = DEFAULT_PROFILE
    warehouse: str = "duckdb"
    orchestrator: str = "local"
    model: str = "emulator"
    artifacts: str = "local"
    workspace: Path = Path(".llmops")
    project: str | None = None
    location: str = "us-central1"
    bucket: str | None = None
    endpoint: str | None = None
    base_model: str = "text-bison@001"
    canned_responses: Path | None = None
    safety_threshold: Literal["BLOCK_LOW_AND_ABOVE", "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_ONLY_HIGH", "BLOCK_NONE"] = (
        "BLOCK_MEDIUM_AND_ABOVE"
    )
    log_predictions: bool = True
    component_image: str | None = None
    kubeflow_host: str | None = None

    @field_validator("workspace")
    @classmethod
    def _absolute_workspace(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready settings, e.g. to hand to a pipeline component."""
        return self.model_dump(mode="json")

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Settings:
        return cls.model_validate(data)

    def require(self, *keys: str) -> None:
        """Fail with one line if any of `keys` is unset for this profile."""
        missing = [k for k in keys if getattr(self, k) in (None, "")]
        if missing:
            k = missing[0]
            raise ConfigError(
                f"profile {self.profile!r} needs {k!r}",
                fix=f"set {k} in llmops.toml [profiles.{self.profile}] or LLMOPS_{k.upper()}",
            )


SETTING_KEYS = tuple(k for k in Settings.model_fields if k != "profile")


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


def _profiles(file_data: dict[str, Any] | None, source: str) -> dict[str, dict[str, Any]]:
    profiles = {name: dict(p) for name, p in EMBEDDED_PROFILES.items()}
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
        profiles[name] = {**profiles.get(name, {}), **body}
    return profiles


def _resolve(name: str, profiles: dict[str, dict[str, Any]], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if name not in profiles:
        raise ConfigError(f"unknown profile {name!r}", fix=f"choose one of: {', '.join(sorted(profiles))}")
    if name in seen:
        raise ConfigError(f"profile {name!r} extends itself through {' -> '.join(seen)}", fix="break the cycle")
    body = dict(profiles[name])
    parent = body.pop("extends", None)
    base = _resolve(parent, profiles, (*seen, name)) if parent else {}
    return {**base, **body}


def profile_names(start: Path | None = None) -> list[str]:
    """Every profile name available from `start` (embedded and file-defined)."""
    found = find_config_file(start)
    return sorted(_profiles(found[1] if found else None, str(found[0]) if found else "embedded"))


def load_settings(
    profile: str | None = None,
    *,
    overrides: dict[str, Any] | None = None,
    start: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Resolve the settings for `profile` (or LLMOPS_PROFILE, or the file's default, or local)."""
    env = os.environ if environ is None else environ
    found = find_config_file(start)
    file_data, source = (found[1], str(found[0])) if found else (None, "embedded defaults")
    profiles = _profiles(file_data, source)
    name = profile or env.get("LLMOPS_PROFILE") or (file_data or {}).get("default_profile") or DEFAULT_PROFILE
    values = _resolve(name, profiles)
    for key in SETTING_KEYS:
        env_value = env.get(f"LLMOPS_{key.upper()}")
        if env_value is not None and env_value != "":
            values[key] = env_value
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    unknown = sorted(set(values) - set(SETTING_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown setting {unknown[0]!r} in profile {name!r} ({source})",
            fix=f"known settings: {', '.join(SETTING_KEYS)}",
        )
    if found and "workspace" in values and found[1].get("profiles", {}).get(name, {}).get("workspace"):
        ws = Path(str(values["workspace"])).expanduser()
        if not ws.is_absolute() and "workspace" not in (overrides or {}) and not env.get("LLMOPS_WORKSPACE"):
            values["workspace"] = found[0].parent / ws  # relative to the config file, not the cwd
    try:
        return Settings(profile=name, **values)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(
            f"invalid value for {key!r} in profile {name!r}: {err['msg']}",
            fix=f"fix {key} in {source} or LLMOPS_{key.upper()}",
        ) from None
