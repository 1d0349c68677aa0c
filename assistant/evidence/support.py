"""Support signals that are not scores: refusals by kind of message, and the absent asked action.

What remains of the word-level checks once answerability became a calibrated model
(``calibration.py``): the vocabulary veto ("words the corpus never uses") is retired, since it stops
vetoing as the vocabulary grows and vetoes everyday words it has not seen; coverage of the question's
words *in the best passage* replaces it. Kept here:

- instructions aimed at the assistant (prompt injection) and requests to write, translate or
  summarise (tasks) are refused whatever the index holds (``assistant.understanding.messages``);
- an absent action: a corpus verb the question asks whether or how to do that the best passage never
  uses ("客户订单可以帮客户取消吗": 撤销 is corpus language, but not of the order rules) - a feature of
  the calibrated model, not a veto.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.lexical import BM25Index, pos_tagged, segmenter, to_simplified, tokenize

COMMON_TERM_SHARE = 0.5   # a known term in more than this share of chunks is too common to count
GENERIC_FREQ = 5000        # jieba dictionary frequency above which a word is too generic to matter

_ASK_ACTION_ZH = r"(?:怎么|怎样|如何|能否|能不能|可不可以|可以|能)(?:才能|才|去|来)?(?:申请|办理|进行|发起|提交|做)?"
_ASK_ACTION_EN = (r"\b(?:how (?:do|can|could|should|would) (?:i|we|you|one)|how to|(?:can|could|may) (?:i|we)|"
                  r"is it possible to) (?:apply for |request |get |make )?")
_ASKED_VERB_EN = re.compile(rf"{_ASK_ACTION_EN}([a-z]+)|"
                            r"\b(?:can|could|may|will|should|is|are)\b(?:\W+\w+){1,4}?\W+be ([a-z]+)")


@dataclass(frozen=True)
class SupportPolicy:
    """Overrides for the evidence stage, so a deployment or a test can change the operating point.

    ``threshold``: the support probability at which a question counts as supported; None uses the
    operating point calibrated for the index."""

    threshold: float | None = None


DEFAULT_POLICY = SupportPolicy()



def _is_cjk(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _specific(term: str, bm25: BM25Index) -> bool:
    """Terms in most of the corpus (伙伴, 客户) say nothing about which topic is asked."""
    return bm25.document_frequency(term) <= COMMON_TERM_SHARE * bm25.n_docs


@lru_cache(maxsize=4096)
def _passage_tokens(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


# What asks for an action, ending where the action's verb starts (可以把商机分给, 可以帮客户取消, 可以按产品筛选:
# the verb after its object or means). Compiled once and tried at each place the verb occurs, instead of one
# pattern per verb: every question brought new verbs, and compiling each pattern (about 0.35 ms) was a
# visible part of the evidence stage's cost.
_ASKS_BEFORE_VERB = re.compile(rf"{_ASK_ACTION_ZH}(?:把.{{1,8}}?)?(?:(?:帮|给|替|为)\S{{1,4}}?)?"
                               rf"(?:(?:按|用|通过|在|从|对|向|跟)\S{{1,6}}?)?\Z")


def _asked_to_do(text: str, word: str) -> bool:
    """Does ``text`` ask how or whether to do ``word`` (the asking words right before one of its occurrences)?"""
    at = text.find(word)
    while at >= 0:
        if _ASKS_BEFORE_VERB.search(text, 0, at):
            return True
        at = text.find(word, at + 1)
    return False


def absent_action(question: str, passage: str, bm25: BM25Index) -> str | None:
    """A corpus verb the question asks whether or how to do, which the passage never uses.

    English verbs count only when the lexicon folds them onto a specific corpus term (cancel -> 撤销)."""
    text = to_simplified(question).lower()
    here = _passage_tokens(passage)
    frequencies = segmenter().FREQ
    for word, flag in pos_tagged(text):
        if len(word) < 2 or not _is_cjk(word) or not flag.startswith("v"):
            continue
        if (frequencies.get(word) or 0) >= GENERIC_FREQ:
            continue  # 能够, 知道: grammar, not an action
        # 可以把商机分给, 可以帮客户取消, 可以按产品筛选: the verb after its object or means
        if not _asked_to_do(text, word):
            continue
        terms = [t for t in tokenize(word) if len(t) >= 2]
        if terms and all(bm25.vocabulary_has(t) for t in terms) and not any(t in here for t in terms):
            return word
    for match in _ASKED_VERB_EN.finditer(text):  # "can I cancel", "can a joint project be cancelled"
        word = match.group(1) or match.group(2)
        terms = [t for t in tokenize(word) if _has_cjk(t)]
        if terms and all(bm25.vocabulary_has(t) and _specific(t, bm25) for t in terms) \
                and not any(t in here for t in terms):
            return word
    return None


def _noun(flag: str) -> bool:
    return flag.startswith("n") or flag == "vn"


def _modified_heads(tagged) -> list[tuple[str, str, str]]:
    """(modifier, head, the modifier's tag) noun pairs as written: 商品账单, 云硬盘的账单 (one 的 between them at most)."""
    words = [(w, f) for w, f in tagged if w.strip()]
    pairs = []
    for i, (head, flag) in enumerate(words):
        if not _noun(flag) or len(head) < 2 or not _is_cjk(head):
            continue
        j = i - 1
        if j >= 0 and words[j][0] == "的":
            j -= 1
        # the modifier is a noun itself (对应的商品, 运营主管: a verb's noun use is no kind of thing)
        if j >= 0 and words[j][1].startswith("n") and len(words[j][0]) >= 2 and _is_cjk(words[j][0]):
            pairs.append((words[j][0], head, words[j][1]))
    return pairs


def other_modifier(question: str, passage: str, understood: tuple[str, ...] = ()) -> str | None:
    """The question's modifier of a head noun when the passage speaks of that head only under other
    modifiers: asked about 云硬盘的账单 or 商品账单, the passage names 伙伴账单 and never 硬盘 or 商品.

    Synonym folds keep a bare head apart from its compounds (``knowledge.lexical.part_of_another``), so
    a 账单 question meets every passage about some bill; this is where the question's modifier decides.
    A passage that uses the modifier anywhere, or the head only bare, is no conflict; the compounds are
    read from the passage's own words (jieba with the lexicon's terms), not from a list. A place or a
    person (东京时间 beside 北京时间: a time zone to convert to) and the spans the understanding stage
    already read as details (``understood``) modify nothing the passage must name."""
    text = to_simplified(passage)
    for modifier, head, flag in _modified_heads(pos_tagged(to_simplified(question))):
        if modifier in text or head not in text or flag in ("ns", "nr") or any(modifier in u for u in understood):
            continue
        words = [(w, f) for w, f in pos_tagged(text) if w.strip()]
        # the passage's own compound names ending in the head (伙伴账单): one word to the segmenter, so a
        # term of the corpus, not a phrase that happens to put a noun before it
        others = {w[:-len(head)] for w, _ in words if w.endswith(head) and len(w) > len(head)}
        if others - {modifier}:
            return modifier
    return None
