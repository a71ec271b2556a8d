"""Instruction datasets: warehouse query -> templated examples -> train/eval split -> JSONL,
versioned by content.

The work is pushed down to the warehouse: the template is applied, the split decided and the
files written by SQL (`Warehouse.export`), so the same code scales on BigQuery. Python only
hashes the files it gets back and writes the manifest.

A version id is the first 12 hex digits of a SHA-256 over the inputs (query text, template
version, split, format) and the exported files' hashes: the same query, template, split and
source data give the same id, any change a new one. Versions are immutable; a version exists
once its `manifest.json` is written, which happens last, so a crash leaves no version behind.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import uuid
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .errors import ConfigError, DataError, LlmopsError, NotFoundError, QueryError
from .prompts import DEFAULT_TEMPLATE, PromptTemplate, get_template
from .types import DatasetSplit, DatasetVersion

if TYPE_CHECKING:
    from .session import Session

_COURSE_SOURCE = """\
FROM
    `bigquery-public-data.stackoverflow.posts_questions` q
JOIN
    `bigquery-public-data.stackoverflow.posts_answers` a
ON
    q.accepted_answer_id = a.id
WHERE
    q.accepted_answer_id IS NOT NULL AND
    REGEXP_CONTAINS(q.tags, "python") AND
    a.creation_date >= "2020-01-01"
LIMIT
    10000
"""

COURSE_QUERY = (
    """\
SELECT
    CONCAT(q.title, q.body) as input_text,
    a.body AS output_text
"""
    + _COURSE_SOURCE
)
"""The LLMOps course's query, verbatim: the one copy every test, benchmark and doc refers to."""

DEFAULT_QUERY = (
    """\
SELECT
    CONCAT(q.title, q.body) AS input_text,
    a.body AS output_text,
    q.id AS question_id,
    a.id AS answer_id,
    q.title AS title
"""
    + _COURSE_SOURCE
)
"""The course's query plus the provenance columns (ids, title) that let a tuned model cite
its sources. The extra columns do not reach the training files."""

REQUIRED_COLUMNS = ("input_text", "output_text")
PROVENANCE_COLUMNS = ("question_id", "answer_id", "title")
FORMATS = ("seed", "gemini")
LICENSE = "CC BY-SA 4.0"
SPLIT_BUCKETS = 1_000_000


@dataclass(frozen=True)
class PrepareRequest:
    """Everything that defines a dataset version besides the source data."""

    query: str
    template: str = DEFAULT_TEMPLATE
    eval_fraction: float = 0.2
    seed: int = 42
    format: str = "seed"

    def validate(self) -> None:
        if not 0.0 < self.eval_fraction < 1.0:
            raise ConfigError(
                f"--eval-fraction must be between 0 and 1 (exclusive), got {self.eval_fraction}",
                fix="use a fraction such as 0.2",
            )
        if self.format not in FORMATS:
            raise ConfigError(f"unknown dataset format {self.format!r}", fix=f"choose one of: {', '.join(FORMATS)}")
        if not self.query.strip():
            raise DataError("the query is empty", fix="pass a SELECT statement or --query-file")


def read_query_file(path: str | Path) -> str:
    """The text of a SQL file, or a one-line error."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError(f"query file {p} does not exist", fix="check the path given to --query-file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"query file {p} cannot be read: {exc}", fix="pass a UTF-8 text file") from None
    if not text.strip():
        raise DataError(f"query file {p} is empty", fix="write a SELECT statement into it")
    return text


PLACEHOLDER = "{question}"


def is_template_file(name: str) -> bool:
    """Whether `--template NAME` names a file rather than a registered template."""
    return not name.startswith("prompts:") and (
        "/" in name or "\\" in name or Path(name).suffix != "" or Path(name).is_file()
    )


def template_from_file(path: str | Path) -> PromptTemplate:
    """A template written in a text file: the instruction, ending in `{question}`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8").rstrip("\n")
    except FileNotFoundError:
        raise NotFoundError(f"template file {p} does not exist", fix="check the path given to --template") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"template file {p} cannot be read: {exc}", fix="pass a UTF-8 text file") from None
    if PLACEHOLDER not in text:
        raise DataError(
            f"template file {p} has no {PLACEHOLDER} placeholder",
            fix=f"end the instruction with {PLACEHOLDER} where each question goes",
        )
    if text.count(PLACEHOLDER) > 1 or not text.endswith(PLACEHOLDER):
        raise DataError(
            f"template file {p} has text after {PLACEHOLDER}",
            fix=f"put {PLACEHOLDER} once, at the end of the file",
        )
    return PromptTemplate(f"file:{p.name}", text.removesuffix(PLACEHOLDER), f"from {p}", "")


