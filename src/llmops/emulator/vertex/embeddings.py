"""Vertex AI text embeddings on the emulated encoder (`engine/embedder.py`): `:predict` on the
text-embedding models (`instances[{content, task_type, title}]`, what google-genai's
`embed_content` and `TextEmbeddingModel.get_embeddings` send) and `:embedContent` on the
Gemini embedding models.

The encoder has 256 real dimensions. A longer output (each model's default, or a larger
`outputDimensionality`) is the 256-dimensional unit vector followed by zeros, so cosine
similarities and dot products are those of the encoder; a shorter one is its Matryoshka cut.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ...core.errors import ConfigError
from ..server.errors import ApiError, bad_request

MODELS = {
    "text-embedding-005": 768,
    "text-embedding-004": 768,
    "text-multilingual-embedding-002": 768,
    "textembedding-gecko@003": 768,
    "textembedding-gecko-multilingual@001": 768,
    "gemini-embedding-001": 3072,
}
"""Embedding models served, with their default output dimension."""
MAX_INPUT_TOKENS = 2048
MAX_INSTANCES = 250
TASK_TYPES = (
    "RETRIEVAL_QUERY",
    "RETRIEVAL_DOCUMENT",
    "SEMANTIC_SIMILARITY",
    "CLASSIFICATION",
    "CLUSTERING",
    "QUESTION_ANSWERING",
    "FACT_VERIFICATION",
    "CODE_RETRIEVAL_QUERY",
)


def is_embedding_model(name: str) -> bool:
    """Whether `name` (short, `@version` allowed) is an embedding model the emulator serves."""
    short = name.rsplit("/", 1)[-1]
    return short in MODELS or short.split("@", 1)[0] in MODELS or short.startswith("gemini-embedding")


def publisher_resource(name: str) -> dict[str, Any]:
    """The publisher model resource `TextEmbeddingModel.from_pretrained` reads."""
    short, _, version = name.partition("@")
    return {
        "name": f"publishers/google/models/{short}",
        "versionId": version or "001",
        "openSourceCategory": "PROPRIETARY",
        "launchStage": "GA",
        "versionState": "VERSION_STATE_STABLE",
        "publisherModelTemplate": f"projects/{{user-project}}/locations/{{location}}/publishers/google/models/{name}",
        "predictSchemata": {
            "instanceSchemaUri": "gs://google-cloud-aiplatform/schema/predict/instance/text_embedding_1.0.0.yaml",
            "parametersSchemaUri": "gs://google-cloud-aiplatform/schema/predict/params/text_embedding_1.0.0.yaml",
            "predictionSchemaUri": "gs://google-cloud-aiplatform/schema/predict/prediction/text_embedding_1.0.0.yaml",
        },
    }


def default_dimension(name: str) -> int:
    short = name.rsplit("/", 1)[-1]
    return MODELS.get(short) or MODELS.get(short.split("@", 1)[0]) or 3072


def _dimension(value: Any, model: str) -> int:
    top = default_dimension(model)
    if value is None:
        return top
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise bad_request(f"Invalid value at 'outputDimensionality': {value!r} is not an integer")
    dim = int(value)
    if not 1 <= dim <= top:
        raise bad_request(
            f"Unable to submit request because outputDimensionality {dim} is out of range for {model}: use 1 to {top}",
            location="parameters.outputDimensionality",
        )
    return dim


def _task(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if value not in TASK_TYPES:
        raise bad_request(
            f"Invalid value at '{where}.task_type' ({value!r}): expected one of {', '.join(TASK_TYPES)}",
            location=f"{where}.task_type",
        )
    return str(value)


def _encode(texts: list[str], dim: int, auto_truncate: bool) -> tuple[np.ndarray, list[int], list[bool]]:
    from .engine import embedder

    try:
        out = embedder.encode(texts, dim, max_tokens=MAX_INPUT_TOKENS)
    except ConfigError as exc:
        raise ApiError(501, str(exc), "notImplemented") from None
    if not auto_truncate and out.truncated.any():
        i = int(out.truncated.argmax())
        raise bad_request(
            f"Unable to submit request because input {i} has {int(out.token_counts[i])} tokens, more than the "
            f"maximum of {MAX_INPUT_TOKENS}; shorten it or set autoTruncate to true",
            location=f"instances[{i}].content",
        )
    counts = np.minimum(out.token_counts, MAX_INPUT_TOKENS).tolist()
    return out.vectors, counts, out.truncated.tolist()


def predict_response(body: dict[str, Any], model: str) -> dict[str, Any]:
    """The `PredictResponse` of a text-embedding `:predict`; `values` are numpy rows (`to_json`)."""
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        raise bad_request("Invalid request: 'instances' must be a non-empty list", location="instances")
    if len(instances) > MAX_INSTANCES:
        raise bad_request(
            f"Unable to submit request because it has {len(instances)} instances; at most {MAX_INSTANCES} "
            "are allowed per request",
            location="instances",
        )
    params = body.get("parameters") or {}
    if not isinstance(params, dict):
        raise bad_request("Invalid request: 'parameters' must be an object", location="parameters")
    dim = _dimension(params.get("outputDimensionality"), model)
    auto = params.get("autoTruncate", True)
    texts = []
    for i, inst in enumerate(instances):
        where = f"instances[{i}]"
        if not isinstance(inst, dict) or not isinstance(inst.get("content"), str):
            raise bad_request(f"Invalid instance {i}: expected an object with a 'content' string", location=where)
        task = _task(inst.get("task_type", inst.get("taskType")), where)
        title = inst.get("title")
        if title is not None and task != "RETRIEVAL_DOCUMENT":
            raise bad_request(
                f"Invalid instance {i}: title is only valid with task_type RETRIEVAL_DOCUMENT", location=where
            )
        texts.append(f"{title}\n{inst['content']}" if title else inst["content"])
    vectors, counts, truncated = _encode(texts, dim, bool(auto))
    return {
        "predictions": [
            {"embeddings": {"values": v, "statistics": {"token_count": float(c), "truncated": t}}}
            for v, c, t in zip(vectors, counts, truncated)
        ],
        "metadata": {"billableCharacterCount": sum(len(t) for t in texts)},
    }


def embed_content_response(body: dict[str, Any], model: str) -> dict[str, Any]:
    """The `EmbedContentResponse` of a Gemini embedding model's `:embedContent`; `values` is a
    numpy row (`to_json`)."""
    content = body.get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    if not isinstance(parts, list) or not parts or not all(isinstance(p, dict) and "text" in p for p in parts):
        raise bad_request("Invalid value at 'content': expected a Content with text parts", location="content")
    cfg = body.get("embedContentConfig") or body.get("embed_content_config") or {}
    dim = _dimension(cfg.get("outputDimensionality"), model)
    _task(cfg.get("taskType", cfg.get("task_type")), "embed_content_config")
    text = "".join(p["text"] for p in parts)
    title = cfg.get("title")
    vectors, counts, truncated = _encode([f"{title}\n{text}" if title else text], dim, cfg.get("autoTruncate", True))
    return {
        "embedding": {"values": vectors[0]},
        "usageMetadata": {"promptTokenCount": counts[0]},
        "truncated": truncated[0],
    }


_MARKER = "@@llmops-embedding@@"
_DIGITS = 9  # every digit a float32 component in [-1, 1] carries that matters
_POWERS = 10 ** np.arange(_DIGITS - 1, -1, -1, dtype=np.int64)


def _arrays(matrix: np.ndarray) -> list[bytes]:
    """Each row of unit vectors as a JSON array of fixed-point numbers (` 0.012345679`), built
    in numpy: Python's float repr is most of a large response's cost. Zero padding past the
    encoder's width is written as `0.0`."""
    from .engine import embedder

    real = min(matrix.shape[1], embedder.DIMENSIONS)
    values = matrix[:, :real].astype(np.float64)
    scaled = np.rint(np.abs(values) * 10**_DIGITS).astype(np.int64)
    chars = np.empty((*scaled.shape, _DIGITS + 4), dtype=np.uint8)
    chars[..., 0] = np.where((values < 0) & (scaled > 0), ord("-"), ord(" "))
    chars[..., 1] = ord("0") + scaled // 10**_DIGITS
    chars[..., 2] = ord(".")
    chars[..., 3:-1] = ord("0") + (scaled[..., None] // _POWERS) % 10
    chars[..., -1] = ord(",")
    tail = b",0.0" * (matrix.shape[1] - real)
    return [b"[" + row.tobytes()[:-1] + tail + b"]" for row in chars.reshape(len(matrix), -1)]


def to_json(doc: dict[str, Any]) -> bytes:
    """`doc` (a `predict_response` or `embed_content_response`) as compact JSON bytes."""
    rows: list[np.ndarray] = []

    def vector(value: Any) -> str:
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{type(value).__name__} is not JSON serializable")
        rows.append(value)
        return _MARKER

    text = json.dumps(doc, ensure_ascii=True, allow_nan=False, separators=(",", ":"), default=vector)
    pieces = text.encode("ascii").split(f'"{_MARKER}"'.encode("ascii"))
    arrays = _arrays(np.vstack(rows)) if rows else []
    out = [pieces[0]]
    for array, piece in zip(arrays, pieces[1:]):
        out += (array, piece)
    return b"".join(out)
