"""Cues the move decision reads from a message: does it ask where something is, or for another language."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..language import Variant

# A where-question asks for a place: a where-word, or an interrogative before a noun of place in the portal
# (哪个页面, 什么菜单, which tab, what screen) - a closed class of location nouns, not topic words.
PLACE_NOUNS = r"(页面|页签|菜单|界面|入口|模块|栏目|板块|位置|地方|路径|tab|page|screen|section|menu)"
WHERE = (r"在哪|哪里|哪儿|(哪|什么)(个|一个|些)?\s*" + PLACE_NOUNS + r"|菜单|入口|怎么进|如何进入|路径|"
         r"(怎么|如何|怎样)(找到|打开|进入)|\bwhere\b|\b(which|what)\s+(\w+\s+)?" + PLACE_NOUNS + r"\b|\bmenu\b|"
         r"navigate|how (do|can) i (get|find|open)")
_WHERE = re.compile(WHERE, re.I)
# A request to answer in a language: the language's name next to a verb of saying, or "in <language>".
_LANGUAGE = [
    (re.compile(r"\b(in|into) english\b|英文|英语", re.I), "en"),
    (re.compile(r"繁体|繁體|traditional chinese", re.I), "zh-Hant"),
    (re.compile(r"\b(in|into) (simplified )?chinese\b|中文|简体|汉语", re.I), "zh-Hans"),
]
_SAY = re.compile(r"\b(in|into|say|answer|reply|repeat|again|translate)\b|说|回答|讲|再|用|请", re.I)


# Discourse markers of a follow-up ("那…呢", "what about …"): a closed class of particles, not topic words.
_CONTINUES = re.compile(r"^\W*(那|那么|那如果|如果|要是|换成|改成|还有|and|what about|how about|what if|then|if|same for|for|"
                        r"suppose)\b|"
                        r"^\W*(那|那么|如果|要是|换成|改成|还有)|呢\W*$", re.I)


# A particular case rather than the rule in general: first-person possessives and demonstratives.
_PARTICULAR = re.compile(r"我们|我的|咱们|这个|这笔|这些|这张|这两|这几|那个|那笔|那些|该笔|"
                         r"\b(our|my|this|these|those|that one)\b", re.I)


# An open question (how / when / what): the rule itself answers it, whatever the case's details.
_HOW = re.compile(r"怎么|怎样|如何|什么时候|何时|几号|哪天|几点|多少|多久|多长时间|什么|哪些|规则|\b(how|when|what|which)\b", re.I)
_YES_NO = re.compile(r"吗|么[??]?$|是否|能否|可否|可不可以|能不能|行不行|^\W*(can|could|is|are|does|do|will|may|should)\b", re.I)


# Asking what something is or means ("是什么意思", "what does 429 mean", "what's a 502"): a closed class of
# interrogative forms, answered by a categorical result (a code's class, a bill's status).
_MEANING = re.compile(r"什么意思|啥意思|是什么|是啥|指什么|代表什么|\bmeans?\b|\bmeaning\b|\bwhat(?:'s| is| are)\b", re.I)
# Open interrogatives: how, when, what, who, why, where, how many. Broader than ``_HOW`` (谁, 为什么, 啥, why).
_OPEN = re.compile(r"怎么|怎样|如何|什么|啥|何时|几号|哪天|几点|多少|多久|多长|几个|几次|几笔|哪|谁|为什么|为何|"
                   r"\b(how|when|what|which|who|whom|whose|why|where)\b", re.I)


def asks_meaning(text: str) -> bool:
    """Does the question ask what something is or means?"""
    return bool(_MEANING.search(text))


def asks_open(text: str) -> bool:
    """Does the message hold an open interrogative (how, when, what, who, why, where, how many)? A message
    without one that a tool answers asks to check the case: a verdict or a state answers it."""
    return bool(_OPEN.search(text))


def asks_how(text: str) -> bool:
    """An open how/when/what question rather than a yes/no question about a case."""
    return bool(_HOW.search(text)) and not _YES_NO.search(text)


# Yes/no grammar beyond the particles: A-not-A (算不算, 是不是, 有没有) and an auxiliary opening any clause
# ("Customer usage from May: can I still pull it?").
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1|[\u4e00-\u9fff][不没](?=\s*(?:[??。!!,,]|$))")  # …能看不? (V-不 at the clause's end)
_AUX_CLAUSE = re.compile(r"(?:^|[.:;!?。:;!?]\s*)(?:can|could|is|are|does|do|did|will|would|may|should|was|were|has|have)\b",
                         re.I)


def asks_yes_no(text: str) -> bool:
    """A yes/no question ("能查到吗", "算不算", "can I still ...?"), not an open how/who/what one."""
    return bool(_YES_NO.search(text) or _A_NOT_A.search(text) or _AUX_CLAUSE.search(text.strip()))


def particular(text: str) -> bool:
    """Does the message ask about the user's own case ("我们这个PO", "our incentives")?"""
    return bool(_PARTICULAR.search(text))


