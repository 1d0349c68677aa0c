"""The role a thing plays in the clause that names it: the means of a deed, or the object a verb acts on.

"paid 800 via the prepaid card" / 通过储值卡支付 / 从储值卡扣了500 use the card as the *means* (a preposition of
means or source governs it); "bought a prepaid card" / 退了储值卡 / 把储值卡转给了子公司 / "the card was refunded" /
"a refund of the card" make it the *object* of a verb, and the verb says what happened to it. Read from grammar,
not phrasings:

- Chinese: jieba's part-of-speech tags. A preposition before the noun (用, 通过, 从 ... any ``p`` but the markers
  of a fronted object 把 / 将 and of the passive 被) marks the means; the nearest verb before it, with numerals,
  classifiers, 的 and aspect particles between, is the verb acting on it; with 把 / 将 / 被, or the noun opening
  its clause, the verb right after it (被 with its agent between) is.
- English: the word before the noun phrase (determiners, possessives and numbers skipped) is a preposition of
  means, the verb acting on it, or a function word (no role); "<event> of the card" names the event; a
  participle after the noun ("the card was refunded", "their card refunded") is a passive. A word is a verb
  when it has a past-participle ending or most of the Chinese words CC-CEDICT gives for it are verbs (jieba's
  tags again), so "customer prepaid card" has no verb and "refund of a prepaid card" has one.

The caller decides what each verb means for its tool; a verb it does not know is a deed its rule may not cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .scope import CLAUSE


@dataclass(frozen=True)
class Role:
    relation: Literal["means", "object"]
    word: str   # the preposition (means) or the verb (object), as written, lower-case
    verb: bool = True  # the word is a verb (an English word before the noun may be another modifier: "top" up)


# Closed grammatical classes.
_ZH_FRONTED = {"把", "将"}
_ZH_PASSIVE = {"被", "让", "给"}
_ZH_SKIP = ("m", "q", "uj", "ul", "ug", "uz", "r", "d", "mq")  # numerals, classifiers, 的 / 了 / 过, 这张, adverbs
_ZH_COPULA = {"是", "就是", "都是", "也是"}
_ZH_HAVE = {"有", "拥有", "持有", "没有"}  # having a card is no deed done to it
_ZH_NOT_MEANS = _ZH_FRONTED | _ZH_PASSIVE | {"对", "关于", "对于", "跟", "和", "与", "同", "在", "为", "向"}
_EN_MEANS = {"via", "with", "using", "through", "thru", "by", "from", "out"}
_EN_SKIP = {"a", "an", "the", "my", "our", "their", "his", "her", "its", "your", "this", "that", "these", "those",
            "one", "same", "new", "whole", "entire", "customer's", "client's", "partner's", "up"}
_EN_BE = {"is", "are", "was", "were", "be", "been", "being", "got", "gets", "get", "getting", "has", "have", "had"}
# function words and verbs of having or being: no deed is done to the thing (a prepaid card I *have*)
_EN_FUNCTION = {
    "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "can", "could", "will", "would",
    "shall", "should", "may", "might", "must", "has", "have", "had", "having", "hold", "holds", "held", "own", "owns",
    "owned", "keep", "keeps", "kept", "get", "gets", "got", "about", "for", "on", "in", "at", "to", "into", "onto",
    "as", "than", "and", "or", "but", "if", "whether", "what", "which", "how", "when", "why", "where", "who", "i",
    "we", "they", "he", "she", "it", "you", "them", "regarding", "per", "without", "under", "over", "like", "any",
    "some", "no", "not", "also", "then", "so", "there", "here", "every", "each", "all", "both", "either", "count",
    "counts", "toward", "towards", "against", "after", "before", "since", "until", "during", "such", "another",
    "other", "via", "off", "do",
}
_WORD = re.compile(r"[a-z][a-z'-]*|\d[\d.,]*|[\u4e00-\u9fff]+")


def roles(text: str, noun: str) -> list[Role]:
    """The role of every mention of ``noun`` (a regex, lower-case text) in the clause that holds it."""
    found: list[Role] = []
    for clause in CLAUSE.split(text.lower()):
        for m in re.finditer(noun, clause):
            role = _chinese(clause, m) if re.search(r"[\u4e00-\u9fff]", m.group(0)) else _english(clause, m)
            if role is not None:
                found.append(role)
    return found


def _chinese(clause: str, m: re.Match[str]) -> Role | None:
    from knowledge.lexical import pos_tagged

    before = [(w, f) for w, f in pos_tagged(clause[:m.start()]) if w.strip()]
    after = [(w, f) for w, f in pos_tagged(clause[m.end():]) if w.strip()]
    fronted = False
    for word, flag in reversed(before):
        if flag.startswith(_ZH_SKIP) and word not in _ZH_FRONTED | _ZH_PASSIVE or word in _ZH_COPULA:
            continue  # 用的是储值卡: the copula points back to the verb before it
        if word in _ZH_HAVE:
            break
        if word in _ZH_FRONTED:
            fronted = True
        elif flag.startswith("p") and word not in _ZH_NOT_MEANS:
            return Role("means", word)
        elif flag.startswith("v"):
            return Role("object", word)
        break
    # the noun heads its verb phrase: at the clause's start, fronted, after 的 or after the subject noun
    opens = not before or fronted or before[-1][0] == "的" or before[-1][1].startswith("n")
    if after and after[0][0] in _ZH_PASSIVE:  # 储值卡被客户退回了: the verb after the agent
        after = after[1:]
        while after and after[0][1].startswith(("n", "r")):
            after = after[1:]
        opens = True
    # 那张储值卡是他之前花2000元买的: the noun heads its clause (or opens it after a demonstrative, a classifier or a
    # number) and a copula's 是…的 tells how it came about - the verb right before the closing 的 acts on it
    heads = all(f.startswith(_ZH_SKIP) for _, f in before)
    if (heads or opens) and len(after) > 2 and after[0][0] in _ZH_COPULA and after[-1][0] == "的" \
            and after[-2][1].startswith("v"):
        return Role("object", after[-2][0])
    if opens and after and after[0][1].startswith("v") and not _asks_about(after):
        return Role("object", after[0][0])
    return None


def _asks_about(after: list[tuple[str, str]]) -> bool:
    """The verb after the noun is the question's own (算不算业绩, 计入业绩吗): it asks about the noun, nothing is done
    to it."""
    verb = after[0][0]
    return bool(re.fullmatch(r"(.)[不没]\1.*", verb)) or (len(after) > 1 and after[1][1].startswith("n")
                                                          and after[1][0] in ("业绩", "绩效"))


def _english(clause: str, m: re.Match[str]) -> Role | None:
    words = _WORD.findall(clause[:m.start()])
    i = len(words) - 1
    while i >= 0:
        if words[i] in _EN_SKIP or words[i].endswith("'s") or words[i][0].isdigit():
            i -= 1
        elif i > 0 and words[i - 1][0].isdigit() and words[i] not in _EN_MEANS | _EN_FUNCTION:
            i -= 2  # a number's unit is part of the noun phrase too ("bought a 3000 yuan card")
        else:
            break
    if i >= 0:
        word = words[i]
        if word in _EN_MEANS:
            return Role("means", word)
        if word == "of" and i > 0:
            event = words[i - 1]
            if event not in _EN_FUNCTION:
                return Role("object", event, _verb_like(event))
        elif word not in _EN_FUNCTION and word != "of":
            return Role("object", word, _verb_like(word))
    rest = _WORD.findall(clause[m.end():])[:3]
    while rest and rest[0] in _EN_BE:
        rest = rest[1:]
    if rest and _participle(rest[0]):
        return Role("object", rest[0])
    return None


def _participle(word: str) -> bool:
    """A past participle: a regular -ed form, or an irregular one CC-CEDICT's reader knows (paid, bought, sold)."""
    from .bilingual import _IRREGULAR

    return bool(re.fullmatch(r"[a-z]{2,}ed", word)) or word in _IRREGULAR


@lru_cache(maxsize=4096)
def _verb_like(word: str) -> bool:
    """An English word that can be a verb: a past participle, or most of its CC-CEDICT translations are verbs."""
    if _participle(word):
        return True
    from knowledge.lexical import pos_tagged

    from .bilingual import translations

    tags = [tagged[0][1] for tagged in (pos_tagged(t) for t in translations(word)) if len(tagged) == 1]
    verbs = sum(1 for t in tags if t.startswith("v"))
    return verbs > 0 and verbs > sum(1 for t in tags if t.startswith("n"))
