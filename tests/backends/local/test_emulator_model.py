"""The `emulator` model provider: registered, configured by settings, state in the workspace."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from llmops.backends.local.model import EmulatorModelProvider
from llmops.core import registry
from llmops.core.config import Settings
from llmops.core.errors import ConfigError
from llmops.core.interfaces import ModelProvider
from llmops.core.session import Session


def write_train(path, n=6):
    rows = [
        {
            "input_text": f"How do I use feature{i} of library{i}?",
            "output_text": f"<p>Call library{i}.feature{i}().</p>",
        }
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_registered_as_emulator_and_default_for_the_local_profile(session):
    assert registry.backend_class("model", "emulator") is EmulatorModelProvider
    assert isinstance(session.model, EmulatorModelProvider) and isinstance(session.model, ModelProvider)
    assert session.model.tuning_format == "seed"


def test_settings_choose_base_model_threshold_and_canned_file(tmp_path):
    canned = tmp_path / "canned.yaml"
    canned.write_text("- exact: 'ping'\n  response: 'pong'\n", encoding="utf-8")
    settings = Settings(
        workspace=tmp_path / "ws",
        base_model="gemini-2.5-flash",
        safety_threshold="BLOCK_ONLY_HIGH",
        sections={"emulator": {"canned_responses": str(canned)}},
    )
    with Session(settings) as s:
        assert s.model.predict("hello there").model == "gemini-2.5-flash"
        assert s.model.predict("ping").text == "pong"
        assert not s.model.predict("I hate women").blocked  # MEDIUM passes BLOCK_ONLY_HIGH
        assert s.model.predict("I will kill you").blocked


def test_bad_canned_file_fails_when_the_provider_is_built(tmp_path):
    bad = tmp_path / "canned.yaml"
    bad.write_text("responses: [", encoding="utf-8")
    with Session(Settings(workspace=tmp_path / "ws", sections={"emulator": {"canned_responses": str(bad)}})) as s:
        with pytest.raises(ConfigError, match="is not valid YAML"):
            s.model  # noqa: B018


def test_tuning_state_lives_in_the_workspace(session, tmp_path):
    train = write_train(tmp_path / "train.jsonl")
    job = session.model.tune("text-bison@001", str(train), display_name="lib-helper")
    assert job.state == "JOB_STATE_SUCCEEDED"
    models_dir = session.workspace.models
    assert (models_dir / "jobs").is_dir() and (models_dir / "tuned").is_dir() and (models_dir / "endpoints").is_dir()
    assert session.model.get_tuning_job(job.name).tuned_model.name == job.tuned_model.name
    assert [m.name for m in session.model.list_tuned_models()] == [job.tuned_model.name]
    assert session.model.deploy(job.tuned_model).name == job.tuned_model.endpoint
    assert session.model.set_alias("lib-helper", "prod").aliases == ["prod"]
    p = session.model.predict("How do I use feature3 of library3?", model="prod")
    assert p.text == "<p>Call library3.feature3().</p>" and p.citations[0].license == "CC BY-SA 4.0"
    # A second provider over the same workspace sees the same registry.
    with Session(session.settings) as other:
        assert other.model.predict("feature3 library3", model="prod").text == p.text


def test_predict_batch_through_the_provider(session):
    prompts = ["How do I sort a list?", "I will kill you", "How do I read JSON?"]
    batch = session.model.predict_batch(prompts)
    assert [p.prompt for p in batch] == prompts
    assert [p.blocked for p in batch] == [False, True, False]
    assert [p.to_vertex_dict() for p in batch] == [session.model.predict(p).to_vertex_dict() for p in prompts]


def test_building_the_provider_imports_no_model_service(tmp_path):
    """A fully cached `llmops run` builds the provider to check its capabilities and predicts
    nothing: the model service (numpy, retrieval) is imported on first use only."""
    code = (
        "import sys\n"
        "from llmops.core.config import Settings\n"
        "from llmops.core.session import Session\n"
        f"s = Session(Settings(workspace={str(tmp_path / 'ws')!r}))\n"
        "s.model\n"
        "print('llmops.emulator.vertex.engine.model_service' in sys.modules)\n"
        "s.model.list_base_models()\n"
        "print('llmops.emulator.vertex.engine.model_service' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]
