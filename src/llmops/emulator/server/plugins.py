"""The emulated APIs an emulator serves: every class registered through the
`register_emulator_apis` hook, built-in or third-party, checked for clashes."""

from __future__ import annotations

from ...core import registry
from ...core.errors import ConfigError
from .api import EmulatedApi

HOOK = "register_emulator_apis"


def emulated_apis() -> dict[str, type[EmulatedApi]]:
    """Registered API classes by name, in registration order; a class that is not an
    `EmulatedApi`, or two plugins claiming one path prefix, is a ConfigError naming both."""
    found = registry.registrations(HOOK)
    owners: dict[str, tuple[str, str]] = {}
    out: dict[str, type[EmulatedApi]] = {}
    for name, reg in found.items():
        cls = reg.obj
        if not (isinstance(cls, type) and issubclass(cls, EmulatedApi)):
            raise ConfigError(
                f"plugin {reg.plugin!r} registered {name!r} as an emulated API, but it is not a subclass of EmulatedApi",
                fix="subclass llmops.emulator.server.api.EmulatedApi",
            )
        if not cls.prefixes:
            raise ConfigError(
                f"emulated API {name!r} of plugin {reg.plugin!r} declares no path prefixes",
                fix="set the class attribute `prefixes`, e.g. ('/v3/projects',)",
            )
        for prefix in cls.prefixes:
            if prefix in owners:
                other_api, other_plugin = owners[prefix]
                raise ConfigError(
                    f"path prefix {prefix!r} is claimed by emulated API {other_api!r} (plugin {other_plugin!r}) "
                    f"and by {name!r} (plugin {reg.plugin!r})",
                    fix="uninstall one of the two plugins or give the API another prefix",
                )
            owners[prefix] = (name, reg.plugin)
        out[name] = cls
    return out


def api_info() -> list[dict[str, object]]:
    """Name, plugin, prefixes and description of each registered API (for `llmops emulator apis`)."""
    found = registry.registrations(HOOK)
    apis = emulated_apis()
    return [
        {"name": name, "plugin": found[name].plugin, "prefixes": list(cls.prefixes), "description": cls.description}
        for name, cls in apis.items()
    ]
