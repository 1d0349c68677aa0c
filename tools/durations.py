"""Duration rules read from the documents: "N working days before the event", "within 7 days", "once in 3 months".

A pure function over text: :func:`parse_sentence` turns one sentence into typed :class:`DurationRule` s
(event, amount, unit, direction), and :func:`find_duration_rules` does it for a whole excerpt, also
returning the sentences that hold a duration it could not read as a rule (an amount, a span, a limit).
The index build calls it per chunk and keeps the rules with their chunk ids; ``duration_deadline``
computes with them.

Directions: ``before`` (at least N before the event: a deadline; with no event, a look-back from today),
``after`` (N after the event: the earliest time, an expiry), ``within`` (inside N after the event: a window
that ends then), ``once_per`` (at most once every N, counted from the last time).
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Unit = Literal["minutes", "hours", "calendar_days", "working_days", "weeks", "months", "years"]
Direction = Literal["before", "after", "within", "once_per"]


class DurationRule(BaseModel):
    """One duration stated relative to an event, anchored to the sentence (and chunk) that states it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Hash of the sentence and the duration's position in it")
    sentence: str = Field(description="The sentence stating the rule, as written")
    duration_text: str = Field(description="The words of the sentence giving the duration, e.g. 10个工作日")
    event: str | None = Field(description="The event the duration counts from, in the sentence's words; "
                                          "null: the current day (a look-back)")
    amount: int = Field(ge=1)
    unit: Unit
    direction: Direction
    language: Literal["zh", "en"]
    chunk_id: str | None = None
    source: str | None = None


# ---- numbers and units -------------------------------------------------------------------------------

_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
               "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "thirty": 30, "a": 1, "an": 1}


def _zh_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in ("十",):
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_ZH_DIGITS.get(tens, 0) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)
        return value or None
    return _ZH_DIGITS.get(text)


_ZH_NUM = r"(?P<n>\d{1,4}|[一二两三四五六七八九十]{1,3})"
_ZH_UNIT = r"(?P<u>个?工作日|个?自然日|个?日历日|天|个?小时|分钟|个月|周|个?星期|年)"
_ZH_DURATION = re.compile(_ZH_NUM + r"\s*" + _ZH_UNIT)
_ZH_UNITS = {"工作日": "working_days", "自然日": "calendar_days", "日历日": "calendar_days", "天": "calendar_days",
             "小时": "hours", "分钟": "minutes", "个月": "months", "周": "weeks", "星期": "weeks", "年": "years"}

_EN_NUM = r"(?P<n>\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|thirty)"
_EN_UNIT = r"(?P<q>working |business |calendar |natural )?(?P<u>minutes?|hours?|days?|weeks?|months?|years?)\b"
_EN_DURATION = re.compile(r"\b" + _EN_NUM + r"[ -]" + _EN_UNIT, re.I)
_EN_UNITS = {"minute": "minutes", "hour": "hours", "day": "calendar_days", "week": "weeks", "month": "months",
             "year": "years"}

# "每月" / "每年" / "once a month": a period named without a number.
_ZH_EVERY = re.compile(r"每(?P<u>个?月|年|周|星期|季度|天|日)")
_ZH_EVERY_UNITS = {"月": (1, "months"), "个月": (1, "months"), "年": (12, "months"), "周": (1, "weeks"),
                   "星期": (1, "weeks"), "季度": (3, "months"), "天": (1, "calendar_days"), "日": (1, "calendar_days")}
_EN_EVERY = re.compile(r"\bonce (?:a|per|each|every) (?P<u>month|year|week|quarter|day)\b", re.I)
_EN_EVERY_UNITS = {"month": (1, "months"), "year": (12, "months"), "week": (1, "weeks"), "quarter": (3, "months"),
                   "day": (1, "calendar_days")}

_CLAUSE_SPLIT = re.compile(r"[,，;；:：]")
_SENTENCE_END = re.compile(r"(?<=[。!?！？;；])|(?<=[.!?])\s+(?=[A-Z0-9\"“])")


def _zh_unit(raw: str) -> Unit:
    key = raw.lstrip("个") if raw not in ("个月",) else raw
    return _ZH_UNITS[key]  # type: ignore[return-value]


def _rule_id(sentence: str, start: int) -> str:
    return "dur-" + hashlib.sha1(f"{sentence}\x00{start}".encode()).hexdigest()[:12]


# ---- Chinese -------------------------------------------------------------------------------------------

_ZH_MODAL_TAIL = re.compile(r"(?:必须|须|需|需要|应|应当|要|会|将|可|可以|最晚|最迟|均|都|一般|通常|原则上)+$")
_ZH_LEAD = re.compile(r"^(?:[一二三四五六七八九十]+、)?(?:[^:：、]{1,8}[:：])?")
_ZH_EVENT_MARKERS = ("自", "从", "于", "在", "距离", "距")
# Words that open a clause without naming anything ("且至少", "并"): not an event.
_ZH_FUNCTION_HEAD = re.compile(r"^(?:且|并且|并|而且|但|或)?(?:至少|最少|不少于|最多)?$")


