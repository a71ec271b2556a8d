"""Evaluation: run a model over an evaluation set and score its answers against the references.

Metrics (keys of `EvaluationResult.metrics`):

- `rougeL`: mean ROUGE-L F-measure, 0..1, equal to rouge-score's with Porter stemming
  (`llmops.evaluation.rouge`, compiled LCS).
- `bleu`, `chrf`: corpus BLEU and chrF, 0..100, equal to sacrebleu's with its default settings
  (`llmops.evaluation.corpus`, vectorised n-gram counts).
- `exact_match`: share of answers equal to the reference after trimming and collapsing
  whitespace, 0..1.
- `mean_length`: mean answer length in words (whitespace-separated; a blocked answer is 0).
- `blocked_rate`: share of answers withheld by the safety filter, 0..1.
- `citation_rate`: share of answers carrying at least one citation, 0..1.
- `latency_p50_ms`, `latency_p95_ms`: percentiles of the model-reported latency.

A model is named as the active provider knows it (`models/123`, `gemini-2.0-flash`), or as
`PROVIDER:MODEL` to answer with another registered model provider of the same profile, so one
evaluation can compare e.g. `openai:google/gemini-2.0-flash-001` with `emulator:models/123`.
The text before the first colon is always read as a provider: a model whose own name has a
colon (Ollama's `llama3:8b`) is written with its provider (`openai:llama3:8b`).

Evaluation examples come from a dataset version's eval JSONL, in the course's format
(`input_text_instruct` prompt, `output_text` reference) or Gemini's supervised-tuning format
(`contents` with a user turn and a model turn).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..evaluation.rouge import rouge_l
from . import monitoring
from .errors import ConfigError, DataError
from .prompts import PromptTemplate, active_prompt, get_template
from .types import DatasetVersion, Prediction

if TYPE_CHECKING:
    from .interfaces import ModelProvider
    from .session import Session

METRIC_KEYS = (
    "rougeL",
    "bleu",
    "chrf",
    "exact_match",
    "mean_length",
    "blocked_rate",
    "citation_rate",
    "latency_p50_ms",
    "latency_p95_ms",
)

HIGHER_IS_BETTER = {
    "rougeL": True,
    "bleu": True,
    "chrf": True,
    "exact_match": True,
    "citation_rate": True,
    "blocked_rate": False,
    "latency_p50_ms": False,
    "latency_p95_ms": False,
}
"""Which direction is an improvement, for comparisons (mean_length has none)."""


@dataclass(frozen=True)
class EvalExample:
    """One evaluation question, its reference answer and, when the row has one, the context the
    answer should be grounded in."""

    prompt: str
    reference: str
    context: str = ""


@dataclass
class EvaluationResult:
    """One model's answers to an evaluation set and their scores."""

    model: str
    metrics: dict[str, float]
    examples: int
    seconds: float
    predictions: list[Prediction] = field(default_factory=list, repr=False)
    references: list[str] = field(default_factory=list, repr=False)
    dataset_version: str | None = None
    prompt: str | None = None
    """`prompts:/NAME@VERSION` when the examples were re-rendered with a registry prompt."""

    @property
    def label(self) -> str:
        """The model, and the prompt version when one was set."""
        return f"{self.model} · {self.prompt.removeprefix('prompts:/')}" if self.prompt else self.model

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.model, "metrics": dict(self.metrics), "examples": self.examples}
        if self.dataset_version:
            out["dataset_version"] = self.dataset_version
        if self.prompt:
            out["prompt"] = self.prompt
        return out


# ---------------------------------------------------------------- examples


def _text_of(turn: Any) -> str:
    parts = (turn or {}).get("parts") or []
    return "".join(p.get("text", "") for p in parts if isinstance(p, dict))