def load_template(name: str, workspace: str | Path | None) -> PromptTemplate:
    """A template file, a registered template or a `prompts:/` reference."""
    return template_from_file(name) if is_template_file(name) else get_template(name, workspace)


def _strip(sql: str) -> str:
    return sql.strip().rstrip(";").strip()


def _literal(text: str) -> str:
    """A GoogleSQL string literal (EXPORT DATA options take literals, not parameters)."""
    from sqlglot import exp

    return exp.Literal.string(text).sql(dialect="bigquery")


def _examples(query: str, columns: list[str]) -> str:
    """The examples: templated instruction, answer, split hash and provenance of every row."""
    key = "COALESCE(CAST(question_id AS STRING), input_text)" if "question_id" in columns else "input_text"
    provenance = "".join(f",\n    {c}" for c in PROVENANCE_COLUMNS if c in columns)
    return (
        "SELECT\n"
        "    CONCAT(@template_prefix, input_text) AS input_text_instruct,\n"
        "    output_text,\n"
        f"    FARM_FINGERPRINT(CONCAT(@split_salt, {key})) AS split_hash{provenance}\n"
        f"FROM (\n{query}\n) AS source\n"
        "WHERE input_text IS NOT NULL AND output_text IS NOT NULL"
    )


def _record(fmt: str) -> tuple[str, list[str]]:
    """The select list of one training line, and the columns it names."""
    if fmt == "gemini":
        return (
            "[STRUCT('user' AS role, [STRUCT(input_text_instruct AS text)] AS parts),\n"
            "     STRUCT('model' AS role, [STRUCT(output_text AS text)] AS parts)] AS contents"
        ), ["contents"]
    return "input_text_instruct, output_text", ["input_text_instruct", "output_text"]


SOURCE_FIELDS = ["question_id", "answer_id", "title", "uri", "license"]


def _source(columns: list[str]) -> str:
    """The select list of one line of the sources sidecar."""
    qid = "question_id" if "question_id" in columns else "CAST(NULL AS INT64)"
    aid = "answer_id" if "answer_id" in columns else "CAST(NULL AS INT64)"
    title = "title" if "title" in columns else "CAST(NULL AS STRING)"
    return (
        f"{qid} AS question_id, {aid} AS answer_id, {title} AS title, "
        f"IF({aid} > 0, CONCAT('https://stackoverflow.com/a/', CAST({aid} AS STRING)), NULL) AS uri, "
        f"'{LICENSE}' AS license"
    )


_IN_EVAL = f"MOD(ABS(split_hash), {SPLIT_BUCKETS}) < @eval_buckets"
_ORDER = "ORDER BY split_hash, input_text_instruct, output_text"


def _prepare_script(query: str, columns: list[str], fmt: str, uris: dict[str, str]) -> str:
    """One GoogleSQL script: template, split hash and provenance computed once into a temp
    table, then one EXPORT DATA per file. It runs as a single job on BigQuery too."""
    examples = f"CREATE TEMP TABLE llmops_examples AS\n{_examples(query, columns)};\n"
    record = _record(fmt)[0]
    selects = {
        "train": f"SELECT {record} FROM llmops_examples WHERE NOT ({_IN_EVAL}) {_ORDER}",
        "eval": f"SELECT {record} FROM llmops_examples WHERE {_IN_EVAL} {_ORDER}",
    }
    if "sources" in uris:
        selects["sources"] = f"SELECT {_source(columns)} FROM llmops_examples WHERE NOT ({_IN_EVAL}) {_ORDER}"
    exports = "".join(
        f"EXPORT DATA OPTIONS(uri={_literal(uris[name])}, format='JSON', overwrite=true) AS\n{sql};\n"
        for name, sql in selects.items()
    )
    return examples + exports


def _parsed(query: str) -> Any:
    """The query's syntax tree (sqlglot's, BigQuery's dialect), or None if it does not parse."""
    import sqlglot

    try:
        return sqlglot.parse_one(query, read="bigquery")
    except sqlglot.errors.SqlglotError:
        return None


