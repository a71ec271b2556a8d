"""Built-in steps: pre-process, ground, prompt, generate and post-process. Each function here
takes the step's settings and returns a `Step`; TOML chains name them with `use = "..."`.
Responsible-AI checks are in `checks.py`."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigError, NotFoundError
from .model import ChainState, Step

if TYPE_CHECKING:
    from ..core.session import Session

_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = {c: None for c in range(32) if c not in (9, 10)} | {127: None}

PII_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAIL", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")),
    ("CARD", re.compile(r"\b(?:\d[ -]?){12,15}\d\b")),
    ("SSN", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("PHONE", re.compile(r"(?<![\w.])(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}\b")),
    ("IP", re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")),
)
"""What `redact` replaces, in this order, by `[KIND]`."""


def clean_text(text: str) -> str:
    """Unicode NFKC, control characters dropped, runs of spaces and blank lines collapsed."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def redact_text(text: str) -> str:
    """`text` with e-mail addresses, card, social security and phone numbers, and IP addresses
    replaced by `[EMAIL]`, `[CARD]`, `[SSN]`, `[PHONE]`, `[IP]`."""
    for kind, pattern in PII_PATTERNS:
        text = pattern.sub(f"[{kind}]", text)
    return text


# ---------------------------------------------------------------- pre-process


def clean(*, redact_pii: bool = False, name: str = "clean") -> Step:
    """Normalise the input (see `clean_text`); with `redact_pii`, redact it too."""

    def run(state: ChainState) -> str:
        out = clean_text(state.text)
        if redact_pii:
            out = redact_text(out)
            state.input, state.redacted = out, True
        return out

    return Step(name, "pre", run, {"redact_pii": redact_pii})


def redact(*, name: str = "redact") -> Step:
    """Replace personal data in the input (see `redact_text`); nothing before it is logged."""

    def run(state: ChainState) -> str:
        out = redact_text(state.text)
        state.input, state.redacted = out, True
        return out

    return Step(name, "pre", run, {"redact_pii": True})


# ---------------------------------------------------------------- ground


def _check_corpus(corpus: str) -> Any:
    def validate(session: Session, earlier: Sequence[Step]) -> None:
        from ..rag import corpora_folder, list_corpora
        from ..rag.index import check_name

        check_name(corpus)
        if not (corpora_folder(session) / corpus / "manifest.json").is_file():
            have = ", ".join(m["name"] for m in list_corpora(session)) or "none yet"
            raise NotFoundError(
                f"no corpus named {corpus!r} (corpora: {have})",
                fix=f"create it with `llmops rag create {corpus} --query SQL | --files URI...`",
            )

    return validate


def ground(corpus: str, *, top_k: int = 5, name: str = "ground") -> Step:
    """Retrieve the `top_k` chunks of `corpus` best matching the current text; the next
    prompt step puts them in the prompt and generate steps are scored against them."""
    if top_k < 1:
        raise ConfigError(f"ground: top_k {top_k} is below 1", fix="set top_k to 1 or more (default 5)")

    def run(state: ChainState) -> None:
        from ..rag import open_corpus

        state.query = state.text
        state.chunks = open_corpus(state.session, corpus).search(state.text, top_k)
        state.span["chunks"] = [c.uri for c in state.chunks]

    return Step(name, "ground", run, {"corpus": corpus, "top_k": top_k}, validate=_check_corpus(corpus))


# ---------------------------------------------------------------- prompt


def _fields(fmt: str) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(fmt) if f is not None]
    except ValueError as exc:
        raise ConfigError(f"prompt format is not valid: {exc}", fix="escape literal braces as {{ and }}") from None


def prompt(*, template: str | None = None, format: str | None = None, name: str = "prompt") -> Step:
    """Build the prompt from the current text: with `template` (a registered template or
    `prompts:/NAME@ALIAS`) the text goes into the template, and after a ground step the
    templated question goes into the grounded prompt (numbered sources, instruction, question:
    `rag.build_prompt`); with `format`, `{input}`, `{text}` and `{STEP}` (the text after an
    earlier step) are filled in."""
    if (template is None) == (format is None):
        raise ConfigError("a prompt step needs exactly one of template or format", fix="set template= or format=")
    if format is not None:
        fields = _fields(format)

        def check_format(session: Session, earlier: Sequence[Step]) -> None:
            known = {"input", "text", *(s.name for s in earlier)}
            for f in fields:
                if f not in known:
                    raise ConfigError(
                        f"prompt format names {{{f}}}, which is not input, text or an earlier step",
                        fix=f"use one of {{{'}, {'.join(sorted(known))}}}",
                    )

        def run_format(state: ChainState) -> str:
            return format.format_map({"input": state.input, "text": state.text, **state.outputs})

        return Step(name, "prompt", run_format, {"format": format}, validate=check_format)

    assert template is not None

    def check_template(session: Session, earlier: Sequence[Step]) -> None:
        from ..core.prompts import get_template

        get_template(template, session.settings.workspace)

    def run_template(state: ChainState) -> str:
        from ..core.prompts import get_template

        t = get_template(template, state.session.settings.workspace)
        state.template = (t.name.removeprefix("prompts:/"), t.version) if t.registry_version else None
        state.span["template"] = f"{t.name}@{t.version}"
        if not state.chunks:
            return t.render(state.text)
        from ..rag.grounding import build_prompt

        # The template wraps the question; the sources and the grounding instruction wrap both,
        # so the prompt keeps build_prompt's shape (sources first, the question last).
        return build_prompt(t.render(state.text), state.chunks)

    return Step(name, "prompt", run_template, {"template": template}, validate=check_template)


