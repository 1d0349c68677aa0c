"""Questions to ask next after an answer, built from the index around the conversation's last topic.

Candidates are what the index can answer (its FAQ titles and menu pages, ``knowledge.topics``) and the rules
engine's topics whose rule passages the index holds; they are ranked by how close their passage is to the
last question (the retriever's own ranking, the last answer's citations first) and only related ones are
offered. Nothing the conversation already asked or was answered with comes back: no passage any turn cited,
no passage that is the best match of any earlier message, no tool any turn ran, no text the user sent. Each
suggestion is in the page's language: index questions only from passages in that language, topics in our
own wording of the engine's tools. A suggestion is offered only when the assistant answers it (asked unsaved,
on nobody's behalf): a button that leads to a refusal suggests nothing."""

from __future__ import annotations

import math
import unicodedata
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any, Literal

from knowledge import QueryError
from knowledge.topics import names_in, suggestions as index_suggestions

from .planning import TOPICS
from .understanding.values import BARE_QUESTIONS

RELATED = 10  # passages of the last question's search that count as its neighbourhood
EARLIER = 20  # earlier messages whose best passage is looked up (each is one search)
# Whether a candidate is answered, per build (the candidates are the index's own titles and the tools' topics,
# a fixed set per build, so each is asked once per worker, not after every answer).
_ANSWERED: OrderedDict[tuple[str, str], bool] = OrderedDict()
_ANSWERED_MAX = 4096


def tool_question(tool: str, language: Literal["zh", "en"]) -> str | None:
    """A rules-engine tool's topic as a question, in our wording (None for a tool without one)."""
    if tool in TOPICS:  # noun phrases ("when the partner bill is generated")
        zh, en = TOPICS[tool]
        return f"{zh}是怎样规定的?" if language == "zh" else f"What do the rules say about {en}?"
    if tool in BARE_QUESTIONS and BARE_QUESTIONS[tool][1].startswith(("can ", "does ", "is ")):  # yes/no questions
        zh, en = BARE_QUESTIONS[tool]
        return zh + "?" if language == "zh" else en[:1].upper() + en[1:] + "?"
    return None


def _search(bot: Any, text: str, k: int) -> list[Any]:
    try:
        return bot.retriever.search(text, k).hits
    except QueryError:  # a message search cannot take (blank once normalised): nothing to learn from it
        return []


def _answered(bot: Any, question: str, now: datetime) -> bool:
    key = (bot.index.active_collection, question)
    if key not in _ANSWERED:
        _ANSWERED[key] = not bot.answer(question, now=now, unsaved=True).abstained
        while len(_ANSWERED) > _ANSWERED_MAX:
            _ANSWERED.popitem(last=False)
    return _ANSWERED[key]


def _names(bot: Any, language: str) -> dict[str, str]:
    """The names in ``language`` the index's own documents give its terms (per build)."""
    key = (bot.index.active_collection, "names", language)
    if key not in _NAMES:
        _NAMES[key] = names_in(language, bot.index.folds(), bot.index.chunks)
        while len(_NAMES) > 8:
            _NAMES.pop(next(iter(_NAMES)))
    return _NAMES[key]


_NAMES: dict[tuple[str, str, str], dict[str, str]] = {}


def starters(bot: Any, language: Literal["zh", "en"] | None, limit: int = 12) -> list[dict[str, Any]]:
    """Questions a new conversation can start with, in the page's ``language``: the index's FAQ titles and menu
    pages written in it (or named in it by the documents themselves), then the rules engine's topics in our own
    wording when the rule passages are indexed and the question is answered. Only when nothing can be said in
    that language, the other language's examples, each naming its language (the page says which)."""
    chunks = bot.index.chunks
    if language is None:
        return index_suggestions(chunks, limit)
    picked = index_suggestions(chunks, limit, language, _names(bot, language))
    now = datetime.now(timezone.utc)
    for name, tool in bot.tools.items():
        if len(picked) >= limit:
            break
        question = tool_question(name, language)
        if question is None or not tool.routed or not bot.planner.rule_chunks(name):
            continue
        if _answered(bot, question, now):
            picked.append({"question": question, "topic": None, "chunk_id": None, "menu_path": None,
                           "language": language})
    return picked or index_suggestions(chunks, limit)


def _key(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def next_questions(bot: Any, turns: list[tuple[str, dict[str, Any]]], language: Literal["zh", "en"],
                   limit: int = 3) -> list[dict[str, Any]]:
    """Up to ``limit`` next questions after ``turns`` (each the user's message and the answer as served)."""
    if not turns:
        return []
    asked = {_key(message) for message, _ in turns}
    seen = {c["chunk_id"] for _, answer in turns for c in answer.get("citations") or []}
    ran = {c["name"] for _, answer in turns for c in answer.get("tool_calls") or []}
    for message, _ in turns[-EARLIER:]:  # a passage that best answers an earlier message repeats it, cited or not
        seen.update(h.chunk.id for h in _search(bot, message, 1))
    last_message, last = turns[-1]
    rank: dict[str, float] = {c["chunk_id"]: 0 for c in last.get("citations") or []}
    for hit in _search(bot, last_message, RELATED):
        rank.setdefault(hit.chunk.id, hit.rank)
    picks: list[tuple[float, str, str | None]] = []
    # only the neighbourhood can be offered, so only its passages are read (not the whole index)
    chunks = [c for c in (bot.index.chunk(i) for i in rank) if c is not None and c.language == language]
    for s in index_suggestions(chunks, len(chunks) or 1, language, _names(bot, language)):
        if s["chunk_id"] in seen:
            continue
        text = s["question"] or (f"{s['topic']}在哪里查看?" if language == "zh" else f"Where do I find {s['topic']}?")
        picks.append((rank.get(s["chunk_id"], math.inf), text, s["chunk_id"]))
    for name, tool in bot.tools.items():
        question = tool_question(name, language)
        if question is None or name in ran or not tool.routed:
            continue
        passages = bot.planner.rule_chunks(name)
        if not passages or passages <= seen:
            continue
        picks.append((min(rank.get(c, math.inf) for c in passages), question, None))
    out: list[dict[str, Any]] = []
    now = datetime.now(timezone.utc)
    for place, text, chunk_id in sorted(picks, key=lambda p: p[0]):
        if math.isinf(place) or len(out) >= limit:
            break
        if _key(text) in asked or any(_key(text) == _key(o["question"]) for o in out):
            continue
        if not _answered(bot, text, now):
            continue
        out.append({"question": text, "chunk_id": chunk_id, "language": language})
    return out
