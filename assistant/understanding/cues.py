"""Cues the move decision reads from a message: does it ask where something is, or for another language."""

from __future__ import annotations

import re

from ..language import Variant

_WHERE = re.compile(r"在哪|哪里|哪儿|哪个菜单|什么菜单|菜单|入口|怎么进|如何进入|路径|(怎么|如何|怎样)(找到|打开|进入)|"
                    r"\bwhere\b|which (menu|page)|\bmenu\b|navigate|how (do|can) i (get|find|open)", re.I)
# A request to answer in a language: the language's name next to a verb of saying, or "in <language>".
_LANGUAGE = [
    (re.compile(r"\b(in|into) english\b|英文|英语", re.I), "en"),
    (re.compile(r"繁体|繁體|traditional chinese", re.I), "zh-Hant"),
    (re.compile(r"\b(in|into) (simplified )?chinese\b|中文|简体|汉语", re.I), "zh-Hans"),
]
_SAY = re.compile(r"\b(in|into|say|answer|reply|repeat|again|translate)\b|说|回答|讲|再|用|请", re.I)


def asks_where(text: str) -> bool:
    """Where in the portal / which menu (text already simplified)."""
    return bool(_WHERE.search(text))


def language_request(text: str) -> Variant | None:
    """The language the message asks the answer in, if it asks for one."""
    if not _SAY.search(text):
        return None
    for pattern, variant in _LANGUAGE:
        if pattern.search(text):
            return variant  # type: ignore[return-value]
    return None
