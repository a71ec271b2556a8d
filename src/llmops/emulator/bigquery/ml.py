"""BigQuery ML's grounding functions on the local warehouse: remote models, ML.GENERATE_EMBEDDING,
VECTOR_SEARCH, ML.GENERATE_TEXT and AI.GENERATE_TABLE.

GoogleSQL calls them like table functions; the local warehouse runs no table function, so the
translator rewrites each call into a subquery over two engine-registered scalar UDFs
(`EMBED_UDF`, `GENERATE_UDF`, on the sandbox allowlist by name) and DuckDB's list distance
functions. Models are engine metadata written by `CREATE MODEL ... REMOTE WITH CONNECTION`; a
rewritten statement names the models it uses, and the engine checks them before it runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from .aifunctions import AI_UDF
from .bqml_calls import MARKERS, METRICS_UDF
from .googlesql import BigQueryError, BigQueryInvalid, Statement, _flatten_table_name, check_dataset_name

EMBED_UDF = "__llmops_embed"
GENERATE_UDF = "__llmops_generate"
ML_UDFS = frozenset({EMBED_UDF, GENERATE_UDF, AI_UDF, METRICS_UDF, *MARKERS})

EMBEDDING_DIMENSIONS = 256
"""The local embedding model's width (WordLlama); also the default output_dimensionality."""
MAX_OUTPUT_DIMENSIONALITY = 3072
"""The widest Google embedding (gemini-embedding-001); past 256 the local vectors are zero-padded,
as the Vertex emulator's are (cosine similarities unchanged)."""
DISTANCES = {
    "EUCLIDEAN": "list_distance",
    "COSINE": "list_cosine_distance",
    "DOT_PRODUCT": "list_negative_inner_product",  # smaller is nearer, as for the other two
}
_EMBEDDING_ENDPOINT = re.compile(
    r"^(text-embedding|text-multilingual-embedding|textembedding-gecko|gemini-embedding)", re.IGNORECASE
)


@dataclass(frozen=True)
class ModelUse:
    """A model a statement calls, and what it must be: "embedding" or "text"."""

    project: str
    dataset: str
    model: str
    kind: str

    @property
    def ref(self) -> str:
        return f"{self.project}.{self.dataset}.{self.model}"


def endpoint_kind(endpoint: str) -> str | None:
    """ "embedding" or "text" for an endpoint the local warehouse serves, else None."""
    from ..vertex.engine.base_model import GEMINI_MODELS, PALM_MODELS

    name = endpoint_name(endpoint)
    if _EMBEDDING_ENDPOINT.match(name):
        return "embedding"
    if name in GEMINI_MODELS or name in PALM_MODELS:
        return "text"
    return None


def endpoint_name(endpoint: str) -> str:
    """The model id of an endpoint given as a name or a full Vertex AI URL."""
    return endpoint.rstrip("/").rsplit("/", 1)[-1]


# ---------------------------------------------------------------------- CREATE / DROP MODEL


