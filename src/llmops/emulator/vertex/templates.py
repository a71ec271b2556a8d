"""An offline stand-in for Google's `tune-large-model` v2.0.0 pipeline template.

The emulator keeps it in its Cloud Storage as `gs://ml-pipeline/large-language-model-pipelines/
tune-large-model/v2.0.0.yaml` (aiplatform's `PipelineJob(template_path=...)` loads `gs://`
paths through the storage client; it refuses `http://` URLs), and serves it over HTTP at
`/kfp-templates/ml-pipeline/large-language-model-pipelines/tune-large-model/v2.0.0` (the Artifact
Registry path after `https://us-kfp.pkg.dev/`). The compiled YAML ships with the package
(`tune-large-model-v2.0.0.yaml`, compiled from `template_components`; the tests check it is current).

It is a compiled kfp pipeline with the template's name and parameters (every one
`TextGenerationModel.tune_model` can send). Its two tasks call the emulator's Vertex AI API:
`tune-and-evaluate` runs a `tuningJobs` job on `dataset_uri` and scores the tuned model on
`evaluation_data_uri` (exact match and token F1, a Metrics artifact); `upload-llm-model` outputs
`model_resource_name` in `location` (what `_LanguageModelTuningJob.get_tuned_model` reads).
The emulator's address is the hidden parameter `llmops_emulator_endpoint`, which the emulator's
`pipelineJobs` fills in when the caller leaves it out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..server.errors import not_found

TEMPLATE_PATH = "ml-pipeline/large-language-model-pipelines/tune-large-model/v2.0.0"
TEMPLATE_BUCKET = "ml-pipeline"
TEMPLATE_OBJECT = "large-language-model-pipelines/tune-large-model/v2.0.0.yaml"
TEMPLATE_FILE = Path(__file__).with_name("tune-large-model-v2.0.0.yaml")
ENDPOINT_PARAMETER = "llmops_emulator_endpoint"


def install(storage: Any) -> None:
    """Put the template into the emulator's Cloud Storage (once)."""
    if not storage.bucket_exists(TEMPLATE_BUCKET):
        storage.create_bucket(TEMPLATE_BUCKET)
    if not storage.exists(TEMPLATE_BUCKET, TEMPLATE_OBJECT):
        storage.put_bytes(TEMPLATE_BUCKET, TEMPLATE_OBJECT, TEMPLATE_FILE.read_bytes())


async def serve_template(request: Request) -> Response:
    """`GET /kfp-templates/{Artifact Registry path}`: the stand-in template as YAML."""
    path = request.url.path.removeprefix("/kfp-templates/").strip("/")
    if path not in (TEMPLATE_PATH, f"{TEMPLATE_PATH.rsplit('/', 1)[0]}/latest"):
        raise not_found(
            f"No pipeline template at {path!r}; the emulator serves {TEMPLATE_PATH} (tune-large-model v2.0.0)"
        )
    return Response(await run_in_threadpool(TEMPLATE_FILE.read_bytes), media_type="application/x-yaml")


def with_endpoint(spec: dict[str, Any], params: dict[str, Any], endpoint: str) -> dict[str, Any]:
    """`params` plus the emulator's address for a pipeline that declares `ENDPOINT_PARAMETER`
    and was not given it."""
    declared = ((spec.get("root") or {}).get("inputDefinitions") or {}).get("parameters") or {}
    if ENDPOINT_PARAMETER in declared and not params.get(ENDPOINT_PARAMETER):
        return {**params, ENDPOINT_PARAMETER: endpoint.rstrip("/")}
    return params
