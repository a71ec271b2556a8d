"""The workflow as a Kubeflow pipeline: kfp components for data preparation, tuning, deployment
and evaluation, composed as the course composes them — sub-pipelines (data preparation,
training, evaluation) joined into one end-to-end pipeline.

Every component is a lightweight Python component that imports llmops inside its body and
receives the resolved settings as a parameter (`settings: dict`, `Settings.to_json_dict()`);
it builds a `Session` from them and calls the core functions. So the compiled YAML holds no
backend choice: the orchestrator that runs it hands the settings in (the local orchestrator
fills the `settings` input itself), and the same package runs locally or on Vertex AI
Pipelines, where `settings.component_image` names an image with llmops installed.

Datasets, models, endpoints and metrics travel between tasks as kfp artifacts. A prepared
split's artifact points at the dataset version's own file (content-addressed, immutable), so
the lineage of a run leads straight to the version.

This module imports kfp; import it only where pipelines are built or compiled. (No
`from __future__ import annotations` here: kfp reads the component signatures' annotations.)
"""

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Input, Metrics, Model, Output

from .pipeline_checks import (  # noqa: F401 - re-exported: the checks belong to the pipeline API
    PipelineCheckError,
    check_pipeline,
    check_pipeline_file,
    check_pipeline_source,
    reword_kfp_error,
)
from .prompts import DEFAULT_TEMPLATE

PIPELINE_NAME = "llmops-end-to-end"
DEFAULT_IMAGE = "python:3.11"
"""kfp's default base image. Fine for the local runner (it uses this Python environment);
on Vertex AI set `component_image` to an image with llmops installed."""


# ---------------------------------------------------------------- components (plain functions)
# Each runs in its own process (locally) or container (Vertex); everything is imported inside.


def prepare_data(
    settings: dict,
    query: str,
    template: str,
    eval_fraction: float,
    seed: int,
    data_format: str,
    train_data: Output[Dataset],
    eval_data: Output[Dataset],
) -> str:
    """Build (or find) the dataset version and hand its train and eval splits on."""
    import llmops
    from llmops.core import data

    with llmops.Session(llmops.Settings.from_json_dict(settings)) as session:
        fmt = data_format or session.model.tuning_format
        version = data.prepare(
            session, query=query or None, template=template, eval_fraction=eval_fraction, seed=seed, format=fmt
        )
    for artifact, split in ((train_data, version.train), (eval_data, version.eval)):
        artifact.uri = split.uri  # the version's own immutable file, not a copy
        artifact.metadata.update(
            dataset_version=version.version,
            rows=split.rows,
            sha256=split.sha256,
            format=version.manifest.get("format", fmt),
        )
    print(f"dataset version {version.version}: {version.train.rows} train / {version.eval.rows} eval rows")
    return version.version


def tune_model(
    settings: dict,
    train_data: Input[Dataset],
    eval_data: Input[Dataset],
    base_model: str,
    epochs: int,
    display_name: str,
    model: Output[Model],
) -> str:
    """Tune the base model on the training split; wait for the job; describe the tuned model."""
    import json
    import time

    import llmops

    terminal = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"}
    with llmops.Session(llmops.Settings.from_json_dict(settings)) as session:
        tuner = llmops.require(session.model, llmops.Tuner)
        base = base_model or session.settings.base_model
        job = tuner.tune(base, train_data.uri, eval_data.uri, epochs=epochs, display_name=display_name or None)
        while job.state not in terminal:  # remote providers tune asynchronously
            time.sleep(10)
            job = tuner.get_tuning_job(job.name)
        if job.state != "JOB_STATE_SUCCEEDED" or job.tuned_model is None:
            raise RuntimeError(f"tuning job {job.name} ended {job.state}: {job.error or 'no tuned model'}")
        tuned = job.tuned_model
    model.metadata.update(
        tuned_model=tuned.name,
        tuning_job=job.name,
        base_model=base,
        display_name=tuned.display_name,
        dataset_version=train_data.metadata.get("dataset_version", ""),
    )
    with open(model.path, "w", encoding="utf-8") as f:
        json.dump(job.to_dict(), f, indent=2, default=str)
    print(f"tuning job {job.name}: tuned model {tuned.name}")
    return tuned.name


