"""What a noun phrase's determiner says: how many of the thing (one and the same, or several different ones),
and whether it points at the thing already under discussion.

The determiners are closed grammatical classes, composed here with the head noun a caller names:

- identity / one: 同一 / 同个 / 一个 / 单个 / 一张 ..., the same / one / a single (the indefinite a / an says no
  quantity: "cancel a payment request");
- distinctness / many: 不同 / 多个 / 两个 / 几个 / 各 / 各自 ..., different / separate / several / multiple / two ...
  / their own (a bare plural says no quantity either);
- definite reference: a bare Chinese head, or the / this / that / its / their / our / my before an English one
  (卡, "the card"), names the entity under discussion, whose full name (储值卡, stored-value card) the caller
  gives.
"""

from __future__ import annotations

import re
from typing import Literal

Quantity = Literal["one", "many"]

_CLASSIFIERS = "个张份笔项"
_ONE_ZH = rf"(?:同一|同|单|一|唯一)[{_CLASSIFIERS}]?"
_MANY_ZH = rf"(?:不同|多|两|二|三|四|五|几|若干|各|各自|分别)(?:的)?[{_CLASSIFIERS}]?"
_ONE_EN = r"(?:the same|one and the same|a single|one single|just one|only one|one|single|same)"
_MANY_EN = (r"(?:different|separate|several|multiple|various|many|distinct|two|three|four|five|six|their own|"
            r"its own|each (?:on )?(?:its|their) own)")
_DEFINITE_EN = r"(?:the|this|that|its|their|our|my|his|her|your)"


def quantity_table(head_zh: str, head_en: str, one: object, many: object) -> list[tuple[str, object]]:
    """A wording table (for ``planning.pick``) reading how many of the head the message means: the
    distinctness row first (不同 holds no 同一), then identity. ``head_en`` is the singular English head."""
    many_pattern = rf"{_MANY_ZH}\s*{head_zh}|\b{_MANY_EN}\s+(?:\w+\s+)?{head_en}s?\b"
    one_pattern = rf"{_ONE_ZH}\s*{head_zh}|\b{_ONE_EN}\s+(?:\w+\s+)?{head_en}\b(?!s)"
    return [(many_pattern, many), (one_pattern, one)]


def quantity_phrase(head_zh: str, head_en: str) -> re.Pattern:
    """The head noun with any determiners of quantity before it (to set the phrase aside when reading
    something else: "a single payment request" says nothing about how incentives were applied for)."""
    return re.compile(rf"(?:{_MANY_ZH}|{_ONE_ZH})?\s*{head_zh}|(?:\b(?:{_MANY_EN}|{_ONE_EN}|the)\s+)*{head_en}s?\b",
                      re.I)


def resolve_definite(text: str, full_zh: str, full_en: str) -> str:
    """``text`` with a bare head of the entity under discussion (卡 / "the card" while the stored-value card
    is the topic) written as its full name. The head is the full name's last character (Chinese) or last word
    (English). A Chinese head inside a longer word CC-CEDICT lists (银行卡, 信用卡, 卡片) is that other word;
    an English head needs a definite determiner or possessive before it (the card, its card), not another
    noun (credit card)."""
    from .bilingual import chinese_headwords

    words = chinese_headwords()
    head_zh, head_en = full_zh[-1], full_en.split()[-1]
    out = []
    for i, char in enumerate(text):
        if char == head_zh and not any(
                text[a:b] in words for a in range(max(0, i - 3), i + 1) for b in range(i + 1, min(len(text), i + 3) + 1)
                if b - a >= 2):
            out.append(full_zh)
        else:
            out.append(char)
    text = "".join(out)
    return re.sub(rf"\b({_DEFINITE_EN})\s+{head_en}\b", lambda m: f"{m.group(1)} {full_en}", text, flags=re.I)


# A demonstrative or a third-person pronoun pointing back at what was just said: 这些 / 那个 / 这笔 / 它 (not
# 其他 / 其中, which are otherness and part), these / those / them, and this / that before a noun (not before a
# pronoun, an article or a verb of being, where "that" joins a clause). A closed grammatical class.
_POINTING_ZH = re.compile(rf"[这那](?:些|[{_CLASSIFIERS}种条类])|它们?")
_POINTING_EN = re.compile(r"\b(?:these|those|them)\b|\b(?:this|that)\s+(?!(?:i|we|you|they|he|she|it|is|was|are|were|"
                          r"the|a|an|my|our|your|their|its|be|will|would|can|could|should|does|do|did|has|have)\b)"
                          r"[a-z]", re.I)


def points_back(text: str) -> bool:
    """Does ``text`` point back with a demonstrative or a pronoun ("those figures", 这些数据, 那个)?"""
    return bool(_POINTING_ZH.search(text) or _POINTING_EN.search(text))
