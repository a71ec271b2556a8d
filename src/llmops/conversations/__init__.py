"""Conversation history: `chat` sends a message with the conversation so far (cut to a budget
by a `HistoryPolicy`), stores both turns content-addressed, and returns the reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.types import GenerationConfig, Prediction
from .base import ConversationStore, Message, parse_age
from .history import STRATEGIES, HistoryPolicy, select
from .store import LocalConversationStore
from .stores import open_store, store_classes

if TYPE_CHECKING:
    from ..core.session import Session
    from ..rag.grounding import GroundedAnswer

__all__ = [
    "STRATEGIES",
    "ChatReply",
    "ConversationStore",
    "HistoryPolicy",
    "LocalConversationStore",
    "Message",
    "chat",
    "open_store",
    "parse_age",
    "store_classes",
]


@dataclass(frozen=True)
class ChatReply:
    """One exchange: the conversation, the stored message ids, the prediction and, when
    grounded, the grounding."""

    conversation: str
    user_message: str
    model_message: str | None
    prediction: Prediction
    history_turns_left_out: int
    grounded: GroundedAnswer | None = None

    def to_dict(self) -> dict[str, Any]:
        out = self.grounded.to_dict() if self.grounded else self.prediction.to_dict()
        out.update(
            conversation=self.conversation,
            user_message=self.user_message,
            model_message=self.model_message,
            history_turns_left_out=self.history_turns_left_out,
        )
        return out


def chat(
    session: Session,
    message: str,
    *,
    cid: str | None = None,
    continue_latest: bool = False,
    model: str | None = None,
    system: str | None = None,
    ground: str | None = None,
    policy: HistoryPolicy | None = None,
    store: ConversationStore | None = None,
) -> ChatReply:
    """Send `message` in conversation `cid` (or the latest, or a new one) and store the turn."""
    from ..core import monitoring
    from ..core.errors import DataError

    if not message.strip():
        raise DataError("the message is empty", fix="type something to send")
    own = store is None
    store = store or open_store(session)
    try:
        if continue_latest and cid is None:
            cid = store.latest()
        if cid is None:
            # The conversation keeps the model it started with, named, not "the default": a
            # later change of base_model must not switch models mid-conversation.
            cid = store.create(model=model or session.settings.base_model, system=system, ground=ground)
        conv = store.get(cid)
        model = model or conv["model"]
        system = system or conv["system"]
        ground = ground or conv["ground"]
        policy = policy or HistoryPolicy()
        gen = GenerationConfig(system_instruction=system)

        def summarize(text: str) -> str:
            p = monitoring.predict(session, f"Summarise this conversation in a few sentences:\n{text}", model=model)
            return " ".join(p.text.split())

        history, left_out = select(store.messages(cid), policy, summarize)
        prefix = f"{history}\n\n" if history else ""
        grounded = None
        if ground:
            from ..rag import assess, build_prompt, open_corpus
            from ..rag.grounding import GroundedAnswer

            chunks = open_corpus(session, ground).search(message, 5)
            prediction = monitoring.predict(
                session, prefix + build_prompt(message, chunks), model=model, generation=gen
            )
            report = assess("" if prediction.blocked else prediction.text, [c.text for c in chunks])
            grounded = GroundedAnswer(prediction, message, ground, chunks, report)
        else:
            prompt = f"{prefix}User: {message}\nModel:" if history else message
            prediction = monitoring.predict(session, prompt, model=model, generation=gen)
        user_id = store.append(cid, "user", message)
        model_id = None if prediction.blocked else store.append(cid, "model", prediction.text, prediction.model)
        return ChatReply(cid, user_id, model_id, prediction, left_out, grounded)
    finally:
        if own:
            store.close()
