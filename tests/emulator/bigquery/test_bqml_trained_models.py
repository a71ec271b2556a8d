"""BigQuery ML's trained linear and logistic regression models through the BigQuery client:
CREATE MODEL ... OPTIONS(model_type = ...) AS SELECT, ML.PREDICT, ML.EVALUATE, ML.WEIGHTS,
ML.TRAINING_INFO, the `models` resource's trained-model fields, models.patch and models.delete.
Before, CREATE MODEL ... AS SELECT was refused ("only remote models") and models.patch was 501.

Training data follow exact relations, so the answers are checkable to a tolerance whatever the
optimizer; the weights themselves are the local optimizer's (BigQuery's may differ slightly)."""

from __future__ import annotations

import datetime as dt

import pytest
from google.api_core import exceptions

TOLERANCE = 1e-6


def run(client, sql: str) -> list[dict]:
    return [dict(r) for r in client.query(sql).result()]


@pytest.fixture
def ds(bigquery_client, dataset):
    """`project.dataset` with table t: y = 3x + 2, plus 5 where c = 'a' and -1 where c = 'b'."""
    name = f"{dataset.project}.{dataset.dataset_id}"
    run(
        bigquery_client,
        f"CREATE TABLE `{name}.t` AS SELECT x, c, 3.0 * x + 2.0 + IF(c = 'a', 5.0, -1.0) AS y "
        "FROM UNNEST(GENERATE_ARRAY(1, 30)) AS x, UNNEST(['a', 'b']) AS c",
    )
    return name


def test_linear_model_predicts_an_exact_relation(bigquery_client, ds):
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.lin` OPTIONS(model_type = 'linear_reg', input_label_cols = ['y']) AS "
        f"SELECT x, c, y FROM `{ds}.t`",
    )
    rows = run(
        bigquery_client,
        f"SELECT * FROM ML.PREDICT(MODEL `{ds}.lin`, (SELECT 100 AS x, 'a' AS c UNION ALL SELECT 0, 'b')) ORDER BY x",
    )
    assert [list(r) for r in rows] == [["predicted_y", "x", "c"]] * 2  # the prediction first, then the input
    assert rows[0]["predicted_y"] == pytest.approx(1.0, abs=TOLERANCE)
    assert rows[1]["predicted_y"] == pytest.approx(307.0, abs=TOLERANCE)
    # a table as input passes every column through, the label too
    table = run(bigquery_client, f"SELECT predicted_y - y AS err FROM ML.PREDICT(MODEL `{ds}.lin`, TABLE `{ds}.t`)")
    assert len(table) == 60 and max(abs(r["err"]) for r in table) < TOLERANCE


def test_evaluate_weights_and_training_info(bigquery_client, ds):
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.lin` OPTIONS(model_type = 'linear_reg', input_label_cols = ['y'], "
        f"data_split_method = 'NO_SPLIT') AS SELECT x, c, y FROM `{ds}.t`",
    )
    (on_input,) = run(bigquery_client, f"SELECT * FROM ML.EVALUATE(MODEL `{ds}.lin`, TABLE `{ds}.t`)")
    assert list(on_input) == [
        "mean_absolute_error",
        "mean_squared_error",
        "mean_squared_log_error",
        "median_absolute_error",
        "r2_score",
        "explained_variance",
    ]
    assert on_input["mean_absolute_error"] == pytest.approx(0.0, abs=TOLERANCE)
    assert on_input["r2_score"] == pytest.approx(1.0, abs=TOLERANCE)
    (stored,) = run(bigquery_client, f"SELECT * FROM ML.EVALUATE(MODEL `{ds}.lin`)")
    assert stored["r2_score"] == pytest.approx(1.0, abs=TOLERANCE)
    weights = {r["processed_input"]: r for r in run(bigquery_client, f"SELECT * FROM ML.WEIGHTS(MODEL `{ds}.lin`)")}
    assert set(weights) == {"x", "c", "__INTERCEPT__"}
    assert weights["x"]["weight"] == pytest.approx(3.0, abs=TOLERANCE)  # unstandardized by default
    assert weights["c"]["weight"] is None
    by_category = {w["category"]: w["weight"] for w in weights["c"]["category_weights"]}
    assert by_category["a"] - by_category["b"] == pytest.approx(6.0, abs=TOLERANCE)
    standardized = run(
        bigquery_client,
        f"SELECT weight FROM ML.WEIGHTS(MODEL `{ds}.lin`, STRUCT(TRUE AS standardize)) WHERE processed_input = 'x'",
    )
    assert standardized[0]["weight"] > 3.0 * 5  # x's standard deviation (about 8.7) times 3
    info = run(bigquery_client, f"SELECT * FROM ML.TRAINING_INFO(MODEL `{ds}.lin`)")
    assert list(info[0])[:4] == ["training_run", "iteration", "loss", "eval_loss"]
    assert info[0]["loss"] == pytest.approx(0.0, abs=TOLERANCE) and info[0]["eval_loss"] is None


