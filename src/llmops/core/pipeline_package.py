"""Compiled KFP pipeline packages, backend-neutral: reading one, the tasks it may run, and
checking and converting run parameters against its declared inputs, so that every orchestrator
fails the same way, in one line, before anything runs.

A pipeline input named `settings` of type dict that the caller leaves out receives the
session's settings (`settings_parameter`): that is how llmops' own components learn the
backends to use, and why the same compiled YAML runs on any orchestrator.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError, DataError, NotFoundError

SETTINGS_PARAMETER = "settings"

_TYPE_NAMES = {
    "STRING": "string",
    "NUMBER_INTEGER": "integer",
    "NUMBER_DOUBLE": "number",
    "BOOLEAN": "boolean",
    "LIST": "list",
    "STRUCT": "dict",
    "TASK_FINAL_STATUS": "task status",
}


def settings_parameter(settings: Any) -> dict[str, Any]:
    """Settings as a pipeline parameter: JSON-ready, unset keys left out (kfp cannot pass
    nulls inside a dict; `Settings.from_json_dict` restores them as defaults)."""
    return {k: v for k, v in settings.to_json_dict().items() if v is not None}


@dataclass(frozen=True)
class Submission:
    """A run about to start: the package, its PipelineSpec, the checked and converted
    parameters, and the pipeline's name."""

    package: Path
    spec: dict[str, Any]
    parameters: dict[str, Any]
    pipeline_name: str


def prepare_submission(package_path: str | Path, params: Mapping[str, Any] | None, settings: Any) -> Submission:
    """The opening every orchestrator's `submit` shares: load the package, check and bind
    `params`, and fill a `settings` input the caller left out from `settings` (a `Settings`, its
    `settings_parameter` dict, or None for no filling)."""
    package = Path(package_path).expanduser().resolve()
    spec = load_package(package)
    if settings is not None and not isinstance(settings, dict):
        settings = settings_parameter(settings)
    bound = bind_parameters(spec, params, settings)
    name = (spec.get("pipelineInfo") or {}).get("name") or package.stem
    return Submission(package, spec, bound, name)


