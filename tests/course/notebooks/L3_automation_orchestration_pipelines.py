# ruff: noqa  (the course's code as written)
# The course's L3 notebook (pipelines), cell by cell. Its first PipelineJob is submitted before
# the notebook authenticates, so the import cell (with its call) comes first. The tuning cells
# run as written but for the template's address (one line; see docs/course-offline.md), on an
# emulator started with `--local-files` in the notebook's folder.
from llmops.offline import offline_authenticate as authenticate  # was: from utils import authenticate

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

### these are the same
### jsonl files from the previous lab

### time stamps have been removed so that
### the files are consistent for all learners
TRAINING_DATA_URI = "./tune_data_stack_overflow_python_qa.jsonl"
EVAUATION_DATA_URI = "./tune_eval_data_stack_overflow_python_qa.jsonl"

### path to the pipeline file to reuse
### the file is provided in your workspace as well
template_path = "gs://ml-pipeline/large-language-model-pipelines/tune-large-model/v2.0.0.yaml"  # was: 'https://us-kfp.pkg.dev/ml-pipeline/large-language-model-pipelines/tune-large-model/v2.0.0'

import datetime

date = datetime.datetime.now().strftime("%H:%d:%m:%Y")

MODEL_NAME = f"deep-learning-ai-model-{date}"

TRAINING_STEPS = 200
EVALUATION_INTERVAL = 20

credentials, PROJECT_ID = authenticate()

REGION = "us-central1"

pipeline_arguments = {
    "model_display_name": MODEL_NAME,
    "location": REGION,
    "large_model_reference": "text-bison@001",
    "project": PROJECT_ID,
    "train_steps": TRAINING_STEPS,
    "dataset_uri": TRAINING_DATA_URI,
    "evaluation_interval": EVALUATION_INTERVAL,
    "evaluation_data_uri": EVAUATION_DATA_URI,
}

from google.cloud.aiplatform import PipelineJob

pipeline_root = "./"  # the course's cell reads `pipeline_root "./"` (a typo)

tuning_job = PipelineJob(  # the course reuses the name `job`; the runner waits on both
    ### path of the yaml file to execute
    template_path=template_path,
    ### name of the pipeline
    display_name=f"deep_learning_ai_pipeline-{date}",
    ### pipeline arguments (inputs)
    parameter_values=pipeline_arguments,
    ### region of execution
    location=REGION,
    ### root is where temporary files are being
    ### stored by the execution engine
    pipeline_root=pipeline_root,
    ### enable_caching=True will save the outputs
    ### of components for re-use, and will only re-run those
    ### components for which the code or data has changed.
    enable_caching=True,
)

### submit for execution
tuning_job.submit()

### check to see the status of the job
tuning_job.state
