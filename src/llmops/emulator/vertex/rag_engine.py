"""Vertex AI RAG Engine on the emulator: `ragCorpora` (create, get, list, delete),
`ragCorpora/{c}/ragFiles` (`:import` from the emulated Cloud Storage, list, get, delete) and
`{location}:retrieveContexts`.

A corpus lives in `<data>/vertex/ragCorpora/{id}/`: `corpus.json` (the RagCorpus resource),
`files.json` (the RagFile resources), `chunks/{file}.jsonl` (each file's chunks, cut with the
chunking config of its import) and `index/` (the hybrid BM25 + embedding index of
`llmops.rag`, rebuilt from all chunks on every import or delete). `chunkSize` and
`chunkOverlap` count words (Vertex counts tokens; a word is about 1.3 tokens). A context's
`score` is the cosine distance (1 - cosine similarity) of its embedding to the query's, as
RAG Engine's default COSINE_DISTANCE metric; contexts come best first by the hybrid ranking.
"""

from __future__ import annotations

import json
import secrets
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.errors import LlmopsError
from ...core.workspace import atomic_write_text
from ...rag import Chunking
from ...rag import index as rag_index
from ...rag.sources import TEXT_SUFFIXES, Document, parse_bytes
from ..server.errors import bad_request, not_found, required
from ..server.http import read_json
from .engine.model_registry import now_rfc3339
from .operations import EMPTY, Operations, any_type, version_of

if TYPE_CHECKING:
    from .api import VertexApi

DEFAULT_TOP_K = 10
"""Contexts returned when the request names no `topK` / `similarityTopK` (Vertex's default)."""
DEFAULT_CHUNK_SIZE = 1024
DEFAULT_CHUNK_OVERLAP = 200
DEFAULT_EMBEDDING_MODEL = "publishers/google/models/text-embedding-005"
_WHOLE = Chunking(size=10**9, overlap=0)  # chunks are stored already cut


def _get(obj: Any, camel: str, snake: str) -> Any:
    return obj.get(camel, obj.get(snake)) if isinstance(obj, dict) else None


def _int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    try:
        out = int(value)
    except (TypeError, ValueError):
        raise bad_request(f"Invalid value at '{where}': {value!r} is not an integer", location=where) from None
    return out


