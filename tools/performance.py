"""Performance (业绩) rules: when data becomes visible, stored-value cards, and attribution start."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, Field

from .model import BEIJING, WEEKDAYS_EN, WEEKDAYS_ZH, ToolInput, ToolOutput
from .workdays import CalendarData, WorkCalendar


class PerformanceVisibilityInput(ToolInput):
    business_date: date = Field(description="The day the business happened (Beijing date)")
    calendar: CalendarData | None = Field(
        default=None, description="Working-day calendar override; the bundled official calendar by default")


class PerformanceVisibilityResult(ToolOutput):
    business_date: date
    visible_date: date
    visible_weekday: str
    calendar_fallback: bool = Field(description="True when a year was outside the calendar data and "
                                                "Monday-Friday was assumed")


def performance_visibility(args: PerformanceVisibilityInput) -> PerformanceVisibilityResult:
    """When can a day's performance data be viewed? One working day later, official calendar."""
    calendar = WorkCalendar(args.calendar)
    visible = calendar.next_working_day(args.business_date)
    skipped = (visible - args.business_date).days - 1
    trace = [f"business date {args.business_date} ({WEEKDAYS_EN[args.business_date.weekday()]})",
             f"skipped {skipped} non-working day(s)",
             f"next working day: {visible} ({WEEKDAYS_EN[visible.weekday()]})"]
    fallback = bool(calendar.fallback_years)
    zh_note = en_note = ""
    if fallback:
        years = ", ".join(str(y) for y in sorted(calendar.fallback_years))
        trace.append(f"no calendar data for {years}: assumed Monday-Friday working days")
        zh_note = f"注意:{years} 年不在节假日数据范围内,按周一至周五为工作日推算,未考虑法定节假日和调休。"
        en_note = (f" Note: {years} is not covered by the holiday calendar, so Monday-Friday working days "
                   "were assumed, without public holidays or make-up days.")
    elif visible.weekday() >= 5:
        zh_note = "(该日为周末调休上班日,属于工作日。)"
        en_note = " (That day is a weekend make-up working day.)"
    return PerformanceVisibilityResult(
        business_date=args.business_date, visible_date=visible,
        visible_weekday=WEEKDAYS_EN[visible.weekday()], calendar_fallback=fallback,
        explanation_zh=(f"{args.business_date} 当天的业绩数据可于一个工作日后查看,即 {visible} "
                        f"({WEEKDAYS_ZH[visible.weekday()]})。{zh_note}"),
        explanation_en=(f"Performance data for {args.business_date} can be viewed one working day later, on "
                        f"{visible} ({WEEKDAYS_EN[visible.weekday()]}).{en_note}"),
        trace=trace, rule_refs=["performance.next_working_day", "menu.performance_management"])


class StoredValueCardInput(ToolInput):
    transaction: Literal["buy_card", "pay_with_card", "pay_cash"] = Field(
        description="buy a stored-value card (购买储值卡), pay for cloud services with the card, or pay cash")
    amount: Decimal | None = Field(default=None, ge=Decimal("0"), max_digits=16, decimal_places=2,
                                   description="Amount in CNY (yuan); optional: the rule holds for any amount")


class StoredValueCardResult(ToolOutput):
    credited_amount: Decimal | None = Field(description="Performance credited in CNY; null when the corpus "
                                                        "does not state the rule")
    stated_in_corpus: bool


