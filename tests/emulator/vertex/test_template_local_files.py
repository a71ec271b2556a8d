"""The tuning template's dataset paths may name local files (the course passes
`./tune_data_stack_overflow_python_qa.jsonl`) only under the emulator's `--local-files` folder;
anything else is a 400 naming the fix, and nothing runs."""

from __future__ import annotations

import httpx
import pytest
import yaml

from llmops.emulator.vertex.templates import TEMPLATE_FILE
from llmops.testing import start_emulator

PARAMS = {
    "model_display_name": "m",
    "location": "us-central1",
    "large_model_reference": "text-bison@001",
    "project": "p",
    "train_steps": 1,
}


def submit(endpoint: str, **params) -> httpx.Response:
    body = {
        "displayName": "tune",
        "pipelineSpec": yaml.safe_load(TEMPLATE_FILE.read_text(encoding="utf-8")),
        "runtimeConfig": {"gcsOutputDirectory": "gs://b/root", "parameterValues": {**PARAMS, **params}},
    }
    return httpx.post(f"{endpoint}/v1/projects/p/locations/us-central1/pipelineJobs", json=body, timeout=60)


def test_a_local_path_without_a_local_files_folder_is_a_400(llmops_emulator):
    r = submit(llmops_emulator.endpoint, dataset_uri="./train.jsonl")
    assert r.status_code == 400
    message = r.json()["error"]["message"]
    assert "dataset_uri './train.jsonl' is a local path" in message and "--local-files" in message


@pytest.fixture(scope="module")
def with_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("notebook")
    (root / "train.jsonl").write_text('{"input_text": "How do I sort a list?", "output_text": "sorted(x)"}\n')
    (root.parent / "secret.txt").write_text("not for the emulator\n")
    running = start_emulator(tmp_path_factory.mktemp("data"), local_files_root=root)
    yield running
    running.server.stop()


@pytest.mark.parametrize(
    "uri, problem",
    [
        ("../secret.txt", "outside the emulator's local files folder"),
        ("/etc/passwd", "outside the emulator's local files folder"),
        ("./nope.jsonl", "no such file under"),
    ],
)
def test_paths_outside_the_folder_or_missing_are_400(with_files, uri, problem):
    r = submit(with_files.endpoint, dataset_uri=uri)
    assert r.status_code == 400 and problem in r.json()["error"]["message"]
    listed = httpx.get(f"{with_files.endpoint}/v1/projects/p/locations/us-central1/pipelineJobs", timeout=30)
    assert listed.json() == {}  # nothing was created


def test_a_file_under_the_folder_is_staged_into_cloud_storage(with_files):
    r = submit(with_files.endpoint, dataset_uri="./train.jsonl")
    assert r.status_code == 200, r.text
    objects = httpx.get(f"{with_files.endpoint}/storage/v1/b/p-llmops-local-files/o", timeout=30).json()
    assert [o["name"].rsplit("/", 1)[-1] for o in objects["items"]] == ["train.jsonl"]