def _zh_clean_event(text: str) -> str | None:
    text = _ZH_LEAD.sub("", text.strip())
    # drop everything up to the last subject marker: "总经销商需在积分卡发布" -> "积分卡发布",
    # "距活动开始" -> "活动开始" (the rightmost marker: "低于60分的...在X" keeps X)
    cut = max(((text.rfind(m), m) for m in _ZH_EVENT_MARKERS if 0 <= text.rfind(m) <= len(text) - len(m) - 2),
              default=None)
    if cut is not None:
        text = text[cut[0] + len(cut[1]):]
    text = _ZH_MODAL_TAIL.sub("", text).strip(" 的之起")
    text = _ZH_FUNCTION_HEAD.sub("", text)
    return text if len(text) >= 2 else None


def _zh_parse(sentence: str) -> list[DurationRule]:
    rules: list[DurationRule] = []
    clauses = _CLAUSE_SPLIT.split(sentence)
    offset = 0
    for position, clause in enumerate(clauses):
        previous = clauses[position - 1] if position else ""
        for match in _ZH_DURATION.finditer(clause):
            rule = _zh_rule(sentence, clause, previous, match, offset)
            if rule is not None:
                rules.append(rule)
        every = _ZH_EVERY.search(clause)
        if every and not _ZH_DURATION.search(clause) and re.search(r"一次|1次", clause[every.end():]):
            amount, unit = _ZH_EVERY_UNITS[every.group("u")]
            rules.append(DurationRule(
                id=_rule_id(sentence, offset + every.start()), sentence=sentence, duration_text=every.group(0),
                event=_zh_action(clause[every.end():]), amount=amount, unit=unit, direction="once_per",
                language="zh"))
        offset += len(clause) + 1
    return rules


def _zh_action(text: str) -> str | None:
    text = re.sub(r"^(?:内)?(?:只能|仅可|仅能|只可|最多|可以|可|能)?", "", text)
    text = re.split(r"一次|1次", text)[0]
    return text.strip(" 的") or None


