"""What part of a conversation is sent to the model: a strategy cuts the history to a budget.

- `last`: the last N turns (a turn is one user message and the model's reply);
- `budget`: the newest turns that fit a token budget (four characters a token, the emulator's
  and Google's rule of thumb);
- `summary`: the newest turns that fit the budget, and before them one model-written summary
  of the older turns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..core.errors import ConfigError
from .base import Message

STRATEGIES = ("last", "budget", "summary")
CHARS_PER_TOKEN = 4


def tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


@dataclass(frozen=True)
class HistoryPolicy:
    """A strategy and its limit: `turns` for `last`, `budget` tokens for `budget`/`summary`."""

    strategy: str = "budget"
    turns: int = 10
    budget: int = 2000

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ConfigError(
                f"unknown history strategy {self.strategy!r}", fix=f"choose one of: {', '.join(STRATEGIES)}"
            )
        if self.turns < 0 or self.budget < 0:
            raise ConfigError("history limits cannot be negative", fix="pass --turns and --budget of 0 or more")


def _turns(messages: Sequence[Message]) -> list[list[Message]]:
    out: list[list[Message]] = []
    for m in messages:
        if m.role == "user" or not out:
            out.append([m])
        else:
            out[-1].append(m)
    return out


def render(messages: Sequence[Message]) -> str:
    return "\n".join(f"{'User' if m.role == 'user' else 'Model'}: {m.text}" for m in messages)


def select(
    messages: Sequence[Message], policy: HistoryPolicy, summarize: Callable[[str], str] | None = None
) -> tuple[str, int]:
    """The history text to put before the new message, and how many earlier turns it left out
    (or summarised)."""
    turns = _turns([m for m in messages if m.role in ("user", "model")])
    if policy.strategy == "last":
        kept = turns[len(turns) - policy.turns :] if policy.turns else []
    else:
        kept, used = [], 0
        for turn in reversed(turns):
            cost = tokens(render(turn)) + 1
            if used + cost > policy.budget:
                break
            kept.insert(0, turn)
            used += cost
    dropped = turns[: len(turns) - len(kept)]
    text = render([m for t in kept for m in t])
    if dropped and policy.strategy == "summary" and summarize is not None:
        summary = summarize(render([m for t in dropped for m in t]))
        text = f"Summary of the earlier conversation: {summary}\n{text}".rstrip()
    return text, len(dropped)
