"""Calls of a function GoogleSQL does not have fail with BigQuery's `Function not found: name`.

The translator hands each call it does not rewrite to DuckDB, so a DuckDB function written in a
GoogleSQL query (`RADIANS(x)`, `LIST_VALUE(1, 2)`, `STRFTIME(ts, '%Y')`, `LEVENSHTEIN(a, b)`,
`LEN(s)`) answered DuckDB's result where BigQuery fails. The unqualified names GoogleSQL for
BigQuery calls are `BUILTIN_FUNCTIONS` below: the reference's alphabetical function list
(functions-all), plus the conditional expressions written like calls (COALESCE, IF, IFNULL,
NULLIF) and the JSON conversion STRING(json), which that list leaves out. Each call in the
user's text (before any rewrite adds SQL of its own) of a name outside it fails, unless it is a
temporary function of the script or the session. Qualified names (`dataset.f`, `SAFE.f`'s `f` is
checked; `NET.`, `AEAD.`, `KEYS.`, `HLL_COUNT.`, `ML.`, `AI.` ...) are left to the checks of
their own, and so are the syntax words the tokenizer reads as names (`OPTIONS(`, `VALUES (`).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

BUILTIN_FUNCTIONS = frozenset(
    """
ABS ACOS ACOSH AGG ANY_VALUE APPENDS APPROX_COUNT_DISTINCT APPROX_QUANTILES APPROX_TOP_COUNT APPROX_TOP_SUM
ARRAY ARRAY_AGG ARRAY_CONCAT ARRAY_CONCAT_AGG ARRAY_FIRST ARRAY_LAST ARRAY_LENGTH ARRAY_REVERSE ARRAY_SLICE
ARRAY_TO_STRING ASCII ASIN ASINH ATAN ATAN2 ATANH AVG BAG_OF_WORDS BIT_AND BIT_COUNT BIT_OR BIT_XOR BOOL
BYTE_LENGTH CAST CBRT CEIL CEILING CHANGES CHARACTER_LENGTH CHAR_LENGTH CHR COALESCE CODE_POINTS_TO_BYTES
CODE_POINTS_TO_STRING COLLATE CONCAT CONTAINS_SUBSTR CORR COS COSH COSINE_DISTANCE COT COTH COUNT COUNTIF
COVAR_POP COVAR_SAMP CSC CSCH CUME_DIST CURRENT_DATE CURRENT_DATETIME CURRENT_TIME CURRENT_TIMESTAMP DATE
DATETIME DATETIME_ADD DATETIME_BUCKET DATETIME_DIFF DATETIME_SUB DATETIME_TRUNC DATE_ADD DATE_BUCKET DATE_DIFF
DATE_FROM_UNIX_DATE DATE_SUB DATE_TRUNC DENSE_RANK DESTINATION_NODE_ID DETERMINISTIC_DECRYPT_BYTES
DETERMINISTIC_DECRYPT_STRING DETERMINISTIC_ENCRYPT DIV DLP_DETERMINISTIC_DECRYPT DLP_DETERMINISTIC_ENCRYPT
DLP_KEY_CHAIN EDGES EDIT_DISTANCE ELEMENT_ID ENDS_WITH ERROR EUCLIDEAN_DISTANCE EXP EXTERNAL_OBJECT_TRANSFORM
EXTERNAL_QUERY EXTRACT FARM_FINGERPRINT FIRST_VALUE FLOAT64 FLOOR FORMAT FORMAT_DATE FORMAT_DATETIME
FORMAT_TIME FORMAT_TIMESTAMP FROM_BASE32 FROM_BASE64 FROM_HEX GAP_FILL GENERATE_ARRAY GENERATE_DATE_ARRAY
GENERATE_RANGE_ARRAY GENERATE_TIMESTAMP_ARRAY GENERATE_UUID GREATEST GROUPING IEEE_DIVIDE IF IFNULL INITCAP
INSTR INT64 IS_INF IS_NAN JSON_ARRAY JSON_ARRAY_APPEND JSON_ARRAY_INSERT JSON_EXTRACT JSON_EXTRACT_ARRAY
JSON_EXTRACT_SCALAR JSON_EXTRACT_STRING_ARRAY JSON_FLATTEN JSON_KEYS JSON_OBJECT JSON_QUERY JSON_QUERY_ARRAY
JSON_REMOVE JSON_SET JSON_STRIP_NULLS JSON_TYPE JSON_VALUE JSON_VALUE_ARRAY JUSTIFY_DAYS JUSTIFY_HOURS
JUSTIFY_INTERVAL LABELS LAG LAST_DAY LAST_VALUE LAX_BOOL LAX_FLOAT64 LAX_INT64 LAX_STRING LEAD LEAST LEFT
LENGTH LN LOG LOG10 LOGICAL_AND LOGICAL_OR LOWER LPAD LTRIM MAKE_INTERVAL MAX MAX_BY MD5 MIN MIN_BY MOD NODES
NORMALIZE NORMALIZE_AND_CASEFOLD NTH_VALUE NTILE NULLIF OCTET_LENGTH PARSE_BIGNUMERIC PARSE_DATE
PARSE_DATETIME PARSE_JSON PARSE_NUMERIC PARSE_TIME PARSE_TIMESTAMP PATH_FIRST PATH_LAST PATH_LENGTH
PERCENTILE_CONT PERCENTILE_DISC PERCENT_RANK POW POWER RAND RANGE RANGE_BUCKET RANGE_CONTAINS RANGE_END
RANGE_INTERSECT RANGE_OVERLAPS RANGE_SESSIONIZE RANGE_START RANK REGEXP_CONTAINS REGEXP_EXTRACT
REGEXP_EXTRACT_ALL REGEXP_INSTR REGEXP_REPLACE REGEXP_SUBSTR REPEAT REPLACE REVERSE RIGHT ROUND ROW_NUMBER
RPAD RTRIM S2_CELLIDFROMPOINT S2_COVERINGCELLIDS SAFE_ADD SAFE_CAST SAFE_CONVERT_BYTES_TO_STRING SAFE_DIVIDE
SAFE_MULTIPLY SAFE_NEGATE SAFE_SUBTRACT SEARCH SEC SECH SESSION_USER SHA1 SHA256 SHA512 SIGN SIN SINH SOUNDEX
SOURCE_NODE_ID SPLIT SQRT STARTS_WITH STDDEV STDDEV_POP STDDEV_SAMP STRING STRING_AGG STRPOS ST_ANGLE ST_AREA
ST_ASBINARY ST_ASGEOJSON ST_ASTEXT ST_AZIMUTH ST_BOUNDARY ST_BOUNDINGBOX ST_BUFFER ST_BUFFERWITHTOLERANCE
ST_CENTROID ST_CENTROID_AGG ST_CLOSESTPOINT ST_CLUSTERDBSCAN ST_CONTAINS ST_CONVEXHULL ST_COVEREDBY ST_COVERS
ST_DIFFERENCE ST_DIMENSION ST_DISJOINT ST_DISTANCE ST_DUMP ST_DWITHIN ST_ENDPOINT ST_EQUALS ST_EXTENT
ST_EXTERIORRING ST_GEOGFROM ST_GEOGFROMGEOJSON ST_GEOGFROMTEXT ST_GEOGFROMWKB ST_GEOGPOINT
ST_GEOGPOINTFROMGEOHASH ST_GEOHASH ST_GEOMETRYTYPE ST_HAUSDORFFDISTANCE ST_HAUSDORFFDWITHIN ST_INTERIORRINGS
ST_INTERSECTION ST_INTERSECTS ST_INTERSECTSBOX ST_ISCLOSED ST_ISCOLLECTION ST_ISEMPTY ST_ISRING ST_LENGTH
ST_LINEINTERPOLATEPOINT ST_LINELOCATEPOINT ST_LINESUBSTRING ST_MAKELINE ST_MAKEPOLYGON ST_MAKEPOLYGONORIENTED
ST_MAXDISTANCE ST_NPOINTS ST_NUMGEOMETRIES ST_NUMPOINTS ST_PERIMETER ST_POINTN ST_REGIONSTATS ST_SIMPLIFY
ST_SNAPTOGRID ST_STARTPOINT ST_TOUCHES ST_UNION ST_UNION_AGG ST_WITHIN ST_X ST_Y SUBSTR SUBSTRING SUM TAN TANH
TEXT_ANALYZE TF_IDF TIME TIMESTAMP TIMESTAMP_ADD TIMESTAMP_BUCKET TIMESTAMP_DIFF TIMESTAMP_MICROS
TIMESTAMP_MILLIS TIMESTAMP_SECONDS TIMESTAMP_SUB TIMESTAMP_TRUNC TIME_ADD TIME_DIFF TIME_SUB TIME_TRUNC
TO_BASE32 TO_BASE64 TO_CODE_POINTS TO_HEX TO_JSON TO_JSON_STRING TRANSLATE TRIM TRUNC TYPEOF UNICODE UNIX_DATE
UNIX_MICROS UNIX_MILLIS UNIX_SECONDS UPPER VARIANCE VAR_POP VAR_SAMP VECTOR_SEARCH
""".split()
)
"""GoogleSQL for BigQuery's unqualified function names (functions-all.md of the reference)."""

