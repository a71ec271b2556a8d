"""Text embeddings that work offline: WordLlama's 256-d model, whose weights ship inside the
`wordllama` wheel (extra `embeddings`). `embed(texts)` returns L2-normalised float32 rows."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from .core.errors import ConfigError

DIMENSIONS = 256
MODEL = "wordllama l2_supercat 256-d"
_model: Any = None
_lock = threading.Lock()


class EmbeddingsMissing(ConfigError):
    """The `embeddings` extra is not installed."""


def load_model() -> Any:
    """The WordLlama model, loaded once per process from the wheel (never from the network)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                try:
                    import wordllama
                    from wordllama import WordLlama
                except ImportError:
                    raise EmbeddingsMissing(
                        "text embeddings need the wordllama package", fix="pip install 'llmops[embeddings]'"
                    ) from None
                from pathlib import Path

                # the wheel carries the weights and tokenizer; never reach for the network
                _model = WordLlama.load(
                    cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=DIMENSIONS
                )
    return _model


def embed(texts: Sequence[str], dimensions: int = DIMENSIONS) -> np.ndarray:
    """One L2-normalised row per text, shape (len(texts), min(dimensions, 256)), float32;
    deterministic. WordLlama is Matryoshka-trained, so fewer dimensions are a cut of the first."""
    texts = [t or "" for t in texts]
    width = min(dimensions, DIMENSIONS)
    if not texts:
        return np.zeros((0, width), dtype=np.float32)
    vectors = np.asarray(load_model().embed(texts, norm=False, batch_size=64), dtype=np.float32)[:, :width]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)
