"""Vertex AI REST (`/v1` and `/v1beta1`) over the emulated model service and kfp's local runner.

Served, under `projects/{p}/locations/{l}/` unless noted:

- `publishers/google/models/{m}`: GET (also without the project prefix, as
  `TextGenerationModel.from_pretrained` asks), `:generateContent`, `:streamGenerateContent`
  (`?alt=sse` or a JSON array), `:countTokens`, and the legacy text models' `:predict`;
- `models` (list, with `labels.k="v"` filters), `models/{id}` (GET, `:generateContent`,
  `:streamGenerateContent`, `:predict`, `:mergeVersionAliases`);
- `endpoints` (list, create), `endpoints/{id}` (GET, DELETE, `:predict`, `:generateContent`,
  `:streamGenerateContent`, `:deployModel`, `:undeployModel`; see `endpoints`), `operations`;
- `publishers/google/models` without a project (list), `models/{id}` PATCH (see `models`);
- `batchPredictionJobs` (see `batch`); chat-bison `:predict` and `:serverStreamingPredict`
  (see `legacy_chat`); `/kfp-templates/...` (see `templates`);
- `endpoints/openapi/chat/completions`: the OpenAI-compatible Chat Completions (see `openai_compat`);
- `tuningJobs` (create, list), `tuningJobs/{id}` (GET, `:cancel`): the emulated tuning on a
  `gs://` JSONL read from the emulator's Cloud Storage;
- `pipelineJobs` (see `vertex_pipeline_routes`);
- `ragCorpora`, `ragCorpora/{c}/ragFiles` and `{location}:retrieveContexts` (see `rag_engine`), the
  grounding tools on `generateContent` (see `grounding_tools`), and
  `reasoningEngines/{e}/sessions` (see `sessions`).
- `datasets` and `datasets/{d}/datasetVersions`: Vertex AI prompt management (see `datasets`).

Admin (not Google's): `/emulator/v1/canned` GET/PUT/POST/DELETE the canned-responses file the
emulated model reads (`{"responses": [...]}`, the format of `engines/canned.py`).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from ...core.errors import ConfigError, LlmopsError, NotFoundError
from ...core.types import GenerationConfig, Prediction, TuningJob
from ...core.workspace import atomic_write_text
from ..server.errors import ApiError, bad_request, not_found, required
from ..server.http import page_of, parse_json, read_body, read_json
from ..server.routing import SegmentRouter
from .batch import BatchJobs
from .caches import CachedContents
from .embeddings import embed_content_response as embed_content
from .embeddings import is_embedding_model
from .embeddings import predict_response as embed_predict
from .embeddings import publisher_resource as embedding_publisher_model
from .embeddings import to_json as embeddings_json
from .endpoints import EndpointsApi, failed_precondition
from .engine.base_model import canonical_base
from .engine.model_registry import now_rfc3339
from .features import prepare
from .generate import (
    gemini_request,
    palm_request,
    palm_response,
    reject_unknown_verb,
)
from .grounding_tools import GroundingTools
from .legacy_chat import chat_predict, is_chat_request, stream_predict
from .logging_config import RequestResponseLogging
from .models import ModelsApi, full_model_resource
from .operations import version_of
from .rag_engine import RagEngine
from .resources import (
    TERMINAL_JOB_STATES,
    label_filter,
    labels_match,
    model_id,
    publisher_model,
    tuning_job_resource,
)
from .sessions import Sessions
from .tokens import compute_response, count_response

if TYPE_CHECKING:
    from .api import VertexApi

GENERATE_VERBS = (
    "generateContent",
    "streamGenerateContent",
    "countTokens",
    "computeTokens",
    "predict",
    "serverStreamingPredict",
)
INLINE_PROMPT_CHARS = 20_000
"""Base-model prompts up to this size are answered on the event loop (see `generate`)."""
TUNING_WAIT_SECONDS = 30.0
"""How long a tuning-job GET waits for a running job to end (the emulated tuning is fast)."""


NOT_EMULATED_FAMILIES = ("imagen-", "imagegeneration", "imagetext", "veo-", "virtual-try-on", "chirp")
"""Publisher model families Vertex serves that the emulator answers with a named 400."""


def _split_verb(segment: str) -> tuple[str, str | None]:
    name, sep, verb = segment.partition(":")
    return name, (verb if sep else None)


def _prefix(project: str, location: str) -> str:
    return f"projects/{project}/locations/{location}"


class VertexHandlers:
    """The Vertex AI routes of one emulator."""

    def __init__(self, state: Any):
        self.state: VertexApi = state
        self._tuning_threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()
        self.requests_dir = state.data_dir / "vertex" / "tuning-requests"
        self.caches = CachedContents(state.data_dir / "vertex" / "cachedContents")
        self.request_logs = RequestResponseLogging(state)
        self.models = ModelsApi(self)
        self.endpoints = EndpointsApi(self)
        self.batch = BatchJobs(self)
        self.rag = RagEngine(state)
        self.grounding = GroundingTools(state, self.rag)
        self.sessions = Sessions(state.data_dir)

    @property
    def service(self) -> Any:
        return self.state.model_service

    # --- predictions -------------------------------------------------------------------------
    def _predict_n(
        self, prompt: str, model: str, gen: GenerationConfig, safety: dict[str, str], n: int
    ) -> list[Prediction]:
        preds = [self.service.predict(prompt, model=model, generation=gen, safety=safety)]
        for i in range(1, n):
            preds.append(
                self.service.predict(
                    prompt, model=model, generation=replace(gen, seed=(gen.seed or 0) + i), safety=safety
                )
            )
        return preds

    async def generate(
        self, request: Request, model: str, verb: str, version: str, extra: dict[str, Any] | None = None
    ) -> Response:
        if verb == "serverStreamingPredict":
            return await stream_predict(self, request, model)
        body = await read_json(request)
        if verb == "predict" and is_chat_request(body):
            return await chat_predict(self, request, model, body)
        if verb == "predict":
            prompts, gen, count = palm_request(body)

            def run() -> list[Prediction]:
                out = []
                for p in prompts:
                    out.extend(self._predict_n(p, model, gen, {}, count))
                return out

            preds = await run_in_threadpool(run)
            return JSONResponse(palm_response(preds, extra))
        cached = self.caches.for_request(body["cachedContent"]) if body.get("cachedContent") else None
        grounding = None
        if body.get("tools") and verb in ("generateContent", "streamGenerateContent"):
            body, grounding = await run_in_threadpool(self.grounding.prepare, body)
        body, feats = prepare(body, model, cached)
        if verb in ("countTokens", "computeTokens"):
            _, gen, _, _ = gemini_request(body)
            await run_in_threadpool(self.service.resolve, model)
            tokens = count_response if verb == "countTokens" else compute_response
            return JSONResponse(tokens(body, gen.system_instruction))
        prompt, gen, safety, count = gemini_request(body)
        if canonical_base(model) is not None and len(prompt) <= INLINE_PROMPT_CHARS and count == 1:
            # A base-model answer takes ~0.1 ms: a thread hop would double the request's cost.
            preds = self._predict_n(prompt, model, gen, safety, count)
        else:
            preds = await run_in_threadpool(self._predict_n, prompt, model, gen, safety, count)
        if verb == "generateContent":
            out = feats.response(preds, version, gen.max_output_tokens)
            if grounding is not None:
                grounding.annotate(out)
            await self.request_logs.record(request, model, verb, body, out, preds)
            return JSONResponse(out)
        chunks = feats.stream(preds, version, gen.max_output_tokens)
        if grounding is not None:
            grounding.annotate_stream(chunks)
        await self.request_logs.record(request, model, verb, body, chunks, preds)
        if request.query_params.get("alt") == "sse":

            async def events():
                for chunk in chunks:
                    yield f"data: {json.dumps(chunk)}\r\n\r\n".encode()

            return StreamingResponse(events(), media_type="text/event-stream")
        return JSONResponse(chunks)

    async def publisher_model(
        self, request: Request, publisher: str, model: str, project: str | None = None, location: str | None = None
    ) -> Response:
        name, verb = _split_verb(model)
        if publisher != "google":
            raise not_found(f"Publisher Model `publishers/{publisher}/models/{name}` is not found.")
        if is_embedding_model(name):
            return await self.embeddings(request, name, verb)
        if request.method == "GET":
            if verb:
                raise reject_unknown_verb(verb, ())
            found = publisher_model(name)
            if found is None:
                raise not_found(f"Publisher Model `publishers/google/models/{name}` is not found.")
            return JSONResponse(found)
        if verb not in GENERATE_VERBS:
            raise reject_unknown_verb(verb or "(none)", GENERATE_VERBS)
        if canonical_base(name) is None:
            where = f"{_prefix(project, location)}/" if project and location else ""
            if name.startswith(NOT_EMULATED_FAMILIES):
                raise ApiError(
                    400,
                    f"Publisher Model `{where}publishers/google/models/{name}` (image and video generation) is "
                    "not emulated: the llmops emulator serves Gemini, PaLM text/chat and embedding models; call "
                    "Vertex AI itself for this model",
                    "failedPrecondition",
                    status="FAILED_PRECONDITION",
                )
            raise not_found(
                f"Publisher Model `{where}publishers/google/models/{name}` was not found or your project "
                "does not have access to it."
            )
        return await self.generate(request, f"publishers/google/models/{name}", verb, name)

    async def embeddings(self, request: Request, name: str, verb: str | None) -> Response:
        if request.method == "GET":
            if verb:
                raise reject_unknown_verb(verb, ())
            return JSONResponse(embedding_publisher_model(name))
        body = await read_json(request)
        if verb == "predict":
            doc = await run_in_threadpool(embed_predict, body, name)
        elif verb == "embedContent":
            doc = await run_in_threadpool(embed_content, body, name)
        else:
            raise reject_unknown_verb(verb or "(none)", ("predict", "embedContent"))
        return Response(await run_in_threadpool(embeddings_json, doc), media_type="application/json")

    async def project_publisher_model(
        self, request: Request, project: str, location: str, publisher: str, model: str
    ) -> Response:
        return await self.publisher_model(request, publisher, model, project, location)

    # --- tuned models --------------------------------------------------------------------------
    async def list_models(self, request: Request, project: str, location: str) -> Response:
        wanted = label_filter(request.query_params.get("filter"))
        prefix = _prefix(project, location)
        models = await run_in_threadpool(self.service.list_tuned_models)
        resources = [full_model_resource(self, m, prefix) for m in models]
        resources = [r for r in resources if labels_match(r, wanted)]
        return JSONResponse(page_of(request, resources, "models"))

    async def model(self, request: Request, project: str, location: str, model: str) -> Response:
        ident, verb = _split_verb(model)
        prefix = _prefix(project, location)
        bare, _, version = ident.partition("@")
        ref = f"models/{bare}" if bare.isdigit() else ident
        if request.method == "DELETE":
            if verb is None and not version:
                return JSONResponse(
                    await run_in_threadpool(self.models.delete, ref, prefix, version_of(request.url.path))
                )
            if verb != "deleteVersion":
                raise reject_unknown_verb(verb or "(none)", ("deleteVersion",))
            await run_in_threadpool(self.models.version_of, ref, version or "1", prefix)
            raise failed_precondition(
                f"Model version {prefix}/models/{ident} is the model's default (and only) version; the default "
                "version cannot be deleted: delete the model instead"
            )
        if request.method == "GET":
            if verb not in (None, "listVersions"):
                raise reject_unknown_verb(verb, ("listVersions",))
            m = await run_in_threadpool(self.models.version_of, ref, version or "1", prefix)
            resource = await run_in_threadpool(full_model_resource, self, m, prefix)
            return JSONResponse({"models": [resource]} if verb else resource)
        if verb == "mergeVersionAliases":
            return await self.models.merge_aliases(request, ref, prefix)
        if verb not in GENERATE_VERBS:
            raise reject_unknown_verb(verb or "(none)", (*GENERATE_VERBS, "mergeVersionAliases"))
        m = await run_in_threadpool(self.models.version_of, ref, version or "1", prefix)
        return await self.generate(request, m.name, verb, f"{prefix}/models/{model_id(m.name)}@1")

    async def upload_model(self, request: Request, project: str, location: str) -> Response:
        raise self.models.upload_refused(_prefix(project, location))

    def _tuned(self, ref: str, full: str) -> Any:
        try:
            return self.service.get_tuned_model(ref)
        except NotFoundError:
            raise not_found(f"Model {full} does not exist.") from None

    # --- tuning jobs ---------------------------------------------------------------------------
    def _local_file(self, uri: str) -> Path:
        """The emulator's file behind a `gs://` URI; NotFoundError naming the URI if absent."""
        if not uri.startswith("gs://"):
            raise ConfigError(
                f"dataset URI {uri!r} is not a gs:// URI",
                fix="upload the JSONL to Cloud Storage and pass its gs:// URI",
            )
        bucket, _, name = uri[len("gs://") :].partition("/")
        try:
            return self.state.storage.open_object(bucket, name)[1]
        except LlmopsError:
            raise NotFoundError(
                f"dataset {uri} does not exist", fix="upload the JSONL file to that URI first"
            ) from None

    def _save_request(self, job_name: str, body: dict[str, Any]) -> None:
        atomic_write_text(self.requests_dir / f"{model_id(job_name)}.json", json.dumps(body))

    def _request_of(self, job_name: str) -> dict[str, Any] | None:
        path = self.requests_dir / f"{model_id(job_name)}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def _create_tuning(self, body: dict[str, Any]) -> TuningJob:
        base = body.get("baseModel")
        if not isinstance(base, str) or not base:
            raise required("baseModel")
        spec = body.get("supervisedTuningSpec")
        if not isinstance(spec, dict) or not spec.get("trainingDatasetUri"):
            raise required("supervisedTuningSpec.trainingDatasetUri")
        if canonical_base(base) is None:
            raise bad_request(f"Base model {base!r} is not supported for tuning by the emulator", location="baseModel")
        hyper = spec.get("hyperParameters") or {}
        try:
            epochs = int(hyper.get("epochCount", 1))
        except (TypeError, ValueError):
            raise bad_request(
                f"Invalid epochCount {hyper.get('epochCount')!r}",
                location="supervisedTuningSpec.hyperParameters.epochCount",
            ) from None
        if epochs < 1:
            raise bad_request(
                f"epochCount must be positive, got {epochs}", location="supervisedTuningSpec.hyperParameters.epochCount"
            )
        display = body.get("tunedModelDisplayName")
        service = self.service
        train = valid = None
        try:
            train = self._local_file(spec["trainingDatasetUri"])
            valid = self._local_file(spec["validationDatasetUri"]) if spec.get("validationDatasetUri") else None
            job = service.tuning.create_job(
                base, str(train), str(valid) if valid else None, epochs=epochs, display_name=display
            )
        except LlmopsError as exc:
            # Vertex accepts the job and fails it; so does the emulator, with the reason.
            stamp = now_rfc3339()
            job = TuningJob(
                name=f"tuningJobs/{service.registry.new_id()}",
                state="JOB_STATE_FAILED",
                base_model=canonical_base(base) or base,
                train_uri=spec["trainingDatasetUri"],
                eval_uri=spec.get("validationDatasetUri"),
                display_name=display,
                error=self._public_message(
                    str(exc), (train, spec["trainingDatasetUri"]), (valid, spec.get("validationDatasetUri"))
                ),
                created=stamp,
                updated=stamp,
            )
            service.registry.save_job(job)
            self._save_request(job.name, body)
            return job
        self._save_request(job.name, body)
        thread = threading.Thread(target=self._run_tuning, args=(job.name,), name=f"tuning-{job.name}", daemon=True)
        with self._lock:
            self._tuning_threads[job.name] = thread
        thread.start()
        return job

    @staticmethod
    def _public_message(message: str, *files: tuple[Path | None, str | None]) -> str:
        """The error with the emulator's file paths put back as the gs:// URIs the client sent."""
        for path, uri in files:
            if path is not None and uri:
                message = message.replace(str(path), uri)
        return message

    def _run_tuning(self, name: str) -> None:
        try:
            self.service.tuning.run_job(name)
        except Exception:  # recorded on the job as FAILED with the reason
            pass
        finally:
            with self._lock:
                self._tuning_threads.pop(name, None)

    async def tuning_jobs(self, request: Request, project: str, location: str) -> Response:
        prefix = _prefix(project, location)
        if request.method == "POST":
            body = await read_json(request)
            job = await run_in_threadpool(self._create_tuning, body)
            return JSONResponse(tuning_job_resource(job, prefix, body))
        jobs = await run_in_threadpool(self.service.list_tuning_jobs)
        resources = [tuning_job_resource(j, prefix, self._request_of(j.name)) for j in jobs]
        return JSONResponse(page_of(request, resources, "tuningJobs"))

    async def tuning_job(self, request: Request, project: str, location: str, job: str) -> Response:
        ident, verb = _split_verb(job)
        prefix = _prefix(project, location)
        name = f"tuningJobs/{ident}"
        if request.method == "POST" and verb != "cancel":
            raise reject_unknown_verb(verb or "(none)", ("cancel",))
        if request.method == "GET" and verb:
            raise reject_unknown_verb(verb, ())
        with self._lock:
            thread = self._tuning_threads.get(name)
        if thread is not None:
            await run_in_threadpool(thread.join, TUNING_WAIT_SECONDS)
        try:
            found = await run_in_threadpool(self.service.get_tuning_job, name)
        except NotFoundError:
            raise not_found(f"TuningJob `{prefix}/tuningJobs/{ident}` not found.") from None
        if verb == "cancel":
            if found.state in TERMINAL_JOB_STATES:
                raise ApiError(
                    400,
                    f"TuningJob {prefix}/tuningJobs/{ident} is in state {found.state} and cannot be cancelled.",
                    status="FAILED_PRECONDITION",
                )
            self.service.registry.save_job(replace(found, state="JOB_STATE_CANCELLED", updated=now_rfc3339()))
            return JSONResponse({})
        return JSONResponse(tuning_job_resource(found, prefix, self._request_of(name)))

    # --- context caches ----------------------------------------------------------------------
    async def cached_contents(self, request: Request, project: str, location: str) -> Response:
        if request.method == "POST":
            body = await read_json(request)
            return JSONResponse(await run_in_threadpool(self.caches.create, body, _prefix(project, location)))
        return JSONResponse(page_of(request, await run_in_threadpool(self.caches.list), "cachedContents"))

    async def cached_content(self, request: Request, project: str, location: str, cache: str) -> Response:
        if request.method == "DELETE":
            await run_in_threadpool(self.caches.delete, cache)
            return JSONResponse({})
        if request.method == "PATCH":
            body = await read_json(request)
            return JSONResponse(await run_in_threadpool(self.caches.update, cache, body))
        return JSONResponse(await run_in_threadpool(self.caches.get, cache))

    # --- anything else -------------------------------------------------------------------------
    async def no_project(self, request: Request, rest: str) -> Response:
        raise not_found(
            f"Not found: {request.method} {request.url.path}. Vertex AI paths name a project and location: "
            "projects/{project}/locations/{location}/..."
        )

    def routers(self) -> list[SegmentRouter]:
        from . import evaluation
        from .datasets import DatasetsApi
        from .openai_compat import ChatCompletions
        from .pipeline_routes import PipelineJobsApi

        pipelines = PipelineJobsApi(self.state)
        chat = ChatCompletions(lambda: self.service)
        datasets = DatasetsApi(self)
        out = []
        loc = "projects/{project}/locations/{location}"
        for version in ("v1", "v1beta1"):
            r = SegmentRouter(f"/{version}")
            r.route("publishers/{publisher}/models/{model}", "GET", "POST")(self.publisher_model)
            r.route(f"{loc}/publishers/{{publisher}}/models/{{model}}", "GET", "POST")(
                self.request_logs.publisher_routes(self.project_publisher_model)
            )
            r.route(f"{loc}/models", "GET")(self.list_models)
            r.route(f"{loc}/models:upload", "POST")(self.upload_model)
            r.route(f"{loc}/models/{{model}}", "GET", "POST", "DELETE")(self.model)
            r.route(f"{loc}/endpoints", "GET", "POST")(self.endpoints.endpoints)
            r.route(f"{loc}/endpoints/{{endpoint}}", "GET", "POST", "PATCH", "DELETE")(
                self.request_logs.endpoint_routes(self.endpoints.endpoint)
            )
            r.route(f"{loc}/endpoints/openapi/chat/completions", "POST")(chat.handle)
            r.route(f"{loc}/tuningJobs", "GET", "POST")(self.tuning_jobs)
            r.route(f"{loc}/tuningJobs/{{job}}", "GET", "POST")(self.tuning_job)
            r.route(f"{loc}/cachedContents", "GET", "POST")(self.cached_contents)
            r.route(f"{loc}/cachedContents/{{cache}}", "GET", "PATCH", "DELETE")(self.cached_content)
            r.route(f"{loc}/pipelineJobs", "GET", "POST")(pipelines.pipeline_jobs)
            r.route(f"{loc}/pipelineJobs/{{job}}", "GET", "POST", "DELETE")(pipelines.pipeline_job)
            r.route(loc, "POST")(self.location_verb)  # {location} is `us-central1:VERB`
            r.route(f"{loc}/ragCorpora", "GET", "POST")(self.rag.corpora_route)
            r.route(f"{loc}/ragCorpora/{{corpus}}", "GET", "DELETE")(self.rag.corpus_route)
            r.route(f"{loc}/ragCorpora/{{corpus}}/ragFiles", "GET")(self.rag.files_route)
            r.route(f"{loc}/ragCorpora/{{corpus}}/ragFiles:import", "POST")(self.rag.import_route)
            r.route(f"{loc}/ragCorpora/{{corpus}}/ragFiles/{{file}}", "GET", "DELETE")(self.rag.file_route)
            r.route(f"{loc}/ragCorpora/{{corpus}}/operations/{{op}}", "GET")(self.rag.operation_route)
            engine = f"{loc}/reasoningEngines/{{engine}}"
            r.route(f"{engine}/sessions", "GET", "POST")(self.sessions.sessions_route)
            r.route(f"{engine}/sessions/{{session}}", "GET", "POST", "DELETE")(self.sessions.session_route)
            r.route(f"{engine}/sessions/{{session}}/events", "GET")(self.sessions.events_route)
            r.route(f"{engine}/sessions/{{session}}/operations/{{op}}", "GET")(self.sessions.operation_route)
            r.route(f"{loc}/:evaluateInstances", "POST")(evaluation.slash_verb)
            r.route("publishers/{publisher}/models", "GET")(self.models.list_publisher_models)
            r.route(f"{loc}/models/{{model}}", "PATCH")(self.models.update)
            r.route(f"{loc}/endpoints/{{endpoint}}/operations/{{op}}", "GET", "DELETE")(self._operation)
            r.route(f"{loc}/operations/{{op}}", "GET", "DELETE")(self._operation)
            r.route(f"{loc}/batchPredictionJobs", "GET", "POST")(self.batch.jobs)
            r.route(f"{loc}/batchPredictionJobs/{{job}}", "GET", "POST", "DELETE")(self.batch.job)
            r.route(f"{loc}/datasets", "GET", "POST")(datasets.datasets)
            r.route(f"{loc}/datasets/{{dataset}}", "GET", "PATCH", "DELETE")(datasets.dataset)
            r.route(f"{loc}/datasets/{{dataset}}/datasetVersions", "GET", "POST")(datasets.versions)
            r.route(f"{loc}/datasets/{{dataset}}/datasetVersions/{{version}}", "GET", "DELETE")(datasets.version)
            r.route(f"{loc}/datasets/{{dataset}}/operations/{{op}}", "GET")(datasets.operation)
            r.route("{rest+}", "GET", "POST", "PATCH", "DELETE")(self.no_project)
            out.append(r)
        ui = SegmentRouter("/ui")  # where aiplatform's REST transport polls operations
        ui.route("{name+}", "GET", "DELETE")(self._ui_operation)
        out.append(ui)
        return out

    async def location_verb(self, request: Request, project: str, location: str) -> Response:
        """`POST projects/{p}/locations/{l}:VERB`, dispatched by verb."""
        from . import evaluation

        if location.partition(":")[2] == "retrieveContexts":
            return await self.rag.retrieve_route(request)
        return await evaluation.location_verb(request, project, location)

    async def _operation(
        self, request: Request, project: str, location: str, op: str, endpoint: str | None = None
    ) -> Response:
        where = f"endpoints/{endpoint}/" if endpoint else ""
        name = f"{_prefix(project, location)}/{where}operations/{op}"
        return await self.endpoints.operation(request, name)

    async def _ui_operation(self, request: Request, name: str) -> Response:
        return await self.endpoints.operation(request, name)


