"""BigQuery's scalar generative AI functions on the emulated model, on the local warehouse and
through the real BigQuery client.

What was wrong: every `AI.*` call was refused by name, and sqlglot could not even parse the
named arguments of AI.GENERATE_BOOL / _INT / _DOUBLE. Now AI.GENERATE (text, or the fields of
`output_schema`), AI.GENERATE_BOOL, AI.GENERATE_INT and AI.GENERATE_DOUBLE answer BigQuery's
`STRUCT<result, full_response JSON, status STRING>` from the Vertex emulator's model (its
structured output for the typed ones): deterministic, typed as documented, a prompt tuple is its
parts concatenated, a NULL prompt gives a NULL result and a status saying why; a bad endpoint,
output_schema, model_params or argument is a one-line 400; AI.GENERATE_TABLE, AI.EMBED and the
other AI.* functions stay refused by name.

The generated text is the emulator's, so the cases check types, determinism and the documented
shape of the answer, not the words.
"""

from __future__ import annotations

import json

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

BOOL, STR, INT = "BOOL", "STRING", "INT64"
CITY = "('Give a one sentence description of ', 'Paris')"
PATIENT = "'Patient name is Ada Lovelace, age: 36, phone 555-0100'"
SCHEMA = "output_schema => 'name STRING, age INT64, phone_number STRING'"

SHAPES = {
    "generate": [
        (f"AI.GENERATE({CITY}).status", "", STR),
        (f"AI.GENERATE({CITY}).result IS NOT NULL", True, BOOL),
        (f"JSON_TYPE(AI.GENERATE({CITY}).full_response)", "object", STR),
        # the result is the first candidate's text of the full response
        (
            f"JSON_VALUE(AI.GENERATE({CITY}).full_response, '$.candidates[0].content.parts[0].text')"
            f" = AI.GENERATE({CITY}).result",
            True,
            BOOL,
        ),
        # a tuple prompt is its parts concatenated
        (
            f"AI.GENERATE({CITY}).result = AI.GENERATE('Give a one sentence description of Paris').result",
            True,
            BOOL,
        ),
        ("AI.GENERATE(prompt => 'Describe Rome', endpoint => 'gemini-2.0-flash').status", "", STR),
        (
            "AI.GENERATE('Describe Rome', connection_id => 'us.test_connection', request_type => 'SHARED',"
            ' model_params => JSON \'{"generation_config": {"temperature": 0, "max_output_tokens": 64}}\').status',
            "",
            STR,
        ),
        (
            "AI.GENERATE('Describe Rome', endpoint => "
            "'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/"
            "publishers/google/models/gemini-2.0-flash').status",
            "",
            STR,
        ),
    ],
    "typed": [
        ("AI.GENERATE_BOOL(('Is ', 'Paris', ' a US city?')).result IN (TRUE, FALSE)", True, BOOL),
        ("AI.GENERATE_BOOL(('Is ', 'Paris', ' a US city?'), endpoint => 'gemini-2.0-flash').status", "", STR),
        ("AI.GENERATE_INT('How many legs does a spider have? 8').result = 8", True, BOOL),
        ("AI.GENERATE_INT(prompt => 'How many legs does a spider have?').status", "", STR),
        ("AI.GENERATE_DOUBLE('What is pi to two places? 3.14').result = 3.14", True, BOOL),
        (
            "JSON_VALUE(AI.GENERATE_INT('Count the legs of a spider: 8').full_response,"
            " '$.candidates[0].content.parts[0].text')",
            "8",
            STR,
        ),
        (f"AI.GENERATE({PATIENT}, {SCHEMA}).age", 36, INT),
        (f"AI.GENERATE({PATIENT}, {SCHEMA}).status", "", STR),
        (f"AI.GENERATE({PATIENT}, {SCHEMA}).name IS NOT NULL", True, BOOL),
        (
            "ARRAY_LENGTH(AI.GENERATE('Name three rivers', output_schema => 'rivers ARRAY<STRING>').rivers) > 0",
            True,
            BOOL,
        ),
        (
            "AI.GENERATE('City Lyon, zip: 69001', output_schema => 'place STRUCT<city STRING, zip INT64>').place.zip",
            69001,
            INT,
        ),
    ],
    "null_prompt": [
        ("AI.GENERATE(CAST(NULL AS STRING)).result IS NULL", True, BOOL),
        ("AI.GENERATE(CAST(NULL AS STRING)).status != ''", True, BOOL),
        ("AI.GENERATE(CAST(NULL AS STRING)).full_response IS NULL", True, BOOL),
        ("AI.GENERATE_BOOL(('Is ', CAST(NULL AS STRING), ' a city?')).result IS NULL", True, BOOL),
        ("AI.GENERATE_INT(CAST(NULL AS STRING)).status != ''", True, BOOL),
        (f"AI.GENERATE(CAST(NULL AS STRING), {SCHEMA}).age IS NULL", True, BOOL),
    ],
    "rows": [
        (
            "SELECT STRING_AGG(FORMAT('%t:%t:%t', city, g.result IS NULL, g.status = ''), ' ' ORDER BY city) FROM"
            " (SELECT city, AI.GENERATE(('Describe ', city)) AS g"
            "  FROM UNNEST(['Oslo', 'Lima', CAST(NULL AS STRING)]) AS city)",
            "NULL:true:false Lima:false:true Oslo:false:true",
            STR,
        ),
        # the same prompt on every row gets the same answer
        (
            "SELECT COUNT(DISTINCT AI.GENERATE(('Describe ', city)).result)"
            " FROM UNNEST(['Oslo', 'Oslo', 'Oslo', 'Lima']) AS city",
            2,
            INT,
        ),
    ],
}