def stored_value_card_credit(args: StoredValueCardInput) -> StoredValueCardResult:
    """How much performance does a stored-value-card transaction credit?"""
    amount = args.amount
    if args.transaction == "buy_card":
        paid_zh = f"({amount}元)" if amount is not None else ""
        paid_en = f" (CNY {amount})" if amount is not None else ""
        return StoredValueCardResult(
            credited_amount=Decimal("0.00"), stated_in_corpus=True,
            explanation_zh=f"购买储值卡{paid_zh}不计算业绩,计入业绩 0 元。",
            explanation_en=f"Buying a stored-value card{paid_en} credits no performance: CNY 0.",
            trace=[f"buy card {amount if amount is not None else '(any amount)'} -> credit 0"],
            rule_refs=["svc.purchase_no_credit"])
    if args.transaction == "pay_with_card":
        if amount is None:
            return StoredValueCardResult(
                credited_amount=None, stated_in_corpus=True,
                explanation_zh="使用储值卡购买云服务/产品,按照现金支付的额度计算业绩(计入的业绩等于支付的现金额度)。",
                explanation_en="Paying for cloud services with the card credits performance at the cash value paid.",
                trace=["pay with card (amount not given) -> credit = cash value paid"],
                rule_refs=["svc.purchase_no_credit", "svc.pay_cash_value"])
        return StoredValueCardResult(
            credited_amount=amount, stated_in_corpus=True,
            explanation_zh=f"使用储值卡购买云服务/产品,按照现金支付的额度计算业绩:计入业绩 {amount} 元。",
            explanation_en=(f"Paying for cloud services with the card credits performance at the cash value "
                            f"paid: CNY {amount}."),
            trace=[f"pay with card {amount} -> credit {amount} (cash value)"],
            rule_refs=["svc.purchase_no_credit", "svc.pay_cash_value"])
    return StoredValueCardResult(  # paying cash directly
        credited_amount=None, stated_in_corpus=False,
        explanation_zh="资料只说明了购买储值卡和使用储值卡支付时的业绩计算,未说明直接现金支付如何计算业绩。",
        explanation_en=("The documentation covers buying a stored-value card and paying with one, but does not "
                        "state how a direct cash payment is credited."),
        trace=[f"pay cash {amount if amount is not None else ''} -> not stated in the corpus"],
        rule_refs=["svc.purchase_no_credit", "svc.pay_cash_value"])


class AttributionStartInput(ToolInput):
    assigned_at: AwareDatetime = Field(description="When the customer was assigned to the account manager")
    dashboard: Literal["performance", "consumption"] = Field(
        description="performance dashboard (业绩看板) or consumption dashboard (消费看板)")


class AttributionStartResult(ToolOutput):
    counts_from_beijing: datetime


def attribution_start(args: AttributionStartInput) -> AttributionStartResult:
    """From when does a newly assigned customer count on the manager's dashboard?"""
    assigned = args.assigned_at.astimezone(BEIJING)
    trace = [f"assigned at {assigned.isoformat()} (Beijing time)"]
    if args.dashboard == "performance":
        start = datetime.combine(assigned.date() + timedelta(days=1), time(0), BEIJING)
        trace.append(f"performance dashboard: from the day after assignment -> {start.isoformat()}")
        return AttributionStartResult(
            counts_from_beijing=start,
            explanation_zh=(f"业绩看板:从分配给客户经理的第二天算起,即北京时间 {start:%Y-%m-%d} 起"
                            "(该规则所在的资料片段开头被截断)。"),
            explanation_en=(f"Performance dashboard: counted from the day after assignment, i.e. from "
                            f"{start:%Y-%m-%d} Beijing time (the source excerpt is cut at its start)."),
            trace=trace, rule_refs=["attribution.performance_next_day", "menu.performance_dashboard"])
    trace.append("consumption dashboard: from the moment of assignment")
    return AttributionStartResult(
        counts_from_beijing=assigned,
        explanation_zh=f"消费看板:新分配客户的消费数据从分配给该客户经理时算起,即北京时间 {assigned:%Y-%m-%d %H:%M} 起。",
        explanation_en=(f"Consumption dashboard: a newly assigned customer's consumption counts from the moment "
                        f"of assignment, {assigned:%Y-%m-%d %H:%M} Beijing time."),
        trace=trace, rule_refs=["attribution.consumption_from_assignment", "menu.consumption_dashboard"])
