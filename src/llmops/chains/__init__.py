"""Chains: named sequences of steps (pre-process, ground, prompt, generate, post-process,
responsible-AI checks), defined in Python or TOML, every step of every run logged as a span.

    from llmops.chains import Chain, step, steps, checks, run

    @step
    def shout(text: str) -> str:
        return text.upper()

    chain = Chain("loud", [steps.generate("gemini-2.0-flash"), shout])
    result = run(session, chain, "How do I read a CSV file?")
"""

from __future__ import annotations

from . import checks, steps
from .loader import BUILTIN_STEPS, all_chains, from_file, from_toml, get_chain
from .model import Chain, ChainState, Step, step
from .runner import ChainResult, ChainStepError, run

__all__ = [
    "BUILTIN_STEPS",
    "Chain",
    "ChainResult",
    "ChainState",
    "ChainStepError",
    "Step",
    "all_chains",
    "checks",
    "from_file",
    "from_toml",
    "get_chain",
    "run",
    "step",
    "steps",
]
