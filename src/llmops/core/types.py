"""Plain data types shared by every backend: predictions with safety and citations, datasets,
tuning jobs, models, endpoints and pipeline runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

HARM_CATEGORIES = (
    "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
)
"""The four categories Vertex AI rates on every generative response."""

PROBABILITY_BUCKETS = ("NEGLIGIBLE", "LOW", "MEDIUM", "HIGH")
BLOCK_THRESHOLDS = (
    "BLOCK_LOW_AND_ABOVE",
    "BLOCK_MEDIUM_AND_ABOVE",
    "BLOCK_ONLY_HIGH",
    "BLOCK_NONE",
)


@dataclass(frozen=True)
class SafetyRating:
    """One rated harm category: probability and severity, as bucket and score in [0, 1]."""

    category: str
    probability: str
    probability_score: float
    severity: str
    severity_score: float
    blocked: bool = False

    def to_vertex_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "probability": self.probability,
            "probabilityScore": self.probability_score,
            "severity": self.severity,
            "severityScore": self.severity_score,
            "blocked": self.blocked,
        }

    def to_palm_dict(self) -> dict[str, Any]:
        """text-bison's rating: display category name, scores and severity bucket."""
        return {
            "category": palm_category(self.category),
            "probabilityScore": self.probability_score,
            "severity": self.severity,
            "severityScore": self.severity_score,
        }


def palm_category(category: str) -> str:
    """text-bison's name for a Gemini harm category: HARM_CATEGORY_HATE_SPEECH -> Hate Speech."""
    return category.removeprefix("HARM_CATEGORY_").replace("_", " ").title()


@dataclass(frozen=True)
class SafetyAttributes:
    """Vertex's safety attributes: the PaLM-style categories/scores plus per-category ratings."""

    blocked: bool = False
    categories: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    ratings: list[SafetyRating] = field(default_factory=list)

    def to_vertex_dict(self) -> dict[str, Any]:
        return {
            "blocked": self.blocked,
            "categories": list(self.categories),
            "scores": list(self.scores),
            "safetyRatings": [r.to_vertex_dict() for r in self.ratings],
        }

    def to_palm_dict(self, blocked: bool) -> dict[str, Any]:
        """text-bison's `safetyAttributes`, as the course prints them."""
        return {
            "blocked": blocked,
            "categories": list(self.categories),
            "scores": list(self.scores),
            "safetyRatings": [r.to_palm_dict() for r in self.ratings],
        }


@dataclass(frozen=True)
class Citation:
    """A span of the response that reproduces a known source."""

    start_index: int
    end_index: int
    uri: str | None = None
    title: str | None = None
    license: str | None = None
    publication_date: str | None = None  # ISO date, YYYY-MM-DD

    def to_vertex_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "startIndex": int(self.start_index),
            "endIndex": int(self.end_index),
            "uri": self.uri,
            "title": self.title,
            "license": self.license,
            "publicationDate": None,
        }
        if self.publication_date:
            y, m, d = (int(p) for p in self.publication_date.split("-"))
            out["publicationDate"] = {"year": y, "month": m, "day": d}
        return out

    def to_palm_dict(self) -> dict[str, Any]:
        """text-bison's citation: integer offsets, url, title, license and date as strings."""
        return {
            "startIndex": int(self.start_index),
            "endIndex": int(self.end_index),
            "url": self.uri or "",
            "title": self.title or "",
            "license": self.license or "",
            "publicationDate": self.publication_date or "",
        }


@dataclass(frozen=True)
class Usage:
    """Token counts for one prediction."""

    prompt_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.output_tokens


