"""The assistant: route to the rules engine and retrieval, fill details over turns, compose cited answers."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from knowledge import KnowledgeIndex, Retriever, make_client, make_embedder
from knowledge.calendars import load_calendar
from knowledge.lexical import to_simplified, tokenize
from tools import TOOLS, Tool, ToolInputError
from tools.workdays import CalendarData

from .answer import Answer, Citation, ToolCall, check_now
from .evidence import DEFAULT_POLICY, SupportPolicy, gather_evidence
from .evidence.support import english_terms
from .compose import check_numbers, explanation, notes_line, rule_citations, rule_lines, steps_lines
from .extractive import compose as compose_extractive
from .extractive import is_procedural
from .language import Variant, detect, localise
from .llm import LLMAnswerer, init_model
from .planning import CHOICES, FOLLOW_UPS, Plan, plan
from .routing import ToolRouter
from .sessions import SessionState, SessionStore
from .settings import Settings
from .slots import Slots, extract

_ABSTAIN_ZH = ("抱歉,伙伴中心规则资料中没有足以回答这个问题的内容,我不作猜测。"
               "我可以回答:激励合并开票、PO与Offering关联及考核口径、伙伴账单生成时间、业绩数据可查看时间、"
               "客户消费可查询范围、储值卡业绩、商机报备权限、客户订单可见范围、错误码,以及相关菜单路径。"
               "其他问题请联系华为云客服或您的华为对接人。")
_ABSTAIN_EN = ("Sorry, the Partner Center rules I have do not support an answer to this, and I will not guess. "
               "I can answer about merging incentives on invoices, PO offering linkage and assessment scope, when "
               "partner bills are generated, when performance data becomes visible, how far back customer "
               "consumption can be queried, stored-value-card performance, opportunity registration permissions, "
               "order visibility, error codes, and where these are in the menus. For anything else, contact "
               "Huawei Cloud customer service or your Huawei contact.")

_TASK_NOTE_EN = "I answer questions about the Partner Center rules; I do not write, translate or summarise text. "
_TASK_NOTE_ZH = "我只回答伙伴中心规则方面的问题,不做写作、翻译或总结。"
_KIND_NAMES = {"duration": ("a time frame", "时长或期限"), "frequency": ("a frequency", "频次"),
               "money": ("a price or fee", "金额或费用"), "rate": ("a rate or percentage", "比例或费率"),
               "limit": ("a limit", "上限或限制")}


def _unstated_note(kinds: tuple[str, ...], variant: Variant) -> str:
    if variant == "en":
        return f"The rules I found on this topic state no {' or '.join(_KIND_NAMES[k][0] for k in kinds)}. "
    return localise(f"我找到的相关规则没有写明{'或'.join(_KIND_NAMES[k][1] for k in kinds)}。", variant)


# A short message that only adds a detail ("那8月的呢?", "5月8日那天", "都是单独申请的") continues the
# conversation's tool instead of starting a new topic.
_CONTINUATION = re.compile(r"^(那|那么|如果|要是|换成|改成|what about|and |how about|if )|呢[??]?$|^.{0,14}$", re.I)


@dataclass
class _Outcome:
    sections: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    calls: list[ToolCall] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    follow_up: str | None = None
    choices: list[str] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    last: dict[str, Any] | None = None

    def cite(self, citations: list[Citation]) -> None:
        """Add citations once each; their text becomes a source the number check accepts."""
        seen = {c.chunk_id for c in self.citations}
        for citation in citations:
            if citation.chunk_id not in seen:
                seen.add(citation.chunk_id)
                self.citations.append(citation)
        self.sources.extend(c.text for c in citations)


class Assistant:
    """Cheap to construct; the index, models and database open on first use (or ``warm_up``)."""

    def __init__(self, retriever: Retriever, sessions: SessionStore | None = None,
                 router: ToolRouter | None = None, llm: Any = None,
                 tools: dict[str, Tool] | None = None, support_policy: SupportPolicy = DEFAULT_POLICY) -> None:
        self.retriever = retriever
        self.tools = tools or TOOLS
        self.support_policy = support_policy
        self.sessions = sessions
        self.calendar: CalendarData | None = None  # imported official schedules (calendar import)
        self.llm = LLMAnswerer(llm, retriever) if llm is not None else None
        self.router = router or ToolRouter(
            retriever.index.embedder, tools=self.tools,
            vocabulary=lambda: retriever.index.lexical().vocabulary)

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        client = make_client(settings.data_dir, settings.chroma_url)
        index = KnowledgeIndex(client, make_embedder(settings.embedder), namespace=settings.namespace)
        store = SessionStore(settings.resolved_database_url(), ttl=timedelta(hours=settings.session_ttl_hours))
        llm = init_model(settings.llm_model, settings.llm_base_url, settings.llm_api_key) if settings.llm_model else None
        bot = cls(Retriever(index, mode=settings.retrieval_mode), store, llm=llm)
        bot.calendar = load_calendar(settings.data_dir)
        return bot

    @property
    def index(self) -> KnowledgeIndex:
        return self.retriever.index

    def warm_up(self) -> None:
        self.index.warm_up()
        self.retriever.search("伙伴账单", k=1)
        self.router.scores("伙伴账单什么时候生成")
        english_terms(tokenize("When is the partner bill generated?"), self.index.lexical())  # loads CC-CEDICT

    # ---- the turn ---------------------------------------------------------------------------
    def answer(self, message: str, session_id: str | None = None, now: datetime | None = None,
               *, answer_id: str | None = None, owner: str | None = None) -> Answer:
        """Answer one turn. ``answer_id`` (optional) is stored with the turn so feedback can refer to it;
        ``owner`` (the API's caller) scopes the session: another owner's id is a different session."""
        now = check_now(now or datetime.now(timezone.utc))
        variant = detect(message)
        language = "en" if variant == "en" else "zh"
        # Every answer belongs to a session; a caller without one gets a new id to continue with.
        session_id = session_id or uuid.uuid4().hex
        state = SessionState(session_id, None, None, 0)
        if self.sessions is not None:
            state = self.sessions.load(session_id, now, owner)
        slots = extract(message, now)
        understood = tuple(to_simplified(span).lower() for span in slots.spans)
        evidence = gather_evidence(message, language=language, retriever=self.retriever, understood=understood,
                                   policy=self.support_policy)
        result = evidence.search
        # Instructions and questions whose topic the corpus lacks are refused before any tool runs:
        # "激励提现" mentions incentives but is not an invoicing question.
        vetoed = evidence.reason in {"instruction", "task", "uncovered_terms", "unstated"}
        best = evidence.best.chunk.id if evidence.best else None
        outcome = None if vetoed else self._with_tools(message, variant, now, state, slots,
                                                       asks_about=None if evidence.supported else best)
        if outcome is None:
            if not evidence.supported:
                text = _ABSTAIN_EN if variant == "en" else localise(_ABSTAIN_ZH, variant)
                if evidence.missing_kind:  # say what is missing: the topic is covered, the answer is not
                    text = _unstated_note(evidence.missing_kind, variant) + text
                elif evidence.reason == "task":
                    text = (_TASK_NOTE_EN if variant == "en" else localise(_TASK_NOTE_ZH, variant)) + text
                answer = Answer(answer=text, abstained=True, language=language, session_id=session_id)
                self._save(state, now, message, answer, None, state.last, answer_id)
                return answer
            text, citations = compose_extractive(message, result, variant)
            outcome = _Outcome(sections=[text], citations=citations, sources=[c.text for c in citations],
                               last=state.last)
        text = "\n\n".join(outcome.sections)
        check_numbers(text, outcome.sources)
        answer = Answer(answer=text, abstained=False, citations=outcome.citations, tool_calls=outcome.calls,
                        follow_up=outcome.follow_up, follow_up_choices=outcome.choices,
                        language=language, session_id=session_id)
        if self.llm is not None and outcome.follow_up is None:
            # The model may phrase the answer; it is accepted only if its citations and numbers check out.
            answer = self.llm.answer(message, "English" if variant == "en" else "Chinese", now, answer)
        self._save(state, now, message, answer, outcome.pending, outcome.last, answer_id)
        return answer

    def _save(self, state: SessionState, now: datetime, message: str, answer: Answer,
              pending: dict[str, Any] | None, last: dict[str, Any] | None, answer_id: str | None) -> None:
        if self.sessions is None:
            return
        self.sessions.save_turn(state.id, now, message, answer.answer, answer.model_dump(mode="json"), pending, last,
                                answer_id, state.owner)

    # ---- tools ------------------------------------------------------------------------------
    def _select(self, message: str, state: SessionState, slots: Slots,
                now: datetime) -> list[tuple[str, dict[str, Any]]]:
        """Tools for this turn with what earlier turns carried for each."""
        def complete(tool: str) -> bool:
            candidate = plan(tool, message, slots, now, None)
            return candidate.applicable and candidate.complete and tool != "menu_path_lookup"

        scored = self.router.scores(message)
        routes = [r.tool for r in self.router.route(message, evidence=complete, scored=scored)]
        if is_procedural(message) and "menu_path_lookup" not in routes:
            # "How do I view X" wants the steps even when a rule tool scores higher.
            menu = next((r for r in scored if r.tool == "menu_path_lookup"), None)
            if menu and menu.lexical > 0 and menu.score >= self.router.threshold:
                routes.append("menu_path_lookup")
        earlier = state.pending or state.last
        if earlier and (not routes or routes == [earlier["tool"]] or
                        (_CONTINUATION.search(message.strip()) and earlier["tool"] in routes)):
            return [(earlier["tool"], earlier.get("carried", {}))]
        if earlier and not routes:
            return []
        return [(name, {}) for name in routes]

    def _with_tools(self, message: str, variant: Variant, now: datetime,
                    state: SessionState, slots: Slots, asks_about: str | None = None) -> _Outcome | None:
        """Tool answers for this turn. ``asks_about`` is set when retrieval found no support: then a
        tool missing a detail asks for it only if its rule is that best chunk; otherwise the follow-up
        question would pretend the topic is covered ("cancel a payment request" is not invoice merging)."""
        selected = self._select(message, state, slots, now)
        if not selected:
            return None
        plans = [plan(name, message, slots, now, carried) for name, carried in selected]
        plans = [p for p in plans if p.applicable]
        if is_procedural(message) and any(p.complete for p in plans):
            plans = [p for p in plans if p.complete]  # answer the "how", do not ask for details
        if asks_about is not None:
            plans = [p for p in plans if p.complete or asks_about in self._rule_chunks(p.tool)]
        if not plans:
            return None
        outcome = _Outcome()
        for tool_plan in plans:
            if not tool_plan.complete:
                self._ask(tool_plan, variant, outcome)
            else:
                self._run(tool_plan, variant, outcome, slots.notes_zh, slots.notes_en)
        return outcome if outcome.sections else None

    def _rule_chunks(self, tool: str) -> set[str]:
        return {c.chunk_id for c in rule_citations(self.index, self.tools[tool].rules)}

    def _ask(self, tool_plan: Plan, variant: Variant, outcome: _Outcome) -> None:
        """A required detail is missing: state the general rule (cited) and ask one question."""
        tool = self.tools[tool_plan.tool]
        rules = [r for r in tool.rules if not r.startswith("menu.")]
        citations = rule_citations(self.index, rules)
        zh_q, en_q = FOLLOW_UPS[(tool_plan.tool, tool_plan.missing)]
        question = en_q if variant == "en" else localise(zh_q, variant)
        lines = rule_lines(citations, variant)
        lines.append(question)
        outcome.sections.append("\n".join(lines))
        outcome.cite(citations)
        if outcome.follow_up is None:
            outcome.follow_up = question
            zh_choices, en_choices = CHOICES.get((tool_plan.tool, tool_plan.missing), ((), ()))
            outcome.choices = list(en_choices) if variant == "en" else [localise(c, variant) for c in zh_choices]
        outcome.pending = {"tool": tool_plan.tool, "carried": tool_plan.carried, "missing": tool_plan.missing}

    def _run(self, tool_plan: Plan, variant: Variant, outcome: _Outcome,
             slot_notes_zh: list[str], slot_notes_en: list[str]) -> None:
        try:
            arguments = tool_plan.arguments
            if self.calendar is not None and "calendar" in self.tools[tool_plan.tool].input_model.model_fields:
                arguments = {**arguments, "calendar": self.calendar}
            result = self.tools[tool_plan.tool].run(arguments)
        except ToolInputError as exc:
            # The text held a value the rule cannot take (a future look-back start, 2026-13 ...): say so.
            message = "; ".join(e["msg"] for e in exc.errors)
            outcome.sections.append(("I could not apply the rule to that: " if variant == "en"
                                     else localise("无法按该条件计算:", variant)) + message)
            outcome.sources.append(message)
            return
        payload = result.model_dump(mode="json")
        if payload.get("found") == "no":
            return  # a lookup that found nothing adds nothing; retrieval answers instead
        outcome.calls.append(ToolCall(name=tool_plan.tool, arguments=tool_plan.arguments, result=payload))
        citations = rule_citations(self.index, result.rule_refs)
        lines = [explanation(result, variant)]
        lines.extend(steps_lines(payload, variant))
        note = notes_line(tool_plan.notes_zh + slot_notes_zh, tool_plan.notes_en + slot_notes_en, variant)
        if note:
            lines.append(note)
            outcome.sources.append(note)  # our reading of the message (8月 -> 2026-08): its numbers are sourced
        lines.extend(rule_lines(citations, variant))
        outcome.sections.append("\n".join(lines))
        outcome.cite(citations)
        outcome.sources.append(str(payload))
        outcome.last = {"tool": tool_plan.tool, "carried": tool_plan.carried}
