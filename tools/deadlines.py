"""duration_deadline: the exact date a duration rule gives for an event ("10 working days before it starts").

The rule comes from the documents (see :mod:`tools.durations`, read at index build) and is passed in with
its sentence; the computation uses the same calendar (:class:`tools.workdays.WorkCalendar`) and the same
Beijing time (GMT+08:00) as the hand-written tools, and says which reading it used.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import Field

from .durations import Direction, Unit
from .model import (BEIJING, WEEKDAYS_EN, WEEKDAYS_ZH, EngineDate, EngineDatetime, ToolInput, ToolOutput, add_months,
                    explained, given, interpretation, rule)
from .performance import WORKING_DAY_READING, calendar_status
from .workdays import CalendarData, WorkCalendar

Kind = Literal["deadline", "lookback_start", "earliest", "window_end", "next_allowed"]
_UNIT_ZH = {"minutes": "分钟", "hours": "小时", "calendar_days": "天", "working_days": "个工作日", "weeks": "周",
            "months": "个月", "years": "年"}
_UNIT_EN = {"minutes": "minute", "hours": "hour", "calendar_days": "calendar day", "working_days": "working day",
            "weeks": "week", "months": "month", "years": "year"}


class DurationDeadlineInput(ToolInput):
    amount: int = Field(ge=1, le=1000, description="N in the rule, e.g. 10 for 10个工作日")
    unit: Unit
    direction: Direction = Field(description="before: at least N before the event (a deadline; with no event, "
                                             "a look-back from today); after: N after it (earliest); within: "
                                             "inside N after it (window end); once_per: at most once every N")
    event_time: EngineDatetime | EngineDate = Field(
        description="When the event happens or happened (a date, or a time with its UTC offset); for a "
                    "look-back, today")
    sentence: str | None = Field(default=None, max_length=2000, description="The document sentence stating the rule")
    event: str | None = Field(default=None, max_length=300,
                              description="The event, in the sentence's words; none with direction 'before' "
                                          "means a look-back from event_time (today)")
    chunk_id: str | None = Field(default=None, max_length=200, description="The chunk holding the sentence")
    calendar: CalendarData | None = Field(default=None, description="Official-schedule override (working days)")


class DurationDeadlineResult(ToolOutput):
    kind: Kind = Field(description="deadline: the last day to act; lookback_start: the first day covered; "
                                   "earliest: the first day (or moment) it happens or is allowed; window_end: the "
                                   "last day (or moment) of the window; next_allowed: the first day it may happen again")
    result_date: date = Field(description="The day, Beijing time")
    result_time: datetime | None = Field(description="The moment, for hour and minute rules (Beijing time)")
    event_date: date
    calendar_status: Literal["official", "provisional", "weekdays_only", "not_used"]
    sentence: str | None
    chunk_id: str | None


def _shift(day: date, amount: int, unit: Unit, sign: int, calendar: WorkCalendar) -> date:
    try:
        if unit == "working_days":
            return calendar.add_working_days(day, sign * amount)
        if unit == "calendar_days":
            return day + timedelta(days=sign * amount)
        if unit == "weeks":
            return day + timedelta(weeks=sign * amount)
        months = amount * (12 if unit == "years" else 1)
        return add_months(day, sign * months)
    except (OverflowError, ValueError):
        raise ValueError("event_time: the result leaves the supported calendar") from None


def _readings(unit: Unit, kind: Kind) -> tuple[str, str]:
    if unit in ("hours", "minutes"):
        return ("按小时/分钟的规则从事件发生的时刻起精确计算(北京时间),这是我们的理解。",
                "We read an hour or minute rule as counted from the exact moment of the event (Beijing time).")
    count_zh = "不含事件当天" if unit in ("working_days", "calendar_days", "weeks") else "按自然月对日,月末对齐"
    count_en = ("the event day itself not counted" if unit in ("working_days", "calendar_days", "weeks")
                else "calendar months, day-aligned and clamped to the month's end")
    if kind == "deadline":
        return (f"我们理解“至少提前N”为:最晚在事件日往前数第N个单位的那天完成({count_zh},按北京时间的日期)。",
                f"We read 'at least N before' as: done no later than the Nth unit counted back from the event day "
                f"({count_en}, Beijing dates).")
    if kind == "lookback_start":
        return (f"我们理解前溯为从今天(北京时间)往前数N个单位,按日对齐({count_zh})。",
                f"We read the look-back as N units back from today (Beijing time), day-aligned ({count_en}).")
    if kind == "next_allowed":
        return (f"我们理解“N内仅可一次”为:从上一次那天起算的N个单位之后的同一天起可以再次进行({count_zh})。",
                f"We read 'once in N' as: allowed again from the same day N units after the last time ({count_en}).")
    return (f"我们按事件日(北京时间)往后数N个单位理解,{count_zh}"
            + ("、窗口截至该日结束。" if kind == "window_end" else "。"),
            f"We read it as N units counted forward from the event day (Beijing time), {count_en}"
            + (", the window ending at the end of that day." if kind == "window_end" else "."))


def duration_deadline(args: DurationDeadlineInput) -> DurationDeadlineResult:
    """The exact date or deadline a duration rule from the documents gives for an event time."""
    if isinstance(args.event_time, datetime):
        moment = args.event_time.astimezone(BEIJING)
    else:
        moment = datetime.combine(args.event_time, time(0), BEIJING)
    event_day = moment.date()
    calendar = WorkCalendar(args.calendar)
    direction, unit, amount = args.direction, args.unit, args.amount
    # "before" with no event is a look-back from today (前溯18个月); with an event, a deadline.
    kind: Kind = {"before": "deadline" if args.event else "lookback_start", "after": "earliest",
                  "within": "window_end", "once_per": "next_allowed"}[direction]
    trace = [f"event {moment.isoformat()} (Beijing time), day {event_day}",
             f"rule: {amount} {unit}, {direction} -> {kind}"]
    result_time: datetime | None = None
    if unit in ("hours", "minutes"):
        delta = timedelta(hours=amount) if unit == "hours" else timedelta(minutes=amount)
        try:
            result_time = moment - delta if direction == "before" else moment + delta
        except OverflowError:
            raise ValueError("event_time: the result leaves the supported calendar") from None
        result_day = result_time.date()
    else:
        result_day = _shift(event_day, amount, unit, -1 if direction == "before" else 1, calendar)
    trace.append(f"result {result_time.isoformat() if result_time else result_day}")
    weekday_zh, weekday_en = WEEKDAYS_ZH[result_day.weekday()], WEEKDAYS_EN[result_day.weekday()]
    shown_zh = f"{result_time:%Y-%m-%d %H:%M}" if result_time else f"{result_day}({weekday_zh})"
    shown_en = f"{result_time:%Y-%m-%d %H:%M}" if result_time else f"{weekday_en} {result_day}"
    what_zh = {"deadline": "最晚应在", "lookback_start": "最早可追溯到", "earliest": "最早在",
               "window_end": "期限截至", "next_allowed": "最早可再次进行的日期是"}[kind]
    what_en = {"deadline": "the latest day to do it is", "lookback_start": "the earliest day covered is",
               "earliest": "the earliest is", "window_end": "the window ends on",
               "next_allowed": "it may happen again from"}[kind]
    said = []
    if args.sentence:
        said.append(rule(f"资料:「{args.sentence}」", f"The documentation says: \"{args.sentence}\"", quote=args.sentence))
    event_zh = f"事件({args.event})" if args.event else ("今天" if kind == "lookback_start" else "事件")
    event_en = f"the event ({args.event})" if args.event else ("today" if kind == "lookback_start" else "the event")
    said.append(rule(
        f"{event_zh}为北京时间 {moment:%Y-%m-%d %H:%M},按 {amount}{_UNIT_ZH[unit]} 计算,{what_zh} "
        f"北京时间 {shown_zh}。",
        f"With {event_en} at {moment:%Y-%m-%d %H:%M} Beijing time and {amount} {_UNIT_EN[unit]}"
        f"{'s' if amount > 1 else ''}, {what_en} {shown_en} (Beijing time).", quote=args.sentence)
        if args.sentence else given(
        f"{event_zh}为北京时间 {moment:%Y-%m-%d %H:%M},按 {amount}{_UNIT_ZH[unit]} 计算,{what_zh} 北京时间 {shown_zh}。",
        f"With {event_en} at {moment:%Y-%m-%d %H:%M} Beijing time and {amount} {_UNIT_EN[unit]}"
        f"{'s' if amount > 1 else ''}, {what_en} {shown_en} (Beijing time)."))
    said.append(interpretation(*_readings(unit, kind)))
    if unit == "working_days":
        said.append(interpretation(*WORKING_DAY_READING))
        caveat_zh, caveat_en = calendar.caveats()
        said.extend(given(zh, en) for zh, en in zip(caveat_zh, caveat_en))
        trace.extend(caveat_en)
    return DurationDeadlineResult(
        kind=kind, result_date=result_day, result_time=result_time, event_date=event_day,
        calendar_status=calendar_status(calendar) if unit == "working_days" else "not_used",
        sentence=args.sentence, chunk_id=args.chunk_id, trace=trace, rule_refs=[], **explained(said))
