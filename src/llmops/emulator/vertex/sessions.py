"""Vertex AI Agent Engine Sessions on the emulator: `reasoningEngines/{e}/sessions` (create,
get, list, delete), `sessions/{s}:appendEvent` and `sessions/{s}/events` (list).

The emulator does not deploy agents: sessions are served under any `reasoningEngines/{id}`.
A session is `<data>/vertex/sessions/{engine}/{session}.json`; its events are appended, one JSON
line each, to `{session}.events.jsonl`, so appending an event never rewrites the history. An
event's `actions.stateDelta` is merged into the session's `sessionState`, as Agent Engine does.
"""

from __future__ import annotations

import json
import secrets
import threading
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.workspace import atomic_write_text
from ..server.errors import bad_request, not_found, required
from ..server.http import page_of, read_json
from .engine.model_registry import now_rfc3339
from .operations import EMPTY, Operations, any_type, version_of

_SESSION_FIELDS = {"displayName": "display_name", "sessionState": "session_state", "labels": "labels"}
_EVENT_FIELDS = ("content", "actions", "eventMetadata", "errorCode", "errorMessage")
_SNAKE_EVENT = {"eventMetadata": "event_metadata", "errorCode": "error_code", "errorMessage": "error_message"}


def _get(obj: dict[str, Any], camel: str, snake: str) -> Any:
    return obj.get(camel, obj.get(snake))


def _id(value: str) -> bool:
    return value.isdigit() and len(value) < 30


