"""The `kubeflow` orchestrator (kfp.Client) against the emulator's v2beta1 API.
No `from __future__ import annotations`: kfp reads the components' annotations."""

import pytest
from kfp import dsl

from llmops.core.config import Settings
from llmops.core.errors import ConfigError
from llmops.core.pipeline import compile_pipeline
from llmops.core.registry import create_backend


@dsl.component(base_image="python:3.11")
def shout(word: str, times: int) -> str:
    return " ".join([word.upper()] * times)


@dsl.pipeline
def shout_pipeline(word: str, times: int = 2) -> str:
    return shout(word=word, times=times).output


@pytest.fixture
def orchestrator(llmops_emulator, tmp_path):
    settings = Settings(
        orchestrator="kubeflow", sections={"kubeflow": {"host": llmops_emulator.endpoint}}, workspace=tmp_path / "ws"
    )
    return create_backend("orchestrator", settings)


def test_submit_and_wait(orchestrator, tmp_path):
    package = compile_pipeline(shout_pipeline, tmp_path / "shout.yaml")
    run = orchestrator.submit(package, {"word": "hi", "times": 3}, run_name="shout")
    done = orchestrator.wait(run.run_id, timeout=60)
    assert done.state == "SUCCEEDED" and [t.name for t in done.tasks] == ["shout"]
    assert done.parameters == {"word": "hi", "times": 3}
    assert orchestrator.get(run.run_id).state == "SUCCEEDED"
    assert run.run_id in [r.run_id for r in orchestrator.list_runs()]


def test_bad_inputs(orchestrator, tmp_path, llmops_emulator):
    package = compile_pipeline(shout_pipeline, tmp_path / "shout.yaml")
    with pytest.raises(ConfigError, match="has no parameter 'tims'"):
        orchestrator.submit(package, {"word": "x", "tims": 2})
    with pytest.raises(ConfigError, match="names no Kubeflow Pipelines host"):
        create_backend("orchestrator", Settings(orchestrator="kubeflow", workspace=tmp_path / "w"))
    with pytest.raises(ConfigError, match="nothing answers"):
        create_backend(
            "orchestrator",
            Settings(
                orchestrator="kubeflow", sections={"kubeflow": {"host": "http://127.0.0.1:9"}}, workspace=tmp_path / "w"
            ),
        )
