"""BigQuery ML's trained linear and logistic regression models in GoogleSQL: CREATE MODEL ... AS
SELECT, ML.PREDICT, ML.EVALUATE, ML.WEIGHTS and ML.TRAINING_INFO.

The translator cannot know a model's weights (they change with CREATE OR REPLACE MODEL, and
translations are cached), so it writes each call as a marker function over the model's name; the
engine, which reads the model from its catalog just before the statement runs, replaces every
marker with plain SQL: ML.PREDICT with the model's linear formula over the input columns, the
others with the rows they return. ML.EVALUATE over input data aggregates the predictions into one
call of `METRICS_UDF`, which computes the documented metrics in numpy.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any

from sqlglot import exp
from sqlglot.tokens import TokenType

from . import bqml_train
from .googlesql import BigQueryError, BigQueryInvalid, Statement

PREDICT = "__llmops_ml_predict"
EVALUATE = "__llmops_ml_evaluate"
EVALUATE_INPUT = "__llmops_ml_evaluate_input"
WEIGHTS = "__llmops_ml_weights"
TRAINING_INFO = "__llmops_ml_training_info"
METRICS_UDF = "__llmops_ml_metrics"
MARKERS = frozenset({PREDICT, EVALUATE, EVALUATE_INPUT, WEIGHTS, TRAINING_INFO})
_FUNCTIONS = {"EVALUATE": EVALUATE, "WEIGHTS": WEIGHTS, "TRAINING_INFO": TRAINING_INFO}
_CANDIDATE = re.compile(r"\bML\s*\.\s*(EVALUATE|WEIGHTS|TRAINING_INFO)\s*\(", re.IGNORECASE)
_MARKER_CALL = re.compile(
    r"(SELECT\s+)?("
    + "|".join(sorted(MARKERS, key=len, reverse=True))
    + r")\('([^']*)'(?:,\s*(TRUE|FALSE))?\)(?:\s+AS\s+\"[^\"]*\")?",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------- parsing


def protect(sql: str) -> str:
    """`sql` with ML.EVALUATE / ML.WEIGHTS / ML.TRAINING_INFO (which the parser does not read) as
    marker calls: `ML.EVALUATE(MODEL m, TABLE t)` -> `__LLMOPS_ML_EVALUATE(m, (SELECT * FROM t))`."""
    if not _CANDIDATE.search(sql):
        return sql
    from sqlglot.dialects.bigquery import BigQuery
    from sqlglot.errors import TokenError

    try:
        tokens = BigQuery().tokenize(sql)
    except TokenError:
        return sql
    edits: list[tuple[int, int, str]] = []
    names = (TokenType.VAR, TokenType.IDENTIFIER)
    i = 0
    while i + 4 < len(tokens):
        ml, dot, name, paren, model = tokens[i : i + 5]
        if not (
            ml.token_type in names
            and ml.text.upper() == "ML"
            and dot.token_type == TokenType.DOT
            and name.text.upper() in _FUNCTIONS
            and paren.token_type == TokenType.L_PAREN
            and model.token_type == TokenType.MODEL
        ):
            i += 1
            continue
        edits.append((ml.start, model.end, f"{_FUNCTIONS[name.text.upper()].upper()}("))
        depth, j = 1, i + 5
        while j < len(tokens) and depth:
            t = tokens[j]
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(t.token_type, 0)
            if depth == 1 and t.token_type == TokenType.TABLE and tokens[j - 1].token_type == TokenType.COMMA:
                k = j + 1
                while k + 1 < len(tokens) and tokens[k + 1].token_type == TokenType.DOT:
                    k += 2
                edits.append((t.start, t.end, "(SELECT * FROM"))
                edits.append((tokens[k].end + 1, tokens[k].end, ")"))
                j = k
            j += 1
        i += 5
    for start, end, text in sorted(edits, key=lambda e: e[0], reverse=True):
        sql = f"{sql[:start]}{text}{sql[end + 1 :]}"
    return sql


def _option_value(node: exp.Expression, name: str) -> Any:
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal):
        return node.name if node.is_string else float(node.name)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return -float(node.this.name)
    if isinstance(node, exp.Array) and all(isinstance(e, exp.Literal) and e.is_string for e in node.expressions):
        return [e.name for e in node.expressions]
    raise BigQueryError(
        f"CREATE MODEL option {name.upper()} = {node.sql('bigquery')[:60]} is not supported by the local warehouse",
        fix="write the option as a literal",
    )


def training_options(stmt: exp.Create) -> dict[str, Any]:
    """The OPTIONS(...) of `CREATE MODEL ... AS SELECT`, checked (bqml_train.check_options)."""
    props = stmt.args.get("properties")
    given: dict[str, Any] = {}
    for p in props.expressions if props else []:
        if isinstance(p, exp.RemoteWithConnectionModelProperty):
            raise BigQueryError(
                "CREATE MODEL ... REMOTE WITH CONNECTION ... AS SELECT is not supported by the local warehouse",
                fix="create a remote model without AS SELECT, or a trained model without REMOTE WITH CONNECTION",
            )
        if not isinstance(p, exp.Property) or p.args.get("value") is None:
            raise BigQueryError(
                f"CREATE MODEL clause {p.sql('bigquery')[:80]!r} is not supported by the local warehouse",
                fix="give the model's settings in OPTIONS(...)",
            )
        given[p.name.lower()] = _option_value(p.args["value"], p.name)
    return bqml_train.check_options(given)


def translate_create(
    stmt: exp.Create, project: str, dataset: str | None, translate: Callable[[exp.Expression], Statement]
) -> Statement:
    """`CREATE [OR REPLACE] MODEL [IF NOT EXISTS] m OPTIONS(model_type = ...) AS query`: the
    training query, translated, under statement type CREATE_MODEL with the checked options."""
    from .ml import _model_ref

    target = _model_ref(stmt.this, project, dataset)
    training = training_options(stmt)
    query = stmt.expression
    while isinstance(query, exp.Subquery) and not query.args.get("alias"):
        query = query.this
    inner = translate(query)
    if inner.statement_type != "SELECT":
        raise BigQueryInvalid("CREATE MODEL ... AS needs a query", fix="write AS SELECT ...")
    options = {
        "replace": bool(stmt.args.get("replace")),
        "if_not_exists": bool(stmt.args.get("exists")),
        "training": training,
    }
    return dataclasses.replace(inner, statement_type="CREATE_MODEL", target=target, options=options)


# ---------------------------------------------------------------------- the calls


def _marker(name: str, ref: str, *flags: bool) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=[exp.Literal.string(ref), *(exp.Boolean(this=f) for f in flags)])


def _from(query: exp.Expression, alias: str) -> exp.Subquery:
    return exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))


def _predicted(ref: str, query: exp.Expression) -> exp.Select:
    return exp.select(_marker(PREDICT, ref), exp.Star()).from_(_from(query, "__ml_in"))


def _model_of(node: exp.Expression, project: str, dataset: str | None) -> tuple[str, str, str]:
    from .ml import _model_ref

    if isinstance(node, exp.Column):
        parts = [p.name for p in node.parts]
        node = exp.Table(this=exp.to_identifier(".".join(parts), quoted=True))
    if not isinstance(node, exp.Table):
        raise BigQueryError("the first argument must be MODEL `dataset.model`", fix="write MODEL `dataset.model`")
    return _model_ref(node, project, dataset)


def _settings(node: exp.Expression | None, what: str, allowed: dict[str, type]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for e in node.expressions if isinstance(node, exp.Struct) else []:
        name = e.name.lower() if isinstance(e, exp.PropertyEQ) else ""
        value = e.expression if isinstance(e, exp.PropertyEQ) else None
        if name not in allowed or not isinstance(value, exp.Boolean | exp.Literal):
            raise BigQueryError(
                f"{what} setting {e.sql('bigquery')[:60]} is not supported by the local warehouse",
                fix=f"{what} takes {', '.join(allowed) or 'no settings'} here",
            )
        out[name] = bool(value.this) if isinstance(value, exp.Boolean) else value.name
    return out


def rewrite(
    table: exp.Table, project: str, dataset: str | None, input_query: Callable[[Any, str], exp.Expression]
) -> tuple[exp.Expression, tuple[str, str, str]] | None:
    """The subquery that replaces a trained-model call in FROM, and the model it names; None for
    any other table."""
    call = table.this
    if isinstance(call, exp.Predict):
        ref = _model_of(call.this, project, dataset)
        _settings(call.args.get("params_struct"), "ML.PREDICT", {})
        return _predicted(".".join(ref), input_query(call.expression, "ML.PREDICT")), ref
    if not isinstance(call, exp.Anonymous) or str(call.this).lower() not in (EVALUATE, WEIGHTS, TRAINING_INFO):
        return None
    name = str(call.this).lower()
    what = "ML." + {EVALUATE: "EVALUATE", WEIGHTS: "WEIGHTS", TRAINING_INFO: "TRAINING_INFO"}[name]
    args = list(call.expressions)
    if not args:
        raise BigQueryError(f"{what} needs MODEL `dataset.model`", fix=f"write {what}(MODEL `dataset.model`)")
    ref = _model_of(args[0], project, dataset)
    key = ".".join(ref)
    rest = args[1:]
    if name == WEIGHTS:
        settings = _settings(rest[0] if rest else None, what, {"standardize": bool})
        if len(rest) > 1:
            raise BigQueryError(f"{what} takes a model and a STRUCT of settings", fix="drop the other arguments")
        return exp.select(_marker(WEIGHTS, key, bool(settings.get("standardize", False)))), ref
    if name == TRAINING_INFO:
        if rest:
            raise BigQueryError(f"{what} takes only the model", fix=f"write {what}(MODEL `dataset.model`)")
        return exp.select(_marker(TRAINING_INFO, key)), ref
    data = [a for a in rest if not isinstance(a, exp.Struct)]
    structs = [a for a in rest if isinstance(a, exp.Struct)]
    _settings(structs[0] if structs else None, what, {})
    if not data:
        return exp.select(_marker(EVALUATE, key)), ref
    predicted = _predicted(key, input_query(data[0], what))
    return exp.select(_marker(EVALUATE_INPUT, key)).from_(_from(predicted, "__ml_ev")), ref


# ---------------------------------------------------------------------- the engine's expansion


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _num(value: float | None) -> str:
    return "CAST(NULL AS DOUBLE)" if value is None else f"CAST({float(value)!r} AS DOUBLE)"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _label(spec: dict[str, Any], value: Any) -> str:
    kind = spec["label_type"]
    if kind == "BOOL":
        return "TRUE" if value else "FALSE"
    if kind == "INT64":
        return f"CAST({int(value)} AS BIGINT)"
    return _text(str(value))


def _scores(spec: dict[str, Any], source: str) -> list[str]:
    """One SQL sum per weight row: the intercept plus each encoded feature times its weight."""
    out = []
    for row in spec["weights"]:
        terms = [_num(row[0])]
        col = 1
        for f in spec["features"]:
            ref = f"{source}.{_quote(f['name'])}"
            if f["kind"] == "numeric":
                z = f"COALESCE((CAST({ref} AS DOUBLE) - {_num(f['mean'])}) / {_num(f['std'])}, 0)"
                terms.append(f"{z} * {_num(row[col])}")
                col += 1
            else:
                whens = " ".join(f"WHEN {_text(c)} THEN {_num(row[col + i])}" for i, c in enumerate(f["categories"]))
                if whens:
                    terms.append(f"(CASE CAST({ref} AS VARCHAR) {whens} ELSE 0 END)")
                col += len(f["categories"])
        out.append("(" + " + ".join(terms) + ")")
    return out


def _predict_sql(spec: dict[str, Any]) -> str:
    label = spec["label"]
    z = _scores(spec, _quote("__ml_in"))
    if spec["model_type"] == "LINEAR_REGRESSION":
        return f"{z[0]} AS {_quote('predicted_' + label)}"
    classes = spec["classes"]
    if len(z) == 1:
        p1 = f"(1.0 / (1.0 + exp(-{z[0]})))"
        probs = [f"(1.0 - {p1})", p1]
    else:
        probs = ["(1.0 / (" + " + ".join(f"exp({zj} - {zk})" for zj in z) + "))" for zk in z]
    pairs = ", ".join(
        f"struct_pack(label := {_label(spec, c)}, prob := {p})"
        for c, p in reversed(list(zip(classes, probs, strict=True)))
    )
    if len(classes) == 2:
        predicted = f"CASE WHEN {probs[1]} >= 0.5 THEN {_label(spec, classes[1])} ELSE {_label(spec, classes[0])} END"
    else:
        labels = "[" + ", ".join(_label(spec, c) for c in classes) + "]"
        scores = "[" + ", ".join(z) + "]"
        predicted = f"list_extract({labels}, list_position({scores}, list_max({scores})))"
    return f"{predicted} AS {_quote('predicted_' + label)}, [{pairs}] AS {_quote('predicted_' + label + '_probs')}"


def _rows_sql(columns: list[tuple[str, str]], rows: list[list[str]]) -> str:
    """SELECT of literal rows (each value already SQL) under the given (name, DuckDB type) columns."""
    selects = [
        "SELECT " + ", ".join(f"CAST({v} AS {t}) AS {_quote(n)}" for v, (n, t) in zip(row, columns, strict=True))
        for row in rows
    ]
    return (
        " UNION ALL ".join(selects)
        if selects
        else ("SELECT " + ", ".join(f"CAST(NULL AS {t}) AS {_quote(n)}" for n, t in columns) + " WHERE false")
    )


def _metric_names(spec: dict[str, Any]) -> tuple[str, ...]:
    if spec["model_type"] == "LINEAR_REGRESSION":
        return bqml_train.REGRESSION_METRICS
    return bqml_train.CLASSIFICATION_METRICS


def _evaluate_sql(spec: dict[str, Any]) -> str:
    stored = spec["metrics"]
    names = _metric_names(spec)
    return _rows_sql([(n, "DOUBLE") for n in names], [[_num(stored.get(n)) for n in names]])


def _evaluate_input_sql(spec: dict[str, Any], ref: str) -> str:
    label = spec["label"]
    source = _quote("__ml_ev")
    suffix = "" if spec["model_type"] == "LINEAR_REGRESSION" else "_probs"
    rows = (
        f"to_json(list(struct_pack(y := {source}.{_quote(label)}, "
        f"s := {source}.{_quote('predicted_' + label + suffix)})))"
    )
    call = f"{METRICS_UDF}({_text(ref)}, CAST({rows} AS VARCHAR))"
    return ", ".join(
        f"CAST(json_extract_string({call}, {_text('$.' + n)}) AS DOUBLE) AS {_quote(n)}" for n in _metric_names(spec)
    )


def _weights_sql(spec: dict[str, Any], standardize: bool) -> str:
    rows = []
    for name, weight, cats in bqml_train.weights(spec, standardize):
        pairs = ", ".join(f"struct_pack(category := {_text(c)}, weight := {_num(w)})" for c, w in cats)
        rows.append([_text(name), _num(weight), f"[{pairs}]"])
    columns = [
        ("processed_input", "VARCHAR"),
        ("weight", "DOUBLE"),
        ("category_weights", "STRUCT(category VARCHAR, weight DOUBLE)[]"),
    ]
    return _rows_sql(columns, rows)


def _training_info_sql(spec: dict[str, Any]) -> str:
    columns = [
        ("training_run", "BIGINT"),
        ("iteration", "BIGINT"),
        ("loss", "DOUBLE"),
        ("eval_loss", "DOUBLE"),
        ("learning_rate", "DOUBLE"),
        ("duration_ms", "BIGINT"),
    ]
    rows = [
        ["0", str(it["index"]), _num(it["loss"]), _num(it["eval_loss"]), _num(it["learn_rate"]), str(it["duration_ms"])]
        for it in reversed(spec["iterations"])
    ]
    return _rows_sql(columns, rows)


def expand(sql: str, specs: dict[str, dict[str, Any]]) -> str:
    """`sql` with every marker call replaced by SQL over the named trained models (ref -> spec)."""

    def one(m: re.Match[str]) -> str:
        select, name, ref, flag = m.group(1) or "", m.group(2).lower(), m.group(3), m.group(4)
        spec = specs.get(ref)
        if spec is None:  # not a call the translator wrote (the same text inside a string literal)
            return m.group(0)
        if name == PREDICT:
            return select + _predict_sql(spec)
        if name == EVALUATE_INPUT:
            return select + _evaluate_input_sql(spec, ref)
        if name == EVALUATE:
            body = _evaluate_sql(spec)
        elif name == WEIGHTS:
            body = _weights_sql(spec, (flag or "").upper() == "TRUE")
        else:
            body = _training_info_sql(spec)
        return f"SELECT * FROM ({body})" if select else f"({body})"

    return _MARKER_CALL.sub(one, sql)


def metrics_udf(specs: dict[str, dict[str, Any]]) -> Callable[[str, str | None], str]:
    """The scalar UDF behind ML.EVALUATE over input data: JSON rows {y, s} -> JSON metrics."""

    def run(ref: str, rows: str | None) -> str:
        spec = specs[ref]
        data = json.loads(rows) if rows else []
        truth = [r.get("y") for r in data]
        if spec["model_type"] == "LINEAR_REGRESSION":
            return json.dumps(bqml_train.metrics(spec, truth, [r.get("s") for r in data]))
        classes = spec["classes"]
        probs = []
        for r in data:
            by_label = {json.dumps(p["label"]): p["prob"] for p in r.get("s") or []}
            probs.append([float(by_label.get(json.dumps(c), 0.0)) for c in classes])
        return json.dumps(bqml_train.metrics(spec, truth, probs))

    return run


def check_training_input(names: list[str]) -> None:
    """Refuses duplicate training column names (BigQuery needs each feature named once)."""
    seen: set[str] = set()
    for n in names:
        if n.lower() in seen:
            raise BigQueryInvalid(f"the training query has two columns named {n}", fix="give each column its own name")
        seen.add(n.lower())
