"""Text embeddings for retrieval, behind a one-method protocol so any embedder can be used."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np

from ..core.errors import ConfigError


class Embedder(Protocol):
    """Turns texts into one float32 row per text."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class DefaultEmbedder:
    """llmops's embeddings (`llmops.embeddings.embed`) where present, else WordLlama (256-d,
    offline, weights shipped in the package), L2-normalised so a dot product is the cosine."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(_embed_function()(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


@lru_cache(maxsize=1)
def _embed_function():
    try:
        from ..embeddings import embed  # type: ignore[import-not-found,unused-ignore]

        return embed
    except ImportError:
        pass
    try:
        import wordllama
    except ImportError:
        raise ConfigError(
            "retrieval needs text embeddings and the wordllama package is not installed",
            fix="pip install 'llmops[embeddings]'",
        ) from None
    from pathlib import Path

    model = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    model.tokenizer.no_padding()
    table = model.embedding

    def embed(texts: list[str]) -> np.ndarray:
        # Mean of token vectors, as WordLlama's own embed, without padding every text of a batch
        # to the longest one (chunks vary a lot in length).
        ids = [enc.ids for enc in model.tokenizer.encode_batch(texts, add_special_tokens=False)]
        lengths = np.array([max(len(i), 1) for i in ids])
        flat = np.concatenate([np.asarray(i or [0], dtype=np.int64) for i in ids])
        np.clip(flat, 0, table.shape[0] - 1, out=flat)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        sums = np.add.reduceat(table[flat].astype(np.float32), starts, axis=0)
        empty = np.array([not i for i in ids])
        sums[empty] = 0
        return sums / lengths[:, None]

    return embed
