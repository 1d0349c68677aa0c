"""Answer a conversation whose whole history the client sends (as OpenAI-style clients do).

The state of a conversation (the pending follow-up, the last tool and what it carried) is derived by
replaying the history's earlier user turns through the deterministic pipeline, in memory, with the
same clock as the new turn: the same history always gives the same state, with no server-side
session id to keep, and after a restart or on another worker. The client's assistant turns are not
trusted for state (a client can edit them); they only count for what the new turn is recorded under.
Replays never call the LLM and are never stored; only the new turn is recorded, in a session named
after the conversation's first user message.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from knowledge import QueryError

from .answer import Answer
from .service import Assistant
from .sessions import SessionState


class HistoryError(ValueError):
    """An earlier turn of the history cannot be replayed; ``index`` is its position among the user turns."""

    def __init__(self, index: int, cause: Exception) -> None:
        super().__init__(str(cause))
        self.index = index
        self.cause = cause


class _MemorySessions:
    """Sessions held in a dict for one replay. Like the real store, it keeps what ``save_turn`` is given
    for the state's fields (pending, last, and whatever the state gains, e.g. the dialogue state), and
    passes it through JSON as a database would."""

    def __init__(self) -> None:
        self.states: dict[str, SessionState] = {}

    def load(self, session_id: str, now: datetime, owner: str | None = None) -> SessionState:
        return self.states.get(session_id) or SessionState(session_id, None, None, 0)

    def save_turn(self, session_id: str, now: datetime, message: str, answer: str, payload: dict[str, Any],
                  pending: dict[str, Any] | None, last: dict[str, Any] | None, answer_id: str | None = None,
                  owner: str | None = None, **state: Any) -> None:
        fields = {f.name for f in dataclasses.fields(SessionState)} - {"id", "turns", "owner"}
        kept = {k: v for k, v in {"pending": pending, "last": last, **state}.items() if k in fields}
        earlier = self.load(session_id, now)
        self.states[session_id] = dataclasses.replace(earlier, turns=earlier.turns + 1,
                                                      **json.loads(json.dumps(kept, default=str)))


class _Seeded:
    """The real store, except that the recorded session starts from the replayed state."""

    def __init__(self, store: Any, session_id: str, state: SessionState) -> None:
        self.store, self.session_id, self.state = store, session_id, state

    def load(self, session_id: str, now: datetime, owner: str | None = None) -> SessionState:
        if session_id != self.session_id:
            return self.store.load(session_id, now, owner)
        return dataclasses.replace(self.state, id=session_id, owner=owner)

    def save_turn(self, *args: Any, **kwargs: Any) -> None:
        self.store.save_turn(*args, **kwargs)


def _twin(bot: Assistant, sessions: Any, with_llm: bool) -> Assistant:
    """The same assistant (retriever, router, tools, policy, calendar: everything it is configured with)
    over other sessions; the LLM only when asked. A shallow copy shares all of it, as the bot itself would."""
    twin = copy.copy(bot)
    twin.sessions = sessions
    twin.llm = bot.llm if with_llm else None
    return twin


def replay(bot: Assistant, earlier: Sequence[str], now: datetime) -> SessionState:
    """The state after answering ``earlier`` user turns in order (in memory, no LLM)."""
    memory = _MemorySessions()
    twin = _twin(bot, memory, with_llm=False)
    for index, message in enumerate(earlier):
        try:
            twin.answer(message, "replay", now)
        except (QueryError, ValueError) as exc:  # too long, empty and the like: name the turn
            raise HistoryError(index, exc) from exc
    return memory.load("replay", now)


def conversation_id(scope: Sequence[str], first_message: str) -> str:
    """The session a conversation's turns are recorded under: its scope (e.g. model and end user) and
    first user message. Only a record: the state never comes from it."""
    digest = hashlib.sha256(json.dumps([*scope, first_message], ensure_ascii=False).encode()).hexdigest()
    return "conv-" + digest[:40]


def answer_history(bot: Assistant, user_turns: Sequence[str], now: datetime, *, scope: Sequence[str] = (),
                   owner: str | None = None, answer_id: str | None = None, with_llm: bool = False) -> Answer:
    """Answer the last of ``user_turns`` in the state the earlier ones lead to."""
    if not user_turns:
        raise ValueError("the history holds no user message")
    state = replay(bot, user_turns[:-1], now)
    session_id = conversation_id(scope, user_turns[0])
    store = _Seeded(bot.sessions if bot.sessions is not None else _MemorySessions(), session_id, state)
    return _twin(bot, store, with_llm).answer(user_turns[-1], session_id, now, answer_id=answer_id, owner=owner)
