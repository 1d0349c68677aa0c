"""Support-staff triage: a partner's case in, category, entities, tool results and a cited draft reply out."""

from __future__ import annotations

import contextlib
import re
import unicodedata
import uuid
from dataclasses import replace
from datetime import date, datetime, time, timezone
from decimal import Decimal
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools import RULES, ToolError, get_tool
from tools.model import BEIJING

from knowledge import QueryError
from knowledge.durations import date_asking_phrases
from knowledge.lexical import to_simplified

from .answer import Answer, Citation, Now
from .asks import (CODE, MOMENT_LEFTOVER, Function, _question_clauses, asks_of, embedded_question, is_field_line, joined, names_topic,  # noqa: F401 - re-exported
                   opens_another, sentence_function, sentences_of, unlabelled, written_sentences)
from .catalogue import with_catalogue
from .understanding.scope import blocked
from .compose import explanation, render, rule_citations, rule_lines, source_citations
from .evidence import gather_evidence
from .evidence.sentences import SUPPORT_SCORE, key_terms
from .extractive import compose as compose_extractive
from .language import detect
from .planning import TOPICS
from .service import Assistant
from .sessions import SessionNotFoundError
from .slots import extract

Category = Literal["invoicing", "po_assessment", "billing", "performance", "consumption", "stored_value_card",
                   "attribution", "opportunity", "orders", "error_code", "navigation", "deadlines", "general",
                   "out_of_scope"]
_TOOL_CATEGORY: dict[str, Category] = {
    "invoice_merge_check": "invoicing", "po_assessment_check": "po_assessment", "bill_timing": "billing",
    "performance_visibility": "performance", "consumption_lookback": "consumption",
    "stored_value_card_credit": "stored_value_card", "attribution_start": "attribution",
    "opportunity_permission": "opportunity", "order_visibility": "orders", "error_code_lookup": "error_code",
    "menu_path_lookup": "navigation", "duration_deadline": "deadlines",
}
# Priority is read from what the case states, not from problem words: an explicit marker of urgency (a small
# closed class of urgency adverbs, stated as such), a blocked partner (an ability or an attempt denied, read
# by the negation scope: 看不到, 提交不上去, "unable to", "can't"), a server error, or a failure reported with
# its code or status (a sentence reporting a problem, not asking about one, that names an HTTP status or code).
_URGENCY = re.compile(r"紧急|加急|急需|尽快|尽早|马上|立刻|立即|\burgent(?:ly)?\b|\basap\b|\bimmediately\b|"
                      r"\bright away\b|\bas soon as possible\b", re.I)
_CODE = CODE
_STATUS = re.compile(r"(?:HTTP|状态码|status)\s*[::]?\s*([1-5]\d{2})(?!\d)", re.I)
_PO = re.compile(r"(?<![A-Za-z0-9])PO[-_]?\d{3,}(?![0-9])", re.I)
_PAYMENT_REQUEST = re.compile(r"(?:申付单号?|payment[- ]request(?: id| no\.?)?)\s*[::#]?\s*([A-Za-z0-9-]{4,40})", re.I)


class TriageCase(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"subject": "紧急:API报错", "body": "返回HTTP 400,错误码CBC.30000010,申付单号 PR-2026-0815",
         "partner_role": "finance", "now": "2026-11-27T10:00:00+08:00"}]})

    subject: str = Field(min_length=1, max_length=500)
    body: str = Field(default="", max_length=8000)
    partner_role: str | None = Field(default=None, max_length=100,
                                     description="e.g. account manager, salesperson, finance")
    now: Now | None = Field(default=None, description="When the case was received (with a UTC offset); default the "
                                                      "date the case states as today (今天是2026-11-04), else the clock")


class Entities(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dates: list[str] = Field(default_factory=list)
    billing_periods: list[str] = Field(default_factory=list)
    timestamps: list[str] = Field(default_factory=list)
    amounts: list[Decimal] = Field(default_factory=list)
    error_codes: list[str] = Field(default_factory=list)
    http_statuses: list[int] = Field(default_factory=list)
    po_ids: list[str] = Field(default_factory=list)
    payment_request_ids: list[str] = Field(default_factory=list)


class TriageAsk(BaseModel):
    """One ask of the case and the one decision made about it: the draft answers it (with the tools it ran and
    the chunks it quotes), asks the partner for a detail that decides it, or leaves it to a person (it is
    then named under missing information and nothing in the draft claims to answer it)."""
    model_config = ConfigDict(extra="forbid")

    text: str
    status: Literal["answered", "asked_back", "uncovered"]
    tools: list[str] = Field(default_factory=list)
    chunk_ids: list[str] = Field(default_factory=list, description="The chunks the draft quotes for it")


class TriageResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: Category
    priority: Literal["high", "normal", "low"]
    needs_human: bool
    entities: Entities
    tool_calls: list[dict] = Field(default_factory=list)
    draft_reply: str
    citations: list[dict] = Field(default_factory=list)
    missing_information: list[str] = Field(default_factory=list)
    language: Literal["zh", "en"]
    received_at: datetime | None = Field(default=None, description="The moment the rules were applied at")
    asks: list[TriageAsk] = Field(default_factory=list, description="Each ask of the case and how the draft treats it")
    received_from: Literal["case", "stated", "clock"] | None = Field(
        default=None, description="Where received_at came from: the case's `now`, a date the text states as today, "
                                  "or the server clock")


def entities_of(text: str, now: datetime) -> Entities:
    slots = extract(text, now)
    once = lambda values: list(dict.fromkeys(values))  # noqa: E731 - the same period said three times is one
    return Entities(
        dates=once(d.isoformat() for d in slots.dates), billing_periods=once(slots.months),
        timestamps=once(d.isoformat() for d in slots.datetimes), amounts=once(slots.amounts),
        error_codes=sorted({c.split(".", 1)[0].upper() + "." + c.split(".", 1)[1] for c in _CODE.findall(text)}),
        http_statuses=sorted({int(s) for s in _STATUS.findall(text)}),
        po_ids=sorted({p.upper() for p in _PO.findall(text)}),
        payment_request_ids=sorted(set(_PAYMENT_REQUEST.findall(text))))


# "今天是2026-11-04", "today is 4 November 2026": the day the case itself says it was written.
_TODAY = re.compile(r"(?:今天|今日|当前日期|现在|目前|today|as of|current date)\s*(?:是|为|:|:|is|,|,)?\s*"
                    r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]"
                    r"|[A-Za-z]{3,9}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2} [A-Za-z]{3,9}\.? \d{4})", re.I)