# Going back to something said before (closed class of discourse markers): 回到刚才那个, 说回之前的, "back to the
# bill", "going back to my first question".
_RETURNS = re.compile(r"回到|说回|再回|回头(?:说|问|看)|(?:刚才|刚刚|之前|前面|上面|先前)(?:那个|那条|那件|那道|的那个|的问题|问的|说的)|"
                      r"上一个问题|\b(?:back to|going back|go back|returning to|return to)\b|"
                      r"\b(?:the|my) (?:earlier|previous|first|other) (?:one|question|topic)\b", re.I)


def returns_to(text: str) -> bool:
    """Does the message go back to something said before ("回到刚才那个", "back to the bill")?"""
    return bool(_RETURNS.search(text))


def without_return(text: str) -> str:
    """The message without its going-back wording: that is its form, not a detail (说回 is no deed done to
    the card in "说回储值卡那个,要是付的是2500呢")."""
    return _RETURNS.sub(" ", text)


def continues(text: str) -> bool:
    """Is the message phrased as a follow-up to something said before?"""
    return bool(_CONTINUES.search(text.strip()))


# A preface before a colon or a dash at the start ("Switching topics - ...", "Different question: ...", "顺便问下:")
_PREFACE = re.compile(r"^\s*([^:::\-–—,,。.?!?!]{2,30}?)\s*(?::|:|\s[-–—]\s)\s*\S")


def preface(text: str, names_a_topic: Callable[[str], bool]) -> str | None:
    """A discourse preface that opens the message ("Switching topics -", "Unrelated:"): its wording is the
    message's form, not its topic, when it names no topic (``names_a_topic`` says whether words do)."""
    match = _PREFACE.match(text)
    if match is None or names_a_topic(match.group(1)) or re.search(r"\d", match.group(1)):
        return None
    return match.group(1)


def where_phrases(text: str) -> tuple[str, ...]:
    """The wording that makes a message a where-question (哪个入口, which page): the question's form, not
    its topic, so the evidence stage does not look for it in the documents."""
    return tuple(m.group(0) for m in _WHERE.finditer(text))


# An amount asked for: how much / 多少 (not 多少天, a duration).
_AMOUNT = re.compile(r"\bhow much\b|多少(?!天|个?小时|分钟|周|个?月|年|次|笔|个|人)|几多钱", re.I)


def asks_amount(text: str) -> bool:
    """Does the question ask for an amount ("how much is credited", "算多少业绩")?"""
    return bool(_AMOUNT.search(text))


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


# Interrogatives of a point in time (a closed class): 哪天 / 几号 / 什么时候 / 何时, when / which day / what date.
TIME_INTERROGATIVE = (r"哪一?[天日号]|几号|什么时候|什么日期|哪个日期|何时|\bwhen\b|"
                      r"\b(?:which|what)\s+(?:\w+\s+)?(?:day|date)s?\b")
# Superlatives of a point in time (a closed class): 最早 / 最晚 / 最迟, earliest / latest / soonest, how far back.
_SUPERLATIVE = re.compile(r"最(早|晚|迟)|\b(earliest|soonest|latest)\b|\bhow (far back|late)\b", re.I)


def asks_bound(text: str) -> str | None:
    """"earliest" or "latest" when the message asks for that day itself (最早能查到哪天, the earliest date I can
    pull, how far back ... which day): a superlative of time with an interrogative of time in its clause, or
    before a day / date noun. None otherwise."""
    from .scope import clauses

    for start, end in clauses(text):
        clause = text[start:end]
        for m in _SUPERLATIVE.finditer(clause):
            if re.search(TIME_INTERROGATIVE, clause, re.I) or re.search(r"\b(?:day|date)s?\b", clause[m.end():], re.I):
                early = m.group(1) == "早" or (m.group(2) or "").lower() in ("earliest", "soonest") or m.group(3)
                return "earliest" if early and (m.group(3) or "").lower() != "late" else "latest"
    return None