def _zh_rule(sentence: str, clause: str, previous: str, match: re.Match, offset: int) -> DurationRule | None:
    amount = _zh_number(match.group("n"))
    if not amount:
        return None
    unit = _zh_unit(match.group("u"))
    before_text, after_text = clause[:match.start()], clause[match.end():]
    direction: Direction | None = None
    event: str | None = None

    def event_from(text: str) -> str | None:
        # "资源在2小时内": the words before the duration are only a subject, so the event is in the previous
        # clause ("审核通过后,资源在2小时内开通" -> 审核通过)
        subject_only = re.search(r"(?:在|于)$", text.strip()) or not text.strip()
        found = None if subject_only else _zh_clean_event(text)
        if found is None and previous and not _ZH_DURATION.search(previous):  # not another rule's clause
            found = _zh_clean_event(re.sub(r"(?:之后|以后|后|的)$", "", previous.strip()))
        return found

    if re.match(r"\s*(?:之)?内", after_text) and re.search(r"(?:最多|至多|不超过)[^,，。]{0,8}(?:[2-9两三四五六七八九十]|\d{2,})次",
                                                         after_text):
        return None  # a quota per period ("30天内最多参加3次"), not a date relative to an event
    if re.match(r"\s*(?:之)?内", after_text) and re.search(r"(?:仅|只|最多)[^,，。]{0,6}(?:一次|1次)", after_text):
        direction = "once_per"
        event = _zh_action(after_text.lstrip("之内"))
    elif re.search(r"每$", before_text) and re.search(r"一次|1次", after_text):
        direction = "once_per"
        event = _zh_action(after_text.lstrip("只能仅可"))
    elif re.search(r"(?:前溯|回溯|追溯)$", before_text) or (
            re.search(r"(?:查询|查看)", clause) and re.search(r"(?:最近|近)$", before_text)):
        direction, event = "before", None
    elif m := re.search(r"提前$", before_text):
        direction = "before"
        event = event_from(before_text[:m.start()])
    elif m := re.search(r"后的?前$", before_text):
        # "迁移完成后前3个月": the first N after the event, a window that ends N later
        direction = "within"
        event = event_from(before_text[:m.start()])
    elif m := re.search(r"(?:前|之前|以前)(?:至少|最少|不少于|不晚于)?$", before_text):
        direction = "before"
        event = event_from(before_text[:m.start()])
    elif re.match(r"\s*(?:前|之前|以前)", after_text) and not re.search(r"(?:第)$", before_text):
        # "开班前10个自然日" is the form above; "10天前" counts back from the event that follows or precedes
        direction = "before"
        event = event_from(before_text)
    elif m := re.search(r"第$", before_text):
        if re.match(r"\s*(?:前|之前)", after_text) and (e := re.search(r"后$", before_text[:m.start()])):
            direction = "within"
            event = event_from(before_text[:m.start()][:e.start()])
        else:
            return None
    elif m := re.search(r"不足$", before_text):
        if (d := re.search(r"距(?:离)?(.+?)$", before_text[:m.start()])):
            direction, event = "before", _zh_clean_event(d.group(1))
        else:
            return None
    elif re.search(r"(?:间隔|等待|经过|满|冷静期|相隔)(?:不得少于|不少于|至少)?$", before_text) or \
            re.search(r"间隔不得少于$", before_text):
        direction = "after"
        event = event_from(re.sub(r"(?:间隔|等待|经过|满|冷静期|相隔)(?:不得少于|不少于|至少)?$", "", before_text))
        if "后" in (event or "") and event:
            event = _zh_clean_event(event.split("后")[0])
    elif re.match(r"\s*(?:之)?内", after_text) or re.match(r"\s*(?:之)?(?:以)?内", after_text):
        direction = "within"
        head = before_text
        for sep in ("后", "之日起", "起", "以后"):
            index = head.rfind(sep)
            if index != -1:
                head = head[:index]
                break
        event = event_from(head)
    elif re.match(r"\s*(?:之)?后", after_text):
        direction = "after"
        head = before_text
        index = head.rfind("后")
        if index != -1:
            head = head[:index]
        event = event_from(head)
    elif re.search(r"保留$", before_text):
        direction = "after"
        event = event_from(re.sub(r"保留$", "", before_text).split("后")[0])
    elif re.search(r"(?<!不)超过$", before_text) and re.match(r"\s*(?:的|未|仍|后|,|,|$)", after_text):
        # a threshold past the event: "逾期超过15天的, 暂停..." (something happens N after it)
        direction = "after"
        event = event_from(re.sub(r"(?<!不)超过$", "", before_text))
    elif re.match(r"\s*(?:的)?(?:宽限期|保留期|冷静期|观察期)", after_text):
        # "进入7天宽限期": a period that starts at the event and ends N later
        direction = "after"
        if "后" not in before_text and previous.strip().endswith("后"):  # "产生欠款后,资源进入7天宽限期"
            event = _zh_clean_event(previous.strip()[:-1])
        else:
            event = event_from(re.sub(r"(?:进入|享有|有)$", "", before_text).split("后")[0])
    elif re.search(r"有效期(?:为|是|均为)?$", before_text):
        # "证书有效期为2年": valid for N from the event that created it (named before 有效期 or earlier)
        direction = "within"
        event = event_from(re.sub(r"的?有效期(?:为|是|均为)?$", "", before_text))
    else:
        return None
    return DurationRule(id=_rule_id(sentence, offset + match.start()), sentence=sentence,
                        duration_text=match.group(0), event=event, amount=amount, unit=unit,
                        direction=direction, language="zh")


# ---- English -------------------------------------------------------------------------------------------

_EN_EVENT_END = re.compile(r"[,;.]|\b(?:and|but|or|otherwise|unless|so|then)\b", re.I)


def _en_tail_event(text: str) -> str | None:
    text = re.sub(r"^\s*(?:the\s+)?", "", text)
    text = _EN_EVENT_END.split(text)[0].strip()
    text = re.sub(r"^(?:receipt of|receiving|the)\s+", lambda m: m.group(0) if m.group(0).startswith("receiving")
                  else "", text)
    return text or None


def _en_head_event(text: str) -> str | None:
    text = re.split(r"[,;]", text)[-1]
    text = re.sub(r"\b(?:must|should|shall|will|can|may|are|is|be|at least|no later than|not later than|"
                  r"up to|at most)\b", " ", text, flags=re.I)
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def _en_parse(sentence: str) -> list[DurationRule]:
    rules: list[DurationRule] = []
    for match in _EN_DURATION.finditer(sentence):
        rule = _en_rule(sentence, match)
        if rule is not None:
            rules.append(rule)
    if not rules:
        every = _EN_EVERY.search(sentence)
        if every:
            amount, unit = _EN_EVERY_UNITS[every.group("u").lower()]
            rest = _EN_EVENT_END.split(sentence[every.end():].lstrip(" ,"))[0]
            head = sentence[:every.start()]
            action = re.sub(r"\b(?:a|the|partner|may|can|be)\b", " ", head + " " + rest, flags=re.I)
            rules.append(DurationRule(
                id=_rule_id(sentence, every.start()), sentence=sentence, duration_text=every.group(0),
                event=re.sub(r"\s+", " ", action).strip(" ,.") or None, amount=amount, unit=unit,
                direction="once_per", language="en"))
    return rules


