"""The plugin registry, the hooks' meta-tests (documented, tested), and a real third-party plugin."""

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from llmops.core import hookspecs, registry
from llmops.core.errors import ConfigError
from llmops.core.hookspecs import hookimpl
from llmops.core.interfaces import Warehouse

ROOT = Path(__file__).resolve().parents[2]
HOOKS = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("register_")]


def test_every_hook_is_documented_with_its_signature():
    docs = (ROOT / "docs" / "plugins.md").read_text()
    for name in HOOKS:
        params = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert f"### {name}({params})" in docs, f"docs/plugins.md lacks '### {name}({params})'"
        assert getattr(hookspecs, name).__doc__, f"hook {name} has no docstring"


def test_every_hook_has_a_test():
    tests = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
    for name in HOOKS:
        assert re.search(rf"def test_hook_{name}\b", tests), f"no test_hook_{name} in tests/"


class _Plugin:
    """A plugin object registered for one test."""

    class Dummy(Warehouse):
        def query(self, sql, params=None): ...
        def export(self, sql, destination_uri, params=None, format="jsonl"): ...
        def load(self, table, data, mode="append"): ...
        def insert_rows(self, table, rows): ...
        def tables(self):
            return []

    @hookspecs.hookimpl
    def register_warehouses(self, register):
        register("dummy", self.Dummy)


def test_hook_register_warehouses(fresh_registry):
    registry.get_plugin_manager().register(_Plugin(), name="test-plugin")
    assert "dummy" in registry.all_backends()["warehouse"]
    assert registry.backends("warehouse")["dummy"].plugin == "test-plugin"


def test_hook_register_artifact_stores():
    assert "local" in registry.all_backends()["artifacts"]
    from llmops.backends.local.artifacts import LocalArtifactStore

    assert registry.backend_class("artifacts", "local") is LocalArtifactStore


def test_hook_register_prompt_templates():
    from llmops.core.prompts import get_template, templates

    t = get_template("stackoverflow-python")
    assert t.render("Q?").startswith("Please answer the following Stackoverflow question on Python.")
    assert set(templates()) >= {"stackoverflow-python"}


def test_hook_register_commands(cli):
    res = cli("--help", use_workspace=False)
    assert res.code == 0 and "data" in res.out and "backends" in res.out


def test_hook_register_emulator_apis(fresh_registry, tmp_path):
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from llmops.emulator.server.api import EmulatedApi
    from llmops.emulator.server.app import create_app
    from llmops.emulator.server.plugins import api_info, emulated_apis

    class ProjectsApi(EmulatedApi):
        name = "projects-test"
        prefixes = ("/v1/projects",)

        def routes(self):
            async def get(request):
                return JSONResponse({"projectId": request.path_params["p"]})

            return [Route("/v1/projects/{p}", get, methods=["GET"])]

    class Plugin:
        @hookimpl
        def register_emulator_apis(self, register):
            register(ProjectsApi)

    registry.get_plugin_manager().register(Plugin(), name="projects-plugin")
    assert {"storage", "bigquery", "vertex", "kfp", "projects-test"} <= set(emulated_apis())
    info = {a["name"]: a for a in api_info()}
    assert info["projects-test"]["plugin"] == "projects-plugin"
    assert info["bigquery"]["plugin"] == "llmops.emulator.bigquery.plugin"
    with TestClient(create_app(data_dir=tmp_path), base_url="http://127.0.0.1") as client:
        assert client.get("/v1/projects/p1").json() == {"projectId": "p1"}
        # the longer prefix goes first, and Vertex AI still answers the rest of /v1
        assert client.get("/v1/projects/p1/locations/l/models").status_code == 200


def test_two_plugins_claiming_one_prefix_is_an_error(fresh_registry):
    from llmops.emulator.server.api import EmulatedApi
    from llmops.emulator.server.plugins import emulated_apis

    class Clash(EmulatedApi):
        name = "clash"
        prefixes = ("/bigquery/v2",)

        def routes(self):
            return []

    class Plugin:
        @hookimpl
        def register_emulator_apis(self, register):
            register(Clash)

    registry.get_plugin_manager().register(Plugin(), name="clash-plugin")
    with pytest.raises(ConfigError, match="'/bigquery/v2'.*llmops.emulator.bigquery.plugin.*clash-plugin"):
        emulated_apis()


