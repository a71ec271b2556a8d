"""Grounding tools on `generateContent`: `retrieval.vertexRagStore` (RAG Engine corpora),
`retrieval.vertexAiSearch` (a data store served by a RAG corpus) and `googleSearch` /
`googleSearchRetrieval` (an emulation of web search over a local document collection).

The request's last user turn is the query. The retrieved chunks are put in the prompt
(`llmops.rag.build_prompt`), the emulated model answers, and the answer is grounded against the
chunks (`llmops.rag.assess`) into the candidate's `groundingMetadata`.

Web search is **emulated**: nothing leaves the machine. It searches the RAG corpus whose display
name is `google-search` when there is one (import any files into it), else the bundled Stack
Overflow sample (`llmops/data/stackoverflow`): a question with its accepted answer per document,
linked by its real `https://stackoverflow.com/q/ID` URL, or, for the 500 course rows whose post
ids are unknown, by a real Stack Overflow search URL for the question's title.
A `vertexAiSearch` data store `.../dataStores/DS` (or an `engine`) is the RAG corpus whose id or
display name is `DS`.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...rag import index as rag_index
from ...rag.grounding import assess, build_prompt
from ...rag.sources import Document, clean
from ..server.errors import bad_request, not_found
from .rag_engine import DEFAULT_TOP_K, RagEngine, retrieval_config
from .tools import last_user_text

if TYPE_CHECKING:
    from .api import VertexApi

WEB_CORPUS_NAME = "google-search"
"""Display name of a RAG corpus that replaces the bundled collection for `googleSearch`."""
WEB_TOP_K = 5
_SAMPLE = Path(__file__).resolve().parents[2] / "data" / "stackoverflow"


@dataclass
class Grounding:
    """What one request retrieved, ready to ground the answer."""

    kind: str  # "retrieval" or "web"
    query: str
    chunks: list[rag_index.Chunk] = field(default_factory=list)
    dynamic_score: float | None = None

    def metadata(self, answer: str, part_index: int = 0) -> dict[str, Any]:
        """The candidate's `groundingMetadata` for `answer` (the text of part `part_index`)."""
        report = assess(answer, [c.text for c in self.chunks])
        supports = report.supports
        if part_index:
            supports = [{**s, "segment": {"partIndex": part_index, **s["segment"]}} for s in supports]
        out: dict[str, Any] = {}
        if self.kind == "web":
            out["webSearchQueries"] = [self.query]
            out["searchEntryPoint"] = {"renderedContent": _entry_point(self.query)}
            out["groundingChunks"] = [
                {"web": {"uri": c.uri, "title": c.title, "domain": urllib.parse.urlsplit(c.uri).hostname or ""}}
                for c in self.chunks
            ]
        else:
            out["retrievalQueries"] = [self.query]
            out["groundingChunks"] = [
                {"retrievedContext": {"uri": c.uri, "title": c.title, "text": c.text, "ragChunk": {"text": c.text}}}
                for c in self.chunks
            ]
        if not self.chunks:
            del out["groundingChunks"]
        if supports:
            out["groundingSupports"] = supports
        if self.dynamic_score is not None:
            out["retrievalMetadata"] = {"googleSearchDynamicRetrievalScore": self.dynamic_score}
        return out

    def annotate(self, response: dict[str, Any]) -> None:
        """Add `groundingMetadata` to each candidate of a `GenerateContentResponse`."""
        for cand in response.get("candidates") or []:
            parts = (cand.get("content") or {}).get("parts") or []
            at = next((i for i, p in enumerate(parts) if "text" in p and not p.get("thought")), None)
            cand["groundingMetadata"] = self.metadata(parts[at]["text"] if at is not None else "", at or 0)

    def annotate_stream(self, chunks: Sequence[dict[str, Any]]) -> None:
        """Add `groundingMetadata` to the last chunk, grounding the streamed text as a whole."""
        texts: dict[int, str] = {}
        for chunk in chunks:
            for cand in chunk.get("candidates") or []:
                parts = (cand.get("content") or {}).get("parts") or []
                text = "".join(p.get("text", "") for p in parts if not p.get("thought"))
                texts[cand.get("index", 0)] = texts.get(cand.get("index", 0), "") + text
        if chunks:
            for cand in chunks[-1].get("candidates") or []:
                cand["groundingMetadata"] = self.metadata(texts.get(cand.get("index", 0), ""))


