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

import hashlib
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..server.errors import bad_request, not_found

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


LOCAL_FILE_PARAMETERS = ("dataset_uri", "evaluation_data_uri")
STAGING_BUCKET_SUFFIX = "-llmops-local-files"


def stage_local_files(
    spec: dict[str, Any], params: dict[str, Any], storage: Any, root: Path | None, project: str
) -> dict[str, Any]:
    """`params` with the template's dataset paths that name local files (`./train.jsonl`, as the
    course passes them) copied into the emulator's Cloud Storage and replaced by their `gs://` URIs.

    Only for the stand-in template, and only files under `root` (`llmops emulator start
    --local-files DIR`): an absolute path or one leaving `root` is refused."""
    declared = ((spec.get("root") or {}).get("inputDefinitions") or {}).get("parameters") or {}
    if ENDPOINT_PARAMETER not in declared:
        return params
    staged = dict(params)
    for key in LOCAL_FILE_PARAMETERS:
        value = params.get(key)
        if not isinstance(value, str) or not value or value.startswith("gs://"):
            continue
        where = f"runtimeConfig.parameterValues.{key}"
        if root is None:
            raise bad_request(
                f"{key} {value!r} is a local path; upload it to gs:// or start the emulator with "
                "--local-files DIR (the folder holding it)",
                location=where,
            )
        base = root.resolve()
        path = (base / value).resolve()
        if Path(value).is_absolute() or not path.is_relative_to(base):
            raise bad_request(
                f"{key} {value!r} is outside the emulator's local files folder {base}; "
                "name a file under it by a relative path",
                location=where,
            )
        if not path.is_file():
            raise bad_request(f"{key} {value!r}: no such file under {base}", location=where)
        data = path.read_bytes()
        bucket = f"{project}{STAGING_BUCKET_SUFFIX}"
        if not storage.bucket_exists(bucket):
            storage.create_bucket(bucket)
        name = f"{hashlib.sha256(data).hexdigest()[:16]}/{path.name}"
        if not storage.exists(bucket, name):
            storage.put_bytes(bucket, name, data)
        staged[key] = f"gs://{bucket}/{name}"
    return staged
