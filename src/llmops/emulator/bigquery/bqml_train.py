"""Training, evaluation and weights of BigQuery ML's linear and logistic regression models
(`CREATE MODEL ... OPTIONS(model_type = 'linear_reg' | 'logistic_reg') AS SELECT ...`), in numpy.

Numeric features are standardized (mean 0, standard deviation 1) and STRING/BOOL features one-hot
encoded, as BigQuery documents for these models; the optimizer is the local warehouse's own
(closed-form ridge regression or batch gradient descent), so weights match BigQuery's only as
closely as two optimizers of the same loss do. A trained model is a JSON-ready dict (the spec)
that the engine keeps in its model catalog.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from .googlesql import BigQueryError, BigQueryInvalid

MODEL_TYPES = {"LINEAR_REG": "LINEAR_REGRESSION", "LOGISTIC_REG": "LOGISTIC_REGRESSION"}
NUMERIC_KINDS = ("INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC")
CATEGORY_KINDS = ("STRING", "BOOL")
_DEFAULTS: dict[str, Any] = {
    "optimize_strategy": "AUTO_STRATEGY",
    "learn_rate_strategy": "LINE_SEARCH",
    "learn_rate": 0.1,
    "ls_init_learn_rate": 0.1,
    "l1_reg": 0.0,
    "l2_reg": 0.0,
    "max_iterations": 20,
    "early_stop": True,
    "min_rel_progress": 0.01,
    "data_split_method": "AUTO_SPLIT",
    "data_split_eval_fraction": 0.2,
    "fit_intercept": True,
}
SUPPORTED_OPTIONS = frozenset({"model_type", "input_label_cols", *_DEFAULTS})
REGRESSION_METRICS = (
    "mean_absolute_error",
    "mean_squared_error",
    "mean_squared_log_error",
    "median_absolute_error",
    "r2_score",
    "explained_variance",
)
CLASSIFICATION_METRICS = ("precision", "recall", "accuracy", "f1_score", "log_loss", "roc_auc")
_SPLIT_SEED = 20240601
"""RANDOM and AUTO_SPLIT draw the evaluation rows with this fixed seed: the same data, the same split."""


def _unsupported(what: str, fix: str) -> BigQueryError:
    return BigQueryError(f"{what} is not supported by the local warehouse", fix=fix)


def check_options(options: dict[str, Any]) -> dict[str, Any]:
    """The CREATE MODEL options with defaults filled in; refuses by name what is not honoured."""
    out = dict(_DEFAULTS)
    for name, value in options.items():
        if name not in SUPPORTED_OPTIONS:
            raise _unsupported(
                f"CREATE MODEL option {name.upper()}",
                fix=f"drop {name.upper()}; supported: {', '.join(sorted(SUPPORTED_OPTIONS))}",
            )
        out[name] = value
    model_type = str(out.get("model_type") or "").upper()
    if model_type not in MODEL_TYPES:
        raise _unsupported(
            f"MODEL_TYPE {model_type or 'missing'!r}"
            if model_type
            else "CREATE MODEL ... AS SELECT without MODEL_TYPE",
            fix="use model_type = 'linear_reg' or 'logistic_reg', or a remote model",
        )
    out["model_type"] = model_type
    for name in ("optimize_strategy", "learn_rate_strategy", "data_split_method"):
        out[name] = str(out[name]).upper()
    if out["optimize_strategy"] not in ("AUTO_STRATEGY", "BATCH_GRADIENT_DESCENT", "NORMAL_EQUATION"):
        raise BigQueryInvalid(f"invalid OPTIMIZE_STRATEGY {out['optimize_strategy']!r}", fix="use AUTO_STRATEGY")
    if out["learn_rate_strategy"] not in ("LINE_SEARCH", "CONSTANT"):
        raise BigQueryInvalid(f"invalid LEARN_RATE_STRATEGY {out['learn_rate_strategy']!r}", fix="use LINE_SEARCH")
    if out["data_split_method"] in ("CUSTOM", "SEQ"):
        raise _unsupported(f"DATA_SPLIT_METHOD {out['data_split_method']}", fix="use AUTO_SPLIT, RANDOM or NO_SPLIT")
    if out["data_split_method"] not in ("AUTO_SPLIT", "RANDOM", "NO_SPLIT"):
        raise BigQueryInvalid(f"invalid DATA_SPLIT_METHOD {out['data_split_method']!r}", fix="use AUTO_SPLIT")
    if model_type == "LOGISTIC_REG" and out["optimize_strategy"] == "NORMAL_EQUATION":
        raise BigQueryInvalid(
            "OPTIMIZE_STRATEGY NORMAL_EQUATION is only for LINEAR_REG models", fix="use BATCH_GRADIENT_DESCENT"
        )
    if out["optimize_strategy"] == "NORMAL_EQUATION" and float(out["l1_reg"]) > 0:
        raise BigQueryInvalid("L1_REG needs OPTIMIZE_STRATEGY BATCH_GRADIENT_DESCENT", fix="drop L1_REG")
    if not out["fit_intercept"]:
        raise _unsupported("FIT_INTERCEPT = FALSE", fix="drop FIT_INTERCEPT")
    for name in (
        "learn_rate",
        "ls_init_learn_rate",
        "l1_reg",
        "l2_reg",
        "min_rel_progress",
        "data_split_eval_fraction",
    ):
        out[name] = float(out[name])
        if out[name] < 0:
            raise BigQueryInvalid(f"{name.upper()} must not be negative", fix=f"set {name.upper()} to 0 or more")
    out["max_iterations"] = int(out["max_iterations"])
    if out["max_iterations"] < 1:
        raise BigQueryInvalid("MAX_ITERATIONS must be at least 1", fix="set MAX_ITERATIONS to 1 or more")
    labels = out.get("input_label_cols") or ["label"]
    if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
        raise BigQueryInvalid("INPUT_LABEL_COLS must name one column", fix="write input_label_cols = ['y']")
    out["input_label_cols"] = labels
    return out


# ---------------------------------------------------------------------- encoding


def category(value: Any) -> str | None:
    """A STRING/BOOL feature value as the category name it is one-hot encoded under."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _design(features: list[dict[str, Any]], columns: dict[str, list[Any]]) -> np.ndarray:
    """The standardized, one-hot encoded matrix of rows (NULL numeric -> the mean; NULL or unseen category -> zeros)."""
    n = len(next(iter(columns.values()))) if columns else 0
    parts: list[np.ndarray] = []
    for f in features:
        values = columns[f["name"]]
        if f["kind"] == "numeric":
            x = np.array(values, dtype=float)  # NULL (None) -> NaN
            z = (x - f["mean"]) / f["std"]
            parts.append(np.nan_to_num(z, nan=0.0).reshape(n, 1))
        else:
            index = {c: i for i, c in enumerate(f["categories"])}
            block = np.zeros((n, len(index)))
            for row, v in enumerate(values):
                i = index.get(category(v))
                if i is not None:
                    block[row, i] = 1.0
            parts.append(block)
    return np.hstack(parts) if parts else np.zeros((n, 0))


