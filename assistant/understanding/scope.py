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


# Who owns a noun, from possessive structure (issue 11, ownership). The owner is whatever noun phrase the
# possessive structure names - 同事 / 组长 / 小王 / 区域总监 / "my team lead" / "Maria" / "the intern" - and it
# is the speaker when it is a personal pronoun (a closed class: the first person, and the third person that
# points back at the question's subject - "a salesperson ... their customers"), or when it repeats the noun
# the message already made its subject (业务员能看业务员名下…) with no determiner of otherness before it
# (别的业务员, another salesperson: a second referent). Any other noun is a third party: nothing lists who.
_PERSONAL_ZH = re.compile(r"^(?:我们?|咱们?|自己|本人|他们?|她们?|其)$")
_PERSONAL_EN = re.compile(r"^(?:i|me|my|mine|myself|we|us|our|ours|ourselves|own|they|them|their|theirs|themselves|"
                          r"he|him|his|himself|she|her|hers|herself)$")
# Determiners of otherness (a closed class, like the quantity determiners of ``determiners``): they make the
# noun after them a referent other than the one already spoken of.
OTHERNESS_ZH = r"(?:别的|其他的?|其它的?|另一个?|另外的?|另|别家的?)"
OTHERNESS_EN = r"(?:another|other|a different|different|some other|a second)"
_OTHER_BEFORE = re.compile(rf"(?:{OTHERNESS_ZH}|(?<![a-z]){OTHERNESS_EN})\s*$")
# Chinese possessive structures before the head: X的H, X名下(的)H, X H (的 dropped: 同事客户), X V的H (the
# agent of a relative clause: 实习生跟的客户, 我带的客户); after it: H是X的 / H在X名下 / H归X(管) / H属于X.
_ZH_AFTER = re.compile(r"^\s*(?:是|在|归|属于|算)\s*(?P<np>.{1,12}?)\s*(?:(?P<rel>的)(?![\u4e00-\u9fff]{0,2}(?:订单|单))|名下|管|$|[,,。;;!?!?])")
_FUNCTION_ZH = re.compile(r"^(?:的|了|是|在|这|那|这个|那个|这些|那些|该|此|个|能|可以|会|要|想|看|查|看到|查看|"
                          r"能不能|可不可以|有|没有|不|没|都|也|还|就|吗|呢|把|被|给|对|向|跟|和|与|或)$")
_EN_NP_STOP = re.compile(r"^(?:in|on|at|from|with|who|that|which|and|or|but|so|for|can|could|is|are|was|were|"
                         r"not|name|names|account|accounts|side|team|portfolio)$")
_TIME_WORD_EN = re.compile(r"^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|yesterday|"
                           r"jan\w*|feb\w*|mar\w*|apr\w*|may|june?|july?|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|"
                           r"week|month|year|quarter|\d+\w*)$")


@dataclass(frozen=True)
class Owner:
    speaker: bool   # the speaker (or the subject already spoken of) owns the noun; False: a third party
    at: int         # where the owner is written (for the polarity of its clause)
    word: str


def _zh_owner(text: str, stretch_start: int, stretch_end: int, kind: str) -> tuple[str, int] | None:
    """The owning noun at the end of ``text[stretch_start:stretch_end]`` (jieba's words, read backwards).
    ``kind``: "bare" (X客户, 的 dropped: X must be a noun or a pronoun, never a verb's object 跑客户),
    "named" (X名下: the nearest content word), "of" (X的H: the nearest content word, or, when a verb stands
    right before 的, the agent of that relative clause - 实习生跟的客户, 我当初亲手报上去的)."""
    from knowledge.lexical import pos_tagged

    words, at = [], stretch_start
    for word, flag in pos_tagged(text[stretch_start:stretch_end]):
        words.append((word, flag, at))
        at += len(word)
    words = [w for w in words if w[0].strip() and w[1] != "x"]
    if kind in ("of", "named") and words and words[-1][0] == "的":  # X的H, X的名下
        words = words[:-1]
    if kind == "of":
        # an English word inside Chinese (客户是他自己 register 的) is a verb of the relative clause unless
        # CC-CEDICT translates it to a noun for a person (我 manager 的客户: a manager's)
        from .bilingual import person_nouns, translations

        words = [(w, "v" if f == "eng" and not person_nouns() & translations(w) else f, a) for w, f, a in words]
    relative = kind == "of" and bool(words) and words[-1][1][:1] in ("v", "p") and len(words) > 1
    for word, flag, at in reversed(words):
        if _PERSONAL_ZH.match(word) or word in ("别人", "他人", "人家", "旁人"):
            return word, at
        if relative and flag[:1] in ("v", "p", "d", "t", "f", "u") and word not in ("是", "在"):
            continue  # the relative clause's verb, adverbs, time words: its agent is before them
        if kind == "bare" and not _person(word, flag):
            return None  # 重点客户, 企业客户: an attribute, not an owner (Chinese drops 的 after persons only)
        if flag != "eng" and (_FUNCTION_ZH.match(word) or flag[:1] in tuple("ucydrmwe")):
            return None
        return word, at  # a content word: a noun, a name, a group (jieba tags some role nouns as verbs: 组长)
    return None