SYNTAX_WORDS = frozenset(
    {
        # array subscripts, date parts with an argument
        "OFFSET", "SAFE_OFFSET", "ORDINAL", "SAFE_ORDINAL", "WEEK",
        # clauses and statements followed by a parenthesis
        "OPTIONS", "VALUES", "SETS", "SYSTEM", "FILES", "COLUMNS", "TRANSFORM", "INPUT", "OUTPUT",
        "KEY", "PROPERTIES", "TABLES", "GRAPH_TABLE", "MATCH_RECOGNIZE", "PATTERN", "DEFINE",
        "MEASURES", "ASSERT", "WHILE", "ELSEIF", "UNTIL", "EXTEND", "AGGREGATE", "RENAME", "LOG",
        "RETURNS", "REMOTE", "CONNECTION", "LANGUAGE", "BY", "TO", "DIFFERENTIAL_PRIVACY",
        "AGGREGATION_THRESHOLD",
        # refused by name with a hint of their own (googlesql._rewrite_system_variables)
        "CURRENT_CATALOG", "CURRENT_SCHEMA", "CURRENT_DATABASE", "CURRENT_USER",
    }
)  # fmt: skip
"""Words that the BigQuery tokenizer reads as names and are followed by `(` without being a call."""

ZETASQL_SERVED = frozenset({"ARRAY_INCLUDES", "ARRAY_INCLUDES_ALL", "ARRAY_INCLUDES_ANY", "LCASE", "UCASE"})
"""ZetaSQL built-ins (ARRAY_INCLUDES*, LOWER's and UPPER's aliases) that BigQuery's list leaves out
and the engine serves as ZetaSQL answers them: kept until BigQuery's answer to them is known."""