# ---------------------------------------------------------------- generate


def known_models(session: Session) -> set[str]:
    """Every name the session's model provider answers to: base models, tuned models, their
    aliases, display names and endpoints."""
    from ..core.interfaces import Tuner

    names = set(session.model.list_base_models())
    if isinstance(session.model, Tuner):
        for m in session.model.list_tuned_models():
            names.update(x for x in (m.name, m.display_name, m.endpoint, *m.aliases) if x)
    return names


def _check_model(model: str | None) -> Any:
    def validate(session: Session, earlier: Sequence[Step]) -> None:
        if model is None:
            return
        names = known_models(session)
        if model not in names and model.rsplit("/", 1)[-1] not in names:
            bases = ", ".join(session.model.list_base_models()[:6])
            raise NotFoundError(
                f"unknown model {model!r} for the {session.settings.model} provider",
                fix=f"use a base model ({bases}, ...) or a tuned model, alias or endpoint from `llmops models list`",
            )

    return validate


def generate(
    model: str | None = None,
    *,
    temperature: float = 0.0,
    max_output_tokens: int = 256,
    system: str | None = None,
    safety: Mapping[str, str] | None = None,
    name: str = "generate",
) -> Step:
    """Send the current text to `model` (default: the session's base model); the answer
    becomes the text. Logged in the prediction log with the run's trace and this span's id,
    and, after a ground step, the answer's grounding score."""
    from ..core.types import GenerationConfig

    gen = GenerationConfig(temperature=temperature, max_output_tokens=max_output_tokens, system_instruction=system)
    limits = dict(safety) if safety else None

    def run(state: ChainState) -> str:
        from ..core import monitoring
        from ..core.errors import LlmopsError

        session = state.session
        context: dict[str, Any] = {"trace_id": state.trace_id, "span_id": state.span_id}
        if state.template:
            context["prompt_template"], context["prompt_version"] = state.template
        text_on = monitoring.log_text_enabled(session) if state.log else False
        provider = session.settings.model
        try:
            p = session.model.predict(state.text, model=model, generation=gen, safety=limits)
        except LlmopsError as exc:
            if state.log:
                state.rows.append(
                    monitoring.error_row(
                        state.text,
                        exc,
                        provider=provider,
                        model=model or session.settings.base_model,
                        log_text=text_on,
                        context=context,
                    )
                )
            raise
        answer = "" if p.blocked else p.text
        if state.chunks:
            from ..rag.grounding import assess

            state.grounding = assess(answer, [c.text for c in state.chunks])
            context["grounding_score"] = state.grounding.score
            state.span["grounding_score"] = state.grounding.score
        state.prediction = p
        state.span.update(
            model=p.model,
            request_id=p.request_id,
            prompt_tokens=p.usage.prompt_tokens,
            output_tokens=p.usage.output_tokens,
            max_safety_score=max((r.probability_score for r in p.safety.ratings), default=None),
            blocked=p.blocked,
        )
        if state.log:
            state.rows.append(
                monitoring.prediction_row(p, provider=provider, generation=gen, log_text=text_on, context=context)
            )
        return answer

    params: dict[str, Any] = {"temperature": temperature, "max_output_tokens": max_output_tokens}
    if system:
        params["system"] = system
    if limits:
        params["safety"] = limits
    return Step(name, "generate", run, params, model=model, validate=_check_model(model))


# ---------------------------------------------------------------- post-process


def strip(*, fences: bool = True, name: str = "strip") -> Step:
    """Trim the answer; with `fences`, unwrap a single Markdown code fence around all of it."""
    fence = re.compile(r"\A```[\w+-]*\n(.*)\n```\Z", re.S)

    def run(state: ChainState) -> str:
        out = state.text.strip()
        if fences:
            m = fence.match(out)
            out = m.group(1).strip() if m else out
        return out

    return Step(name, "post", run, {"fences": fences})


def truncate(max_chars: int, *, name: str = "truncate") -> Step:
    """Cut the answer to `max_chars` characters, at a word boundary where there is one."""
    if max_chars < 1:
        raise ConfigError(f"truncate: max_chars {max_chars} is below 1", fix="set max_chars to 1 or more")

    def run(state: ChainState) -> str:
        if len(state.text) <= max_chars:
            return state.text
        cut = state.text[:max_chars]
        space = cut.rfind(" ")
        return (cut[:space] if space > max_chars // 2 else cut).rstrip() + "…"

    return Step(name, "post", run, {"max_chars": max_chars})


def cite_sources(*, name: str = "cite-sources") -> Step:
    """Append the sources the answer cites as `[n]` (or all retrieved ones if it cites none)."""

    def run(state: ChainState) -> str:
        if not state.chunks:
            return state.text
        cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", state.text) if 0 < int(n) <= len(state.chunks)})
        picks = cited or list(range(1, len(state.chunks) + 1))
        lines = [f"[{n}] {state.chunks[n - 1].title} — {state.chunks[n - 1].uri}" for n in picks]
        return state.text.rstrip() + "\n\nSources:\n" + "\n".join(lines)

    return Step(name, "post", run)