def _named_columns(tree: Any) -> list[str] | None:
    """The query's column names where its text gives each one (an alias or a column name), so
    no probe needs to run it; None where a name depends on the tables (a star) or on the engine
    (an expression without an alias)."""
    from sqlglot import exp

    select = tree
    while isinstance(select, exp.SetOperation):
        select = select.this  # a set operation takes its names from its first query
    if not isinstance(select, exp.Select) or select.args.get("kind"):
        return None
    names = []
    for item in select.expressions:
        if isinstance(item, exp.Alias):
            names.append(item.alias)
        elif isinstance(item, exp.Column) and not isinstance(item.this, exp.Star):
            names.append(item.name)
        else:
            return None
    return names if len({n.lower() for n in names}) == len(names) else None


def _source_tables(tree: Any) -> list[str]:
    from sqlglot import exp

    if tree is None:
        return []
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    names = set()
    for t in tree.find_all(exp.Table):
        parts = [p for p in (t.catalog, t.db, t.name) if p]
        name = ".".join(parts)
        if name and name not in ctes:
            names.add(name)
    return sorted(names)


def _version_id(request: PrepareRequest, template_version: str, file_hashes: dict[str, str]) -> str:
    identity = {
        "query": request.query,
        "template": template_version,
        "eval_fraction": request.eval_fraction,
        "seed": request.seed,
        "format": request.format,
        "files": file_hashes,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]


_PROBE_HEAD = "SELECT * FROM (\n"
_AT = re.compile(r" at \[(\d+):(\d+)\]")


def _columns(session: Session, query: str, params: dict[str, Any], lead_lines: int = 0) -> list[str]:
    try:
        probe = session.warehouse.query(f"{_PROBE_HEAD}{query}\n) AS source LIMIT 0", params or None)
    except QueryError as exc:
        raise _at_query_line(exc, query, _PROBE_HEAD.count("\n") - lead_lines) from None
    return list(probe.column_names)


def _at_query_line(exc: QueryError, query: str, offset: int) -> LlmopsError:
    """The error with its `at [line:column]` moved from the wrapping script to the user's text,
    which starts `offset` lines further down the script."""
    m = _AT.search(exc.problem)
    if not m:
        return exc
    line, column = int(m.group(1)) - offset, int(m.group(2))
    last = query.count("\n") + 1 + (1 - offset)  # the query's last line, counted as the error counts
    problem = exc.problem[: m.start()] + f" at [{line}:{column}]" + exc.problem[m.end() :]
    if line > last and problem.startswith("Syntax error:"):
        # the parser ran into the wrapping script's text: the user's query ended too early
        line, column = last, len(query.rsplit("\n", 1)[-1]) + 1
        problem = f"Syntax error: Unexpected end of script at [{line}:{column}]"
    if problem.startswith('Syntax error: Expected ")" but got') and query.count("(") == query.count(")"):
        # the `)` expected closes the wrapping script's subquery: the user's query ran on
        problem = problem.replace('Expected ")"', "Expected end of input", 1)
    out = type(exc)(problem, fix=f"check line {line}, column {column} of the query")
    out.line = line  # type: ignore[attr-defined]
    return out


def prepare(
    session: Session,
    *,
    query: str | None = None,
    template: str = DEFAULT_TEMPLATE,
    eval_fraction: float = 0.2,
    seed: int = 42,
    format: str = "seed",
    params: dict[str, Any] | None = None,
) -> DatasetVersion:
    """Build (or find) the dataset version for a query, template, split and format."""
    request = PrepareRequest(_strip(query or DEFAULT_QUERY), template, eval_fraction, seed, format)
    request.validate()
    tmpl = load_template(template, session.settings.workspace)
    user_params = dict(params or {})
    raw = query or DEFAULT_QUERY
    lead_lines = raw[: len(raw) - len(raw.lstrip())].count("\n")
    with _kept_open(session.warehouse):
        return _build(session, request, tmpl, user_params, lead_lines)


def _kept_open(warehouse: Any) -> AbstractContextManager[None]:
    """The probe and the scan after it share one opening of a local warehouse file."""
    keep = getattr(warehouse, "kept_open", None)
    return keep() if keep is not None else nullcontext()


