"""The emulated model service: predictions (base and tuned models, canned responses, safety
scoring and blocking, citations), tuning, the tuned-model registry and endpoints.

HTTP-free and backend-free: the local model provider calls it in process and the emulator's
HTTP server serves it. All state lives in the folder it is given.

One prediction, in order:
1. the model reference is resolved (see `model_registry`); an unknown one is an error;
2. the prompt is scored; a canned response matching the prompt is used if there is one;
   otherwise, if the prompt's ratings reach a block threshold, nothing is generated;
3. the base model writes its deterministic answer, or a tuned model answers with the nearest
   training answer (at temperature > 0 a seeded draw among the closest few) and cites it;
   a tuned model with no matching example falls back to its base model, without citations;
4. the response is scored; per category the higher of prompt and response is reported, and
   a blocked prediction has empty content, no citations and finish reason SAFETY.
"""

from __future__ import annotations

import math
import random
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ....core.errors import DataError, NotFoundError
from ....core.types import Citation, Endpoint, GenerationConfig, Prediction, TunedModel, TuningJob, Usage
from .base_model import (
    DEFAULT_BASE_MODEL,
    GEMINI_MODELS,
    PALM_MODELS,
    BaseModel,
    count_tokens,
    derive_seed,
    truncate_tokens,
)
from .canned import CannedResponse, CannedResponses
from .model_registry import ModelRegistry, Target
from .retrieval import RetrievalIndex
from .safety import SafetyScorer, Scores, thresholds
from .tuning import TuningService

MAX_OUTPUT_TOKENS = 8192
MAX_TEMPERATURE = 2.0
LOADED_MODELS = 8
"""Tuned models kept loaded in memory (least recently used are dropped)."""