def test_registering_a_non_backend_is_an_error(fresh_registry):
    class Bad:
        @hookspecs.hookimpl
        def register_warehouses(self, register):
            register("bad", dict)

    registry.get_plugin_manager().register(Bad(), name="bad-plugin")
    with pytest.raises(ConfigError, match="not a subclass of Warehouse"):
        registry.backends("warehouse")


def test_duplicate_names_are_an_error_naming_both_plugins(fresh_registry):
    registry.get_plugin_manager().register(_Plugin(), name="one")
    registry.get_plugin_manager().register(_Plugin(), name="two")
    with pytest.raises(ConfigError, match="'one' and 'two'|'two' and 'one'"):
        registry.backends("warehouse")


def test_unknown_backend_lists_the_names_that_exist():
    with pytest.raises(ConfigError, match=r"unknown artifacts backend 'nope' \(choose one of: .*local"):
        registry.backend_class("artifacts", "nope")


def test_unknown_backend_in_config_fails_cleanly_on_the_cli(cli, monkeypatch):
    monkeypatch.setenv("LLMOPS_WAREHOUSE", "oracle")
    res = cli("data", "prepare")
    assert res.code == 1
    assert "unknown warehouse backend 'oracle'" in res.err and "duckdb" in res.err
    assert len(res.err.strip().splitlines()) == 1


def test_backends_json_has_every_kind(cli):
    res = cli("backends", "--json", use_workspace=False)
    assert res.code == 0
    assert set(res.json()) == {"warehouse", "orchestrator", "model", "artifacts"}


def test_plugins_json_names_builtins(cli):
    info = cli("plugins", "--json", use_workspace=False).json()
    by_name = {p["name"]: p for p in info}
    assert by_name["llmops.backends.local.plugin"]["source"] == "built-in"
    assert "register_artifact_stores" in by_name["llmops.backends.local.plugin"]["hooks"]


def test_trace_switch_prints_hook_calls(tmp_path):
    env = {**os.environ, "LLMOPS_TRACE_PLUGINS": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "llmops", "backends", "--json"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert out.returncode == 0 and "register_artifact_stores" in out.stderr


@pytest.fixture
def installed_plugin(hello_plugin):
    """The fixture plugin installed with pip into its own folder, as a user would."""
    return hello_plugin


def _run_with(target, *args, **env):
    path = os.pathsep.join(p for p in (str(target), os.environ.get("PYTHONPATH", "")) if p)
    environ = {**os.environ, "PYTHONPATH": path, **env}
    environ.pop("LLMOPS_LOAD_PLUGINS", None) if "LLMOPS_LOAD_PLUGINS" not in env else None
    return subprocess.run([sys.executable, "-m", "llmops", *args], env=environ, capture_output=True, text=True)


def test_pip_installed_plugin_shows_up_in_backends_and_plugins(installed_plugin):
    out = _run_with(installed_plugin, "backends", "--json")
    assert out.returncode == 0, out.stderr
    assert "hello" in __import__("json").loads(out.stdout)["warehouse"]
    plugins = _run_with(installed_plugin, "plugins", "--json")
    entry = next(p for p in __import__("json").loads(plugins.stdout) if p["name"] == "hello")
    assert entry["source"] == "llmops-hello 0.0.1"
    said = _run_with(installed_plugin, "hello")
    assert said.stdout.strip() == "hello from the plugin command"


def test_load_plugins_switch_can_exclude_a_plugin(installed_plugin):
    out = _run_with(installed_plugin, "backends", "--json", LLMOPS_LOAD_PLUGINS="")
    assert "hello" not in __import__("json").loads(out.stdout)["warehouse"]


def test_hook_register_model_providers():
    from llmops.core.interfaces import ModelProvider

    found = registry.backends("model")
    assert "emulator" in found and issubclass(found["emulator"].obj, ModelProvider)
    assert found["emulator"].plugin == "llmops.backends.local.plugin"


def test_hook_register_orchestrators():
    from llmops.core.interfaces import Orchestrator

    found = registry.backends("orchestrator")
    assert "local" in found and issubclass(found["local"].obj, Orchestrator)
