"""Sentence-level evidence inside a passage: which sentences hold the question's key terms.

A question's key terms are its tokens that the index uses, weighted by their IDF in that index
(a term in every chunk weighs almost nothing, a rare one a lot), so the measure keeps its meaning
as the corpus grows. A sentence's score is the weighted share of key terms it holds; the quote is
the best sentence, plus the best one stating the asked kind of answer when that is another.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from knowledge import Chunk
from knowledge.chunking import sentence_spans
from knowledge.lexical import BM25Index, tokenize
from tools import RULES

from .answer_types import stated
from .model import Passage, PassageLanguage, Sentence

_QUESTION_END = re.compile(r"[??]\s*$")
_TRAILER = re.compile(r"^\s*父主题\s*[::]")  # the site's "parent topic" line: navigation, not content
_PROCEDURE_MARK = "操作步骤"
SUPPORT_SCORE = 0.5  # a passage supports when one sentence holds at least this share of the key terms


def key_terms(tokens: list[str], bm25: BM25Index) -> dict[str, float]:
    """The question's tokens the index uses, with their IDF; a compound and its parts count once
    (search-mode segmentation emits 客户订单 and 订单): the parts are dropped."""
    known = {t for t in tokens if bm25.vocabulary_has(t)}
    known = {t for t in known if not any(t != other and t in other for other in known)}
    return {t: bm25.idf(t) for t in known}


@lru_cache(maxsize=8192)
def _tokens(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def coverage(text: str, terms: dict[str, float]) -> float:
    """IDF-weighted share of ``terms`` found in ``text`` (0..1). A compound term counts when its
    text appears even if segmentation differs (客户订单 inside 我的客户订单)."""
    total = sum(terms.values())
    if total <= 0:
        return 0.0
    tokens = _tokens(text)
    held = sum(w for t, w in terms.items() if t in tokens)
    return held / total


def language_of(text: str) -> PassageLanguage:
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "en" if han == 0 or latin > 3 * han else "zh"


@lru_cache(maxsize=1)
def _anchors() -> tuple[tuple[str, str], ...]:
    return tuple((rule.id, unicodedata.normalize("NFKC", rule.anchor)) for rule in RULES.values())


@lru_cache(maxsize=8192)
def rules_in(text: str) -> frozenset[str]:
    """Ids of the rules whose anchor phrase ``text`` states."""
    return frozenset(rule_id for rule_id, anchor in _anchors() if anchor in text)


def sentences_of(chunk: Chunk, terms: dict[str, float], scored: bool = True) -> tuple[Sentence, ...]:
    """The chunk's sentences; ``scored=False`` skips the key-term scores (each needs a segmentation),
    for candidates that are only being ranked."""
    out = []
    for start, end in sentence_spans(chunk.text):
        text = chunk.text[start:end]
        if _TRAILER.match(text):
            continue
        question = bool(_QUESTION_END.search(text))
        score = 0.0 if question or not scored else coverage(text, terms)
        out.append(Sentence(text=text, start=start, end=end, score=score,
                            kinds=frozenset() if question else stated(text), question=question))
    return tuple(out)


def choose_quote(sentences: tuple[Sentence, ...], asked: frozenset[str]) -> tuple[int, ...]:
    """The best-scoring statement, plus the best statement of the asked kind when it is another one.

    Ties go to the earlier sentence. A leading fragment (cut excerpt) competes like any sentence;
    the passage's ``truncated`` flag tells the reader."""
    statements = [i for i, s in enumerate(sentences) if not s.question]
    if not statements:
        return ()
    best = max(statements, key=lambda i: (sentences[i].score, -i))
    chosen = {best}
    if asked and not asked <= sentences[best].kinds:
        stating = [i for i in statements if asked & sentences[i].kinds]
        if stating:
            chosen.add(max(stating, key=lambda i: (sentences[i].score, -abs(i - best))))
    return tuple(sorted(chosen))


def passage(chunk: Chunk, rank: int, score: float, terms: dict[str, float], asked: frozenset[str],
            scored: bool = True) -> Passage:
    """The chunk as evidence; with ``scored=False`` (a candidate being ranked) sentences are not scored,
    so the quote and ``supports`` are provisional: score the passages kept."""
    sentences = sentences_of(chunk, terms, scored)
    chosen = choose_quote(sentences, asked)
    if chosen:
        quote = chunk.text[sentences[chosen[0]].start:sentences[chosen[-1]].end]
    else:
        quote = chunk.text
    best = max((sentences[i].score for i in chosen), default=0.0)
    kinds = frozenset().union(*(sentences[i].kinds for i in chosen)) if chosen else frozenset()
    supports = bool(chosen) and best >= SUPPORT_SCORE and (not asked or bool(asked & kinds))
    return Passage(chunk=chunk, rank=rank, score=score, sentences=sentences, quote_sentences=chosen,
                   quote=quote, truncated=chunk.cut_start or chunk.cut_end, language="en" if chunk.language == "en" else "zh",
                   supports=supports, rule_ids=rules_in(chunk.text),
                   coverage=coverage(chunk.title + " " + chunk.text, terms))