def _context(row: dict[str, Any]) -> str:
    value = row.get("context")
    if isinstance(value, list):
        return "\n\n".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def parse_example(row: Any, where: str) -> EvalExample:
    """An example from one JSONL row in the course's or Gemini's format (an optional `context`,
    text or a list of texts, is kept for grounding metrics)."""
    if not isinstance(row, dict):
        raise DataError(
            f"{where} is not a JSON object", fix="each line must be an object with input_text_instruct and output_text"
        )
    if "input_text_instruct" in row or "output_text" in row:
        prompt, reference = row.get("input_text_instruct"), row.get("output_text")
        if not isinstance(prompt, str) or not isinstance(reference, str):
            raise DataError(
                f"{where} lacks input_text_instruct or output_text as text",
                fix="use the course's format (input_text_instruct, output_text) or Gemini's (contents)",
            )
        return EvalExample(prompt, reference, _context(row))
    contents = row.get("contents")
    if isinstance(contents, list):
        user = [c for c in contents if isinstance(c, dict) and c.get("role") == "user"]
        model = [c for c in contents if isinstance(c, dict) and c.get("role") == "model"]
        if user and model:
            return EvalExample(_text_of(user[-1]), _text_of(model[-1]), _context(row))
    raise DataError(
        f"{where} has neither input_text_instruct/output_text nor contents with user and model turns",
        fix="use the course's format (input_text_instruct, output_text) or Gemini's (contents)",
    )


def read_examples(session: Session, uri: str, limit: int | None = None) -> list[EvalExample]:
    """Examples from an eval JSONL (a local path or any URI the artifact store reads)."""
    if limit is not None and limit < 1:
        raise DataError(f"--limit must be at least 1, got {limit}", fix="pass a positive number of examples")
    name = Path(uri).name if "://" not in uri else uri
    examples: list[EvalExample] = []
    with session.artifacts.open(uri, "rb") as f:
        for lineno, raw in enumerate(f, start=1):
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(
                    f"{name} line {lineno} is not JSON ({exc.msg})", fix="each line must be one JSON object"
                ) from None
            examples.append(parse_example(row, f"{name} line {lineno}"))
            if limit is not None and len(examples) >= limit:
                break
    if not examples:
        raise DataError(f"evaluation file {uri} has no examples", fix="prepare a dataset with a non-empty eval split")
    return examples


def eval_set(
    session: Session, dataset: str | None = None, limit: int | None = None
) -> tuple[DatasetVersion, list[EvalExample]]:
    """A dataset version (by id or prefix; the newest when None) and its evaluation examples."""
    from . import data

    version = data.get_version(session, dataset) if dataset else data.latest_version(session)
    return version, read_examples(session, version.eval.uri, limit)


def prompt_template(session: Session, spec: str) -> PromptTemplate:
    """A template by hook name or `prompts:/NAME[@VERSION|@ALIAS]` reference."""
    return get_template(spec, session.settings.workspace)


def reprompt(
    session: Session, version: DatasetVersion, examples: Sequence[EvalExample], template: PromptTemplate
) -> list[EvalExample]:
    """The examples asked with another template: the dataset's own template prefix is taken off
    each prompt and the new one put on."""
    recorded = version.manifest.get("template") or {}
    name, ver = recorded.get("name"), recorded.get("version")
    if not name:
        raise DataError(
            f"dataset version {version.version} does not record its template",
            fix="prepare the dataset again with llmops data prepare",
        )
    old = prompt_template(session, f"{name}@{ver}" if str(name).startswith("prompts:/") else name)
    prefix = old.text + old.separator
    return [EvalExample(template.render(e.prompt.removeprefix(prefix)), e.reference, e.context) for e in examples]