def _describe(name: str, kind: str, values: list[Any]) -> dict[str, Any]:
    if kind in NUMERIC_KINDS:
        x = np.array(values, dtype=float)
        x = x[~np.isnan(x)]
        mean = float(x.mean()) if len(x) else 0.0
        std = float(x.std(ddof=1)) if len(x) > 1 else 0.0
        return {"name": name, "type": kind, "kind": "numeric", "mean": mean, "std": std if std > 0 else 1.0}
    if kind in CATEGORY_KINDS:
        cats = sorted({c for c in (category(v) for v in values) if c is not None})
        return {"name": name, "type": kind, "kind": "categorical", "categories": cats}
    raise _unsupported(
        f"feature column {name} of type {kind} (local training takes numeric, STRING and BOOL features)",
        fix=f"cast {name} or leave it out of the training query",
    )


# ---------------------------------------------------------------------- training


def train(columns: dict[str, list[Any]], kinds: dict[str, str], options: dict[str, Any]) -> dict[str, Any]:
    """A trained model (its spec) from the training query's columns (name -> values) and their BigQuery types."""
    started = time.time()
    label = options["input_label_cols"][0]
    found = {n.lower(): n for n in columns}
    if label.lower() not in found:
        raise BigQueryInvalid(
            f"Unable to identify the label column: the training query has no column {label}",
            fix="name the label column `label` or set input_label_cols",
        )
    label = found[label.lower()]
    logistic = options["model_type"] == "LOGISTIC_REG"
    label_kind = kinds[label]
    if not logistic and label_kind not in NUMERIC_KINDS:
        raise BigQueryInvalid(
            f"Label column {label} has type {label_kind}; a LINEAR_REG model needs a numeric label",
            fix=f"cast {label} to FLOAT64, or use model_type = 'logistic_reg'",
        )
    if logistic and label_kind not in ("INT64", "STRING", "BOOL"):
        raise BigQueryInvalid(
            f"Label column {label} has type {label_kind}; a LOGISTIC_REG model needs an INT64, STRING or BOOL label",
            fix=f"cast {label} to STRING or INT64",
        )
    keep = [i for i, v in enumerate(columns[label]) if v is not None]
    if not keep:
        raise BigQueryInvalid("the training query has no row with a non-NULL label", fix="check the training query")
    rows = {n: [vs[i] for i in keep] for n, vs in columns.items()}
    names = [n for n in columns if n != label]
    if not names:
        raise BigQueryInvalid("the training query has no feature column besides the label", fix="select a feature")
    n = len(keep)
    train_idx, eval_idx = _split(n, options)
    train_rows = {k: [v[i] for i in train_idx] for k, v in rows.items()}
    features = [_describe(name, kinds[name], train_rows[name]) for name in names]
    x_all = _design(features, rows)
    x_train, x_eval = x_all[train_idx], x_all[eval_idx]
    spec: dict[str, Any] = {
        "model_type": MODEL_TYPES[options["model_type"]],
        "label": label,
        "label_type": label_kind,
        "features": features,
        "options": {k: v for k, v in options.items() if k != "model_type"},
        "start_time": int(started * 1000),
        "split": {"train_rows": len(train_idx), "eval_rows": len(eval_idx)},
    }
    if logistic:
        classes = sorted({v for v in rows[label]}, key=lambda v: (str(type(v)), v))
        if len(classes) < 2:
            raise BigQueryInvalid(
                f"Label column {label} has only one distinct value; a LOGISTIC_REG model needs at least two",
                fix="train on rows of at least two classes",
            )
        index = {c: i for i, c in enumerate(classes)}
        y_all = np.array([index[v] for v in rows[label]])
        spec["classes"] = classes
        weights, iterations = _fit_logistic(x_train, y_all[train_idx], x_eval, y_all[eval_idx], len(classes), options)
    else:
        y_all = np.array([float(v) for v in rows[label]])
        weights, iterations = _fit_linear(x_train, y_all[train_idx], x_eval, y_all[eval_idx], options)
    spec["weights"] = weights.tolist()  # (outputs, 1 + columns): the intercept first, on standardized inputs
    spec["iterations"] = iterations
    x_metric, y_metric = (x_eval, eval_idx) if len(eval_idx) else (x_train, train_idx)
    truth = [rows[label][i] for i in y_metric]
    spec["metrics"] = metrics(spec, truth, scores(spec, x_metric))
    return spec