NOT_SERVED = frozenset({"TYPEOF"})
"""GoogleSQL functions DuckDB has under the same name with another answer (DuckDB's TYPEOF(1) is
'INTEGER', BigQuery's 'INT64'): refused by name."""

_NOT_A_CALL_AFTER = frozenset(
    {
        "AS", "CALL", "EXISTS", "FUNCTION", "PROCEDURE", "INSERT", "INTO",
        "TABLE", "VIEW", "REFERENCES", "TABLESAMPLE", "MACRO", "SECRET",
    }
)  # fmt: skip
"""Words before `name (` where the name is not a call: a routine, table or view being defined or
written (`CREATE TABLE t (...)`, `INSERT t (a, b)`), a type's parameters (`AS STRING(10)`), a
DuckDB statement's object (refused as a statement)."""


_NAME_TOKENS = frozenset({TokenType.VAR, TokenType.MAP, TokenType.LIST})
"""Tokens of a name that can be called: MAP and LIST are keywords of sqlglot's tokenizer (DuckDB's
types) and plain names in GoogleSQL, where `MAP(keys, values)` (ibis's map literal) and
`LIST(...)` are calls of functions it does not have."""


def check_function_names(sql: str, temporary: Collection[str] = ()) -> None:
    """Raise BigQuery's `Function not found` for the first unqualified call in `sql` of a name that
    is neither a GoogleSQL function nor one of `temporary` (upper case) or of the functions the
    script creates. Text the tokenizer cannot read is left to the parser."""
    from sqlglot.dialects.bigquery import BigQuery

    try:
        tokens = BigQuery().tokenize(sql)
    except TokenError:
        return
    defined = set(temporary) | _defined(tokens)
    for i, tok in enumerate(tokens[:-1]):
        if tok.token_type not in _NAME_TOKENS or tokens[i + 1].token_type != TokenType.L_PAREN:
            continue
        name = tok.text.upper()
        if (
            name in NOT_SERVED
            and name not in defined
            and (not i or tokens[i - 1].token_type != TokenType.DOT or _safe_prefix(tokens, i))
        ):
            raise _unsupported(name)
        if name in BUILTIN_FUNCTIONS or name in ZETASQL_SERVED or name in SYNTAX_WORDS or name in defined:
            continue
        before = tokens[i - 1] if i else None
        if before is not None:
            if before.token_type == TokenType.DOT:
                if not _safe_prefix(tokens, i):
                    continue  # a routine (`dataset.f`) or a namespaced function (`NET.HOST`)
            elif before.token_type in (TokenType.STAR, TokenType.R_PAREN, TokenType.GT):
                continue  # `* REPLACE (...)`, `STRUCT<a INT64>(...)`
            elif before.text.upper() in _NOT_A_CALL_AFTER:
                continue
            elif before.token_type in (TokenType.FROM, TokenType.JOIN):
                continue  # a table function: refused by name (googlesql._check_table_functions)
            elif before.text == "|>":
                continue  # a pipe operator (`|> FORK (...)`, `|> TEE (...)`): refused by name by the pipe rewrite
            elif _set_operation_matching(tokens, i):
                continue  # `UNION ALL BY NAME (SELECT ...)`, `UNION ALL CORRESPONDING (SELECT ...)`
            elif before.token_type == TokenType.ON and i >= 3 and tokens[i - 3].text.upper() == "INDEX":
                continue  # CREATE SEARCH INDEX i ON t (...)
        if _cte_columns(tokens, i + 1):
            continue
        raise _not_found(tok, sql)


