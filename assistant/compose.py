"""Compose tool-based answers: the computed result first, then the rule quoted from the corpus.

Also the number check: every number in an answer must come from a tool result or a cited chunk.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from knowledge import KnowledgeIndex
from knowledge.chunking import quote_span, sentence_spans
from tools import RULES, ToolOutput
from tools.durations import DurationRule, find_duration_rules
from tools.model import MAX_YEAR, MIN_YEAR

from .answer import Citation
from .language import Variant, localise


class CompositionError(AssertionError):
    """An answer failed its own checks: a bug in composition, never shown to a user."""


# ---- the answer's language-neutral form, rendered once --------------------------------------------

@dataclass(frozen=True)
class Said:
    """One piece of an answer in both languages. ``ours``: our own wording, so a Traditional-Chinese
    reader gets it in Traditional script; corpus wording (quotes, steps) is shown as the corpus writes it."""

    zh: str
    en: str
    ours: bool = True

    def __add__(self, other: "Said | str") -> "Said":
        if isinstance(other, str):
            return Said(self.zh + other, self.en + other, self.ours)
        if other.ours != self.ours:
            raise TypeError("our wording and corpus wording are kept as separate pieces")
        return Said(self.zh + other.zh, self.en + other.en, self.ours)


# A piece is Said (depends on the reader's language) or str (the same in every language: a quote, a
# value, a menu path); a line is one piece or a run of pieces; a section is lines; an answer is sections.
Piece = Said | str
Line = Piece | tuple[Piece, ...]
Section = list[Line]

_GLUE = "\x1f"  # joins our Chinese pieces for the one script conversion; no text contains it


def both(piece: Piece | None) -> str:
    """A piece's text in every language it has (what the number check may read as a source)."""
    if piece is None:
        return ""
    return piece if isinstance(piece, str) else f"{piece.zh}\n{piece.en}"


def one(piece: Piece, variant: Variant) -> str:
    """A single piece rendered on its own (a follow-up question, a choice)."""
    return render([[piece]], variant)


def render(sections: list[Section], variant: Variant) -> str:
    """The answer in the reader's language, in one pass: pieces are chosen by language, and our own
    Chinese wording is converted to the reader's script in a single call (quotes stay as written)."""
    lines = [[piece for piece in (line if isinstance(line, tuple) else (line,))] for section in sections
             for line in section]
    ours = [p.zh for line in lines for p in line if isinstance(p, Said) and p.ours] if variant == "zh-Hant" else []
    converted = iter(localise(_GLUE.join(ours), variant).split(_GLUE)) if ours else iter(())

    def text(piece: Piece) -> str:
        if isinstance(piece, str):
            return piece
        if variant == "en":
            return piece.en
        return next(converted) if variant == "zh-Hant" and piece.ours else piece.zh
    shown = ["".join(text(p) for p in line) for line in lines]
    out, at = [], 0
    for section in sections:
        # a line with nothing for this reader (a gloss for the other language's reader) is left out
        out.append("\n".join(line for line in shown[at:at + len(section)] if line))
        at += len(section)
    return "\n\n".join(part for part in out if part)


# ---- the neutral form kept with a stored turn, and the turn drawn again in another language ----------

def _piece_json(piece: Piece) -> str | dict[str, Any]:
    return piece if isinstance(piece, str) else {"zh": piece.zh, "en": piece.en, "ours": piece.ours}


def _piece(data: str | dict[str, Any]) -> Piece:
    return data if isinstance(data, str) else Said(data["zh"], data["en"], bool(data.get("ours", True)))


def neutral(sections: list[Section], follow_up: Piece | None = None, choices: list[Piece] | None = None
            ) -> dict[str, Any]:
    """An answer's language-neutral form as JSON: its sections (a line is a piece or a list of pieces), the
    follow-up question and its choices."""
    return {"sections": [[[_piece_json(p) for p in line] if isinstance(line, tuple) else _piece_json(line)
                          for line in section] for section in sections],
            "follow_up": None if follow_up is None else _piece_json(follow_up),
            "choices": [_piece_json(c) for c in choices or []]}


def sections_of(parts: dict[str, Any]) -> list[Section]:
    return [[tuple(_piece(p) for p in line) if isinstance(line, list) else _piece(line) for line in section]
            for section in parts["sections"]]