def _entry_point(query: str) -> str:
    from html import escape

    link = f"https://www.google.com/search?q={urllib.parse.quote_plus(query)}"
    return f'<div class="llmops-emulated-search"><a href="{escape(link)}">{escape(query)}</a> (emulated search)</div>'


def _get(obj: Any, camel: str, snake: str) -> Any:
    return obj.get(camel, obj.get(snake)) if isinstance(obj, dict) else None


def stackoverflow_documents(folder: Path = _SAMPLE) -> list[Document]:
    """The bundled Stack Overflow sample as documents: each question with its accepted answer,
    and the unpaired answers alone, each with a real stackoverflow.com URL."""
    questions = [json.loads(line) for line in (folder / "posts_questions.jsonl").read_text("utf-8").splitlines()]
    answers = {a["id"]: a for a in map(json.loads, (folder / "posts_answers.jsonl").read_text("utf-8").splitlines())}
    docs = []
    for q in questions:
        answer = answers.pop(q.get("accepted_answer_id"), None)
        title = q.get("title") or f"Stack Overflow question {q['id']}"
        text = "\n\n".join(clean(t) for t in (title, q.get("body") or "", (answer or {}).get("body") or "") if t)
        if q["id"] > 0:
            uri = f"https://stackoverflow.com/q/{q['id']}"
        else:
            uri = f"https://stackoverflow.com/search?q={urllib.parse.quote_plus(title)}"
        docs.append(Document(text, uri, title))
    for a in answers.values():
        if a["id"] > 0 and a.get("body"):
            docs.append(Document(clean(a["body"]), f"https://stackoverflow.com/a/{a['id']}", "stackoverflow.com"))
    return docs


