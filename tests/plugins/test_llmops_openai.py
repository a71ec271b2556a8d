"""The first-party plugin `plugins/llmops-openai`, installed with pip as a user would, driven
through the `llmops` command against the emulator's Vertex AI OpenAI-compatible endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from google.genai import types

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugins" / "llmops-openai"
PANDAS = "How can I load a csv file using Pandas?"
GEMINI = "google/gemini-2.0-flash-001"


@pytest.fixture(scope="module")
def installed(install_plugin):
    """The plugin installed with pip into its own folder (no build isolation: hatchling comes
    with the test extra, so this works offline)."""
    return install_plugin(PLUGIN, isolated=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A user's project whose default profile answers with the `openai` provider."""
    home = tmp_path_factory.mktemp("project")
    (home / "llmops.toml").write_text(
        'default_profile = "openai"\n\n[profiles.openai]\nextends = "local"\nmodel = "openai"\n', encoding="utf-8"
    )
    return home


@pytest.fixture(scope="module")
def llmops(installed, project, llmops_emulator):
    """Run `llmops ARGS` in the project with the plugin on the path and its settings pointing
    at the emulator."""
    base_url = f"{llmops_emulator.endpoint}/v1/projects/llmops-test/locations/us-central1/endpoints/openapi"

    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
        pythonpath = os.pathsep.join(p for p in (str(installed), os.environ.get("PYTHONPATH")) if p)
        environ |= {
            "PYTHONPATH": pythonpath,
            "LLMOPS_OPENAI_BASE_URL": base_url,
            "LLMOPS_OPENAI_MODEL": GEMINI,
            "LLMOPS_OPENAI_MAX_RETRIES": "0",
            **env,
        }
        return subprocess.run(
            [sys.executable, "-m", "llmops", *args], cwd=project, env=environ, capture_output=True, text=True
        )

    return run


def _one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_backends_and_plugins_show_openai(llmops):
    backends = llmops("backends", "--json")
    assert backends.returncode == 0, backends.stderr
    assert "openai" in json.loads(backends.stdout)["model"]
    plugins = json.loads(llmops("plugins", "--json").stdout)
    entry = next(p for p in plugins if p["name"] == "openai")
    assert entry["source"] == "llmops-openai 0.1.0" and "register_model_providers" in entry["hooks"]


def test_predict_answers_through_the_openai_endpoint(llmops, genai_client):
    proc = llmops("predict", PANDAS, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    d, gem = out["prediction"], out["gemini"]
    # The same emulated Gemini answer as generateContent gives, so it went through the emulator.
    gemini = genai_client.models.generate_content(
        model="gemini-2.0-flash-001",
        contents=PANDAS,
        config=types.GenerateContentConfig(temperature=0, max_output_tokens=256),
    )
    assert d["content"] == gemini.text and "llmops emulator" in d["content"]
    assert out["model"] == GEMINI and gem["finishReason"] == "STOP" and not gem["blocked"]
    assert gem["usageMetadata"]["promptTokenCount"] > 0 and gem["usageMetadata"]["candidatesTokenCount"] > 0
    assert out["request_id"].startswith("chatcmpl-")
    # Not rated: the OpenAI-compatible endpoint sends no safety ratings and no citations.
    assert d["safetyAttributes"] == {"blocked": False, "categories": [], "scores": [], "safetyRatings": []}
    assert d["citationMetadata"] == {"citations": []}
    logged = json.loads(llmops("logs", "-n", "1", "--json").stdout)[0]
    assert logged["provider"] == "openai" and logged["model"] == GEMINI and logged["max_safety_score"] is None


def test_eval_compares_the_openai_model_with_the_emulated_tuned_model(llmops):
    assert llmops("data", "prepare", "--json").returncode == 0
    tuned = llmops("--profile", "local", "tune", "--json")  # the emulator provider, same workspace
    assert tuned.returncode == 0, tuned.stderr
    name = json.loads(tuned.stdout)["tuned_model"]
    proc = llmops("eval", "--model", f"openai:{GEMINI}", "--model", f"emulator:{name}", "--limit", "8", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [m["model"] for m in out["models"]] == [f"openai:{GEMINI}", f"emulator:{name}"]
    base, tuned_metrics = (m["metrics"] for m in out["models"])
    assert out["examples"] == 8
    assert base["citation_rate"] == 0 and tuned_metrics["citation_rate"] > 0
    assert tuned_metrics["rougeL"] > base["rougeL"]


@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        (("eval", "--model", "nope:x"), {}, "unknown model provider 'nope'"),
        (("predict", "hi", "--model", "google/gemini-9-turbo"), {}, "answered 404 for model 'google/gemini-9-turbo'"),
        (("predict", "hi"), {"LLMOPS_OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}, "cannot reach"),
    ],
)
def test_bad_input_is_one_line(llmops, args, env, words):
    assert words in _one_line_error(llmops(*args, **env))
