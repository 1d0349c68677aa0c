"""The assistant's turn, stage by stage: normalise -> understand -> evidence -> plan -> compose.

This module orchestrates: it loads and saves the dialogue state, asks each stage in turn (the Frame from
``understanding``, the Evidence from ``evidence``, tool runs or a follow-up from ``planner``), refuses when
the evidence does not support an answer, and checks the composed answer's numbers before returning it."""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from knowledge import KnowledgeIndex, Retriever, make_client, make_embedder
from knowledge.calendars import load_calendar
from knowledge.lexical import pos_tagged, to_simplified, tokenize
from tools import TOOLS, Tool
from tools.workdays import CalendarData

from .answer import Answer, check_now
from .asks import CODE, closed, joined, message_asks, names_topic, reports_problem, sentence_function, states_only
from .compose import Piece, Said, check_numbers, neutral, one, render, sections_of
from .evidence import DEFAULT_POLICY, Evidence, SupportPolicy, gather_evidence
from .evidence.sentences import sentence_vectors, sentences_of
from .evidence.answer_types import action_phrases, asked, asks_action, stated, states_action
from .evidence.vocabulary import follow_on_words
from .extractive import compose as compose_extractive
from .extractive import is_procedural
from .planner import Outcome, Planner
from .planning import PLANNED, lone_number, plan
from .understanding.cues import returns_to, without_return
from .understanding.determiners import points_back
from .understanding.normalise import in_script
from .understanding.values import reader_for, use as use_values
from .routing import ToolRouter
from .sessions import SessionState, SessionStore, TurnTimeoutError
from .settings import Settings
from .slots import Slots, extract
from .understanding import (USER_FACTS, Cues, DialogueState, Frame, LastTopic, Normalised, asks_how, asks_open,
                            asks_where,
                            continues, decide, language_request, normalise, particular, preface, where_phrases)

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

PORTAL_SHARE = 1 / 3  # a word in more than this share of the index's passages is the portal's, not a topic's
MIN_TOPICS = 4  # an index with fewer shared parent topics (the bundled 22 lines) keeps the written list


def _topics_refusal(topics: list[str]) -> tuple[Piece, ...]:
    """The refusal for an index with its own topics (quoted as the documents name them)."""
    return (Said("抱歉,已收录的伙伴中心资料中没有足以回答这个问题的内容,我不作猜测。已收录的主题包括:",
                 "Sorry, the Partner Center documents I have do not support an answer to this, and I will not "
                 "guess. The indexed documents cover: "),
            Said("、".join(topics), "; ".join(topics), ours=False),
            Said("。其他问题请联系华为云客服或您的华为对接人。",
                 ". For anything else, contact Huawei Cloud customer service or your Huawei contact."))


_TASK_NOTE_EN = "I answer questions about the Partner Center rules; I do not write, translate or summarise text. "
_TASK_NOTE_ZH = "我只回答伙伴中心规则方面的问题,不做写作、翻译或总结。"
_KIND_NAMES = {"duration": ("a time frame", "时长或期限"), "frequency": ("a frequency", "频次"),
               "money": ("a price or fee", "金额或费用"), "rate": ("a rate or percentage", "比例或费率"),
               "limit": ("a limit", "上限或限制")}


def _unstated_note(kinds: tuple[str, ...]) -> Said:
    return Said(f"我找到的相关规则没有写明{'或'.join(_KIND_NAMES[k][1] for k in kinds)}。",
                f"The rules I found on this topic do not state {' or '.join(_KIND_NAMES[k][0] for k in kinds)}. ")


_ASK_HEADING = Said("问:", "Q: ")
_ASK_UNCOVERED = Said("资料中没有足以回答这一问的内容,我不作猜测。",
                      "Not covered: the documents I have do not answer this part, and I will not guess.")


def _merged_parts(kept: list[tuple[str, Answer, Any]], asking: Answer | None) -> dict[str, Any] | None:
    """The neutral form of a message's answer merged from its asks (one section headed by each ask), or None
    when an ask's answer has none (then the merged answer is kept as served)."""
    sections: list[Any] = []
    for ask, one_answer, _ in kept:
        head = (_ASK_HEADING, ask.strip())
        if one_answer.abstained:
            sections.append([head, _ASK_UNCOVERED])
            continue
        if one_answer._parts is None:
            return None
        own = sections_of(one_answer._parts)
        sections.append([head, *(own[0] if own else [])])
        sections.extend(own[1:])
    parts = neutral(sections)
    if asking is not None and asking._parts is not None:
        parts.update(follow_up=asking._parts.get("follow_up"), choices=asking._parts.get("choices") or [])
    return parts


# One question per script for warm_up: what they load, not what they answer, matters.
WARM_SENTENCES = 2000  # statements embedded at warm-up at most (about 7 s of USE on 2 cores)
_WARM_UP = ("8月的伙伴账单什么时候生成?", "帳單什麼時候出?用儲值卡付3000元呢", "When is the partner bill generated for May?")


