"""One adapter over the generic parsing of times, dates, durations, money and numbers.

Chinese numerals (三千, 两千五, 二〇二五, 壹万贰仟) are read by ``cn2an`` (chosen on the labelled
expressions set, see ``bench/parsers_bench.py``); dates, months, clock times and zones by the slot
reader (``assistant.slots``), which states every reading that involved a choice. This module turns
both into typed readings, the same shapes the labelled set uses, so the layer is measured directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any, Literal

from tools.model import BEIJING

from ..slots import Slots, extract, spans_of_time, to_digits, year_shift

Kind = Literal["date", "datetime", "time", "month", "quarter", "year", "duration", "money", "number", "timezone"]


@dataclass(frozen=True)
class Reading:
    kind: Kind
    value: dict[str, Any]
    span: str            # the wording it came from (as normalised)
    note: str | None = None


@dataclass
class Readings:
    items: list[Reading] = field(default_factory=list)
    slots: Slots | None = None

    def of(self, kind: str) -> list[Reading]:
        return [r for r in self.items if r.kind == kind]


_YEAR = re.compile(r"(前年|去年|今年|明年|后年|last year|this year|next year)|(?<!\d)(\d{4})\s*年(?!\s*\d{1,2}\s*月)", re.I)
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d])")
# (a run next to 几 states no number: 几十, 十几 - see slots._CN_NUMERAL_RUN)
_CN_RUN = re.compile(r"(?<![零〇一二两三四五六七八九十百千万亿几])(?:[零〇一二两三四五六七八九十百千万亿]{2,}|[十百千万])"
                     r"(?![零〇一二两三四五六七八九十百千万亿几])")
_DOZEN = re.compile(r"(?<![a-z])(a|\d+)\s+dozens?(?![a-z])", re.I)  # the one count word text2num lacks
_CLOCK = re.compile(r"(上午|下午|晚上|凌晨|中午|早上|傍晚|夜里)?\s*(\d{1,2})(?:[:：](\d{2})|点|時|点钟)(?:(\d{1,2})分?|(半)|(一刻)|(三刻))?"
                    r"|(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b|\b(noon|midnight)\b", re.I)


def read(text: str, now: datetime) -> Readings:
    """Typed readings of ``text`` (already normalised: NFKC, Simplified) relative to ``now``."""
    slots = extract(text, now, simplified=True)
    digits = to_digits(text)
    out = Readings(slots=slots)
    today = now.astimezone(BEIJING).date()
    for moment in slots.datetimes:
        out.items.append(Reading("datetime", {"datetime": moment.isoformat(timespec="seconds")}, ""))
        out.items.append(Reading("date", {"date": moment.date().isoformat()}, ""))
        out.items.append(Reading("time", {"time": moment.strftime("%H:%M")}, ""))
    for day in slots.dates:
        out.items.append(Reading("date", {"date": day.isoformat()}, ""))
        out.items.append(Reading("month", {"month": day.strftime("%Y-%m")}, ""))  # the month a day falls in
    for clock in slots.times:
        out.items.append(Reading("time", {"time": clock.strftime("%H:%M")}, ""))
    for month in slots.months:
        out.items.append(Reading("month", {"month": month}, ""))
    for amount in slots.amounts:
        out.items.append(Reading("money", {"amount": _money(amount), "currency": slots.currency or "CNY"}, ""))
    if slots.zone_offset:
        out.items.append(Reading("timezone", {"offset": slots.zone_offset}, ""))
    elif slots.timezone:
        out.items.append(Reading("timezone", _zone_value(slots.timezone), ""))
    if slots.invalid_zone:
        out.items.append(Reading("timezone", {"invalid": True}, slots.invalid_zone))
    for start, end in slots.periods:
        out.items.append(Reading("quarter", {"start": start.isoformat(), "end": end.isoformat()}, ""))
    _years(digits, today, out)
    _durations(digits, out)
    _numbers(text, digits, out)
    return out


def _numbers(text: str, digits: str, out: Readings) -> None:
    """Every number the text states: digits, Chinese numerals (cn2an) and English number words (text2num)."""
    for source in (text, digits) if digits != text else (text,):
        for m in _NUMBER.finditer(source):
            out.items.append(Reading("number", {"value": m.group(0)}, m.group(0)))
    runs = _CN_RUN.findall(text)
    if runs:
        import cn2an

        for run in runs:
            try:
                out.items.append(Reading("number", {"value": str(cn2an.cn2an(run, "smart"))}, run))
            except (ValueError, KeyError, IndexError):
                continue
    for m in _DOZEN.finditer(digits):
        count = 1 if m.group(1).lower() == "a" else int(m.group(1))
        out.items.append(Reading("number", {"value": str(12 * count)}, m.group(0)))


def _money(amount: Decimal) -> str:
    with localcontext(prec=max(len(str(amount)) + 8, 28)):
        try:
            return str(amount.quantize(Decimal("0.01")))
        except InvalidOperation:
            return str(amount)


def _zone_value(zone: str) -> dict[str, Any]:
    match = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", zone)
    if match:  # IANA's Etc zones invert the sign
        sign = "-" if match.group(1) == "+" else "+"
        return {"offset": f"{sign}{int(match.group(2)):02d}:00"}
    if zone == "UTC":
        return {"offset": "+00:00"}
    return {"iana": zone}


def _years(text: str, today: date, out: Readings) -> None:
    for m in _YEAR.finditer(text):
        year = today.year + year_shift(m.group(1)) if m.group(1) else int(m.group(2))
        out.items.append(Reading("year", {"year": f"{year:04d}"}, m.group(0)))


def _durations(text: str, out: Readings) -> None:
    for span in spans_of_time(text):
        value, unit = span.value, span.unit
        if unit == "year" and value != value.to_integral():
            value, unit = value * 12, "month"  # 半年, one and a half years: months
        shown = str(value.normalize()) if value != value.to_integral() else str(int(value))
        out.items.append(Reading("duration", {"value": float(shown) if "." in shown else int(shown), "unit": unit},
                                 text[span.start:span.end]))


def _clock_times(text: str, out: Readings) -> None:
    for m in _CLOCK.finditer(text):
        half_day, hour_s, minute_s, minute_after, half, quarter, three_quarters, en_hour, en_minute, ampm, word = \
            m.groups()
        if word:
            out.items.append(Reading("time", {"time": "12:00" if word.lower() == "noon" else "00:00"}, word))
            continue
        hour = int(hour_s or en_hour)
        minute = int(minute_s or minute_after or en_minute or 0) + (30 if half else 15 if quarter else 45 if three_quarters else 0)
        if (half_day in {"下午", "晚上", "傍晚", "夜里"} or (ampm or "").lower() == "pm") and hour < 12:
            hour += 12
        if (ampm or "").lower() == "am" and hour == 12:
            hour = 0
        if hour <= 23 and minute <= 59:
            out.items.append(Reading("time", {"time": f"{hour:02d}:{minute:02d}"}, m.group(0)))