def stated_today(text: str, clock: datetime) -> datetime | None:
    """The start (Beijing time) of the day the text states as today, if it states one."""
    for match in _TODAY.finditer(text):
        dates = extract(match.group(1), clock).dates
        if dates:
            return datetime.combine(dates[0], time(0, 0), BEIJING)
    return None


_MOMENT_LEFTOVER = MOMENT_LEFTOVER  # a value that is only a moment leaves none of its own words (asks.py)


def _moment(value: str, clock: datetime, whole: bool) -> datetime | None:
    """The moment ``value`` states, read by the project's date parser (any written format, any language):
    the first date and time it gives in Beijing time, its day's start when no time is given. ``whole``: the
    value must be nothing but that moment (a field line's value), else None."""
    if not re.search(r"\d", value):
        return None  # a date the case states of itself is written out (下周, yesterday: no moment of the case)
    slots = extract(value, clock)
    if not slots.dates and not slots.datetimes:
        return None
    if whole:
        rest = to_simplified(value).lower()
        for span in sorted(slots.spans, key=len, reverse=True):
            rest = rest.replace(span.lower(), " ")
        if _MOMENT_LEFTOVER.sub("", rest).strip():
            return None
    if slots.datetimes:
        return slots.datetimes[0].astimezone(BEIJING)
    return datetime.combine(slots.dates[0], time(0, 0), BEIJING)


def _labelled(text: str, clock: datetime, names_topic: Callable[[str], bool] | None,
              asked_day: Callable[[date], bool] | None) -> tuple[datetime, str] | None:
    # The unit is the sentence: a labelled date may open a paragraph (收件日期:2026/11/28。伙伴问…) as well
    # as stand on its own line. A whole line is read first, so a date whose abbreviation ends in a full stop
    # (Dec. 3) is not cut.
    units = []
    for line in text.splitlines():
        units.append(line)
        parts = _sentences(line)
        if len(parts) > 1:
            units += parts
    for line in units:
        colon = re.search("[:\uff1a]", line)  # the first colon: a time in the value has its own
        if colon is None or re.search(r"[??]", line):
            continue
        label, value = line[:colon.start()].strip(), line[colon.end():].strip()
        if not label or len(label) > 24 or names_topic is not None and names_topic(label):
            continue
        moment = _moment(value, clock, whole=True)
        if moment is None or asked_day is not None and asked_day(moment.date()):
            continue
        return moment, line
    return None


def labelled_received(text: str, clock: datetime, names_topic: Callable[[str], bool] | None = None,
                      asked_day: Callable[[date], bool] | None = None) -> datetime | None:
    """The moment a field line of the case states (a label, a colon, and nothing but a date and time: any
    format the date parser reads), when the line dates the case itself (when it was received, opened,
    submitted) rather than what the case asks about: ``names_topic(label)`` says whether the label names such
    a topic (账单日期:2026-10-31 dates a bill), ``asked_day(day)`` whether the asks use the line's date
    (分配日期:2026-11-18 beside "11月18日分给我之后…从哪天算?" dates the assignment asked about). The first
    line dating the case counts; its time of day, if given, in Beijing time."""
    found = _labelled(text, clock, names_topic, asked_day)
    return found[0] if found else None


# A clause stating the case's own receipt, opening or writing. The case-metadata predicates are a small
# closed class (what happens to a case, not to what it tells of), and they count only in a structure whose
# subject is the case itself: the clause opens with the predicate (Received on 3 Dec 2026, Written 30/11/2026
# by …) or with a noun naming the case (Case opened …, 本案于…受理, 工单创建于…), or the predicate qualifies
# such a noun (23号收到的工单). "We received the customer's order on 20 November" dates the order: its subject
# is no case noun, so it is not read.
_CASE_VERBS_EN = r"received|opened|logged|created|raised|written|dated|submitted|sent"
_CASE_NOUNS_EN = r"case|ticket|enquiry|inquiry|query|message|e-?mail"
_CASE_NOUN_EN = rf"(?:(?:this|the|our)\s+)?(?:{_CASE_NOUNS_EN})(?:\s*(?:#|no\.?|id)?\s*[\w-]*\d[\w-]*)?\s+"
_CASE_PREDICATE_EN = rf"(?:(?:was|is|has been)\s+)?(?:{_CASE_VERBS_EN})\s+(?:(?:on|at|in)\s+)?(?=[\d(]|[a-z]{{3,9}}\.?\s+\d)"
# The predicate with no subject of its own (Received on …) dates the case only when it opens a sentence: after
# a comma it is said of the noun before it ("the payment request, submitted on 3 November, …").
_CASE_SENTENCE_EN = re.compile(rf"^(?:{_CASE_NOUN_EN})?{_CASE_PREDICATE_EN}", re.I)
_CASE_CLAUSE_EN = re.compile(rf"^{_CASE_NOUN_EN}{_CASE_PREDICATE_EN}", re.I)
# The case's author writing it (A reseller from Madrid writes on 2026-11-25: …): a subject of a few words
# (no date of its own) and a verb of writing, the writing being the case itself.
# The author may say where they write from ("I'm writing from our Tokyo office on 2 December 2026"): the place is
# kept for the asks like the author; writing *to* someone dates nothing of the case.
_CASE_WRITING_EN = r"writes|wrote|has written|have written|(?:(?:is|am|are)\s+)?writing"
_CASE_AUTHOR_EN = re.compile(rf"^(?P<author>(?:[^\W\d][\w'’-]*\s+){{1,6}}?)(?:{_CASE_WRITING_EN})\s+"
                             rf"(?P<source>from\s+(?:[^\W\d][\w'’-]*\s+){{1,5}}?)?(?:(?:on|at|in)\s+)?"
                             rf"(?=[\d(]|[a-z]{{3,9}}\.?\s+\d)", re.I)