def deploy_model(settings: dict, model: Input[Model], endpoint: Output[Artifact]) -> str:
    """Deploy the tuned model to an endpoint."""
    import json

    import llmops

    with llmops.Session(llmops.Settings.from_json_dict(settings)) as session:
        deployed = llmops.require(session.model, llmops.Deployer).deploy(model.metadata["tuned_model"])
    endpoint.metadata.update(endpoint=deployed.name, tuned_model=deployed.model, endpoint_uri=deployed.uri or "")
    with open(endpoint.path, "w", encoding="utf-8") as f:
        json.dump({"name": deployed.name, "model": deployed.model, "uri": deployed.uri}, f, indent=2)
    print(f"endpoint {deployed.name} serves {deployed.model}")
    return deployed.name


def evaluate_model(
    settings: dict,
    eval_data: Input[Dataset],
    model_name: str,
    label: str,
    limit: int,
    metrics: Output[Metrics],
    predictions: Output[Dataset],
) -> None:
    """Answer the evaluation split with one model and score the answers."""
    import json

    import llmops
    from llmops.core import evaluation

    with llmops.Session(llmops.Settings.from_json_dict(settings)) as session:
        examples = evaluation.read_examples(session, eval_data.uri, limit if limit > 0 else None)
        result = evaluation.evaluate(
            session, examples, model=model_name or None, dataset_version=eval_data.metadata.get("dataset_version")
        )
    for key, value in result.metrics.items():
        metrics.log_metric(key, value)
    # The metrics also go to the artifact's file: kfp's local cache counts an artifact whose
    # file is missing as a miss, and a file is what other tools can read.
    with open(metrics.path, "w", encoding="utf-8") as f:
        json.dump(result.metrics, f, indent=2)
    evaluation.write_predictions(result, predictions.path, examples)
    predictions.metadata.update(
        label=label,
        model=result.model,
        examples=result.examples,
        dataset_version=eval_data.metadata.get("dataset_version", ""),
    )
    print(f"{label} model {result.model} on {result.examples} examples: {result.metrics}")


COMPONENT_FUNCTIONS = (prepare_data, tune_model, deploy_model, evaluate_model)


# ---------------------------------------------------------------- composition


class Components(NamedTuple):
    prepare_data: Any
    tune_model: Any
    deploy_model: Any
    evaluate_model: Any


def components(base_image: str | None = None) -> Components:
    """The four kfp components, built on `base_image`. kfp is not asked to pip-install itself
    or anything else: the image (or, locally, this environment) provides llmops and kfp."""
    image = base_image or DEFAULT_IMAGE

    def make(fn: Callable[..., Any]) -> Any:
        return dsl.component(fn, base_image=image, install_kfp_package=False, packages_to_install=[])

    return Components(*(make(fn) for fn in COMPONENT_FUNCTIONS))


class Pipelines(NamedTuple):
    data_preparation: Any
    model_training: Any
    model_evaluation: Any
    end_to_end: Any


# The sub-pipelines' outputs: kfp reads these classes' field annotations as the output types.
class DataOutputs(NamedTuple):
    train_data: Dataset
    eval_data: Dataset
    dataset_version: str


class TrainingOutputs(NamedTuple):
    model: Model
    tuned_model: str
    endpoint: str


class Outputs(NamedTuple):
    dataset_version: str
    tuned_model: str
    endpoint: str


def build_pipeline(base_image: str | None = None) -> Any:
    """The end-to-end pipeline (a kfp pipeline function), made of three sub-pipelines."""
    return build_pipelines(base_image).end_to_end


