"""Runs the course's three notebooks (tests/course/notebooks/*.py) in order in the working
folder, as a student would, with the tuning step between L3 and L4; prints a JSON summary."""

import glob
import json
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent / "notebooks"


def tune_on_l2_output():
    """What the course's tune-large-model template did: tune text-bison@001 on L2's JSONL
    (`llmops tune` does the same from a prepared dataset)."""
    from google import genai
    from google.cloud import storage
    from google.genai import types

    (path,) = glob.glob("tune_data_stack_overflow_python_qa-*.jsonl")
    bucket = storage.Client().create_bucket("course-tuning-data")
    bucket.blob("train.jsonl").upload_from_filename(path)
    client = genai.Client(vertexai=True)
    job = client.tunings.tune(
        base_model="text-bison@001",
        training_dataset=types.TuningDataset(gcs_uri="gs://course-tuning-data/train.jsonl"),
    )
    return client.tunings.get(name=job.name)


l2 = runpy.run_path(str(HERE / "L2_data_preparation.py"))
l3 = runpy.run_path(str(HERE / "L3_automation_orchestration_pipelines.py"))
l3["job"].wait()
tuning = tune_on_l2_output()
l4 = runpy.run_path(str(HERE / "L4_predictions_prompts_safety.py"))
summary = {
    "l2_rows": len(l2["stack_overflow_df"]),
    "l2_train_lines": len(open(l2["training_data_filename"]).read().splitlines()),
    "l3_demo_output": l3["hello_task"].output,
    "l3_state": l3["job"].state.name,
    "tuning_state": tuning.state.name,
    "l4_tuned_models": list(l4["list_tuned_models"]),
    "l4_content": l4["output"],
    "l4_blocked": l4["blocked"],
    "l4_safety_ratings": l4["safety_attributes"]["safetyRatings"],
    "l4_citations": l4["citation"],
}
sys.stdout.write("COURSE-SUMMARY " + json.dumps(summary, default=str) + "\n")