# ... or the case is the predicate's object (We received this ticket on …, 我们11月3日收到伙伴的工单).
_CASE_OBJECT_EN = re.compile(rf"\b(?:received|opened|logged|raised|submitted|sent)\s+(?:this|the|a|their|your)\s+"
                             rf"(?:{_CASE_NOUNS_EN})\b", re.I)
_CASE_VERBS_ZH = r"收到|接收|收件|来件|受理|创建|建单|提交|登记|发送|写于"
_CASE_NOUNS_ZH = r"工单|案件|本案|来件|邮件|咨询单|本单|此单"
# (after a case noun opening the clause, only the moment and a particle may come before the predicate: in
# 工单里客户说11月3日提交的申付单 the 提交 is the customer's)
_MOMENT_CHARS = r"[\d\s年月日号点分时半上下午晚早凌晨中今去明:/.()()\-]"
_CASE_CLAUSE_ZH = re.compile(rf"^(?:这|本|该|此)?(?:个|张|封|份)?(?:{_CASE_NOUNS_ZH}|案)(?:已经|已|是|被)?(?:于|在)?"
                             rf"{_MOMENT_CHARS}{{0,30}}(?:于|在)?(?:{_CASE_VERBS_ZH})|"
                             rf"(?:{_CASE_VERBS_ZH})的(?:{_CASE_NOUNS_ZH})|"
                             rf"(?:{_CASE_VERBS_ZH})了?[^,,。;;]{{0,6}}?的?(?:{_CASE_NOUNS_ZH})")
# The case's author writing it, in Chinese (伦敦的伙伴于2026/12/02来信, 深圳的伙伴11月26日来函): a subject of a few
# characters with no date, the moment, and a verb of writing in: 来 + the letter (the mail coming in is the case;
# 写信给客户经理 writes to someone else and dates nothing of the case).
_CASE_WRITING_ZH = r"来信|来函|来邮|来件"
_CASE_AUTHOR_ZH = re.compile(rf"^(?P<author>[^\d,,。;;:]{{1,12}}?)(?:于|在)?(?=[\d今昨前上本])"
                             rf"{_MOMENT_CHARS}{{2,30}}?(?:{_CASE_WRITING_ZH})")


def _sentences(text: str) -> list[str]:
    """The sentences of ``text`` without their final punctuation (the wording dating a case ends before it)."""
    return [s for s in (re.sub(r"[。.!?]+$", "", s).strip() for s in written_sentences(text)) if s]


# Clause ends (sentences are `_sentences`): a comma before a year, as in "Nov 27, 2026", and a colon
# inside a time are part of the date.
_CLAUSE_END = re.compile(r"[;;,,\uff1a]|;(?=\s|$)|,(?!\s*\d{4})|:(?!\d)")


def _addresses(clauses: list[str], names_topic: Callable[[str], bool] | None) -> bool:
    """Are ``clauses`` (those opening a sentence before a subject-less predicate) only an address or greeting
    (Hi support, Dear team, 您好)? Such a clause is a few words with no date, and names nothing the case tells
    of; a noun phrase the predicate could be said of ("Our payment request, submitted on 3 November, …")
    names a topic. With no topic reader, nothing is taken for an address."""
    if names_topic is None:
        return False
    for clause in clauses:
        words = re.findall(r"[^\W\d_]+", clause)
        cjk = len(re.findall(r"[\u4e00-\u9fff]", clause))
        if re.search(r"\d", clause) or len(words) > 3 or cjk > 6 or names_topic(clause):
            return False
    return True


def _case_clause(clause: str, opens: bool) -> re.Match | None:
    """The case-metadata structure ``clause`` holds (its subject and predicate, up to the moment), if any;
    ``opens``: the clause opens its sentence (after an address at most)."""
    if opens:
        found = _CASE_SENTENCE_EN.search(clause) or _CASE_AUTHOR_EN.search(clause) or \
            _CASE_AUTHOR_ZH.search(to_simplified(clause))
    else:
        found = _CASE_CLAUSE_EN.search(clause)
    return found or _CASE_OBJECT_EN.search(clause) or _CASE_CLAUSE_ZH.search(to_simplified(clause))


def _case_clauses(text: str, names_topic: Callable[[str], bool] | None = None) -> list[str]:
    """The clauses of ``text`` whose subject is the case itself (or its author writing it) and whose predicate
    is its receipt, opening or writing (whether they hold a date is read after). A clause after an address
    (Hi support, received 27 Nov 2026) opens its sentence as much as one with nothing before it."""
    found = []
    for sentence in _sentences(text):
        clauses = [c for c in (part.strip() for part in _CLAUSE_END.split(sentence)) if c]
        for i, clause in enumerate(clauses):
            if _case_clause(clause, i == 0 or _addresses(clauses[:i], names_topic)):
                found.append(clause)
    return found


def case_dated(text: str, clock: datetime, names_topic: Callable[[str], bool] | None = None,
               asked_day: Callable[[date], bool] | None = None) -> tuple[datetime, str] | None:
    """The moment the case states about itself, and the wording stating it (a line or clause that is then no
    part of any ask): a date it gives as today, a header field line holding only a date, or a clause whose
    subject is the case and whose predicate is its receipt, opening or writing. Every format is read by the
    date parser."""
    today = stated_today(text, clock)
    if today is not None:
        return today, ""
    labelled = _labelled(text, clock, names_topic, asked_day)
    if labelled is not None:
        return labelled
    for clause in _case_clauses(text, names_topic):
        moment = _moment(clause, clock, whole=False)
        if moment is not None and not (asked_day is not None and asked_day(moment.date())):
            return moment, clause
    return None