def redraw(answer: dict[str, Any], parts: dict[str, Any] | None, language: str) -> dict[str, Any]:
    """A stored answer (as served) drawn again in ``language`` (zh or en) from its neutral form, in one pass
    like the first time: our wording in that language, quotes as the documents write them. A Chinese reader
    keeps the script the answer was written in (Simplified when it was English). An answer stored without
    its neutral form (older turns, LLM-phrased ones) is returned as it was."""
    if not parts:
        return answer
    variant: Variant = "en" if language == "en" else \
        "zh-Hant" if answer.get("variant") == "zh-Hant" else "zh-Hans"
    follow_up = parts.get("follow_up")
    return {**answer, "answer": render(sections_of(parts), variant),
            "follow_up": None if follow_up is None else one(_piece(follow_up), variant),
            "follow_up_choices": [one(_piece(c), variant) for c in parts.get("choices") or []],
            "variant": variant, "language": "en" if variant == "en" else "zh"}


def rule_citations(index: KnowledgeIndex, rule_ids: list[str]) -> list[Citation]:
    """One citation per chunk stating the rules, quoting the sentence(s) that contain each anchor."""
    by_chunk: dict[str, tuple[Any, list[str]]] = {}
    # Statements first; a menu anchor only gets quoted when its chunk states nothing else cited.
    for rule_id in sorted(rule_ids, key=lambda r: r.startswith("menu.")):
        anchor = RULES[rule_id].anchor
        chunks = index.chunks_stating(anchor)
        if not chunks:
            continue
        # Prefer the excerpt seen most often (duplicates collapse into one chunk with many origins).
        chunk = max(chunks, key=lambda c: (len(c.origins), -len(c.text)))
        quote = _sentence_with(chunk.text, anchor)
        entry = by_chunk.setdefault(chunk.id, (chunk, []))
        if rule_id.startswith("menu.") and entry[1]:
            continue
        if quote not in entry[1]:
            entry[1].append(quote)
    citations = []
    for chunk, quotes in by_chunk.values():
        citations.append(Citation(chunk_id=chunk.id, text=chunk.text, quote=quote_span(chunk.text, quotes),
                                  source=chunk.source, menu_path=chunk.menu_path, title=chunk.title or None))
    return citations


def source_citations(index: KnowledgeIndex, payload: dict[str, Any], variant: Variant) -> list[Citation]:
    """Citations for a catalogue tool's result: the indexed row stating the code (in the reader's language
    when the index has it there) or the chunk naming the menu path, quoting that row or sentence."""
    rows = payload.get("sources") or []
    if rows:
        wanted = "en" if variant == "en" else "zh"
        rows = [next((r for r in rows if r.get("language") == wanted and r.get("description")), None)
                or next((r for r in rows if r.get("description")), None) or rows[0]]
    rows = rows or (payload.get("matches") or [])[:1]
    citations = []
    for row in rows:
        chunk = index.chunk(row["chunk_id"])
        if chunk is not None and row["sentence"] in chunk.text:
            citations.append(Citation(chunk_id=chunk.id, text=chunk.text, quote=row["sentence"], source=chunk.source,
                                      menu_path=row.get("menu_path") or chunk.menu_path, title=chunk.title or None))
    return citations


def _sentence_with(text: str, anchor: str) -> str:
    """The shortest run of whole sentences containing ``anchor``, sliced verbatim from ``text``."""
    spans = sentence_spans(text)
    for width in range(1, len(spans) + 1):
        for first in range(len(spans) - width + 1):
            window = text[spans[first][0]:spans[first + width - 1][1]]
            if anchor in window:
                return window
    return anchor


def explanation(result: ToolOutput) -> Said:
    return Said(result.explanation_zh, result.explanation_en)


def moment_in_zone(moment: datetime | None, zone: str | None) -> Said | None:
    """A computed moment (Beijing time) shown in the zone the user asked the answer in."""
    if moment is None or not zone or zone == "Asia/Shanghai":
        return None
    local = moment.astimezone(ZoneInfo(zone))
    offset = local.strftime("%z")
    shown = f"{local:%Y-%m-%d %H:%M} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"
    return Said(f"换算为 {zone} 时间:{shown}。", f"In {zone} time: {shown}.")


def steps_lines(payload: dict[str, Any]) -> list[Line]:
    """Numbered steps when a result carries them (menu lookups); the steps are corpus wording."""
    matches = payload.get("matches") or []
    if not matches:
        return []
    steps = matches[0].get("steps") or []
    if not steps:
        return []
    steps = [step.strip() for step in steps if step and step.strip()]  # no empty "5."
    return [Said("操作步骤:", "Steps:"), *(label(f"{n}. {step}") for n, step in enumerate(steps, start=1))] if steps else []