def _build(
    session: Session, request: PrepareRequest, tmpl: PromptTemplate, user_params: dict[str, Any], lead_lines: int
) -> DatasetVersion:
    """The version for a validated request: its files written, hashed and published."""
    eval_fraction, seed, format = request.eval_fraction, request.seed, request.format
    tree, stream = _parsed(request.query), _can_stream(session)
    # A streamed scan needs no probe when the text names the columns (one translation and
    # query less); the script on BigQuery keeps its probe, which reports errors before it runs.
    named = _named_columns(tree) if stream else None
    columns = named or _columns(session, request.query, user_params, lead_lines)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise DataError(
            f"the query returns no {missing[0]!r} column (it returns: {', '.join(columns) or 'nothing'})",
            fix="alias the question text AS input_text and the answer AS output_text",
        )
    bound = {
        **user_params,
        "template_prefix": tmpl.text + tmpl.separator,
        "split_salt": f"{seed}:",
        "eval_buckets": int(round(eval_fraction * SPLIT_BUCKETS)),
    }
    store = session.artifacts
    staging = store.uri_for("datasets", f".staging-{uuid.uuid4().hex[:12]}")
    names = {"train": "train.jsonl", "eval": "eval.jsonl"}
    if any(c in columns for c in PROVENANCE_COLUMNS):
        names["sources"] = "train.sources.jsonl"
    shards = {name: f"{staging}/{name}-*.jsonl" for name in names}
    try:
        if stream:
            files = {name: f"{staging}/{name}.jsonl" for name in names}
            try:
                stats = _stream_files(session, request.query, columns, format, bound, files)
            except QueryError:
                if named is not None:  # the probe's error, which names the user's own line
                    _columns(session, request.query, user_params, lead_lines)
                raise
        else:
            session.warehouse.query(_prepare_script(request.query, columns, format, shards), bound)
            files = {name: _gather(session, staging, name) for name in names}
            stats = {name: _hash_and_count(session, uri) for name, uri in files.items()}
        rows = {split: stats[split][1] for split in ("train", "eval")}
        total = rows["train"] + rows["eval"]
        if total == 0:
            raise DataError("the query returned no rows", fix="check its WHERE clause and the source tables")
        if 0 in rows.values():
            empty = "train" if rows["train"] == 0 else "eval"
            raise DataError(
                f"the {empty} split is empty ({total} rows in all)", fix="use more rows or a different --eval-fraction"
            )
        hashes = {name: stats[name][0] for name in names}
        version = _version_id(request, tmpl.version, {k: hashes[k] for k in ("train", "eval")})
        existing = _find(session, version)
        if existing is not None:
            return existing
        final = {name: store.uri_for("datasets", version, names[name]) for name in names}
        manifest = {
            "version": version,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "query": request.query,
            "params": user_params,
            "template": {"name": tmpl.name, "version": tmpl.version},
            "split": {
                "method": "farm_fingerprint",
                "key": "question_id" if "question_id" in columns else "input_text",
                "eval_fraction": eval_fraction,
                "seed": seed,
            },
            "format": format,
            "rows": rows,
            "files": {name: {"uri": final[name], "sha256": hashes[name]} for name in names},
            "source_tables": _source_tables(tree),
            "license": LICENSE,
            "backends": {"warehouse": session.settings.warehouse, "artifacts": session.settings.artifacts},
        }
        published: list[str] = []
        try:
            for name, uri in files.items():
                published.append(store.move(uri, final[name]))
            _write_text(
                session,
                store.uri_for("datasets", version, "manifest.json"),
                json.dumps(manifest, indent=2, sort_keys=True) + "\n",
            )
        except BaseException:
            for uri in published:  # no manifest, no version: take back what was moved
                store.delete(uri)
            _remove_local_dir(store.uri_for("datasets", version))
            raise
        return _from_manifest(manifest)
    finally:
        for uri in store.list(staging):
            store.delete(uri)
        _remove_local_dir(staging)


def _can_stream(session: Session) -> bool:
    """Whether the warehouse streams rendered lines (a local one) and the files are local too."""
    return hasattr(session.warehouse, "stream_json_lines") and "://" not in session.artifacts.uri_for("datasets")


def _stream_files(
    session: Session,
    query: str,
    columns: list[str],
    fmt: str,
    params: dict[str, Any],
    files: dict[str, str],
) -> dict[str, tuple[str, int]]:
    """The script's files, byte for byte, from one scan (`data_stream`): {name: (sha256, rows)}."""
    from . import data_stream as ds

    record, record_columns = _record(fmt)
    lines = {ds.RECORD: record_columns}
    select = f"SELECT split_hash, {_IN_EVAL} AS {ds.IN_EVAL}, {record}"
    if "sources" in files:
        lines[ds.SOURCE] = SOURCE_FIELDS
        select += f", {_source(columns)}"
    sql = f"{select}\nFROM (\n{_examples(query, columns)}\n) AS llmops_examples"
    return ds.write_splits(
        cast("ds.JsonLineStream", session.warehouse),
        sql,
        params,
        lines=lines,
        open_file=lambda name: session.artifacts.open(files[name], "wb"),
        tie_key=_TIE_KEYS[fmt],
    )


