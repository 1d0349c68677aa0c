"""The assistant: route to the rules engine and retrieval, fill details over turns, compose cited answers."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal
from zoneinfo import ZoneInfo

from knowledge import KnowledgeIndex, Retriever, make_client, make_embedder
from knowledge.calendars import load_calendar
from knowledge.durations import asks_for_date, best_duration_rule
from knowledge.lexical import to_simplified, tokenize
from tools import TOOLS, Tool, ToolInputError
from tools.workdays import CalendarData

from .answer import Answer, Citation, ToolCall, check_now
from .compose import (check_numbers, converted_times, explanation, input_errors_text, notes_line, rule_citations,
                      rule_lines, steps_lines)
from .evidence import DEFAULT_POLICY, Evidence, SupportPolicy, gather_evidence
from .extractive import compose as compose_extractive
from .extractive import is_procedural
from .language import Variant, localise
from .llm import LLMAnswerer, init_model
from .planning import CHOICES, FOLLOW_UPS, TOPICS, Plan, plan, topics_taking
from .routing import ToolRouter
from .sessions import SessionState, SessionStore, TurnTimeoutError
from .settings import Settings
from .slots import Slots, extract
from .understanding import (USER_FACTS, Cues, DialogueState, Frame, LastResult, LastTopic, Normalised, PendingTool,
                            asks_how, asks_where, continues, decide, language_request, normalise,
                            particular)

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

MIN_TOPICS = 4  # an index with fewer shared parent topics (the bundled 22 lines) keeps the written list


def _topics_refusal(topics: list[str], variant: Variant) -> str:
    """The refusal for an index with its own topics (quoted as the documents name them)."""
    if variant == "en":
        return ("Sorry, the Partner Center documents I have do not support an answer to this, and I will not "
                f"guess. The indexed documents cover: {'; '.join(topics)}. For anything else, contact Huawei "
                "Cloud customer service or your Huawei contact.")
    return (localise("抱歉,已收录的伙伴中心资料中没有足以回答这个问题的内容,我不作猜测。已收录的主题包括:", variant)
            + "、".join(topics) + localise("。其他问题请联系华为云客服或您的华为对接人。", variant))


_TASK_NOTE_EN = "I answer questions about the Partner Center rules; I do not write, translate or summarise text. "
_TASK_NOTE_ZH = "我只回答伙伴中心规则方面的问题,不做写作、翻译或总结。"
_KIND_NAMES = {"duration": ("a time frame", "时长或期限"), "frequency": ("a frequency", "频次"),
               "money": ("a price or fee", "金额或费用"), "rate": ("a rate or percentage", "比例或费率"),
               "limit": ("a limit", "上限或限制")}


def _unstated_note(kinds: tuple[str, ...], variant: Variant) -> str:
    if variant == "en":
        return f"The rules I found on this topic do not state {' or '.join(_KIND_NAMES[k][0] for k in kinds)}. "
    return localise(f"我找到的相关规则没有写明{'或'.join(_KIND_NAMES[k][1] for k in kinds)}。", variant)


# One question per script for warm_up: what they load, not what they answer, matters.
_WARM_UP = ("8月的伙伴账单什么时候生成?", "帳單什麼時候出?用儲值卡付3000元呢", "When is the partner bill generated for May?")


@dataclass
class _Outcome:
    sections: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    calls: list[ToolCall] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    follow_up: str | None = None
    choices: list[str] = field(default_factory=list)
    pending: PendingTool | None = None
    result: LastResult | None = None
    language: Literal["zh", "en"] | None = None  # set when the answer is rendered in another language

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

    def _refusal(self, variant: Variant) -> str:
        """What a refusal offers instead: the index's own topics, or the written list for the bundled corpus."""
        topics = self.index.topics()
        if len(topics) >= MIN_TOPICS:
            return _topics_refusal(topics, variant)
        return _ABSTAIN_EN if variant == "en" else localise(_ABSTAIN_ZH, variant)

    def warm_up(self) -> None:
        """Load everything a first question needs - the index, the encoder, dictionaries, the POS tagger,
        script conversion - by answering one question per script, unsaved. Lazy loads inside the turn
        would otherwise land on the first real questions, in many threads at once."""
        self.index.warm_up()
        twin = Assistant(self.retriever, None, router=self.router, tools=self.tools,
                         support_policy=self.support_policy)
        for message in _WARM_UP:
            twin.answer(message)
        gather_evidence("When is the partner bill generated?", language="en", retriever=self.retriever)
        if self.sessions is not None:
            self.sessions.load("warm-up", datetime.now(timezone.utc))  # the session queries, compiled once
        extract("东京时间三千元 8月31日", datetime.now(timezone.utc))  # loads cn2an and the CLDR city names

    # ---- the turn ---------------------------------------------------------------------------
    def answer(self, message: str, session_id: str | None = None, now: datetime | None = None,
               *, answer_id: str | None = None, owner: str | None = None, deadline: float | None = None,
               stopped: threading.Event | None = None) -> Answer:
        """Answer one turn. ``answer_id`` (optional) is stored with the turn so feedback can refer to it;
        ``owner`` (the API's caller) scopes the session: another owner's id is a different session;
        past ``deadline`` (``time.monotonic()``), or once ``stopped`` is set (the caller went away: the page's
        Stop), the turn is not saved but raises TurnTimeoutError.

        One way through: normalise -> evidence -> understand (Frame) -> plan and compute -> compose."""
        now = check_now(now or datetime.now(timezone.utc))
        norm = normalise(message)
        variant = norm.variant
        # Every answer belongs to a session; a caller without one gets a new id to continue with.
        session_id = session_id or uuid.uuid4().hex
        stored = SessionState(session_id, None, None, 0)
        if self.sessions is not None:
            stored = self.sessions.load(session_id, now, owner)
        stored.deadline, stored.stopped = deadline, stopped
        state = DialogueState.from_stored(stored.dialogue, stored.pending, stored.last)
        slots = self._read(norm, state, now)
        evidence = self._evidence(norm, slots)
        frame = self._understand(norm, state, now, slots, evidence)
        # Instructions and tasks are refused whatever the conversation; a question whose topic the corpus
        # lacks ("激励提现" mentions incentives but is not an invoicing question) is refused unless it
        # only continues the conversation (it then names no topic of its own).
        relates = frame.move in {"continue", "modify", "refer_back", "convert", "unclear"}
        vetoed = evidence.reason in {"instruction", "task"} or (
            not relates and evidence.reason in {"uncovered_terms", "unstated"})
        best = evidence.best.chunk.id if evidence.best else None
        outcome = None
        if not vetoed and evidence.supported and not relates:
            # The best passage states a duration rule and no hand-written tool's rule: compute from it.
            outcome = self._duration(norm, slots, evidence, variant, best_only=True)
        if outcome is None and not vetoed:
            outcome = self._act(frame, state, now, asks_about=None if evidence.supported or relates else best)
        if outcome is None and not vetoed and evidence.supported:
            outcome = self._duration(norm, slots, evidence, variant)
        if outcome is None:
            if not evidence.supported:
                text = self._refusal(variant)
                if evidence.missing_kind:  # say what is missing: the topic is covered, the answer is not
                    text = _unstated_note(evidence.missing_kind, variant) + text
                elif evidence.reason == "task":
                    text = (_TASK_NOTE_EN if variant == "en" else localise(_TASK_NOTE_ZH, variant)) + text
                answer = Answer(answer=text, abstained=True, language=norm.language, session_id=session_id,
                                move=frame.move)
                state.pending = None  # a refused question leaves nothing to continue
                self._save(stored, now, message, answer, state, answer_id)
                return answer
            text, citations = compose_extractive(message, evidence.search, variant,
                                                 evidence.best.quote if evidence.best else None)
            outcome = _Outcome(sections=[text], citations=citations, sources=[c.text for c in citations])
        text = "\n\n".join(outcome.sections)
        check_numbers(text, outcome.sources)
        answer = Answer(answer=text, abstained=False, citations=outcome.citations, tool_calls=outcome.calls,
                        follow_up=outcome.follow_up, follow_up_choices=outcome.choices,
                        language=outcome.language or norm.language, session_id=session_id, move=frame.move)
        if self.llm is not None and outcome.follow_up is None:
            # The model may phrase the answer; it is accepted only if its citations and numbers check out.
            answer = self.llm.answer(message, "English" if variant == "en" else "Chinese", now, answer)
        self._remember(state, frame, outcome, answer)
        self._save(stored, now, message, answer, state, answer_id)
        return answer

    def _read(self, norm: Normalised, state: DialogueState, now: datetime) -> Slots:
        """Dates, times, zones and amounts in the message (with the unclear message before it, if any)."""
        if state.held:  # its values belong to the topic this turn names
            return extract(normalise(state.held).simplified + "\n" + norm.simplified, now, simplified=True)
        return extract(norm.simplified, now, simplified=True)

    def _evidence(self, norm: Normalised, slots: Slots) -> Evidence:
        """The one place the turn asks for evidence: ranked passages and whether they support an answer."""
        understood = tuple(span.lower() for span in slots.spans)
        # A blank or over-long message raises QueryError naming the limit: the callers' input error
        # (CLI exit 2, API 4xx naming the field), never a crash.
        return gather_evidence(norm.original, language=norm.language, retriever=self.retriever,
                               understood=understood, policy=self.support_policy)

    def _understand(self, norm: Normalised, state: DialogueState, now: datetime, slots: Slots,
                    evidence: Evidence) -> Frame:
        """The message and the dialogue state as a Frame: slots, intent candidates and the move."""
        routes = tuple(self._routes(norm, slots, now))
        supported_topic = evidence.best.chunk.id if evidence.supported and evidence.best else None

        def supplies(tool: str) -> frozenset[str]:
            if tool == "menu_path_lookup":
                return frozenset()
            return frozenset(plan(tool, norm.simplified, slots, now, {}).carried)

        # The message's own topic words: its domain words outside the wording of its values ("10月").
        rest = norm.simplified
        for span in sorted(set(slots.spans), key=len, reverse=True):
            rest = rest.replace(span, " ")
        topic_terms = self.router.topic_terms(rest)
        # Bare: no word any tool's topic uses, and little else ("那10月的呢?", "换成东京时间呢", "在哪里看?")
        bare = not (topic_terms & self.router.tool_terms(tuple(self.tools))) and len(tokenize(rest)) <= 3

        def foreign(tools: tuple[str, ...]) -> frozenset[str]:
            """The message's own topic words that none of ``tools`` uses, when retrieval also found the
            message about a passage none of them rests on."""
            own = topic_terms - self.router.tool_terms(tools)
            if not own:
                return frozenset()
            earlier = set().union(*(self._rule_chunks(t) for t in tools)) if tools else set()
            if state.topic is not None:
                earlier |= set(state.topic.citations)
            if tools and (supported_topic is None or supported_topic in earlier):
                return frozenset()
            return own

        cues = Cues(routes=routes, supplies=supplies, foreign=foreign, asks_where=asks_where(norm.simplified),
                    zone=slots.timezone or slots.invalid_zone, language=language_request(norm.simplified),
                    bare=bare,
                    has_values=bool(slots.spans), follows_up=continues(norm.simplified))
        decision = decide(cues, state)
        # Worth a question back: the user's own case, a yes/no question whose answer turns on the missing
        # detail, or a conversation already filling details. "How / when / what" gets the rule itself.
        specific = particular(norm.simplified) or not asks_how(norm.simplified) or \
            decision.move in {"continue", "modify"} or any(supplies(tool) for tool, _ in decision.tools)
        return Frame(norm=norm, slots=slots, routes=routes, move=decision.move, tools=decision.tools,
                     convert_to=cues.language, particular=specific)

    def _remember(self, state: DialogueState, frame: Frame, outcome: _Outcome, answer: Answer) -> None:
        """The dialogue state after this turn."""
        state.held = frame.norm.original if frame.move == "unclear" else None
        state.pending = outcome.pending
        if outcome.result is not None:
            state.result = outcome.result
            state.facts.update({k: v for k, v in outcome.result.filled.items() if k in USER_FACTS})
        elif frame.move == "switch":
            state.result = None  # a new topic: its follow-ups must not modify the earlier tool's result
        if outcome.pending is not None:
            state.facts.update({k: v for k, v in outcome.pending.filled.items() if k in USER_FACTS})
        if frame.slots.timezone:
            state.facts["timezone"] = frame.slots.timezone
        if frame.move not in {"refer_back", "convert", "unclear"} and answer.citations:
            state.topic = LastTopic(question=frame.norm.original, tools=[c.name for c in answer.tool_calls] or
                                    ([outcome.pending.tool] if outcome.pending else []),
                                    citations=[c.chunk_id for c in answer.citations],
                                    menu_paths=[c.menu_path for c in answer.citations if c.menu_path])

    def _save(self, stored: SessionState, now: datetime, message: str, answer: Answer, state: DialogueState,
              answer_id: str | None) -> None:
        if self.sessions is None:
            return
        if stored.deadline is not None and time.monotonic() > stored.deadline:
            raise TurnTimeoutError("the answer took longer than the request allows; the turn was not saved")
        if stored.stopped is not None and stored.stopped.is_set():
            raise TurnTimeoutError("the caller stopped waiting for the answer; the turn was not saved")
        pending = {"tool": state.pending.tool, "carried": state.pending.filled,
                   "missing": state.pending.missing} if state.pending else None
        last = {"tool": state.result.tool, "carried": state.result.filled} if state.result else None
        self.sessions.save_turn(stored.id, now, message, answer.answer, answer.model_dump(mode="json"), pending, last,
                                answer_id, stored.owner, dialogue=state.model_dump(mode="json"))

    # ---- plan and compute -------------------------------------------------------------------
    def _routes(self, norm: Normalised, slots: Slots, now: datetime) -> list[str]:
        """Intent candidates: the tools this message alone calls for."""
        def complete(tool: str) -> bool:
            candidate = plan(tool, norm.simplified, slots, now, None)
            return candidate.applicable and candidate.complete and tool != "menu_path_lookup"

        scored = self.router.scores(norm.simplified)
        routes = [r.tool for r in self.router.route(norm.simplified, evidence=complete, scored=scored)]
        if is_procedural(norm.simplified) and "menu_path_lookup" not in routes:
            # "How do I view X" wants the steps even when a rule tool scores higher.
            menu = next((r for r in scored if r.tool == "menu_path_lookup"), None)
            if menu and menu.lexical > 0 and menu.score >= self.router.threshold:
                routes.append("menu_path_lookup")
        return routes

    def _act(self, frame: Frame, state: DialogueState, now: datetime, asks_about: str | None) -> _Outcome | None:
        if frame.move == "refer_back" and state.topic is not None:
            return self._refer_back(state.topic, frame.norm.variant)
        if frame.move == "convert" and state.result is not None:
            return self._convert(frame, state.result, now)
        if frame.move == "unclear":
            return self._ask_what(frame)
        if frame.slots.invalid_zone and frame.tools:
            return self._confirm_zone(frame)
        return self._with_tools(frame, now, asks_about)

    def _with_tools(self, frame: Frame, now: datetime, asks_about: str | None = None) -> _Outcome | None:
        """Tool answers for this turn. ``asks_about`` is set when retrieval found no support: then a
        tool missing a detail asks for it only if its rule is that best chunk; otherwise the follow-up
        question would pretend the topic is covered ("cancel a payment request" is not invoice merging)."""
        if not frame.tools:
            return None
        text, slots, variant = frame.norm.simplified, frame.slots, frame.norm.variant
        plans = [plan(name, text, slots, now, carried) for name, carried in frame.tools]
        plans = [p for p in plans if p.applicable]
        if is_procedural(text) and any(p.complete for p in plans):
            plans = [p for p in plans if p.complete]  # answer the "how", do not ask for details
        if asks_about is not None:
            plans = [p for p in plans if p.complete or asks_about in self._rule_chunks(p.tool)]
        if not plans:
            return None
        outcome = _Outcome()
        for tool_plan in plans:
            if not tool_plan.complete:
                # A question about the rule in general gets the rule; only a particular case that lacks a
                # detail is asked about ("储值卡的业绩怎么算" vs "我们这笔储值卡算业绩吗").
                self._ask(tool_plan, variant, outcome, ask=frame.particular)
            else:
                self._run(tool_plan, variant, outcome, slots.notes_zh, slots.notes_en)
        return outcome if outcome.sections else None

    def _refer_back(self, topic: LastTopic, variant: Variant) -> _Outcome | None:
        """Where the last topic is in the portal: the menu tool on the last question, else its cited menu."""
        outcome = _Outcome()
        tasks = [to_simplified(topic.question).lower()[:500]]
        tasks += [path.split(">")[-1].strip() for path in topic.menu_paths]  # the page the topic lives on
        for task in dict.fromkeys(t for t in tasks if t):
            self._run(Plan("menu_path_lookup", {"task": task}), variant, outcome, [], [])
            if outcome.sections:
                return outcome
        if topic.menu_paths:
            citations = [c for c in (self._citation(i) for i in topic.citations) if c is not None and c.menu_path]
            outcome.sections.append(("Menu path: " if variant == "en" else localise("菜单路径:", variant))
                                    + topic.menu_paths[0])
            outcome.cite(citations)
            return outcome
        return None

    def _citation(self, chunk_id: str) -> Citation | None:
        chunk = self.index.chunk(chunk_id)
        if chunk is None:
            return None
        return Citation(chunk_id=chunk.id, text=chunk.text, quote=chunk.text, source=chunk.source,
                        menu_path=chunk.menu_path)

    def _convert(self, frame: Frame, last: LastResult, now: datetime) -> _Outcome | None:
        """The last result again, in the zone or language this message names (the same rule, recomputed)."""
        variant = frame.convert_to or frame.norm.variant
        if frame.slots.invalid_zone:
            return self._confirm_zone(frame)
        arguments = dict(last.arguments)
        zone = frame.slots.timezone
        moments = [k for k in ("event_time", "assigned_at") if k in arguments]
        if zone and moments:
            # The user re-states the zone of the moment they gave ("如果是北京时间呢?"): the same wall-clock
            # time in that zone, and the rule applied again (a modify, not a display conversion).
            frame.move = "modify"
            for key in moments:
                wall = datetime.fromisoformat(arguments[key]).replace(tzinfo=ZoneInfo(zone))
                arguments[key] = wall.isoformat()
            tool_plan = Plan(last.tool, arguments, state={**last.filled, **{k: arguments[k] for k in moments}})
            outcome = _Outcome()
            self._run(tool_plan, variant, outcome, frame.slots.notes_zh, frame.slots.notes_en)
            return outcome if outcome.sections else None
        if zone and "timezone" in self.tools[last.tool].input_model.model_fields:
            arguments["timezone"] = zone
        tool_plan = Plan(last.tool, arguments, state={**last.filled, **({"timezone": zone} if zone else {})})
        outcome = _Outcome(language="en" if variant == "en" else "zh")
        self._run(tool_plan, variant, outcome, frame.slots.notes_zh, frame.slots.notes_en)
        if zone and "timezone" not in self.tools[last.tool].input_model.model_fields and outcome.calls:
            line = converted_times(outcome.calls[0].result, zone, variant)
            if line:
                outcome.sections.append(line)
                outcome.sources.append(line)
        return outcome if outcome.sections else None

    def _confirm_zone(self, frame: Frame) -> _Outcome:
        """An offset no zone has: say how it was read and ask, instead of guessing a zone."""
        variant = frame.norm.variant
        raw = frame.slots.invalid_zone
        question = (f"I read \"{raw}\" as no valid time zone (offsets run from UTC-12 to UTC+14). Which time zone "
                    "are you in, e.g. UTC+9 or Tokyo?" if variant == "en" else
                    localise(f"我把“{raw}”理解为无效的时区(时差范围为 UTC-12 到 UTC+14)。请确认您所在的时区,例如 UTC+9 或 东京。",
                             variant))
        return _Outcome(sections=[question], follow_up=question, sources=[question],
                        choices=["UTC+8", "UTC+9", "UTC-8"])

    def _ask_what(self, frame: Frame) -> _Outcome:
        """A bare continuation with nothing to continue: ask which topic its values belong to."""
        variant = frame.norm.variant
        said = "、".join(dict.fromkeys(frame.slots.spans)) or frame.norm.text.strip()
        question = (f"What does \"{said}\" refer to? Please say which topic you mean." if variant == "en"
                    else localise(f"“{said}”指的是哪方面的问题?请说明您要问的主题。", variant))
        takers = topics_taking(frame.slots)
        choices = [TOPICS[t][1] if variant == "en" else localise(TOPICS[t][0], variant) for t in takers]
        return _Outcome(sections=[question], follow_up=question, choices=choices, sources=[question])

    def _rule_chunks(self, tool: str) -> set[str]:
        return {c.chunk_id for c in rule_citations(self.index, self.tools[tool].rules)}

    def _ask(self, tool_plan: Plan, variant: Variant, outcome: _Outcome, ask: bool = True) -> None:
        """A required detail is missing: state the general rule (cited) and, for a particular case, ask one
        question (the tool then waits for the detail either way)."""
        tool = self.tools[tool_plan.tool]
        rules = [r for r in tool.rules if not r.startswith("menu.")]
        citations = rule_citations(self.index, rules)
        zh_q, en_q = FOLLOW_UPS[(tool_plan.tool, tool_plan.missing)]
        question = en_q if variant == "en" else localise(zh_q, variant)
        lines = rule_lines(citations, variant)
        if ask:
            lines.append(question)
        outcome.sections.append("\n".join(lines))
        outcome.cite(citations)
        outcome.pending = PendingTool(tool=tool_plan.tool, filled=tool_plan.carried, missing=tool_plan.missing)
        if not ask:
            return
        if outcome.follow_up is None:
            outcome.follow_up = question
            zh_choices, en_choices = CHOICES.get((tool_plan.tool, tool_plan.missing), ((), ()))
            outcome.choices = list(en_choices) if variant == "en" else [localise(c, variant) for c in zh_choices]

    def _duration(self, norm: Normalised, slots: Slots, evidence: Evidence, variant: Variant,
                  best_only: bool = False) -> _Outcome | None:
        """A date asked for with the event's date given, and a duration rule among the best passages:
        duration_deadline computes the date from that rule (quoted) instead of a bare extractive quote.
        With ``best_only``, only when the rule is in the best passage and that passage states none of the
        hand-written tools' rules (those tools answer it)."""
        moments = slots.datetimes or slots.dates
        if not moments or not asks_for_date(norm.simplified) or not evidence.passages:
            return None
        top = evidence.passages[0]
        if best_only and top.rule_ids:
            return None
        found = best_duration_rule(norm.simplified, [p.chunk for p in evidence.passages[:5]])
        if found is None or (best_only and found.chunk_id != top.chunk.id):
            return None
        arguments = {"amount": found.amount, "unit": found.unit, "direction": found.direction,
                     "event": found.event, "event_time": moments[0].isoformat(), "sentence": found.sentence,
                     "chunk_id": found.chunk_id}
        tool = self.tools["duration_deadline"]
        try:
            result = tool.run({**arguments, "calendar": self.calendar} if self.calendar else arguments)
        except ToolInputError:
            return None  # the rule cannot take that date: the extractive answer quotes the rule instead
        payload = result.model_dump(mode="json")
        chunk = self.index.chunk(found.chunk_id) if found.chunk_id else None
        outcome = _Outcome()
        outcome.calls.append(ToolCall(name=tool.name, arguments=arguments, result=payload))
        lines = [explanation(result, variant)]
        note = notes_line(slots.notes_zh, slots.notes_en, variant)
        if note:
            lines.append(note)
            outcome.sources.append(note)
        if chunk is not None:
            outcome.cite([Citation(chunk_id=chunk.id, text=chunk.text, quote=found.sentence, source=chunk.source,
                                   menu_path=chunk.menu_path)])
            if chunk.menu_path:
                lines.append(("Menu path: " if variant == "en" else localise("菜单路径:", variant)) + chunk.menu_path)
        outcome.sections.append("\n".join(lines))
        outcome.sources.append(str(payload))
        return outcome

    def _run(self, tool_plan: Plan, variant: Variant, outcome: _Outcome,
             slot_notes_zh: list[str], slot_notes_en: list[str]) -> None:
        try:
            arguments = tool_plan.arguments
            if self.calendar is not None and "calendar" in self.tools[tool_plan.tool].input_model.model_fields:
                arguments = {**arguments, "calendar": self.calendar}
            result = self.tools[tool_plan.tool].run(arguments)
        except ToolInputError as exc:
            # The text held a value the rule cannot take (a future look-back start, 2026-13 ...): say so.
            message = input_errors_text(exc.errors, tool_plan.arguments, variant)
            outcome.sections.append(message)
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
        if outcome.result is None:  # the best-routed tool's result is the one later turns relate to
            outcome.result = LastResult(tool=tool_plan.tool, filled=tool_plan.carried,
                                        arguments=tool_plan.arguments, result=payload)
