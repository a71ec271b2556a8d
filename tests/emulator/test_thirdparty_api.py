"""An out-of-tree emulated API (tests/fixtures/thirdparty_api), pip-installed as a user would,
is served by `llmops emulator start` and by the pytest plugin's emulator, with no core change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def crm_plugin(install_plugin):
    return install_plugin(ROOT / "tests" / "fixtures" / "thirdparty_api")


def _env(target: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def test_emulator_start_serves_a_plugin_api(crm_plugin, tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmops", "emulator", "start", "--port", "0", "--json", "--data", str(tmp_path / "d")],
        env=_env(crm_plugin),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        text = ""
        while True:  # the --json banner is one (indented) JSON document
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            text += line
            if line.startswith("}"):
                break
        endpoint = json.loads(text)["endpoint"]
        got = httpx.get(f"{endpoint}/v3/projects/my-project", timeout=10)
        assert got.status_code == 200 and got.json()["projectId"] == "my-project"
        assert httpx.get(f"{endpoint}/v1/projects/p1", timeout=10).json()["lifecycleState"] == "ACTIVE"
        # the built-in Vertex AI API still answers under /v1
        models = httpx.get(f"{endpoint}/v1/projects/p1/locations/us-central1/models", timeout=10)
        assert models.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_pytest_fixture_serves_a_plugin_api(crm_plugin, tmp_path):
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import httpx

            def test_projects_get(llmops_emulator):
                got = httpx.get(llmops_emulator.endpoint + "/v3/projects/abc", timeout=10)
                assert got.status_code == 200, got.text
                assert got.json() == {"name": "projects/abc", "projectId": "abc", "state": "ACTIVE"}
            """
        )
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=tmp_path,
        env=_env(crm_plugin),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "1 passed" in proc.stdout
