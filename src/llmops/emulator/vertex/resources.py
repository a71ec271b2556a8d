"""The emulator's model service (shared by every Vertex AI route), its canned-responses file,
and the Vertex resource shapes of its records: publisher models, tuned models, endpoints and
tuning jobs.

Resource names: the model service keeps relative names (`models/<id>`, `endpoints/<id>`,
`tuningJobs/<id>`); a resource is answered under the project and location the request named
(the emulator keeps one registry for every project).
"""

from __future__ import annotations

from typing import Any

from ...core.types import Endpoint, TunedModel, TuningJob
from ..server.errors import ApiError, bad_request
from .engine.base_model import GEMINI_MODELS, PALM_MODELS, canonical_base

BASE_MODEL_LABEL = "google-vertex-llm-tuning-base-model-id"
"""The label vertexai.language_models filters tuned models by (`text-bison-001`)."""

TEXT_INSTANCE_SCHEMA = "gs://google-cloud-aiplatform/schema/predict/instance/text_generation_1.0.0.yaml"
_SCHEMA_ROOT = "gs://google-cloud-aiplatform/schema/predict"
TERMINAL_JOB_STATES = frozenset({"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"})
DEPLOYED_CREATE_TIME = "2023-08-01T00:00:00Z"


def base_label(base_model: str) -> str:
    """`text-bison@001` -> `text-bison-001` (labels cannot hold `@`)."""
    return base_model.removeprefix("publishers/google/models/").replace("@", "-")


def model_id(name: str) -> str:
    return name.rsplit("/", 1)[-1].split("@", 1)[0]


# --- publisher models ----------------------------------------------------------------------


def publisher_model(model: str) -> dict[str, Any] | None:
    """A publisher model resource (what `TextGenerationModel.from_pretrained` reads), or None
    when the emulator has no such model. The name carries no `@version` (the SDK derives the
    tuning model id from the last segment)."""
    base = canonical_base(model)
    if base is None:
        return None
    short, _, version = base.partition("@")
    out: dict[str, Any] = {
        "name": f"publishers/google/models/{short}",
        "versionId": version or "001",
        "openSourceCategory": "PROPRIETARY",
        "launchStage": "GA",
        "versionState": "VERSION_STATE_STABLE",
        "publisherModelTemplate": f"projects/{{user-project}}/locations/{{location}}/publishers/google/models/{base}",
    }
    if base in PALM_MODELS and short.startswith(("text-", "chat-")):
        kind = "text_generation" if short.startswith("text-") else "chat_generation"
        out["predictSchemata"] = {
            "instanceSchemaUri": f"{_SCHEMA_ROOT}/instance/{kind}_1.0.0.yaml",
            "parametersSchemaUri": f"{_SCHEMA_ROOT}/params/{kind}_1.0.0.yaml",
            "predictionSchemaUri": f"{_SCHEMA_ROOT}/prediction/{kind}_1.0.0.yaml",
        }
    return out


def base_model_names() -> list[str]:
    return [*PALM_MODELS, *GEMINI_MODELS]


# --- tuned models and endpoints ------------------------------------------------------------


def model_resource(m: TunedModel, prefix: str) -> dict[str, Any]:
    ident = model_id(m.name)
    out: dict[str, Any] = {
        "name": f"{prefix}/models/{ident}",
        "displayName": m.display_name,
        "versionId": "1",
        "versionAliases": ["default", *m.aliases],
        "createTime": m.created,
        "updateTime": m.created,
        "labels": {BASE_MODEL_LABEL: base_label(m.base_model), "tune-type": "supervised"},
        "metadata": {"baseModel": m.base_model, "tuningJob": f"{prefix}/{m.job}", "trainingDatasetUri": m.train_uri},
    }
    if m.endpoint:
        out["deployedModels"] = [{"endpoint": f"{prefix}/{m.endpoint}", "deployedModelId": model_id(m.endpoint)}]
    return out


def endpoint_resource(e: Endpoint, model: TunedModel | None, prefix: str) -> dict[str, Any]:
    ident = model_id(e.name)
    deployed: dict[str, Any] = {"id": ident, "model": f"{prefix}/models/{model_id(e.model)}", "modelVersionId": "1"}
    if model is not None:
        deployed["displayName"] = model.display_name
    return {
        "name": f"{prefix}/endpoints/{ident}",
        "displayName": model.display_name if model else ident,
        "deployedModels": [deployed],
        "trafficSplit": {ident: 100},
        "createTime": DEPLOYED_CREATE_TIME,
        "updateTime": DEPLOYED_CREATE_TIME,
    }


def label_filter(expression: str | None) -> dict[str, str | None]:
    """`labels.k="v" AND labels.k2:* AND display_name="x"` -> {"labels.k": v, "labels.k2": None,
    "displayName": "x"} (None: the label is present); a 400 naming the first term that is anything
    else."""
    if not expression or not expression.strip():
        return {}
    out: dict[str, str | None] = {}
    for term in [t.strip() for t in expression.replace(" and ", " AND ").split(" AND ")]:
        if term.endswith(":*"):
            key, value = term[:-2].strip(), None
        else:
            key, sep, raw = term.partition("=")
            if not sep:
                raise _unsupported_term(term)
            key, value = key.strip(), raw.strip().strip('"')
        if key == "display_name" and value is not None:
            out["displayName"] = value
        elif key.startswith("labels.") and len(key) > len("labels."):
            out[key] = value
        else:
            raise _unsupported_term(term)
    return out


def _unsupported_term(term: str) -> ApiError:
    return bad_request(
        f'Unsupported filter term {term}: the emulator filters on labels.KEY="VALUE", labels.KEY:* and '
        'display_name="NAME"',
        location="filter",
    )


def labels_match(resource: dict[str, Any], wanted: dict[str, str | None]) -> bool:
    """Whether `resource` (with `labels` and `displayName`) satisfies a `label_filter`."""
    labels = resource.get("labels") or {}
    for key, value in wanted.items():
        if key == "displayName":
            if resource.get("displayName") != value:
                return False
        elif not ((key[7:] in labels) if value is None else labels.get(key[7:]) == value):
            return False
    return True


# --- tuning jobs ---------------------------------------------------------------------------


def tuning_job_resource(job: TuningJob, prefix: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
    ident = job.name.rsplit("/", 1)[-1]
    request = request or {}
    spec = request.get("supervisedTuningSpec") or {
        "trainingDatasetUri": job.train_uri,
        **({"validationDatasetUri": job.eval_uri} if job.eval_uri else {}),
    }
    out: dict[str, Any] = {
        "name": f"{prefix}/tuningJobs/{ident}",
        "baseModel": request.get("baseModel") or job.base_model,
        "tunedModelDisplayName": request.get("tunedModelDisplayName") or job.display_name,
        "supervisedTuningSpec": spec,
        "state": job.state,
        "createTime": job.created,
        "updateTime": job.updated,
    }
    if request.get("description"):
        out["description"] = request["description"]
    if request.get("labels"):
        out["labels"] = request["labels"]
    if job.state != "JOB_STATE_PENDING":
        out["startTime"] = job.created
    if job.state in TERMINAL_JOB_STATES:
        out["endTime"] = job.updated
    if job.tuned_model is not None:
        tm = job.tuned_model
        out["tunedModel"] = {"model": f"{prefix}/models/{model_id(tm.name)}@1"}
        if tm.endpoint:
            out["tunedModel"]["endpoint"] = f"{prefix}/endpoints/{model_id(tm.endpoint)}"
    if job.error:
        out["error"] = {"code": 3, "message": job.error}
    return out