class Sessions:
    """The Agent Engine sessions of one emulator."""

    def __init__(self, data_dir: Path):
        self.root = data_dir / "vertex" / "sessions"
        self.operations = Operations(data_dir / "vertex" / "operations")
        self._lock = threading.Lock()

    def _path(self, engine: str, session: str) -> Path:
        return self.root / engine / f"{session}.json"

    def get(self, engine_name: str, session: str) -> dict[str, Any]:
        """The session resource; 404 naming it when there is none."""
        engine = engine_name.rsplit("/", 1)[-1]
        path = self._path(engine, session)
        if not (_id(engine) and _id(session)) or not path.is_file():
            raise not_found(f"Session {engine_name}/sessions/{session} is not found.")
        return json.loads(path.read_text(encoding="utf-8"))

    def create(self, engine_name: str, body: dict[str, Any], version: str) -> dict[str, Any]:
        engine = engine_name.rsplit("/", 1)[-1]
        if not _id(engine):
            raise not_found(f"ReasoningEngine {engine_name} is not found: reasoning engine ids are numbers.")
        user = _get(body, "userId", "user_id")
        if not isinstance(user, str) or not user:
            raise required("user_id")
        state = _get(body, "sessionState", "session_state")
        if state is not None and not isinstance(state, dict):
            raise bad_request("session_state must be a JSON object", location="session_state")
        ident = str(10**18 + secrets.randbelow(9 * 10**18))
        stamp = now_rfc3339()
        session: dict[str, Any] = {"name": f"{engine_name}/sessions/{ident}", "userId": user}
        for camel, snake in _SESSION_FIELDS.items():
            if _get(body, camel, snake) is not None:
                session[camel] = _get(body, camel, snake)
        for key in ("ttl", "expireTime", "expire_time"):
            if body.get(key):
                session["ttl" if key == "ttl" else "expireTime"] = body[key]
        session.update(createTime=stamp, updateTime=stamp)
        atomic_write_text(self._path(engine, ident), json.dumps(session))
        return self.operations.finish(
            session["name"],
            response=session,
            response_type=any_type(version, "Session"),
            metadata_type=any_type(version, "CreateSessionOperationMetadata"),
        )

    def list_sessions(self, engine_name: str, user: str | None = None) -> list[dict[str, Any]]:
        folder = self.root / engine_name.rsplit("/", 1)[-1]
        if not folder.is_dir():
            return []
        found = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")]
        return sorted((s for s in found if user is None or s["userId"] == user), key=lambda s: s["createTime"])

    def delete(self, engine_name: str, session: str) -> dict[str, Any]:
        found = self.get(engine_name, session)
        engine = engine_name.rsplit("/", 1)[-1]
        with self._lock:
            self._path(engine, session).unlink()
            events = self._path(engine, session).with_suffix(".events.jsonl")
            events.unlink(missing_ok=True)
        return self.operations.finish(found["name"], response_type=EMPTY)

    def append(self, engine_name: str, session: str, body: dict[str, Any]) -> dict[str, Any]:
        found = self.get(engine_name, session)
        author = body.get("author")
        invocation = _get(body, "invocationId", "invocation_id")
        if not isinstance(author, str) or not author:
            raise required("author")
        if not isinstance(invocation, str) or not invocation:
            raise required("invocation_id")
        stamp = body.get("timestamp") or now_rfc3339()
        event: dict[str, Any] = {
            "name": f"{found['name']}/events/{10**18 + secrets.randbelow(9 * 10**18)}",
            "author": author,
            "invocationId": invocation,
            "timestamp": stamp,
        }
        for key in _EVENT_FIELDS:
            value = _get(body, key, _SNAKE_EVENT.get(key, key))
            if value is not None:
                event[key] = value
        delta = _get(event.get("actions") or {}, "stateDelta", "state_delta")
        if delta is not None and not isinstance(delta, dict):
            raise bad_request("actions.state_delta must be a JSON object", location="actions.state_delta")
        engine = engine_name.rsplit("/", 1)[-1]
        path = self._path(engine, session)
        with self._lock:
            with path.with_suffix(".events.jsonl").open("a", encoding="utf-8") as f:
                f.write(json.dumps(event) + "\n")
            if delta:
                found["sessionState"] = {**(found.get("sessionState") or {}), **delta}
            found["updateTime"] = now_rfc3339()
            atomic_write_text(path, json.dumps(found))
        return {}

    def events(self, engine_name: str, session: str) -> list[dict[str, Any]]:
        self.get(engine_name, session)
        path = self._path(engine_name.rsplit("/", 1)[-1], session).with_suffix(".events.jsonl")
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]

    # --- HTTP ----------------------------------------------------------------------------------
    async def sessions_route(self, request: Request, project: str, location: str, engine: str) -> Response:
        name = f"projects/{project}/locations/{location}/reasoningEngines/{engine}"
        if request.method == "POST":
            body = await read_json(request)
            return JSONResponse(await run_in_threadpool(self.create, name, body, version_of(request.url.path)))
        user = _user_filter(request.query_params.get("filter"))
        return JSONResponse(page_of(request, await run_in_threadpool(self.list_sessions, name, user), "sessions"))

    async def session_route(self, request: Request, project: str, location: str, engine: str, session: str) -> Response:
        name = f"projects/{project}/locations/{location}/reasoningEngines/{engine}"
        ident, _, verb = session.partition(":")
        if request.method == "POST":
            if verb != "appendEvent":
                raise not_found(f"Not Found: no such API method POST {request.url.path}")
            body = await read_json(request)
            return JSONResponse(await run_in_threadpool(self.append, name, ident, body))
        if verb:
            raise not_found(f"Not Found: no such API method {request.method} {request.url.path}")
        if request.method == "DELETE":
            return JSONResponse(await run_in_threadpool(self.delete, name, ident))
        return JSONResponse(await run_in_threadpool(self.get, name, ident))

    async def events_route(self, request: Request, project: str, location: str, engine: str, session: str) -> Response:
        name = f"projects/{project}/locations/{location}/reasoningEngines/{engine}"
        return JSONResponse(page_of(request, await run_in_threadpool(self.events, name, session), "sessionEvents"))

    async def operation_route(
        self, request: Request, project: str, location: str, engine: str, session: str, op: str
    ) -> Response:
        name = f"projects/{project}/locations/{location}/reasoningEngines/{engine}/sessions/{session}/operations/{op}"
        return JSONResponse(await run_in_threadpool(self.operations.get, name))


def _user_filter(text: str | None) -> str | None:
    """The user of a `user_id="u1"` list filter (the only filter the emulator reads)."""
    if not text:
        return None
    key, sep, value = text.partition("=")
    if not sep or key.strip() not in ("user_id", "userId") or not value.strip().strip('"'):
        raise bad_request(f'Unsupported filter {text!r}: the emulator filters sessions on user_id="ID" only')
    return value.strip().strip('"')