@pytest.mark.parametrize(("sql", "want", "typ"), case_params(SHAPES))
def test_ai_functions_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(SHAPES))
def test_ai_functions_through_client(bigquery_client, family):
    check_through_client(bigquery_client, SHAPES[family])


STRUCT_TYPES = {
    f"AI.GENERATE({CITY})": [("result", "STRING"), ("full_response", "JSON"), ("status", "STRING")],
    "AI.GENERATE_BOOL('Is Oslo a city?')": [("result", "BOOLEAN"), ("full_response", "JSON"), ("status", "STRING")],
    "AI.GENERATE_INT('How many?')": [("result", "INTEGER"), ("full_response", "JSON"), ("status", "STRING")],
    "AI.GENERATE_DOUBLE('How much?')": [("result", "FLOAT"), ("full_response", "JSON"), ("status", "STRING")],
    f"AI.GENERATE({PATIENT}, {SCHEMA})": [
        ("name", "STRING"),
        ("age", "INTEGER"),
        ("phone_number", "STRING"),
        ("full_response", "JSON"),
        ("status", "STRING"),
    ],
}


@pytest.mark.parametrize("call", list(STRUCT_TYPES))
def test_struct_fields_through_client(bigquery_client, call):
    result = bigquery_client.query_and_wait(f"SELECT {call} AS g")
    field = result.schema[0]
    assert field.field_type == "RECORD"
    assert [(f.name, f.field_type) for f in field.fields] == STRUCT_TYPES[call]
    row = next(iter(result))["g"]
    assert row["status"] == ""
    assert "candidates" in (
        row["full_response"] if isinstance(row["full_response"], dict) else json.loads(row["full_response"])
    )


def test_deterministic_across_queries(warehouse, bigquery_client):
    sql = (
        f"SELECT AI.GENERATE({CITY}).result AS t, AI.GENERATE_BOOL('Is Oslo in Norway?').result AS b,"
        f" AI.GENERATE_DOUBLE('Half of 3 is 1.5').result AS d, AI.GENERATE({PATIENT}, {SCHEMA}).name AS n"
    )
    first = warehouse.query_result(sql).table.to_pylist()
    assert first == warehouse.query_result(sql).table.to_pylist()
    through_client = [dict(r.items()) for r in bigquery_client.query_and_wait(sql)]
    assert through_client == [dict(r.items()) for r in bigquery_client.query_and_wait(sql)]
    assert through_client == first