def build_pipelines(base_image: str | None = None) -> Pipelines:
    """The three sub-pipelines (data preparation, training, evaluation) and the end-to-end
    pipeline that joins them, on components built on `base_image`."""
    c = components(base_image)

    @dsl.pipeline(name="data-preparation", description="Warehouse query -> versioned instruction dataset.")
    def data_preparation(
        settings: dict,
        query: str = "",
        template: str = DEFAULT_TEMPLATE,
        eval_fraction: float = 0.2,
        seed: int = 42,
        data_format: str = "",
    ) -> DataOutputs:
        prepared = c.prepare_data(
            settings=settings,
            query=query,
            template=template,
            eval_fraction=eval_fraction,
            seed=seed,
            data_format=data_format,
        )
        return DataOutputs(
            train_data=prepared.outputs["train_data"],
            eval_data=prepared.outputs["eval_data"],
            dataset_version=prepared.outputs["Output"],
        )

    @dsl.pipeline(name="model-training", description="Tune the base model, then deploy it.")
    def model_training(
        settings: dict,
        train_data: Input[Dataset],
        eval_data: Input[Dataset],
        base_model: str = "",
        epochs: int = 1,
        display_name: str = "",
    ) -> TrainingOutputs:
        tuned = c.tune_model(
            settings=settings,
            train_data=train_data,
            eval_data=eval_data,
            base_model=base_model,
            epochs=epochs,
            display_name=display_name,
        )
        deployed = c.deploy_model(settings=settings, model=tuned.outputs["model"])
        return TrainingOutputs(
            model=tuned.outputs["model"], tuned_model=tuned.outputs["Output"], endpoint=deployed.outputs["Output"]
        )

    @dsl.pipeline(name="model-evaluation", description="Score the base and the tuned model on the held-out split.")
    def model_evaluation(
        settings: dict,
        eval_data: Input[Dataset],
        tuned_model: str,
        base_model: str = "",
        limit: int = 0,
    ):
        c.evaluate_model(settings=settings, eval_data=eval_data, model_name=base_model, label="base", limit=limit)
        c.evaluate_model(settings=settings, eval_data=eval_data, model_name=tuned_model, label="tuned", limit=limit)

    @dsl.pipeline(
        name=PIPELINE_NAME,
        description="llmops: prepare the instruction dataset, tune and deploy a model, evaluate base vs tuned.",
    )
    def end_to_end(
        settings: dict,
        query: str = "",
        template: str = DEFAULT_TEMPLATE,
        eval_fraction: float = 0.2,
        seed: int = 42,
        data_format: str = "",
        base_model: str = "",
        epochs: int = 1,
        display_name: str = "",
        eval_limit: int = 0,
    ) -> Outputs:
        prepared = data_preparation(
            settings=settings,
            query=query,
            template=template,
            eval_fraction=eval_fraction,
            seed=seed,
            data_format=data_format,
        )
        trained = model_training(
            settings=settings,
            train_data=prepared.outputs["train_data"],
            eval_data=prepared.outputs["eval_data"],
            base_model=base_model,
            epochs=epochs,
            display_name=display_name,
        )
        model_evaluation(
            settings=settings,
            eval_data=prepared.outputs["eval_data"],
            tuned_model=trained.outputs["endpoint"],
            base_model=base_model,
            limit=eval_limit,
        )
        return Outputs(
            dataset_version=prepared.outputs["dataset_version"],
            tuned_model=trained.outputs["tuned_model"],
            endpoint=trained.outputs["endpoint"],
        )

    return Pipelines(data_preparation, model_training, model_evaluation, end_to_end)


def compile_pipeline(pipeline_func: Any, package_path: "str | Path") -> Path:
    """Check a pipeline for the common mistakes, then compile it to a YAML package with kfp's
    compiler (written atomically)."""
    from kfp import compiler

    from .workspace import atomic_path

    check_pipeline(pipeline_func)
    package_path = Path(package_path)
    try:
        with atomic_path(package_path) as tmp:
            yaml_tmp = tmp.with_suffix(".yaml")  # kfp picks the format from the suffix
            try:
                compiler.Compiler().compile(pipeline_func=pipeline_func, package_path=str(yaml_tmp))
                yaml_tmp.replace(tmp)
            finally:
                yaml_tmp.unlink(missing_ok=True)
    except (TypeError, ValueError) as exc:
        reworded = reword_kfp_error(exc, getattr(pipeline_func, "name", None))
        if reworded is not None:
            raise reworded from None
        raise
    return package_path


def compile_default(settings: Any, package_path: "str | Path") -> Path:
    """Compile the end-to-end pipeline for `settings` (its component image) to `package_path`."""
    return compile_pipeline(build_pipeline(getattr(settings, "component_image", None)), package_path)


def default_parameters(settings: Any, **overrides: Any) -> dict:
    """The end-to-end pipeline's run parameters for a session: its settings and base model."""
    params: dict = {
        "settings": {k: v for k, v in copy.deepcopy(settings.to_json_dict()).items() if v is not None},
        "base_model": settings.base_model,
    }
    params.update({k: v for k, v in overrides.items() if v is not None})
    return params
