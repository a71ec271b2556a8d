"""Answer a run from kfp's local task cache without starting a worker (or importing kfp).

kfp 2.17's local runner (`kfp.local.orchestrator.task_executor.execute_single_task`) keys a
task on sha256(component name, image, command + args, resolved arguments, container env) —
or on the task's custom cache key — and stores its outputs as one JSON file per key under the
cache root (`kfp.local.cache.LocalCache`). `lookup` walks the package's DAG the way kfp.local
does (sub-DAGs, parent inputs and their defaults, upstream outputs), computes the same keys
and reads the same files. It answers only when every task would be a hit; anything it does not
model (conditions, loops, exit handlers, importers, a custom artifact type, a missing
artifact file) is a miss, and the worker runs kfp itself. A hit cannot be wrong by
construction: the key is a digest of the very inputs kfp hashed when it stored the entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_ARTIFACT_MARKER = "__kfp_artifact__"
_ARTIFACT_LIST_MARKER = "__kfp_artifact_list__"
_REMOTE = ("gs://", "s3://", "minio://", "oci://", "http://", "https://")
# kfp.dsl's artifact classes by schema title; another title would need kfp's own mapping
_KNOWN_TITLES = frozenset(
    f"system.{t}"
    for t in (
        "Artifact",
        "Model",
        "Dataset",
        "Metrics",
        "ClassificationMetrics",
        "SlicedClassificationMetrics",
        "HTML",
        "Markdown",
    )
)


class _Miss(Exception):
    """A task kfp would run (or that this walk does not model)."""


@dataclass
class CachedArtifact:
    """A cached artifact output, the fields kfp keys and llmops records (kfp-free)."""

    schema_title: str
    name: str
    uri: str
    metadata: dict[str, Any]


@dataclass
class CachedTask:
    component: str
    task: str
    outputs: dict[str, Any]
    seconds: float


@dataclass
class CacheAnswer:
    tasks: list[CachedTask] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)


def _pb_value(value: Any) -> Any:
    """A YAML literal as kfp's pb2_value_to_python returns it: numbers are doubles."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [_pb_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _pb_value(v) for k, v in value.items()}
    raise _Miss


def _key_value(value: Any) -> Any:
    if isinstance(value, CachedArtifact):
        return {
            _ARTIFACT_MARKER: True,
            "schema_title": value.schema_title,
            "name": value.name,
            "uri": value.uri,
            "metadata": value.metadata,
        }
    if isinstance(value, list):
        return [_key_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _key_value(v) for k, v in value.items()}
    return value