def test_same_model_as_ml_generate_text(warehouse):
    """AI.GENERATE answers from the model ML.GENERATE_TEXT calls: the same prompt and settings
    give the same text."""
    setup = (
        "CREATE SCHEMA ai_same; CREATE MODEL ai_same.gemini REMOTE WITH CONNECTION `us.conn` "
        "OPTIONS (endpoint = 'gemini-2.0-flash')"
    )
    warehouse.query_result(setup)
    ml = warehouse.query_result(
        "SELECT ml_generate_text_llm_result AS t FROM ML.GENERATE_TEXT(MODEL ai_same.gemini,"
        " (SELECT 'Describe Oslo' AS prompt), STRUCT(0 AS temperature, 128 AS max_output_tokens,"
        " TRUE AS flatten_json_output))"
    )
    ai = warehouse.query_result(
        "SELECT AI.GENERATE('Describe Oslo', endpoint => 'gemini-2.0-flash', model_params =>"
        ' JSON \'{"generation_config": {"temperature": 0, "max_output_tokens": 128}}\').result AS t'
    )
    assert ai.table.to_pylist() == ml.table.to_pylist()


BAD = [
    ("SELECT AI.GENERATE('x', endpoint => 'gpt-4').result", "endpoint 'gpt-4' is not a Gemini model"),
    ("SELECT AI.GENERATE('x', endpoint => 'text-embedding-005').result", "is not a Gemini model"),
    ("SELECT AI.GENERATE('x', output_schema => 'name STRNG').result", "output_schema 'name STRNG' is not a list"),
    ("SELECT AI.GENERATE('x', output_schema => 'a DATE').a", "output_schema type DATE is not supported"),
    ("SELECT AI.GENERATE('x', output_schema => 'a STRING, A INT64').a", "names field A twice"),
    ("SELECT AI.GENERATE('x', output_schema => 'status STRING').status", "field status clashes"),
    ("SELECT AI.GENERATE_BOOL('x', output_schema => 'a STRING').result", "AI.GENERATE_BOOL has no output_schema"),
    (
        'SELECT AI.GENERATE(\'x\', model_params => JSON \'{"generation_config": {"temperature": "hot"}}\').result',
        "model_params: Invalid value at 'generation_config.temperature'",
    ),
    ("SELECT AI.GENERATE('x', model_params => JSON '[1]').result", "model_params must be a JSON object"),
    ("SELECT AI.GENERATE('x', model_params => JSON '{\"contents\": []}').result", "field contents is not"),
    (
        "SELECT AI.GENERATE_INT('x', model_params => JSON "
        '\'{"generation_config": {"response_schema": {"type": "STRING"}}}\').result',
        "must not set response_schema",
    ),
    ("SELECT AI.GENERATE('x', 'gemini-2.0-flash').result", "takes its settings by name"),
    ("SELECT AI.GENERATE('x', temperature => 0).result", "has no argument named temperature"),
    ("SELECT AI.GENERATE_DOUBLE(endpoint => 'gemini-2.0-flash').result", "AI.GENERATE_DOUBLE needs a prompt"),
    ("SELECT AI.GENERATE_BOOL('x', request_type => 'BATCH').result", "request_type 'BATCH' is not one of"),
    ("SELECT AI.GENERATE('x', endpoint => CONCAT('gemini', '-2.0-flash')).result", "endpoint must be a string literal"),
    # not served: refused by name
    (
        "SELECT AI.GENERATE('x', model_params => JSON '{\"tools\": []}').result",
        "is not supported by the local warehouse",
    ),
    (
        "SELECT AI.GENERATE_TABLE(MODEL ai_t.gemini, (SELECT 'x' AS prompt), STRUCT('a STRING' AS output_schema))",
        "AI.GENERATE_TABLE is not supported by the local warehouse",
    ),
    # AI.GENERATE_TABLE's own mistakes
    (
        "SELECT * FROM AI.GENERATE_TABLE(MODEL ai_t.gemini, (SELECT 1 AS p), STRUCT('a STRING' AS output_schema))",
        "needs an input column named prompt",
    ),
    (
        "SELECT * FROM AI.GENERATE_TABLE(MODEL ai_t.gemini, (SELECT 'x' AS prompt), STRUCT(0.5 AS temperature))",
        "needs an output_schema",
    ),
    (
        "SELECT * FROM AI.GENERATE_TABLE(MODEL ai_t.gemini, (SELECT 'x' AS prompt),"
        " STRUCT('a STRING' AS output_schema, 3.0 AS temperature))",
        "temperature must be a number in 0.0..2.0",
    ),
    (
        "SELECT * FROM AI.GENERATE_TABLE(MODEL ai_t.gemini, (SELECT 'x' AS prompt),"
        " STRUCT('a STRING' AS output_schema, 1 AS top_k))",
        "AI.GENERATE_TABLE has no setting named top_k",
    ),
    (
        "SELECT * FROM AI.GENERATE_TABLE(MODEL ai_t.gemini, (SELECT 'x' AS prompt), STRUCT('a DATE' AS output_schema))",
        "output_schema type DATE is not supported",
    ),
    (
        "SELECT * FROM AI.GENERATE_TABLE(MODEL ai_t.embedder, (SELECT 'x' AS prompt), STRUCT('a STRING' AS output_schema))",
        "embedding",
    ),
    ("SELECT AI.EMBED('x', endpoint => 'text-embedding-005')", "AI.EMBED is not supported by the local warehouse"),
    ("SELECT AI.SIMILARITY('a', 'b', endpoint => 'text-embedding-005')", "AI.SIMILARITY is not supported"),
    ("SELECT AI.CLASSIFY('x', categories => ['a', 'b'])", "AI.CLASSIFY is not supported by the local warehouse"),
]


