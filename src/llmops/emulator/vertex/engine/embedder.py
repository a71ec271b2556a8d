"""The emulated embedding models' encoder: WordLlama (`l2_supercat`, 256 dimensions, MIT), a
small static-embedding model whose weights ship inside the `wordllama` wheel, loaded offline.

Vectors are L2-normalised; the first `d` dimensions of WordLlama's Matryoshka-trained vectors
are themselves a good `d`-dimensional embedding, so shorter outputs are a cut and renormalise.
Requires the `embeddings` extra. The model itself is `llmops.embeddings`, shared with monitoring
and grounding; this module adds what the Vertex API needs (token counts, truncation).
"""

from __future__ import annotations

from ....embeddings import DIMENSIONS, embed, encode, load_model, token_ids

__all__ = ["DIMENSIONS", "embed", "encode", "token_counts", "truncate"]


def token_counts(texts: list[str]) -> list[int]:
    """The encoder's token count of each text (its tokenizer, without special tokens)."""
    return [len(ids) for ids in token_ids(texts)]


def truncate(text: str, limit: int) -> str:
    """`text` cut to its first `limit` tokens."""
    encoding = load_model().tokenizer.encode(text, add_special_tokens=False)
    if len(encoding.ids) <= limit:
        return text
    return text[: encoding.offsets[limit - 1][1]]
