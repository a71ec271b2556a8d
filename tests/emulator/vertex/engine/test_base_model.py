"""The emulated foundation model: deterministic, honest, and obedient to its config."""

from __future__ import annotations

import pytest

from llmops.core.types import GenerationConfig
from llmops.emulator.vertex.engine.base_model import BaseModel, canonical_base, count_tokens, key_terms, truncate_tokens

model = BaseModel()
PROMPT = "How can I load a csv file using Pandas?"


def gen(**kw) -> GenerationConfig:
    return GenerationConfig(**kw)


def test_answers_say_they_are_emulated_and_name_the_model():
    text = model.generate(PROMPT, "text-bison@001", gen()).text
    assert text.startswith("[text-bison@001 · llmops emulator]")
    assert "not a language model" in text
    assert '"How can I load a csv file using Pandas?"' in text
    assert "`csv`" in text and "`pandas`" in text


def test_same_prompt_and_config_give_the_same_answer():
    assert model.generate(PROMPT, "text-bison@001", gen(temperature=0.7)) == model.generate(
        PROMPT, "text-bison@001", gen(temperature=0.7)
    )


def test_temperature_changes_the_answer_and_greedy_ignores_the_seed():
    greedy = model.generate(PROMPT, "text-bison@001", gen()).text
    assert model.generate(PROMPT, "text-bison@001", gen(seed=7)).text == greedy
    warm = {model.generate(PROMPT, "text-bison@001", gen(temperature=t)).text for t in (0.2, 0.5, 0.9, 1.3, 1.8)}
    assert greedy not in warm
    assert len(warm) > 1
    seeded = {model.generate(PROMPT, "text-bison@001", gen(temperature=0.9, seed=s)).text for s in range(6)}
    assert len(seeded) > 1


def test_max_output_tokens_cuts_the_answer():
    out = model.generate(PROMPT, "text-bison@001", gen(max_output_tokens=12))
    assert out.finish_reason == "MAX_TOKENS"
    assert count_tokens(out.text) <= 12 and len(out.text) > 30
    full = model.generate(PROMPT, "text-bison@001", gen())
    assert full.finish_reason == "STOP" and full.text.startswith(out.text)


def test_system_instructions_are_followed():
    plain = model.generate(PROMPT, "gemini-2.5-flash", gen()).text
    brief = model.generate(PROMPT, "gemini-2.5-flash", gen(system_instruction="Be brief.")).text
    assert len(brief) < len(plain) and "Question:" not in brief
    upper = model.generate(PROMPT, "gemini-2.5-flash", gen(system_instruction="Answer in uppercase")).text
    assert upper == upper.upper() and "SYSTEM INSTRUCTION" in upper
    noted = model.generate(PROMPT, "gemini-2.5-flash", gen(system_instruction="You are a Python tutor")).text
    assert 'System instruction: "You are a Python tutor"' in noted


def test_key_terms_skip_the_template_html_and_filler():
    prompt = "Please answer the following Stackoverflow question on Python.\n\nStackoverflow question:\n Sort a dict<p>How do I sort a <code>dict</code> by value?</p>"
    assert key_terms(prompt) == ["sort", "dict", "value"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("text-bison@001", "text-bison@001"),
        ("gemini-2.5-flash", "gemini-2.5-flash"),
        ("gemini-2.0-flash-exp", "gemini-2.0-flash-exp"),
        ("publishers/google/models/gemini-1.5-pro-002", "gemini-1.5-pro-002"),
        ("projects/p/locations/us-central1/publishers/google/models/text-bison@001", "text-bison@001"),
        ("gpt-4", None),
        ("gemini", None),
    ],
)
def test_base_model_names(name, expected):
    assert canonical_base(name) == expected


def test_token_counting_and_truncation():
    assert [count_tokens(t) for t in ("", "abc", "abcd", "abcde")] == [0, 1, 1, 2]
    assert truncate_tokens("a b c", 5) == ("a b c", False)
    assert truncate_tokens("word another third", 3) == ("word another", True)
    assert truncate_tokens("abcdefghijklmnop", 2) == ("abcdefgh", True)