def test_gradient_descent_options_as_in_googles_model_sample(bigquery_client, ds):
    # the options and data of Google's client samples (max_iterations 1, a constant learn rate)
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.sample` OPTIONS(model_type = 'linear_reg', max_iterations = 1, learn_rate = 0.4, "
        "learn_rate_strategy = 'constant') AS (SELECT 'a' AS f1, 2.0 AS label UNION ALL SELECT 'b' AS f1, 3.8 AS label)",
    )
    model = bigquery_client.get_model(f"{ds}.sample")
    assert model.model_type == "LINEAR_REGRESSION"
    assert [(f.name, f.type.type_kind.name) for f in model.feature_columns] == [("f1", "STRING")]
    assert [(f.name, f.type.type_kind.name) for f in model.label_columns] == [("predicted_label", "FLOAT64")]
    (runs,) = model._properties["trainingRuns"]
    assert runs["trainingOptions"]["maxIterations"] == "1"
    assert runs["trainingOptions"]["learnRateStrategy"] == "CONSTANT"
    assert runs["trainingOptions"]["learnRate"] == 0.4
    assert set(runs["evaluationMetrics"]["regressionMetrics"]) >= {"meanAbsoluteError", "rSquared"}
    assert len(runs["results"]) == 1


def test_logistic_models_binary_and_multiclass(bigquery_client, ds):
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.bin` OPTIONS(model_type = 'logistic_reg', input_label_cols = ['big'], "
        f"max_iterations = 50) AS SELECT x, x > 15 AS big FROM `{ds}.t`",
    )
    rows = run(
        bigquery_client,
        f"SELECT x, predicted_big, predicted_big_probs FROM ML.PREDICT(MODEL `{ds}.bin`, "
        "(SELECT 1 AS x UNION ALL SELECT 30)) ORDER BY x",
    )
    assert [r["predicted_big"] for r in rows] == [False, True]
    for r in rows:
        assert {p["label"] for p in r["predicted_big_probs"]} == {True, False}
        assert sum(p["prob"] for p in r["predicted_big_probs"]) == pytest.approx(1.0)
    (metrics,) = run(
        bigquery_client, f"SELECT * FROM ML.EVALUATE(MODEL `{ds}.bin`, (SELECT x, x > 15 AS big FROM `{ds}.t`))"
    )
    assert list(metrics) == ["precision", "recall", "accuracy", "f1_score", "log_loss", "roc_auc"]
    assert metrics["roc_auc"] == pytest.approx(1.0)
    model = bigquery_client.get_model(f"{ds}.bin")
    assert model.model_type == "LOGISTIC_REGRESSION"
    evaluation = model._properties["trainingRuns"][0]["evaluationMetrics"]
    assert evaluation["binaryClassificationMetrics"]["positiveLabel"] == "true"

    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.multi` OPTIONS(model_type = 'logistic_reg', input_label_cols = ['k'], "
        f"max_iterations = 50) AS SELECT c2, CONCAT('k_', c2) AS k FROM `{ds}.t`, UNNEST(['p', 'q', 'r']) AS c2",
    )
    rows = run(
        bigquery_client,
        f"SELECT c2, predicted_k FROM ML.PREDICT(MODEL `{ds}.multi`, (SELECT c2 FROM UNNEST(['r', 'p', 'q']) AS c2)) "
        "ORDER BY c2",
    )
    assert [(r["c2"], r["predicted_k"]) for r in rows] == [("p", "k_p"), ("q", "k_q"), ("r", "k_r")]
    evaluation = bigquery_client.get_model(f"{ds}.multi")._properties["trainingRuns"][0]["evaluationMetrics"]
    assert "multiClassClassificationMetrics" in evaluation


def test_dry_run_of_a_prediction(bigquery_client, ds):
    from google.cloud import bigquery

    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.lin` OPTIONS(model_type = 'linear_reg', input_label_cols = ['y']) AS "
        f"SELECT x, y FROM `{ds}.t`",
    )
    job = bigquery_client.query(
        f"SELECT * FROM ML.PREDICT(MODEL `{ds}.lin`, TABLE `{ds}.t`)", job_config=bigquery.QueryJobConfig(dry_run=True)
    )
    assert [f.name for f in job.schema] == ["predicted_y", "x", "c", "y"]


