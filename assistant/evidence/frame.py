"""What a question asks (its frame), and whether a sentence states an answer of that kind about it.

The failing must-abstain questions name a topic the index covers and ask something no excerpt states
("结算单能导出成Excel吗", "who pays for the trial", "几天内回访"): a passage on the topic shares most of the
question's words, so coverage and similarity call it supported. What the question *asks* sits in the
clause holding its interrogative: the predicate asked about (导出, 承担, 回访) and the kind of answer the
interrogative wants (a yes/no, an amount, a time, a person, a place, one of two alternatives). A sentence
answers that frame when it holds the asked clause's words *and* content of the asked kind (a number for
多少, a modal or polarity for 能…吗, an agent for 谁); a passage whose best-aligned sentence lacks the kind,
or whose kind-stating sentences are about another predicate, states the topic, not the answer.

Only closed grammatical classes are listed here: interrogatives, modal and polarity words, agent markers,
the site's menu-path sign. The words of the asked clause are weighed by their IDF on the index
(``calibration.word_weights``) and aligned softly (``alignment.match``), so nothing depends on a domain
word list or on the corpus size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.lexical import BM25Index, CompiledLexicon, pos_tagged, segmenter, to_simplified, tokenize

from .alignment import match
from .answer_types import _NUM
from .calibration import word_weights

Asks = str  # "yes_no" | "amount" | "time" | "person" | "place" | "choice" | "reason" | "manner" | "which" | "none"

# Interrogatives by the kind of answer they ask for, most specific first (a clause takes the first kind
# found). Chinese 几 before a period noun asks a time; 多少/几 otherwise an amount.
_ASKS_ZH: tuple[tuple[str, str], ...] = (
    ("reason", r"为什么|为何|怎么会|什么原因"),
    ("person", r"谁|哪位|什么人"),
    ("place", r"哪里|哪儿|在哪|何处|什么地方"),
    ("time", r"什么时候|何时|几点|几号|哪天|多久|多长时间|(?:多少|几)个?(?:天|小时|分钟|月|年|周|星期|工作日|自然日)"),
    ("amount", r"多少|几|多大|多高|多长|多重"),
    ("choice", r"还是"),
    ("manner", r"怎么|怎样|如何|咋"),
    ("which", r"什么|啥|哪"),
    ("yes_no", r"吗|么|是否|能否|可否|是不是|有没有|能不能|可不可以|会不会|要不要|需不需要|算不算|用不用|行不行"),
)
_ASKS_EN: tuple[tuple[str, str], ...] = (
    ("reason", r"\bwhy\b"),
    ("person", r"\bwho\b|\bwhom\b|\bwhose\b"),
    ("place", r"\bwhere\b"),
    ("time", r"\bwhen\b|\bhow (?:long|soon|often|far back)\b|\bwhat time\b|\bhow many (?:days|hours|minutes|weeks|months|years)\b"),
    ("amount", r"\bhow (?:many|much|big|large|high)\b"),
    ("manner", r"\bhow\b"),
    ("which", r"\bwhat\b|\bwhich\b"),
    ("yes_no", r"^(?:(?:is|are) there|is|are|was|were|can|could|do|does|did|will|would|should|may|must|has|have|am)\b"),
    ("choice", r"\bor\b"),
)
_ZH_PATTERNS = tuple((kind, re.compile(p)) for kind, p in _ASKS_ZH)
_EN_PATTERNS = tuple((kind, re.compile(p)) for kind, p in _ASKS_EN)
_CLAUSE = re.compile(r"[,,;;。??!!]+|(?<=[a-z0-9])\.\s")

# What a sentence must hold to answer each kind (closed classes: numerals and units, modal and polarity
# words, agent markers, the site's menu-path sign). "which", "manner" and "none" accept any statement.
_MODAL_ZH = r"可以|可|能|不能|无法|不得|不允许|允许|须|需|必须|无需|不需|只能|仅|只|支持|不支持|会|不会|不予|均|即可|不|没有|无|应"
_MODAL_EN = r"\b(?:can|cannot|can't|may|must|should|need|needs|only|not|no|never|allowed|required|requires|is|are|will|won't)\b"
_STATES: dict[str, re.Pattern[str]] = {
    "amount": re.compile(rf"{_NUM}|\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|unlimited|no limit)\b"),
    "time": re.compile(rf"{_NUM}\s*个?\s*(?:工作日|自然日|天|日|小时|分钟|秒|周|星期|月|年|号|点)|\d{{1,2}}:\d{{2}}|当天|次日|立即|"
                       r"实时|即时|\b\d+\s*(?:business |working |calendar )?(?:days?|hours?|minutes?|seconds?|weeks?|months?|"
                       r"years?)\b|\b(?:immediately|same day|next day|real[- ]time|daily|weekly|monthly|quarterly|yearly)\b"),
    "person": re.compile(r"由|负责|审核|审批|管理员|经理|团队|主管|\bby\b|\b(?:manager|administrator|team|committee|partner|huawei)\b"),
    "place": re.compile(r" > |页面|页签|菜单|导航|区域|城市|\b(?:page|tab|menu|region|city|site)\b"),
    "reason": re.compile(r"因为|由于|原因|所以|因此|导致|为了|\bbecause\b|\bdue to\b|\bso that\b|\breason\b"),
    "yes_no": re.compile(rf"{_MODAL_ZH}|{_MODAL_EN}"),
}


@dataclass(frozen=True)
class Frame:
    """The question's asked kind and the words of the clause(s) holding its interrogative, weighed."""

    asks: Asks
    words: dict[str, float]   # the asked clause's content words with their weight on this index
    others: dict[str, float]  # the question's other content words (its context: the topic, a condition)


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if c.strip()]