class GroundingTools:
    """Retrieval for the grounding tools of one emulator."""

    def __init__(self, state: VertexApi, rag: RagEngine):
        self.state = state
        self.rag = rag
        self._web_folder = state.data_dir / "vertex" / "web-search"
        self._web: rag_index.Corpus | None = None
        self._lock = threading.Lock()

    def web_index(self) -> rag_index.Corpus:
        """The bundled collection's index, built into the data dir on first use."""
        with self._lock:
            if self._web is None:
                if not (self._web_folder / "stackoverflow" / "manifest.json").is_file():
                    rag_index.build(
                        self._web_folder, "stackoverflow", stackoverflow_documents(), source={"bundled": str(_SAMPLE)}
                    )
                self._web = rag_index.load(self._web_folder, "stackoverflow")
            return self._web

    def _corpus_named(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.rag.corpora() if name in (c["displayName"], c["name"].rsplit("/", 1)[-1])), None)

    def _rag_chunks(self, resources: list[dict[str, Any]], query: str, top_k: int, **limits: Any) -> list[Any]:
        contexts = self.rag.retrieve(resources, query, top_k, **limits)
        return [
            rag_index.Chunk(n, c["text"], c["sourceUri"], c["sourceDisplayName"], 0.0, 0.0, 1 - c["score"])
            for n, c in enumerate(contexts)
        ]

    def prepare(self, body: dict[str, Any]) -> tuple[dict[str, Any], Grounding | None]:
        """The request with the retrieved sources in its last user turn, and what was retrieved;
        the request as it was and None when it has no grounding tool."""
        tools = body.get("tools")
        if not isinstance(tools, list):
            return body, None
        found = [t for t in tools if isinstance(t, dict) and _grounding_kind(t)]
        if not found:
            return body, None
        if len(found) > 1:
            raise bad_request(
                "Only one grounding tool (retrieval, googleSearch or googleSearchRetrieval) is supported per request",
                location="tools",
            )
        tool = found[0]
        query = last_user_text(body).strip()
        if not query:
            raise bad_request("A grounded request needs a user turn with text to search for", location="contents")
        grounding = self._retrieve(tool, query)
        rest = [t for t in tools if t is not tool]
        prompt = build_prompt(query, grounding.chunks) if grounding.chunks else query
        return {**_replace_last_user(body, prompt), "tools": rest}, grounding

    def _retrieve(self, tool: dict[str, Any], query: str) -> Grounding:
        kind = _grounding_kind(tool)
        if kind == "vertexRagStore":
            store = _get(tool["retrieval"], "vertexRagStore", "vertex_rag_store")
            resources, top_k, distance, similarity = retrieval_config(store)
            chunks = self._rag_chunks(resources, query, top_k, max_distance=distance, min_similarity=similarity)
            return Grounding("retrieval", query, chunks)
        if kind == "vertexAiSearch":
            search = _get(tool["retrieval"], "vertexAiSearch", "vertex_ai_search") or {}
            store = search.get("datastore") or search.get("engine") or ""
            ds = str(store).rstrip("/").rsplit("/", 1)[-1]
            corpus = self._corpus_named(ds) if ds else None
            if corpus is None:
                raise not_found(
                    f"Data store {store or '(none)'} is not found: the emulator serves a Vertex AI Search data store "
                    f"from the RAG corpus whose display name is {ds or 'its id'!r}; create and import one first"
                )
            top_k = int(_get(search, "maxResults", "max_results") or DEFAULT_TOP_K)
            chunks = self._rag_chunks([{"ragCorpus": corpus["name"]}], query, top_k)
            return Grounding("retrieval", query, chunks)
        corpus = self._corpus_named(WEB_CORPUS_NAME)
        if corpus is not None:
            chunks = self._rag_chunks([{"ragCorpus": corpus["name"]}], query, WEB_TOP_K)
        else:
            chunks = self.web_index().search(query, WEB_TOP_K)
        dynamic = _get(
            tool.get("googleSearchRetrieval", tool.get("google_search_retrieval")) or {},
            "dynamicRetrievalConfig",
            "dynamic_retrieval_config",
        )
        if isinstance(dynamic, dict):
            score = round(max((c.cosine for c in chunks), default=0.0), 4)
            threshold = float(_get(dynamic, "dynamicThreshold", "dynamic_threshold") or 0.7)
            return Grounding("web", query, chunks if score >= threshold else [], score)
        return Grounding("web", query, chunks)


def _grounding_kind(tool: dict[str, Any]) -> str | None:
    retrieval = tool.get("retrieval")
    if isinstance(retrieval, dict):
        if _get(retrieval, "vertexRagStore", "vertex_rag_store") is not None:
            return "vertexRagStore"
        if _get(retrieval, "vertexAiSearch", "vertex_ai_search") is not None:
            return "vertexAiSearch"
        raise bad_request(
            "The emulator grounds on retrieval.vertex_rag_store or retrieval.vertex_ai_search only",
            location="tools.retrieval",
        )
    for key in ("googleSearch", "google_search", "googleSearchRetrieval", "google_search_retrieval"):
        if key in tool:
            return "web"
    return None


def _replace_last_user(body: dict[str, Any], text: str) -> dict[str, Any]:
    contents = list(body.get("contents") or [])
    for i in range(len(contents) - 1, -1, -1):
        content = contents[i]
        if isinstance(content, dict) and content.get("role") != "model":
            parts = [p for p in content.get("parts") or [] if not (isinstance(p, dict) and "text" in p)]
            contents[i] = {**content, "parts": [{"text": text}, *parts]}
            break
    return {**body, "contents": contents}
