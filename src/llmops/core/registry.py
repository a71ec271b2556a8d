"""The plugin manager: built-in plugins plus entry points (group `llmops`) -> backends by name.

Built-in backends are default plugins registered through the same hooks a third party uses.
`LLMOPS_LOAD_PLUGINS` (comma-separated entry-point names, empty for none) restricts which
third-party plugins load; `LLMOPS_TRACE_PLUGINS=1` prints every hook call to stderr.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.metadata import entry_points
from typing import Any

import pluggy

from . import hookspecs
from .errors import ConfigError
from .interfaces import BACKEND_KINDS, Backend

DEFAULT_PLUGINS = (
    "llmops.backends.local.plugin",
    "llmops.backends.gcp.plugin",
    "llmops.backends.kubeflow.plugin",
    "llmops.emulator.storage.plugin",
    "llmops.emulator.bigquery.plugin",
    "llmops.emulator.vertex.plugin",
    "llmops.emulator.kfp.plugin",
    "llmops.emulator.bigquery_storage.plugin",
    "llmops.core.prompts",
    "llmops.monitoring.plugin",
    "llmops.conversations.plugin",
)
"""Built-in plugins, named as modules so that `core` never imports a backend at import time.
Front ends add their own (the CLI its commands) with `add_default_plugin`."""

_FRONT_END_PLUGINS: list[str] = []

ENTRY_POINT_GROUP = "llmops"

_HOOK_FOR_KIND = {
    "warehouse": "register_warehouses",
    "orchestrator": "register_orchestrators",
    "model": "register_model_providers",
    "artifacts": "register_artifact_stores",
}


@dataclass
class Registered:
    """A backend class (or template) registered by a plugin."""

    name: str
    obj: Any
    plugin: str
    extra: dict[str, Any] = field(default_factory=dict)


def _new_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("llmops")
    pm.add_hookspecs(hookspecs)
    for module_name in _default_plugins():
        pm.register(importlib.import_module(module_name), name=module_name)
    wanted = os.environ.get("LLMOPS_LOAD_PLUGINS")
    allowed = None if wanted is None else {n.strip() for n in wanted.split(",") if n.strip()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if allowed is not None and ep.name not in allowed:
            continue
        if pm.get_plugin(ep.name) is not None:
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must not take the CLI down
            raise ConfigError(
                f"plugin {ep.name!r} ({ep.value}) failed to load: {exc}",
                fix="fix or uninstall it, or set LLMOPS_LOAD_PLUGINS to skip it",
            ) from exc
        pm.register(plugin, name=ep.name)
        dist = getattr(ep, "dist", None)
        if dist is not None:
            _DISTRIBUTIONS[ep.name] = f"{dist.metadata['Name']} {dist.version}"
    if os.environ.get("LLMOPS_TRACE_PLUGINS"):
        pm.trace.root.setwriter(lambda msg: sys.stderr.write(msg))
        pm.enable_tracing()
    return pm


_DISTRIBUTIONS: dict[str, str] = {}


def _default_plugins() -> tuple[str, ...]:
    return (*DEFAULT_PLUGINS, *_FRONT_END_PLUGINS)


def add_default_plugin(module_name: str) -> None:
    """Load the module `module_name` as a built-in plugin from now on (it survives `reset`);
    how a front end such as the CLI adds its own hook implementations without core naming it."""
    if module_name in _FRONT_END_PLUGINS:
        return
    _FRONT_END_PLUGINS.append(module_name)
    if get_plugin_manager.cache_info().currsize:
        pm = get_plugin_manager()
        if pm.get_plugin(module_name) is None:
            pm.register(importlib.import_module(module_name), name=module_name)
            _collect.cache_clear()


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, built on first use."""
    return _new_manager()


def reset() -> None:
    """Forget the plugin manager and everything registered (for tests and plugin reloads)."""
    get_plugin_manager.cache_clear()
    _collect.cache_clear()
    _DISTRIBUTIONS.clear()


def _caller_name(pm: pluggy.PluginManager, plugin: object) -> str:
    return pm.get_name(plugin) or str(getattr(plugin, "__name__", repr(plugin)))


@cache
def _collect(hook_name: str) -> dict[str, Registered]:
    pm = get_plugin_manager()
    found: dict[str, Registered] = {}
    kind = next((k for k, h in _HOOK_FOR_KIND.items() if h == hook_name), None)
    impls = getattr(pm.hook, hook_name).get_hookimpls()
    for impl in impls:
        plugin_name = impl.plugin_name

        def register(name: Any, obj: Any = None, _plugin: str = plugin_name, **extra: Any) -> None:
            if obj is None:  # register(cls): the class carries its own `name`
                name, obj = getattr(name, "name", None) or getattr(name, "__name__", repr(name)), name
            if kind is not None and not (isinstance(obj, type) and issubclass(obj, BACKEND_KINDS[kind])):
                raise ConfigError(
                    f"plugin {_plugin!r} registered {name!r} as a {kind} backend, but it is not "
                    f"a subclass of {BACKEND_KINDS[kind].__name__}",
                    fix="subclass the interface from llmops.core.interfaces",
                )
            if name in found:
                raise ConfigError(
                    f"{name!r} is registered twice, by {found[name].plugin!r} and {_plugin!r}",
                    fix="uninstall one of the two plugins or rename the backend",
                )
            found[name] = Registered(name, obj, _plugin, extra)

        # Called through the hook machinery, one plugin at a time, so that tracing sees the
        # call and every registration is attributed to the plugin that made it.
        others = [i.plugin for i in impls if i is not impl]
        pm.subset_hook_caller(hook_name, remove_plugins=others)(register=register)
    return found


def registrations(hook_name: str) -> dict[str, Registered]:
    """Everything registered through a `register_*` hook that takes a name and an object."""
    return _collect(hook_name)


def backends(kind: str) -> dict[str, Registered]:
    """Registered backends of one kind (`warehouse`, `orchestrator`, `model`, `artifacts`)."""
    if kind not in _HOOK_FOR_KIND:
        raise ConfigError(f"unknown backend kind {kind!r}", fix=f"use one of {', '.join(_HOOK_FOR_KIND)}")
    return _collect(_HOOK_FOR_KIND[kind])


def all_backends() -> dict[str, list[str]]:
    """Backend names per kind, sorted."""
    return {kind: sorted(backends(kind)) for kind in _HOOK_FOR_KIND}


def backend_class(kind: str, name: str) -> type[Backend]:
    """The class registered as `name` for `kind`, or a ConfigError listing what exists."""
    found = backends(kind)
    if name not in found:
        raise ConfigError(
            f"unknown {kind} backend {name!r}",
            fix=f"choose one of: {', '.join(sorted(found)) or '(none registered)'}",
        )
    return found[name].obj


def create_backend(kind: str, settings: Any) -> Backend:
    """Build the backend `settings` (a `Settings`; not imported here, since config reads the
    registry for plugin settings) names for `kind`."""
    name = getattr(settings, kind)
    return backend_class(kind, name)(settings)


def plugin_info() -> list[dict[str, Any]]:
    """Each loaded plugin: name, where it comes from, and the hooks it implements."""
    pm = get_plugin_manager()
    out = []
    for plugin in pm.get_plugins():
        name = _caller_name(pm, plugin)
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        source = "built-in" if name in _default_plugins() else _DISTRIBUTIONS.get(name, "entry point")
        out.append({"name": name, "source": source, "module": getattr(plugin, "__name__", None), "hooks": hooks})
    return sorted(out, key=lambda p: (p["source"] != "built-in", p["name"]))