def translate_model_ddl(stmt: exp.Create | exp.Drop, project: str, dataset: str | None) -> Statement:
    """CREATE [OR REPLACE] MODEL ... REMOTE WITH CONNECTION ... OPTIONS(endpoint=...), DROP MODEL."""
    if isinstance(stmt, exp.Drop):
        node = (stmt.args.get("tables") or [stmt.this])[0]
        target = _model_ref(node, project, dataset)
        return Statement(
            sql="", statement_type="DROP_MODEL", target=target, options={"if_exists": bool(stmt.args.get("exists"))}
        )
    target = _model_ref(stmt.this, project, dataset)
    options: dict[str, Any] = {
        "replace": bool(stmt.args.get("replace")),
        "if_not_exists": bool(stmt.args.get("exists")),
    }
    props = stmt.args.get("properties")
    for p in props.expressions if props else []:
        if isinstance(p, exp.RemoteWithConnectionModelProperty):
            options["connection"] = ".".join(_flatten_table_name(p.this))
        elif isinstance(p, exp.Property) and isinstance(p.args.get("value"), exp.Literal):
            options[p.name.lower()] = p.args["value"].name
        else:
            raise BigQueryError(
                f"CREATE MODEL option {p.sql('bigquery')[:80]!r} is not supported by the local warehouse",
                fix="create a remote model: REMOTE WITH CONNECTION `us.conn` OPTIONS(endpoint = 'gemini-2.0-flash')",
            )
    if stmt.expression is not None or "connection" not in options:
        raise BigQueryError(
            "only remote models (CREATE MODEL ... REMOTE WITH CONNECTION) are supported by the local warehouse",
            fix="create a remote model: REMOTE WITH CONNECTION `us.conn` OPTIONS(endpoint = 'text-embedding-005')",
        )
    endpoint = options.get("endpoint")
    if not endpoint:
        raise BigQueryInvalid(
            "CREATE MODEL needs OPTIONS(endpoint = '...')", fix="add e.g. OPTIONS(endpoint = 'text-embedding-005')"
        )
    if endpoint_kind(endpoint) is None:
        raise BigQueryInvalid(
            f"endpoint {endpoint!r} is not a model the local warehouse serves",
            fix="use a text-embedding-* model or a Gemini model (e.g. gemini-2.0-flash)",
        )
    return Statement(sql="", statement_type="CREATE_MODEL", target=target, options=options)


def _model_ref(node: exp.Expression, project: str, dataset: str | None) -> tuple[str, str, str]:
    names = _flatten_table_name(node) if isinstance(node, exp.Table) else [node.name]
    if len(names) == 3:
        p, d, m = names
    elif len(names) == 2:
        (d, m), p = names, project
    elif len(names) == 1 and dataset is not None:
        p, d, m = project, dataset, names[0]
    else:
        raise BigQueryError(
            f"model name {'.'.join(names)!r} names no dataset", fix="write `dataset.model` or `project.dataset.model`"
        )
    check_dataset_name(d)
    return p, d, m


# ---------------------------------------------------------------------- the table-valued calls


def rewrite_calls(stmt: exp.Expression, project: str, dataset: str | None) -> tuple[ModelUse, ...]:
    """Replace every ML.GENERATE_EMBEDDING, ML.GENERATE_TEXT and VECTOR_SEARCH in FROM by a
    subquery; the models they call. Innermost calls first, so calls can nest."""
    uses: list[ModelUse] = []
    handlers: dict[type, Callable[..., exp.Expression]] = {
        exp.GenerateEmbedding: _embedding,
        exp.GenerateText: _text,
        exp.VectorSearch: _vector_search,
        exp.GenerateTable: _table,
    }
    from . import bqml_calls

    calls = [t for t in stmt.find_all(exp.Table) if type(t.this) in handlers or _trained_call(t.this)]
    for n, table in enumerate(reversed(calls)):  # find_all is breadth first: deepest last
        call = table.this
        trained = bqml_calls.rewrite(table, project, dataset, _input_query)
        if trained is not None:
            sub, ref = trained
            uses.append(ModelUse(*ref, "trained"))
        else:
            sub = handlers[type(call)](call, project, dataset, uses)
        alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(f"__ml_{n}"))
        table.replace(exp.Subquery(this=sub, alias=alias))
    return tuple(dict.fromkeys(uses))


def _trained_call(call: exp.Expression) -> bool:
    from .bqml_calls import EVALUATE, TRAINING_INFO, WEIGHTS

    if isinstance(call, exp.Predict):
        return True
    return isinstance(call, exp.Anonymous) and str(call.this).lower() in (EVALUATE, WEIGHTS, TRAINING_INFO)


