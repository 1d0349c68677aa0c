"""Performance (业绩) rules: when data becomes visible, stored-value cards, and attribution start."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from .model import (BEIJING, WEEKDAYS_EN, WEEKDAYS_ZH, EngineDate, EngineDatetime, Money, ToolInput, ToolOutput,
                    explained, given, interpretation, not_stated, rule)
from .workdays import CalendarData, WorkCalendar

#: How the tools read 工作日 (the corpus does not define it), said wherever a working day is counted.
WORKING_DAY_READING = (
    "工作日按中国大陆法定工作日历理解(法定节假日不上班,调休的周末上班;资料未定义“工作日”)。",
    "We read 工作日 (working day) by the mainland-China official calendar: public holidays off, weekend make-up "
    "days worked (the documentation does not define it).")


class PerformanceVisibilityInput(ToolInput):
    business_date: EngineDate = Field(description="The day the business happened (Beijing date)")
    calendar: CalendarData | None = Field(
        default=None, description="Official-schedule override for the years it lists; published schedules "
                                  "(chinese-calendar) and the statutory holidays otherwise")


class PerformanceVisibilityResult(ToolOutput):
    due: ClassVar[str | None] = "visible_date"
    business_date: date
    visible_date: date
    visible_weekday: str
    calendar_fallback: bool = Field(description="True when a year had no official schedule: statutory holidays "
                                                "only (provisional) or Monday-Friday")
    calendar_status: Literal["official", "provisional", "weekdays_only"]


def calendar_status(calendar: WorkCalendar) -> str:
    if calendar.weekday_years:
        return "weekdays_only"
    return "provisional" if calendar.provisional_years else "official"


def performance_visibility(args: PerformanceVisibilityInput) -> PerformanceVisibilityResult:
    """When can a day's performance data be viewed? One working day later, official calendar."""
    calendar = WorkCalendar(args.calendar)
    visible = calendar.next_working_day(args.business_date)
    skipped = (visible - args.business_date).days - 1
    trace = [f"business date {args.business_date} ({WEEKDAYS_EN[args.business_date.weekday()]})",
             f"skipped {skipped} non-working day(s)",
             f"next working day: {visible} ({WEEKDAYS_EN[visible.weekday()]})"]
    status = calendar_status(calendar)
    said = [rule(f"{args.business_date} 当天的业绩数据可于一个工作日后查看,即 {visible}({WEEKDAYS_ZH[visible.weekday()]})。",
                 f"Performance data for {args.business_date} can be viewed one working day later, on "
                 f"{visible} ({WEEKDAYS_EN[visible.weekday()]}).", "performance.next_working_day"),
            interpretation(*WORKING_DAY_READING, "performance.next_working_day")]
    if visible.weekday() >= 5:
        said.append(given("该日为周末调休上班日,属于工作日。", "That day is a weekend make-up working day."))
    caveat_zh, caveat_en = calendar.caveats()
    said.extend(given(zh, en) for zh, en in zip(caveat_zh, caveat_en))
    trace.extend(caveat_en)
    if calendar.provisional_years:
        trace.append("when the State Council notice is out, load it: partner-assistant calendar import FILE")
    return PerformanceVisibilityResult(
        business_date=args.business_date, visible_date=visible,
        visible_weekday=WEEKDAYS_EN[visible.weekday()], calendar_fallback=status != "official",
        calendar_status=status, trace=trace,
        rule_refs=["performance.next_working_day", "menu.performance_management"], **explained(said))


class StoredValueCardInput(ToolInput):
    transaction: Literal["buy_card", "pay_with_card", "pay_cash", "other"] = Field(
        description="buy a stored-value card (购买储值卡), pay for cloud services with the card, pay cash, or "
                    "another transaction with a card (a refund, a transfer ...), which the rule does not cover")
    amount: Money | None = Field(default=None, description="Amount in CNY (yuan), digits with at most two "
                                                           "decimals; optional: the rule holds for any amount")


class StoredValueCardResult(ToolOutput):
    credited_amount: Decimal | None = Field(description="Performance credited in CNY; null when the corpus "
                                                        "does not state the rule")
    stated_in_corpus: bool


_CASH_VALUE_READING = interpretation(
    "我们把“按照现金支付的额度”理解为用储值卡支付的金额本身(资料未说明储值卡面值与实付现金不同时如何折算)。",
    "We read 'the cash value paid' as the amount paid with the card (the documentation does not say how a card "
    "bought at a discount is valued).", "svc.pay_cash_value")


