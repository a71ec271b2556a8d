"""`countTokens` and `computeTokens` with the emulated model's tokenizer: the prompt the model
reads (the turns' text joined by blank lines, as `generate.gemini_request` builds it) cut into
pieces of `CHARS_PER_TOKEN` characters. Both agree with `usageMetadata.promptTokenCount`."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from .engine.base_model import CHARS_PER_TOKEN, count_tokens

VOCABULARY = 256_000


def token_id(piece: str) -> int:
    """A stable id for one token piece."""
    return int.from_bytes(hashlib.blake2b(piece.encode("utf-8"), digest_size=4).digest(), "big") % VOCABULARY


def _turns(body: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for content in body.get("contents") or []:
        if not isinstance(content, dict):
            continue
        role = content.get("role") or "user"
        text = "".join(p["text"] for p in content.get("parts") or [] if isinstance(p, dict) and "text" in p)
        if text:
            out.append((role, text if role != "model" else f"[model] {text}"))
    return out


def count_response(body: dict[str, Any], system: str | None, cached_tokens: int = 0) -> dict[str, Any]:
    """The `CountTokensResponse` of a (text-only) request."""
    prompt = "\n\n".join(t for _, t in _turns(body))
    total = count_tokens(prompt) + (count_tokens(system) if system else 0)
    out: dict[str, Any] = {
        "totalTokens": total,
        "totalBillableCharacters": len(prompt) + len(system or ""),
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": total}],
    }
    if cached_tokens:
        out["cachedContentTokenCount"] = cached_tokens
    return out


def compute_response(body: dict[str, Any], system: str | None) -> dict[str, Any]:
    """The `ComputeTokensResponse`: per content, its tokens (base64 bytes) and ids (int64 strings)."""
    turns = _turns(body)
    prompt = "\n\n".join(t for _, t in turns)
    starts, at = [], 0
    for _, text in turns:
        starts.append(at)
        at += len(text) + 2
    infos: list[dict[str, Any]] = [{"role": role, "tokens": [], "tokenIds": []} for role, _ in turns]
    turn = 0
    for i in range(0, len(prompt), CHARS_PER_TOKEN):
        while turn + 1 < len(starts) and i >= starts[turn + 1]:
            turn += 1
        piece = prompt[i : i + CHARS_PER_TOKEN]
        infos[turn]["tokens"].append(base64.b64encode(piece.encode("utf-8")).decode())
        infos[turn]["tokenIds"].append(str(token_id(piece)))
    if system:
        pieces = [system[i : i + CHARS_PER_TOKEN] for i in range(0, len(system), CHARS_PER_TOKEN)]
        infos.append(
            {
                "role": "system",
                "tokens": [base64.b64encode(p.encode("utf-8")).decode() for p in pieces],
                "tokenIds": [str(token_id(p)) for p in pieces],
            }
        )
    return {"tokensInfo": [i for i in infos if i["tokens"]]}
