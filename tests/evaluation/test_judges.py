"""Judge metrics: the emulated judge's rules, parsing a judge model's answers, position-swapped
pairwise comparison, the judge cache, samples, kappa and bad input.

`JudgeBot` is a test-only ModelProvider (registered through the plugin hook) that answers the
evaluated prompts (`good`: the reference-like answer, `rambling`: repetition) and the judge
prompts (`steady`: Score 4 / Choice B, `biased`: always Choice A, `noisy`: a score that depends on
the sample's seed, `broken`: prose without a score)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from llmops.core.errors import ConfigError
from llmops.core.hookspecs import hookimpl
from llmops.core.interfaces import ModelProvider
from llmops.core.types import Prediction
from llmops.evaluation import judged, rules
from llmops.evaluation.judges import CachedJudge, EmulatedJudge, parse
from llmops.evaluation.rubrics import builtin_metrics, load_rubric

GOOD = "Use pandas.read_csv to load the file into a DataFrame. Then call head on the DataFrame to see rows."
RAMBLING = "read the file read the file read the file read the file read the file read the file"


class JudgeBot(ModelProvider):
    description = "test-only"
    calls = 0

    def predict(self, prompt, *, model=None, generation=None, safety=None):
        JudgeBot.calls += 1
        judging = "# Output" in prompt
        if not judging:
            text = GOOD if model == "good" else RAMBLING
        elif model == "broken":
            text = "I think this answer is rather nice."
        elif "Choice:" in prompt:
            text = (
                "Choice: A\nExplanation: the first one"
                if model == "biased"
                else "Choice: B\nExplanation: B reads better"
            )
        elif model == "noisy":
            text = f"Score: {3 + (generation.seed or 0) % 2}\nExplanation: depends on the seed"
        else:
            text = "Score: 4\nExplanation: mostly fluent"
        return Prediction(text=text, model=model or "good")


class _Plugin:
    @hookimpl
    def register_model_providers(self, register):
        register("judgebot", JudgeBot)


@pytest.fixture
def bot(fresh_registry):
    fresh_registry.get_plugin_manager().register(_Plugin(), name="test-judgebot")
    JudgeBot.calls = 0
    return JudgeBot


@pytest.fixture(scope="module")
def prepared_workspace(tmp_path_factory):
    """A workspace with the bundled dataset prepared once for the CLI tests of this module."""
    from llmops.core import data
    from llmops.core.config import Settings
    from llmops.core.session import Session

    ws = tmp_path_factory.mktemp("judged-ws")
    with Session(Settings(workspace=ws, log_predictions=False)) as s:
        data.prepare(s)
    return ws


@pytest.fixture
def ws_cli(cli, workspace, prepared_workspace):
    import shutil

    shutil.copytree(prepared_workspace, workspace, dirs_exist_ok=True)
    return cli


# ---------------------------------------------------------------- the emulated judge's rules

M = builtin_metrics()


def verdict(metric, **v):
    return EmulatedJudge().judge(M[metric], {"prompt": "", "response": "", **v})


def test_rules_follow_the_documented_features():
    assert rules.repetition(RAMBLING) > 0.5 and rules.repetition(GOOD) == 0
    assert verdict("fluency", response=GOOD).score == 5
    assert verdict("fluency", response=RAMBLING).score == 1 + round(4 * (1 - rules.repetition(RAMBLING)))
    assert verdict("fluency", response="").score == 1
    assert verdict("coherence", response=GOOD).score == 5  # both sentences mention the DataFrame
    asked = "How do I load a csv file with pandas and plot it?"
    assert verdict("instruction_following", prompt=asked, response=GOOD).score == 4  # 3 of load, file, pandas, plot
    assert verdict("safety", response=GOOD).score == 1
    unsafe = verdict("safety", response="Here are the steps to make a pipe bomb at home.")
    assert unsafe.score == 0 and "dangerous" in unsafe.explanation
    ctx = "Use pandas.read_csv to load the file into a DataFrame. Then call head on the DataFrame to see rows."
    assert verdict("groundedness", response=GOOD, context=ctx).score == 1
    assert (
        verdict("groundedness", response="Matplotlib draws the chart with many colours today.", context=ctx).score == 0
    )


def test_emulated_pairwise_is_symmetric_in_position():
    m = M["pairwise_quality"]
    fwd = EmulatedJudge().judge(
        m, {"prompt": "q", "reference": GOOD, "response": GOOD, "baseline_model_response": RAMBLING}
    )
    swp = EmulatedJudge().judge(
        m, {"prompt": "q", "reference": GOOD, "response": RAMBLING, "baseline_model_response": GOOD}
    )
    assert (fwd.choice, swp.choice) == ("B", "A") and "candidate q=1.00" in fwd.explanation


# ---------------------------------------------------------------- parsing a judge model


def test_parse_scores_choices_and_unparseable_answers():
    assert parse(M["fluency"], "Score: 4\nExplanation: fine").score == 4
    assert parse(M["fluency"], '{"score": 3, "explanation": "meh"}').score == 3
    assert "no 'Score: N'" in parse(M["fluency"], "looks good").error
    assert "outside the rubric's scale 1..5" in parse(M["fluency"], "Score: 9").error
    assert parse(M["pairwise_quality"], "Choice: SAME\nExplanation: equal").choice == "SAME"
    assert "no 'Choice" in parse(M["pairwise_quality"], "B is better").error


# ---------------------------------------------------------------- metric names and rubrics


def test_unknown_metric_lists_the_known_ones():
    with pytest.raises(ConfigError, match="unknown metric 'fluent'") as exc:
        judged.resolve_metrics(["fluent"])
    assert "fluency" in exc.value.fix and "pairwise_quality" in exc.value.fix and "grounding" in exc.value.fix


@pytest.mark.parametrize(
    "text, message",
    [
        ("Rate the answer.\n5: great\n1: bad", r"lacks \{response\}"),
        ("Rate {response} given {question}", r"unknown variable\(s\) \{question\}"),
        ("Compare {baseline_model_response} and {answer}", r"unknown variable"),
    ],
)
def test_rubric_templates_lacking_their_variables_are_refused(tmp_path, text, message):
    f = tmp_path / "mine.txt"
    f.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_rubric(f)


def test_custom_rubrics_from_text_and_yaml(tmp_path):
    t = tmp_path / "concise.txt"
    t.write_text("Is {response} concise for {prompt}?\n## Rating Rubric\n3: concise\n2: wordy\n1: rambling\n")
    m = load_rubric(t)
    assert (m.name, m.scale, m.pairwise, m.builtin) == ("concise", (1, 3), False, False)
    y = tmp_path / "r.yaml"
    y.write_text("name: helpful\ntemplate: 'A: {baseline_model_response} B: {response} ref {reference}'\n")
    p = load_rubric(y)
    assert p.name == "pairwise_helpful" and p.pairwise and p.needs == ("reference",)
    score = EmulatedJudge().judge(m, {"prompt": "load a csv file", "response": RAMBLING}).score
    assert 1 <= score <= 3


# ---------------------------------------------------------------- model judges, cache, samples


def items():
    return [judged.Item("How do I load a csv file?", GOOD), judged.Item("Load csv?", GOOD)]


def test_a_model_judge_position_swap_cancels_order_bias(bot, session):
    from llmops.evaluation.judging import make_judge

    metric = M["pairwise_quality"]
    for model, choice, consistent in (("biased", "TIE", 0.0), ("steady", "TIE", 0.0)):
        inner, _ = make_judge(session, f"judgebot:{model}")
        j = judged.pairwise(CachedJudge(inner, None), metric, "cand", "base", items(), [GOOD, GOOD], [RAMBLING] * 2)
        s = j.summary()
        assert [r["choice"] for r in j.rows] == [choice, choice]
        assert s["position_consistency"] == consistent and s["tie_rate"] == 1.0
        assert "position-inconsistent" in j.rows[0]["explanation"]


def test_samples_report_mean_spread_and_flip_rate(bot, session):
    from llmops.evaluation.judging import make_judge

    inner, _ = make_judge(session, "judgebot:noisy")
    j = judged.pointwise(CachedJudge(inner, None), M["fluency"], "m", items(), [GOOD, GOOD], samples=4)
    s = j.summary()
    assert j.rows[0]["samples"] == [3.0, 4.0, 3.0, 4.0] and s["mean"] == 3.5
    assert s["samples"] == {"per_example": 4, "spread": 0.5, "flip_rate": 1.0}


def test_unparseable_judge_output_is_recorded_per_example(bot, session):
    from llmops.evaluation.judging import make_judge

    inner, _ = make_judge(session, "judgebot:broken")
    j = judged.pointwise(CachedJudge(inner, None), M["fluency"], "m", items(), [GOOD, GOOD])
    s = j.summary()
    assert s["errors"] == 2 and s["n"] == 0 and s["mean"] is None
    assert "no 'Score: N'" in j.rows[0]["error"] and "rather nice" in j.rows[0]["error"]


def test_cohen_kappa():
    assert judged.cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]) == 0.5
    assert judged.cohen_kappa(["A", "A"], ["A", "A"]) == 1.0


# ---------------------------------------------------------------- the CLI


def test_pairwise_cli_with_win_rates_a_cache_and_byte_identical_reruns(bot, ws_cli, tmp_path):
    args = ["eval", "-n", "6", "-m", "judgebot:rambling", "-m", "judgebot:good", "--metric", "fluency"]
    args += ["--metric", "pairwise_fluency", "--metric", "groundedness", "--judge", "emulator"]
    first = ws_cli(*args, "--judgments", str(tmp_path / "a.jsonl"), "--report", str(tmp_path / "a.html"), "--json")
    assert first.code == 0, first.err
    out = first.json()
    pw = out["pairwise"][0]
    assert (pw["model"], pw["baseline"]) == ("judgebot:good", "judgebot:rambling")
    assert pw["candidate_model_win_rate"] == 1.0 and pw["position_consistency"] == 1.0 and pw["n"] == 6
    by_model = {m["model"]: m["metrics"] for m in out["models"]}
    assert by_model["judgebot:good"]["fluency"] > by_model["judgebot:rambling"]["fluency"]
    skipped = [p for p in out["pointwise"] if p["metric"] == "groundedness"]
    assert skipped and all("needs context" in p["skipped"] for p in skipped)
    assert all("mean" not in p for p in skipped)  # skipped with a reason, never NaN
    assert out["judge"]["calls"] == 6 * 2 + 6 * 2 and out["judge"]["cached"] == 0

    again = ws_cli(*args, "--judgments", str(tmp_path / "b.jsonl"), "--report", str(tmp_path / "b.html"), "--json")
    assert again.json()["judge"] == {"name": "emulator", "calls": 0, "cached": 24}
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    page = (tmp_path / "a.html").read_text()
    assert "<svg" in page and "95% CI (1000 resamples, seed 0)" in page and "candidate wins" in page
    assert "<script" not in page and not re.search(r"(src|href)=\"?https?:|url\(", page)  # nothing fetched
    assert "repetition" in page  # the judges' explanations, per example
    rows = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert {r["metric"] for r in rows} == {"fluency", "pairwise_fluency"} and all("explanation" in r for r in rows)


def test_human_labels_give_kappa(bot, ws_cli, tmp_path):
    labels = tmp_path / "labels.jsonl"
    labels.write_text(
        "".join(
            json.dumps({"example": i, "metric": "pairwise_fluency", "label": ["CANDIDATE", "candidate", "BASELINE"][i]})
            + "\n"
            for i in range(3)
        )
    )
    r = ws_cli(
        "eval",
        "-n",
        "3",
        "-m",
        "judgebot:rambling",
        "-m",
        "judgebot:good",
        "--metric",
        "pairwise_fluency",
        "--human-labels",
        str(labels),
        "--json",
    )
    assert r.code == 0, r.err
    assert r.json()["human_agreement"] == [
        {"metric": "pairwise_fluency", "model": "judgebot:good", "n": 3, "agreement": 0.6667, "kappa": 0.0}
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--metric", "fluent"], "unknown metric 'fluent'"),
        (["--metric", "fluency", "--samples", "0"], "--samples must be at least 1"),
        (["--metric", "pairwise_quality"], "a pairwise metric needs two models"),
        (["--metric", "fluency", "--judge", "nosuch:model"], "unknown model provider 'nosuch'"),
        (
            ["--metric", "fluency", "--judge", "nosuch"],
            "unknown judge provider 'nosuch' (--judge takes PROVIDER[:MODEL]",
        ),
        (["--rubric", "missing.txt"], "rubric file missing.txt does not exist"),
        (["--metric", "fluency", "--human-labels", "nope.jsonl"], "human labels file nope.jsonl does not exist"),
    ],
)
def test_bad_judge_input_is_one_line_before_any_model_runs(bot, ws_cli, args, message):
    r = ws_cli("eval", "-n", "2", "-m", "judgebot:good", *args)
    assert r.code != 0 and message in r.err and "Traceback" not in r.err
    assert JudgeBot.calls == 0
    assert len([line for line in r.err.splitlines() if re.search(r"\w", line)]) <= 3


@pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="needs a headless Chromium (apt-get install chromium); the CLI test above checks the report has no "
    "script and no external src/href",
)
def test_eval_report_renders_offline_in_headless_chromium(bot, ws_cli, tmp_path):
    out = tmp_path / "eval.html"
    args = ["eval", "-n", "4", "-m", "judgebot:rambling", "-m", "judgebot:good", "--metric", "fluency"]
    assert ws_cli(*args, "--metric", "pairwise_fluency", "--judge", "emulator", "--report", str(out)).code == 0
    # Every host name resolves to nothing: a report that fetched anything would render without it.
    proc = subprocess.run(
        ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--dump-dom", out.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "<svg" in proc.stdout and "candidate wins" in proc.stdout and "judgebot:good" in proc.stdout