def _quoting_named(evidence: Evidence, named: frozenset[str]) -> Evidence | None:
    """The evidence with its best passage quoting the sentence holding most of the topic words a pointing
    follow-on names that the earlier question did not (``named``), when the quote holds fewer; else None."""
    best = evidence.best
    if best is None:
        return None
    # a word the quote already holds names the thing pointed at (这些消费数据), not the new matter
    named = frozenset(term for term in named if term not in (best.quote or "").lower())

    def holds(text: str) -> int:
        return sum(term in text.lower() for term in named)

    top = max(((holds(sn.text), n, sn) for n, sn in enumerate(best.sentences) if not sn.question),
              default=None, key=lambda t: t[0])
    if top is None or top[0] == 0:
        return None
    quoted = replace(best, quote=best.chunk.text[top[2].start:top[2].end], quote_sentences=(top[1],),
                     window_sentences=())
    return replace(evidence, passages=(quoted, *evidence.passages[1:]))


def _quoting_asked(evidence: Evidence, question: str, named: frozenset[str] = frozenset()) -> Evidence:
    """The evidence with its best passage quoting the sentence that states what ``question`` asks (what to do,
    a duration, an amount), when the quote chosen for another question does not; or, for a follow-on naming
    topic words the earlier question did not (``named``), the sentence holding most of them."""
    renamed = _quoting_named(evidence, named)
    if renamed is not None:
        return renamed
    best = evidence.best
    kinds = asked(question)
    action = asks_action(question)
    if best is None or (not kinds and not action):
        return evidence

    def answers(text: str) -> bool:
        return bool(kinds & stated(text)) or (action and states_action(text))

    if answers(best.quote):
        return evidence
    for n, sentence in enumerate(best.sentences):
        if not sentence.question and answers(sentence.text):
            quoted = replace(best, quote=best.chunk.text[sentence.start:sentence.end], quote_sentences=(n,),
                             window_sentences=())
            return replace(evidence, passages=(quoted, *evidence.passages[1:]))
    return evidence


