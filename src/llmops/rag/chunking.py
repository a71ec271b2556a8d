"""Fixed-length chunking with overlap, counted in words.

Defaults: 200 words per chunk (about 260 tokens, 1,100 characters of English prose), 40 words of
overlap, so a sentence cut at a boundary appears whole in one of the two chunks. A document no
longer than one chunk is one chunk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.errors import ConfigError

CHUNK_WORDS = 200
OVERLAP_WORDS = 40

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunking:
    """How documents are cut: `size` words per chunk, `overlap` words shared by neighbours."""

    size: int = CHUNK_WORDS
    overlap: int = OVERLAP_WORDS

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ConfigError(f"chunk size {self.size} is below 1", fix="pass --chunk-size 1 or more (default 200)")
        if not 0 <= self.overlap < self.size:
            raise ConfigError(
                f"chunk overlap {self.overlap} is not in [0, chunk size {self.size})",
                fix="pass an --chunk-overlap smaller than --chunk-size (default 40)",
            )

    def split(self, text: str) -> list[str]:
        """The chunks of `text`, whitespace kept as written inside each chunk."""
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        if not spans:
            return []
        step = self.size - self.overlap
        out = []
        for first in range(0, len(spans), step):
            last = min(first + self.size, len(spans)) - 1
            out.append(text[spans[first][0] : spans[last][1]])
            if last == len(spans) - 1:
                break
        return out
