"""The end-to-end pipeline's compiled package, and the checks for the three common mistakes.

(No `from __future__ import annotations`: kfp reads the components' annotations.)"""

import textwrap
import warnings

import kfp.components
import pytest
import yaml
from kfp import dsl

from llmops.core import pipeline as core_pipeline
from llmops.core.config import Settings
from llmops.core.pipeline_checks import (
    PipelineCheckError,
    check_pipeline,
    check_pipeline_source,
    reword_kfp_error,
)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    path = tmp_path_factory.mktemp("compiled") / "pipeline.yaml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        core_pipeline.compile_default(Settings(workspace=tmp_path_factory.mktemp("ws")), path)
    return path


def test_compiled_package_loads_with_kfp(compiled):
    component = kfp.components.load_component_from_file(str(compiled))
    assert component.name == core_pipeline.PIPELINE_NAME
    inputs = component.component_spec.inputs
    assert "settings" in inputs and inputs["settings"].default is None  # handed in at run time
    assert set(component.component_spec.outputs) == {"dataset_version", "tuned_model", "endpoint"}


def test_pipeline_is_made_of_three_sub_pipelines(compiled):
    spec = yaml.safe_load(compiled.read_text())
    root_tasks = spec["root"]["dag"]["tasks"]
    assert {t["componentRef"]["name"] for t in root_tasks.values()} == {
        "comp-data-preparation",
        "comp-model-training",
        "comp-model-evaluation",
    }
    assert "dag" in spec["components"]["comp-model-training"]
    executors = spec["deploymentSpec"]["executors"]
    assert set(executors) == {
        "exec-prepare-data",
        "exec-tune-model",
        "exec-deploy-model",
        "exec-evaluate-model",
        "exec-evaluate-model-2",
    }


def test_datasets_models_and_metrics_travel_as_artifacts(compiled):
    comps = yaml.safe_load(compiled.read_text())["components"]
    out = comps["comp-prepare-data"]["outputDefinitions"]["artifacts"]
    assert out["train_data"]["artifactType"]["schemaTitle"] == "system.Dataset"
    assert out["eval_data"]["artifactType"]["schemaTitle"] == "system.Dataset"
    assert (
        comps["comp-tune-model"]["inputDefinitions"]["artifacts"]["train_data"]["artifactType"]["schemaTitle"]
        == "system.Dataset"
    )
    assert (
        comps["comp-tune-model"]["outputDefinitions"]["artifacts"]["model"]["artifactType"]["schemaTitle"]
        == "system.Model"
    )
    assert (
        comps["comp-evaluate-model"]["outputDefinitions"]["artifacts"]["metrics"]["artifactType"]["schemaTitle"]
        == "system.Metrics"
    )
    # no component input is a path string: files move as artifacts
    for comp in comps.values():
        for name in (comp.get("inputDefinitions") or {}).get("parameters") or {}:
            assert "path" not in name and "uri" not in name


def test_components_import_llmops_and_need_no_network(compiled):
    executors = yaml.safe_load(compiled.read_text())["deploymentSpec"]["executors"]
    for executor in executors.values():
        container = executor["container"]
        text = " ".join(container["command"] + container["args"])
        assert "pip install" not in text
        assert "import llmops" in text
        assert container["image"] == core_pipeline.DEFAULT_IMAGE