def _rest_of_clause(wording: str, clock: datetime) -> str:
    """What a clause dating the case says besides that (Ticket received 29 Nov 2026 from a partner (Sydney):
    "from a partner (Sydney)", a detail the asks may need): the clause without its case-metadata subject and
    predicate and without the moments the date parser reads in it; "" when nothing of two words or more is left
    (a field line's label, a preposition)."""
    found = _case_clause(wording, True)
    if found is None or _labelled(wording, clock, None, None) is not None:
        return ""  # a field (工单提交日期:2026-11-26) says nothing but the date
    rest = to_simplified(wording)
    # who writes, and from where, is part of what the case tells
    author = " ".join(found.groupdict().get(k) or "" for k in ("author", "source"))
    rest = rest[:found.start()] + " " + author + rest[found.end():]
    for span in sorted((s for s in extract(rest, clock).spans if re.search(r"\d", s)), key=len, reverse=True):
        rest = rest.replace(span, " ")
    rest = re.sub(r"\s+", " ", rest).strip(" ,,.。;;:-")
    words = re.findall(r"[^\W\d_]{2,}", _MOMENT_LEFTOVER.sub(" ", rest))
    cjk = re.findall(r"[\u4e00-\u9fff]", rest)
    # a single word that is a value (Case opened 2026-12-02 (Dubai): the partner's zone) is kept as well
    return rest if len(words) >= 2 or len(cjk) >= 2 or (rest and extract(rest, clock).spans) else ""


def _without(body: str, wording: str, clock: datetime | None = None) -> str:
    """The body without the wording that dates the case (and the punctuation closing it); what else a dating
    clause says stays in its place."""
    if not wording or wording not in body:
        return body
    at = body.index(wording)
    end = at + len(wording)
    tail = re.match(r"\s*[。.,,;;:]?", body[end:])
    rest = _rest_of_clause(wording, clock or datetime.now(timezone.utc))
    if rest:
        # (a colon after it would make the rest read as a field's label: it closes a sentence of its own)
        after = re.sub(r"^\s*[:\uff1a]", "." if rest.isascii() else "。", body[end:])
        return (body[:at] + rest + after).strip()
    return (body[:at] + body[end + (tail.end() if tail else 0):]).strip()


def _dates_case(sentence: str, names_topic: Callable[[str], bool] | None = None) -> bool:
    """Does a sentence hold a clause dating the case itself (its days are then no day the case tells of)?"""
    return bool(_case_clauses(sentence, names_topic))


def _received(case: TriageCase, text: str, clock: datetime | None,
              names_topic: Callable[[str], bool] | None = None,
              asked_day: Callable[[date], bool] | None = None) -> tuple[datetime, str, str]:
    """The received moment, where it came from, and the case's wording that stated it ("" if none)."""
    if case.now is not None:
        return case.now, "case", ""
    stated = case_dated(text, clock or datetime.now(timezone.utc), names_topic, asked_day)
    if stated is not None:
        return stated[0], "stated", stated[1]
    return (clock or datetime.now(timezone.utc)).astimezone(BEIJING), "clock", ""  # shown in the rules' own zone


def _lookups(assistant: Assistant, entities: Entities, ran: set[str], variant) -> tuple[list[dict], list[Citation], list[str]]:
    """Rules the case touches through an identifier it quotes (an error code, an HTTP status) are
    looked up even when the question around them is not answerable: support staff need the code's meaning."""
    if "error_code_lookup" in ran or not (entities.error_codes or entities.http_statuses):
        return [], [], []
    status = entities.http_statuses[0] if len(entities.http_statuses) == 1 else None
    requests = [{"error_code": code, "http_status": status} for code in entities.error_codes] or \
               [{"http_status": s} for s in entities.http_statuses]
    calls: list[dict] = []
    citations: list[Citation] = []
    sections: list[str] = []
    for arguments in requests:
        arguments = {k: v for k, v in arguments.items() if v is not None}
        try:
            tool = get_tool("error_code_lookup")
            result = tool.run(with_catalogue(tool, arguments, assistant.index))
        except ToolError:
            continue  # a value the lookup cannot take: the entities still show it
        calls.append({"name": "error_code_lookup", "arguments": arguments, "result": result.model_dump(mode="json")})
        payload = calls[-1]["result"]
        cited = source_citations(assistant.index, payload, variant) + rule_citations(assistant.index, result.rule_refs)
        citations.extend(c for c in cited if c.chunk_id not in {x.chunk_id for x in citations})
        sections.append(render([[explanation(result), *rule_lines(cited)]], variant))
    return calls, citations, sections


_MISSING = {
    "clock": ("收到时间:案例没有写明收到时间或今天的日期,按服务器时间 {when} 计算;如与实际收到时间不同,请填写收到时间。",
              "Received at: the case does not state when it was received (or today's date), so the server time {when} "
              "was used; give the received time if it differs."),
    "nothing": ("具体诉求:案例中没有可以对照规则的问题或信息,请向伙伴确认想咨询的具体事项。",
                "The actual request: the case holds no question or detail the rules can be applied to; ask the partner what they need."),
    "uncovered": ("规则依据:资料没有覆盖案例所问的内容,需要人工确认后答复(已提取的信息可供参考)。",
                  "A rule to answer with: the documents do not cover what the case asks; a person needs to confirm the answer (the extracted details may help)."),
    "overdue": ("已过规则时间:按规则({topic})应在 {due} 之前完成,案例({received})却反映仍未实现;这不是等待的问题,"
                "草稿无法解决,需要人工核查原因。",
                "Past the rule's date: by the rules ({topic}) it was due by {due}, yet the case ({received}) reports it still "
                "missing; waiting will not settle it and the draft cannot, so a person needs to check why."),
    "uncovered_ask": ("规则依据:资料没有覆盖这一问,草稿未作答,需要人工答复:「{ask}」",
                      "A rule to answer with: the documents do not cover this ask, so the draft does not answer it; a person needs to: \"{ask}\""),
}