class RagEngine:
    """The RAG Engine resources of one emulator."""

    def __init__(self, state: VertexApi):
        self.state = state
        self.root: Path = state.data_dir / "vertex" / "ragCorpora"
        self.operations = Operations(state.data_dir / "vertex" / "operations")
        self._lock = threading.RLock()
        self._loaded: dict[str, tuple[int, rag_index.Corpus]] = {}

    # --- storage -------------------------------------------------------------------------------
    def _dir(self, ident: str) -> Path:
        return self.root / ident

    def corpus(self, name: str) -> dict[str, Any]:
        """The RagCorpus called `name` (a full name or its id); 404 when there is none."""
        ident = name.rstrip("/").rsplit("/", 1)[-1]
        path = self._dir(ident) / "corpus.json"
        if not ident.isdigit() or not path.is_file():
            raise not_found(f"RagCorpus {name} is not found.")
        corpus = json.loads(path.read_text(encoding="utf-8"))
        if "/" in name and corpus["name"] != name.rstrip("/"):
            raise not_found(f"RagCorpus {name} is not found.")
        return corpus

    def corpora(self) -> list[dict[str, Any]]:
        if not self.root.is_dir():
            return []
        found = [self._dir(p.name) / "corpus.json" for p in self.root.iterdir() if p.name.isdigit()]
        return sorted(
            (json.loads(p.read_text(encoding="utf-8")) for p in found if p.is_file()), key=lambda c: c["createTime"]
        )

    def _files(self, ident: str) -> list[dict[str, Any]]:
        path = self._dir(ident) / "files.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []

    def _save_files(self, ident: str, files: list[dict[str, Any]]) -> None:
        atomic_write_text(self._dir(ident) / "files.json", json.dumps(files))

    def _chunks(self, ident: str, file_id: str) -> list[Document]:
        path = self._dir(ident) / "chunks" / f"{file_id}.jsonl"
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        return [Document(r["text"], r["uri"], r["title"]) for r in rows]

    def _rebuild(self, ident: str, files: list[dict[str, Any]]) -> None:
        folder = self._dir(ident)
        docs = [d for f in files for d in self._chunks(ident, f["name"].rsplit("/", 1)[-1])]
        if docs:
            rag_index.build(folder, "index", docs, source={"ragCorpus": ident}, chunking=_WHOLE, replace=True)
        elif (folder / "index").exists():
            rag_index.delete(folder, "index")
        self._loaded.pop(ident, None)

    def index(self, ident: str) -> rag_index.Corpus | None:
        """The corpus's search index, loaded once per build; None while it has no files."""
        stamp = self._dir(ident) / "index" / "manifest.json"
        if not stamp.is_file():
            return None
        mtime = stamp.stat().st_mtime_ns
        with self._lock:
            cached = self._loaded.get(ident)
            if cached is None or cached[0] != mtime:
                cached = (mtime, rag_index.load(self._dir(ident), "index"))
                self._loaded[ident] = cached
            return cached[1]

    # --- corpora -------------------------------------------------------------------------------
    def create_corpus(self, body: dict[str, Any], parent: str, version: str) -> dict[str, Any]:
        display = _get(body, "displayName", "display_name")
        if not isinstance(display, str) or not display.strip():
            raise required("rag_corpus.display_name")
        ident = str(10**18 + secrets.randbelow(9 * 10**18))
        stamp = now_rfc3339()
        db = _get(body, "vectorDbConfig", "vector_db_config") or {}
        model = _get(
            _get(db, "ragEmbeddingModelConfig", "rag_embedding_model_config"),
            "vertexPredictionEndpoint",
            "vertex_prediction_endpoint",
        )
        endpoint = _get(model, "endpoint", "endpoint") or f"{parent}/{DEFAULT_EMBEDDING_MODEL}"
        corpus: dict[str, Any] = {
            "name": f"{parent}/ragCorpora/{ident}",
            "displayName": display,
            "createTime": stamp,
            "updateTime": stamp,
            "corpusStatus": {"state": "ACTIVE"},
            "vectorDbConfig": {
                "ragManagedDb": {},
                "ragEmbeddingModelConfig": {"vertexPredictionEndpoint": {"endpoint": endpoint}},
            },
        }
        if body.get("description"):
            corpus["description"] = str(body["description"])
        with self._lock:
            atomic_write_text(self._dir(ident) / "corpus.json", json.dumps(corpus))
        return self.operations.finish(
            corpus["name"],
            response=corpus,
            response_type=any_type(version, "RagCorpus"),
            metadata_type=any_type(version, "CreateRagCorpusOperationMetadata"),
        )

    def delete_corpus(self, name: str) -> dict[str, Any]:
        corpus = self.corpus(name)
        ident = corpus["name"].rsplit("/", 1)[-1]
        with self._lock:
            trash = self.root / f".{ident}.deleted"
            self._dir(ident).replace(trash)
            shutil.rmtree(trash, ignore_errors=True)
            self._loaded.pop(ident, None)
        return self.operations.finish(corpus["name"].rsplit("/ragCorpora/", 1)[0], response_type=EMPTY)

    # --- files ---------------------------------------------------------------------------------
    def _resolve(self, uris: list[Any]) -> list[tuple[str, str]]:
        """(bucket, object) of every text file the `gcsSource.uris` name; 400/404 naming the
        first that is not a gs:// URI, does not exist, or (a folder) holds no text files."""
        store = self.state.storage
        out: list[tuple[str, str]] = []
        for uri in uris:
            if not isinstance(uri, str) or not uri.startswith("gs://"):
                raise bad_request(
                    f"Invalid GCS URI {uri!r}: use gs://BUCKET/OBJECT or gs://BUCKET/FOLDER/",
                    location="import_rag_files_config.gcs_source.uris",
                )
            bucket, _, name = uri[len("gs://") :].partition("/")
            try:
                if name and not name.endswith("/"):
                    store.open_object(bucket, name)
                    out.append((bucket, name))
                    continue
                names = [n for n in store.iter_names(bucket, name) if Path(n).suffix.lower() in TEXT_SUFFIXES]
            except LlmopsError:
                raise not_found(f"{uri} does not exist: upload the files to the emulated Cloud Storage first") from None
            if not names:
                raise bad_request(
                    f"{uri} holds no text files ({', '.join(sorted(TEXT_SUFFIXES))})",
                    location="import_rag_files_config.gcs_source.uris",
                )
            out.extend((bucket, n) for n in names)
        return out

    def _chunking(self, config: dict[str, Any]) -> Chunking:
        transform = _get(config, "ragFileTransformationConfig", "rag_file_transformation_config") or {}
        chunking = _get(transform, "ragFileChunkingConfig", "rag_file_chunking_config")
        chunking = chunking or _get(config, "ragFileChunkingConfig", "rag_file_chunking_config") or {}
        fixed = _get(chunking, "fixedLengthChunking", "fixed_length_chunking") or chunking
        size = _int(_get(fixed, "chunkSize", "chunk_size"), "chunk_size") or DEFAULT_CHUNK_SIZE
        overlap = _int(_get(fixed, "chunkOverlap", "chunk_overlap"), "chunk_overlap")
        overlap = DEFAULT_CHUNK_OVERLAP if overlap is None else overlap
        if size < 1 or not 0 <= overlap < size:
            raise bad_request(
                f"Invalid chunking config: chunk_size {size} must be positive and chunk_overlap {overlap} "
                "in [0, chunk_size)",
                location="import_rag_files_config.rag_file_transformation_config",
            )
        return Chunking(size=size, overlap=overlap)

    def import_files(self, corpus_name: str, body: dict[str, Any], version: str) -> dict[str, Any]:
        corpus = self.corpus(corpus_name)
        ident = corpus["name"].rsplit("/", 1)[-1]
        config = _get(body, "importRagFilesConfig", "import_rag_files_config")
        if not isinstance(config, dict):
            raise required("import_rag_files_config")
        gcs = _get(config, "gcsSource", "gcs_source")
        uris = _get(gcs, "uris", "uris")
        if not isinstance(uris, list) or not uris:
            raise bad_request(
                "The emulator imports from Cloud Storage only: set import_rag_files_config.gcs_source.uris",
                location="import_rag_files_config.gcs_source",
            )
        chunking = self._chunking(config)
        objects = self._resolve(uris)
        store = self.state.storage
        imported = skipped = failed = 0
        with self._lock:
            files = self._files(ident)
            by_uri = {f["gcsSource"]["uris"][0]: f for f in files}
            staged: list[tuple[dict[str, Any], list[Document]]] = []
            for bucket, name in objects:
                uri = f"gs://{bucket}/{name}"
                meta, path = store.open_object(bucket, name)
                old = by_uri.get(uri)
                if old is not None and old.get("_md5") == meta.get("md5Hash"):
                    skipped += 1
                    continue
                try:
                    docs = parse_bytes(uri, path.read_bytes())
                except LlmopsError:
                    failed += 1
                    continue
                chunks = [Document(t, d.uri, d.title) for d in docs for t in chunking.split(d.text)]
                if not chunks:
                    failed += 1
                    continue
                file_id = old["name"].rsplit("/", 1)[-1] if old else str(10**18 + secrets.randbelow(9 * 10**18))
                stamp = now_rfc3339()
                resource = {
                    "name": f"{corpus['name']}/ragFiles/{file_id}",
                    "displayName": Path(name).name,
                    "gcsSource": {"uris": [uri]},
                    "createTime": old["createTime"] if old else stamp,
                    "updateTime": stamp,
                    "fileStatus": {"state": "ACTIVE"},
                    "_md5": meta.get("md5Hash"),
                }
                staged.append((resource, chunks))
                imported += 1
            if staged:
                chunk_dir = self._dir(ident) / "chunks"
                chunk_dir.mkdir(parents=True, exist_ok=True)
                for resource, chunks in staged:
                    lines = "".join(json.dumps({"text": c.text, "uri": c.uri, "title": c.title}) + "\n" for c in chunks)
                    atomic_write_text(chunk_dir / f"{resource['name'].rsplit('/', 1)[-1]}.jsonl", lines)
                    by_uri[resource["gcsSource"]["uris"][0]] = resource
                files = list(by_uri.values())
                self._rebuild(ident, files)
                self._save_files(ident, files)
        response: dict[str, Any] = {}
        for key, n in (
            ("importedRagFilesCount", imported),
            ("failedRagFilesCount", failed),
            ("skippedRagFilesCount", skipped),
        ):
            if n:
                response[key] = str(n)
        return self.operations.finish(
            corpus["name"],
            response=response,
            response_type=any_type(version, "ImportRagFilesResponse"),
            metadata_type=any_type(version, "ImportRagFilesOperationMetadata"),
        )

    def files(self, corpus_name: str) -> list[dict[str, Any]]:
        ident = self.corpus(corpus_name)["name"].rsplit("/", 1)[-1]
        return [_public(f) for f in self._files(ident)]

    def file(self, corpus_name: str, file_id: str) -> dict[str, Any]:
        corpus = self.corpus(corpus_name)
        for f in self._files(corpus["name"].rsplit("/", 1)[-1]):
            if f["name"].endswith(f"/ragFiles/{file_id}"):
                return _public(f)
        raise not_found(f"RagFile {corpus['name']}/ragFiles/{file_id} is not found.")

    def delete_file(self, corpus_name: str, file_id: str) -> dict[str, Any]:
        found = self.file(corpus_name, file_id)
        ident = found["name"].split("/ragCorpora/", 1)[1].split("/", 1)[0]
        with self._lock:
            files = [f for f in self._files(ident) if f["name"] != found["name"]]
            self._rebuild(ident, files)
            self._save_files(ident, files)
            (self._dir(ident) / "chunks" / f"{file_id}.jsonl").unlink(missing_ok=True)
        return self.operations.finish(found["name"].rsplit("/ragFiles/", 1)[0], response_type=EMPTY)

    # --- retrieval -----------------------------------------------------------------------------
    def retrieve(
        self,
        resources: list[dict[str, Any]],
        text: str,
        top_k: int,
        *,
        max_distance: float | None = None,
        min_similarity: float | None = None,
    ) -> list[dict[str, Any]]:
        """Contexts from the named corpora (each `{ragCorpus, ragFileIds?}`) for `text`, best
        first, `top_k` at most."""
        if top_k < 1:
            raise bad_request(f"top_k must be positive, got {top_k}", location="rag_retrieval_config.top_k")
        if not text.strip():
            raise required("query.text")
        found: list[tuple[float, dict[str, Any]]] = []
        for res in resources:
            corpus = self.corpus(str(_get(res, "ragCorpus", "rag_corpus") or ""))
            ident = corpus["name"].rsplit("/", 1)[-1]
            wanted = _get(res, "ragFileIds", "rag_file_ids") or []
            files = self._files(ident)
            # A JSONL row keeps its own uri, so the chunks of the wanted files give the uris.
            uris = {
                d.uri
                for f in files
                if f["name"].rsplit("/", 1)[-1] in wanted
                for d in self._chunks(ident, f["name"].rsplit("/", 1)[-1])
            }
            idx = self.index(ident)
            if idx is None:
                continue
            for chunk in idx.search(text, min(len(idx), max(top_k * 4, 20))):
                distance = round(1.0 - chunk.cosine, 6)
                if (wanted and chunk.uri not in uris) or (max_distance is not None and distance > max_distance):
                    continue
                if min_similarity is not None and chunk.cosine < min_similarity:
                    continue
                title = next((f["displayName"] for f in files if f["gcsSource"]["uris"][0] == chunk.uri), chunk.title)
                context = {
                    "sourceUri": chunk.uri,
                    "sourceDisplayName": title,
                    "text": chunk.text,
                    "score": distance,
                    "chunk": {"text": chunk.text},
                }
                found.append((chunk.score, context))
        found.sort(key=lambda pair: -pair[0])
        return [c for _, c in found[:top_k]]

    def retrieve_request(self, body: dict[str, Any]) -> dict[str, Any]:
        """The answer to `:retrieveContexts`."""
        store = _get(body, "vertexRagStore", "vertex_rag_store")
        if not isinstance(store, dict):
            raise bad_request("The emulator retrieves from RAG corpora only: set vertex_rag_store")
        query = body.get("query")
        if not isinstance(query, dict):
            raise required("query")
        resources, top_k, max_distance, min_similarity = retrieval_config(store, query)
        contexts = self.retrieve(
            resources, str(query.get("text") or ""), top_k, max_distance=max_distance, min_similarity=min_similarity
        )
        return {"contexts": {"contexts": contexts}} if contexts else {"contexts": {}}

    # --- HTTP ----------------------------------------------------------------------------------
    async def corpora_route(self, request: Request, project: str, location: str) -> Response:
        parent = f"projects/{project}/locations/{location}"
        if request.method == "POST":
            body = await read_json(request)
            return JSONResponse(await run_in_threadpool(self.create_corpus, body, parent, version_of(request.url.path)))
        corpora = [c for c in await run_in_threadpool(self.corpora) if c["name"].startswith(f"{parent}/")]
        return JSONResponse({"ragCorpora": corpora} if corpora else {})

    async def corpus_route(self, request: Request, project: str, location: str, corpus: str) -> Response:
        name = f"projects/{project}/locations/{location}/ragCorpora/{corpus}"
        if request.method == "DELETE":
            return JSONResponse(await run_in_threadpool(self.delete_corpus, name))
        return JSONResponse(await run_in_threadpool(self.corpus, name))

    async def import_route(self, request: Request, project: str, location: str, corpus: str) -> Response:
        name = f"projects/{project}/locations/{location}/ragCorpora/{corpus}"
        body = await read_json(request)
        return JSONResponse(await run_in_threadpool(self.import_files, name, body, version_of(request.url.path)))

    async def files_route(self, request: Request, project: str, location: str, corpus: str) -> Response:
        name = f"projects/{project}/locations/{location}/ragCorpora/{corpus}"
        files = await run_in_threadpool(self.files, name)
        return JSONResponse({"ragFiles": files} if files else {})

    async def file_route(self, request: Request, project: str, location: str, corpus: str, file: str) -> Response:
        name = f"projects/{project}/locations/{location}/ragCorpora/{corpus}"
        if request.method == "DELETE":
            return JSONResponse(await run_in_threadpool(self.delete_file, name, file))
        return JSONResponse(await run_in_threadpool(self.file, name, file))

    async def operation_route(self, request: Request, project: str, location: str, corpus: str, op: str) -> Response:
        name = f"projects/{project}/locations/{location}/ragCorpora/{corpus}/operations/{op}"
        return JSONResponse(await run_in_threadpool(self.operations.get, name))

    async def retrieve_route(self, request: Request) -> Response:
        body = await read_json(request)
        return JSONResponse(await run_in_threadpool(self.retrieve_request, body))


