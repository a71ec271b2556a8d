"""Text embeddings that work offline: WordLlama's 256-d model, whose weights ship inside the
`wordllama` wheel (extra `embeddings`). `embed(texts)` returns L2-normalised float32 rows;
`encode` adds each text's token count, cut at a token limit."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from itertools import chain
from typing import Any, NamedTuple

import numpy as np

from .core.errors import ConfigError

DIMENSIONS = 256
MODEL = "wordllama l2_supercat 256-d"
_model: Any = None
_tokenizer: Any = None
_table: np.ndarray | None = None
_lock = threading.Lock()
_CHUNK = 1024  # texts pooled together: keeps the padded id matrix small and in cache
_LONG = 256  # texts with more tokens are pooled one by one rather than padding the chunk


class EmbeddingsMissing(ConfigError):
    """The `embeddings` extra is not installed."""


class Encoded(NamedTuple):
    """Embeddings of a batch of texts, with what the encoder saw of each."""

    vectors: np.ndarray
    """One L2-normalised float32 row per text."""
    token_counts: np.ndarray
    """Each text's token count before any cut (int64)."""
    truncated: np.ndarray
    """Whether each text was cut to the token limit (bool)."""


def load_model() -> Any:
    """The WordLlama model, loaded once per process from the wheel (never from the network)."""
    global _model, _tokenizer, _table
    if _model is None:
        with _lock:
            if _model is None:
                try:
                    import wordllama
                    from tokenizers import Tokenizer
                    from wordllama import WordLlama
                except ImportError:
                    raise EmbeddingsMissing(
                        "text embeddings need the wordllama package", fix="pip install 'llmops[embeddings]'"
                    ) from None
                from pathlib import Path

                # the wheel carries the weights and tokenizer; never reach for the network
                model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=DIMENSIONS)
                # an unpadded copy of its tokenizer: ids per text, no padding to the batch's longest
                tokenizer = Tokenizer.from_str(model.tokenizer.to_str())
                tokenizer.no_padding()
                tokenizer.no_truncation()
                weights = np.asarray(model.embedding, dtype=np.float32)
                # a zero row past the vocabulary is what padding ids gather
                _table = np.vstack([weights, np.zeros((1, weights.shape[1]), dtype=np.float32)])
                _tokenizer = tokenizer
                _model = model
    return _model


def token_ids(texts: Sequence[str]) -> list[list[int]]:
    """Each text's token ids under the encoder's tokenizer (no special tokens, no cut)."""
    load_model()
    encode = getattr(_tokenizer, "encode_batch_fast", None) or _tokenizer.encode_batch
    return [e.ids for e in encode(list(texts), add_special_tokens=False)]


def encode(texts: Sequence[str], dimensions: int = DIMENSIONS, max_tokens: int | None = None) -> Encoded:
    """Embed `texts` (each cut to its first `max_tokens` tokens when given): one L2-normalised
    row of `dimensions` float32 values per text, deterministic. WordLlama is Matryoshka-trained,
    so fewer than 256 dimensions are a cut of the first, renormalised; more are the 256-d unit
    vector followed by zeros, so dot products and cosine similarities are unchanged."""
    texts = [t or "" for t in texts]
    width = min(dimensions, DIMENSIONS)
    n = len(texts)
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return Encoded(np.zeros((0, dimensions), dtype=np.float32), empty, empty.astype(bool))
    ids = token_ids(texts)
    assert _table is not None
    table = _table[:, :width]
    lens = np.fromiter(map(len, ids), dtype=np.int64, count=n)
    truncated = lens > max_tokens if max_tokens is not None else np.zeros(n, dtype=bool)
    out = np.zeros((n, max(dimensions, width)), dtype=np.float32)
    sums = out[:, :width]  # past the encoder's width the output stays zero
    pad_id = table.shape[0] - 1
    for i in np.flatnonzero(truncated):
        ids[i] = ids[i][:max_tokens]
    used = np.minimum(lens, max_tokens) if max_tokens is not None else lens
    for i in np.flatnonzero(used > _LONG):
        row = np.asarray(ids[i], dtype=np.intp)
        sums[i] = table[np.minimum(row, pad_id)].sum(axis=0)
    short = np.flatnonzero(used <= _LONG)
    for start in range(0, short.size, _CHUNK):
        rows = short[start : start + _CHUNK]
        counts = used[rows]
        longest = int(counts.max())
        if not longest:
            continue
        flat = np.fromiter(chain.from_iterable(ids[i] for i in rows), dtype=np.intp, count=int(counts.sum()))
        padded = np.full((rows.size, longest), pad_id, dtype=np.intp)
        padded[np.arange(longest) < counts[:, None]] = np.minimum(flat, pad_id)
        block = sums[rows]
        for j in range(longest):  # one gather per token position: no (texts, tokens, dims) array
            block += table[padded[:, j]]
        sums[rows] = block
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    sums /= np.where(norms == 0, 1, norms)
    return Encoded(out, lens, truncated)


def embed(texts: Sequence[str], dimensions: int = DIMENSIONS) -> np.ndarray:
    """One L2-normalised row per text, shape (len(texts), dimensions), float32; deterministic.
    Fewer than 256 dimensions are WordLlama's Matryoshka cut; more are zero-padded."""
    return encode(texts, dimensions).vectors
