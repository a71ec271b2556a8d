"""The `agent-engine` conversation store: chat history in Vertex AI Agent Engine sessions,
through `vertexai.Client().agent_engines.sessions`.

A conversation is a session (its id is the session's id); its `sessionState` holds the model,
system instruction, corpus and the conversation it was forked from; each message is an event
(`author` user or model, `content`, the answering model in `eventMetadata.customMetadata`).
Message ids are the same content hashes as the local store's, computed from the events in
order. Agent Engine has no shared history between sessions, so a fork copies the events up to
the fork point into a new session (same ids, stored twice: the local store stores them once).
"""

from __future__ import annotations

import getpass
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ...conversations.base import ConversationStore, Message, message_id, pick_message
from ...core.errors import ConfigError, NotFoundError
from .clients import EMULATOR_TOKEN, _endpoint, check_reachable, gcp_settings, project_and_credentials
from .plugin import AgentEngineSettings

if TYPE_CHECKING:
    from ...core.config import Settings
    from ...core.session import Session

_STATE_KEYS = ("model", "system", "ground", "forked_from")


def vertexai_client(settings: Settings) -> Any:
    """A `vertexai.Client` for the profile; on an endpoint, its base URL and a static token."""
    import warnings

    from google.genai import types

    with warnings.catch_warnings():
        # google-cloud-aiplatform 2.x announces the `agentplatform.Client` rename, whose
        # sessions are `client.sessions`; the `vertexai` name works from 1.x on.
        warnings.filterwarnings("ignore", "The vertexai.Client class is deprecated", FutureWarning)
        from vertexai import Client

        gcp = gcp_settings(settings)
        if endpoint := _endpoint(settings):
            import google.oauth2.credentials

            check_reachable(endpoint)
            return Client(
                project=gcp.project or "llmops-emulated",
                location=gcp.location,
                credentials=google.oauth2.credentials.Credentials(token=EMULATOR_TOKEN),
                http_options=types.HttpOptions(base_url=endpoint),
            )
        project, credentials = project_and_credentials(settings)
        return Client(project=project, location=gcp.location, credentials=credentials)


def engine_name(settings: Settings) -> str:
    """`projects/P/locations/L/reasoningEngines/ID` from the `agent_engine.id` setting."""
    gcp = gcp_settings(settings)
    engine = settings.section(AgentEngineSettings).id or ("1" if _endpoint(settings) else None)
    if not engine:
        raise ConfigError(
            f"profile {settings.profile!r} names no Agent Engine for the conversation store",
            fix=f"set id in [profiles.{settings.profile}.agent_engine] (or LLMOPS_AGENT_ENGINE_ID) to a "
            "reasoning engine id, or store = 'local' in [profiles.NAME.conversations]",
        )
    if "/" in engine:
        return engine
    project = gcp.project or ("llmops-emulated" if _endpoint(settings) else project_and_credentials(settings)[0])
    return f"projects/{project}/locations/{gcp.location}/reasoningEngines/{engine}"