def _input_query(node: exp.Expression | None, what: str) -> exp.Expression:
    """`TABLE t` or `(SELECT ...)` as a SELECT that can go in FROM."""
    if isinstance(node, exp.Table):
        return exp.select("*").from_(node.copy())
    if isinstance(node, exp.Subquery):
        return node.this.copy()
    if isinstance(node, exp.Query):
        return node.copy()
    raise BigQueryError(
        f"{what} needs a table (TABLE t) or a query in parentheses", fix="write (SELECT ...) or TABLE t"
    )


def _model(call: exp.Expression, project: str, dataset: str | None, kind: str, uses: list[ModelUse]) -> exp.Literal:
    node = call.this
    if not isinstance(node, exp.Table):
        raise BigQueryError("the first argument must be MODEL `dataset.model`", fix="write MODEL `dataset.model`")
    use = ModelUse(*_model_ref(node, project, dataset), kind)
    uses.append(use)
    return exp.Literal.string(use.ref)


def _params(call: exp.Expression, what: str) -> dict[str, Any]:
    struct = call.args.get("params_struct")
    out: dict[str, Any] = {}
    for e in struct.expressions if isinstance(struct, exp.Struct) else []:
        if not isinstance(e, exp.PropertyEQ):
            raise BigQueryError(
                f"{what}'s settings must be named (STRUCT(256 AS output_dimensionality))", fix="name each"
            )
        v = e.expression
        if isinstance(v, exp.Boolean):
            out[e.name.lower()] = bool(v.this)
        elif isinstance(v, exp.Literal):
            out[e.name.lower()] = v.name if v.is_string else float(v.name)
        elif isinstance(v, exp.Neg) and isinstance(v.this, exp.Literal):
            out[e.name.lower()] = -float(v.this.name)
        else:
            raise BigQueryError(f"{what} setting {e.name} must be a literal", fix="write a constant value")
    return out


def _col(table: str, name: str) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def _check_content_column(query: exp.Expression, column: str, what: str) -> None:
    if not isinstance(query, exp.Select) or any(isinstance(e, exp.Star) or e.find(exp.Star) for e in query.expressions):
        return  # the columns are known only when the query runs; DuckDB names a missing one
    names = {e.alias_or_name.lower() for e in query.expressions}
    if column not in names:
        raise BigQueryInvalid(
            f"{what} needs an input column named {column}; the query has {', '.join(sorted(names)) or 'none'}",
            fix=f"name the text column `AS {column}` in the input query",
        )


def _embedding(call: exp.Expression, project: str, dataset: str | None, uses: list[ModelUse]) -> exp.Expression:
    model = _model(call, project, dataset, "embedding", uses)
    params = _params(call, "ML.GENERATE_EMBEDDING")
    dims = params.get("output_dimensionality", EMBEDDING_DIMENSIONS)
    if not isinstance(dims, float | int) or dims != int(dims) or not 1 <= dims <= MAX_OUTPUT_DIMENSIONALITY:
        raise BigQueryInvalid(
            f"output_dimensionality {dims} is outside 1..{MAX_OUTPUT_DIMENSIONALITY}",
            fix=f"ask for 1 to {MAX_OUTPUT_DIMENSIONALITY} dimensions",
        )
    query = _input_query(call.expression, "ML.GENERATE_EMBEDDING")
    _check_content_column(query, "content", "ML.GENERATE_EMBEDDING")
    content = _col("__ml_in", "content")
    from ..vertex.engine.base_model import CHARS_PER_TOKEN

    # The Vertex emulator's countTokens rule (`count_tokens`): a token per CHARS_PER_TOKEN characters.
    words = exp.cast(
        exp.Ceil(this=exp.Div(this=exp.Length(this=content), expression=exp.Literal.number(f"{CHARS_PER_TOKEN}.0"))),
        "BIGINT",
    )
    stats = exp.cast(
        exp.Anonymous(
            this="json_object",
            expressions=[
                exp.Literal.string("token_count"),
                exp.Coalesce(this=words, expressions=[exp.Literal.number(0)]),
                exp.Literal.string("truncated"),
                exp.false(),
            ],
        ),
        "JSON",
    )
    status = exp.Case(
        ifs=[
            exp.If(
                this=content.is_(exp.null()), true=exp.Literal.string("The content is NULL; no embedding was generated")
            )
        ],
        default=exp.Literal.string(""),
    )
    embed = exp.Anonymous(this=EMBED_UDF, expressions=[model, content, exp.Literal.number(int(dims))])
    return exp.select(
        exp.Star(),
        exp.alias_(embed, "ml_generate_embedding_result"),
        exp.alias_(stats, "ml_generate_embedding_statistics"),
        exp.alias_(status, "ml_generate_embedding_status"),
    ).from_(exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier("__ml_in", quoted=True))))


