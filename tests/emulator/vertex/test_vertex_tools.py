"""Function calling, stop sequences, thinking and token counting through google-genai."""

from __future__ import annotations

import base64

import httpx
import pytest
from google.genai import types

WEATHER = types.FunctionDeclaration(
    name="get_current_weather",
    description="Returns the current weather in a city.",
    parameters=types.Schema(
        type="OBJECT",
        properties={
            "location": types.Schema(type="STRING"),
            "unit": types.Schema(type="STRING", enum=["celsius", "fahrenheit"]),
        },
        required=["location"],
    ),
)
STOCK = types.FunctionDeclaration(
    name="get_stock_price",
    description="Latest stock price of a ticker symbol.",
    parameters=types.Schema(type="OBJECT", properties={"ticker": types.Schema(type="STRING")}, required=["ticker"]),
)


def _config(mode="AUTO", allowed=None):
    return types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[WEATHER, STOCK])],
        tool_config=types.ToolConfig(
            function_calling_config=types.FunctionCallingConfig(mode=mode, allowed_function_names=allowed)
        ),
    )


def test_auto_calls_the_matching_function_with_conforming_args(genai_client):
    r = genai_client.models.generate_content(
        model="gemini-2.5-flash", contents="What is the weather in Boston in fahrenheit?", config=_config()
    )
    (call,) = r.function_calls
    assert call.name == "get_current_weather" and call.args == {"location": "Boston", "unit": "fahrenheit"}
    plain = genai_client.models.generate_content(
        model="gemini-2.5-flash", contents="Explain python decorators", config=_config()
    )
    assert not plain.function_calls and plain.text


def test_any_with_allowed_names_always_calls_none_never(genai_client):
    r = genai_client.models.generate_content(
        model="gemini-2.5-flash", contents="Explain decorators", config=_config("ANY", ["get_stock_price"])
    )
    assert [c.name for c in r.function_calls] == ["get_stock_price"] and isinstance(
        r.function_calls[0].args["ticker"], str
    )
    r = genai_client.models.generate_content(
        model="gemini-2.5-flash", contents="What is the weather in Boston?", config=_config("NONE")
    )
    assert not r.function_calls and r.text


def test_function_response_turn_is_answered_with_the_result(genai_client):
    contents = [
        types.Content(role="user", parts=[types.Part(text="weather in Boston?")]),
        types.Content(
            role="model",
            parts=[
                types.Part(function_call=types.FunctionCall(name="get_current_weather", args={"location": "Boston"}))
            ],
        ),
        types.Content(
            role="tool",
            parts=[types.Part.from_function_response(name="get_current_weather", response={"result": "sunny, 21 C"})],
        ),
    ]
    r = genai_client.models.generate_content(model="gemini-2.5-flash", contents=contents, config=_config())
    assert not r.function_calls and "sunny, 21 C" in r.text


def test_automatic_function_calling_runs_the_python_function(genai_client):
    seen = []

    def get_exchange_rate(currency_from: str, currency_to: str) -> str:
        """Returns the exchange rate between two currencies.

        Args:
          currency_from: the currency to convert from, e.g. "USD".
          currency_to: the currency to convert to, e.g. "EUR".
        """
        seen.append((currency_from, currency_to))
        return "0.92"

    r = genai_client.models.generate_content(
        model="gemini-2.5-flash",
        contents='What is the exchange rate from "USD" to "EUR"?',
        config=types.GenerateContentConfig(tools=[get_exchange_rate]),
    )
    assert seen == [("USD", "EUR")]
    assert "0.92" in r.text and len(r.automatic_function_calling_history) == 3