def _split(n: int, options: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    method = options["data_split_method"]
    if method == "NO_SPLIT" or (method == "AUTO_SPLIT" and n < 500):
        return np.arange(n), np.arange(0)
    if method == "AUTO_SPLIT":
        held = int(round(n * 0.2)) if n < 50000 else 10000
    else:
        held = int(round(n * options["data_split_eval_fraction"]))
    order = np.random.default_rng(_SPLIT_SEED).permutation(n)
    return np.sort(order[held:]), np.sort(order[:held])


def _with_intercept(x: np.ndarray) -> np.ndarray:
    return np.hstack([np.ones((x.shape[0], 1)), x])


def _penalty(w: np.ndarray, options: dict[str, Any], n: int) -> float:
    body = w[:, 1:]
    return float((options["l2_reg"] * np.sum(body**2) + options["l1_reg"] * np.sum(np.abs(body))) / max(n, 1))


def _fit_linear(
    x: np.ndarray, y: np.ndarray, x_eval: np.ndarray, y_eval: np.ndarray, options: dict[str, Any]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    a = _with_intercept(x)
    if options["optimize_strategy"] == "NORMAL_EQUATION" or (
        options["optimize_strategy"] == "AUTO_STRATEGY" and options["l1_reg"] == 0
    ):
        started = time.time()
        ridge = options["l2_reg"] * np.eye(a.shape[1])
        ridge[0, 0] = 0.0  # the intercept is not regularized
        w = np.linalg.lstsq(a.T @ a + ridge, a.T @ y, rcond=None)[0].reshape(1, -1)
        loss = float(np.mean((a @ w[0] - y) ** 2))
        eval_loss = float(np.mean((_with_intercept(x_eval) @ w[0] - y_eval) ** 2)) if len(y_eval) else None
        done = {"index": 0, "loss": loss, "eval_loss": eval_loss, "learn_rate": None}
        done["duration_ms"] = int((time.time() - started) * 1000)
        return w, [done]

    def loss_of(w: np.ndarray, m: np.ndarray, t: np.ndarray) -> float:
        return float(np.mean((m @ w[0] - t) ** 2))

    def gradient(w: np.ndarray) -> np.ndarray:
        return (2.0 / len(y)) * (a.T @ (a @ w[0] - y)).reshape(1, -1)

    return _descend(np.zeros((1, a.shape[1])), a, y, _with_intercept(x_eval), y_eval, loss_of, gradient, options)


def _softmax_probs(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def class_probs(weights: np.ndarray, a: np.ndarray) -> np.ndarray:
    """(rows, classes) probabilities; a binary model keeps one weight row (the second class's)."""
    z = a @ weights.T
    if weights.shape[0] == 1:
        p = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return np.stack([1.0 - p, p], axis=1)
    return _softmax_probs(z)


def _fit_logistic(
    x: np.ndarray, y: np.ndarray, x_eval: np.ndarray, y_eval: np.ndarray, k: int, options: dict[str, Any]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    a = _with_intercept(x)
    outputs = 1 if k == 2 else k
    onehot = np.eye(k)[y]

    def loss_of(w: np.ndarray, m: np.ndarray, t: np.ndarray) -> float:
        p = class_probs(w, m)
        return float(-np.mean(np.log(np.clip(p[np.arange(len(t)), t], 1e-15, 1.0))))

    def gradient(w: np.ndarray) -> np.ndarray:
        p = class_probs(w, a)
        if outputs == 1:
            return ((a.T @ (p[:, 1] - onehot[:, 1])) / len(y)).reshape(1, -1)
        return np.asarray(((p - onehot).T @ a) / len(y))

    return _descend(np.zeros((outputs, a.shape[1])), a, y, _with_intercept(x_eval), y_eval, loss_of, gradient, options)


def _descend(
    w: np.ndarray,
    a: np.ndarray,
    y: np.ndarray,
    a_eval: np.ndarray,
    y_eval: np.ndarray,
    loss_of: Any,
    gradient: Any,
    options: dict[str, Any],
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Batch gradient descent (proximal for L1) with a constant rate or a backtracking line search."""
    n = len(y)

    def objective(v: np.ndarray) -> float:
        return float(loss_of(v, a, y)) + _penalty(v, options, n)

    def step(v: np.ndarray, rate: float) -> np.ndarray:
        g = gradient(v)
        g[:, 1:] += 2.0 * options["l2_reg"] / max(n, 1) * v[:, 1:]
        out = v - rate * g
        shrink = rate * options["l1_reg"] / max(n, 1)
        if shrink:
            out[:, 1:] = np.sign(out[:, 1:]) * np.maximum(np.abs(out[:, 1:]) - shrink, 0.0)
        return out

    constant = options["learn_rate_strategy"] == "CONSTANT"
    rate = options["learn_rate"] if constant else options["ls_init_learn_rate"]
    current = objective(w)
    iterations: list[dict[str, Any]] = []
    for index in range(options["max_iterations"]):
        started = time.time()
        candidate = step(w, rate)
        value = objective(candidate)
        if not constant:
            tries = 0
            while (not math.isfinite(value) or value > current) and tries < 40:
                rate /= 2.0
                candidate = step(w, rate)
                value = objective(candidate)
                tries += 1
        used = rate
        progress = (current - value) / current if current > 0 and math.isfinite(value) else 0.0
        w, current = candidate, value
        iterations.append(
            {
                "index": index,
                "loss": float(loss_of(w, a, y)),
                "eval_loss": float(loss_of(w, a_eval, y_eval)) if len(y_eval) else None,
                "learn_rate": used,
                "duration_ms": int((time.time() - started) * 1000),
            }
        )
        if not constant:
            rate *= 2.0
        if options["early_stop"] and progress < options["min_rel_progress"]:
            break
    return w, iterations


# ---------------------------------------------------------------------- prediction and metrics


def scores(spec: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """Predicted values (linear) or class probabilities (logistic) of design rows without the intercept column."""
    a = _with_intercept(x)
    w = np.array(spec["weights"])
    if spec["model_type"] == "LINEAR_REGRESSION":
        return np.asarray(a @ w[0])
    return class_probs(w, a)


def metrics(spec: dict[str, Any], truth: list[Any], predicted: Any) -> dict[str, float | None]:
    """ML.EVALUATE's metrics of predictions against the true labels (rows with a NULL label left out)."""
    if spec["model_type"] == "LINEAR_REGRESSION":
        pairs = [(float(t), float(p)) for t, p in zip(truth, predicted, strict=True) if t is not None and p is not None]
        return regression_metrics(np.array([t for t, _ in pairs]), np.array([p for _, p in pairs]))
    classes = spec["classes"]
    index = {c: i for i, c in enumerate(classes)}
    rows = [(index[t], p) for t, p in zip(truth, predicted, strict=True) if t in index]
    return classification_metrics(
        np.array([r for r, _ in rows], dtype=int), np.array([p for _, p in rows]), len(classes)
    )


def regression_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float | None]:
    if not len(y):
        return dict.fromkeys(REGRESSION_METRICS)
    err = p - y
    variance = float(np.var(y))
    logs = bool(np.all(y > -1) and np.all(p > -1))
    return {
        "mean_absolute_error": float(np.mean(np.abs(err))),
        "mean_squared_error": float(np.mean(err**2)),
        "mean_squared_log_error": float(np.mean((np.log1p(p) - np.log1p(y)) ** 2)) if logs else None,
        "median_absolute_error": float(np.median(np.abs(err))),
        "r2_score": 1.0 - float(np.mean(err**2)) / variance if variance > 0 else None,
        "explained_variance": 1.0 - float(np.var(err)) / variance if variance > 0 else None,
    }


def _auc(positive: np.ndarray, score: np.ndarray) -> float | None:
    """Area under the ROC curve by the rank-sum statistic (ties share their average rank)."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if not n_pos or not n_neg:
        return None
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    sorted_scores = score[order]
    i = 0
    while i < len(score):
        j = i
        while j + 1 < len(score) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def classification_metrics(y: np.ndarray, probs: np.ndarray, k: int) -> dict[str, float | None]:
    """Binary: the second class is positive at threshold 0.5; multiclass: macro averages."""
    if not len(y):
        return dict.fromkeys(CLASSIFICATION_METRICS)
    log_loss = float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-15, 1.0))))
    predicted = (probs[:, 1] >= 0.5).astype(int) if k == 2 else probs.argmax(axis=1)
    accuracy = float(np.mean(predicted == y))

    def prf(c: int) -> tuple[float, float, float]:
        tp = float(np.sum((predicted == c) & (y == c)))
        fp = float(np.sum((predicted == c) & (y != c)))
        fn = float(np.sum((predicted != c) & (y == c)))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    if k == 2:
        precision, recall, f1 = prf(1)
        auc = _auc(y == 1, probs[:, 1])
    else:
        per = [prf(c) for c in range(k)]
        precision, recall, f1 = (float(np.mean([p[i] for p in per])) for i in range(3))
        aucs = [a for a in (_auc(y == c, probs[:, c]) for c in range(k)) if a is not None]
        auc = float(np.mean(aucs)) if aucs else None
    return {
        "precision": precision,
        "recall": recall,
        "accuracy": accuracy,
        "f1_score": f1,
        "log_loss": log_loss,
        "roc_auc": auc,
    }


def weights(spec: dict[str, Any], standardize: bool) -> list[tuple[str, float | None, list[tuple[str, float]]]]:
    """ML.WEIGHTS rows (processed_input, weight, category_weights) of a linear or binary logistic model;
    unstandardized weights (the default) apply to the features as given."""
    if len(spec["weights"]) != 1:
        raise _unsupported(
            "ML.WEIGHTS of a multiclass logistic regression model", fix="read the model's classes with ML.PREDICT"
        )
    w = spec["weights"][0]
    intercept = float(w[0])
    rows: list[tuple[str, float | None, list[tuple[str, float]]]] = []
    col = 1
    for f in spec["features"]:
        if f["kind"] == "numeric":
            value = float(w[col])
            if not standardize:
                value /= f["std"]
                intercept -= value * f["mean"]
            rows.append((f["name"], value, []))
            col += 1
        else:
            cats = f["categories"]
            rows.append((f["name"], None, [(c, float(w[col + i])) for i, c in enumerate(cats)]))
            col += len(cats)
    return [*rows, ("__INTERCEPT__", intercept, [])]