_TEXT_SETTINGS = {"temperature": (0.0, 2.0), "max_output_tokens": (1, 8192), "top_p": (0.0, 1.0), "top_k": (1, 40)}


def _text(call: exp.Expression, project: str, dataset: str | None, uses: list[ModelUse]) -> exp.Expression:
    model = _model(call, project, dataset, "text", uses)
    params = _params(call, "ML.GENERATE_TEXT")
    args: list[exp.Expression] = [model, _col("__ml_in", "prompt")]
    for name, (low, high) in _TEXT_SETTINGS.items():
        value = params.get(name)
        if value is None:
            args.append(exp.null())
            continue
        if not isinstance(value, float) or not low <= value <= high:
            raise BigQueryInvalid(
                f"ML.GENERATE_TEXT {name} {value} is outside {low}..{high}", fix=f"set {name} in range"
            )
        args.append(exp.Literal.number(value if name in ("temperature", "top_p") else int(value)))
    query = _input_query(call.expression, "ML.GENERATE_TEXT")
    _check_content_column(query, "prompt", "ML.GENERATE_TEXT")
    inner = exp.select(exp.Star(), exp.alias_(exp.Anonymous(this=GENERATE_UDF, expressions=args), "__ml_r")).from_(
        exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier("__ml_in", quoted=True)))
    )
    r = _col("__ml_out", "__ml_r")

    def field(key: str, as_json: bool = False) -> exp.Expression:
        fn = "json_extract" if as_json else "json_extract_string"
        return exp.Anonymous(this=fn, expressions=[r, exp.Literal.string(f"$.{key}")])

    if params.get("flatten_json_output", False):
        outputs = [
            exp.alias_(field("text"), "ml_generate_text_llm_result"),
            exp.alias_(field("rai"), "ml_generate_text_rai_result"),
        ]
    else:
        outputs = [exp.alias_(field("result", as_json=True), "ml_generate_text_result")]
    outputs.append(exp.alias_(field("status"), "ml_generate_text_status"))
    key = "except_" if "except_" in exp.Star.arg_types else "except"
    star = exp.Star(**{key: [exp.column("__ml_r")]})
    return exp.select(star, *outputs).from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("__ml_out", quoted=True)))
    )


def _table(call: exp.Expression, project: str, dataset: str | None, uses: list[ModelUse]) -> exp.Expression:
    """AI.GENERATE_TABLE: the output_schema's columns, full_response and status, then the input's."""
    from .aifunctions import table_columns

    model = _model(call, project, dataset, "text", uses)
    struct, names = table_columns(model, _col("__ml_in", "prompt"), call.args.get("params_struct"))
    query = _input_query(call.expression, "AI.GENERATE_TABLE")
    _check_content_column(query, "prompt", "AI.GENERATE_TABLE")
    inner = exp.select(exp.Star(), exp.alias_(struct, "__ml_r")).from_(
        exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier("__ml_in", quoted=True)))
    )
    r = _col("__ml_out", "__ml_r")
    outputs = [
        exp.alias_(exp.Anonymous(this="struct_extract", expressions=[r, exp.Literal.string(n)]), n, quoted=True)
        for n in names
    ]
    key = "except_" if "except_" in exp.Star.arg_types else "except"
    return exp.select(*outputs, exp.Star(**{key: [exp.column("__ml_r")]})).from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("__ml_out", quoted=True)))
    )