def _stamp(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return str(value or "")


class AgentEngineConversationStore(ConversationStore):
    """Conversations as Agent Engine sessions, one event per message."""

    name = "agent-engine"
    description = "Vertex AI Agent Engine sessions (reasoningEngines/*/sessions, one event per message)"

    @classmethod
    def open(cls, session: Session) -> AgentEngineConversationStore:
        return cls(session.settings)

    def __init__(self, settings: Settings):
        self.engine = engine_name(settings)
        self.user = settings.section(AgentEngineSettings).user or _user()
        self.client = vertexai_client(settings)
        self.sessions = self.client.agent_engines.sessions

    def _name(self, cid: str) -> str:
        if not cid.isdigit():
            raise NotFoundError(f"no conversation {cid!r}", fix="see `llmops conversations list`")
        return f"{self.engine}/sessions/{cid}"

    def _session(self, cid: str) -> Any:
        from google.genai import errors

        try:
            return self.sessions.get(name=self._name(cid))
        except errors.ClientError as exc:
            if exc.code == 404:
                raise NotFoundError(f"no conversation {cid!r}", fix="see `llmops conversations list`") from None
            raise

    @staticmethod
    def _row(s: Any) -> dict[str, Any]:
        state = s.session_state or {}
        return {
            "id": s.name.rsplit("/", 1)[-1],
            **{k: state.get(k) for k in _STATE_KEYS},
            "created": _stamp(s.create_time),
            "updated": _stamp(s.update_time),
        }

    def create(self, *, model: str | None = None, system: str | None = None, ground: str | None = None) -> str:
        return self._create({"model": model, "system": system, "ground": ground})

    def _create(self, state: dict[str, Any]) -> str:
        op = self.sessions.create(
            name=self.engine,
            user_id=self.user,
            config={"display_name": "llmops chat", "session_state": {k: v for k, v in state.items() if v}},
        )
        return op.response.name.rsplit("/", 1)[-1]

    def get(self, cid: str) -> dict[str, Any]:
        return self._row(self._session(cid))

    def _listed(self) -> list[Any]:
        found = self.sessions.list(name=self.engine, config={"filter": f'user_id="{self.user}"'})
        return sorted(found, key=lambda s: _stamp(s.update_time), reverse=True)

    def latest(self) -> str:
        listed = self._listed()
        if not listed:
            raise NotFoundError("there is no conversation to continue", fix='start one with llmops chat "<message>"')
        return listed[0].name.rsplit("/", 1)[-1]

    def _events(self, cid: str) -> list[Any]:
        self._session(cid)
        return list(self.sessions.events.list(name=self._name(cid)))

    def messages(self, cid: str) -> list[Message]:
        out: list[Message] = []
        for e in self._events(cid):
            text = "".join(p.text or "" for p in (e.content.parts if e.content else None) or [])
            parent = out[-1].id if out else None
            meta = (e.event_metadata.custom_metadata if e.event_metadata else None) or {}
            out.append(
                Message(
                    message_id(parent, e.author, text), parent, e.author, text, meta.get("model"), _stamp(e.timestamp)
                )
            )
        return out

    def append(self, cid: str, role: str, text: str, model: str | None = None) -> str:
        before = self.messages(cid)
        self._append(cid, role, text, model)
        return message_id(before[-1].id if before else None, role, text)

    def _append(self, cid: str, role: str, text: str, model: str | None) -> None:
        config: dict[str, Any] = {"content": {"role": role, "parts": [{"text": text}]}}
        if model:
            config["event_metadata"] = {"custom_metadata": {"model": model}}
        self.sessions.events.append(
            name=self._name(cid),
            author=role,
            invocation_id=uuid.uuid4().hex,
            timestamp=datetime.now(UTC),
            config=config,
        )

    def fork(self, cid: str, at: str | None = None) -> str:
        src = self.get(cid)
        messages = self.messages(cid)
        if at is not None:
            keep = pick_message(messages, at, cid)
            messages = messages[: messages.index(keep) + 1]
        new = self._create({**{k: src[k] for k in ("model", "system", "ground")}, "forked_from": cid})
        for m in messages:
            self._append(new, m.role, m.text, m.model)
        return new

    def all(self) -> list[dict[str, Any]]:
        out = []
        for s in self._listed():
            row = self._row(s)
            msgs = self.messages(row["id"])
            first = next((m.text for m in msgs if m.role == "user"), "")
            out.append({**row, "messages": len(msgs), "first": first})
        return out

    def delete(self, cid: str | None = None, *, older_than: timedelta | None = None) -> list[str]:
        if cid is not None:
            self._session(cid)
            ids = [cid]
        elif older_than is not None:
            cutoff = (datetime.now(UTC) - older_than).isoformat(timespec="microseconds")
            ids = [self._row(s)["id"] for s in self._listed() if _stamp(s.update_time) < cutoff]
        else:
            raise ConfigError("nothing to delete", fix="pass a conversation id or --older-than")
        for i in ids:
            self.sessions.delete(name=self._name(i))
        return ids


def _user() -> str:
    try:
        return getpass.getuser() or "llmops"
    except (KeyError, OSError):
        return "llmops"