def _en_rule(sentence: str, match: re.Match) -> DurationRule | None:
    raw = match.group("n").lower()
    amount = int(raw) if raw.isdigit() else _EN_NUMBERS.get(raw)
    if not amount:
        return None
    base = match.group("u").lower().rstrip("s")
    qualifier = (match.group("q") or "").strip().lower()
    unit: Unit = "working_days" if base == "day" and qualifier in ("working", "business") else \
        _EN_UNITS[base]  # type: ignore[assignment]
    head, tail = sentence[:match.start()], sentence[match.end():]
    head_lower, tail_lower = head.lower(), tail.lower()
    direction: Direction | None = None
    event: str | None = None
    if re.search(r"\bonce (?:every|in|per)(?: any)?\s*$", head_lower) or re.search(r"\bat most once (?:every|in)\s*$",
                                                                        head_lower):
        direction = "once_per"
        event = _en_head_event(head[:re.search(r"\b(?:at most )?once", head, re.I).start()])
    elif re.search(r"\b(?:wait|waiting)\s*$", head_lower):
        direction = "after"
        event = None
        if m2 := re.search(r"\b(?:after|if|once|when)\s+(.+?)(?:,|$)", head, re.I):
            event = m2.group(1).strip()
    elif re.search(r"\bvalid (?:for )?$", head_lower) and re.match(r"\s*(?:from|after|of)\s+", tail_lower):
        direction = "within"
        event = _en_tail_event(tail[re.match(r"\s*(?:from|after|of)\s+", tail_lower).end():])
    elif re.match(r"\s*(?:back|ago)\b", tail_lower) or re.search(r"\blook(?:ed)? ?back\b", sentence, re.I) and \
            not re.search(r"\b(?:before|after|within)\b", head_lower + tail_lower):
        direction, event = "before", None
    elif m := re.match(r"\s*(?:in advance|ahead)\b", tail_lower):
        direction = "before"
        event = _en_head_event(head)
    elif m := re.match(r"\s*(?:before|prior to)\s+", tail_lower):
        direction = "before"
        event = _en_tail_event(tail[m.end():])
    elif re.search(r"\bwithin\s*$", head_lower):
        direction = "within"
        if m := re.match(r"\s*(?:of|after|from|following)\s+", tail_lower):
            event = _en_tail_event(tail[m.end():])
        else:
            event = _en_head_event(head[:head_lower.rfind("within")])
    elif m := re.match(r"\s*(?:after|from|following)\s+", tail_lower):
        direction = "after"
        event = _en_tail_event(tail[m.end():])
    elif re.match(r"\s*later\b", tail_lower) or re.search(r"\b(?:wait|waiting)\s*$", head_lower):
        direction = "after"
        event = _en_head_event(re.split(r"\b(?:wait|waiting)\b", head, flags=re.I)[0]) or None
        if m2 := re.search(r"\b(?:after|if|once|when)\s+(.+?)(?:,|$)", head, re.I):
            event = m2.group(1).strip()
    else:
        return None
    return DurationRule(id=_rule_id(sentence, match.start()), sentence=sentence, duration_text=match.group(0),
                        event=event, amount=amount, unit=unit, direction=direction, language="en")


# ---- public entry points ----------------------------------------------------------------------------------

def _is_chinese(text: str) -> bool:
    return len(re.findall(r"[\u4e00-\u9fff]", text)) >= 2


def parse_sentence(sentence: str) -> list[DurationRule]:
    """The duration rules one sentence states (none for an amount, a span or a limit)."""
    sentence = sentence.strip()
    if not sentence:
        return []
    return _zh_parse(sentence) if _is_chinese(sentence) else _en_parse(sentence)


def has_duration(sentence: str) -> bool:
    """Whether the sentence mentions a duration at all (a number with a time unit, or 'every month')."""
    return bool(_ZH_DURATION.search(sentence) or _EN_DURATION.search(sentence) or _ZH_EVERY.search(sentence)
                or _EN_EVERY.search(sentence))


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


class DurationScan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[DurationRule]
    unparsed: list[str] = Field(description="Sentences with a duration that is not read as a rule")


def find_duration_rules(text: str, chunk_id: str | None = None, source: str | None = None) -> DurationScan:
    """Every duration rule in a text (an excerpt or chunk), anchored to ``chunk_id``/``source``."""
    rules: list[DurationRule] = []
    unparsed: list[str] = []
    for sentence in split_sentences(text):
        found = parse_sentence(sentence)
        if found:
            rules.extend(r.model_copy(update={"chunk_id": chunk_id, "source": source}) for r in found)
        elif has_duration(sentence):
            unparsed.append(sentence)
    return DurationScan(rules=rules, unparsed=unparsed)