def cache_key(
    component_name: str,
    image: str,
    full_command: list[str],
    arguments: dict[str, Any],
    env_vars: dict[str, str] | None = None,
    custom_cache_key: str | None = None,
) -> str:
    """kfp.local.cache.LocalCache.compute_key, without kfp."""
    h = hashlib.sha256()
    h.update(component_name.encode("utf-8"))
    h.update(b"\0")
    if custom_cache_key:
        h.update(custom_cache_key.encode("utf-8"))
        return h.hexdigest()
    h.update(image.encode("utf-8"))
    h.update(b"\0")
    h.update(json.dumps(list(full_command), sort_keys=True).encode("utf-8"))
    h.update(b"\0")
    h.update(json.dumps(_key_value(arguments), sort_keys=True, default=str).encode("utf-8"))
    h.update(b"\0")
    h.update(json.dumps(dict(env_vars or {}), sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def _artifact(data: dict[str, Any]) -> CachedArtifact:
    uri = data.get("uri", "")
    title = data.get("schema_title", "system.Artifact")
    if title not in _KNOWN_TITLES:
        raise _Miss
    if uri and not uri.startswith(_REMOTE) and not os.path.exists(uri):
        raise _Miss  # kfp treats an entry whose artifact file is gone as a miss
    return CachedArtifact(title, data.get("name", ""), uri, data.get("metadata") or {})


def _read_entry(cache_root: Path, key: str) -> dict[str, Any]:
    try:
        with open(cache_root / f"{key}.json", encoding="utf-8") as f:
            entry = json.load(f)
    except (OSError, ValueError):
        raise _Miss from None
    outputs = {}
    for name, value in entry.items():
        if isinstance(value, dict) and value.get(_ARTIFACT_MARKER):
            value = _artifact(value)
        elif isinstance(value, dict) and value.get(_ARTIFACT_LIST_MARKER):
            value = [_artifact(a) for a in value.get("artifacts", [])]
        outputs[name] = value
    return outputs


class _Store:
    """kfp.local.io.IOStore: parent inputs and task outputs, chained to the enclosing DAG."""

    def __init__(self, parent: _Store | None, inputs: dict[str, Any]):
        self.parent = parent
        self.inputs = inputs
        self.outputs: dict[str, dict[str, Any]] = {}

    def parent_input(self, key: str) -> Any:
        if key in self.inputs:
            return self.inputs[key]
        if self.parent is None:
            raise _Miss
        return self.parent.parent_input(key)

    def task_output(self, task: str, key: str) -> Any:
        if key in self.outputs.get(task, {}):
            return self.outputs[task][key]
        if self.parent is None:
            raise _Miss
        return self.parent.task_output(task, key)


def _order(tasks: dict[str, Any]) -> list[str]:
    """kfp.local.graph_utils.topological_sort, as an execution order."""
    deps = {name: sorted((t or {}).get("dependentTasks") or []) for name, t in tasks.items()}
    seen: set[str] = set()
    result: list[str] = []

    def dfs(node: str) -> None:
        seen.add(node)
        for n in deps[node]:
            if n in deps and n not in seen:
                dfs(n)
        result.append(node)

    for node in deps:
        if node not in seen:
            dfs(node)
    return result


class _Walk:
    def __init__(self, spec: dict[str, Any], cache_root: Path):
        self.components: dict[str, Any] = spec.get("components") or {}
        self.executors: dict[str, Any] = (spec.get("deploymentSpec") or {}).get("executors") or {}
        self.cache_root = cache_root
        self.answer = CacheAnswer()

    def dag(self, component: dict[str, Any], arguments: dict[str, Any], parent: _Store | None) -> dict[str, Any]:
        inputs = dict(arguments)
        for name, decl in ((component.get("inputDefinitions") or {}).get("parameters") or {}).items():
            if name not in inputs and "defaultValue" in decl:
                inputs[name] = _pb_value(decl["defaultValue"])
        store = _Store(parent, inputs)
        dag = component.get("dag") or {}
        tasks = dag.get("tasks") or {}
        for name in _order(tasks):
            spec = tasks[name] or {}
            trigger = spec.get("triggerPolicy") or {}
            if (
                trigger.get("condition")
                or trigger.get("strategy")
                or "iterator" in spec
                or any(k.endswith("Iterator") for k in spec)
            ):
                raise _Miss
            comp_name = (spec.get("componentRef") or {}).get("name", "")
            comp = self.components.get(comp_name)
            if comp is None:
                raise _Miss
            if "dag" in comp:
                store.outputs[name] = self.dag(comp, self.nested_arguments(spec, comp, store), store)
            else:
                store.outputs[name] = self.task(name, comp_name, comp, spec, self.arguments(spec, store))
        outputs: dict[str, Any] = {}
        out_spec = dag.get("outputs") or {}
        for key, sel in (out_spec.get("parameters") or {}).items():
            src = sel.get("valueFromParameter")
            if not src:
                raise _Miss
            outputs[key] = store.task_output(src["producerSubtask"], src["outputParameterKey"])
        for key, sel in (out_spec.get("artifacts") or {}).items():
            selectors = sel.get("artifactSelectors") or []
            if len(selectors) != 1:
                raise _Miss
            outputs[key] = store.task_output(selectors[0]["producerSubtask"], selectors[0]["outputArtifactKey"])
        return outputs

    @staticmethod
    def arguments(spec: dict[str, Any], store: _Store) -> dict[str, Any]:
        """kfp's OrchestratorUtils.make_task_arguments."""
        inputs = spec.get("inputs") or {}
        args: dict[str, Any] = {}
        for name, src in (inputs.get("parameters") or {}).items():
            if "runtimeValue" in src:
                if "constant" not in src["runtimeValue"]:
                    raise _Miss
                args[name] = _pb_value(src["runtimeValue"]["constant"])
            elif "taskOutputParameter" in src:
                t = src["taskOutputParameter"]
                args[name] = store.task_output(t["producerTask"], t["outputParameterKey"])
            elif "componentInputParameter" in src and not src.get("parameterExpressionSelector"):
                args[name] = store.parent_input(src["componentInputParameter"])
            else:
                raise _Miss
        for name, src in (inputs.get("artifacts") or {}).items():
            if "taskOutputArtifact" in src:
                t = src["taskOutputArtifact"]
                args[name] = store.task_output(t["producerTask"], t["outputArtifactKey"])
            elif "componentInputArtifact" in src:
                args[name] = store.parent_input(src["componentInputArtifact"])
            else:
                raise _Miss
        return args

    def nested_arguments(self, spec: dict[str, Any], comp: dict[str, Any], store: _Store) -> dict[str, Any]:
        """kfp's task_spec_utils.build_nested_dag_arguments (no loop iterations)."""
        decls = comp.get("inputDefinitions") or {}
        args = self.arguments(spec, store) if (spec.get("inputs") or {}).get("parameters") else {}
        for name in [*(decls.get("parameters") or {}), *(decls.get("artifacts") or {})]:
            if name not in args:
                try:
                    args[name] = store.parent_input(name)
                except _Miss:
                    pass
        return args

    def task(
        self, name: str, comp_name: str, comp: dict[str, Any], spec: dict[str, Any], args: dict[str, Any]
    ) -> dict[str, Any]:
        t0 = time.perf_counter()
        caching = spec.get("cachingOptions") or {}
        executor = self.executors.get(comp.get("executorLabel", "")) or {}
        container = executor.get("container")
        if not caching.get("enableCache") or not isinstance(container, dict):
            raise _Miss
        key = cache_key(
            comp_name,
            container.get("image", ""),
            [*(container.get("command") or []), *(container.get("args") or [])],
            args,
            {e["name"]: e.get("value", "") for e in container.get("env") or []},
            caching.get("cacheKey") or None,
        )
        outputs = _read_entry(self.cache_root, key)
        self.answer.tasks.append(CachedTask(comp_name, name, outputs, time.perf_counter() - t0))
        return outputs


def lookup(spec: dict[str, Any], parameters: dict[str, Any], cache_root: str | Path) -> CacheAnswer | None:
    """Every task's outputs and the pipeline's outputs from kfp's cache, in kfp's execution
    order, or None when any task would run."""
    walk = _Walk(spec, Path(cache_root))
    try:
        walk.answer.outputs = walk.dag(spec.get("root") or {}, dict(parameters), None)
    except (_Miss, KeyError, TypeError, AttributeError):
        return None
    return walk.answer