def _kwarg(value: exp.Expression | None) -> exp.Expression | None:
    return value.expression if isinstance(value, exp.Kwarg) else value


def _string_arg(value: exp.Expression | None, what: str) -> str | None:
    value = _kwarg(value)
    if value is None:
        return None
    if not isinstance(value, exp.Literal) or not value.is_string:
        raise BigQueryError(f"VECTOR_SEARCH {what} must be a string literal", fix=f"write {what} as 'name'")
    return value.name


def _query_parameter(value: exp.Expression | None) -> bool:
    return isinstance(value, exp.Parameter | exp.Placeholder)


def _distance_call(distance: str | exp.Expression, a: exp.Expression, b: exp.Expression) -> exp.Expression:
    """The distance of `a` and `b` by the named metric, or by a query parameter's metric (chosen
    when the query runs)."""
    if isinstance(distance, str):
        return exp.Anonymous(this=DISTANCES[distance], expressions=[a, b])
    message = exp.Literal.string(
        f"VECTOR_SEARCH distance_type is not one of {', '.join(DISTANCES)} (the query parameter's value)"
    )
    return exp.Case(
        this=exp.Upper(this=distance.copy()),
        ifs=[
            exp.If(this=exp.Literal.string(name), true=exp.Anonymous(this=fn, expressions=[a.copy(), b.copy()]))
            for name, fn in DISTANCES.items()
        ],
        default=exp.Anonymous(this="error", expressions=[message]),
    )


def _distance_type(call: exp.Expression) -> str | exp.Expression:
    """A distance_type literal's name, or its query parameter."""
    node = _kwarg(call.args.get("distance_type"))
    if _query_parameter(node):
        assert node is not None
        return node
    distance = (_string_arg(node, "distance_type") or "EUCLIDEAN").upper()
    if distance not in DISTANCES:
        raise BigQueryInvalid(
            f"VECTOR_SEARCH distance_type {distance!r} is not one of {', '.join(DISTANCES)}",
            fix="use 'EUCLIDEAN', 'COSINE' or 'DOT_PRODUCT'",
        )
    return distance


_TOP_K_ZERO = "VECTOR_SEARCH top_k 0 is not supported by the local warehouse: top_k must be at least 1, or negative"
_TOP_K_PARAMETER = (
    "VECTOR_SEARCH top_k 0 or NULL (the query parameter's value) is not supported by the local warehouse: "
    "top_k must be at least 1, or negative"
)


def _top_k_filter(call: exp.Expression, rank: exp.Expression) -> exp.Expression:
    """The condition on each neighbour's rank: `rank <= top_k` (10 by default); a negative top_k
    keeps every row (BigQuery's docs); a query parameter's top_k is read when the query runs."""
    node = _kwarg(call.args.get("top_k"))
    if node is None:
        return rank <= exp.Literal.number(10)
    if _query_parameter(node):
        k = node.copy()
        return exp.Case(
            ifs=[
                exp.If(
                    this=exp.or_(k.is_(exp.null()), exp.EQ(this=k.copy(), expression=exp.Literal.number(0))),
                    true=exp.Anonymous(this="error", expressions=[exp.Literal.string(_TOP_K_PARAMETER)]),
                ),
                exp.If(this=exp.LT(this=k.copy(), expression=exp.Literal.number(0)), true=exp.true()),
            ],
            default=rank <= k.copy(),
        )
    negative = isinstance(node, exp.Neg)
    digits = node.this if negative else node
    if not isinstance(digits, exp.Literal) or digits.is_string or not digits.name.isdigit():
        raise BigQueryInvalid(
            "VECTOR_SEARCH top_k must be an INT64 literal or query parameter", fix="write top_k => 10"
        )
    top_k = int(digits.name)
    if top_k == 0:
        raise BigQueryInvalid(_TOP_K_ZERO, fix="write top_k => 1 or more (a negative top_k returns every row)")
    return exp.true() if negative else rank <= exp.Literal.number(top_k)


