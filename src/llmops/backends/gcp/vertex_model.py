"""The `vertex` model provider: Vertex AI's foundation and tuned models through google-genai
in Vertex mode (generateContent, tuning jobs, tuned models and their endpoints).

Credentials: with `settings.endpoint` set (an emulator, e.g. `llmops emulator start`), a static
bearer token and `HttpOptions(base_url=endpoint)`; genai refuses anonymous credentials, and the
emulator accepts any token. Without it, Application Default Credentials against Google.

Names: tuned models and endpoints are full resource names
(`projects/<p>/locations/<l>/models/<id>`, `.../endpoints/<id>`); `models/<id>` and
`endpoints/<id>` are expanded. Vertex serves a tuned model from its endpoint, so a prediction
on a tuned model goes to the endpoint its Model resource lists.

Aliases and deployment go through aiplatform (google-genai can do neither): an alias is a Vertex
version alias on the tuned model's version (`:mergeVersionAliases`), moved off any other model
that had it, and `predict(model=alias)` finds the model carrying it (the alias map is cached for
`ALIAS_CACHE_SECONDS`); `deploy` creates an endpoint and deploys the model to it when the model
is not deployed yet.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping
from typing import Any

from ...core.config import Settings
from ...core.errors import ConfigError, DataError, LlmopsError, NotFoundError
from ...core.interfaces import Aliaser, Deployer, ModelProvider, Tuner
from ...core.types import (
    HARM_CATEGORIES,
    Citation,
    Endpoint,
    GenerationConfig,
    Prediction,
    SafetyAttributes,
    SafetyRating,
    TunedModel,
    TuningJob,
    Usage,
)
from .clients import aiplatform_init, gcp_settings, genai_client

BASE_MODEL_LABEL = "google-vertex-llm-tuning-base-model-id"
TERMINAL_JOB_STATES = frozenset({"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"})
VERTEX_ALIAS = re.compile(r"[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]")
ALIAS_CACHE_SECONDS = 30.0


def _enum(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def _rating(r: Any) -> SafetyRating:
    return SafetyRating(
        category=_enum(r.category),
        probability=_enum(r.probability),
        probability_score=float(r.probability_score or 0.0),
        severity=_enum(r.severity).removeprefix("HARM_SEVERITY_"),
        severity_score=float(r.severity_score or 0.0),
        blocked=bool(r.blocked),
    )


def _citation(c: Any) -> Citation:
    date = None
    if c.publication_date is not None and c.publication_date.year:
        d = c.publication_date
        date = f"{d.year:04d}-{(d.month or 1):02d}-{(d.day or 1):02d}"
    return Citation(int(c.start_index or 0), int(c.end_index or 0), c.uri, c.title, c.license, date)


def prediction_from_response(response: Any, model: str, prompt: str, latency_ms: float) -> Prediction:
    """A Gemini `GenerateContentResponse` as a Prediction, safety ratings and citations kept."""
    usage = response.usage_metadata
    tokens = Usage(
        int(getattr(usage, "prompt_token_count", 0) or 0), int(getattr(usage, "candidates_token_count", 0) or 0)
    )
    feedback = response.prompt_feedback
    if not response.candidates:
        blocked = bool(feedback and feedback.block_reason)
        ratings = [_rating(r) for r in ((feedback.safety_ratings if feedback else None) or [])]
        return Prediction(
            text="",
            model=model,
            blocked=blocked,
            finish_reason="SAFETY" if blocked else "OTHER",
            safety=SafetyAttributes(blocked=blocked, ratings=ratings),
            usage=tokens,
            latency_ms=latency_ms,
            request_id=response.response_id,
            prompt=prompt,
            prompt_blocked=blocked,
        )
    cand = response.candidates[0]
    parts = (cand.content.parts if cand.content else None) or []
    text = "".join(p.text for p in parts if getattr(p, "text", None) and not getattr(p, "thought", False))
    ratings = [_rating(r) for r in (cand.safety_ratings or [])]
    finish = _enum(cand.finish_reason) or "STOP"
    blocked = finish in ("SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII") or any(r.blocked for r in ratings)
    citations = [_citation(c) for c in ((cand.citation_metadata.citations if cand.citation_metadata else None) or [])]
    return Prediction(
        text="" if blocked else text,
        model=model,
        blocked=blocked,
        finish_reason=finish,
        safety=SafetyAttributes(blocked=blocked, ratings=ratings),
        citations=[] if blocked else citations,
        usage=tokens,
        latency_ms=latency_ms,
        request_id=response.response_id,
        prompt=prompt,
    )


def _category(name: str) -> str:
    key = str(name).strip().upper().replace(" ", "_").replace("-", "_")
    full = key if key.startswith("HARM_CATEGORY_") else f"HARM_CATEGORY_{key}"
    if full == "HARM_CATEGORY_SEXUAL":
        full = "HARM_CATEGORY_SEXUALLY_EXPLICIT"
    if full == "HARM_CATEGORY_HATE":
        full = "HARM_CATEGORY_HATE_SPEECH"
    if full == "HARM_CATEGORY_DANGEROUS":
        full = "HARM_CATEGORY_DANGEROUS_CONTENT"
    return full


def safety_settings(safety: Mapping[str, str] | None, default: str | None) -> list[Any]:
    """genai SafetySettings: `safety` (category -> threshold, `*` for every category) over
    `default` for the four rated categories."""
    from google.genai import types

    items = dict(safety or {})
    every = items.pop("*", None) or items.pop("default", None) or default
    out = dict.fromkeys(HARM_CATEGORIES, every) if every else {}
    for cat, threshold in items.items():
        out[_category(cat)] = threshold
    return [
        types.SafetySetting(category=types.HarmCategory(c), threshold=types.HarmBlockThreshold(str(t).upper()))
        for c, t in out.items()
        if t
    ]


def _llmops_error(exc: Exception, what: str) -> LlmopsError:
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None) or str(exc)
    if code == 404:
        return NotFoundError(f"{what}: {message}", fix="check the model, endpoint or job name (`llmops models list`)")
    if code == 400:
        return DataError(f"{what}: {message}", fix="fix the request's values")
    if code in (401, 403):
        return ConfigError(f"{what}: {message}", fix="check the credentials and the project's Vertex AI permissions")
    return LlmopsError(f"{what}: {message}", fix="retry; if it persists check the endpoint setting")


class VertexModelProvider(ModelProvider, Tuner, Deployer, Aliaser):
    """Gemini and tuned models on Vertex AI (or the emulator at the `gcp` section's `endpoint`)."""

    description = "Vertex AI generative models through google-genai (Vertex mode)"
    tuning_format = "seed"

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self.client = genai_client(settings)
        gcp = gcp_settings(settings)
        project = gcp.project or getattr(self.client._api_client, "project", None)
        self.prefix = f"projects/{project}/locations/{gcp.location}"
        base = settings.base_model.removeprefix("publishers/google/models/")
        # Gemini tuning reads `contents` turns; the PaLM-era models read input/output text.
        self.tuning_format = "gemini" if base.startswith("gemini") else "seed"
        self._endpoints: dict[str, str] = {}
        self._lock = threading.Lock()
        self._alias_map: tuple[float, dict[str, str]] | None = None
        self._aiplatform_ready = False
        self._base_models: list[str] | None = None

    def list_base_models(self) -> list[str]:
        """The profile's base model, then the publisher models Vertex lists (Gemini, PaLM...)."""
        with self._lock:
            cached = self._base_models
        if cached is not None:
            return cached
        try:
            listed = [m.name or "" for m in self.client.models.list(config={"query_base": True})]
        except Exception as exc:
            if getattr(exc, "code", None) is None:
                raise
            raise _llmops_error(exc, "listing Vertex's publisher models") from None
        names = [self.settings.base_model.removeprefix("publishers/google/models/")]
        for name in listed:
            short = name.rsplit("/", 1)[-1]
            if short and short not in names:
                names.append(short)
        with self._lock:
            self._base_models = names
        return names

    # --- names ---------------------------------------------------------------------------------
    def _full(self, name: str) -> str:
        name = name.strip()
        if name.startswith(("models/", "endpoints/", "tuningJobs/")):
            return f"{self.prefix}/{name}"
        return name

    def _aiplatform(self) -> Any:
        from google.cloud import aiplatform

        with self._lock:
            if not self._aiplatform_ready:
                aiplatform_init(self.settings)
                self._aiplatform_ready = True
        return aiplatform

    def _aliases(self, *, fresh: bool = False) -> dict[str, str]:
        """alias -> tuned model name, from the Vertex version aliases of the project's models."""
        with self._lock:
            cached = self._alias_map
        if cached and not fresh and time.monotonic() - cached[0] < ALIAS_CACHE_SECONDS:
            return cached[1]
        aiplatform = self._aiplatform()
        try:
            models = aiplatform.Model.list()
        except Exception as exc:
            if getattr(exc, "code", None) is None:
                raise
            raise _llmops_error(exc, "listing model aliases") from None
        found = {
            alias: m.resource_name.split("@", 1)[0]
            for m in models
            for alias in (m.version_aliases or [])
            if alias != "default"
        }
        with self._lock:
            self._alias_map = (time.monotonic(), found)
        return found

    def _alias_target(self, ref: str) -> str:
        """The tuned model an alias names, or `ref` itself when it is no alias."""
        if "/" in ref or "@" in ref or ref == self.settings.base_model or not VERTEX_ALIAS.fullmatch(ref):
            return ref
        return self._aliases().get(ref, ref)

    def _target(self, model: str | None) -> str:
        """What to send as genai's `model`: a base model name, or a tuned model's endpoint."""
        ref = (model or self.settings.base_model).strip()
        full = self._full(self._alias_target(ref))
        if "/models/" in full and full.startswith("projects/") and "/publishers/" not in full:
            return self._endpoint_of(full.split("@", 1)[0])
        return full

    def _endpoint_of(self, model_name: str) -> str:
        with self._lock:
            found = self._endpoints.get(model_name)
        if found:
            return found
        try:
            m = self.client.models.get(model=model_name)
        except Exception as exc:
            raise _llmops_error(exc, f"tuned model {model_name}") from None
        endpoint = next((e.name for e in (m.endpoints or []) if e.name), None)
        if not endpoint:
            raise ConfigError(
                f"tuned model {model_name} is not deployed to an endpoint", fix="deploy it (`llmops models deploy`)"
            )
        with self._lock:
            self._endpoints[model_name] = endpoint
        return endpoint

    # --- predictions -------------------------------------------------------------------------
    def predict(
        self,
        prompt: str,
        *,
        model: str | None = None,
        generation: GenerationConfig | None = None,
        safety: Mapping[str, str] | None = None,
    ) -> Prediction:
        from google.genai import types

        if not isinstance(prompt, str) or not prompt.strip():
            raise DataError("prompt is empty", fix="pass the text to send to the model")
        gen = generation or GenerationConfig()
        target = self._target(model)
        config = types.GenerateContentConfig(
            temperature=gen.temperature,
            max_output_tokens=gen.max_output_tokens,
            top_p=gen.top_p,
            top_k=gen.top_k,
            seed=gen.seed,
            system_instruction=gen.system_instruction,
            safety_settings=safety_settings(safety, self.settings.safety_threshold) or None,
        )
        started = time.perf_counter()
        try:
            response = self.client.models.generate_content(model=target, contents=prompt, config=config)
        except LlmopsError:
            raise
        except Exception as exc:
            if getattr(exc, "code", None) is None:
                raise
            raise _llmops_error(exc, f"model {model or self.settings.base_model}") from None
        latency = (time.perf_counter() - started) * 1000
        label = model or self.settings.base_model
        return prediction_from_response(response, label, prompt, latency)

    # --- tuning ------------------------------------------------------------------------------
    def _job(self, job: Any) -> TuningJob:
        state = _enum(job.state) or "JOB_STATE_PENDING"
        spec = job.supervised_tuning_spec
        tuned = None
        if job.tuned_model is not None and job.tuned_model.model:
            model_name = job.tuned_model.model.split("@", 1)[0]
            tuned = TunedModel(
                name=model_name,
                base_model=job.base_model or "",
                display_name=job.tuned_model_display_name or model_name,
                job=job.name or "",
                aliases=sorted(a for a, m in self._aliases().items() if m == model_name),
                endpoint=job.tuned_model.endpoint,
                train_uri=spec.training_dataset_uri if spec else None,
                created=job.create_time.isoformat() if job.create_time else None,
            )
        return TuningJob(
            name=job.name or "",
            state=state,
            base_model=job.base_model or "",
            train_uri=(spec.training_dataset_uri if spec else None) or "",
            eval_uri=spec.validation_dataset_uri if spec else None,
            display_name=job.tuned_model_display_name,
            tuned_model=tuned,
            error=job.error.message if job.error else None,
            created=job.create_time.isoformat() if job.create_time else None,
            updated=job.update_time.isoformat() if job.update_time else None,
        )

    def tune(
        self,
        base_model: str,
        train_uri: str,
        eval_uri: str | None = None,
        *,
        epochs: int = 1,
        display_name: str | None = None,
    ) -> TuningJob:
        from google.genai import types

        for uri in (train_uri, eval_uri):
            if uri and not str(uri).startswith("gs://"):
                raise ConfigError(
                    f"Vertex AI tunes on files in Cloud Storage, not {uri}",
                    fix="upload the JSONL to gs:// (the gcs artifact store does) and pass its URI",
                )
        config = types.CreateTuningJobConfig(
            epoch_count=epochs,
            tuned_model_display_name=display_name,
            validation_dataset=types.TuningValidationDataset(gcs_uri=eval_uri) if eval_uri else None,
        )
        try:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # genai flags tuning as experimental
                job = self.client.tunings.tune(
                    base_model=base_model.removeprefix("publishers/google/models/"),
                    training_dataset=types.TuningDataset(gcs_uri=train_uri),
                    config=config,
                )
            if job.name and _enum(job.state) not in TERMINAL_JOB_STATES:
                job = self.client.tunings.get(name=job.name)  # the emulator answers once it is done
        except LlmopsError:
            raise
        except Exception as exc:
            if getattr(exc, "code", None) is None:
                raise
            raise _llmops_error(exc, f"tuning {base_model}") from None
        return self._job(job)

    def get_tuning_job(self, name: str) -> TuningJob:
        try:
            return self._job(self.client.tunings.get(name=self._full(name)))
        except Exception as exc:
            if getattr(exc, "code", None) is None:
                raise
            raise _llmops_error(exc, f"tuning job {name}") from None

    def list_tuning_jobs(self) -> list[TuningJob]:
        return [self._job(j) for j in self.client.tunings.list()]

    def _tuned(self, m: Any) -> TunedModel:
        labels = m.labels or {}
        name = (m.name or "").split("@", 1)[0]
        base = labels.get(BASE_MODEL_LABEL, "")
        if base and "@" not in base:
            head, sep, version = base.rpartition("-")
            base = f"{head}@{version}" if sep and version.isdigit() else base
        created = (
            m.tuned_model_info.create_time.isoformat()
            if m.tuned_model_info and m.tuned_model_info.create_time
            else None
        )
        return TunedModel(
            name=name,
            base_model=base,
            display_name=m.display_name or name,
            job="",
            aliases=sorted(a for a, target in self._aliases().items() if target == name),
            endpoint=next((e.name for e in (m.endpoints or []) if e.name), None),
            created=created,
        )

    def list_tuned_models(self) -> list[TunedModel]:
        from google.genai import types

        try:
            models = list(self.client.models.list(config=types.ListModelsConfig(query_base=False)))
        except Exception as exc:
            if getattr(exc, "code", None) is None:
                raise
            raise _llmops_error(exc, "listing tuned models") from None
        out = [self._tuned(m) for m in models]
        return sorted(out, key=lambda m: (m.created or "", m.name), reverse=True)

    def get_tuned_model(self, name: str) -> TunedModel:
        ref = self._alias_target(name)
        try:
            return self._tuned(self.client.models.get(model=self._full(ref).split("@", 1)[0]))
        except Exception as exc:
            if getattr(exc, "code", None) is None:
                raise
            raise _llmops_error(exc, f"tuned model {name}") from None

    def deploy(self, tuned_model: TunedModel | str) -> Endpoint:
        """The model's endpoint: the one it is deployed to, else a new endpoint it is deployed to
        (aiplatform's `Model.deploy`, on automatic resources)."""
        name = tuned_model.name if isinstance(tuned_model, TunedModel) else tuned_model
        model = self.get_tuned_model(name)
        if model.endpoint:
            return Endpoint(name=model.endpoint, model=model.name)
        aiplatform = self._aiplatform()
        try:
            endpoint = aiplatform.Model(model.name).deploy()
        except Exception as exc:
            if getattr(exc, "code", None) is None:
                raise
            raise _llmops_error(exc, f"deploying {model.name}") from None
        with self._lock:
            self._endpoints[model.name] = endpoint.resource_name
        return Endpoint(name=endpoint.resource_name, model=model.name)

    def set_alias(self, model: str, alias: str) -> TunedModel:
        """Make `alias` a Vertex version alias of the tuned model, removing it from any other."""
        if not VERTEX_ALIAS.fullmatch(alias) or alias == "default":
            raise ConfigError(
                f"alias {alias!r} is not a valid Vertex version alias",
                fix="use 2-128 letters, digits and '-', starting with a lower-case letter and ending with one "
                "or a digit (not `default`)",
            )
        tuned = self.get_tuned_model(model)
        aiplatform = self._aiplatform()
        try:
            holder = self._aliases(fresh=True).get(alias)
            if holder and holder != tuned.name:
                aiplatform.models.ModelRegistry(holder).remove_version_aliases([alias], version="1")
            aiplatform.models.ModelRegistry(tuned.name).add_version_aliases([alias], version="1")
        except Exception as exc:
            if getattr(exc, "code", None) is None:
                raise
            raise _llmops_error(exc, f"setting alias {alias!r}") from None
        self._aliases(fresh=True)
        return self.get_tuned_model(tuned.name)

    def list_endpoints(self) -> list[Endpoint]:
        return [Endpoint(name=m.endpoint, model=m.name) for m in self.list_tuned_models() if m.endpoint]

    # --- batch prediction --------------------------------------------------------------------
    def run_batch_job(self, src: str, dest: str, model: str | None = None) -> dict[str, Any]:
        """Run a Vertex AI batch prediction job from `src` to `dest` (`gs://` JSONL or `bq://`
        tables, Vertex's formats) and wait for it; its name, state, counts and output."""
        from google.genai import types

        target = self._full(self._alias_target((model or self.settings.base_model).strip()))
        if target.startswith("projects/") and "/publishers/" not in target:
            target = target.split("@", 1)[0]
        try:
            job = self.client.batches.create(model=target, src=src, config=types.CreateBatchJobConfig(dest=dest))
            delay = 1.0
            while True:
                job = self.client.batches.get(name=job.name)
                if job.done:
                    break
                time.sleep(delay)
                delay = min(delay * 1.5, 30.0)
        except Exception as exc:
            if getattr(exc, "code", None) is None:
                raise
            raise _llmops_error(exc, f"batch prediction from {src}") from None
        stats = job.completion_stats
        out: dict[str, Any] = {
            "job": job.name,
            "state": _enum(job.state),
            "succeeded": int(stats.successful_count or 0) if stats else 0,
            "failed": int(stats.failed_count or 0) if stats else 0,
        }
        if job.error and job.error.message:
            out["error"] = job.error.message
        return out

    def predict_batch_file(
        self,
        prompts: list[str | None],
        *,
        model: str | None = None,
        generation: GenerationConfig | None = None,
        safety: Mapping[str, str] | None = None,
    ) -> tuple[list[tuple[Prediction | None, str]], dict[str, Any]]:
        """Answer `prompts` with one batch prediction job (staged under the profile's bucket);
        per prompt the prediction or the row's error status (None prompts: skipped rows)."""
        import uuid

        from .clients import storage_client

        gen = generation or GenerationConfig()
        config: dict[str, Any] = {
            k: v
            for k, v in {
                "temperature": gen.temperature,
                "maxOutputTokens": gen.max_output_tokens,
                "topP": gen.top_p,
                "topK": gen.top_k,
                "seed": gen.seed,
            }.items()
            if v is not None
        }
        settings = [
            {"category": _enum(s.category), "threshold": _enum(s.threshold)}
            for s in safety_settings(safety, self.settings.safety_threshold)
        ]
        lines = []
        for i, p in enumerate(prompts):
            if p is None:
                continue
            request: dict[str, Any] = {
                "contents": [{"role": "user", "parts": [{"text": p}]}],
                "generationConfig": config,
            }
            if gen.system_instruction:
                request["systemInstruction"] = {"parts": [{"text": gen.system_instruction}]}
            if settings:
                request["safetySettings"] = settings
            lines.append(json.dumps({"request": request, "llmops_row": i}))
        bucket_uri = gcp_settings(self.settings).bucket or ""
        if not bucket_uri.startswith("gs://"):
            raise ConfigError(
                "Vertex batch prediction stages its files in Cloud Storage, and the profile has no bucket",
                fix='set `bucket = "gs://BUCKET/PREFIX"` in the profile',
            )
        bucket_name, _, base = bucket_uri[len("gs://") :].partition("/")
        folder = "/".join(x for x in (base.strip("/"), "batch-predictions", uuid.uuid4().hex[:12]) if x)
        storage = storage_client(self.settings)
        bucket = storage.bucket(bucket_name)
        if not bucket.exists() and gcp_settings(self.settings).endpoint:
            bucket = storage.create_bucket(bucket_name)
        bucket.blob(f"{folder}/input.jsonl").upload_from_string("\n".join(lines))
        label = model or self.settings.base_model
        summary = self.run_batch_job(
            f"gs://{bucket_name}/{folder}/input.jsonl", f"gs://{bucket_name}/{folder}/output", model
        )
        results: list[dict[str, Any]] = []
        for blob in storage.list_blobs(bucket_name, prefix=f"{folder}/output/"):
            if blob.name.endswith(".jsonl"):
                results.extend(json.loads(x) for x in blob.download_as_text().splitlines() if x.strip())
        from google.genai import types

        # Vertex does not keep the input order: match rows by their key, else by their prompt.
        by_key = {r["llmops_row"]: r for r in results if isinstance(r.get("llmops_row"), int)}
        by_prompt = {prompt_text(r.get("request")): r for r in results}
        answers: list[tuple[Prediction | None, str]] = []
        for i, p in enumerate(prompts):
            if p is None:
                answers.append((None, 'Bad Request: the line has no "prompt" (or Vertex "request")'))
                continue
            row = by_key.get(i) or by_prompt.get(p)
            if row is None:
                answers.append((None, "Cancelled: the batch job ended before this row"))
            elif row.get("response"):
                response = types.GenerateContentResponse.model_validate(row["response"])
                answers.append((prediction_from_response(response, label, p, 0.0), ""))
            else:
                answers.append((None, str(row.get("status") or "failed")))
        summary["staged"] = f"gs://{bucket_name}/{folder}"
        return answers, summary


def prompt_text(request: Any) -> str:
    """The user text of a GenerateContentRequest dict."""
    if not isinstance(request, dict):
        return ""
    return "".join(
        part.get("text", "")
        for content in request.get("contents") or []
        for part in (content.get("parts") or [] if isinstance(content, dict) else [])
        if isinstance(part, dict)
    )
