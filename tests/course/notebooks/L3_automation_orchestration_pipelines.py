# ruff: noqa  (the course's code as written)
# The course's L3 notebook (pipelines), cell by cell. Its first PipelineJob is submitted before
# the notebook authenticates, so the import cell (with its call) comes first; the
# tune-large-model template cell is replaced by `llmops tune` (see docs/course-offline.md).
from llmops.testing import offline_authenticate as authenticate  # was: from utils import authenticate

authenticate()

from kfp import dsl
from kfp import compiler

import warnings

warnings.filterwarnings("ignore", category=FutureWarning, module="kfp.*")


@dsl.component
def say_hello(name: str) -> str:
    hello_text = f"Hello, {name}!"

    return hello_text


hello_task = say_hello(name="Erwin")
print(hello_task)
print(hello_task.output)


@dsl.component
def how_are_you(hello_text: str) -> str:
    how_are_you = f"{hello_text}. How are you?"

    return how_are_you


@dsl.pipeline
def hello_pipeline(recipient: str) -> str:
    # notice, just recipient and not recipient.output
    hello_task = say_hello(name=recipient)

    # notice .output
    how_task = how_are_you(hello_text=hello_task.output)

    # notice .output
    return how_task.output


compiler.Compiler().compile(hello_pipeline, "pipeline.yaml")

pipeline_arguments = {
    "recipient": "World!",
}

import google.cloud.aiplatform as aiplatform

job = aiplatform.PipelineJob(
    ### path of the yaml file to execute
    template_path="pipeline.yaml",
    ### name of the pipeline
    display_name=f"deep_learning_ai_pipeline",
    ### pipeline arguments (inputs)
    ### {"recipient": "World!"} for this example
    parameter_values=pipeline_arguments,
    ### region of execution
    location="us-central1",
    ### root is where temporary files are being
    ### stored by the execution engine
    pipeline_root="./",
)

### submit for execution
job.submit()

### check to see the status of the job
job.state
