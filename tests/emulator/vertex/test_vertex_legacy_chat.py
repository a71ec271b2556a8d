"""The legacy vertexai SDK's remaining calls against the emulator: `ChatModel` (chat-bison)
`start_chat`/`send_message`, and `TextGenerationModel.predict_streaming`."""

from __future__ import annotations

import warnings

import httpx
import pytest

V1 = "/v1/projects/llmops-test/locations/us-central1/publishers/google/models"


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the SDK's deprecation notice
        yield


def test_chat_model_conversation(aiplatform_init, canned_responses):
    from vertexai.language_models import ChatModel, InputOutputTextPair

    canned_responses.add(prompt="How do I read a csv file?", response="Use pandas.read_csv().")
    chat = ChatModel.from_pretrained("chat-bison@001").start_chat(
        context="You are a Python expert.",
        examples=[InputOutputTextPair(input_text="hi", output_text="hello")],
        temperature=0.2,
        max_output_tokens=64,
    )
    first = chat.send_message("How do I read a csv file?")
    assert first.text == "Use pandas.read_csv()." and not first.is_blocked
    second = chat.send_message("And how do I write one back?")
    assert second.text and second.text != first.text
    assert [m.author for m in chat.message_history] == ["user", "bot", "user", "bot"]
    again = ChatModel.from_pretrained("chat-bison@001").start_chat(context="You are a Python expert.")
    assert (
        again.send_message("Explain list comprehensions").text
        == (ChatModel.from_pretrained("chat-bison@001").start_chat(context="You are a Python expert."))
        .send_message("Explain list comprehensions")
        .text
    )  # deterministic


def test_predict_streaming(aiplatform_init):
    from vertexai.language_models import TextGenerationModel

    model = TextGenerationModel.from_pretrained("text-bison@001")
    pieces = [r.text for r in model.predict_streaming("How do I reverse a list?", max_output_tokens=64)]
    assert len(pieces) > 1
    whole = model.predict("How do I reverse a list?", max_output_tokens=64).text
    assert "".join(pieces) == whole


def test_bad_chat_and_stream_requests(llmops_emulator):
    with httpx.Client(base_url=llmops_emulator.endpoint, timeout=30) as http:
        r = http.post(f"{V1}/chat-bison@001:predict", json={"instances": [{"messages": []}]})
        assert r.status_code == 400 and "messages" in r.json()["error"]["message"]
        r = http.post(
            f"{V1}/chat-bison@001:predict",
            json={
                "instances": [{"messages": [{"author": "user", "content": "hi"}, {"author": "bot", "content": "x"}]}]
            },
        )
        assert r.status_code == 400
        r = http.post(f"{V1}/text-bison@001:serverStreamingPredict", json={"inputs": [{"nothing": 1}]})
        assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"
        r = http.post(f"{V1}/nope@001:serverStreamingPredict", json={"inputs": []})
        assert r.status_code == 404
        assert (
            http.get("/v1/publishers/google/models/chat-bison@001")
            .json()["predictSchemata"]["instanceSchemaUri"]
            .endswith("chat_generation_1.0.0.yaml")
        )
