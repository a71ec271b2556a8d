"""The `openai` provider of plugins/llmops-openai in process, against the emulator's Vertex AI
OpenAI-compatible endpoint: what a chat completion becomes in a `Prediction`, its settings and
its one-line errors."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from llmops.core.errors import ConfigError, DataError
from llmops.core.types import GenerationConfig

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "llmops-openai"
PANDAS = "How can I load a csv file using Pandas?"
GEMINI = "google/gemini-2.0-flash-001"


@pytest.fixture
def base_url(llmops_emulator):
    return f"{llmops_emulator.endpoint}/v1beta1/projects/p/locations/us-central1/endpoints/openapi"


@pytest.fixture
def plugin(monkeypatch, fresh_registry, base_url):
    """The plugin module registered with the plugin manager (as its entry point would), its
    settings pointing at the emulator."""
    monkeypatch.syspath_prepend(str(PLUGIN / "src"))
    import llmops_openai.plugin

    fresh_registry.get_plugin_manager().register(llmops_openai.plugin, name="openai")
    monkeypatch.setenv("LLMOPS_OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("LLMOPS_OPENAI_MODEL", GEMINI)
    monkeypatch.setenv("LLMOPS_OPENAI_MAX_RETRIES", "0")
    return llmops_openai.plugin


def _settings(workspace):
    from llmops.core.config import load_settings

    return load_settings(overrides={"workspace": workspace})


@pytest.fixture
def provider(plugin, workspace):
    from llmops.core import registry

    p = registry.backend_class("model", "openai")(_settings(workspace))
    yield p
    p.close()


def test_prediction_maps_text_usage_finish_and_id_of_the_chat_completion(provider, base_url):
    gen = GenerationConfig(temperature=0.3, max_output_tokens=400, seed=3, top_p=0.9)
    p = provider.predict(PANDAS, generation=gen)
    with openai.OpenAI(base_url=base_url, api_key="k") as sdk:
        r = sdk.chat.completions.create(
            model=GEMINI,
            messages=[{"role": "user", "content": PANDAS}],
            temperature=0.3,
            max_tokens=400,
            seed=3,
            top_p=0.9,
        )
    assert p.text == r.choices[0].message.content and p.model == GEMINI and p.prompt == PANDAS
    assert p.usage.prompt_tokens == r.usage.prompt_tokens and p.usage.output_tokens == r.usage.completion_tokens
    assert r.choices[0].finish_reason == "stop" and p.finish_reason == "STOP" and not p.blocked and p.latency_ms > 0
    assert p.request_id.startswith("chatcmpl-") and p.request_id != r.id
    assert p.safety.ratings == [] and p.safety.categories == [] and p.citations == []


def test_length_system_instruction_and_blocked(provider):
    short = provider.predict(PANDAS, generation=GenerationConfig(max_output_tokens=4))
    assert short.finish_reason == "MAX_TOKENS" and short.usage.output_tokens <= 4
    upper = provider.predict(PANDAS, generation=GenerationConfig(system_instruction="Answer in capital letters."))
    assert upper.text.isupper()
    blocked = provider.predict("I will kill you, you stupid worthless idiot")
    assert blocked.blocked and blocked.safety.blocked and blocked.finish_reason == "SAFETY" and blocked.text == ""


def test_predict_batch_keeps_the_order(provider):
    prompts = ["How do I sort a list?", "What is a decorator?", "How do I read JSON?"]
    batch = provider.predict_batch(prompts, concurrency=3)
    assert [p.prompt for p in batch] == prompts
    assert [p.text for p in batch] == [provider.predict(q).text for q in prompts]


def test_refuses_what_openai_cannot_carry(provider):
    with pytest.raises(ConfigError, match="cannot apply safety thresholds"):
        provider.predict("hi", safety={"HARM_CATEGORY_HARASSMENT": "BLOCK_NONE"})
    with pytest.raises(DataError, match="top_k"):
        provider.predict("hi", generation=GenerationConfig(top_k=3))


def test_settings_from_a_profile_section_and_bad_values(plugin, monkeypatch, tmp_path):
    from llmops_openai.settings import OpenAISettings, read_settings

    from llmops.core.config import load_settings

    monkeypatch.delenv("LLMOPS_OPENAI_BASE_URL")
    monkeypatch.delenv("LLMOPS_OPENAI_MODEL")
    monkeypatch.delenv("LLMOPS_OPENAI_MAX_RETRIES")
    (tmp_path / "llmops.toml").write_text(
        '[profiles.o]\nmodel = "openai"\n[profiles.o.openai]\nbase_url = "http://h:1/v1/"\nmodel = "m"\n'
    )
    s = load_settings("o", start=tmp_path)
    assert read_settings(s) == OpenAISettings(base_url="http://h:1/v1", model="m")
    (tmp_path / "llmops.toml").write_text('[profiles.o.openai]\nbase_url = "h:1"\n')
    with pytest.raises(ConfigError, match=r"'openai.base_url'.*plugin 'openai'"):
        load_settings("o", start=tmp_path)
    monkeypatch.setenv("LLMOPS_OPENAI_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match=r"'openai.timeout'.*plugin 'openai'"):
        load_settings(start=tmp_path / "nowhere")


def test_missing_model_or_key_variable_is_one_config_error(plugin, workspace, monkeypatch):
    from llmops_openai.provider import OpenAIModelProvider

    monkeypatch.delenv("LLMOPS_OPENAI_MODEL")
    with pytest.raises(ConfigError, match="no model to ask"):
        OpenAIModelProvider(_settings(workspace)).predict("hi")
    monkeypatch.setenv("LLMOPS_OPENAI_API_KEY_ENV", "NO_SUCH_KEY_VAR")
    with pytest.raises(ConfigError, match="NO_SUCH_KEY_VAR named by api_key_env is not set"):
        OpenAIModelProvider(_settings(workspace)).predict("hi", model=GEMINI)


def test_cli_refuses_safety_thresholds_in_one_line(plugin, cli, monkeypatch):
    monkeypatch.setenv("LLMOPS_MODEL", "openai")
    r = cli("predict", "hi", "--safety", "*=BLOCK_NONE")
    assert r.code == 1 and r.out == "" and len(r.err.strip().splitlines()) == 1
    assert "cannot apply safety thresholds" in r.err
    ok = cli("predict", PANDAS, "--json", "--no-log")
    assert ok.code == 0 and ok.json()["model"] == GEMINI


def test_eval_spec_parsing(plugin, session):
    from llmops.core.evaluation import split_model

    assert split_model(session, None) == (None, None)
    assert split_model(session, "models/1") == (None, "models/1")
    assert split_model(session, "openai:llama3:8b") == ("openai", "llama3:8b")
    assert split_model(session, "emulator:") == ("emulator", None)
    with pytest.raises(ConfigError, match="unknown model provider 'llama3'.*emulator:llama3:8b"):
        split_model(session, "llama3:8b")
