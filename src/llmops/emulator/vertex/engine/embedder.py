"""The emulated embedding models' encoder: WordLlama (`l2_supercat`, 256 dimensions, MIT), a
small static-embedding model whose weights ship inside the `wordllama` wheel, loaded offline.

Vectors are L2-normalised; the first `d` dimensions of WordLlama's Matryoshka-trained vectors
are themselves a good `d`-dimensional embedding, so shorter outputs are a cut and renormalise.
Requires the `embeddings` extra.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from ....core.errors import ConfigError

DIMENSIONS = 256
_lock = threading.Lock()
_model: Any = None


def _load() -> Any:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                try:
                    import wordllama
                except ImportError:
                    raise ConfigError(
                        "embeddings need the wordllama package", fix="pip install 'llmops[embeddings]'"
                    ) from None
                _model = wordllama.WordLlama.load(
                    cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=DIMENSIONS
                )
    return _model


def embed(texts: list[str], dimensions: int = DIMENSIONS) -> np.ndarray:
    """`len(texts)` x `min(dimensions, 256)` float32 unit vectors."""
    if not texts:
        return np.zeros((0, min(dimensions, DIMENSIONS)), dtype=np.float32)
    vectors = np.asarray(_load().embed(texts, norm=False, batch_size=64), dtype=np.float32)
    vectors = vectors[:, : min(dimensions, DIMENSIONS)]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def token_counts(texts: list[str]) -> list[int]:
    """The encoder's token count of each text (its tokenizer, without special tokens)."""
    encoded = _load().tokenizer.encode_batch(texts, add_special_tokens=False)
    return [sum(e.attention_mask) for e in encoded]  # the batch is padded


def truncate(text: str, limit: int) -> str:
    """`text` cut to its first `limit` tokens."""
    encoding = _load().tokenizer.encode(text, add_special_tokens=False)
    if len(encoding.ids) <= limit:
        return text
    return text[: encoding.offsets[limit - 1][1]]
