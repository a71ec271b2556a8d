"""Promote a prompt version to an alias when it passes a gate against the alias's version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import evaluation
from ..core.errors import NotFoundError
from ..core.prompt_registry import registry_for
from . import gate as gates

if TYPE_CHECKING:
    from ..core.session import Session


@dataclass
class Promotion:
    """The outcome of `promote`: both evaluations, every gate clause, and whether the alias moved."""

    name: str
    alias: str
    candidate: str
    base: str
    dataset_version: str
    examples: int
    candidate_metrics: dict[str, float]
    base_metrics: dict[str, float]
    checks: list[gates.Check] = field(default_factory=list)
    moved: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt": self.name,
            "alias": self.alias,
            "candidate": self.candidate,
            "base": self.base,
            "dataset_version": self.dataset_version,
            "examples": self.examples,
            "candidate_metrics": self.candidate_metrics,
            "base_metrics": self.base_metrics,
            "gate": [c.to_dict() for c in self.checks],
            "moved": self.moved,
        }


def promote(
    session: Session,
    name: str,
    candidate: str,
    *,
    to: str,
    gate: str,
    model: str | None = None,
    dataset: str | None = None,
    limit: int | None = None,
) -> Promotion:
    """Evaluate `name@candidate` and the version `name@to` points at on the same examples, and
    move the alias to the candidate only if every gate clause holds."""
    clauses = gates.parse(gate, list(evaluation.METRIC_KEYS))
    registry = registry_for(session.settings.workspace)
    cand = registry.get(f"{name}@{candidate}")
    aliases = registry.aliases(name)
    if to not in aliases:
        raise NotFoundError(
            f"prompt {name!r} has no alias {to!r} to compare against",
            fix=f"set it first: llmops prompts alias {name} {to} VERSION",
        )
    base = registry.get(f"{name}@{to}")
    version, examples = evaluation.eval_set(session, dataset, limit)
    results = {}
    for pv in (base, cand):
        template = evaluation.prompt_template(session, pv.reference)
        results[pv.version] = evaluation.evaluate(
            session,
            evaluation.reprompt(session, version, examples, template),
            model=model,
            dataset_version=version.version,
            prompt=template,
        )
    base_metrics, cand_metrics = results[base.version].metrics, results[cand.version].metrics
    checks = gates.check(clauses, cand_metrics, base_metrics)
    moved = all(c.passed for c in checks)
    if moved:
        registry.set_alias(name, to, cand.version)
    return Promotion(
        name, to, cand.version, base.version, version.version, len(examples), cand_metrics, base_metrics, checks, moved
    )