def test_component_image_comes_from_settings(tmp_path):
    path = tmp_path / "p.yaml"
    settings = Settings(workspace=tmp_path / "ws", component_image="europe-docker.pkg.dev/p/r/llmops:1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        core_pipeline.compile_default(settings, path)
    images = {e["container"]["image"] for e in yaml.safe_load(path.read_text())["deploymentSpec"]["executors"].values()}
    assert images == {"europe-docker.pkg.dev/p/r/llmops:1"}


def test_compilation_is_deterministic(compiled, tmp_path):
    again = tmp_path / "again.yaml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        core_pipeline.compile_default(Settings(workspace=tmp_path / "ws"), again)
    assert again.read_bytes() == compiled.read_bytes()  # same package, same cache keys


def test_default_parameters_hand_the_settings_in(tmp_path):
    settings = Settings(workspace=tmp_path)
    params = core_pipeline.default_parameters(settings, eval_limit=5)
    assert params["settings"]["workspace"] == str(tmp_path.resolve())
    assert None not in params["settings"].values()
    assert Settings.from_json_dict(params["settings"]) == settings
    assert params["base_model"] == "text-bison@001" and params["eval_limit"] == 5


# ---------------------------------------------------------------- the three mistakes


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def say_hello(name: str) -> str:
    return f"Hello, {name}!"


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def how_are_you(hello_text: str) -> str:
    return f"{hello_text}. How are you?"


def positional(recipient: str) -> str:
    hello_task = say_hello(recipient)
    return hello_task.output


def task_for_output(recipient: str) -> str:
    hello_task = say_hello(name=recipient)
    how_task = how_are_you(hello_text=hello_task)
    return how_task.output


def returns_task(recipient: str) -> str:
    hello_task = say_hello(name=recipient)
    how_task = how_are_you(hello_text=hello_task.output)
    return how_task


def correct(recipient: str) -> str:
    hello_task = say_hello(name=recipient)
    how_task = how_are_you(hello_text=hello_task.output)
    return how_task.output


def test_positional_arguments_are_caught_with_the_fix():
    with pytest.raises(PipelineCheckError) as err:
        check_pipeline(positional)
    assert err.value.kind == "positional-arguments"
    assert "say-hello" in str(err.value)
    assert "say_hello(name=recipient)" in err.value.fix
    assert err.value.line == positional.__code__.co_firstlineno + 1


def test_a_task_passed_for_its_output_is_caught_with_the_fix():
    with pytest.raises(PipelineCheckError) as err:
        check_pipeline(task_for_output)
    assert err.value.kind == "task-instead-of-output"
    assert "hello_text=hello_task.output" in err.value.fix


def test_returning_the_task_is_caught_with_the_fix():
    with pytest.raises(PipelineCheckError) as err:
        check_pipeline(returns_task)
    assert err.value.kind == "returns-task"
    assert "return how_task.output" in err.value.fix


def test_a_correct_pipeline_passes_and_compiles(tmp_path):
    check_pipeline(correct)
    built = dsl.pipeline(correct)
    check_pipeline(built)  # a decorated pipeline is checked through its function
    path = core_pipeline.compile_pipeline(built, tmp_path / "ok.yaml")
    assert kfp.components.load_component_from_file(str(path)).name == "correct"


@pytest.mark.parametrize(
    "func, kind",
    [(positional, "positional-arguments"), (task_for_output, "task-instead-of-output"), (returns_task, "returns-task")],
)
def test_kfp_own_errors_are_reworded(func, kind):
    """What kfp raises at @dsl.pipeline time, for the same mistakes, becomes the same message."""
    with pytest.raises((TypeError, ValueError)) as raw:
        dsl.pipeline(func)
    reworded = reword_kfp_error(raw.value, func.__name__)
    assert reworded is not None and reworded.kind == kind
    assert "test_pipeline.py" in str(reworded)  # points at the user's line, not kfp's
    assert reword_kfp_error(ValueError("something else")) is None


COURSE_SOURCE = textwrap.dedent(
    """
    from kfp import dsl, compiler

    @dsl.component
    def say_hello(name: str) -> str:
        hello_text = f'Hello, {name}!'
        return hello_text

    @dsl.component
    def how_are_you(hello_text: str) -> str:
        how_are_you = f"{hello_text}. How are you?"
        return how_are_you

    @dsl.pipeline
    def hello_pipeline(recipient: str) -> str:
        hello_task = say_hello(name=recipient)
        how_task = how_are_you(hello_text=hello_task.output)
        return how_task.output
    """
)


def test_source_checks_pass_the_course_pipeline():
    check_pipeline_source(COURSE_SOURCE, "pipeline.py")


@pytest.mark.parametrize(
    "old, new, kind, fix",
    [
        ("say_hello(name=recipient)", "say_hello(recipient)", "positional-arguments", "say_hello(name=recipient)"),
        (
            "hello_text=hello_task.output",
            "hello_text=hello_task",
            "task-instead-of-output",
            "hello_text=hello_task.output",
        ),
        ("return how_task.output", "return how_task", "returns-task", "return how_task.output"),
    ],
)
def test_source_checks_catch_each_mistake_before_import(old, new, kind, fix):
    source = COURSE_SOURCE.replace(old, new)
    with pytest.raises(PipelineCheckError) as err:
        check_pipeline_source(source, "pipeline.py")
    assert err.value.kind == kind
    assert fix in err.value.fix
    assert err.value.line == source.splitlines().index(next(line for line in source.splitlines() if new in line)) + 1
    assert "pipeline.py" in str(err.value)


def test_source_checks_cover_loaded_components_and_named_tuples():
    source = textwrap.dedent(
        """
        from typing import NamedTuple
        from kfp import dsl, components
        op = components.load_component_from_file("op.yaml")

        @dsl.pipeline(name="p")
        def p(x: str) -> NamedTuple("Out", a=str):
            t = op(text=x)
            Out = NamedTuple("Out", a=str)
            return Out(a=t)
        """
    )
    with pytest.raises(PipelineCheckError) as err:
        check_pipeline_source(source)
    assert err.value.kind == "returns-task"


def test_source_with_a_syntax_error_is_one_line():
    with pytest.raises(PipelineCheckError, match="not valid Python"):
        check_pipeline_source("def f(:\n", "bad.py")
