"""Runs the course's three notebooks (tests/course/notebooks/*.py) in order in the working
folder, as a student would; prints a JSON summary."""

import json
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent / "notebooks"


def provide_course_files(l2):
    """What the course's workspace provides for L3: L2's train and evaluation splits as JSONL,
    without the time stamp in their names."""
    cols = ["input_text_instruct", "output_text"]
    with open("tune_data_stack_overflow_python_qa.jsonl", "w") as f:
        f.write(l2["train"][cols].to_json(orient="records", lines=True))
    with open("tune_eval_data_stack_overflow_python_qa.jsonl", "w") as f:
        f.write(l2["evaluation"][cols].to_json(orient="records", lines=True))


l2 = runpy.run_path(str(HERE / "L2_data_preparation.py"))
provide_course_files(l2)
l3 = runpy.run_path(str(HERE / "L3_automation_orchestration_pipelines.py"))
l3["job"].wait()
l3["tuning_job"].wait()
l4 = runpy.run_path(str(HERE / "L4_predictions_prompts_safety.py"))
summary = {
    "l2_rows": len(l2["stack_overflow_df"]),
    "l2_train_lines": len(open(l2["training_data_filename"]).read().splitlines()),
    "l3_demo_output": l3["hello_task"].output,
    "l3_state": l3["job"].state.name,
    "tuning_state": l3["tuning_job"].state.name,
    "tuned_model_display_name": l3["MODEL_NAME"],
    "l4_tuned_models": list(l4["list_tuned_models"]),
    "l4_content": l4["output"],
    "l4_blocked": l4["blocked"],
    "l4_safety_ratings": l4["safety_attributes"]["safetyRatings"],
    "l4_citations": l4["citation"],
}
sys.stdout.write("COURSE-SUMMARY " + json.dumps(summary, default=str) + "\n")
