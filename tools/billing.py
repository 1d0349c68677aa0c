"""Partner-bill timing (伙伴账单) and the customer-consumption look-back (前溯18个月)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from .model import (BEIJING, WEEKDAYS_EN, WEEKDAYS_ZH, BillingPeriod, EngineDate, EngineDatetime, TimeZoneName,
                    ToolInput, ToolOutput, add_months, explained, interpretation, period_start, rule)


class BillTimingInput(ToolInput):
    billing_period: BillingPeriod | None = None
    event_time: EngineDatetime | None = Field(
        default=None, description="A timestamp with its UTC offset; its billing period is found in Beijing time")
    now: EngineDatetime = Field(description="The current time, with its UTC offset")
    timezone: TimeZoneName | None = None

    @model_validator(mode="after")
    def _one_of_period_or_event(self) -> BillTimingInput:
        if (self.billing_period is None) == (self.event_time is None):
            raise ValueError("give exactly one of billing_period (YYYY-MM) or event_time")
        return self


class BillTimingResult(ToolOutput):
    due: ClassVar[str | None] = "generation_deadline_beijing"
    billing_period: str
    period_start_beijing: datetime
    period_end_beijing: datetime = Field(description="Exclusive end of the period, Beijing time")
    generation_deadline_beijing: datetime = Field(
        description="The bill is generated before this moment (a deadline, not a release time)")
    generation_deadline_local: datetime | None
    status: Literal["not_started", "period_open", "pending", "available"]


def _fmt(moment: datetime) -> str:
    offset = moment.isoformat()[-6:]  # "+09:00": the same digits as the ISO fields of the result
    return f"{moment:%Y-%m-%d} {WEEKDAYS_EN[moment.weekday()][:3]} {moment:%H:%M} {moment.tzname()} (UTC{offset})"


def bill_timing(args: BillTimingInput) -> BillTimingResult:
    """Which billing period, and by when its partner bill is generated (before 12:00 Beijing on the 5th)."""
    trace: list[str] = []
    if args.event_time is not None:
        local = args.event_time.astimezone(BEIJING)
        period = f"{local.year:04d}-{local.month:02d}"
        trace.append(f"event {args.event_time.isoformat()} = {local.isoformat()} Beijing time -> period {period}")
    else:
        period = args.billing_period
        trace.append(f"billing period {period}")
    start_day = period_start(period)
    start = datetime.combine(start_day, time(0), BEIJING)
    end = datetime.combine(add_months(start_day, 1), time(0), BEIJING)
    deadline = datetime.combine(add_months(start_day, 1) + timedelta(days=4), time(12), BEIJING)
    trace.append(f"period runs {start.isoformat()} to {end.isoformat()} (Beijing time)")
    trace.append(f"bill generated before {deadline.isoformat()} (12:00 on the 5th of the next month)")
    local_deadline = deadline.astimezone(ZoneInfo(args.timezone)) if args.timezone else None
    if local_deadline is not None:
        trace.append(f"deadline in {args.timezone}: {local_deadline.isoformat()}")

    now = args.now
    if now < start:
        status, zh_s, en_s = "not_started", "该账期尚未开始。", "The billing period has not started yet."
    elif now < end:
        status, zh_s, en_s = "period_open", "该账期尚未结束,账单还不会生成。", "The period is still open; its bill is not generated yet."
    elif now < deadline:
        status = "pending"
        zh_s = "账期已结束,账单将在截止时间前生成,此刻可能已生成也可能尚未生成。"
        en_s = "The period has closed; the bill is generated before the deadline, so it may or may not be out yet."
    else:
        status, zh_s, en_s = "available", "截止时间已过,该账期的账单应已生成。", "The deadline has passed; the bill should be available."
    trace.append(f"now {now.isoformat()} -> status {status}")

    local_zh = f"(您所在时区 {args.timezone}:{_fmt(local_deadline)})" if local_deadline else ""
    local_en = f" ({args.timezone}: {_fmt(local_deadline)})" if local_deadline else ""
    weekday_zh, weekday_en = WEEKDAYS_ZH[deadline.weekday()], WEEKDAYS_EN[deadline.weekday()]
    said = [
        rule(f"账期 {period} 的伙伴账单按北京时间统计,会在北京时间 {deadline:%Y-%m-%d}({weekday_zh})12:00 前生成"
             f"{local_zh}。",
             f"The partner bill for billing period {period} is computed in Beijing time and generated before "
             f"12:00 Beijing time on {weekday_en} {deadline:%Y-%m-%d}{local_en}.",
             "bill.beijing_time", "bill.generation_deadline"),
        rule(zh_s, en_s, "bill.generation_deadline"),
    ]
    return BillTimingResult(
        billing_period=period, period_start_beijing=start, period_end_beijing=end,
        generation_deadline_beijing=deadline, generation_deadline_local=local_deadline, status=status,
        trace=trace, rule_refs=["bill.beijing_time", "bill.generation_deadline", "menu.partner_bill"],
        **explained(said))


LOOKBACK_MONTHS = 18


class ConsumptionLookbackInput(ToolInput):
    requested_start: EngineDate | BillingPeriod = Field(
        description="First day (YYYY-MM-DD) or month (YYYY-MM) of customer consumption the user wants")
    now: EngineDatetime


class ConsumptionLookbackResult(ToolOutput):
    queryable: Literal["yes", "partly", "no"]
    earliest_queryable_date: date
    interpretation: str


INTERPRETATION = (
    "Day-aligned: on Beijing date D the earliest queryable day is D minus 18 calendar months "
    "(clamped to month end). A requested month is 'partly' queryable when it starts before that day "
    "but ends on or after it. The corpus does not say whether the window is day- or month-aligned."
)


def consumption_lookback(args: ConsumptionLookbackInput) -> ConsumptionLookbackResult:
    """Is customer consumption from this start still within the 18-month look-back?"""
    today = args.now.astimezone(BEIJING).date()
    earliest = add_months(today, -LOOKBACK_MONTHS)
    trace = [f"today (Beijing) {today}", f"earliest queryable = {today} - {LOOKBACK_MONTHS} months = {earliest}"]
    if isinstance(args.requested_start, date):
        first = last = args.requested_start
    else:
        first = period_start(args.requested_start)
        last = add_months(first, 1) - timedelta(days=1)
    trace.append(f"requested {first}..{last}")
    if first > today:
        raise ValueError(f"requested_start: {first} is after today ({today}, Beijing time)")
    # the answer compares the start asked about with the earliest day, and says so
    asked = str(args.requested_start)
    if first >= earliest:
        queryable, zh, en = "yes", f"所问的 {asked} 不早于这一天,可以查询", f"{asked} is not before it, so yes, it can be queried"
    elif last >= earliest:
        queryable, zh, en = ("partly", f"所问的 {asked} 跨过这一天,只能查询 {earliest} 及以后的部分",
                             f"{asked} starts before it, so only the part from {earliest} on can be queried")
    else:
        queryable, zh, en = "no", f"所问的 {asked} 早于这一天,无法查询", f"{asked} is before it, so no, it cannot be queried"
    trace.append(f"-> {queryable}")
    said = [
        rule("客户消费数据最多支持前溯18个月。", "Customer consumption data goes back at most 18 months.",
             "consumption.lookback_18m"),
        interpretation(f"我们按北京时间今天 {today} 倒推18个自然月、按日对齐理解(资料未说明是否按整月计算),"
                       f"最早可查询到 {earliest};{zh}。",
                       f"We read it as 18 calendar months back from today {today} (Beijing time), day-aligned "
                       f"(the documentation does not say whether whole months count), so the earliest queryable "
                       f"day is {earliest}; {en}.", "consumption.lookback_18m"),
        rule("注意:客户消费并非伙伴的账单,不能作为伙伴结算、还款与开票的依据。",
             "Note: customer consumption is not the partner's bill and cannot serve as the basis for partner "
             "settlement, repayment or invoicing.", "consumption.not_partner_bill"),
    ]
    return ConsumptionLookbackResult(
        queryable=queryable, earliest_queryable_date=earliest, interpretation=INTERPRETATION,
        trace=trace, rule_refs=["consumption.lookback_18m", "consumption.not_partner_bill", "menu.customer_consumption"],
        **explained(said))
