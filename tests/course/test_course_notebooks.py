"""The course's L2, L3 and L4 notebooks run offline against the emulator with only the
`authenticate` import changed (docs/course-offline.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

RUNNER = Path(__file__).parent / "run_course.py"


def test_the_three_notebooks_run_offline(llmops_emulator, tmp_path):
    env = {**os.environ, "LLMOPS_GCP_ENDPOINT": llmops_emulator.endpoint}
    done = subprocess.run(
        [sys.executable, str(RUNNER)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("COURSE-SUMMARY "))
    summary = json.loads(line.removeprefix("COURSE-SUMMARY "))
    # L2: the course query returns its 500 rows on the bundled sample; 80% go to training.
    assert summary["l2_rows"] == 500 and summary["l2_train_lines"] == 400
    # L3: the component demo cell runs locally; the hello pipeline succeeds on the emulator.
    assert summary["l3_demo_output"] == "Hello, Erwin!"
    assert summary["l3_state"] == "PIPELINE_STATE_SUCCEEDED"
    # L4: the tuned model answers with the course's safety attributes and citations.
    # (the session's emulator is shared with other tests, which may have tuned models too)
    assert summary["tuning_state"] == "JOB_STATE_SUCCEEDED" and len(summary["l4_tuned_models"]) >= 1
    assert "csv" in summary["l4_content"].lower()  # retrieved from the tuning data
    assert summary["l4_blocked"] is False
    assert {r["category"] for r in summary["l4_safety_ratings"]} >= {"Dangerous Content", "Harassment"}
    assert summary["l4_citations"] and summary["l4_citations"][0]["title"]