# ---------------------------------------------------------------- metrics


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def compute_metrics(predictions: Sequence[Prediction], references: Sequence[str]) -> dict[str, float]:
    """Every metric of METRIC_KEYS for answers and their references, in order."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references")
    n = len(predictions)
    if n == 0:
        raise DataError("no predictions to score", fix="evaluate on a non-empty evaluation set")
    from ..evaluation.corpus import corpus_bleu, corpus_chrf  # numpy: only when scoring

    texts = ["" if p.blocked else (p.text or "") for p in predictions]
    rouge = sum(rouge_l(references, texts)) / n
    bleu = corpus_bleu(texts, references)
    chrf = corpus_chrf(texts, references)
    latencies = [float(p.latency_ms) for p in predictions]
    return {
        "rougeL": round(rouge, 4),
        "bleu": round(bleu, 2),
        "chrf": round(chrf, 2),
        "exact_match": round(
            sum(_normalize(t) == _normalize(r) for t, r in zip(texts, references, strict=True)) / n, 4
        ),
        "mean_length": round(sum(len(t.split()) for t in texts) / n, 2),
        "blocked_rate": round(sum(1 for p in predictions if p.blocked) / n, 4),
        "citation_rate": round(sum(1 for p in predictions if p.citations) / n, 4),
        "latency_p50_ms": round(percentile(latencies, 50), 3),
        "latency_p95_ms": round(percentile(latencies, 95), 3),
    }


# ---------------------------------------------------------------- running models


def split_model(session: Session, spec: str | None) -> tuple[str | None, str | None]:
    """`(provider, model)` of a model spec: `PROVIDER:MODEL` names a registered model provider
    (an empty MODEL is that provider's default); a spec without a colon has no provider."""
    if spec is None or ":" not in spec:
        return None, spec
    from . import registry

    provider, _, model = spec.partition(":")
    known = registry.backends("model")
    if provider not in known:
        raise ConfigError(
            f"unknown model provider {provider!r} in model {spec!r}",
            fix=f"write PROVIDER:MODEL with one of: {', '.join(sorted(known))} "
            f"(a model name with a colon needs its provider first, e.g. {session.settings.model}:{spec})",
        )
    return provider, model or None


def _predict_all(session: Session, prompts: list[str], spec: str | None, extra: dict[str, Any]) -> list[Prediction]:
    provider, model = split_model(session, spec)
    if provider is None or provider == session.settings.model:
        return monitoring.predict_batch(session, prompts, model=model, **extra)  # logged, like every prediction
    from . import registry

    backend = cast(
        "ModelProvider", registry.create_backend("model", session.settings.model_copy(update={"model": provider}))
    )
    try:
        predictions = backend.predict_batch(prompts, model=model, **extra)
    finally:
        backend.close()
    if session.settings.log_predictions:
        monitoring.log_for(session).record(predictions, provider=provider)
    return predictions


def evaluate(
    session: Session,
    examples: Sequence[EvalExample],
    *,
    model: str | None = None,
    concurrency: int | None = None,
    dataset_version: str | None = None,
    prompt: PromptTemplate | None = None,
) -> EvaluationResult:
    """Answer every example with `model` (the provider's default when None; `PROVIDER:MODEL`
    for another provider) through `predict_batch`, and score the answers. `concurrency`
    defaults to the provider's own choice (threads help a remote service, not an in-process
    emulator). `prompt` labels the result and the logged predictions with the registry prompt
    the examples were rendered with (see `reprompt`)."""
    prompts = [e.prompt for e in examples]
    extra: dict[str, Any] = {} if concurrency is None else {"concurrency": concurrency}
    t0 = time.perf_counter()
    with active_prompt(prompt):
        predictions = _predict_all(session, prompts, model, extra)
    seconds = time.perf_counter() - t0
    references = [e.reference for e in examples]
    name = model or (predictions[0].model if predictions else None) or session.settings.base_model
    return EvaluationResult(
        model=name,
        metrics=compute_metrics(predictions, references),
        examples=len(examples),
        seconds=round(seconds, 3),
        predictions=list(predictions),
        references=references,
        dataset_version=dataset_version,
        prompt=f"{prompt.name}@{prompt.version}" if prompt is not None and prompt.registry_version else None,
    )


def compare(
    session: Session,
    models: Sequence[str],
    *,
    dataset: str | None = None,
    limit: int | None = None,
    concurrency: int | None = None,
    prompts: Sequence[str] = (),
) -> tuple[DatasetVersion, list[EvaluationResult]]:
    """Evaluate several models on the same examples of one dataset version; with `prompts`
    (template names or `prompts:/` references), every model × prompt version of the grid."""
    if not models:
        raise DataError("no model to evaluate", fix="pass --model NAME (repeatable)")
    # A bad reference fails before any model runs.
    templates: list[PromptTemplate | None] = [prompt_template(session, p) for p in prompts] or [None]
    version, examples = eval_set(session, dataset, limit)
    results = []
    for template in templates:
        asked = examples if template is None else reprompt(session, version, examples, template)
        for m in models:
            results.append(
                evaluate(
                    session, asked, model=m, concurrency=concurrency, dataset_version=version.version, prompt=template
                )
            )
    return version, results


def write_predictions(result: EvaluationResult, path: str | Path, examples: Sequence[EvalExample]) -> Path:
    """The answers as JSONL: prompt, reference and the full prediction (Vertex shape, model,
    latency) — safety attributes and citations included."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for example, pred in zip(examples, result.predictions, strict=True):
            row = {"prompt": example.prompt, "reference": example.reference, "prediction": pred.to_dict()}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path
