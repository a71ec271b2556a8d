"""A dataset version's evaluation split as the drift baseline (`--baseline eval:VERSION`): its
prompts and reference answers stand for the traffic the model was evaluated on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigError
from . import drift

if TYPE_CHECKING:
    from ..core.session import Session

PREFIX = "eval:"


def is_eval(spec: str | None) -> bool:
    return bool(spec) and str(spec).startswith(PREFIX)


def eval_columns(session: Session, spec: str, limit: int = 10000) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """(`{"eval": version id, "examples": n}`, the sample columns `drift.compare` reads) for
    `eval:VERSION` (`eval:latest` for the newest version). The split has prompts and reference
    answers only: prompt and response lengths and prompt text are compared; token, safety,
    finish-reason and blocked tests get no p-value (no baseline values)."""
    from ..core.evaluation import eval_set

    name = spec[len(PREFIX) :].strip()
    if not name:
        raise ConfigError(f"--baseline {spec!r} names no dataset version", fix="write eval:VERSION or eval:latest")
    version, examples = eval_set(session, None if name == "latest" else name, limit)
    from .queries import CATEGORIES

    empty: list[Any] = []
    cols: dict[str, list[Any]] = {f: empty for f in (*drift.NUMERIC_FEATURES, *drift.CATEGORY_FEATURES)}
    cols.update({f"{c}_{k}": empty for c in CATEGORIES for k in ("prob", "sev")})
    cols["prompt_chars"] = [len(e.prompt) for e in examples]
    cols["response_chars"] = [len(e.reference) for e in examples]
    cols["prompt"] = [e.prompt for e in examples]
    return {"eval": version.version, "examples": len(examples)}, cols