def _patterns(clause: str):
    return _EN_PATTERNS if clause.isascii() else _ZH_PATTERNS


def _kind(clause: str) -> str | None:
    for kind, pattern in _patterns(clause):
        if pattern.search(clause):
            return kind
    return None


def _without_interrogatives(clause: str) -> str:
    """The clause with its interrogatives blanked: 几天, how long and is there are the frame, not what is asked about."""
    for _, pattern in _patterns(clause):
        clause = pattern.sub(" ", clause)
    return clause


def read_frame(question: str, query_tokens: list[str], bm25: BM25Index, lexicon: CompiledLexicon | None = None,
               understood: tuple[str, ...] = ()) -> Frame:
    """The frame of ``question``: the first asking clause's kind, and which of the question's weighed
    words that clause holds (all of them when no clause asks: a declarative question asks about itself)."""
    text = to_simplified(question).lower()
    weights = word_weights(query_tokens, bm25, understood)
    clauses = _clauses(text)
    asking = [(c, k) for c in clauses if (k := _kind(c))]
    if not asking:
        return Frame("none", weights, {})
    asks = asking[0][1]
    held = set()
    for clause, _ in asking:
        held.update(tokenize(_without_interrogatives(clause), lexicon))
    words = {w: v for w, v in weights.items() if w in held}
    if not words:  # the asking clause is all frame (有什么办法吗): the question's words are what it asks about
        return Frame(asks, weights, {})
    return Frame(asks, words, {w: v for w, v in weights.items() if w not in held})


def states_kind(asks: Asks, sentence: str) -> bool:
    """Does ``sentence`` hold content of the asked kind (any statement answers which/how/none)?"""
    pattern = _STATES.get(asks)
    return True if pattern is None else bool(pattern.search(to_simplified(sentence).lower()))


@lru_cache(maxsize=8192)
def _sentence_tokens(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def aligned_share(words: dict[str, float], sentence: str, tokens: frozenset[str] | None = None) -> float:
    """IDF-weighted soft share of ``words`` present in ``sentence`` (0..1)."""
    total = sum(words.values())
    if total <= 0:
        return 0.0
    text = to_simplified(sentence).lower()
    tokens = _sentence_tokens(sentence) if tokens is None else tokens
    return sum(w * match(word, tokens, text) for word, w in words.items()) / total


def answer_score(frame: Frame, sentence: str) -> float:
    """How well one sentence answers the frame: the asked clause's words aligned in it, halved when it
    holds no content of the asked kind."""
    share = aligned_share(frame.words, sentence)
    return share if states_kind(frame.asks, sentence) else 0.5 * share


# Modal and auxiliary verbs (a closed class): they frame the asked action, they are not it.
_MODAL_VERBS = frozenset("能够 可以 需要 应该 必须 可能 才能 愿意 应当".split())
GENERIC_FREQ = 5000  # jieba dictionary frequency above which a verb is general language (发现, 处理, 出现)


def _cjk(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


def absent_predicate(question: str, passage_tokens: frozenset[str], passage_text: str, bm25: BM25Index) -> str | None:
    """A verb of the question's asking clause that the index uses but this passage does not: the action the
    question asks about is stated nowhere in the passage on its topic ("结算单能导出成Excel吗" against the
    settlement passage, which never says 导出; "给他放行吗" against the login-alert rules).

    Verbs are read by jieba's part of speech in the asking clause with its interrogatives blanked; modal
    verbs and general language (very frequent in jieba's dictionary) are no asked action; a verb the index
    never uses is the vocabulary signals' business. Alignment is soft (``alignment.match``), so 撤销 is
    found in 撤销申请 and a variant by its characters. Chinese questions over Chinese passages only (the
    caller passes English passages by): English has no part-of-speech reading here (its verbs still count
    through ``support.absent_action`` when the lexicon folds them), and words do not align across languages."""
    text = to_simplified(question).lower()
    # the question's own tagging (``support.absent_action`` reads the same, cached), kept where a clause asks
    # and outside its interrogatives: one part-of-speech pass per question
    spans = [m.span() for m in re.finditer(r"[^,,;;。??!!]+", text)]
    asking = [(a, b) for a, b in spans if _kind(text[a:b].strip())] or spans[-1:]
    blanked = {(m.start() + a, m.end() + a) for a, b in asking for _, pattern in _patterns(text[a:b].strip())
               for m in pattern.finditer(text[a:b])}
    passage_text = to_simplified(passage_text).lower()
    frequencies = segmenter().FREQ
    tagged, position = [], 0
    for word, flag in pos_tagged(text):
        start = text.find(word, position)
        start = position if start < 0 else start
        position = start + len(word)
        if word.strip():
            tagged.append((word, flag, start, position))
    for i, (word, flag, start, end) in enumerate(tagged):
        if not any(a <= start and end <= b for a, b in asking) or any(s < end and start < e for s, e in blanked):
            continue
        # a verb, not its nominal use (vn: 的消费, 审核结果): the asked action, not a thing named
        if not flag.startswith("v") or flag == "vn" or len(word) < 2 or not _cjk(word) or word in _MODAL_VERBS:
            continue
        if i + 1 < len(tagged) and tagged[i + 1][0] == "的":
            continue  # 对应的商品账单: a verb before 的 modifies a noun, it is not the asked action
        if (frequencies.get(word) or 0) >= GENERIC_FREQ:
            continue
        terms = [t for t in tokenize(word) if len(t) >= 2] or [word]
        if not all(bm25.vocabulary_has(t) for t in terms):
            continue
        if max(match(t, passage_tokens, passage_text) for t in terms) < 0.5:
            return word
    return None