def _states_problem(text: str) -> bool:
    """Does ``text`` state a problem: a sentence reporting a failure or a blocked ability, not a question about
    one ("接口返回429是什么意思?" asks what a code means; "昨天的业绩还看不到,这个正常吗?" asks whether a wait is expected)?"""
    return any(function == "problem" or function == "fact" and blocked(s)
               for s in sentences_of(text) for function in [sentence_function(s)])


def _overdue(calls: list[dict], received: datetime) -> list[tuple[str, str]]:
    """The tools among ``calls`` whose computed moment (their result's ``due`` field: a bill's generation
    deadline, the day performance shows) is already past when the case was received, with that moment as
    written. A date is due by the end of its day (Beijing time)."""
    late = []
    for call in calls:
        field = get_tool(call["name"]).output_model.due
        value = call.get("result", {}).get(field) if field else None
        if not value:
            continue
        with contextlib.suppress(ValueError):
            if "T" in value:
                moment = datetime.fromisoformat(value)
                past, shown = received > moment, moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
            else:
                past, shown = received.astimezone(BEIJING).date() > date.fromisoformat(value), value
            if past:
                late.append((call["name"], shown))
    return late


def _names_topic(assistant: Assistant, sentence: str) -> bool:
    return names_topic(assistant.router, sentence)


def _same_topic(assistant: Assistant, first: str, second: str) -> bool:
    """Do two sentences name a topic in common: a word of a tool's topic, more specific than most tools share?"""
    router = assistant.router
    shared = router.topic_terms(to_simplified(first).lower()) & router.topic_terms(to_simplified(second).lower())
    return bool(shared & router.tool_terms(tuple(assistant.tools)) - router.generic_terms())


def _without_date_asking(sentence: str) -> str:
    """The sentence without the words asking for a date ("What date will…": the question's form, no topic)."""
    text = to_simplified(sentence).lower()
    for phrase in sorted(date_asking_phrases(text), key=len, reverse=True):
        text = text.replace(phrase, " ")
    return text


def _names_asked_topic(assistant: Assistant, label: str, told: list[str]) -> bool:
    """Does a field line's label name what the case tells of (订单日期 beside a story about that order's
    performance, 账单日期 beside a bill question), rather than the case itself (工单收到时间, Date received)?
    A label is a noun phrase naming what its date is of; it dates the case unless its words that name a
    tool's topic (more specific than words most tools share) are words of the case's sentences too. Comparing
    with what the case tells, not with every tool's vocabulary, is what keeps a metadata label whose words happen to be some
    tool's (收到, received, "date" folded onto 数据) from being read as a rule's event."""
    router = assistant.router
    own = router.topic_terms(to_simplified(label).lower()) & router.tool_terms(tuple(assistant.tools))
    asked = frozenset(t for sentence in told for t in router.topic_terms(_without_date_asking(sentence)))
    return bool((own & asked) - router.generic_terms())


def _one_question(subject: str, body: str, told_of: Callable[[str], bool] = lambda label: False,
                  tells: Callable[[str], bool] = lambda line: True,
                  names: Callable[[str], bool] | None = None) -> str:
    """A case with one ask is read whole, as one question: the subject and the body, without the header
    fields about the case itself (a case number, the received line: their values are no words of the
    question, and a case number read as words the documents never use refuses the question), without the
    labels that only introduce the question (问题描述:…) and without the lines that tell nothing (``tells``
    false: a greeting, a sign-off, a name - "Hi,", "Regards,", "Ana" - whose words the documents never use
    refused a covered question). A field whose label names what the case tells of (``told_of``: Order date
    beside a story about that order) holds a detail of the question and stays."""
    lines = [unlabelled(line.strip()) for line in body.splitlines()
             if line.strip() and tells(line.strip())
             and (not is_field_line(line) or told_of(re.split("[:\uff1a]", line, maxsplit=1)[0]))]
    # The subject is the case's title: it is read with the body only when the body's question names no topic of
    # its own ("怎么办?" under the subject 账单没出), as a question naming no topic is read with the sentence
    # before it. A body that names its topic is asked in its own words: a title's words ("Performance not in
    # dashboard": the dashboard's passage states another tool's rules) pulled a performance-delay ask to the
    # assignment rule.
    # Only a question is asked in its own words: a request naming a topic and asking nothing in particular
    # ("想问一下激励的事情") stays with its subject, and with it a case for a person.
    if names is not None and lines and names("\n".join(lines)) and any(
            sentence_function(s) == "question" for line in lines for s in sentences_of(line)):
        return "\n".join(lines).strip()
    return "\n".join([subject.strip(), *lines]).strip()


def case_context(assistant: Assistant, body: str, clock: datetime) -> list[str]:
    """What the case states outside its asks, which every ask is read against as a dialogue's question is
    read against the earlier turns: its fact sentences that hold a value (a zone, a date, an amount: "The
    partner is in New York.", 伙伴所在地:悉尼, what is left of the clause dating the case) or name a tool's topic
    ("The customer belongs to another sales rep.", 客户是11月18日分配给客户经理的). Greetings and signatures
    hold neither. Only their details reach an ask (``Assistant.answer(context=...)``): joined to an ask's
    words, a fact's topic (an October bill paid late) would answer an ask of another topic (a late fee)."""
    return [s for s in sentences_of(body) if not is_field_line(s) and sentence_function(s) == "fact"
            and _tells(assistant, s, clock)]


def _tells(assistant: Assistant, text: str, clock: datetime) -> bool:
    """Does a fact tell something the rules can use: a value (a zone, a date, an amount) or a word naming a
    tool's topic? A greeting, a sign-off or a name does not."""
    router = assistant.router
    return bool(router.topic_terms(to_simplified(text).lower()) - router.generic_terms() or extract(text, clock).spans)


