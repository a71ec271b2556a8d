"""The emulated model's answer to a grounded prompt (`llmops.rag.build_prompt`'s shape: numbered
sources, the instruction, the question, possibly after a conversation's history): the source
sentences that share the most content words with the question, each cited as `[n]`, as a
model answering "from the sources above" would. Extractive and deterministic; when no source
sentence shares a content word with the question, it says the sources do not answer it.
"""

from __future__ import annotations

import re

MAX_SENTENCES = 3
_WORD = re.compile(r"[a-z0-9_]+")
_SOURCE_HEAD = re.compile(r"^\[(\d+)\] .*$", re.M)


def parse(prompt: str) -> tuple[str, list[tuple[int, str]]] | None:
    """(question, [(n, source text)]) of a grounded prompt; None for any other prompt."""
    if "\nQuestion: " not in prompt or "Sources:\n[1] " not in prompt:
        return None
    from ....rag.grounding import INSTRUCTION

    head, sep, question = prompt.rpartition(f"\n\n{INSTRUCTION}\nQuestion: ")
    start = head.rfind("Sources:\n[1] ")
    if not sep or start < 0 or (start > 0 and not head[:start].endswith("\n\n")):
        return None
    body = head[start + len("Sources:\n") :]
    heads = list(_SOURCE_HEAD.finditer(body))
    sources = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(body)
        sources.append((int(m.group(1)), body[m.end() : end].strip()))
    return question.strip(), sources


def _stems(text: str) -> set[str]:
    from .base_model import _FILLER  # base_model imports this module

    return {w[:5] for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in _FILLER}


def answer_lines(question: str, sources: list[tuple[int, str]], brief: bool = False) -> list[str]:
    """The answer's lines: the best-matching sentence of the top source, then of the sources
    whose best sentence matches the question most, each cited."""
    from ....rag.grounding import sentences  # the splitter the grounding score uses

    wanted = _stems(question)
    best: list[tuple[int, int, str]] = []  # (-overlap, source number, sentence)
    for n, text in sources:
        found = []
        for start, end in sentences(text):
            sentence = text[start:end]
            if not 6 <= len(sentence.split()) <= 60:
                continue
            overlap = len(wanted & _stems(sentence))
            if overlap:
                found.append((-overlap, n, sentence))
        if found:
            best.append(min(found, key=lambda f: f[0]))  # the first of the best in this source
    # The retriever's top source leads when it has a matching sentence; then the best matches.
    best.sort(key=lambda f: (f[1] != sources[0][0], f[0], f[1]))
    picked = best[: 1 if brief else MAX_SENTENCES]
    if not picked:
        return ["The sources above do not answer this question."]
    return [f"{sentence.rstrip('.!?')} [{n}]." for _, n, sentence in picked]