def retrieval_config(
    store: dict[str, Any], query: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], int, float | None, float | None]:
    """(rag resources, top k, max vector distance, min vector similarity) of a `vertexRagStore`
    (and the `query` of `:retrieveContexts`), both spellings of every key read."""
    resources = _get(store, "ragResources", "rag_resources")
    if not isinstance(resources, list) or not resources:
        raise bad_request("vertex_rag_store.rag_resources must name at least one rag_corpus", location="rag_resources")
    for res in resources:
        if not isinstance(res, dict) or not _get(res, "ragCorpus", "rag_corpus"):
            raise bad_request("Each rag_resources entry needs a rag_corpus", location="rag_resources.rag_corpus")
    config = _get(query or {}, "ragRetrievalConfig", "rag_retrieval_config")
    config = config or _get(store, "ragRetrievalConfig", "rag_retrieval_config") or {}
    top_k = _int(_get(config, "topK", "top_k"), "rag_retrieval_config.top_k")
    if top_k is None:
        top_k = _int(_get(query or {}, "similarityTopK", "similarity_top_k"), "similarity_top_k")
    if top_k is None:
        top_k = _int(_get(store, "similarityTopK", "similarity_top_k"), "similarity_top_k")
    filt = _get(config, "filter", "filter") or {}
    distance = _get(filt, "vectorDistanceThreshold", "vector_distance_threshold")
    distance = distance if distance is not None else _get(store, "vectorDistanceThreshold", "vector_distance_threshold")
    similarity = _get(filt, "vectorSimilarityThreshold", "vector_similarity_threshold")
    return (
        resources,
        DEFAULT_TOP_K if top_k is None else top_k,
        float(distance) if distance is not None else None,
        float(similarity) if similarity is not None else None,
    )


def _public(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if not k.startswith("_")}