class ModelService:
    """Everything the emulated Vertex model service does, over one state folder."""

    def __init__(
        self,
        root: str | Path,
        *,
        default_model: str = DEFAULT_BASE_MODEL,
        safety_threshold: str = "BLOCK_MEDIUM_AND_ABOVE",
        canned_responses: str | Path | None = None,
    ):
        self.registry = ModelRegistry(root)
        self.tuning = TuningService(self.registry)
        self.default_model = default_model
        self.safety_threshold = safety_threshold
        self.canned = CannedResponses(canned_responses) if canned_responses else None
        self.scorer = SafetyScorer()
        self.base = BaseModel()
        self._loaded: OrderedDict[str, RetrievalIndex] = OrderedDict()
        self._lock = threading.Lock()
        self._default_limits = thresholds(None, safety_threshold)  # a bad threshold fails here

    # --- models --------------------------------------------------------------------------------
    def base_models(self) -> list[str]:
        """Names of the emulated foundation models."""
        return [*PALM_MODELS, *GEMINI_MODELS]

    def resolve(self, model: str | None) -> Target:
        return self.registry.resolve(model or self.default_model)

    def index(self, model_name: str) -> RetrievalIndex:
        """A tuned model's retrieval index, loaded once (model folders never change)."""
        with self._lock:
            found = self._loaded.get(model_name)
            if found is not None:
                self._loaded.move_to_end(model_name)
                return found
        loaded = RetrievalIndex.load(self.registry.model_dir(model_name))
        with self._lock:
            self._loaded[model_name] = loaded
            while len(self._loaded) > LOADED_MODELS:
                self._loaded.popitem(last=False)
        return loaded

    # --- predictions -------------------------------------------------------------------------
    def predict(
        self,
        prompt: str,
        *,
        model: str | None = None,
        generation: GenerationConfig | None = None,
        safety: Mapping[str, str] | None = None,
    ) -> Prediction:
        """One prediction (see the module docstring). Its latency is the serving time: it
        leaves out loading a tuned model into memory, which happens once per process."""
        gen = _check_generation(generation)
        limits = thresholds(safety, self.safety_threshold) if safety else self._default_limits
        target = self.resolve(model)
        if target.kind == "tuned":
            self.index(target.name)
        return self._predict(prompt, target, gen, limits, time.perf_counter())

    def predict_batch(
        self,
        prompts: Sequence[str],
        *,
        model: str | None = None,
        generation: GenerationConfig | None = None,
        safety: Mapping[str, str] | None = None,
        concurrency: int = 1,
    ) -> list[Prediction]:
        """Many predictions in the order given; the model is resolved and checked once.

        `concurrency` > 1 spreads the prompts over that many threads. The work is pure Python
        and numpy, so threads add little in process; they matter to callers that wait on I/O.
        """
        prompts = list(prompts)
        for i, p in enumerate(prompts):
            _check_prompt(p, f"prompt {i + 1}")
        gen = _check_generation(generation)
        limits = thresholds(safety, self.safety_threshold) if safety else self._default_limits
        target = self.resolve(model)
        if target.kind == "tuned":
            self.index(target.name)

        def one(p: str) -> Prediction:
            return self._predict(p, target, gen, limits, time.perf_counter())

        if concurrency <= 1 or len(prompts) < 2:
            return [one(p) for p in prompts]
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(one, prompts, chunksize=max(1, len(prompts) // (concurrency * 4))))

    def _predict(
        self, prompt: str, target: Target, gen: GenerationConfig, limits: dict[str, str], started: float
    ) -> Prediction:
        _check_prompt(prompt)
        label = target.name
        prompt_scores = self.scorer.score(prompt)
        canned = self.canned.match(prompt, label) if self.canned else None
        citations: list[Citation] = []
        prompt_blocked = False
        if canned is not None:
            text, finish = canned.response, "STOP"
            citations = list(canned.citations)
            scores = prompt_scores.merge(self.scorer.score(text))
            scores = _override(scores, canned)
            attrs = self.scorer.attributes(scores, limits, force_blocked=canned.blocked)
        else:
            attrs = self.scorer.attributes(prompt_scores, limits)
            if attrs.blocked:
                text, finish, prompt_blocked = "", "SAFETY", True
            else:
                if target.kind == "tuned":
                    text, finish, citations = self._tuned_answer(prompt, target.name, gen)
                else:
                    generated = self.base.generate(prompt, label, gen)
                    text, finish = generated.text, generated.finish_reason
                attrs = self.scorer.attributes(prompt_scores.merge(self.scorer.score(text)), limits)
        if attrs.blocked:
            text, finish, citations = "", "SAFETY", []
        prompt_tokens = count_tokens(prompt) + (count_tokens(gen.system_instruction) if gen.system_instruction else 0)
        return Prediction(
            text=text,
            model=label,
            blocked=attrs.blocked,
            finish_reason=finish,
            safety=attrs,
            citations=citations,
            usage=Usage(prompt_tokens, count_tokens(text)),
            latency_ms=(time.perf_counter() - started) * 1000,
            request_id=uuid.uuid4().hex,
            prompt=prompt,
            prompt_blocked=prompt_blocked,
        )

    def _tuned_answer(self, prompt: str, model_name: str, gen: GenerationConfig) -> tuple[str, str, list[Citation]]:
        index = self.index(model_name)
        greedy = gen.temperature <= 0
        # Higher temperature widens the draw: 1 candidate at 0, up to 5 at 2.
        k = 1 if greedy else 1 + math.ceil(gen.temperature * 2)
        hits = index.search(prompt, k)
        if not hits:
            record = self.registry.model_record(model_name)
            generated = self.base.generate(
                prompt, f"{model_name}: no training example matched; base {record['base_model']}", gen
            )
            return generated.text, generated.finish_reason, []
        if greedy or len(hits) == 1:
            hit = hits[0]
        else:
            rng = random.Random(derive_seed(model_name, prompt, gen))
            top = hits[0].score
            weights = [math.exp((h.score - top) / (gen.temperature * max(top, 1e-9) / 4)) for h in hits]
            hit = rng.choices(hits, weights=weights)[0]
        answer = index.answer(hit.row)
        text, cut = truncate_tokens(answer, gen.max_output_tokens)
        title, uri, license_ = index.source(hit.row)
        citations = [Citation(0, len(text), uri, title, license_)] if text else []
        return text, "MAX_TOKENS" if cut else "STOP", citations

    # --- tuning, registry, endpoints -----------------------------------------------------------
    def tune(
        self,
        base_model: str,
        train_uri: str,
        eval_uri: str | None = None,
        *,
        epochs: int = 1,
        display_name: str | None = None,
    ) -> TuningJob:
        return self.tuning.tune(base_model, train_uri, eval_uri, epochs=epochs, display_name=display_name)

    def get_tuning_job(self, name: str) -> TuningJob:
        return self.registry.get_job(name)

    def list_tuning_jobs(self) -> list[TuningJob]:
        return self.registry.list_jobs()

    def list_tuned_models(self) -> list[TunedModel]:
        return self.registry.list_models()

    def get_tuned_model(self, name: str) -> TunedModel:
        target = self.registry.resolve(name)
        if target.kind != "tuned":
            raise NotFoundError(f"{name!r} is a base model, not a tuned model", fix="see `llmops models list`")
        return self.registry.get_model(target.name)

    def deploy(self, model: TunedModel | str) -> Endpoint:
        return self.registry.deploy(model)

    def set_alias(self, model: str, alias: str) -> TunedModel:
        return self.registry.set_alias(model, alias)

    def list_endpoints(self) -> list[Endpoint]:
        return self.registry.list_endpoints()


def _check_prompt(prompt: object, what: str = "prompt") -> None:
    if not isinstance(prompt, str) or not prompt.strip():
        raise DataError(f"{what} is empty", fix="pass the text to send to the model")


def _check_generation(gen: GenerationConfig | None) -> GenerationConfig:
    gen = gen or GenerationConfig()
    if not 0 <= gen.temperature <= MAX_TEMPERATURE:
        raise DataError(
            f"temperature {gen.temperature} is outside [0, {MAX_TEMPERATURE:g}]",
            fix="pass a temperature between 0 and 2",
        )
    if not 1 <= gen.max_output_tokens <= MAX_OUTPUT_TOKENS:
        raise DataError(
            f"max_output_tokens {gen.max_output_tokens} is outside [1, {MAX_OUTPUT_TOKENS}]",
            fix=f"pass a value between 1 and {MAX_OUTPUT_TOKENS}",
        )
    if gen.top_p is not None and not 0 < gen.top_p <= 1:
        raise DataError(f"top_p {gen.top_p} is outside (0, 1]", fix="pass top_p between 0 and 1")
    if gen.top_k is not None and gen.top_k < 1:
        raise DataError(f"top_k {gen.top_k} must be at least 1", fix="pass top_k >= 1")
    return gen


def _override(scores: Scores, canned: CannedResponse) -> Scores:
    rated = dict(scores.rated) | canned.safety
    topics = dict(scores.topics) | canned.categories
    return Scores(rated, topics, [*scores.rules, "canned"])