def _vector_search(call: exp.Expression, project: str, dataset: str | None, uses: list[ModelUse]) -> exp.Expression:
    base_col = _string_arg(call.args.get("column_to_search"), "column_to_search")
    query_col = _string_arg(call.args.get("query_column_to_search"), "query_column_to_search") or base_col
    distance = _distance_type(call)
    assert base_col is not None
    base = _input_query(call.this, "VECTOR_SEARCH's base table")
    query = _input_query(call.args.get("query_table"), "VECTOR_SEARCH's query table")
    b, q = "__vs_b", "__vs_q"

    def present(alias: str, name: str) -> exp.Expression:
        # a NULL or empty embedding is skipped (a failed ML.GENERATE_EMBEDDING row is stored as [])
        value = exp.Anonymous(this="struct_extract", expressions=[exp.column(alias), exp.Literal.string(name)])
        return exp.GT(this=exp.Anonymous(this="len", expressions=[value]), expression=exp.Literal.number(0))

    base_side = (
        exp.select(exp.alias_(exp.column("__b"), "base"))
        .from_(exp.Subquery(this=base, alias=exp.TableAlias(this=exp.to_identifier("__b"))))
        .where(present("__b", base_col))
    )
    query_side = exp.select(
        exp.alias_(exp.column("__q"), "query"),
        exp.alias_(exp.Window(this=exp.RowNumber()), "__qid"),
    ).from_(exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier("__q"))))

    def member(side: str, struct: str, name: str) -> exp.Expression:
        return exp.Anonymous(this="struct_extract", expressions=[_col(side, struct), exp.Literal.string(name)])

    dist = _distance_call(distance, member(b, "base", base_col), member(q, "query", query_col or base_col))
    rank = exp.Window(
        this=exp.RowNumber(),
        partition_by=[_col(q, "__qid")],
        order=exp.Order(expressions=[exp.Ordered(this=dist.copy())]),
    )
    joined = (
        exp.select(
            _col(q, "__qid"),
            exp.alias_(_col(q, "query"), "query"),
            exp.alias_(_col(b, "base"), "base"),
            exp.alias_(exp.cast(dist, "DOUBLE"), "distance"),
            exp.alias_(rank, "__rank"),
        )
        .from_(exp.Subquery(this=query_side, alias=exp.TableAlias(this=exp.to_identifier(q, quoted=True))))
        .join(
            exp.Subquery(this=base_side, alias=exp.TableAlias(this=exp.to_identifier(b, quoted=True))),
            join_type="CROSS",
        )
        .where(exp.not_(dist.copy().is_(exp.null())))
    )
    return (
        exp.select(exp.column("query"), exp.column("base"), exp.column("distance"))
        .from_(exp.Subquery(this=joined, alias=exp.TableAlias(this=exp.to_identifier("__vs"))))
        .where(_top_k_filter(call, exp.column("__rank")))
        .order_by(exp.column("__qid"), exp.column("distance"))
    )


# ---------------------------------------------------------------------- the engine's UDFs


