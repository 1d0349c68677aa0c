"""Dialogue state, stored with the session, and the move each message makes.

State (typed, JSON in the session row): the tool waiting for a detail and what is filled so far, the
last tool result, the last topic with its citations and menu paths, and the facts the user stated
about themselves (their time zone, their role) which hold across topics.

Moves, decided from what the message itself says (its tools, the details it supplies, whether it names
a topic of its own) and the state:

- ``continue``: fills a detail the pending tool asked for;
- ``modify``: changes a detail of the last result and recomputes;
- ``switch``: another topic; starts fresh and never re-runs the earlier tool;
- ``refer_back``: where / which menu for the last topic;
- ``convert``: the last result in another time zone or language;
- ``unclear``: a bare continuation ("那10月的呢?") with nothing to continue: ask what it refers to;
- ``new``: the first question of a conversation, or one with no state to relate to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..answer import Move
from ..language import Variant

# Facts about the user rather than about one question: they carry over to a new topic.
USER_FACTS = ("timezone", "role")


class PendingTool(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tool: str
    filled: dict[str, Any] = Field(default_factory=dict)
    missing: str


class LastResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tool: str
    filled: dict[str, Any] = Field(default_factory=dict)  # the details it ran with
    arguments: dict[str, Any] = Field(default_factory=dict)
    result: dict[str, Any] = Field(default_factory=dict)


class LastTopic(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str
    tools: list[str] = Field(default_factory=list)
    citations: list[str] = Field(default_factory=list)   # chunk ids
    menu_paths: list[str] = Field(default_factory=list)


class DialogueState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    pending: PendingTool | None = None
    result: LastResult | None = None
    # the results of topics left for another, most recent last: "回到刚才那个" / "back to the bill" restores one
    earlier: list[LastResult] = Field(default_factory=list)
    topic: LastTopic | None = None
    facts: dict[str, Any] = Field(default_factory=dict)
    # Details stated outside the questions, per tool (a support case's facts: "The partner is in New York.",
    # "The customer belongs to another sales rep."): every question is read against them as against what
    # earlier turns said; a detail the question states itself wins.
    stated: dict[str, dict[str, Any]] = Field(default_factory=dict)
    held: str | None = None  # an unclear message kept until the next turn says what it refers to
    # chat statements with no question ("我是在东京的", "the customer is under my colleague's name"), kept until
    # the next question, which is read with them
    statements: list[str] = Field(default_factory=list)
    script: Variant | None = None  # the Chinese script the conversation is written in, for script-neutral messages

    @classmethod
    def from_stored(cls, dialogue: dict[str, Any] | None, pending: dict[str, Any] | None = None,
                    last: dict[str, Any] | None = None) -> DialogueState:
        """The stored state; sessions written before it existed keep their pending and last tool."""
        if dialogue:
            return cls.model_validate(dialogue)
        state = cls()
        if pending and pending.get("tool") and pending.get("missing"):
            state.pending = PendingTool(tool=pending["tool"], filled=pending.get("carried") or {},
                                        missing=pending["missing"])
        if last and last.get("tool"):
            state.result = LastResult(tool=last["tool"], filled=last.get("carried") or {})
        return state

    @property
    def empty(self) -> bool:
        return self.pending is None and self.result is None and self.topic is None

    def carried_facts(self, tool: str | None = None) -> dict[str, Any]:
        """What a fresh question's ``tool`` starts from: the details stated for it outside the questions,
        then the facts the user stated about themselves (a zone, a role)."""
        return {**self.stated.get(tool or "", {}), **{k: v for k, v in self.facts.items() if k in USER_FACTS}}


@dataclass(frozen=True)
class Cues:
    """What the message says on its own, as the move decision needs it."""

    routes: tuple[str, ...]                      # tools the router picked for this message alone
    # details this message gives a tool: on its own, or changed against what the tool carries (a bare "503"
    # after a status-code answer is a status)
    supplies: Callable[..., frozenset[str]]
    foreign: Callable[[tuple[str, ...]], frozenset[str]]  # its topic words none of these tools uses
    asks_where: bool                             # where / which menu / how to get there
    zone: str | None = None                      # a time zone it names
    language: Variant | None = None              # a language it asks the answer in
    has_values: bool = False                     # it holds a date, month, time, amount or zone
    follows_up: bool = False                     # phrased as a follow-up ("那…呢", "what about …")
    lone_number: bool = False                    # a correction whose one value is a number with no unit ("改成5")
    bare: bool = False                           # beyond its values, it names no topic any tool covers
    # the evidence supports the message on its own, on a passage none of these tools (nor the last topic) rests on
    elsewhere: Callable[[tuple[str, ...]], bool] = lambda tools: False
    # the words naming a tool's topic (伙伴账单, 订单) that none of these tools uses (the menu tool, which
    # covers every page, counts as using none)
    names: Callable[[tuple[str, ...]], frozenset[str]] = lambda tools: frozenset()
    returns: bool = False                        # it says it goes back to something said before (回到刚才那个)


@dataclass
class Decision:
    move: Move
    tools: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # tool and the details carried
    # the tools are an earlier topic's, restored with its details ("回到刚才那个,10月2号的呢"): a switch back, whose
    # tools are not chosen afresh
    restored: bool = False


def restore(cues: Cues, state: DialogueState) -> LastResult | None:
    """The earlier topic a message going back to one means: the most recent left topic whose tool its
    wording routes to, else the most recent one it gives a detail to, else the most recent one."""
    if not cues.returns or not state.earlier:
        return None
    facts = state.carried_facts()
    earlier = list(reversed(state.earlier))
    return next((r for r in earlier if r.tool in cues.routes), None) or next(
        (r for r in earlier if cues.supplies(r.tool, {**facts, **r.filled})), None) or earlier[0]


def decide(cues: Cues, state: DialogueState) -> Decision:
    routes = cues.routes
    pending, last, topic = state.pending, state.result, state.topic
    facts = state.carried_facts()

    if last is not None and (cues.zone or cues.language) and cues.supplies(last.tool) <= {"timezone"} and (
            cues.bare or (not cues.foreign((last.tool,)) and routes in ((), (last.tool,)))):
        return Decision("convert", [(last.tool, dict(last.filled))])
    # Where is it, right after an answer: the last topic's place, unless the message is about a topic of its
    # own (its wording routes elsewhere and the evidence supports it on another passage). A where-question the
    # evidence cannot place alone ("那在门户哪个页面操作?") is about the topic just answered.
    if topic is not None and cues.asks_where and (cues.bare or (
            not cues.foreign(("menu_path_lookup", *topic.tools)) and not cues.names(tuple(topic.tools)) and (
                set(routes) <= {"menu_path_lookup", *topic.tools} or not cues.elsewhere(("menu_path_lookup", *topic.tools))))):
        return Decision("refer_back")
    # Going back to a topic left for another ("回到刚才那个,10月2号的呢", "back to the bill - September?"): that
    # topic's tool with its details, this message's details changing them; a switch back, not a fresh choice.
    back = restore(cues, state)
    if back is not None:
        return Decision("switch", [(back.tool, {**facts, **back.filled})], restored=True)
    # A message naming nothing beyond the earlier tool's topic goes to that tool even when the router
    # also likes another ("那9月的呢?" after a bill question scores for the look-back too). The details are
    # read against what the tool carries, so a value only the conversation gives a role to counts.
    if pending is not None:
        carried = {**facts, **pending.filled}
        if cues.supplies(pending.tool, carried) and not cues.foreign((pending.tool,)) and _relates(cues, pending.tool):
            return Decision("continue", [(pending.tool, carried)])
    if last is not None:
        carried = {**facts, **last.filled}
        if cues.supplies(last.tool, carried) and not cues.foreign((last.tool,)) and _relates(cues, last.tool):
            # A bare follow-up ("那12月31号的呢?", "如果是11月30号分的呢?") names no topic of its own: a value the
            # last tool takes changes that tool's detail, whichever tool the value alone would suggest.
            return Decision("modify", [(last.tool, carried)])
    if last is not None and cues.bare and cues.lone_number and not cues.supplies(last.tool, {**facts, **last.filled}):
        # a bare number after an answer that no numeric detail of the last tool accepts ("改成5" after a PO
        # answer, a four-digit "status"): ask what it refers to rather than guess a topic for it
        return Decision("unclear")
    if pending is None and last is None and cues.bare and cues.follows_up and (cues.has_values or topic is None):
        return Decision("unclear")  # a follow-up ("那10月的呢?", "what about the 15th?") with nothing to follow
    if pending is None and last is None and cues.bare and cues.asks_where and topic is None:
        return Decision("unclear")  # "在哪里看?" with nothing said before
    move: Move = "new" if state.empty else "switch"
    return Decision(move, [(tool, state.carried_facts(tool)) for tool in routes])


def _relates(cues: Cues, tool: str) -> bool:
    """Is the message about ``tool``'s topic rather than another's? Its wording routes to no other tool, or
    to this one among others, or it is a follow-up ("那…呢", "what if …") that names no topic of its own
    or that the evidence cannot place on another topic's passage."""
    # A bare message gives only a value ("不对,是12月6号", "sorry, I meant the 26th"): whatever the value alone
    # would route to, it is about the topic in hand, phrased as a follow-up or not.
    return set(cues.routes) <= {tool} or tool in cues.routes or cues.bare or (
        cues.follows_up and _unplaced(cues, (tool,)))


def _unplaced(cues: Cues, tools: tuple[str, ...]) -> bool:
    """The message has no topic of its own beside ``tools``': it names no other tool's topic, and the evidence
    does not support it on a passage those tools do not rest on."""
    return not cues.names(tools) and not cues.elsewhere(tools)
