"""Negation and its scope over a message's clauses, for every enumerated detail.

A negator governs the rest of its clause: what is said after it in the same clause is denied ("isn't under
my name", 不在同一个申付单里, "None of the incentives were applied for in a batch"). Three forms, each a
closed grammatical class, not a list of phrasings:

- a negator word: 不 / 没(有) / 未 / 非 / 无(法) ... and not / n't / never / no / none / nothing / nobody /
  neither / nor / without / unable / cannot, and the contrastive rather than / instead of;
- a potential complement, a verb with 不 / 没 and a result (关联不了, 挂不上, 找不到, 绑不住): the verb itself
  is denied, so the scope starts at the clause's start (or after a verb of saying that reports it: the
  reporter is not denied);
- a negated verb of knowing (不清楚, 不确定, "not sure", "don't know whether"): what follows is *unknown*,
  neither said nor denied - the detail is asked about, never read as its opposite.

Not negators: A-not-A questions (能不能, 是不是, 有没有), a clause-final question tag (能报备不?) and 不 / 没 /
无 inside a fixed word (不同 "different", 不少, 不管, 不过, 无论, 没多久).

A clause ends at punctuation, a spaced dash, or a conjunction that opens a new predicate (but, 但是, 而是).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Polarity = Literal["said", "denied", "unknown"]

CLAUSE = re.compile(r"[,,;;。!?!?:\n()()]|\s+[-–—]\s+|\b(?:but|though|although|while|whereas)\b|"
                    r"(?<=[a-z])\.\s|但是|但|不过|可是|而是")
A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
QUESTION_TAG = re.compile(r"[不没否]\s*(?:呢|啊|呀)?\s*(?=[??]|$)")
NOT_NEGATORS = re.compile(r"不同|不少|不管|不过|不仅|不但|不久|没多久|无论|无关|非常|未来")
# Verbs and adjectives of knowing: their negation leaves the rest unknown (a closed class).
_KNOWING_ZH = r"(?:太|很|是很|大)?(?:清楚|知道|确定|记得|了解|晓得|肯定|明白)"
_KNOWING_EN = (r"(?:\s+(?:really|quite|too|entirely|100%))?\s+(?:sure|certain|know|knowing|tell|say|remember|recall|"
               r"aware|clear)\b")
_NEGATOR = re.compile(
    r"(?P<pot>[\u4e00-\u9fff][不没](?:了|上|到|成|住|动|起|进|掉|通|清|准))|"
    rf"(?P<zh>不{_KNOWING_ZH}|并?不是|并不|并非|不|没有|没|未|非|无法|无)|"
    rf"(?P<en>\b(?:not|never|no|none|nothing|nobody|neither|nor|without|unable|cannot|rather than|instead of)\b"
    rf"(?:{_KNOWING_EN})?|"
    rf"n't\b(?:{_KNOWING_EN})?|\bunsure\b|\buncertain\b|\bno idea\b)",
    re.I)
# An interrogative or a free-choice "any" (a closed class) fronted before 都 / 也 and the negator.
_FRONTED = re.compile(r"(?:什么|任何|哪个|哪些|哪|一个|一点|一笔|一张)[^,,;;。]*?(?:都|也)\s*并?$")
# ... and a potential complement of knowing: 说不清, 搞不清楚, 说不准 (not clear / not sure).
_IS_KNOWING = re.compile(rf"不{_KNOWING_ZH}|{_KNOWING_EN}$|unsure|uncertain|no idea|不[清准]", re.I)


# Verbs of saying and asking that introduce reported speech (a closed class): 说 / 反映 / 表示 / 称 / 问 ...
_REPORTING = re.compile(r"(?:说|反映|反馈|表示|声称|称|提到|告诉|问)(?:过|了)?")


@dataclass(frozen=True)
class Negation:
    start: int       # where the negated stretch begins (the negator, or the clause start for V不了)
    end: int         # the end of its clause
    unknown: bool    # a negated verb of knowing: the stretch is unknown, not denied
    negator: str
    at: int = -1     # where the negator itself is written (before it, the stretch reaches back)

    def forward(self) -> Negation:
        """The stretch from the negator on: what a potential complement or a fronted object's negation says of the
        clause's agent. "客户经理主管报备不了" denies the supervisor's registering, not that they are a supervisor."""
        return Negation(max(self.start, self.at), self.end, self.unknown, self.negator, self.at)


def _masked(text: str) -> str:
    """The text with non-negating 不 / 没 blanked (same length, positions kept)."""
    blank = lambda m: " " * len(m.group(0))  # noqa: E731
    return NOT_NEGATORS.sub(blank, A_NOT_A.sub(blank, QUESTION_TAG.sub(blank, text)))


def clauses(text: str) -> list[tuple[int, int]]:
    """The clauses of ``text`` as (start, end) offsets."""
    bounds, at = [], 0
    for m in CLAUSE.finditer(text):
        if m.start() > at:
            bounds.append((at, m.start()))
        at = m.end()
    if at < len(text):
        bounds.append((at, len(text)))
    return bounds


def negations(text: str) -> list[Negation]:
    """Every negated stretch of ``text`` (lower-cased or not), in order."""
    masked = _masked(text)
    found: list[Negation] = []
    for start, end in clauses(masked):
        marks = list(_NEGATOR.finditer(masked, start, end))
        for m, after in zip(marks, [*marks[1:], None]):
            said = m.group(0)
            begin = start if m.group("pot") else m.start()
            if m.group("pot"):
                # reported speech opens a clause of its own: the reporter before a verb of saying (客户经理主管说他
                # 报备不了) is not what the potential complement denies; its reach-back stops after that verb
                reported = list(_REPORTING.finditer(masked, start, m.start()))
                begin = reported[-1].end() if reported else begin
            if m.group("zh"):
                # 什么Offering都没挂上, 任何商品也关联不了: an interrogative or "any" fronted before 都 / 也 is the
                # negated object ("no offering at all"): the scope reaches back to it
                fronted = _FRONTED.search(masked[start:m.start()])
                begin = start + fronted.start() if fronted else begin
            # a negator governs up to the next one (不是基线也不是联营: each denies its own)
            found.append(Negation(begin, after.start() if after else end, bool(_IS_KNOWING.search(said)), said,
                                  m.start()))
    return found


def polarity(spans: list[Negation], at: int) -> Polarity:
    """How the word starting at ``at`` is said: plainly, denied, or left unknown (a negated verb of knowing
    governs it)."""
    over = [n for n in spans if n.start <= at < n.end]
    if any(n.unknown for n in over):
        return "unknown"
    return "denied" if over else "said"


def polarity_of(text: str, at: int) -> Polarity:
    return polarity(negations(text), at)


def negated(clause: str) -> bool:
    """Does a negator govern any part of ``clause``?"""
    return any(not n.unknown for n in negations(clause))


def uncertain(clause: str) -> bool:
    """Does a negated verb of knowing govern part of ``clause`` ("not sure whether ...", 不清楚是…还是…)?"""
    return any(n.unknown for n in negations(clause))


# Who a noun is said of. The speaker (I / we / 我 / 我们) linked to a noun by a copula (am, 'm, as, work as,
# 是, 当, 担任, 作为 ...) is that noun ("I'm an account manager", 我是主管); the speaker doing something else to it
# (lead, manage, report to, 带, 向…汇报) has it as an object or a complement: it is someone else, not the speaker.
# Both word classes are closed: personal pronouns and copulas.
_SPEAKER = re.compile(r"\b(?:i|we)\b(?!')|(?<![自])我们?(?!的)")
_COPULA = re.compile(r"\b(?:am|'m|is|isn't|are|aren't|was|wasn't|were|weren't|be|been|become|became|as)\b|"
                     r"是|非|当|做|担任|作为|身为|属于|算")


def object_of_speaker(text: str, at: int) -> bool:
    """Is the noun starting at ``at`` the object of a verb whose subject is the speaker (in its clause)?"""
    start = max((s for s, e in clauses(text) if s <= at), default=0)
    speakers = list(_SPEAKER.finditer(text, start, at))
    if not speakers:
        return False
    between = text[speakers[-1].end():at]
    if _COPULA.search(between):
        return False
    if between.rstrip().endswith("的") and not has_verb(between):
        return False  # 我们部门的主管, 我们这的客户经理: the speaker is the noun's possessor, no verb relates them
    return bool(re.search(r"[a-z\u4e00-\u9fff]", between, re.I))


def has_verb(chinese: str) -> bool:
    """Does a verb stand in ``chinese`` (jieba's part-of-speech tags: 我带的 / 我管理的 hold one, 我们部门的 none)?"""
    from knowledge.lexical import pos_tagged

    return any(flag.startswith("v") for _, flag in pos_tagged(chinese))