class ModelCatalog:
    """Remote models the engine knows (ref -> endpoint), and the emulated model service that
    answers ML.GENERATE_TEXT and AI.GENERATE*; shared by the UDFs registered on the engine's connections."""

    def __init__(self) -> None:
        self.endpoints: dict[str, str] = {}
        self.trained: dict[str, dict[str, Any]] = {}
        """Trained models' specs (bqml_train) by ref, as last read by a statement that calls them."""
        self._service: Any = None

    def service(self) -> Any:
        if self._service is None:
            from ..vertex.engine.model_service import ModelService

            # base models only: the service never writes under its root for them
            self._service = ModelService("/nonexistent/llmops-bigquery-ml")
        return self._service

    def embed(self, refs: Any, texts: Any, dims: Any) -> Any:
        """Arrow UDF: one embedding (list of FLOAT64) per text; NULL for a NULL text."""
        import pyarrow as pa

        from ...embeddings import embed

        values = texts.to_pylist()
        width = int(dims[0].as_py()) if len(dims) else EMBEDDING_DIMENSIONS
        present = [i for i, v in enumerate(values) if v is not None]
        out: list[list[float] | None] = [None] * len(values)
        if present:
            vectors = embed([values[i] for i in present], width).astype("float64")
            for row, i in enumerate(present):
                out[i] = vectors[row].tolist()
        return pa.array(out, type=pa.list_(pa.float64()))

    def generate(
        self,
        ref: str,
        prompt: str | None,
        temperature: float | None,
        max_output_tokens: int | None,
        top_p: float | None,
        top_k: int | None,
    ) -> str:
        """Scalar UDF: {"text", "rai", "status", "result"} as JSON text for one prompt."""
        from ...core.errors import LlmopsError
        from ...core.types import GenerationConfig

        if prompt is None:
            return json.dumps({"text": None, "rai": None, "result": None, "status": "The prompt is NULL"})
        endpoint = endpoint_name(self.endpoints[ref])
        gen = GenerationConfig(
            temperature=0.0 if temperature is None else temperature,
            max_output_tokens=128 if max_output_tokens is None else int(max_output_tokens),
            top_p=top_p,
            top_k=None if top_k is None else int(top_k),
        )
        try:
            p = self.service().predict(prompt, model=endpoint, generation=gen)
        except LlmopsError as exc:
            return json.dumps({"text": None, "rai": None, "result": None, "status": str(exc).splitlines()[0]})
        ratings = [
            {
                "category": r.category,
                "probability": r.probability,
                "probability_score": r.probability_score,
                "severity": f"HARM_SEVERITY_{r.severity}",
                "severity_score": r.severity_score,
                "blocked": r.blocked,
            }
            for r in p.safety.ratings
        ]
        result = {
            "candidates": [
                {
                    "content": {"parts": [{"text": p.text}], "role": "model"},
                    "finish_reason": p.finish_reason,
                    "safety_ratings": ratings,
                }
            ],
            "usage_metadata": {
                "prompt_token_count": p.usage.prompt_tokens,
                "candidates_token_count": p.usage.output_tokens,
                "total_token_count": p.usage.prompt_tokens + p.usage.output_tokens,
            },
            "model_version": endpoint,
        }
        status = "" if not p.blocked else "The response was blocked for safety reasons (finish_reason SAFETY)"
        return json.dumps({"text": p.text, "rai": json.dumps(ratings), "result": result, "status": status})

    def register(self, con: Any) -> None:
        """Define the ML UDFs and the AI functions' UDF on a connection (replacing earlier definitions)."""
        from . import aifunctions

        for name in ML_UDFS:
            try:
                con.remove_function(name)
            except Exception:  # not defined yet
                pass
        con.create_function(
            EMBED_UDF, self.embed, ["VARCHAR", "VARCHAR", "BIGINT"], "DOUBLE[]", type="arrow", null_handling="special"
        )
        con.create_function(
            GENERATE_UDF,
            self.generate,
            ["VARCHAR", "VARCHAR", "DOUBLE", "BIGINT", "DOUBLE", "BIGINT"],
            "VARCHAR",
            null_handling="special",
            side_effects=False,
        )
        from .bqml_calls import metrics_udf

        con.create_function(
            METRICS_UDF, metrics_udf(self.trained), ["VARCHAR", "VARCHAR"], "VARCHAR", null_handling="special"
        )
        aifunctions.register(con, self.service, self.endpoints)