# Tool input fields named in a reader's language; a field not listed is named as the tool names it.
_FIELD_ZH = {"amount": "金额", "billing_period": "账期", "business_date": "业务日期", "timezone": "时区",
             "event_time": "事件时间", "assigned_at": "分配时间", "requested_start": "查询起始时间",
             "now": "当前时间", "error_code": "错误码", "http_status": "HTTP 状态码", "unit": "时长单位",
             "direction": "方向", "transaction": "交易类型", "role": "角色", "event": "事件",
             "incentives": "激励项", "dashboard": "看板", "calendar": "工作日历"}
# What a value of the field must look like (our wording of the tools' input types).
_YEARS_ZH = f"年份在 {MIN_YEAR} 到 {MAX_YEAR} 之间"
_FIELD_FORM_ZH = {"amount": "人民币元,不为负,最多两位小数,不写指数", "billing_period": f"写作 YYYY-MM,{_YEARS_ZH}",
                  "business_date": f"写作 YYYY-MM-DD,{_YEARS_ZH}", "timezone": "IANA 时区名或 UTC 偏移",
                  "requested_start": f"不晚于当前时间,{_YEARS_ZH}", "event_time": f"带时区的日期时间,{_YEARS_ZH}",
                  "assigned_at": f"带时区的日期时间,{_YEARS_ZH}", "now": f"带时区的日期时间,{_YEARS_ZH}"}


def input_errors_text(errors: list[dict[str, Any]], arguments: dict[str, Any]) -> Said:
    """Why a tool could not take the values read from the message, in both languages: by field and error
    type for a Chinese reader (the tools' own messages are English and stay for English readers)."""
    parts = []
    for error in errors:
        name = str(error["loc"][0]) if error.get("loc") else ""
        if not name:  # a whole-input check names its field first ("requested_start: ...")
            name = next((k for k in arguments if str(error.get("msg", "")).startswith(f"{k}:")), "")
        label = _FIELD_ZH.get(name, name or "输入")
        value = arguments.get(name)
        shown = f"“{value}”" if value is not None and not isinstance(value, (dict, list)) else ""
        kind = str(error.get("type", ""))
        why = "超出可用范围" if kind.startswith(("greater", "less")) else \
            "缺少" if kind == "missing" else "不是可用的取值"
        form = _FIELD_FORM_ZH.get(name)
        parts.append(f"{label}{shown}{why}" + (f"({label}应为{form})" if form else ""))
    return Said("无法按该条件计算:" + ";".join(parts) + "。",
                "I could not apply the rule to that: " + "; ".join(e["msg"] for e in errors))


def notes_line(notes_zh: list[str], notes_en: list[str]) -> Said | None:
    if not notes_zh:
        return None
    return Said("说明:" + ";".join(notes_zh) + "。", "Reading used: " + "; ".join(notes_en) + ".")


MENU_PATH = Said("菜单路径:", "Menu path: ")


def label(text: str) -> Said:
    """Corpus wording we lay out ourselves rather than quote (a menu path, a procedure's steps): a
    Traditional-Chinese reader gets it in Traditional script like our own wording; an English reader sees it
    as written (the portal's labels are Chinese). Quotes in 「」 never pass through here."""
    return Said(text, text)


def menu_line(path: str) -> Line:
    return (MENU_PATH, label(path))


_CJK = re.compile(r"[\u4e00-\u9fff]")
_UNITS = {"minutes": ("分钟", "minutes"), "hours": ("小时", "hours"), "calendar_days": ("天", "days"),
          "working_days": ("个工作日", "working days"), "weeks": ("周", "weeks"), "months": ("个月", "months"),
          "years": ("年", "years")}


_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _duration_said(rule: DurationRule) -> tuple[str, str]:
    """A duration rule read from a quoted sentence, stated from its typed fields (amount, unit, direction,
    the event in the sentence's own words)."""
    zh_unit, en_unit = _UNITS[rule.unit]
    # the amount as the sentence writes it when it has no digits (一个工作日: "one working day"), so every
    # number the answer shows is one its quote holds
    n: int | str = rule.amount
    if str(rule.amount) not in rule.sentence:
        n = _SMALL[rule.amount] if rule.amount < len(_SMALL) else rule.duration_text
    zh_n = n if isinstance(n, int) or rule.amount >= len(_SMALL) else "零一二三四五六七八九十"[rule.amount]
    if n in (1, "one"):
        en_unit = en_unit[:-1]
    event_zh = f"“{rule.event}”" if rule.event else "当天"
    event_en = f"“{rule.event}”" if rule.event else "today"
    if rule.direction == "within":
        return f"{event_zh}后 {zh_n}{zh_unit}内", f"within {n} {en_unit} of {event_en}"
    if rule.direction == "before":
        return f"{event_zh}前至少 {zh_n}{zh_unit}", f"at least {n} {en_unit} before {event_en}"
    if rule.direction == "after":
        return f"{event_zh}后 {zh_n}{zh_unit}", f"{n} {en_unit} after {event_en}"
    return f"每 {zh_n}{zh_unit}最多一次", f"at most once every {n} {en_unit}"


