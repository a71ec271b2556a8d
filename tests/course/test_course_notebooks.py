"""The course's L2, L3 and L4 notebooks run offline against the emulator with only the
`authenticate` import changed (docs/course-offline.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from llmops.testing import start_emulator

RUNNER = Path(__file__).parent / "run_course.py"


def test_the_three_notebooks_run_offline(tmp_path):
    # An emulator of its own, started as the docs say: reading local files from the notebooks' folder.
    running = start_emulator(tmp_path / "emulator-data", local_files_root=tmp_path)
    try:
        env = {**os.environ, "LLMOPS_GCP_ENDPOINT": running.endpoint}
        done = subprocess.run(
            [sys.executable, str(RUNNER)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
    finally:
        running.server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("COURSE-SUMMARY "))
    summary = json.loads(line.removeprefix("COURSE-SUMMARY "))
    # L2: the course query returns its 500 rows on the bundled sample; 80% go to training.
    assert summary["l2_rows"] == 500 and summary["l2_train_lines"] == 400
    # L3: the component demo cell runs locally; the hello pipeline succeeds on the emulator.
    assert summary["l3_demo_output"] == "Hello, Erwin!"
    assert summary["l3_state"] == "PIPELINE_STATE_SUCCEEDED"
    # L3's tuning cell ran the tune-large-model template on the course's local files; L4 finds
    # the one model it tuned and answers with the course's safety attributes and citations.
    assert summary["tuning_state"] == "PIPELINE_STATE_SUCCEEDED"
    assert len(summary["l4_tuned_models"]) == 1
    assert "csv" in summary["l4_content"].lower()  # retrieved from the tuning data
    assert summary["l4_blocked"] is False
    assert {r["category"] for r in summary["l4_safety_ratings"]} >= {"Dangerous Content", "Harassment"}
    assert summary["l4_citations"] and summary["l4_citations"][0]["title"]