def _stated_choice(choices: list[str], sources: list[str]) -> str | None:
    """The one follow-up choice a stated detail names (the case's role field first, then its facts);
    longer choices are read first and blanked out, so 客户经理主管 is not also read as 客户经理."""
    for source in sources:
        text, found = source.lower(), []
        for choice in sorted(choices, key=len, reverse=True):
            if choice.lower() in text:
                found.append(choice)
                text = text.replace(choice.lower(), " ")
        if len(found) == 1:
            return found[0]
    return None


def _answer_ask(assistant: Assistant, text: str, now: datetime, facts: list[str], context: str = "",
                case_ask: bool = True) -> Answer:
    """One ask answered in its own triage-scoped session, read against the case's ``context`` (the details
    its facts give each tool); a detail the planner still asks for that the case states (its role field, a
    fact sentence) is given as the reply, so it is never asked back. ``case_ask=False``: read as the chat
    reads a message."""
    session = uuid.uuid4().hex
    try:
        answer = assistant.answer(text, session_id=session, now=now, owner="triage", case_ask=case_ask,
                                  context=context or None)
        if answer.follow_up and answer.follow_up_choices and assistant.sessions is not None:
            choice = _stated_choice(answer.follow_up_choices, facts)
            if choice is not None:
                reply = assistant.answer(choice, session_id=session, now=now, owner="triage")
                if reply.tool_calls and not reply.abstained:
                    return reply
        return answer
    finally:
        # The session only carries the case's facts between the two turns of this ask: nobody reads it
        # later, so it is not left to grow the store (one row per ask of every triaged case).
        if assistant.sessions is not None:
            with contextlib.suppress(SessionNotFoundError):  # an ask that failed before its turn was saved
                assistant.sessions.delete("triage", session)


# A third-person pronoun (it, they, 它): the question is about something said before it.
_ANAPHOR = re.compile(r"\b(?:it|its|they|them|their)\b|它|其", re.I)


def _fact_before(body: str, asks: list[str]) -> dict[str, str]:
    """For each ask, the fact sentence right before it in the body, if one is."""
    sentences = sentences_of(body)
    before: dict[str, str] = {}
    for i, sentence in enumerate(sentences[1:], 1):
        ask = next((a for a in asks if a.startswith(unlabelled(sentence))), None)
        previous = sentences[i - 1]
        if ask is not None and ask not in before and sentence_function(previous) == "fact" \
                and not is_field_line(previous):
            before[ask] = previous
    return before


def _answer_asks(assistant: Assistant, asks: list[str], now: datetime, facts: list[str],
                 context: str, fact_before: dict[str, str] | None = None) -> tuple[list[str], list[Answer]]:
    """Each ask answered; a question naming no topic of its own (``Assistant._names_own_topic``: "By what time
    should it be there?", 这个正常吗?) right after a problem report asks about that problem when the chat,
    reading the two as one message (the report a fact of the question), answers them: they are then one ask.
    When the chat refuses the pair ("…not in the portal yet. Can it be refunded?") the question stays an ask of
    its own, refused beside the answered report. Likewise a question pointing back by a pronoun at the fact
    right before it ("A customer paid CNY 8,000 with a stored-value card. How much performance do we get for
    it?") is read with that fact when the chat, reading the two as one message, runs a tool for them."""
    kept: list[str] = []
    answers: list[Answer] = []
    for ask in asks:
        fact = (fact_before or {}).get(ask)
        if fact and sentence_function(ask) == "question" and _ANAPHOR.search(ask) and fact not in ask:
            both = joined(fact, ask)
            together = _answer_ask(assistant, both, now, facts, context, case_ask=False)
            if not together.abstained and together.tool_calls:
                kept.append(both)
                answers.append(together)
                continue
        if kept and sentence_function(kept[-1]) == "problem" and sentence_function(ask) == "question" \
                and not opens_another(ask) and not assistant._names_own_topic(ask):
            both = joined(kept[-1], ask)
            together = _answer_ask(assistant, both, now, facts, context, case_ask=False)
            if not together.abstained and (together.tool_calls or together.citations):
                kept[-1], answers[-1] = both, together
                continue
        kept.append(ask)
        answers.append(_answer_ask(assistant, embedded_question(ask) if len(asks) > 1 else ask, now, facts, context))
    return kept, answers


def _answered_by_quotes(assistant: Assistant, ask: str, cited: set[str], variant: str) -> Answer | None:
    """An ask refused on its own, that a passage the draft already quotes for another ask answers: one of the
    ask's retrieved passages is such a chunk and supports it (one sentence holds at least half of the ask's
    key terms, and the kind of answer it asks for). The ask is then answered by that passage's sentence: the
    draft must not quote the answer for one ask while telling the partner nobody answered it (a look-back
    answer quoting "客户消费…不能作为…开票的依据" beside 客户消费能拿来开票吗 listed as not covered)."""
    if not cited:
        return None
    try:
        evidence = gather_evidence(ask, language="en" if detect(ask) == "en" else "zh", retriever=assistant.retriever,
                                   understood=tuple(span.lower() for span in extract(ask, datetime.now(timezone.utc)).spans))
    except QueryError:
        return None
    if evidence.reason in {"instruction", "task"} or evidence.missing_kind:
        return None
    if evidence.search is None:
        return None
    # Words of the ask the index never uses count against it, each as a word of one passage would (the
    # index's rarest weight): "认证什么时候到期" shares only 合作伙伴 with a quoted sentence, which answers
    # nothing of it, while "评审结果会通知我们吗" holds 评审 and 结果 beside one such word (通知).
    bm25 = assistant.index.lexical()
    weight = sum(key_terms(evidence.search.query_tokens, bm25).values())
    unknown = sum(bm25.idf(t) for t in evidence.unknown_terms)
    held = lambda p: max((p.sentences[i].score for i in p.quote_sentences), default=0.0)  # noqa: E731
    passage = next((p for p in evidence.passages if p.chunk.id in cited and p.supports
                    and held(p) * weight / ((weight + unknown) or 1.0) >= SUPPORT_SCORE), None)
    if passage is None:
        return None
    hits = sorted(evidence.search.hits, key=lambda h: h.chunk.id != passage.chunk.id)
    section, citations = compose_extractive(ask, replace(evidence.search, hits=hits), passage.quote)
    return Answer(answer=render([section], variant), abstained=False, citations=citations,
                  language="en" if variant == "en" else "zh", variant=variant, session_id="")


