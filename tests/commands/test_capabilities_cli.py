"""Capabilities on the command line: a provider that only predicts is usable for `predict`, and
every command that needs more fails with one line naming the provider and what it lacks."""

from __future__ import annotations

import pytest

from llmops import ModelProvider, Prediction, hookimpl


class EchoProvider(ModelProvider):
    """Predicts and nothing else: no tuning, deployment or aliases, and no stubs for them."""

    description = "test-only: echoes the prompt"

    def predict(self, prompt, *, model=None, generation=None, safety=None):
        return Prediction(text=f"echo: {prompt}", model=model or "echo-1", latency_ms=1.0)


class _Plugin:
    @hookimpl
    def register_model_providers(self, register):
        register("echo", EchoProvider)


@pytest.fixture
def echo(fresh_registry, monkeypatch):
    fresh_registry.get_plugin_manager().register(_Plugin(), name="test-echo")
    monkeypatch.setenv("LLMOPS_MODEL", "echo")


def test_a_predict_only_provider_answers_llmops_predict(cli, echo):
    r = cli("predict", "hello there", "--json")
    assert r.code == 0, r.err
    assert r.json()["prediction"]["content"] == "echo: hello there" and r.json()["model"] == "echo-1"


@pytest.mark.parametrize(
    ("args", "verb", "capability"),
    [
        (("tune",), "tune", "tune"),
        (("models", "deploy", "some-model"), "deploy", "deploy"),
        (("models", "alias", "some-model", "prod"), "set aliases", "alias"),
        (("run",), "tune", "tune"),
    ],
)
def test_a_command_needing_a_missing_capability_fails_in_one_line(cli, echo, args, verb, capability):
    r = cli(*args)
    assert r.code == 1 and r.out == ""
    assert f"model provider 'echo' cannot {verb} (it has no '{capability}' capability)" in r.err
    assert "choose a model provider" in r.err and "Traceback" not in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_models_list_of_a_provider_without_tuning_shows_its_base_models(cli, echo):
    r = cli("models", "list", "--json")
    assert r.code == 0, r.err
    assert [row["kind"] for row in r.json()] == ["base"]


def test_backends_reports_capabilities(cli, echo):
    info = cli("backends", "--json", use_workspace=False).json()
    assert set(info) == {"warehouse", "orchestrator", "model", "artifacts"}
    assert info["model"]["echo"]["capabilities"] == ["predict"]
    assert info["model"]["echo"]["plugin"] == "test-echo"
    assert info["model"]["emulator"]["capabilities"] == ["predict", "tune", "deploy", "alias"]
    assert "cancel" in info["orchestrator"]["local"]["capabilities"]
    assert "statements" in info["warehouse"]["duckdb"]["capabilities"]
    text = cli("backends", use_workspace=False).out.splitlines()
    assert "model: emulator [predict, tune, deploy, alias]" in text and "model: echo [predict]" in text