def test_models_patch_and_delete(bigquery_client, ds):
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.lin` OPTIONS(model_type = 'linear_reg', input_label_cols = ['y']) AS "
        f"SELECT x, y FROM `{ds}.t`",
    )
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.remote` REMOTE WITH CONNECTION `us.conn` OPTIONS(endpoint = 'gemini-2.0-flash')",
    )
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    for name in ("lin", "remote"):
        model = bigquery_client.get_model(f"{ds}.{name}")
        model.description = "a model"
        model.friendly_name = "friend"
        model.labels = {"team": "ml"}
        model.expires = expires
        updated = bigquery_client.update_model(model, ["description", "friendly_name", "labels", "expires"])
        assert (updated.description, updated.friendly_name, updated.labels) == ("a model", "friend", {"team": "ml"})
        again = bigquery_client.get_model(f"{ds}.{name}")
        assert again.friendly_name == "friend" and again.expires is not None
        assert abs((again.expires - expires).total_seconds()) < 1
        assert again.modified >= again.created
    assert sorted(m.model_id for m in bigquery_client.list_models(ds)) == ["lin", "remote"]
    bigquery_client.delete_model(f"{ds}.lin")
    with pytest.raises(exceptions.NotFound, match="Not found: Model"):
        bigquery_client.get_model(f"{ds}.lin")
    with pytest.raises(exceptions.NotFound, match="Not found: Model"):
        run(bigquery_client, f"SELECT * FROM ML.PREDICT(MODEL `{ds}.lin`, TABLE `{ds}.t`)")


