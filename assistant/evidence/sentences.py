"""Sentence-level evidence inside a passage: which sentences hold the question's key terms.

A question's key terms are its tokens that the index uses, weighted by their IDF in that index
(a term in every chunk weighs almost nothing, a rare one a lot), so the measure keeps its meaning
as the corpus grows. A sentence's score is the weighted share of key terms it holds; its
``similarity`` is its cosine to the question by the index's own embedder (paraphrases and English
questions over Chinese text, which share no tokens). The quote is the best sentence by both, plus the
best one stating the asked kind of answer, plus the menu-path sentence when a procedure is asked.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from knowledge import Chunk
from knowledge.chunking import sentence_spans
from knowledge.lexical import BM25Index, tokenize
from tools import RULES

from .answer_types import asks_procedure, stated, states_procedure
from .frame import Frame, answer_score
from .model import Passage, PassageLanguage, Sentence

_QUESTION_END = re.compile(r"[??]\s*$")
_TRAILER = re.compile(r"^\s*父主题\s*[::]")  # the site's "parent topic" line: navigation, not content
_PROCEDURE_MARK = "操作步骤"
SUPPORT_SCORE = 0.5  # a passage supports when one sentence holds at least this share of the key terms
# Quote choice: key-term share plus this weight times the sentence's similarity rescaled within its
# passage (0 for the least similar, 1 for the most), so the weight means the same for every embedder
# (dev split, extended corpus: 0.5 took quotes holding the asked fact in the right passage 0.76 -> 0.81).
QUOTE_SIMILARITY_WEIGHT = 0.5
# A sentence next to the best one joins the quote when it scores at least this share of the best: the
# asked fact often sits in the sentence continuing the topic sentence ("退出伙伴计划...需提前30天通知。"
# then "...未申请的激励...90天内仍可申请"). Dev split, right passages: 0.81 -> 0.86 of quotes holding the
# fact at 1.46 sentences a quote on average (0.5: 0.87 at 1.61; always two: 0.89 at 2.02).
NEIGHBOUR_SHARE = 0.6
SENTENCE_CACHE = 20000  # sentence vectors kept per embedder (float32, about 2 KB each for USE)
SENTENCE_BATCH = 8


class _Vectors:
    """Sentence vectors by one embedder, kept in a bounded LRU: a sentence is embedded once per process."""

    def __init__(self) -> None:
        self.rows: OrderedDict[str, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()


_by_embedder: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_by_embedder_lock = threading.Lock()


def sentence_vectors(embedder, texts: Sequence[str]) -> np.ndarray:
    """Unit vectors of ``texts`` by ``embedder`` (the index's own), one row per text."""
    with _by_embedder_lock:
        store = _by_embedder.get(embedder)
        if store is None:
            store = _by_embedder[embedder] = _Vectors()
    with store.lock:
        missing = [t for t in dict.fromkeys(texts) if t not in store.rows]
    if missing:
        # Small batches of similar length: the encoder pads a batch to its longest text, so one batch of
        # 60 mixed sentences costs several times eight batches of sorted ones.
        missing.sort(key=len)
        computed = np.vstack([np.asarray(embedder.embed_documents(missing[i:i + SENTENCE_BATCH]), dtype=np.float32)
                              for i in range(0, len(missing), SENTENCE_BATCH)])
        norms = np.linalg.norm(computed, axis=1, keepdims=True)
        computed = computed / np.where(norms > 0, norms, 1.0)
        with store.lock:
            for text, row in zip(missing, computed):
                store.rows[text] = row
            while len(store.rows) > SENTENCE_CACHE:
                store.rows.popitem(last=False)
    with store.lock:
        rows = []
        for t in texts:
            row = store.rows.get(t)
            if row is None:  # evicted by another thread meanwhile: embed it again
                row = np.asarray(embedder.embed_documents([t])[0], dtype=np.float32)
                row = row / (np.linalg.norm(row) or 1.0)
            else:
                store.rows.move_to_end(t)
            rows.append(row)
    return np.vstack(rows) if rows else np.zeros((0, 1), dtype=np.float32)


def key_terms(tokens: list[str], bm25: BM25Index) -> dict[str, float]:
    """The question's tokens the index uses, with their IDF; a compound and its parts count once
    (search-mode segmentation emits 客户订单 and 订单): the parts are dropped."""
    known = {t for t in tokens if bm25.vocabulary_has(t)}
    known = {t for t in known if not any(t != other and t in other for other in known)}
    return {t: bm25.idf(t) for t in known}


@lru_cache(maxsize=8192)
def _tokens(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def coverage(text: str, terms: dict[str, float], tokens: frozenset[str] | None = None) -> float:
    """IDF-weighted share of ``terms`` found in ``text`` (0..1). A compound term counts when its
    text appears even if segmentation differs (客户订单 inside 我的客户订单). ``tokens``: the text's
    terms when already known (the index's forward index for a whole chunk), so it is not segmented again."""
    total = sum(terms.values())
    if total <= 0:
        return 0.0
    if tokens is None:
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


@lru_cache(maxsize=2048)
def _unscored(text: str) -> tuple[Sentence, ...]:
    """A chunk text's sentences before any question is asked (spans, asking or stating, the kinds they
    state): the same for every question, so split once per text - every question ranks 20 candidate
    passages, and splitting them again was 2-3% of an answer. Sentences are frozen; a question's scores go
    into copies (``sentences_of``). 2,048 texts hold about 4 MB (measured with tracemalloc: 16.5 MB for
    8,192 of the corpus's size); a small index fits whole, a large one keeps the chunks asked about."""
    out = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        if _TRAILER.match(sentence):
            continue
        question = bool(_QUESTION_END.search(sentence))
        out.append(Sentence(text=sentence, start=start, end=end, score=0.0,
                            kinds=frozenset() if question else stated(sentence), question=question))
    return tuple(out)


def sentences_of(chunk: Chunk, terms: dict[str, float], scored: bool = True,
                 similarities: dict[str, float] | None = None) -> tuple[Sentence, ...]:
    """The chunk's sentences; ``scored=False`` skips the key-term scores (each needs a segmentation),
    for candidates that are only being ranked. ``similarities`` maps a sentence's text to its cosine to
    the question."""
    sentences = _unscored(chunk.text)
    if not scored and not similarities:
        return sentences
    return tuple(s if s.question else
                 Sentence(s.text, s.start, s.end, coverage(s.text, terms) if scored else 0.0, s.kinds, False,
                          similarities.get(s.text, 0.0) if similarities else 0.0)
                 for s in sentences)


def choose_quote(sentences: tuple[Sentence, ...], asked: frozenset[str], procedure: bool = False,
                 terms: dict[str, float] | None = None, frame: Frame | None = None) -> tuple[int, ...]:
    """The best statement by key-term share and similarity to the question with the neighbours scoring
    nearly as well, plus the best statement of the asked kind when it is another one, plus the best one naming a menu path when the question asks
    how or where (the way to the page is the answer's core), plus the statement answering the question's
    frame best (``frame.answer_score``: the asked clause's words with content of the asked kind) when it
    answers it better than every sentence chosen so far.

    Ties go to the earlier sentence. A leading fragment (cut excerpt) competes like any sentence;
    the passage's ``truncated`` flag tells the reader."""
    statements = [i for i, s in enumerate(sentences) if not s.question]
    if not statements:
        return ()
    terms = terms or {}
    sims = [sentences[i].similarity for i in statements]
    lo, hi = min(sims), max(sims)
    spread = hi - lo

    def value(i: int) -> float:
        relative = (sentences[i].similarity - lo) / spread if spread > 0 else 0.0
        return sentences[i].score + QUOTE_SIMILARITY_WEIGHT * relative

    best = max(statements, key=lambda i: (value(i), -i))
    chosen = {best}
    # ... provided it adds a key term the best one lacks, or a kind of answer (a heading repeats, adds nothing)
    held = _tokens(sentences[best].text)
    for j in (best - 1, best + 1):
        if j in statements and value(j) >= NEIGHBOUR_SHARE * value(best) > 0 and (
                any(t in _tokens(sentences[j].text) and t not in held for t in terms)
                or sentences[j].kinds - sentences[best].kinds):
            chosen.add(j)
        elif j in statements and sentences[j].score >= sentences[best].score > 0:
            # the best won on similarity (a heading-like lead is similar to any question on its topic); a
            # neighbour holding at least as much of the question's key terms is evidence as well
            chosen.add(j)
    if asked and not asked <= sentences[best].kinds:
        stating = [i for i in statements if asked & sentences[i].kinds]
        if stating:
            chosen.add(max(stating, key=lambda i: (value(i), -abs(i - best))))
    stating = frame_sentence(sentences, statements, chosen, frame)
    if stating is not None:
        chosen.add(stating)
    if procedure and not any(states_procedure(sentences[i].text) for i in chosen):
        paths = [i for i in statements if states_procedure(sentences[i].text)]
        if paths:
            chosen.add(max(paths, key=lambda i: (value(i), -abs(i - best))))
    for i in list(chosen):
        chosen.update(list_unit(sentences, i))
    return tuple(sorted(chosen))


def frame_sentence(sentences: tuple[Sentence, ...], statements: list[int], chosen: set[int],
                   frame: Frame | None) -> int | None:
    """The statement answering the question's frame best (the asked clause's words with content of the
    asked kind, ``frame.answer_score``), when it answers it better than every sentence in ``chosen``.

    The sentence stating what the asking clause asks ("Pass mark: 80" for "what score to pass", the 30
    days of notice rather than "no notice period") is often not the one sharing most of the question's
    words: those sit in the topic sentence. Ties go to the more similar sentence, then the earlier."""
    if frame is None or not frame.words or not statements:
        return None
    answers = {i: answer_score(frame, sentences[i].text) for i in statements}
    best = max(statements, key=lambda i: (answers[i], sentences[i].similarity, -i))
    if best in chosen or answers[best] <= max((answers[i] for i in chosen if i in answers), default=0.0):
        return None
    return best


_CONTINUED = re.compile(r"[;;::]\s*$")
LIST_UNIT = 8  # at most this many pieces of one enumerated sentence are quoted together


def list_unit(sentences: tuple[Sentence, ...], i: int) -> range:
    """The pieces of the enumerated sentence that piece ``i`` belongs to.

    Sentence splitting cuts at semicolons, so a list ("需同时满足以下条件:A;B;C。", "Token失效的常见原因
    Token超时;密码被修改;...") comes out as pieces, and a quote of one piece drops the lead that says what
    the items are, or the items after the lead: a piece ending in a semicolon or colon continues into the
    next one, so the quote takes the whole run."""
    start = i
    while start > 0 and i - start < LIST_UNIT and _CONTINUED.search(sentences[start - 1].text) \
            and not sentences[start - 1].question:
        start -= 1
    end = i
    while end + 1 < len(sentences) and end - start < LIST_UNIT and _CONTINUED.search(sentences[end].text) \
            and not sentences[end + 1].question:
        end += 1
    return range(start, end + 1)


def passage(chunk: Chunk, rank: int, score: float, terms: dict[str, float], asked: frozenset[str],
            scored: bool = True, similarities: dict[str, float] | None = None, question: str = "",
            held: frozenset[str] | None = None, frame: Frame | None = None) -> Passage:
    """The chunk as evidence; with ``scored=False`` (a candidate being ranked) sentences are not scored,
    so the quote and ``supports`` are provisional: score the passages kept. ``held``: the chunk's terms
    from the index (``KnowledgeIndex.chunk_terms``), else its title and text are segmented here."""
    sentences = sentences_of(chunk, terms, scored, similarities)
    procedure = bool(question) and asks_procedure(question)
    window = choose_quote(sentences, asked, procedure=procedure, terms=terms)
    chosen = choose_quote(sentences, asked, procedure=procedure, terms=terms, frame=frame) if scored and frame else window
    if chosen:
        quote = chunk.text[sentences[chosen[0]].start:sentences[chosen[-1]].end]
    else:
        quote = chunk.text
    best = max((sentences[i].score for i in window), default=0.0)
    kinds = frozenset().union(*(sentences[i].kinds for i in window)) if window else frozenset()
    supports = bool(window) and best >= SUPPORT_SCORE and (not asked or bool(asked & kinds))
    return Passage(chunk=chunk, rank=rank, score=score, sentences=sentences, quote_sentences=chosen,
                   quote=quote, truncated=chunk.cut_start or chunk.cut_end, language="en" if chunk.language == "en" else "zh",
                   supports=supports, rule_ids=rules_in(chunk.text),
                   coverage=coverage(chunk.title + " " + chunk.text, terms, held),
                   window_sentences=window if window != chosen else ())