def stored_value_card_credit(args: StoredValueCardInput) -> StoredValueCardResult:
    """How much performance does a stored-value-card transaction credit?"""
    amount = args.amount
    if args.transaction == "buy_card":
        paid_zh = f"({amount}元)" if amount is not None else ""
        paid_en = f" (CNY {amount})" if amount is not None else ""
        return StoredValueCardResult(
            credited_amount=Decimal("0.00"), stated_in_corpus=True,
            trace=[f"buy card {amount if amount is not None else '(any amount)'} -> credit 0"],
            rule_refs=["svc.purchase_no_credit"],
            **explained([rule(f"购买储值卡{paid_zh}不计算业绩,计入业绩 0 元。",
                              f"Buying a stored-value card{paid_en} credits no performance: CNY 0.",
                              "svc.purchase_no_credit")]))
    if args.transaction == "pay_with_card":
        if amount is None:
            return StoredValueCardResult(
                credited_amount=None, stated_in_corpus=True,
                trace=["pay with card (amount not given) -> credit = cash value paid"],
                rule_refs=["svc.purchase_no_credit", "svc.pay_cash_value"],
                **explained([rule("使用储值卡购买云服务/产品,按照现金支付的额度计算业绩。",
                                  "Paying for cloud services with the card credits performance at the cash "
                                  "value paid.", "svc.pay_cash_value"), _CASH_VALUE_READING]))
        return StoredValueCardResult(
            credited_amount=amount, stated_in_corpus=True,
            trace=[f"pay with card {amount} -> credit {amount} (cash value)"],
            rule_refs=["svc.purchase_no_credit", "svc.pay_cash_value"],
            **explained([rule("使用储值卡购买云服务/产品,按照现金支付的额度计算业绩。",
                              "Paying for cloud services with the card credits performance at the cash value paid.",
                              "svc.pay_cash_value"),
                         interpretation(f"按此理解,支付 {amount} 元计入业绩 {amount} 元。",
                                        f"On that reading, paying CNY {amount} credits CNY {amount}.",
                                        "svc.pay_cash_value"),
                         _CASH_VALUE_READING]))
    if args.transaction == "other":
        # Not a deed the rule names: the answer says so and rests on no rule (an abstention worded by the tool).
        return StoredValueCardResult(
            credited_amount=None, stated_in_corpus=False,
            trace=["another card transaction (neither buying a card nor paying with one) -> not stated in the corpus"],
            rule_refs=[],
            **explained([not_stated("资料只说明了购买储值卡和使用储值卡支付时如何计算业绩,未说明退卡、转让等其他储值卡交易"
                                    "对业绩的影响。",
                                    "The documentation only covers buying a stored-value card and paying with one; it "
                                    "does not say how another card transaction, such as a refund or a transfer, "
                                    "affects performance.")]))
    return StoredValueCardResult(  # paying cash directly
        credited_amount=None, stated_in_corpus=False,
        trace=[f"pay cash {amount if amount is not None else ''} -> not stated in the corpus"],
        rule_refs=["svc.purchase_no_credit", "svc.pay_cash_value"],
        **explained([rule("资料说明了购买储值卡(不计算业绩)和使用储值卡支付(按现金支付的额度计算)时的业绩计算。",
                          "The documentation covers buying a stored-value card (no performance) and paying with "
                          "one (credited at the cash value paid).", "svc.purchase_no_credit", "svc.pay_cash_value"),
                     not_stated("资料未说明直接现金支付如何计算业绩。",
                                "It does not state how a direct cash payment is credited.")]))


class AttributionStartInput(ToolInput):
    assigned_at: EngineDatetime = Field(description="When the customer was assigned to the account manager")
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
            counts_from_beijing=start, trace=trace,
            rule_refs=["attribution.performance_next_day", "menu.performance_dashboard"],
            **explained([
                rule("业绩看板:从分配给客户经理的第二天算起(该规则所在的资料片段开头被截断)。",
                     "Performance dashboard: counted from the day after assignment to the manager (the source "
                     "excerpt is cut at its start).", "attribution.performance_next_day"),
                interpretation(f"我们理解“第二天”按北京时间的自然日划分(资料未说明按哪个时区),即北京时间 {start:%Y-%m-%d} 起。",
                               f"We take 'the day after' as the next calendar day in Beijing time (the documentation "
                               f"does not name a time zone), i.e. from {start:%Y-%m-%d} Beijing time.",
                               "attribution.performance_next_day")]))
    trace.append("consumption dashboard: from the moment of assignment")
    return AttributionStartResult(
        counts_from_beijing=assigned, trace=trace,
        rule_refs=["attribution.consumption_from_assignment", "menu.consumption_dashboard"],
        **explained([rule(f"消费看板:新分配客户的消费数据从分配给该客户经理时算起,即北京时间 {assigned:%Y-%m-%d %H:%M} 起。",
                          f"Consumption dashboard: a newly assigned customer's consumption counts from the moment "
                          f"of assignment, {assigned:%Y-%m-%d %H:%M} Beijing time.",
                          "attribution.consumption_from_assignment")]))
