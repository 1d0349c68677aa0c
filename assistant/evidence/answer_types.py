"""What kind of answer a question asks for, and whether a passage states one.

A question asking how long, how often, how much money, what rate or what limit is answered only
by a passage that states a duration, a frequency, an amount, a rate or a limit. A passage on the
right topic that states none ("customer managers register opportunities") does not answer "how
many opportunities per quarter": the mark of the hardest out-of-scope questions, which name things
the corpus covers and ask what it does not say.

Patterns run on simplified, lower-cased text. Chinese 几 is an interrogative only where it is not
"several" (好几, 几个月的激励) and the sentence is not a yes/no question.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.lexical import to_simplified

_NUM = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万半]+)"
_PERIOD_ZH = r"(?:季度|月|周|星期|年|天|日)"
_PERIOD_EN = r"(?:day|week|month|quarter|year)"
# 几 as "how many", not "several": not after 好/十/这/那, not before 的 ("几个月的激励").
_JI = r"(?<![好十这那])几"
_YES_NO = re.compile(r"吗|行不行|能不能|可不可以|是否|是不是|有没有")


def _asked_about(nouns_zh: str, nouns_en: str, how: str = "how much|what") -> str:
    """A noun of the kind next to a question of number: 费用是多少, 多少费用, what is the fee."""
    return (rf"(?:{nouns_zh}).{{0,8}}(?:多少|{_JI}|怎么算|如何计算)|(?:多少|{_JI}).{{0,8}}(?:{nouns_zh})|"
            rf"\b(?:{how})\b.*\b(?:{nouns_en})\b")


_ASKS: dict[str, re.Pattern[str]] = {
    "duration": re.compile(
        rf"多久(?!一次)|多长时间|多少(?:天|小时|分钟|个?月|年|周|个?工作日)|{_JI}(?:天|小时|分钟|个?月|年|周|个?星期|个?工作日)(?!的)|"
        r"\bhow long\b|\bhow soon\b|\bhow far back\b|"
        r"\bhow many (?:more )?(?:days|hours|minutes|weeks|months|years|working days|business days)\b"),
    # A period alone is context ("我们每月开票"); asked only with a question of number beside it.
    "frequency": re.compile(rf"多久一次|{_JI}次|多少次|频率|\bhow often\b|\bhow many times\b|"
                            rf"(?:每个?{_PERIOD_ZH}.*(?:{_JI}|多少))|(?:(?:{_JI}|多少).*每个?{_PERIOD_ZH})|"
                            rf"(?:\b(?:per|each|every|a) {_PERIOD_EN}\b.*\bhow many\b)|"
                            rf"(?:\bhow many\b.*\b(?:per|each|every|a) {_PERIOD_EN}\b)"),
    "money": re.compile("多少钱|" + _asked_about("价格|价钱|收费|费用|手续费|年费|服务费|成本",
                                                 "cost|costs|price|prices|fee|fees|charge|charges|charged") +
                        r"|\b(?:cost|costs|price|prices|fee|fees|charge|charges)\b.*\bhow much\b"
                        # asked as yes/no: whether a charge applies is answered by an amount or "free"
                        r"|(?:收|交|缴|付|扣|要|需要|有|产生|另收|额外)[^,,。??]{0,6}?(?:费|钱)(?:用)?(?:吗|么|不|没有)"
                        r"|是否[^,,。??]{0,8}?(?:收费|收取|费用)|(?:收费|免费)(?:吗|么)"
                        r"|\b(?:is|are) there (?:a|an|any) (?:[\w-]+ ){0,3}?(?:fee|fees|charge|charges|cost)\b"
                        r"|\bdoes (?:it|this|that) cost\b|\bis it free\b"),
    "rate": re.compile(rf"{_JI}折|多少折|" + _asked_about("比例|百分比|费率|税率|折扣|返点|提成",
                                                        "rate|rates|percentage|percent|discount|commission|margin",
                                                        "what|how much|how high|how is|how are")),
    "limit": re.compile(r"(?:最多|最少|至少|至多|上限|下限|限额|最长|最短|最大|最小).{0,12}(?:多少|几|多久|多长)|"
                        rf"(?:多少|{_JI}).{{0,12}}(?:上限|限额)|"
                        r"\b(?:maximum|minimum|at most|at least|limit|limits|cap)\b"),
}

_STATES: dict[str, re.Pattern[str]] = {
    "duration": re.compile(
        rf"{_NUM}\s*个?\s*(?:工作日|自然日|天|日|小时|分钟|周|星期|月|年)|\d+\s*号|\d{{1,2}}:\d{{2}}|每个?月|"
        r"当天|次日|第二天|隔天|实时|即时|立即|"
        r"\b\d+\s*(?:business |working |calendar )?(?:days?|hours?|minutes?|weeks?|months?|years?)\b|"
        r"\bsame day\b|\bnext day\b|\breal[- ]time\b|\bimmediately\b"),
    "frequency": re.compile(rf"每个?{_PERIOD_ZH}|{_NUM}\s*次|\b(?:per|each|every) {_PERIOD_EN}\b|"
                            r"\b(?:daily|weekly|monthly|quarterly|yearly|annually|once|twice)\b|\b\d+ times\b"),
    "money": re.compile(rf"{_NUM}\s*(?:元|块|美元|人民币|欧元)|[¥￥$€]\s*\d|\b\d[\d,.]*\s*(?:rmb|cny|usd|eur|dollars?|yuan)\b|"
                        r"免费|不收费|不收取[^,,。]{0,4}?费|无需?[^,,。]{0,2}?费用|\bfree of charge\b|\bno charge\b|\bfree\b|"
                        r"\bno (?:\w+ )?fees?\b"),
    "rate": re.compile(r"\d\s*%|百分之|\d\s*折|\bpercent\b"),
    "limit": re.compile(rf"(?:最多|最少|至少|至多|上限|下限|不超过|不得超过|最长|最短|最大|最小|限额)[^。;;.]{{0,10}}?{_NUM}|"
                        r"不限|无限制|没有限制|不受限|"
                        r"\b(?:maximum|minimum|at most|at least|up to|no more than)\b[^.;]{0,20}?\d|"
                        r"\bunlimited\b|\bno limit\b"),
}


# Words that only name the kind of answer wanted: when a kind is asked, the passage check decides,
# so they are no topic the corpus must hold ("maximum look-back": the corpus says 最多, not 最大).
KIND_WORDS = frozenset(
    "maximum minimum max min limit limits cap fee fees cost costs price prices charge charges rate rates "
    "percentage percent often frequency 上限 下限 限额 最多 最少 至多 最长 最短 最大 最小 多久 频率 比例 百分比 "
    "费率 价格 价钱 收费 费用".split())


@lru_cache(maxsize=1024)
def asked(question: str) -> frozenset[str]:
    """The kinds of answer a question asks for: duration, frequency, money, rate, limit."""
    text = to_simplified(question).lower()
    yes_no = bool(_YES_NO.search(text))
    kinds = set()
    for kind, pattern in _ASKS.items():
        for match in pattern.finditer(text):
            if yes_no and "几" in match.group(0) and not match.group(0).isascii():
                continue  # "能查几个月吗": a yes/no question, 几 is "some"
            kinds.add(kind)
            break
    return frozenset(kinds)


@lru_cache(maxsize=4096)
def stated(passage: str) -> frozenset[str]:
    """The kinds of answer a passage states."""
    text = to_simplified(passage).lower()
    return frozenset(kind for kind, pattern in _STATES.items() if pattern.search(text))


# A how-to or where question asks for a procedure: the way through the portal. It is answered by the
# sentence naming the menu path ("在顶部导航栏中选择“销售 > 账务 > 资金管理”", "choose Sales > Billing"),
# which the quote then includes. Not a kind of answer that refuses: a rule may answer "how" too.
_ASKS_PROCEDURE = re.compile(r"(?:怎么|怎样|如何)(?!办|算|回事|样|计算)|在哪|哪里|哪儿|入口|步骤|流程|"
                             r"\bhow (?:do|can|should|would|could) (?:i|we|you|one)\b|\bhow to\b|"
                             r"\bwhere (?:do|can|is|are|should)\b|\bsteps?\b")
_MENU_PATH = re.compile(r"[^\s>“”\"]+ > [^\s>“”\"]+")  # the site writes menu paths with spaced ">"


@lru_cache(maxsize=1024)
def asks_procedure(question: str) -> bool:
    """Does the question ask how or where to do something in the portal?"""
    return bool(_ASKS_PROCEDURE.search(to_simplified(question).lower()))


def states_procedure(sentence: str) -> bool:
    """Does the sentence name a menu path (the way to the page)?"""
    return bool(_MENU_PATH.search(sentence))


# What to do about it: a question asking for an action (怎么办, 如何处理, "what now?", "how do we fix it?") is
# answered by a passage advising one - a directive or advice sentence (请…, 建议…, 需…, 可…联系/处理,
# "please", "contact"), the closed class of Chinese advice markers and their English forms.
_ASKS_ACTION = re.compile(r"怎么办|咋办|咋整|怎么处理|如何处理|怎样处理|该如何|怎么解决|如何解决|怎么弄|怎么搞|"
                          r"\bwhat now\b|\bwhat (?:do|should|can|shall) (?:i|we|they) do\b|"
                          r"\bhow (?:do|should|can|would) (?:i|we|they) (?:fix|handle|solve|resolve|deal with|sort)\b|"
                          r"\bwhat(?:'s| is) the fix\b|\bnext steps?\b")
_STATES_ACTION = re.compile(r"请(?!求)|建议|(?<![如按无所])需(?!求)|应(?:当|该)|"
                            r"可(?:以)?(?:及时)?(?:联系|咨询|提交|申请|处理|重新)|"
                            r"\bplease\b|\bcontact\b|\bshould\b")


@lru_cache(maxsize=1024)
def asks_action(question: str) -> bool:
    """Does the question ask what to do (怎么办, what now)?"""
    return bool(_ASKS_ACTION.search(to_simplified(question).lower()))


def action_phrases(question: str) -> tuple[str, ...]:
    """The wording that asks what to do ("how do we fix", 怎么处理): the ask's form, not a topic the passage
    must hold."""
    return tuple(m.group(0) for m in _ASKS_ACTION.finditer(to_simplified(question).lower()))


def states_action(passage: str) -> bool:
    """Does the passage advise an action (a directive or advice sentence)?"""
    return bool(_STATES_ACTION.search(to_simplified(passage).lower()))


def unanswered(question: str, passage: str) -> frozenset[str]:
    """Kinds the question asks for that the passage does not state."""
    kinds = asked(question)
    return kinds - stated(passage) if kinds else kinds