def _stated_tool(assistant: Assistant, answer: Answer) -> str | None:
    """The tool whose rule an answer quotes without running it (a how-question answered by the rule)."""
    quotes = [unicodedata.normalize("NFKC", c.quote) for c in answer.citations]
    for name, tool in assistant.tools.items():
        anchors = [unicodedata.normalize("NFKC", RULES[r].anchor) for r in tool.rules if not r.startswith("menu.") and r in RULES]
        if any(anchor in quote for anchor in anchors for quote in quotes):
            return name
    # A rule no tool computes with belongs to the family of rules it is filed under (po.psm_all_receive, who
    # receives a shared PO, beside the PO assessment rules): the tool computing with that family is the topic.
    families = {rule.id.split(".", 1)[0] for rule in RULES.values() if not rule.id.startswith("menu.")
                and any(unicodedata.normalize("NFKC", rule.anchor) in quote for quote in quotes)}
    for name, tool in assistant.tools.items():
        if families & {r.split(".", 1)[0] for r in tool.rules if not r.startswith("menu.")}:
            return name
    return None


def _merge(answers: list[Answer]) -> tuple[list[dict], list[dict], str, bool]:
    """Tool calls (each once), citations (each once), the draft (one section per ask, in order) and
    whether every ask abstained."""
    calls: list[dict] = []
    citations: list[dict] = []
    sections: list[str] = []
    seen_calls: set[str] = set()
    quoted: set[tuple[str, str]] = set()
    answered = [a for a in answers if not a.abstained] or answers[:1]
    for answer in answered:
        if not answer.tool_calls and answer.citations and {(c.chunk_id, c.quote) for c in answer.citations} <= quoted:
            continue  # quotes only what an earlier ask's section quotes: that section answers both
        quoted.update((c.chunk_id, c.quote) for c in answer.citations)
        new_calls = []
        for call in answer.tool_calls:
            dumped = call.model_dump(mode="json")
            key = repr((dumped["name"], sorted(dumped["arguments"].items())))
            if key not in seen_calls:
                seen_calls.add(key)
                new_calls.append(dumped)
        if answer.tool_calls and not new_calls:
            continue  # the same computation another ask already ran
        calls.extend(new_calls)
        citations += [c.model_dump() for c in answer.citations if c.chunk_id not in {x["chunk_id"] for x in citations}]
        sections.append(answer.answer)
    return calls, citations, "\n\n".join(sections), all(a.abstained for a in answers)


