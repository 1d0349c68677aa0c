"""Support-staff triage: a partner's case in, category, entities, tool results and a cited draft reply out."""

from __future__ import annotations

import re
from datetime import datetime, time, timezone
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools import ToolError, get_tool
from tools.model import BEIJING

from .answer import Answer, Citation, Now
from .catalogue import with_catalogue
from .compose import explanation, render, rule_citations, rule_lines, source_citations
from .language import detect
from .service import Assistant
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
_URGENT = re.compile(r"紧急|加急|尽快|马上|立刻|无法|不能用|失败|阻塞|投诉|urgent|asap|blocked|cannot|can't|failed|outage",
                     re.I)
# CBC.0100, PTN.4004, MKT.0001 (cbc.0100 typed in lower case too; "No.2026" is a number, not a code family)
_CODE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2,6}|[a-z]{3,6})\.\d{2,10}(?![0-9])")
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


def _received(case: TriageCase, text: str, clock: datetime | None) -> tuple[datetime, str]:
    if case.now is not None:
        return case.now, "case"
    stated = stated_today(text, clock or datetime.now(timezone.utc))
    if stated is not None:
        return stated, "stated"
    return (clock or datetime.now(timezone.utc)).astimezone(BEIJING), "clock"  # shown in the rules' own zone


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
    "clock": ("收到时间:案例没有写明日期,按服务器时间 {when} 计算;如与实际收到时间不同,请填写收到时间。",
              "Received at: the case states no date, so the server time {when} was used; give the received time if it differs."),
    "nothing": ("具体诉求:案例中没有可以对照规则的问题或信息,请向伙伴确认想咨询的具体事项。",
                "The actual request: the case holds no question or detail the rules can be applied to; ask the partner what they need."),
    "uncovered": ("规则依据:资料没有覆盖案例所问的内容,需要人工确认后答复(已提取的信息可供参考)。",
                  "A rule to answer with: the documents do not cover what the case asks; a person needs to confirm the answer (the extracted details may help)."),
}


def triage(assistant: Assistant, case: TriageCase, now: datetime | None = None) -> TriageResult:
    """``now`` is the clock to fall back on; the case's own received time or stated date come first."""
    text = f"{case.subject}\n{case.body}".strip()
    received, source = _received(case, text, now)
    answer: Answer = assistant.answer(text, now=received)
    entities = entities_of(text, received)
    variant = "en" if answer.language == "en" else detect(text)
    calls = [c.model_dump(mode="json") for c in answer.tool_calls]
    extra_calls, extra_citations, extra_sections = _lookups(assistant, entities, {c["name"] for c in calls}, variant)
    citations = [c.model_dump() for c in answer.citations]
    citations += [c.model_dump() for c in extra_citations if c.chunk_id not in {x["chunk_id"] for x in citations}]
    handled = not answer.abstained or bool(extra_calls)
    if answer.abstained:
        draft = "\n\n".join(extra_sections) if extra_sections else answer.answer
    else:
        draft = "\n\n".join([answer.answer, *extra_sections])
    category: Category
    if answer.tool_calls:
        category = _TOOL_CATEGORY[answer.tool_calls[0].name]
    elif extra_calls:
        category = _TOOL_CATEGORY[extra_calls[0]["name"]]
    elif answer.abstained:
        category = "out_of_scope"
    else:
        # A follow-up means a tool applies but lacks a detail: its topic is the case's category.
        routes = assistant.router.route(text) if answer.follow_up else []
        category = _TOOL_CATEGORY[routes[0].tool] if routes else "general"
    server_error = any(s >= 500 for s in entities.http_statuses)
    priority = "high" if (_URGENT.search(text) or server_error) else ("low" if category == "navigation" else "normal")
    en = answer.language == "en"
    missing = [answer.follow_up] if answer.follow_up else []
    if source == "clock" and any("now" in c["arguments"] for c in calls):
        missing.append(_MISSING["clock"][en].format(when=received.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
                                                    + (" (Beijing time)" if en else "(北京时间)")))
    if not handled:
        stated_anything = any(getattr(entities, name) for name in Entities.model_fields)
        missing.append(_MISSING["uncovered" if stated_anything else "nothing"][en])
    return TriageResult(
        category=category, priority=priority, needs_human=not handled, entities=entities,
        tool_calls=calls + extra_calls, draft_reply=draft, citations=citations, missing_information=missing,
        language=answer.language, received_at=received, received_from=source)