def load_package(path: str | Path) -> dict[str, Any]:
    """The PipelineSpec of a compiled KFP package, or a one-line error saying it is not one."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise NotFoundError(
            f"pipeline package {str(path)!r} does not exist", fix="compile one with `llmops pipeline compile`"
        )
    fix = "pass a YAML file written by kfp's compiler (compiler.Compiler().compile(pipeline, 'pipeline.yaml'))"
    try:
        # libyaml's loader where PyYAML has it: the pure-Python one was a quarter of a cached run
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        docs = [d for d in yaml.load_all(path.read_text(encoding="utf-8"), Loader=loader) if d is not None]
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError(
            f"{path} is not a KFP pipeline package: not valid YAML ({str(exc).splitlines()[0]})", fix=fix
        ) from None
    spec = docs[0] if docs else None
    if not isinstance(spec, dict) or not {"pipelineInfo", "root", "schemaVersion"} <= set(spec):
        raise DataError(f"{path} is not a KFP pipeline package (no pipelineInfo/root/schemaVersion)", fix=fix)
    return spec


def bind_parameters(
    spec: dict[str, Any], params: Mapping[str, Any] | None, settings: dict[str, Any] | None
) -> dict[str, Any]:
    """Check `params` against the pipeline's inputs and convert them to the declared types;
    fill `settings` when the pipeline takes it and the caller did not pass it."""
    name = (spec.get("pipelineInfo") or {}).get("name", "pipeline")
    inputs = (spec.get("root") or {}).get("inputDefinitions") or {}
    declared: dict[str, dict[str, Any]] = inputs.get("parameters") or {}
    artifacts: dict[str, Any] = inputs.get("artifacts") or {}
    params = dict(params or {})

    def listing() -> str:
        if not declared:
            return f"pipeline {name!r} takes no parameters"
        return "its parameters are: " + ", ".join(
            f"{p} ({_TYPE_NAMES.get(d.get('parameterType', ''), d.get('parameterType', '?'))}"
            f"{'' if _required(d) else ', optional'})"
            for p, d in declared.items()
        )

    for key in params:
        if key not in declared:
            if key in artifacts:
                raise ConfigError(
                    f"pipeline {name!r} input {key!r} is an artifact, not a parameter",
                    fix="pass artifacts from a task inside a pipeline; the command line passes parameters only",
                )
            close = difflib.get_close_matches(key, list(declared), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(f"pipeline {name!r} has no parameter {key!r}", fix=hint + listing())
    bound: dict[str, Any] = {}
    for key, decl in declared.items():
        ptype = decl.get("parameterType", "STRING")
        if key not in params:
            if key == SETTINGS_PARAMETER and ptype == "STRUCT" and settings is not None:
                bound[key] = settings
            elif _required(decl):
                raise ConfigError(
                    f"pipeline {name!r} needs parameter {key!r} ({_TYPE_NAMES.get(ptype, ptype)})",
                    fix=f"pass --param {key}=VALUE; {listing()}",
                )
            continue
        bound[key] = _coerce(name, key, ptype, params[key])
    for key, decl in artifacts.items():
        if not decl.get("isOptional"):
            raise ConfigError(
                f"pipeline {name!r} needs artifact input {key!r}, which a run cannot be given",
                fix="run a pipeline whose inputs are parameters, or wrap this one in a pipeline that produces the artifact",
            )
    return bound


def _required(decl: dict[str, Any]) -> bool:
    return not decl.get("isOptional") and "defaultValue" not in decl


def _coerce(pipeline: str, key: str, ptype: str, value: Any) -> Any:
    """Values from the command line arrive JSON-decoded where they parse; make them the type
    the pipeline declares, or fail naming the parameter."""
    expected = _TYPE_NAMES.get(ptype, ptype)

    def bad() -> ConfigError:
        return ConfigError(
            f"pipeline {pipeline!r} parameter {key!r} expects {expected}, got {value!r}",
            fix=f"pass --param {key}=<{expected}>",
        )

    if ptype == "STRING":
        return value if isinstance(value, str) else json.dumps(value)
    if ptype == "NUMBER_INTEGER":
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise bad() from None
        raise bad()
    if ptype == "NUMBER_DOUBLE":
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                raise bad() from None
        raise bad()
    if ptype == "BOOLEAN":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise bad()
    if ptype in ("LIST", "STRUCT"):
        want = list if ptype == "LIST" else dict
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise bad() from None
        if not isinstance(value, want):
            raise bad()
        return value
    return value


def package_tasks(spec: dict[str, Any]) -> list[str]:
    """Names of the executable tasks a package may run, as kfp.local names them (the component
    name without `comp-`), in pipeline order where the DAG gives one."""
    components = spec.get("components") or {}
    order: list[str] = []

    def walk(dag: dict[str, Any]) -> None:
        tasks = (dag or {}).get("tasks") or {}
        for task in _topological(tasks):
            comp = (tasks[task].get("componentRef") or {}).get("name", "")
            body = components.get(comp) or {}
            if "dag" in body:
                walk(body["dag"])
            elif comp and comp.removeprefix("comp-") not in order:
                order.append(comp.removeprefix("comp-"))

    walk((spec.get("root") or {}).get("dag") or {})
    return order


def _topological(tasks: dict[str, Any]) -> list[str]:
    deps = {name: set((body or {}).get("dependentTasks") or []) & set(tasks) for name, body in tasks.items()}
    out: list[str] = []
    while deps:
        ready = sorted(n for n, d in deps.items() if not d)
        if not ready:  # a cycle cannot compile; keep going rather than loop forever
            ready = sorted(deps)
        for n in ready:
            out.append(n)
            deps.pop(n)
        for d in deps.values():
            d.difference_update(ready)
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