# Agentive suffixes of Chinese person nouns (a closed morphological class): 业务员, 组长, 实习生, 作者, 律师.
_AGENTIVE = re.compile(r"[员长生者师人家手工]$")


def _person(word: str, flag: str) -> bool:
    """Does ``word`` name a person: a proper name, a noun CC-CEDICT counts with the person classifiers, a noun
    with an agentive suffix, or an English word CC-CEDICT translates to one of those?"""
    from .bilingual import person_nouns, translations

    if flag == "eng":
        return bool(person_nouns() & translations(word))
    return flag == "nr" or word in person_nouns() or bool(_AGENTIVE.search(word))


def _judge(text: str, word: str, at: int, phrase: str | None = None) -> Owner:
    """``phrase``: the owner's whole noun phrase (channel manager), compared with what was said before."""
    if _PERSONAL_ZH.match(word) or _PERSONAL_EN.match(word.lower()):
        return Owner(True, at, word)
    if _OTHER_BEFORE.search(text[max(0, at - 12):at]):
        return Owner(False, at, word)
    # the noun the message already made its subject (业务员…业务员名下; a salesperson ... the salesperson's name)
    said = (phrase or word).lower()
    earlier = text.lower().find(said)
    if earlier >= 0 and re.match(r"[a-z]", said) and re.search(r"[a-z]$", text[:earlier].lower()):
        earlier = -1  # part of a longer English word or phrase
    before = text.lower()[max(0, earlier - 12):earlier]
    shared = 0 <= earlier < at - (len(said) - len(word)) and not _OTHER_BEFORE.search(before)
    if shared and re.match(r"[a-z]", said) and re.search(r"[a-z]+\s+$", before) and \
            not re.search(r"\b(?:a|an|the|as|i'm|am|is|are)\s+$", before):
        shared = False  # "account manager" is not "channel manager"
    return Owner(shared, at, word)


def owner_of(text: str, head_zh: str, head_en: str) -> Owner | None:
    """Who owns the noun ``head_zh`` / ``head_en`` (a regex of its English forms) in ``text``: the first
    possessive structure found, with the owner judged as above. None when no structure names an owner."""
    from .bilingual import person_nouns

    low = text.lower()
    found: list[Owner] = []
    # Chinese: X的H / X名下(的)H / X H / X V的H, and 名下 with the head elsewhere (不在我名下, 客户是组长名下的)
    for m in re.finditer(rf"(名下)|(的)?\s*{head_zh}", low):
        if m.group(1) is None and low[max(0, m.start() - 2):m.start()] == "名下":
            continue  # 名下客户: read at 名下
        start = max((s for s, e in clauses(low) if s <= m.start()), default=0)
        if m.group(1) is None and any(low[m.end():m.end() + n] in person_nouns() for n in (1, 2, 3)):
            continue  # 客户经理: the head names a person of its own (a compound), not the customer
        kind = "named" if m.group(1) else "of" if m.group(2) else "bare"
        owner = _zh_owner(low, start, m.start(), kind)
        if owner is None and m.group(1) is None:
            after = _ZH_AFTER.match(low[m.end():m.end() + 24])
            if after:
                np_start = m.end() + after.start("np")
                owner = _zh_owner(low, np_start, np_start + len(after.group("np")) + (1 if after.group("rel") else 0),
                                  "of" if after.group("rel") else "named")
        if owner is not None and owner[0] != head_zh:
            found.append(_judge(low, *owner))
    # English: X's H, a possessive determiner before H, and H ... by / to / of / under X (a person or a name)
    for m in re.finditer(rf"\b([a-z]+)(?:'s|s')\s+(?:own\s+)?(?:[a-z-]+\s+){{0,2}}?(?:{head_en})\b", low):
        found.append(_judge(low, m.group(1), m.start(1)))
    # (a plain "our customer" is how partners name any customer of theirs, not a statement about whose name it
    # is under; "my own" / "their own" is)
    for m in re.finditer(rf"\b(my|our|their|his|her)\s+own\s+(?:[a-z-]+\s+){{0,2}}?(?:{head_en})\b", low):
        found.append(_judge(low, m.group(1), m.start(1)))
    # a reduced relative clause: "a customer (that) another colleague registered", "the client my boss brought in"
    for m in re.finditer(rf"\b(?:{head_en})\s+(?:that\s+|whom?\s+|which\s+)?((?:(?:the|a|an|my|our|their|his|her|"
                         rf"another|other|some)\s+)*)([a-z]+(?:\s+[a-z]+)?)\s+(?:has\s+|had\s+|have\s+)?"
                         rf"(?:[a-z]+ed|brought|got|won|found|took|made|signed|set up)\b", low):
        words = m.group(2).split()
        if any(_EN_NP_STOP.match(w) or w in ("is", "was", "has", "had", "i'm", "it") for w in words):
            continue
        head = words[-1]
        at = m.start(2) + m.group(2).rfind(head)
        found.append(Owner(False, at, head) if _OTHER_BEFORE.search(m.group(1)) else
                     _judge(low, head, at, " ".join(words)))
    for m in re.finditer(rf"\b(?:{head_en})\b", low):
        end = next((e for s, e in clauses(low) if s <= m.start() < e), len(low))
        prep = re.compile(r"\b(?:by|to|of|under)\s+((?:(?:the|a|an|one|some|my|our|their|his|her|another|other|"
                          r"different)\s+)*)([a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){0,2})")
        for p in prep.finditer(low, m.end(), end):
            words = p.group(2).split()
            kept = []
            for w in words:
                if _EN_NP_STOP.match(w):
                    break
                kept.append(w)
            if not kept:
                if re.search(r"\b(my|our|their|his|her)\b", p.group(1)):  # under my name
                    det = re.search(r"\b(my|our|their|his|her)\b", p.group(1))
                    found.append(_judge(low, det.group(1), p.start(1) + det.start(1)))
                    break
                continue
            possessive = next((w for w in kept if w.endswith(("'s", "s'"))), None)
            head = (possessive[:-2] if possessive else kept[-1])
            if _TIME_WORD_EN.match(head):
                continue
            at = p.start(2) + p.group(2).find(head)
            phrase = " ".join(kept[:kept.index(possessive) + 1] if possessive else kept).removesuffix("'s")
            found.append(_judge(low, head, at, phrase) if not _OTHER_BEFORE.search(p.group(1)) else Owner(False, at, head))
            break
    return min(found, key=lambda o: o.at) if found else None


