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
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, DataError, NotFoundError
from .prompts import DEFAULT_TEMPLATE, get_template
from .types import DatasetSplit, DatasetVersion

if TYPE_CHECKING:
    from .session import Session

COURSE_QUERY = """\
SELECT
    CONCAT(q.title, q.body) as input_text,
    a.body AS output_text
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
"""The LLMOps course's query, verbatim."""

DEFAULT_QUERY = """\
SELECT
    CONCAT(q.title, q.body) AS input_text,
    a.body AS output_text,
    q.id AS question_id,
    a.id AS answer_id,
    q.title AS title
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


def _strip(sql: str) -> str:
    return sql.strip().rstrip(";").strip()


def _examples_sql(query: str, columns: list[str]) -> str:
    """GoogleSQL giving every row its instruction and a split bucket in [0, SPLIT_BUCKETS)."""
    provenance = [c for c in PROVENANCE_COLUMNS if c in columns]
    key = "COALESCE(CAST(question_id AS STRING), input_text)" if "question_id" in columns else "input_text"
    extra = "".join(f",\n    {c}" for c in provenance)
    return (
        "SELECT\n"
        "    CONCAT(@template_prefix, input_text) AS input_text_instruct,\n"
        "    output_text,\n"
        f"    MOD(ABS(FARM_FINGERPRINT(CONCAT(@split_salt, {key}))), {SPLIT_BUCKETS}) AS split_bucket"
        f"{extra}\n"
        f"FROM (\n{query}\n) AS source\n"
        "WHERE input_text IS NOT NULL AND output_text IS NOT NULL"
    )


def _split_sql(examples: str, split: str, fmt: str, columns: list[str]) -> str:
    where = "split_bucket >= @eval_buckets" if split == "train" else "split_bucket < @eval_buckets"
    if fmt == "gemini":
        select = (
            "[STRUCT('user' AS role, [STRUCT(input_text_instruct AS text)] AS parts),\n"
            "     STRUCT('model' AS role, [STRUCT(output_text AS text)] AS parts)] AS contents"
        )
    else:
        select = "input_text_instruct, output_text"
    return f"SELECT {select}\nFROM (\n{examples}\n) AS examples\nWHERE {where}\nORDER BY split_bucket, input_text_instruct"


def _sources_sql(examples: str, columns: list[str]) -> str:
    qid = "question_id" if "question_id" in columns else "CAST(NULL AS INT64)"
    aid = "answer_id" if "answer_id" in columns else "CAST(NULL AS INT64)"
    title = "title" if "title" in columns else "CAST(NULL AS STRING)"
    return (
        f"SELECT {qid} AS question_id, {aid} AS answer_id, {title} AS title,\n"
        f"    IF({aid} > 0, CONCAT('https://stackoverflow.com/a/', CAST({aid} AS STRING)), NULL) AS uri,\n"
        f"    '{LICENSE}' AS license\n"
        f"FROM (\n{examples}\n) AS examples\n"
        "WHERE split_bucket >= @eval_buckets\n"
        "ORDER BY split_bucket, input_text_instruct"
    )


def _source_tables(query: str) -> list[str]:
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(query, read="bigquery")
    except sqlglot.errors.ParseError:
        return []
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    names = set()
    for t in tree.find_all(exp.Table):
        parts = [p for p in (t.catalog, t.db, t.name) if p]
        name = ".".join(parts)
        if name and name not in ctes:
            names.add(name)
    return sorted(names)


def _sha256(session: Session, uri: str) -> str:
    digest = hashlib.sha256()
    with session.artifacts.open(uri, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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


def _columns(session: Session, query: str, params: dict[str, Any]) -> list[str]:
    probe = session.warehouse.query(f"SELECT * FROM (\n{query}\n) AS source LIMIT 0", params or None)
    return list(probe.column_names)


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
    tmpl = get_template(template)
    user_params = dict(params or {})
    columns = _columns(session, request.query, user_params)
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
    examples = _examples_sql(request.query, columns)
    store = session.artifacts
    staging = f".staging-{uuid.uuid4().hex[:12]}"
    staged: dict[str, str] = {}
    try:
        results = {}
        for split in ("train", "eval"):
            uri = store.uri_for("datasets", staging, f"{split}.jsonl")
            results[split] = session.warehouse.export(_split_sql(examples, split, format, columns), uri, bound, "jsonl")
            staged[split] = uri
        total = results["train"].rows + results["eval"].rows
        if total == 0:
            raise DataError("the query returned no rows", fix="check its WHERE clause and the source tables")
        if results["train"].rows == 0 or results["eval"].rows == 0:
            empty = "train" if results["train"].rows == 0 else "eval"
            raise DataError(
                f"the {empty} split is empty ({total} rows in all)",
                fix="use more rows or a different --eval-fraction",
            )
        if any(c in columns for c in PROVENANCE_COLUMNS):
            uri = store.uri_for("datasets", staging, "train.sources.jsonl")
            session.warehouse.export(_sources_sql(examples, columns), uri, bound, "jsonl")
            staged["sources"] = uri
        hashes = {name: _sha256(session, uri) for name, uri in staged.items()}
        version = _version_id(request, tmpl.version, {k: hashes[k] for k in ("train", "eval")})
        existing = _find(session, version)
        if existing is not None:
            return existing
        final = {name: store.uri_for("datasets", version, Path(uri).name) for name, uri in staged.items()}
        manifest = {
            "version": version,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "query": request.query,
            "params": {k: v for k, v in user_params.items()},
            "template": {"name": tmpl.name, "version": tmpl.version},
            "split": {
                "method": "farm_fingerprint",
                "key": "question_id" if "question_id" in columns else "input_text",
                "eval_fraction": eval_fraction,
                "seed": seed,
            },
            "format": format,
            "rows": {"train": results["train"].rows, "eval": results["eval"].rows},
            "files": {
                name: {"uri": final[name], "sha256": hashes[name]} for name in staged
            },
            "source_tables": _source_tables(request.query),
            "license": LICENSE,
            "backends": {"warehouse": session.settings.warehouse, "artifacts": session.settings.artifacts},
        }
        for name, uri in staged.items():
            store.move(uri, final[name])
        staged.clear()
        manifest_uri = store.uri_for("datasets", version, "manifest.json")
        _write_text(session, manifest_uri, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        return _from_manifest(manifest)
    finally:
        for uri in staged.values():
            store.delete(uri)
        _remove_local_dir(store.uri_for("datasets", staging))


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