def gloss_lines(quotes: list[str], title: str | None = None, menu_path: str | None = None) -> list[Line]:
    """What quotes in the other language state, said in the reader's language from the facts we hold about
    them: the rules whose corpus anchors they contain (each rule's own English statement), the duration
    rules read from their sentences, else the passage's title and menu path. A Chinese quote gets an English
    line, an English quote a Chinese one; the other reader sees nothing added (the quote speaks to them)."""
    en: list[str] = []
    zh: list[str] = []
    for quote in quotes:
        normal = unicodedata.normalize("NFKC", quote)
        chinese = bool(_CJK.search(normal))
        found = en if chinese else zh
        if chinese:
            found += [r.summary_en for r in RULES.values() if unicodedata.normalize("NFKC", r.anchor) in normal]
        # a rule whose own statement was added says the duration already
        durations = [] if chinese and en else [_duration_said(r) for r in find_duration_rules(normal).rules]
        if durations:
            found.append(("资料规定的时限:" + ";".join(d[0] for d in durations) + "。") if not chinese else
                         "The quoted rule sets a time limit: " + "; ".join(d[1] for d in durations) + ".")
    lines: list[Line] = []
    chinese_quotes = any(_CJK.search(q) for q in quotes)
    english_quotes = any(not _CJK.search(q) for q in quotes)
    if chinese_quotes and not en and (title or menu_path):
        where = f" under “{title}”" if title else ""
        where += f" (menu {menu_path})" if menu_path else ""
        en.append(f"This is stated in the Chinese documentation{where}; the passage is quoted below as written.")
    if english_quotes and not zh and (title or menu_path):
        where = f"“{title}”" if title else ""
        where += f"(菜单 {menu_path})" if menu_path else ""
        zh.append(f"以下内容出自英文资料{where},按原文引用。")
    if en:
        lines.append(Said("", " ".join(dict.fromkeys(en))))
    if zh:
        lines.append(Said("".join(dict.fromkeys(zh)), ""))
    return lines


def rule_lines(citations: list[Citation]) -> list[Line]:
    if not citations:
        return []
    lines: list[Line] = [Said("依据:", "Rule (quoted from the documentation):")]
    lines.extend(f"「{c.quote}」" for c in citations)
    menus = [c.menu_path for c in citations if c.menu_path]
    if menus:
        lines.append(menu_line(menus[0]))
    return lines


_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:\d{2}|Z)")


def converted_times(payload: dict[str, Any], zone: str) -> Said | None:
    """Every moment a result states, shown again in ``zone`` (for a tool that takes no time zone)."""
    moments = list(dict.fromkeys(_ISO_DATETIME.findall(json.dumps(payload))))
    if not moments:
        return None
    shown = []
    for raw in moments:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
        shown.append(f"{raw} = {moment.strftime('%Y-%m-%d %H:%M')} ({zone})")
    return Said(f"换算为 {zone}:", f"In {zone}: ") + "; ".join(shown)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ENUMERATION = re.compile(r"^\s*\d+\.\s", re.M)


def _numbers(text: str) -> set[str]:
    out = set()
    for raw in _NUMBER.findall(text):
        integer, _, fraction = raw.partition(".")
        fraction = fraction.rstrip("0")
        out.add((integer.lstrip("0") or "0") + (f".{fraction}" if fraction else ""))
    return out


def check_numbers(answer: str, sources: list[str]) -> None:
    """Raise when the answer states a number no tool result or cited chunk contains."""
    allowed: set[str] = set()
    for source in sources:
        allowed |= _numbers(source)
    stated = _numbers(_ENUMERATION.sub("", answer))
    unsupported = stated - allowed
    if unsupported:
        raise CompositionError(f"answer states numbers no source supports: {sorted(unsupported)}")