# The entity whose owner the tools ask about, in Chinese and English (the caller's head noun, as in
# ``determiners``): a customer.
CUSTOMER_ZH, CUSTOMER_EN = "客户", r"customers?|clients?"


def owned_by_speaker(text: str, head_zh: str = CUSTOMER_ZH, head_en: str = CUSTOMER_EN,
                     elliptical: bool = False) -> bool | None:
    """Is the noun the speaker's own (True), a third party's (False), or not said (None)? The owner's
    polarity counts: an owner denied (不在我名下, "not under my name", 不是同事的) is the other side; an owner
    under a negated verb of knowing gives no reading. ``elliptical``: a clause with no head of its own may
    continue the one before it ("... not to me but to a colleague"): the head is read as implied before it."""
    owner = owner_of(text, head_zh, head_en)
    if owner is None and elliptical and not re.search(rf"{head_zh}|\b(?:{head_en})\b", text, re.I):
        implied = head_en.split("?")[0].split("|")[0] + " " if re.match(r"\s*[a-z]", text, re.I) else head_zh
        owner = owner_of(implied + text, head_zh, head_en)
        text = implied + text
    if owner is None:
        return None
    said = polarity_of(text, owner.at)
    if said == "unknown":
        return None
    return owner.speaker if said == "said" else not owner.speaker


# An ability or an attempt denied (the partner is blocked): a potential complement (看不到, 提交不上去, 登不进),
# a negated modal of ability (不能 / 没法 / 无法 / cannot / can't / couldn't / unable / not able) - closed
# grammatical classes, read with the negation scope above (A-not-A questions and fixed words are no negation).
_ABILITY_AFTER_ZH = re.compile(r"\s*(?:能|可以|会)")
_ABILITY_BEFORE_EN = re.compile(r"\b(?:can|could|be|am|is|are|was|were)\s*$", re.I)


def blocked(text: str) -> bool:
    """Does ``text`` say that something cannot be done or did not get done by trying (看不到, 提交不上去,
    "I'm unable to register", "we can't see the orders")?"""
    low = text.lower()
    for n in negations(low):
        if n.unknown or n.at < 0:
            continue
        said = n.negator.lower()
        if said in ("无法", "unable", "cannot") or said.startswith("n't") and re.search(r"\b(?:ca|can|could)$", low[:n.at]):
            return True
        if said in ("不", "没", "没有") and _ABILITY_AFTER_ZH.match(low, n.at + len(said)):
            return True  # 不能 / 没法 isn't split this way; 不能看
        if said == "not" and (_ABILITY_BEFORE_EN.search(low[:n.at]) and re.match(r"\s+able\b", low[n.at + 3:])):
            return True  # "is not able to"
        if len(said) == 3 and re.match(r"[\u4e00-\u9fff][不没]", said) and n.start < n.at:
            return True  # a potential complement (看不到): its reach-back start precedes the negator
    return bool(re.search(r"没法|没办法|没辙", low))