# --- admin: canned responses ------------------------------------------------------------------


class CannedAdmin:
    """`/emulator/v1/canned`: read, replace (PUT), append to (POST) or clear (DELETE) the
    canned responses the emulated model answers with. Bodies are `{"responses": [...]}` or a
    bare list of entries; a bad entry is refused with 400 and the file is left as it was."""

    def __init__(self, state: Any):
        self.state = state
        self._lock = threading.Lock()

    def _entries(self) -> list[Any]:
        data = yaml.safe_load(self.state.canned_path.read_text(encoding="utf-8")) or {}
        return list(data.get("responses") or []) if isinstance(data, dict) else list(data)

    def _write(self, entries: list[Any]) -> None:
        from .engine.canned import CannedResponses, load_canned

        path = self.state.canned_path
        service = self.state.model_service  # creates the file on first use
        tmp = path.with_name(f".canned-{threading.get_ident()}-{time.monotonic_ns()}.json")
        tmp.write_text(json.dumps({"responses": entries}), encoding="utf-8")
        try:
            load_canned(tmp)
        except ConfigError as exc:
            tmp.unlink()
            raise bad_request(str(exc).replace(str(tmp), "canned responses")) from None
        tmp.replace(path)
        service.canned = CannedResponses(path)

    async def handle(self, request: Request) -> Response:
        self.state.model_service  # noqa: B018 - creates the file on first use
        if request.method == "GET":
            return JSONResponse({"responses": await run_in_threadpool(self._entries)})
        if request.method == "DELETE":
            entries: list[Any] = []
        else:
            raw = await read_body(request, self.state.config.max_request_bytes)
            body = parse_json(raw) if raw.strip() else None
            given = body.get("responses") if isinstance(body, dict) else body
            if not isinstance(given, list):
                raise bad_request('Expected {"responses": [...]} or a list of canned entries')
            entries = given if request.method == "PUT" else [*given, *await run_in_threadpool(self._entries)]

        def write() -> None:
            with self._lock:
                self._write(entries)

        await run_in_threadpool(write)
        return JSONResponse({"responses": entries})


async def _serve_template(request: Request) -> Response:
    from .templates import serve_template  # imports kfp: only when a template is asked for

    return await serve_template(request)


def routes(state: VertexApi) -> list[BaseRoute]:
    api = VertexHandlers(state)
    out: list[BaseRoute] = []
    for router in api.routers():
        out.extend(router.starlette_routes())
    out.append(Route("/kfp-templates/{path:path}", _serve_template, methods=["GET"]))
    admin = CannedAdmin(state)
    out.append(Route("/emulator/v1/canned", admin.handle, methods=["GET", "PUT", "POST", "DELETE"]))
    return out