def _seed_key(line: bytes) -> tuple[str, str]:
    row = json.loads(line)
    return row["input_text_instruct"], row["output_text"]


def _gemini_key(line: bytes) -> tuple[str, str]:
    turns = json.loads(line)["contents"]
    return turns[0]["parts"][0]["text"], turns[1]["parts"][0]["text"]


_TIE_KEYS = {"seed": _seed_key, "gemini": _gemini_key}
"""The script's order after the split hash (instruction, then answer) read back from a line;
Python compares strings by code point, as DuckDB and BigQuery compare UTF-8 bytes."""


def _gather(session: Session, staging: str, name: str) -> str:
    """The one file of an export: BigQuery may write several shards, which are concatenated."""
    store = session.artifacts
    found = sorted(u for u in store.list(staging) if u.rsplit("/", 1)[-1].startswith(f"{name}-"))
    if not found:
        return _empty_file(session, f"{staging}/{name}.jsonl")
    if len(found) == 1:
        return found[0]
    merged = f"{staging}/{name}.jsonl"
    with store.open(merged, "wb") as out:
        for uri in found:
            with store.open(uri, "rb") as part:
                shutil.copyfileobj(part, out, 1 << 20)
    return merged


def _empty_file(session: Session, uri: str) -> str:
    with session.artifacts.open(uri, "wb"):
        pass
    return uri


def _hash_and_count(session: Session, uri: str) -> tuple[str, int]:
    digest, lines = hashlib.sha256(), 0
    with session.artifacts.open(uri, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    return digest.hexdigest(), lines


def _write_text(session: Session, uri: str, text: str) -> None:
    tmp = f"{uri}.tmp-{uuid.uuid4().hex[:8]}"
    with session.artifacts.open(tmp, "wb") as f:
        f.write(text.encode("utf-8"))
    session.artifacts.move(tmp, uri)


def _remove_local_dir(uri: str) -> None:
    if "://" not in uri:
        shutil.rmtree(uri, ignore_errors=True)


def _from_manifest(manifest: dict[str, Any]) -> DatasetVersion:
    files = manifest["files"]
    return DatasetVersion(
        version=manifest["version"],
        train=DatasetSplit(files["train"]["uri"], manifest["rows"]["train"], files["train"]["sha256"]),
        eval=DatasetSplit(files["eval"]["uri"], manifest["rows"]["eval"], files["eval"]["sha256"]),
        manifest=manifest,
    )


def _read_manifest(session: Session, uri: str) -> dict[str, Any] | None:
    if not session.artifacts.exists(uri):
        return None
    with session.artifacts.open(uri, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def _find(session: Session, version: str) -> DatasetVersion | None:
    manifest = _read_manifest(session, session.artifacts.uri_for("datasets", version, "manifest.json"))
    return _from_manifest(manifest) if manifest else None


def get_version(session: Session, version: str) -> DatasetVersion:
    """A dataset version by id (or unique id prefix), or a one-line error."""
    if not version or "/" in version or ".." in version:
        raise NotFoundError(f"dataset version {version!r} does not exist", fix="list versions with `llmops data list`")
    found = _find(session, version)
    if found is None:
        matches = [v for v in list_versions(session) if v.version.startswith(version)]
        if len(matches) == 1:
            return matches[0]
        raise NotFoundError(
            f"dataset version {version!r} does not exist",
            fix="list versions with `llmops data list`, or create one with `llmops data prepare`",
        )
    return found


def list_versions(session: Session) -> list[DatasetVersion]:
    """Every dataset version, newest first."""
    store = session.artifacts
    prefix = store.uri_for("datasets")
    versions = []
    for uri in store.list(prefix):
        if uri.endswith("/manifest.json") and "/.staging-" not in uri:
            manifest = _read_manifest(session, uri)
            if manifest:
                versions.append(_from_manifest(manifest))
    return sorted(versions, key=lambda v: (v.manifest.get("created", ""), v.version), reverse=True)


def latest_version(session: Session) -> DatasetVersion:
    """The newest dataset version, or an error saying how to make one."""
    versions = list_versions(session)
    if not versions:
        raise NotFoundError("no dataset version exists yet", fix="run `llmops data prepare` first")
    return versions[0]