def triage(assistant: Assistant, case: TriageCase, now: datetime | None = None) -> TriageResult:
    """``now`` is the clock to fall back on; the case's own received time or stated date come first.

    A case often holds several asks (a bill not seen and an invoicing question): each is answered on its
    own with the case's shared facts (the received date, the role field, the sentences that state facts),
    then the answers are merged, so every tool whose rule the case touches runs."""
    # The case is read in NFKC, as the chat reads a message: full-width punctuation (：？，) is the ASCII the
    # readers below are written for (a field line 来件日期：2026年12月2日 was otherwise read as a question).
    case = case.model_copy(update={"subject": unicodedata.normalize("NFKC", case.subject),
                                   "body": unicodedata.normalize("NFKC", case.body)})
    text = f"{case.subject}\n{case.body}".strip()
    # What the case tells, apart from its header fields: a field line whose date or topic it speaks of dates
    # that (the assignment, the order), not the case.
    told = [s for s in sentences_of(case.body) if not is_field_line(s)]
    clock = now or datetime.now(timezone.utc)
    told_of = lambda label: _names_asked_topic(assistant, label, told)  # noqa: E731
    told_days = {d for sentence in told if not _dates_case(sentence, told_of) for d in extract(sentence, clock).dates}
    received, source, wording = _received(case, text, now, told_of, lambda day: day in told_days)
    # The wording that dates the case is the case's metadata: no ask, and no tool's slot reads its date.
    body = _without(case.body, wording, clock)
    told = [s for s in sentences_of(body) if not is_field_line(s)]
    # A sentence whose comma clauses ask two things, each naming its own topic (这笔业绩能算多少,什么时候能在系统里看到?),
    # holds two asks, as a chat message's does (`asks._question_clauses`): each runs its own tool.
    # Only when the clauses ask of different tools: two halves of one question ("Can we still pull that, and from
    # which month is the data available?") stay one ask.
    def clauses_of(sentence: str) -> list[str]:
        clauses = _question_clauses(sentence, lambda c: _names_topic(assistant, c))
        tools = [next((r.tool for r in assistant.router.route(c)), None) for c in clauses]
        return clauses if len(clauses) > 1 and None not in tools and len(set(tools)) == len(tools) else [sentence]
    asked = "\n".join(clause for line in body.splitlines() for sentence in (sentences_of(line) or [line])
                       for clause in clauses_of(sentence))
    asks = asks_of(asked, lambda sentence: _names_topic(assistant, sentence),
                   same_topic=lambda a, b: _same_topic(assistant, a, b))
    facts = [case.partner_role or ""] + [s for s in sentences_of(text) if sentence_function(s) == "fact"]
    if len(asks) < 2:
        asks = [_one_question(case.subject, body, lambda label: _names_asked_topic(assistant, label, told),
                              lambda line: any(sentence_function(s) != "fact" or _tells(assistant, s, received)
                                               for s in sentences_of(line)),
                              lambda lines: _names_topic(assistant, lines))]
    # The case's facts are the state every ask is read against (its details, not its topic)
    context = joined(*case_context(assistant, body, received))
    asks, answers = _answer_asks(assistant, asks, received, facts, context, _fact_before(body, asks))
    answer = next((a for a in answers if not a.abstained), answers[0])
    entities = entities_of(text, received)
    variant = "en" if answer.language == "en" else detect(text)
    ran_first = {c.name for a in answers if not a.abstained for c in a.tool_calls}
    extra_calls, extra_citations, extra_sections = _lookups(assistant, entities, ran_first, variant)
    looked_up = {str(c["arguments"].get("error_code") or c["arguments"].get("http_status")) for c in extra_calls}
    # One decision per ask. An ask refused on its own is answered when a passage the draft quotes for another
    # ask (or a code lookup) answers it; only then is it left to a person, and nothing in the draft answers it.
    if len(answers) > 1:
        cited = {c.chunk_id for a in answers if not a.abstained for c in a.citations} | \
                {c.chunk_id for c in extra_citations}
        for i, (ask, one) in enumerate(zip(asks, answers)):
            if one.abstained and not one.tool_calls and not any(v in ask for v in looked_up):
                answers[i] = _answered_by_quotes(assistant, ask, cited, variant) or one
    calls, citations, merged_draft, all_abstained = _merge(answers)
    citations += [c.model_dump() for c in extra_citations if c.chunk_id not in {x["chunk_id"] for x in citations}]
    handled = not all_abstained or bool(extra_calls)
    if all_abstained:
        draft = "\n\n".join(extra_sections) if extra_sections else answer.answer
    else:
        draft = "\n\n".join([merged_draft, *extra_sections])
    ran = {c["name"] for c in calls + extra_calls}
    # A follow-up is missing information only when no ask ran the tool it asks for.
    follow_ups: list[tuple[str, str | None]] = []
    records: list[TriageAsk] = []
    for ask, one_answer in zip(asks, answers):
        tools = [c.name for c in one_answer.tool_calls]
        chunk_ids = list(dict.fromkeys(c.chunk_id for c in one_answer.citations))
        if one_answer.follow_up and one_answer.tool_calls:
            follow_ups.append((one_answer.follow_up, None))  # another tool of the same ask lacks a detail
        elif one_answer.follow_up:
            routes = assistant.router.route(ask)
            follow_ups.append((one_answer.follow_up, routes[0].tool if routes else None))
        if one_answer.abstained and not one_answer.tool_calls:
            codes = [c for c in extra_calls if str(c["arguments"].get("error_code") or c["arguments"].get("http_status")) in ask]
            if codes:  # a quoted code the lookups explained counts as answered
                records.append(TriageAsk(text=ask, status="answered", tools=[c["name"] for c in codes][:1],
                                         chunk_ids=[c.chunk_id for c in extra_citations]))
            else:
                records.append(TriageAsk(text=ask, status="uncovered"))
        elif one_answer.follow_up and not one_answer.tool_calls and (follow_ups[-1][1] is None or follow_ups[-1][1] not in ran):
            records.append(TriageAsk(text=ask, status="asked_back", chunk_ids=chunk_ids))
        else:
            records.append(TriageAsk(text=ask, status="answered", tools=tools, chunk_ids=chunk_ids))
    category: Category
    stated = [t for a in answers if not a.abstained and not a.tool_calls for t in [_stated_tool(assistant, a)] if t]
    if calls:
        category = _TOOL_CATEGORY[calls[0]["name"]]
    elif extra_calls:
        category = _TOOL_CATEGORY[extra_calls[0]["name"]]
    elif all_abstained:
        category = "out_of_scope"
    else:
        # A follow-up means a tool applies but lacks a detail: its topic is the case's category.
        # So does a rule a tool states without computing (an open how-question on it).
        tools = [tool for _, tool in follow_ups if tool] + stated
        category = _TOOL_CATEGORY[tools[0]] if tools else "general"
    server_error = any(s >= 500 for s in entities.http_statuses)
    # A problem the case states: a sentence reporting a failure or a blocked ability, not a question about one
    # ("接口返回429是什么意思?" asks what a code means; "昨天的业绩还看不到,这个正常吗?" asks whether a wait is expected).
    stated_problem = _states_problem(text)
    urgent = _URGENCY.search(text) or server_error or stated_problem
    priority = "high" if urgent else ("low" if category == "navigation" else "normal")
    en = answer.language == "en"
    missing = list(dict.fromkeys(q for q, tool in follow_ups if tool is None or tool not in ran))
    if source == "clock" and any("now" in c["arguments"] for c in calls):
        missing.append(_MISSING["clock"][en].format(when=received.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
                                                    + (" (Beijing time)" if en else "(北京时间)")))
    # An ask the documents do not cover, in a case whose other asks are answered, is named: the draft is
    # sent only after a person answers it.
    # (every ask of a case with several, answered or not, so a person sees which ones are left)
    unanswered = [r.text for r in records if r.status == "uncovered"]
    if unanswered and len(answers) > 1:
        handled = False
        missing += [_MISSING["uncovered_ask"][en].format(ask=ask) for ask in unanswered]
    elif not handled:
        stated_anything = any(getattr(entities, name) for name in Entities.model_fields)
        missing.append(_MISSING["uncovered" if stated_anything else "nothing"][en])
    # A problem an ask reports (the bill still missing, performance not shown) after the moment its tool computes
    # for that very thing is past: the rule says it should already be there, so the draft's rule cannot settle it;
    # a person checks why (the draft stays, with the rule, for them to use).
    overdue = []
    for ask, one_answer in zip(asks, answers):
        if one_answer.tool_calls and _states_problem(ask):
            overdue += _overdue([c.model_dump(mode="json") for c in one_answer.tool_calls], received)
    for tool, due in dict(overdue).items():
        handled = False
        topic = TOPICS.get(tool, (tool, tool))[en]
        missing.append(_MISSING["overdue"][en].format(
            topic=topic, due=due, received=received.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")))
    return TriageResult(
        category=category, priority=priority, needs_human=not handled, entities=entities,
        tool_calls=calls + extra_calls, draft_reply=draft, citations=citations, missing_information=missing,
        language=answer.language, received_at=received, received_from=source, asks=records)