def _raw(emulator, body, verb="generateContent"):
    url = f"{emulator.endpoint}/v1beta1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:{verb}"
    return httpx.post(url, json={"contents": [{"role": "user", "parts": [{"text": "weather?"}]}], **body})


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"tools": [{"functionDeclarations": [{"name": "1bad"}]}]}, "1bad"),
        ({"tools": [{"functionDeclarations": [{"name": "f", "parameters": {"type": "STRING"}}]}]}, "OBJECT"),
        ({"tools": [{"functionDeclarations": [{"name": "f", "parameters": {"type": "OBJECT", "x": 1}}]}]}, '"x"'),
        ({"toolConfig": {"functionCallingConfig": {"mode": "SOMETIMES"}}}, "SOMETIMES"),
        (
            {
                "tools": [{"functionDeclarations": [{"name": "f"}]}],
                "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowed_function_names": ["g"]}},
            },
            "'g'",
        ),
        (
            {
                "tools": [{"functionDeclarations": [{"name": "f"}]}],
                "contents": [{"role": "user", "parts": [{"functionResponse": {"name": "g", "response": {}}}]}],
            },
            "'g' is not declared",
        ),
        ({"generationConfig": {"stopSequences": ["a", "b", "c", "d", "e", "f"]}}, "at most 5"),
        ({"generationConfig": {"thinkingConfig": {"thinking_budget": -5}}}, "-5"),
    ],
)
def test_bad_tools_and_configs_are_400(llmops_emulator, body, needle):
    url = f"{llmops_emulator.endpoint}/v1beta1/projects/p/locations/l/publishers/google/models/gemini-2.5-flash"
    base = {"contents": [{"role": "user", "parts": [{"text": "weather?"}]}]}
    r = httpx.post(f"{url}:generateContent", json={**base, **body})
    err = r.json()["error"]
    assert r.status_code == 400 and err["status"] == "INVALID_ARGUMENT" and needle in err["message"], err


def test_stop_sequences_max_tokens_and_candidate_count(genai_client):
    prompt = "How do I read a csv file with pandas?"
    whole = genai_client.models.generate_content(model="gemini-2.0-flash", contents=prompt).text
    stopped = genai_client.models.generate_content(
        model="gemini-2.0-flash", contents=prompt, config=types.GenerateContentConfig(stop_sequences=["Question:"])
    )
    assert stopped.text == whole[: whole.index("Question:")]
    assert stopped.candidates[0].finish_reason == types.FinishReason.STOP
    cut = genai_client.models.generate_content(
        model="gemini-2.0-flash", contents=prompt, config=types.GenerateContentConfig(max_output_tokens=5)
    )
    assert (
        cut.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS
        and cut.usage_metadata.candidates_token_count <= 5
    )
    many = genai_client.models.generate_content(
        model="gemini-2.0-flash", contents=prompt, config=types.GenerateContentConfig(candidate_count=3, temperature=1)
    )
    assert len(many.candidates) == 3 and len({c.content.parts[0].text for c in many.candidates}) > 1


def test_thinking_parts_budget_and_usage(genai_client):
    def ask(**thinking):
        return genai_client.models.generate_content(
            model="gemini-2.5-flash",
            contents="How do I read a csv file with pandas?",
            config=types.GenerateContentConfig(thinking_config=types.ThinkingConfig(**thinking)),
        )

    r = ask(include_thoughts=True)
    thought, answer = r.candidates[0].content.parts
    assert thought.thought and "pandas" in thought.text and not answer.thought and "Thinking" not in r.text
    u = r.usage_metadata
    assert u.thoughts_token_count > 0
    assert u.total_token_count == u.prompt_token_count + u.candidates_token_count + u.thoughts_token_count
    assert ask(thinking_budget=8).usage_metadata.thoughts_token_count <= 8
    off = ask(thinking_budget=0)
    assert off.usage_metadata.thoughts_token_count is None and len(off.candidates[0].content.parts) == 1
    old = genai_client.models.generate_content(model="gemini-2.0-flash", contents="hi there")
    assert old.usage_metadata.thoughts_token_count is None


def test_count_and_compute_tokens_agree_with_usage(genai_client):
    contents = [
        types.Content(role="user", parts=[types.Part(text="why is the sky blue?")]),
        types.Content(role="model", parts=[types.Part(text="Rayleigh scattering.")]),
        types.Content(role="user", parts=[types.Part(text="and sunsets red?")]),
    ]
    counted = genai_client.models.count_tokens(model="gemini-2.0-flash", contents=contents).total_tokens
    computed = genai_client.models.compute_tokens(model="gemini-2.0-flash", contents=contents)
    used = genai_client.models.generate_content(model="gemini-2.0-flash", contents=contents).usage_metadata
    infos = computed.tokens_info
    assert [i.role for i in infos] == ["user", "model", "user"]
    assert counted == sum(len(i.token_ids) for i in infos) == used.prompt_token_count
    assert all(len(i.tokens) == len(i.token_ids) for i in infos)
    assert infos[0].tokens[0] == b"why " and isinstance(infos[0].token_ids[0], int)
    assert base64.b64decode(base64.b64encode(infos[0].tokens[0])) == b"why "