def _cte_columns(tokens: list[Token], paren: int) -> bool:
    """Whether the `(` at `paren` opens a list of names followed by `AS (`: `WITH r (k, v) AS (...)`."""
    depth = 0
    for j in range(paren, len(tokens)):
        kind = tokens[j].token_type
        depth += kind == TokenType.L_PAREN
        depth -= kind == TokenType.R_PAREN
        if depth == 0:
            return (
                j + 2 < len(tokens)
                and tokens[j + 1].token_type == TokenType.ALIAS
                and tokens[j + 2].token_type == TokenType.L_PAREN
            )
    return False


def _set_operation_matching(tokens: list[Token], i: int) -> bool:
    """Whether the name at `i` is the column matching of a set operation followed by a query in
    parentheses: `UNION ALL BY NAME (`, `EXCEPT DISTINCT [STRICT] CORRESPONDING (`."""
    name = tokens[i].text.upper()
    words = [t.text.upper() for t in tokens[max(i - 2, 0) : i]]
    if name == "NAME":
        return words[-2:] in (["ALL", "BY"], ["DISTINCT", "BY"])
    return name == "CORRESPONDING" and bool(words) and words[-1] in ("ALL", "DISTINCT", "STRICT")


def _safe_prefix(tokens: list[Token], i: int) -> bool:
    """Whether the name at `i` is written `SAFE.name` (unqualified SAFE)."""
    return i >= 2 and tokens[i - 2].text.upper() == "SAFE" and (i < 3 or tokens[i - 3].token_type != TokenType.DOT)


def _defined(tokens: list[Token]) -> set[str]:
    """The names after `FUNCTION [IF NOT EXISTS]` in the script (their last part)."""
    names = set()
    for i, tok in enumerate(tokens):
        if tok.token_type != TokenType.FUNCTION:
            continue
        at = i + 1
        if at + 2 < len(tokens) and tokens[at].text.upper() == "IF":
            at += 3
        while at + 2 < len(tokens) and tokens[at + 1].token_type == TokenType.DOT:
            at += 2
        if at < len(tokens):
            names.add(tokens[at].text.upper())
    return names


def _unsupported(name: str) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(
        f"{name} is not supported by the local warehouse",
        fix="rewrite the query without it, or run it on BigQuery (profile gcp)",
    )


def _not_found(tok: Token, sql: str) -> Exception:
    from .googlesql import BigQueryError
    from .script_parser import _line_col

    return BigQueryError(
        f"Function not found: {tok.text} at [{_line_col(sql, tok.start)}]",
        fix="GoogleSQL has no function of that name; see the GoogleSQL function reference for the one to call",
    )