@dataclass(frozen=True)
class Prediction:
    """One model response with everything Vertex returns alongside the text, never dropped."""

    text: str
    model: str
    blocked: bool = False
    finish_reason: str = "STOP"
    safety: SafetyAttributes = field(default_factory=SafetyAttributes)
    citations: list[Citation] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    latency_ms: float = 0.0
    request_id: str | None = None
    prompt: str | None = None
    prompt_blocked: bool = False  # blocked on the prompt's ratings, before any generation

    def to_vertex_dict(self) -> dict[str, Any]:
        """The course's (text-bison's) prediction: content, safetyAttributes, citationMetadata."""
        return {
            "content": "" if self.blocked else self.text,
            "safetyAttributes": self.safety.to_palm_dict(self.blocked),
            "citationMetadata": {"citations": [] if self.blocked else [c.to_palm_dict() for c in self.citations]},
        }

    def to_gemini_dict(self) -> dict[str, Any]:
        """Gemini's detail for the same answer: HARM_CATEGORY_* ratings, finish reason, usage."""
        return {
            "finishReason": self.finish_reason,
            "blocked": self.blocked,
            "promptBlocked": self.prompt_blocked,
            "safetyRatings": [r.to_vertex_dict() for r in self.safety.ratings],
            "citationMetadata": {"citations": [c.to_vertex_dict() for c in self.citations]},
            "usageMetadata": {
                "promptTokenCount": self.usage.prompt_tokens,
                "candidatesTokenCount": self.usage.output_tokens,
                "totalTokenCount": self.usage.total_tokens,
            },
        }

    def to_cli_dict(self) -> dict[str, Any]:
        """`llmops predict --json`: the course's shape under `prediction`, Gemini's under `gemini`."""
        return {
            "prediction": self.to_vertex_dict(),
            "gemini": self.to_gemini_dict(),
            "model": self.model,
            "latency_ms": round(self.latency_ms, 3),
            "request_id": self.request_id,
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready: the course's shape plus model, latency, usage, finish reason and Gemini's detail."""
        out = self.to_vertex_dict()
        out.update(
            model=self.model,
            latency_ms=round(self.latency_ms, 3),
            finish_reason=self.finish_reason,
            blocked=self.blocked,
            usage={
                "prompt_tokens": self.usage.prompt_tokens,
                "output_tokens": self.usage.output_tokens,
                "total_tokens": self.usage.total_tokens,
            },
            request_id=self.request_id,
            gemini=self.to_gemini_dict(),
        )
        return out


@dataclass(frozen=True)
class GenerationConfig:
    """Sampling settings; the emulated model is deterministic for a given prompt and config."""

    temperature: float = 0.0
    max_output_tokens: int = 256
    top_p: float | None = None
    top_k: int | None = None
    seed: int | None = None
    system_instruction: str | None = None


@dataclass(frozen=True)
class ExportResult:
    """Files written by a warehouse export."""

    uris: list[str]
    rows: int


@dataclass(frozen=True)
class DatasetSplit:
    """One exported split of a dataset version."""

    uri: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class DatasetVersion:
    """An immutable, content-addressed instruction dataset: train and eval files plus manifest."""

    version: str
    train: DatasetSplit
    eval: DatasetSplit
    manifest: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "train": {"uri": self.train.uri, "rows": self.train.rows},
            "eval": {"uri": self.eval.uri, "rows": self.eval.rows},
            "manifest": self.manifest,
        }


@dataclass(frozen=True)
class Endpoint:
    """A deployed model that answers predictions."""

    name: str
    model: str
    uri: str | None = None


@dataclass(frozen=True)
class TunedModel:
    """A model produced by a tuning job, registered with aliases."""

    name: str
    base_model: str
    display_name: str
    job: str
    aliases: list[str] = field(default_factory=list)
    endpoint: str | None = None
    train_uri: str | None = None
    created: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TuningJob:
    """A supervised tuning job and its outcome."""

    name: str
    state: str  # JOB_STATE_PENDING | RUNNING | SUCCEEDED | FAILED | CANCELLED
    base_model: str
    train_uri: str
    eval_uri: str | None = None
    display_name: str | None = None
    tuned_model: TunedModel | None = None
    error: str | None = None
    created: str | None = None
    updated: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TaskState:
    """One task of a pipeline run."""

    name: str
    state: str  # SUCCEEDED | FAILED | RUNNING | PENDING | SKIPPED
    cached: bool = False
    seconds: float = 0.0
    outputs: dict[str, Any] = field(default_factory=dict)
    log_tail: str | None = None


@dataclass(frozen=True)
class PipelineRun:
    """A submitted pipeline run: state, task states, outputs and lineage."""

    run_id: str
    state: str  # PENDING | RUNNING | SUCCEEDED | FAILED | CANCELLED
    package: str
    pipeline_name: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    tasks: list[TaskState] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    lineage: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    created: str | None = None
    finished: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
