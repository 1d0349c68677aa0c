"""Support-staff triage: a partner's case in, category, entities, tool results and a cited draft reply out."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .answer import Answer, Now
from .service import Assistant
from .slots import extract

Category = Literal["invoicing", "po_assessment", "billing", "performance", "consumption", "stored_value_card",
                   "attribution", "opportunity", "orders", "error_code", "navigation", "general", "out_of_scope"]
_TOOL_CATEGORY: dict[str, Category] = {
    "invoice_merge_check": "invoicing", "po_assessment_check": "po_assessment", "bill_timing": "billing",
    "performance_visibility": "performance", "consumption_lookback": "consumption",
    "stored_value_card_credit": "stored_value_card", "attribution_start": "attribution",
    "opportunity_permission": "opportunity", "order_visibility": "orders", "error_code_lookup": "error_code",
    "menu_path_lookup": "navigation",
}
_URGENT = re.compile(r"紧急|加急|尽快|马上|立刻|无法|不能用|失败|阻塞|投诉|urgent|asap|blocked|cannot|can't|failed|outage",
                     re.I)
_CODE = re.compile(r"(?<![A-Za-z0-9])CBC\.\d{1,10}(?![0-9])", re.I)
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
    now: Now | None = Field(default=None, description="Defaults to the clock; must carry a UTC offset")


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


def entities_of(text: str, now: datetime) -> Entities:
    slots = extract(text, now)
    return Entities(
        dates=[d.isoformat() for d in slots.dates], billing_periods=slots.months,
        timestamps=[d.isoformat() for d in slots.datetimes], amounts=slots.amounts,
        error_codes=sorted({"CBC." + c.split(".", 1)[1] for c in _CODE.findall(text)}),
        http_statuses=sorted({int(s) for s in _STATUS.findall(text)}),
        po_ids=sorted({p.upper() for p in _PO.findall(text)}),
        payment_request_ids=sorted(set(_PAYMENT_REQUEST.findall(text))))


def triage(assistant: Assistant, case: TriageCase, now: datetime) -> TriageResult:
    text = f"{case.subject}\n{case.body}".strip()
    answer: Answer = assistant.answer(text, now=now)
    entities = entities_of(text, now)
    category: Category
    if answer.abstained:
        category = "out_of_scope"
    elif answer.tool_calls:
        category = _TOOL_CATEGORY[answer.tool_calls[0].name]
    else:
        # A follow-up means a tool applies but lacks a detail: its topic is the case's category.
        routes = assistant.router.route(text) if answer.follow_up else []
        category = _TOOL_CATEGORY[routes[0].tool] if routes else "general"
    server_error = any(s >= 500 for s in entities.http_statuses)
    priority = "high" if (_URGENT.search(text) or server_error) else ("low" if category == "navigation" else "normal")
    missing = [answer.follow_up] if answer.follow_up else []
    return TriageResult(
        category=category, priority=priority, needs_human=answer.abstained, entities=entities,
        tool_calls=[c.model_dump(mode="json") for c in answer.tool_calls], draft_reply=answer.answer,
        citations=[c.model_dump() for c in answer.citations], missing_information=missing, language=answer.language)