MODELS = (
    "CREATE SCHEMA IF NOT EXISTS ai_t;"
    " CREATE OR REPLACE MODEL ai_t.gemini REMOTE WITH CONNECTION `us.conn` OPTIONS (endpoint = 'gemini-2.0-flash');"
    " CREATE OR REPLACE MODEL ai_t.embedder REMOTE WITH CONNECTION `us.conn` OPTIONS (endpoint = 'text-embedding-005')"
)


@pytest.fixture
def models(warehouse, bigquery_client):
    warehouse.query_result(MODELS)
    bigquery_client.query_and_wait(MODELS)


@pytest.mark.parametrize(("sql", "fragment"), BAD)
def test_bad_calls_locally(warehouse, models, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize(("sql", "fragment"), BAD)
def test_bad_calls_through_client(bigquery_client, models, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


GENERATE_TABLE = (
    "SELECT * EXCEPT (full_response), JSON_TYPE(full_response) AS response FROM AI.GENERATE_TABLE(MODEL ai_t.gemini,"
    " (SELECT 1 AS id, 'Patient name is Ada, age: 36' AS prompt UNION ALL SELECT 2, CAST(NULL AS STRING)),"
    " STRUCT('name STRING, age INT64' AS output_schema, 0.2 AS temperature, 256 AS max_output_tokens,"
    " 0.9 AS top_p, ['END'] AS stop_sequences, 'SHARED' AS request_type)) ORDER BY id"
)


def _check_generated_table(rows: list[dict], names: list[str]) -> None:
    # the output_schema's columns, full_response and status, then the input's columns
    assert names == ["name", "age", "status", "id", "prompt", "response"]
    assert rows[0]["age"] == 36 and isinstance(rows[0]["name"], str) and rows[0]["name"]
    assert rows[0]["status"] == "" and rows[0]["response"] == "object"
    # a NULL prompt: no answer, a status saying why
    assert rows[1]["name"] is None and rows[1]["age"] is None and rows[1]["status"]
    assert rows[1]["response"] is None


def test_generate_table_locally(warehouse, models):
    result = warehouse.query_result(GENERATE_TABLE)
    _check_generated_table(result.table.to_pylist(), [f["name"] for f in result.schema])
    assert [f["type"] for f in result.schema][:3] in (["STRING", "INT64", "STRING"], ["STRING", "INTEGER", "STRING"])
    assert result.table.to_pylist() == warehouse.query_result(GENERATE_TABLE).table.to_pylist()


def test_generate_table_through_client(bigquery_client, models):
    result = bigquery_client.query_and_wait(GENERATE_TABLE)
    rows = [dict(r.items()) for r in result]
    _check_generated_table(rows, [f.name for f in result.schema])
    assert [f.field_type for f in result.schema][:3] == ["STRING", "INTEGER", "STRING"]


def test_syntax_error_near_a_call_keeps_its_position(warehouse):
    assert_fails_locally(warehouse, "SELECT AI.GENERATE_BOOL('x' FROM)", "at [1:29]")