class Assistant:
    """Cheap to construct; the index, models and database open on first use (or ``warm_up``)."""

    def __init__(self, retriever: Retriever, sessions: SessionStore | None = None,
                 router: ToolRouter | None = None, llm: Any = None,
                 tools: dict[str, Tool] | None = None, support_policy: SupportPolicy = DEFAULT_POLICY) -> None:
        self.retriever = retriever
        self.tools = tools or TOOLS
        self.support_policy = support_policy
        self.sessions = sessions
        self.llm = None
        if llm is not None:
            # LangChain (and LangSmith under it) is loaded only in LLM mode: about 25 MB per worker otherwise.
            from .llm import LLMAnswerer

            self.llm = LLMAnswerer(llm, retriever)
        self.router = router or ToolRouter(
            retriever.index.embedder, tools=self.tools,
            vocabulary=lambda: retriever.index.lexical().vocabulary)
        self.planner = Planner(retriever, self.tools, self.router)
        # enumerated details the wording tables miss are read by meaning with the index's own encoder
        self.values = reader_for(retriever.index.embedder)

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        client = make_client(settings.data_dir, settings.chroma_url)
        index = KnowledgeIndex(client, make_embedder(settings.embedder, settings.data_dir / "cache"),
                               namespace=settings.namespace)
        store = SessionStore(settings.resolved_database_url(), ttl=timedelta(hours=settings.session_ttl_hours))
        llm = None
        if settings.llm_model:
            from .llm import init_model

            llm = init_model(settings.llm_model, settings.llm_base_url, settings.llm_api_key)
        bot = cls(Retriever(index, mode=settings.retrieval_mode), store, llm=llm)
        bot.calendar = load_calendar(settings.data_dir)
        return bot

    @property
    def index(self) -> KnowledgeIndex:
        return self.retriever.index

    @property
    def calendar(self) -> CalendarData | None:
        """Imported official schedules (``calendar import``); the tools the plan stage runs use them."""
        return self.planner.calendar

    @calendar.setter
    def calendar(self, value: CalendarData | None) -> None:
        self.planner.calendar = value

    def _refusal(self) -> tuple[Piece, ...]:
        """What a refusal offers instead: the index's own topics, or the written list for the bundled corpus."""
        topics = self.index.topics()
        if len(topics) >= MIN_TOPICS:
            return _topics_refusal(topics)
        return (Said(_ABSTAIN_ZH, _ABSTAIN_EN),)

    def warm_up(self) -> None:
        """Load everything a first question needs - the index, the encoder, dictionaries, the POS tagger,
        script conversion - by answering one question per script, unsaved. Lazy loads inside the turn
        would otherwise land on the first real questions, in many threads at once."""
        self.index.warm_up()
        twin = Assistant(self.retriever, None, router=self.router, tools=self.tools,
                         support_policy=self.support_policy)
        twin.values = self.values  # warms this assistant's own reader
        for message in _WARM_UP:
            twin.answer(message)
        gather_evidence("When is the partner bill generated?", language="en", retriever=self.retriever)
        self._warm_sentence_vectors()
        if self.values is not None:
            self.values.warm_up()  # the enumerated values' descriptions, embedded once
        if self.sessions is not None:
            self.sessions.warm_up()  # the turn's load and save statements, compiled once; nothing written
        # loads cn2an, the CLDR city names and, for a bare spoken amount, the CC-CEDICT classifier list
        extract("东京时间三千元 8月31日,两千五", datetime.now(timezone.utc))

    def _warm_sentence_vectors(self) -> None:
        """The evidence stage compares a question with each statement of its candidate passages, and
        embeds a statement the first time it is seen: on a small index (the bundled one has 53) all of
        them are embedded here, so a first question on a new topic does not pay for it (10 ms of a
        49 ms first answer, measured). A large index warms as questions come."""
        texts = list(dict.fromkeys(s.text for chunk in self.index.chunks for s in sentences_of(chunk, {}, scored=False)
                                   if not s.question))
        if len(texts) <= WARM_SENTENCES:
            sentence_vectors(self.index.embedder, texts)

    # ---- the turn ---------------------------------------------------------------------------
    def answer(self, message: str, session_id: str | None = None, now: datetime | None = None,
               *, answer_id: str | None = None, owner: str | None = None, deadline: float | None = None,
               stopped: threading.Event | None = None, case_ask: bool = False, unsaved: bool = False,
               context: str | None = None) -> Answer:
        """Answer one turn. ``answer_id`` (optional) is stored with the turn so feedback can refer to it;
        ``owner`` (the API's caller) scopes the session: another owner's id is a different session;
        past ``deadline`` (``time.monotonic()``), or once ``stopped`` is set (the caller went away: the page's
        Stop), the turn is not saved but raises TurnTimeoutError. ``case_ask``: the message is one ask of a
        support case (triage): a problem it reports ("the script gets HTTP 400 with CBC.0100") asks for what the
        rules compute about it, so a tool that answers it alone need not be asked for in so many words.
        ``unsaved``: a question asked on nobody's behalf (would a suggestion be answered?): no session is read
        or written. ``context``: what a support case states outside its asks ("The partner is in New York."):
        the details it gives each tool are the turn's starting point, as earlier turns' details are
        (``DialogueState.stated``); the question's topic and evidence are its own.

        One way through: normalise -> evidence -> understand (Frame) -> plan and compute -> compose."""
        now = check_now(now or datetime.now(timezone.utc))
        use_values(self.values)  # this assistant's reader of enumerated details, for the planner in this turn
        norm = normalise(message)
        # Every answer belongs to a session; a caller without one gets a new id to continue with.
        session_id = session_id or uuid.uuid4().hex
        stored = SessionState(session_id, None, None, 0)
        if self.sessions is not None and not unsaved:
            stored = self.sessions.load(session_id, now, owner)
        stored.deadline, stored.stopped = deadline, stopped
        state = DialogueState.from_stored(stored.dialogue, stored.pending, stored.last)
        if context:
            state.stated = self._stated(context, now)
        norm = in_script(norm, state.script)  # "那10月的呢?" in a Traditional conversation stays Traditional
        # (a message after an unclear one says what that one refers to: no statement)
        statement = not case_ask and not state.held and states_only(message)
        if state.statements and not statement and not case_ask:
            # the question after statements is read with them, as one message stating its facts first; it
            # is answered in its own language and script
            message = joined(*(closed(s) for s in state.statements), message)
            norm = replace(normalise(message), variant=norm.variant)
            state.statements = []
        asks, facts = ([], []) if case_ask else message_asks(message, lambda s: names_topic(self.router, s))
        if len(asks) > 1:
            answer, state = self._answer_asks(asks, facts, norm, state, now, session_id)
        else:
            answer = self._respond(message, norm, state, now, session_id, case_ask, statement=statement)
        if norm.variant != "en":
            state.script = norm.variant
        if not unsaved:
            self._save(stored, now, message, answer, state, answer_id)
        return answer

    def _stated(self, context: str, now: datetime) -> dict[str, dict[str, Any]]:
        """The details ``context`` gives each tool, read by the tool's own argument reader (empty readings
        left out); the menu tool takes no detail from it."""
        norm = normalise(context)
        slots = extract(norm.simplified, now, simplified=True)
        stated: dict[str, dict[str, Any]] = {}
        for tool in self.tools:
            if tool == "menu_path_lookup" or tool not in PLANNED:
                continue  # (a tool planned from the passage it quotes, like a duration, reads nothing here)
            read = plan(tool, norm.simplified, slots, now, None)
            details = {k: v for k, v in read.carried.items() if v not in (None, [], {}, "")} if read.applicable else {}
            if details:
                stated[tool] = details
        return stated

    def _respond(self, message: str, norm: Normalised, state: DialogueState, now: datetime, session_id: str,
                 case_ask: bool, follow_on: bool = False, statement: bool = False) -> Answer:
        """One question's answer; ``state`` becomes the dialogue state after it (the caller saves it).
        ``follow_on``: the question follows on the last topic whatever its wording (an ask of a message
        that names no topic of its own, read after the ask before it)."""
        variant = norm.variant
        slots = self._read(norm, state, now)
        # A message naming nothing of its own ("那怎么办?", "what now?", "要多久?") follows on the last topic when
        # that topic's passages state what it asks: the topic's evidence decides, as for a follow-on ask
        follow_on = follow_on or self._follows_on(norm, slots, state)
        evidence = self._in_context(norm, slots, state, self._evidence(norm, slots), follow_on)
        frame = self._understand(norm, state, now, slots, evidence)
        # A statement that starts nothing it continues (no question: "我是在东京的", "the customer is under my
        # colleague's name") is noted, not answered: the question after it is read with it.
        if statement and frame.move in {"new", "switch"} and evidence.reason not in {"instruction", "task"} and (
                slots.spans or frame.routes or self.router.topic_terms(norm.simplified.lower())):
            return self._noted(norm, frame, state, session_id)
        # Instructions and tasks are refused whatever the conversation; a question whose topic the corpus
        # lacks ("激励提现" mentions incentives but is not an invoicing question) is refused unless it
        # only continues the conversation (it then names no topic of its own).
        relates = frame.restored or frame.move in {"continue", "modify", "refer_back", "convert", "unclear"}
        # Words the index never uses (拿到, pull, booked) or an asked kind the best passage does not state veto
        # a fresh question, unless one tool answers it alone: routed by its wording, its rule the best
        # passage, its details in the message, and the question asking what it computes (the tool states the
        # date or amount the passage does not).
        vetoed = evidence.reason in {"instruction", "task"} or (
            not relates and evidence.reason in {"uncovered_terms", "unstated"}
            and not self.planner.answers_alone(frame, state, now, evidence, implied=case_ask and reports_problem(message)))
        outcome = None if vetoed else self.planner.plan(frame, state, now, evidence, relates)
        if outcome is None:
            if not evidence.supported:
                refusal = self._refusal()
                if evidence.missing_kind:  # say what is missing: the topic is covered, the answer is not
                    refusal = (_unstated_note(evidence.missing_kind), *refusal)
                elif evidence.reason == "task":
                    refusal = (Said(_TASK_NOTE_ZH, _TASK_NOTE_EN), *refusal)
                text = render([[refusal]], variant)
                answer = Answer(answer=text, abstained=True, language=norm.language, variant=variant,
                                session_id=session_id, move=frame.move)
                answer._parts = neutral([[refusal]])
                state.pending = None  # a refused question leaves nothing to continue
                return answer
            section, citations = compose_extractive(message, evidence.search,
                                                    evidence.best.quote if evidence.best else None)
            outcome = Outcome(sections=[section], citations=citations, sources=[c.text for c in citations])
        # The answer is rendered in the reader's language once, here; every stage before built it neutral.
        shown = outcome.variant or variant
        text = render(outcome.sections, shown)
        check_numbers(text, outcome.sources)
        # A lookup that could only say the documents do not hold what was asked (an error code no indexed
        # table lists) answers nothing: it is an abstention, worded by the tool.
        declined = bool(outcome.calls) and not outcome.citations and all(
            c.result.get("statements") and all(s.get("basis") == "not_stated" for s in c.result["statements"])
            for c in outcome.calls)
        answer = Answer(answer=text, abstained=declined, citations=outcome.citations, tool_calls=outcome.calls,
                        follow_up=None if outcome.follow_up is None else one(outcome.follow_up, shown),
                        follow_up_choices=[one(c, shown) for c in outcome.choices],
                        language=outcome.language or norm.language, variant=shown, session_id=session_id,
                        move=frame.move)
        answer._parts = neutral(outcome.sections, outcome.follow_up, outcome.choices)
        if self.llm is not None and outcome.follow_up is None:
            # The model may phrase the answer; it is accepted only if its citations and numbers check out.
            phrased = self.llm.answer(message, "English" if variant == "en" else "Chinese", now, answer)
            if phrased is not answer and phrased.answer != answer.answer:
                phrased._parts = None  # the model's wording has no neutral form: a redraw shows it as served
            answer = phrased
        self._remember(state, frame, outcome, answer)
        return answer

    def _answer_asks(self, asks: list[str], facts: list[str], norm: Normalised, state: DialogueState,
                     now: datetime, session_id: str) -> tuple[Answer, DialogueState]:
        """A message with several asks ("消费看板在哪?新分给我的客户以前的消费算不算?"): each is answered on its
        own, with the message's facts, against the conversation so far, in the message's script, then merged:
        one section per ask in order, each tool call and citation once. An ask whose answer only runs (or
        asks a detail for) the tools the ask before it ran refines that ask ("…算哪个账期?请用纽约时间告诉我",
        "能报备商机吗?商机归谁?"): the two are answered as one question. An ask that only repeats what another
        answered adds nothing; an ask the documents do not cover is said to be uncovered beside the answered
        ones. The dialogue continues from the ask that asked back for a detail, else the last answered one."""
        def respond(ask: str, after: tuple[str, Answer, DialogueState, frozenset[str]] | None = None
                    ) -> tuple[str, Answer, DialogueState, frozenset[str]]:
            # A follow-on ask is read against the state its earlier ask left (that ask as the last topic),
            # as a topicless follow-up turn is read against the last turn.
            own = (after[2] if after is not None else state).model_copy(deep=True)
            text = joined(ask, *(f for f in facts if f not in ask))
            ask_norm = replace(normalise(text), variant=norm.variant)  # the reader's script, not the fragment's
            if after is not None and not self._follow_on_stated(ask_norm, after[0], after[1]):
                return ask, self._refused(ask_norm, session_id), own, frozenset()
            one_answer = self._respond(text, ask_norm, own, now, session_id, False, follow_on=after is not None)
            if after is not None and not one_answer.abstained and not one_answer.tool_calls and \
                    not {c.chunk_id for c in one_answer.citations} & {c.chunk_id for c in after[1].citations}:
                # answered from a passage the earlier ask's answer did not rest on: not this ask's context
                return ask, self._refused(ask_norm, session_id), own, frozenset()
            tools = frozenset(c.name for c in one_answer.tool_calls) | (
                {own.pending.tool} if own.pending is not None else set())
            return ask, one_answer, own, tools

        groups: list[tuple[str, Answer, DialogueState, frozenset[str]]] = []
        for ask in asks:
            # An ask that names no topic of its own (到时候还没生成怎么办, "what if it's below that?") follows on
            # the ask before it: its topic, details and passages.
            follows = bool(groups) and not self._names_own_topic(ask)
            answered_ask = respond(ask, groups[-1] if follows else None)
            if groups and answered_ask[3] and answered_ask[3] <= groups[-1][3]:
                answered_ask = respond(joined(groups.pop()[0], ask))
            groups.append(answered_ask)
        if len(groups) == 1:
            return groups[0][1], groups[0][2]
        answers = [(ask, one_answer, own) for ask, one_answer, own, _ in groups]
        ran = {c.name for _, a, _ in answers for c in a.tool_calls}
        seen_calls: set[str] = set()
        cited: set[tuple[str, str]] = set()
        kept: list[tuple[str, Answer, DialogueState]] = []
        for ask, one_answer, own in answers:
            calls = [repr((c.name, sorted(c.arguments.items(), key=lambda kv: kv[0]))) for c in one_answer.tool_calls]
            if one_answer.tool_calls and all(key in seen_calls for key in calls):
                continue  # the same computation another ask already ran
            if not one_answer.tool_calls and own.pending is not None and own.pending.tool in ran:
                continue  # asks for a detail of a tool another ask ran with it
            if not one_answer.abstained and not one_answer.tool_calls and one_answer.citations and \
                    {(c.chunk_id, c.quote) for c in one_answer.citations} <= cited:
                continue  # quotes only what another ask's answer quotes (another sentence of a passage is news)
            seen_calls.update(calls)
            cited.update((c.chunk_id, c.quote) for c in one_answer.citations)
            kept.append((ask, one_answer, own))
        answered = [k for k in kept if not k[1].abstained]
        if not answered:  # nothing the documents support: one refusal for the message
            first = answers[0][1]
            return first.model_copy(update={"variant": norm.variant}), answers[0][2]
        heading = {"en": ("Q: ", "Not covered: the documents I have do not answer this part, and I will not guess."),
                   "zh-Hant": ("問:", "資料中沒有足以回答這一問的內容,我不作猜測。"),
                   "zh-Hans": ("问:", "资料中没有足以回答这一问的内容,我不作猜测。")}[norm.variant]
        sections = [f"{heading[0]}{ask.strip()}\n{heading[1] if one_answer.abstained else one_answer.answer}"
                    for ask, one_answer, _ in kept]
        citations, calls = [], []
        for _, one_answer, _ in answered:
            citations += [c for c in one_answer.citations if c.chunk_id not in {x.chunk_id for x in citations}]
            calls += [c for c in one_answer.tool_calls if c not in calls]
        asking = next((k for k in reversed(answered) if k[1].follow_up), None)
        last = asking or answered[-1]
        after = last[2]
        for _, _, own in answered:  # facts about the user any ask stated (a time zone, a role) hold on
            after.facts = {**own.facts, **after.facts}
        merged = Answer(answer="\n\n".join(sections), abstained=False, citations=citations, tool_calls=calls,
                        follow_up=asking[1].follow_up if asking else None,
                        follow_up_choices=asking[1].follow_up_choices if asking else [],
                        language=norm.language, variant=norm.variant, session_id=session_id,
                        move=answered[0][1].move)
        merged._parts = _merged_parts(kept, asking[1] if asking else None)
        return merged, after

    def _names_own_topic(self, ask: str) -> bool:
        """Does an ask of a message name a topic of its own (a word only some tools use, a code), or is it
        a follow-on that asks about the ask before it ("要怎么解决?", "What if it's below that?")?"""
        text = to_simplified(ask).lower()
        if CODE.search(ask):
            return True
        # A topic is a thing named (a noun: 业绩看板, 储值卡, PSM); a domain verb (操作, 处理, 生成, 考核) asks
        # what happens to the earlier ask's thing, and a where-question's own wording (哪个菜单, which menu)
        # is its form.
        form = set(tokenize(" ".join(where_phrases(text))))
        named = self.router.topic_terms(text) - self.router.generic_terms() - form
        return any(flag.startswith("n") and flag != "vn" or flag == "eng"
                   for term in named for word, flag in pos_tagged(term)[:1])

    def _follow_on_stated(self, norm: Normalised, earlier: str, answered: Answer) -> bool:
        """Do the passages that answered the earlier ask hold what a follow-on ask asks?"""
        if answered.abstained or not answered.citations:
            return False  # nothing answered the earlier ask: nothing to read this one against
        return self._stated_in(norm, earlier, [c.chunk_id for c in answered.citations],
                               any(c.menu_path for c in answered.citations))

    def _follows_on(self, norm: Normalised, slots: Slots, state: DialogueState) -> bool:
        """Does the message ask about the last topic without naming one: no value, no code, no domain word
        beyond those every tool shares, asking a kind of answer (a duration, what to do) or phrased as a
        follow-up - or pointing back with a demonstrative, whatever it names - and the topic's passages state
        what it asks?"""
        topic = state.topic
        text = norm.simplified
        if topic is None or not topic.citations or slots.spans or CODE.search(norm.original):
            return False
        # A message pointing back (those figures, 这些数据, 那个) follows on even when it names topic words of its
        # own: the topic's passages are read first, and a fresh retrieval answers when they do not hold it.
        pointing = points_back(norm.original) or points_back(text)
        named = self.router.topic_terms(text.lower()) - self.router.generic_terms()
        if named and not pointing:
            return False
        if not (pointing or asked(text) or asks_action(text) or continues(text)):
            return False
        if self._stated_in(norm, topic.question, topic.citations, bool(topic.menu_paths)):
            return True
        # pointing back, the demonstrative is the topic's thing and the topic words it names are the matter
        # asked about it: the topic's passages hold it when they name every one of them (its verbs may be said
        # in other terms than theirs: 核对 for a passage's 结算)
        if not (pointing and named):
            return False
        chunks = [self.index.chunk(c) for c in topic.citations]
        passage = "\n".join(c.text for c in chunks if c is not None)
        kinds = asked(text) | ({"action"} if asks_action(text) else set())
        words, unstated = follow_on_words(norm.original, topic.question, passage, self.index.lexical(), [])
        held = set(words) - set(unstated)
        return not (kinds - stated(passage)) and all(term in held or term in passage.lower() for term in named
                                                     if not points_back(term))  # (the pointing word is form)

    def _stated_in(self, norm: Normalised, earlier: str, chunk_ids: list[str], has_menu: bool) -> bool:
        """Do these passages (an earlier question's) hold what a follow-on asks? Its own words (those the
        earlier question did not use; pointing and grammar words are its form) must be in them, and it must
        have some, or ask a kind of answer they state: a duration, an amount ("要多久?", "最多几个?"), or what
        to do ("怎么办?", "what now?"), which a passage advising an action (请…, 可联系…) answers. A kind of
        answer they do not state is not answered from them. A where-question is answered by the menu path
        they give."""
        if asks_where(norm.simplified) and has_menu:
            return True
        chunks = [self.index.chunk(c) for c in chunk_ids]
        passage = "\n".join(c.text for c in chunks if c is not None)
        kinds = asked(norm.simplified) | ({"action"} if asks_action(norm.simplified) else set())
        if kinds - stated(passage) - ({"action"} if states_action(passage) else set()):
            return False
        words, unstated = follow_on_words(norm.original, earlier, passage, self.index.lexical(),
                                          where_phrases(norm.simplified.lower()) + action_phrases(norm.simplified))
        # at least half of them: a word said in other terms than the passage's (measured, 为准) is not a new
        # matter; with none, the asked kind of answer the passage states is what the ask is about
        return (bool(words) or bool(kinds)) and len(unstated) * 2 <= len(words)

    def _refused(self, norm: Normalised, session_id: str) -> Answer:
        """An ask the documents do not answer (said beside the answered asks of its message)."""
        refusal = self._refusal()
        answer = Answer(answer=render([[refusal]], norm.variant), abstained=True, language=norm.language,
                        variant=norm.variant, session_id=session_id)
        answer._parts = neutral([[refusal]])
        return answer

    def _read(self, norm: Normalised, state: DialogueState, now: datetime) -> Slots:
        """Dates, times, zones and amounts in the message (with the unclear message before it, if any)."""
        if state.held:  # its values belong to the topic this turn names
            return extract(normalise(state.held).simplified + "\n" + norm.simplified, now, simplified=True)
        return extract(norm.simplified, now, simplified=True)

    def _evidence(self, norm: Normalised, slots: Slots) -> Evidence:
        """The one place the turn asks for evidence: ranked passages and whether they support an answer."""
        # the values read, and the where-question's own wording (哪个入口): details and form, not the topic
        understood = tuple(span.lower() for span in slots.spans) + where_phrases(norm.simplified.lower())
        opening = preface(norm.simplified.lower(), lambda words: bool(self.router.topic_terms(words)))
        if opening:  # "Switching topics - ...": the message's form, not a topic to find in the documents
            understood += (opening,)
        understood += self._manners(norm.simplified.lower())
        # A blank or over-long message raises QueryError naming the limit: the callers' input error
        # (CLI exit 2, API 4xx naming the field), never a crash.
        return gather_evidence(norm.original, language=norm.language, retriever=self.retriever,
                               understood=understood, policy=self.support_policy)

    def _manners(self, text: str) -> tuple[str, ...]:
        """The clauses opening a question that only acknowledge, thank or greet ("好的谢谢", "ok cool thx"): no
        question, no topic word, no value, no predicate of a statement - the message's manners, not a topic
        to find in the documents. Only before a clause that asks a question."""
        clauses = [c.strip() for c in re.split(r"[,,。.!!~～;;]+\s*", text) if c.strip()]
        out: list[str] = []
        for n, clause in enumerate(clauses[:-1]):
            if re.search(r"\d", clause) or self.router.topic_terms(clause) or \
                    sentence_function(clause) != "fact" or states_only(clause):
                break
            out.append(clause)
        rest = " ".join(clauses[len(out):])
        return tuple(out) if out and sentence_function(rest) == "question" else ()

    def _in_context(self, norm: Normalised, slots: Slots, state: DialogueState, evidence: Evidence,
                    follow_on: bool = False) -> Evidence:
        """A follow-up that names no topic of its own ("那有效期呢?") asks about the last topic: when its own
        evidence is not on the passages the last answer cited, the evidence for the last question and this
        one together is used, if that is on them (the validity of the invitation link just asked about, not
        another topic's validity)."""
        topic = state.topic
        if topic is None or not topic.citations or not (follow_on or continues(norm.simplified)):
            return evidence
        # the topic words a pointing follow-on names that the earlier question did not: what it asks about
        named = frozenset(t for t in self.router.topic_terms(norm.simplified.lower()) - self.router.generic_terms()
                          - self.router.topic_terms(to_simplified(topic.question).lower()) if not points_back(t)) \
            if points_back(norm.original) or points_back(norm.simplified) else frozenset()
        if self._on_topic(evidence, topic):
            return _quoting_named(evidence, named) or evidence
        own = self.router.topic_terms(norm.simplified) & self.router.tool_terms(tuple(self.tools))
        if not follow_on and own - self.router.generic_terms() - set(self.router.topic_terms(
                to_simplified(topic.question))):
            return evidence  # it names a tool's topic the last question did not: its own question
        context = self._evidence(normalise(topic.question + "\n" + norm.original), slots)
        if self._on_topic(context, topic):
            return _quoting_asked(context, norm.simplified, named) if follow_on else context
        if follow_on:
            # a follow-on whose asked thing the topic's passages were found to state ("how do we fix it then?"
            # after a status answer): the topic's own evidence answers it when the words together retrieve
            # elsewhere
            earlier = self._evidence(normalise(topic.question), slots)
            if self._on_topic(earlier, topic):
                return _quoting_asked(earlier, norm.simplified, named)
        return evidence

    def _on_topic(self, evidence: Evidence, topic: LastTopic) -> bool:
        """Does the evidence support an answer on a passage the last topic rests on: one it cited, or another
        copy of the sentence it quoted (the status-code header opens every code table's chunk)?"""
        if not evidence.supported or evidence.best is None:
            return False
        if evidence.best.chunk.id in topic.citations:
            return True
        texts = [chunk.text for chunk in (self.index.chunk(c) for c in topic.citations) if chunk is not None]
        quoted = [s for s in re.split(r"(?<=[。!?!?])\s*", evidence.best.quote or "") if len(s.strip()) >= 8]
        if any(s.strip() in text for s in quoted for text in texts):
            return True
        # another copy of a cited passage: the best chunk opens with a rule sentence a cited chunk holds
        held = [s for s in re.split(r"(?<=[。!?!?])\s*", evidence.best.chunk.text) if len(s.strip()) >= 20]
        return any(s.strip() in text for s in held[:2] for text in texts)

    def _understand(self, norm: Normalised, state: DialogueState, now: datetime, slots: Slots,
                    evidence: Evidence) -> Frame:
        """The message and the dialogue state as a Frame: slots, intent candidates and the move."""
        routes = tuple(self._routes(norm, slots, now))
        supported_topic = evidence.best.chunk.id if evidence.supported and evidence.best else None

        def supplies(tool: str, carried: dict[str, Any] | None = None) -> frozenset[str]:
            """The details this message gives ``tool``: read alone, or read against what it carries (then only
            the details that change)."""
            if tool == "menu_path_lookup":
                return frozenset()
            carried = carried or {}
            read = plan(tool, norm.simplified, slots, now, carried).carried
            cleared = {k for k in carried if k not in read and k not in USER_FACTS}  # 两笔都是…: no odd item now
            return frozenset({k for k, v in read.items() if carried.get(k) != v} | cleared)

        # The message's own topic words: its domain words outside the wording of its values ("10月").
        rest = norm.simplified
        # ...and outside a where-question's own wording (哪个页面, which page): its form, not its topic
        for span in sorted(set(slots.spans) | set(where_phrases(rest)), key=len, reverse=True):
            rest = rest.replace(span, " ")
        topic_terms = self.router.topic_terms(rest)
        # Bare: no word naming a tool's topic, and little else ("那10月的呢?", "换成东京时间呢", "在哪里看?"); a word
        # most tools share (看 read as 查看) names none.
        topic_names = (topic_terms & self.router.tool_terms(tuple(self.tools))) - self.router.generic_terms()
        bare = not topic_names and len(tokenize(rest)) <= 3

        def foreign(tools: tuple[str, ...]) -> frozenset[str]:
            """The message's own topic words that none of ``tools`` uses, when retrieval also found the
            message about a passage none of them rests on."""
            own = topic_terms - self.router.tool_terms(tools)
            if not own:
                return frozenset()
            earlier = set().union(*(self.planner.rule_chunks(t) for t in tools)) if tools else set()
            if state.topic is not None:
                earlier |= set(state.topic.citations)
            if tools and (supported_topic is None or supported_topic in earlier):
                return frozenset()
            return own

        def elsewhere(tools: tuple[str, ...]) -> bool:
            """The evidence supports the message on its own, on a passage none of ``tools`` (nor the last
            topic) rests on: it has a topic of its own."""
            if supported_topic is None:
                return False
            earlier = set().union(*(self.planner.rule_chunks(t) for t in tools if t != "menu_path_lookup"))
            if state.topic is not None:
                earlier |= set(state.topic.citations)
            return supported_topic not in earlier

        def names(tools: tuple[str, ...]) -> frozenset[str]:
            own = tuple(t for t in tools if t in self.tools and t != "menu_path_lookup")
            named = topic_names - self.router.tool_terms(own) if own else topic_names
            # a word most passages share (伙伴中心, the portal every procedure starts from) names no topic
            bm25 = self.index.lexical()
            return frozenset(t for t in named if bm25.document_frequency(t) <= PORTAL_SHARE * bm25.n_docs)

        cues = Cues(routes=routes, supplies=supplies, foreign=foreign, elsewhere=elsewhere, names=names,
                    asks_where=asks_where(norm.simplified),
                    zone=slots.timezone or slots.invalid_zone, language=language_request(norm.simplified),
                    bare=bare,
                    has_values=bool(slots.spans), follows_up=continues(norm.simplified),
                    # a correction's bare number ("改成5", "make it 40"), not a question about one ("What's a 502?")
                    lone_number=lone_number(norm.simplified.lower(), slots) is not None and not asks_open(norm.simplified),
                    returns=returns_to(norm.simplified))
        decision = decide(cues, state)
        # Worth a question back: the user's own case, a yes/no question whose answer turns on the missing
        # detail, or a conversation already filling details. "How / when / what" gets the rule itself.
        specific = particular(norm.simplified) or not asks_how(norm.simplified) or \
            decision.move in {"continue", "modify"} or any(supplies(tool) for tool, _ in decision.tools)
        if decision.restored:  # the planner reads the restored topic's details without the going-back wording
            norm = replace(norm, simplified=without_return(norm.simplified))
        return Frame(norm=norm, slots=slots, routes=routes, move=decision.move, tools=decision.tools,
                     convert_to=cues.language, particular=specific, restored=decision.restored)

    def _noted(self, norm: Normalised, frame: Frame, state: DialogueState, session_id: str) -> Answer:
        """The reply to a statement: what was read from it, kept for the question that follows. The pending
        detail, the last result and topic stay as they were."""
        state.statements = [*state.statements, norm.original][-3:]
        zone = frame.slots.timezone
        if zone:
            state.facts["timezone"] = zone
        noted = (Said("好的,记下了" + (f"(时区按 {zone} 理解)" if zone else "") + "。请接着问您的问题,我会结合这些情况来回答。",
                      "Noted" + (f" (time zone read as {zone})" if zone else "") +
                      ". Ask your question and I will take this into account."),)
        answer = Answer(answer=render([[noted]], norm.variant), abstained=False, language=norm.language,
                        variant=norm.variant, session_id=session_id, move=frame.move)
        answer._parts = neutral([[noted]])
        return answer

    def _remember(self, state: DialogueState, frame: Frame, outcome: Outcome, answer: Answer) -> None:
        """The dialogue state after this turn."""
        state.held = frame.norm.original if frame.move == "unclear" else None
        state.pending = outcome.pending
        left = state.result
        if frame.restored:  # the topic gone back to is the current one again
            back = {tool for tool, _ in frame.tools}
            state.earlier = [r for r in state.earlier if r.tool not in back]
        if left is not None and (outcome.result is None and frame.move == "switch" or
                                 outcome.result is not None and outcome.result.tool != left.tool):
            # a topic left for another is kept, to go back to
            state.earlier = [*[r for r in state.earlier if r.tool != left.tool], left][-3:]
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
        payload = answer.model_dump(mode="json")
        if answer._parts is not None:
            payload["_parts"] = answer._parts  # to draw the turn again in another language
        self.sessions.save_turn(stored.id, now, message, answer.answer, payload, pending, last,
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