def test_an_expired_model_is_gone(bigquery_client, ds):
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.lin` OPTIONS(model_type = 'linear_reg', input_label_cols = ['y']) AS "
        f"SELECT x, y FROM `{ds}.t`",
    )
    model = bigquery_client.get_model(f"{ds}.lin")
    model.expires = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    bigquery_client.update_model(model, ["expires"])
    with pytest.raises(exceptions.NotFound):
        bigquery_client.get_model(f"{ds}.lin")
    with pytest.raises(exceptions.NotFound):
        run(bigquery_client, f"SELECT * FROM ML.WEIGHTS(MODEL `{ds}.lin`)")


BAD_MODELS = [
    ("OPTIONS(model_type = 'kmeans') AS SELECT x FROM {t}", "MODEL_TYPE 'KMEANS' is not supported by the local"),
    ("OPTIONS(model_type = 'linear_reg') AS SELECT x FROM {t}", "Unable to identify the label column"),
    (
        "OPTIONS(model_type = 'linear_reg', input_label_cols = ['c']) AS SELECT x, c FROM {t}",
        "Label column c has type STRING; a LINEAR_REG model needs a numeric label",
    ),
    (
        "OPTIONS(model_type = 'logistic_reg', input_label_cols = ['y']) AS SELECT x, y FROM {t}",
        "Label column y has type FLOAT64; a LOGISTIC_REG model needs an INT64, STRING or BOOL label",
    ),
    (
        "OPTIONS(model_type = 'linear_reg', input_label_cols = ['y'], auto_class_weights = TRUE) "
        "AS SELECT x, y FROM {t}",
        "CREATE MODEL option AUTO_CLASS_WEIGHTS is not supported by the local warehouse",
    ),
    (
        "OPTIONS(model_type = 'linear_reg', input_label_cols = ['y'], data_split_method = 'SEQ') "
        "AS SELECT x, y FROM {t}",
        "DATA_SPLIT_METHOD SEQ is not supported by the local warehouse",
    ),
    (
        "OPTIONS(model_type = 'linear_reg', input_label_cols = ['y']) AS SELECT x, y, CURRENT_DATE() AS d FROM {t}",
        "feature column d of type DATE",
    ),
]


@pytest.mark.parametrize(("tail", "message"), BAD_MODELS)
def test_bad_models_are_refused(bigquery_client, ds, tail, message):
    with pytest.raises(exceptions.BadRequest, match=message):
        run(bigquery_client, f"CREATE MODEL `{ds}.bad` " + tail.format(t=f"`{ds}.t`"))


def test_wrong_kind_of_model_and_model_extract_are_refused(bigquery_client, ds):
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.remote` REMOTE WITH CONNECTION `us.conn` OPTIONS(endpoint = 'gemini-2.0-flash')",
    )
    with pytest.raises(exceptions.BadRequest, match="is a remote model; this function needs a trained model"):
        run(bigquery_client, f"SELECT * FROM ML.PREDICT(MODEL `{ds}.remote`, TABLE `{ds}.t`)")
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.lin` OPTIONS(model_type = 'linear_reg', input_label_cols = ['y']) AS "
        f"SELECT x, y FROM `{ds}.t`",
    )
    with pytest.raises(exceptions.BadRequest, match="is a trained model; this function needs a remote model"):
        run(bigquery_client, f"SELECT * FROM ML.GENERATE_TEXT(MODEL `{ds}.lin`, (SELECT 'hi' AS prompt))")
    with pytest.raises(exceptions.BadRequest, match="a view over a trained model .* is not supported by the local"):
        run(bigquery_client, f"CREATE VIEW `{ds}.v` AS SELECT * FROM ML.PREDICT(MODEL `{ds}.lin`, TABLE `{ds}.t`)")
    with pytest.raises(exceptions.BadRequest, match="Extracting a model .* is not supported by the emulator"):
        bigquery_client.extract_table(f"{ds}.lin", "gs://bucket/model", source_type="Model").result()


def test_a_catalog_from_before_trained_models_is_upgraded(tmp_path):
    import duckdb

    from llmops.emulator.bigquery.engine import BigQueryEngine

    path = tmp_path / "bq.duckdb"
    engine = BigQueryEngine(path)
    engine.create_dataset("p", "d")
    engine.query(
        "CREATE MODEL d.r REMOTE WITH CONNECTION `us.conn` OPTIONS(endpoint = 'gemini-2.0-flash')", default_project="p"
    )
    engine.close()
    with duckdb.connect(str(path)) as con:  # the catalog's models table as it was before
        for column in ("spec", "meta", "modified"):
            con.execute(f"ALTER TABLE _llmops_catalog.models DROP COLUMN {column}")
    engine = BigQueryEngine(path)
    try:
        assert [(m["model"], m["endpoint"], m["spec"]) for m in engine.list_models("p", "d")] == [
            ("r", "gemini-2.0-flash", None)
        ]
        engine.query(
            "CREATE MODEL d.m OPTIONS(model_type = 'linear_reg') AS SELECT 1.0 AS x, 2.0 AS label UNION ALL SELECT 2.0, 4.0",
            default_project="p",
        )
        rows = engine.query("SELECT predicted_label FROM ML.PREDICT(MODEL d.m, (SELECT 3.0 AS x))", default_project="p")
        assert rows.table.to_pylist()[0]["predicted_label"] == pytest.approx(6.0, abs=TOLERANCE)
    finally:
        engine.close()
