"""The backend interfaces and their capabilities, the public exports of `llmops`, and the shape
of core: no import cycle, nothing heavy imported to start the CLI or the pytest plugin."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import llmops
from llmops.core import interfaces, registry
from llmops.core.interfaces import (
    Aliaser,
    Deployer,
    MissingCapability,
    ModelProvider,
    Orchestrator,
    Tuner,
    capabilities,
    require,
)

CORE = Path(__file__).resolve().parents[2] / "src" / "llmops" / "core"


def test_every_provider_must_predict_and_nothing_more():
    assert ModelProvider.__abstractmethods__ == {"predict"}
    assert Tuner.__abstractmethods__ == {"tune", "get_tuning_job", "list_tuned_models"}
    assert Deployer.__abstractmethods__ == {"deploy"} and Aliaser.__abstractmethods__ == {"set_alias"}
    assert not hasattr(Orchestrator, "compile")


def test_a_declared_capability_is_enforced_by_the_abc(settings):
    class HalfTuner(ModelProvider, Tuner):
        def predict(self, prompt, *, model=None, generation=None, safety=None): ...
        def tune(self, base_model, train_uri, eval_uri=None, *, epochs=1, display_name=None): ...

    with pytest.raises(TypeError, match="get_tuning_job"):
        HalfTuner(settings)


def test_builtin_backends_declare_their_capabilities():
    assert capabilities(registry.backend_class("model", "emulator")) == ["predict", "tune", "deploy", "alias"]
    assert capabilities(registry.backend_class("model", "vertex")) == ["predict", "tune", "deploy", "alias"]
    for name in ("local", "vertex", "kubeflow"):
        assert capabilities(registry.backend_class("orchestrator", name)) == ["run", "cancel"]
    assert capabilities(registry.backend_class("warehouse", "duckdb")) == ["query", "statements"]


def test_require_returns_the_backend_or_names_what_is_missing(settings):
    class Plain(ModelProvider):
        def predict(self, prompt, *, model=None, generation=None, safety=None): ...

    emulator = registry.backend_class("model", "emulator")(settings)
    assert require(emulator, Tuner) is emulator
    with pytest.raises(MissingCapability) as err:
        require(Plain(settings), Deployer, name="plain")
    assert err.value.problem == "model provider 'plain' cannot deploy (it has no 'deploy' capability)"
    assert err.value.fix and "\n" not in str(err.value)


def test_public_names_resolve_lazily():
    assert set(llmops.__all__) == set(llmops._EXPORTS)
    for name in llmops.__all__:
        assert getattr(llmops, name) is not None, name
    assert llmops.Tuner is interfaces.Tuner and issubclass(llmops.ConfigError, llmops.LlmopsError)
    with pytest.raises(AttributeError):
        llmops.NoSuchThing  # noqa: B018


def _core_imports(path: Path) -> set[str]:
    """The core modules `path` imports at run time, at any depth (a function-level import
    counts too; imports for type checkers only, under `if TYPE_CHECKING:`, do not)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
            elif (node.module or "").startswith("llmops.core."):
                found.add(node.module.split(".")[2])
            elif node.module == "llmops.core":
                found |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[2] for a in node.names if a.name.startswith("llmops.core.")}
    return found


def test_core_modules_import_each_other_one_way():
    modules = {p.stem: p for p in CORE.glob("*.py") if p.stem != "__init__"}
    graph = {m: _core_imports(p) & set(modules) - {m} for m, p in modules.items()}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            pytest.fail("import cycle in llmops.core: " + " -> ".join((*path[path.index(module) :], module)))
        if module in done:
            return
        for dep in sorted(graph[module]):
            visit(dep, (*path, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_the_registry_does_not_name_the_cli():
    assert not any(p.startswith(("llmops.commands", "llmops.cli")) for p in registry.DEFAULT_PLUGINS)
    assert "llmops.commands" not in (CORE / "registry.py").read_text(encoding="utf-8")


HEAVY = ("pyarrow", "numpy", "kfp", "duckdb", "google.cloud", "starlette", "pandas")


def test_starting_the_cli_and_the_pytest_plugin_imports_nothing_heavy():
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"  # namespace packages (google.cloud) come from .pth files
        "import llmops.testing, llmops.cli\n"
        "from llmops.core import registry\n"
        "registry.all_backends()\n"
        "llmops.cli.build_app()\n"  # every command module, as `llmops --help` loads them
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules and m not in before))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
