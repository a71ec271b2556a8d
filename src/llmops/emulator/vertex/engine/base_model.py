"""The emulated foundation model: a deterministic answer assembled from the prompt, in a style
no one can mistake for a real model.

What it writes: a header naming the model and saying it is the llmops emulator, the question
it was asked (first 200 characters, template and HTML removed), the question's key terms, one
advice sentence built from those terms, and a closing line with the seed it used.

Determinism: the output is a pure function of (model, prompt, system instruction, temperature,
top_p, top_k, seed). At temperature 0 (greedy) the seed is ignored and the first phrasing is
always used; above 0, a seed derived from all of these picks the phrasing and rotates the key
terms, so each temperature gives its own, repeatable answer.

A grounded prompt (numbered sources, the grounding instruction, the question; see
`grounded.py`) is answered from the sources instead: the header, then the source sentences that
best match the question, each cited as `[n]`, then the closing line.

System instruction: echoed on its own line; one asking for brevity ("brief", "concise",
"short", "one sentence") drops everything but the header and advice; one asking for upper case
("uppercase", "capital letters") upper-cases the answer.

`max_output_tokens` cuts the answer to that many tokens (four characters each, see
`count_tokens`) and sets the finish reason to MAX_TOKENS.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
from dataclasses import dataclass

from ....core.types import GenerationConfig
from . import grounded as _grounded
from .training_data import question_text

DEFAULT_BASE_MODEL = "text-bison@001"

PALM_MODELS = (
    "text-bison@001",
    "text-bison@002",
    "text-bison",
    "text-bison-32k",
    "text-unicorn@001",
    "chat-bison@001",
    "chat-bison",
)
GEMINI_MODELS = (
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gemini-2.5-flash-lite",
    "gemini-2.0-flash",
    "gemini-2.0-flash-001",
    "gemini-2.0-flash-lite",
    "gemini-1.5-flash",
    "gemini-1.5-flash-002",
    "gemini-1.5-pro",
    "gemini-1.5-pro-002",
    "gemini-1.0-pro",
    "gemini-pro",
)
"""Names listed by `models list`; any other well-formed Gemini name is accepted too."""

_GEMINI = re.compile(
    r"^gemini-(?:\d+(?:\.\d+)?-)?(?:pro|flash|flash-lite|ultra)"
    r"(?:-\d{3}|-latest|-preview(?:-[\w.]+)*|-exp(?:-[\w.]+)*)?$"
)
_PUBLISHER_PREFIX = re.compile(r"^(?:projects/[^/]+/locations/[^/]+/)?publishers/google/models/")

CHARS_PER_TOKEN = 4
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-z_][\w.+#-]*[\w+#]|[A-Za-z]{3,}")
_FILLER = frozenset(
    "the and for with from that this what which when where how why who can could would should "
    "does did doing done have has had not but are was were been being use using used want wants "
    "need needs get gets got way ways like just some any all also into out about there their "
    "then than them they you your yours our ours its it's i'm i've don't doesn't can't please "
    "question answer answering answers stackoverflow developer following python's help thanks "
    "trying tried try make makes work works working know one two able possible still else".split()
)
_BRIEF = re.compile(r"\b(?:brief|briefly|concise|short|terse|one\s+sentence)\b", re.I)
_UPPER = re.compile(r"\b(?:upper\s*-?\s*case|capital\s+letters|all\s+caps)\b", re.I)

_ADVICE_FEW = (
    "A good way in: look up {terms} in the reference documentation, reproduce the problem in a "
    "minimal example, then adapt that example to your own data.",
    "Start with a small, self-contained example around {terms}; once it runs, extend it one step "
    "at a time towards your case.",
    "Split the task into small steps around {terms} and check each step's output before the next.",
    "Search the reference documentation for {terms} and write a test that pins down the behaviour you expect.",
)
_ADVICE = (
    "A good way in: look up {a} in the documentation of {b}, reproduce the problem in a minimal "
    "example that uses {c}, then adapt that example to your own data.",
    "Start with a small, self-contained example around {a} and {b}; once it runs, extend it one "
    "step at a time towards your case ({c}).",
    "Split the task into steps: first {a}, then {b}; check each step's output before you bring in {c}.",
    "Search the reference documentation for {a}, compare its examples with how you use {b}, and "
    "write a test that pins down the behaviour of {c}.",
)


def canonical_base(name: str) -> str | None:
    """The base model a name refers to (publisher paths and `@version` kept), or None."""
    short = _PUBLISHER_PREFIX.sub("", name.strip())
    if short in PALM_MODELS or short in GEMINI_MODELS or _GEMINI.match(short):
        return short
    return None


def count_tokens(text: str) -> int:
    """The emulator's token count: Google's rule of thumb, one token per four characters."""
    return -(-len(text) // CHARS_PER_TOKEN)


def truncate_tokens(text: str, limit: int) -> tuple[str, bool]:
    """`text` cut to at most `limit` tokens (at a space where one is near), and whether it was cut."""
    room = max(0, limit) * CHARS_PER_TOKEN
    if len(text) <= room:
        return text, False
    cut = text[:room]
    space = cut.rfind(" ")
    if space >= room // 2:
        cut = cut[:space]
    return cut.rstrip(), True


def derive_seed(model: str, prompt: str, gen: GenerationConfig) -> int:
    """The sampling seed: a hash of everything that may change the answer."""
    key = "\x00".join(
        (
            model,
            prompt,
            gen.system_instruction or "",
            f"{gen.temperature:.3f}",
            str(gen.top_p),
            str(gen.top_k),
            str(gen.seed),
        )
    )
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def key_terms(prompt: str, limit: int = 5) -> list[str]:
    """Content words of the question, in order of first appearance, without duplicates."""
    text = html.unescape(_TAG.sub(" ", question_text(prompt)))
    seen: dict[str, None] = {}
    for w in _WORD.findall(text):
        low = w.lower()
        if low in _FILLER or len(low) < 3 or low in seen:
            continue
        seen[low] = None
        if len(seen) == limit:
            break
    return list(seen)


@dataclass(frozen=True)
class Generated:
    """Text from a model before safety: the answer and why it stopped."""

    text: str
    finish_reason: str = "STOP"


def _quoted(terms: list[str]) -> str:
    q = [f"`{t}`" for t in terms]
    return q[0] if len(q) == 1 else ", ".join(q[:-1]) + " and " + q[-1]


def _closing(gen: GenerationConfig, greedy: bool, seed: int) -> str:
    return (
        "(emulated answer, greedy)"
        if greedy
        else f"(emulated answer, temperature {gen.temperature:g}, seed {seed % 10**8:08d})"
    )


class BaseModel:
    """The emulated foundation model behind every base name (text-bison, Gemini)."""

    def generate(self, prompt: str, model: str, gen: GenerationConfig) -> Generated:
        """A deterministic answer to `prompt` (see the module docstring)."""
        seed = derive_seed(model, prompt, gen)
        greedy = gen.temperature <= 0
        rng = random.Random(seed)
        terms = key_terms(prompt)
        if terms and not greedy:
            shift = rng.randrange(len(terms))
            terms = terms[shift:] + terms[:shift]
        variant = 0 if greedy else rng.randrange(len(_ADVICE))
        header = (
            f"[{model} · llmops emulator] This is a deterministic emulation, not a language model: "
            "the answer below is assembled from your prompt."
        )
        if len(terms) >= 3:
            advice = _ADVICE[variant].format(a=f"`{terms[0]}`", b=f"`{terms[1]}`", c=f"`{terms[2]}`")
        elif terms:
            advice = _ADVICE_FEW[variant].format(terms=_quoted(terms))
        else:
            advice = "The prompt has no content words to build an answer from; ask a question with some detail."
        system = gen.system_instruction.strip() if gen.system_instruction else ""
        grounded = _grounded.parse(prompt)
        if grounded is not None:
            brief = bool(system and _BRIEF.search(system))
            lines = [header, "From the sources:", *_grounded.answer_lines(*grounded, brief=brief)]
            if not brief:
                lines.append(_closing(gen, greedy, seed))
        elif system and _BRIEF.search(system):
            lines = [header, advice]
        else:
            question = " ".join(html.unescape(_TAG.sub(" ", question_text(prompt))).split())
            if len(question) > 200:
                question = question[:199].rstrip() + "…"
            lines = [header]
            if system:
                lines.append(f'System instruction: "{" ".join(system.split())[:200]}"')
            lines.append(f'Question: "{question}"')
            if terms:
                lines.append(f"Key terms: {_quoted(terms)}.")
            lines.append(advice)
            lines.append(_closing(gen, greedy, seed))
        text = "\n\n".join(lines)
        if system and _UPPER.search(system):
            text = text.upper()
        text, cut = truncate_tokens(text, gen.max_output_tokens)
        return Generated(text, "MAX_TOKENS" if cut else "STOP")
