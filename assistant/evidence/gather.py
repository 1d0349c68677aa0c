"""gather_evidence: retrieve, rerank at sentence level, decide support with the index's calibrated model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from knowledge import Retriever, SearchResult
from knowledge.lexical import to_simplified
from ..understanding.bilingual import translations
from ..understanding.messages import is_instruction, is_task

from . import calibration as cal
from .alignment import align
from .answer_types import asked, stated
from .frame import absent_predicate, read_frame
from .model import Evidence, Passage
from .sentences import key_terms, passage, sentence_vectors
from .support import DEFAULT_POLICY, SupportPolicy, absent_action, other_modifier
from .vocabulary import _english_general, uncovered

CANDIDATES = 20  # hits the sentence-level rerank may choose from; the first ``k`` are kept
# Rerank weights (grid on the dev split, bundled + extended): retrieval rank, key-term coverage of the
# passage, asked kind stated. Weighting the best sentence's coverage too won nothing on dev (weight 0).
RANK_WEIGHT, PASSAGE_WEIGHT, KIND_WEIGHT = 1.0, 1.0, 0.6
# ... and the passage's best sentence similarity to the question (its cosine by the index's embedder),
# scored by its rank among the candidates compared like the retrieval rank (1 for the most similar, 0.5
# for the sixth), so the weight means the same for every embedder and corpus size. Only the retriever's
# first SIMILARITY_CANDIDATES are embedded by sentence (the cost of a cold sentence cache); the rest score
# 0 there. Dev split, extended corpus, end to end: hit@1 0.748 -> 0.777 (weight 0.25: 0.757, 0.75: 0.767,
# 1.0: 0.772; min-max rescaled cosines instead of ranks: 0.757 at 0.5, and on the bundled corpus the
# stronger weights let a passage stating a duration on another topic outrank the asked topic's rule).
# The first 5 rank as well as the first 10 on dev (0.764 both, 315 dev questions) at half the cold cost.
SIMILARITY_WEIGHT, SIMILARITY_CANDIDATES = 0.5, 5
UNKNOWN_TERM_PERCENTILE = 0.3  # with words the index never uses, retrieval must beat the median calibration question
VETO_PRECISION = 0.9  # share of its refusals that must be must-abstain questions for the vocabulary rule to stay
KIND_WINDOW = 4  # when the best passage lacks the asked kind, one of the next three stating it goes first


def _rerank_score(p: Passage, kinds: frozenset[str], similarity: float = 0.0) -> float:
    rank = 1.0 / (1 + (p.rank - 1) / 5)  # 1 for the retriever's first, 0.5 for its sixth
    kind = 1.0 if kinds and any(kinds & s.kinds for s in p.sentences) else 0.0
    return RANK_WEIGHT * rank + PASSAGE_WEIGHT * p.coverage + KIND_WEIGHT * kind + SIMILARITY_WEIGHT * similarity


def equivalents(word: str) -> frozenset[str]:
    """The Chinese words an English query word may stand for (CC-CEDICT), none for a general word: "have",
    "already", "one" translate to general Chinese words (所有, 已, 一) that only add matches on other topics
    (measured: "Could I cancel a payment request I have already submitted?" then ranked passages holding
    所有 and 已 above the payment-request rule)."""
    return frozenset() if word in _english_general() else translations(word)


def _statements(p: Passage) -> list[str]:
    return [s.text for s in p.sentences if not s.question]


def _similarities(query_text: str, candidates: list[Passage], retriever: Retriever) -> dict[str, float]:
    """Cosine of each statement of the first candidates to the question, by the index's embedder."""
    texts = list(dict.fromkeys(t for p in candidates[:SIMILARITY_CANDIDATES] for t in _statements(p)))
    if not texts:
        return {}
    embedder = retriever.index.embedder
    question = np.asarray(embedder.embed_query(to_simplified(query_text)), dtype=np.float32)
    question = question / (np.linalg.norm(question) or 1.0)
    cosines = sentence_vectors(embedder, texts) @ question
    return dict(zip(texts, (float(c) for c in cosines)))


@dataclass(frozen=True)
class _Ranked:
    result: SearchResult
    passages: tuple[Passage, ...]
    kinds: frozenset[str]


def _rank(query_text: str, retriever: Retriever, k: int) -> _Ranked:
    # An English word the glossary does not fold also matches the Chinese words CC-CEDICT gives for it.
    result = retriever.search(query_text, k=max(k, CANDIDATES), equivalents=equivalents)
    kinds = asked(query_text)
    terms = key_terms(result.query_tokens, retriever.index.lexical())
    # Candidates are ranked on passage-level signals; only the passages kept get sentence scores
    # (a segmentation per sentence is the stage's main cost).
    # A candidate's key-term coverage reads the chunk's terms stored by the index build (no segmentation
    # of 20 chunks per question: that was most of this stage's cost at 10k chunks).
    held = {h.chunk.id: retriever.index.chunk_terms(h.chunk.id) for h in result.hits}
    candidates = [passage(h.chunk, h.rank, h.score, terms, kinds, scored=False, held=held[h.chunk.id])
                  for h in result.hits]
    # A passage that only asks questions (an FAQ index) is never evidence: it names topics, answers nothing.
    keep = [i for i, p in enumerate(candidates) if not p.question_only]
    similarities = _similarities(query_text, [candidates[i] for i in keep], retriever)
    best_similarity = {i: max((similarities.get(t, 0.0) for t in _statements(candidates[i])), default=0.0)
                       for i in keep[:SIMILARITY_CANDIDATES]}
    order = sorted(best_similarity, key=lambda i: -best_similarity[i])
    relative = {i: 1.0 / (1 + r / 5) for r, i in enumerate(order)}  # 1 for the most similar, 0.5 for the sixth
    keep.sort(key=lambda i: -_rerank_score(candidates[i], kinds, relative.get(i, 0.0)))
    if kinds and keep and not kinds <= stated(candidates[keep[0]].chunk.text):
        # A question asking how long (how often, how much ...) is answered by a passage stating one:
        # the first of the next few that does goes first ("消费明细最长能查几个月": the look-back rule).
        # ... provided it holds the question's key terms as fully (not a limit on another topic).
        top = candidates[keep[0]].coverage
        stating = next((j for j in range(1, min(len(keep), KIND_WINDOW))
                        if kinds <= stated(candidates[keep[j]].chunk.text) and candidates[keep[j]].coverage >= top), None)
        if stating is not None:
            keep.insert(0, keep.pop(stating))
    keep = keep[:k]
    hits = [replace(result.hits[i], rank=rank) for rank, i in enumerate(keep, start=1)]
    frame = read_frame(query_text, result.query_tokens, retriever.index.lexical(), retriever.index.snapshot().lexicon)
    passages = tuple(passage(result.hits[i].chunk, rank, result.hits[i].score, terms, kinds,
                             similarities=similarities, question=query_text, held=held[result.hits[i].chunk.id],
                             frame=frame)
                     for rank, i in enumerate(keep, start=1))
    ranked = SearchResult(query=result.query, hits=hits, query_tokens=result.query_tokens,
                          dense_top=result.dense_top, lexical_top=result.lexical_top)
    return _Ranked(ranked, passages, kinds)


def _raw_features(query_text: str, ranked: _Ranked, retriever: Retriever,
                  understood: tuple[str, ...] = ()) -> tuple[dict[str, float], tuple[str, ...]]:
    """Features before the per-index percentiles (``dense``/``lexical`` are raw scores), and the
    question's words the index never uses."""
    bm25 = retriever.index.lexical()
    best = ranked.passages[0] if ranked.passages else None
    hit = ranked.result.hits[0] if ranked.result.hits else None
    if best is None or hit is None:
        return {"dense": 0.0, "lexical": 0.0, "sentence": 0.0, "passage": 0.0, "question": 0.0, "missing": 1.0,
                "uncovered": 1.0, "unknown_share": 1.0,
                "kind": 0.0, "action": 0.0, "agreement": 0.0, "english": float(cal.is_english(query_text)),
                "similarity": 0.0, "window": 0.0, "aligned": 0.0, "gap": 1.0, "topic": 0.0}, ()
    # the supporting window (the quote before a frame-answering sentence joined it): what the model was fitted on
    quoted = [best.sentences[i] for i in (best.window_sentences or best.quote_sentences)]
    held = cal.passage_tokens(best.chunk.title, best.chunk.text)
    ranks = [r for r in (hit.dense_rank, hit.lexical_rank)]
    agreement = sum(1.0 / r for r in ranks if r) / 2
    question, missing = cal.question_coverage(ranked.result.query_tokens, held, bm25, understood)
    window = " ".join(s.text for s in quoted)
    title_text = best.chunk.title + " " + best.chunk.text
    alignment = align(ranked.result.query_tokens, bm25, cal.passage_tokens("", window), window,
                      held, title_text, understood)
    topic_uncovered, unknown_share, words = uncovered(query_text, ranked.result.query_tokens, best.chunk.text, bm25, understood)
    return {
        "dense": ranked.result.dense_top[0] if ranked.result.dense_top else 0.0,
        "lexical": ranked.result.lexical_top[0] if ranked.result.lexical_top else 0.0,
        "sentence": max((s.score for s in quoted), default=0.0),
        "passage": best.coverage,
        "question": question,
        "missing": missing,
        "uncovered": float(topic_uncovered),
        "unknown_share": unknown_share,
        "kind": 1.0 if not ranked.kinds or ranked.kinds <= stated(best.chunk.text) else 0.0,
        # an asked action the passage never states: a corpus verb after 能/可以 (``absent_action``), or any
        # verb of the asking clause (``frame.absent_predicate``: 导出 in 结算单能导出成Excel吗)
        "action": 0.0 if (absent_action(query_text, best.chunk.text, bm25)
                          or (best.language == "zh" and absent_predicate(query_text, held, title_text, bm25))) else 1.0,
        "agreement": agreement,
        "english": float(cal.is_english(query_text)),
        "similarity": max((s.similarity for s in best.sentences), default=0.0),
        "window": cal.question_coverage(ranked.result.query_tokens, cal.passage_tokens(best.chunk.title, best.window),
                                        bm25, understood)[0],
        "aligned": alignment.aligned,
        "gap": alignment.gap,
        "topic": alignment.topic,
    }, words


def _vector(raw: dict[str, float], calibration: cal.Calibration) -> np.ndarray:
    values = dict(raw)
    values["dense_pct"] = cal.percentile(calibration.dense_reference, raw["dense"])
    values["lexical_pct"] = cal.percentile(calibration.lexical_reference, raw["lexical"])
    values["similarity_pct"] = cal.percentile(calibration.similarity_reference, raw["similarity"])
    return np.array([values[name] for name in cal.FEATURES], dtype=np.float64)


def _missing_kinds(ranked: _Ranked) -> tuple[str, ...]:
    """Asked kinds the best passage does not state (anywhere in it: the quote then adds the sentence
    stating it, see ``sentences.choose_quote``)."""
    if not ranked.kinds or not ranked.passages:
        return ()
    return tuple(sorted(ranked.kinds - stated(ranked.passages[0].chunk.text)))


def _other_modifier(query_text: str, ranked: _Ranked, understood: tuple[str, ...] = ()) -> str | None:
    if not ranked.passages:
        return None
    best = ranked.passages[0].chunk
    return other_modifier(query_text, best.title + " " + best.text, understood)


def gather_evidence(query_text: str, *, language: str, retriever: Retriever, understood: tuple[str, ...] = (),
                    k: int = 5, policy: SupportPolicy = DEFAULT_POLICY) -> Evidence:
    """Evidence for one question: ranked passages with their supporting sentences and a verdict.

    ``query_text`` is the user's question as typed (Traditional and English are handled inside);
    ``language`` is ``"en"`` or ``"zh"`` as the normalise stage detected it; ``understood`` holds the
    spans of the message already read as details (dates, places, amounts: lower-cased, Simplified),
    which are then no topic words.
    Raises ``knowledge.QueryError`` for an empty or too long query and ``knowledge.IndexMissingError``
    when nothing is indexed.
    """
    ranked = _rank(query_text, retriever, k)
    base = dict(query=query_text, language=language, passages=ranked.passages, asked_kinds=ranked.kinds,
                search=ranked.result)
    if is_instruction(query_text):
        return Evidence(supported=False, support_probability=0.0, reason="instruction", **base)
    if is_task(query_text):
        return Evidence(supported=False, support_probability=0.0, reason="task", **base)
    calibration = cal.for_index(retriever.index)
    raw, unknown = _raw_features(query_text, ranked, retriever, understood)
    base["unknown_terms"] = unknown
    probability = calibration.probability(_vector(raw, calibration))
    threshold = policy.threshold if policy.threshold is not None else calibration.threshold
    missing = _missing_kinds(ranked)
    if missing:  # the topic is covered, the asked fact is not: say which kind is missing
        return Evidence(supported=False, support_probability=min(probability, threshold * 0.99), reason="unstated",
                        missing_kind=missing, **base)
    if _other_modifier(query_text, ranked, understood):
        # 云硬盘的账单 against a passage about 伙伴账单 only: the same head, another thing
        return Evidence(supported=False, support_probability=min(probability, threshold * 0.99),
                        reason="uncovered_terms", **base)
    if calibration.vocabulary_veto and _vetoed_by_words(raw, unknown, calibration):
        # The question's own topic words are not the index's (or some are not, and what it does share
        # retrieves weakly for this index): nothing here is about it.
        return Evidence(supported=False, support_probability=min(probability, threshold * 0.99),
                        reason="uncovered_terms", **base)
    if probability >= threshold:
        return Evidence(supported=True, support_probability=probability, reason="ok", **base)
    # "uncovered_terms" tells the plan stage the topic itself is absent (no tool may run on it).
    reason = "uncovered_terms" if raw["uncovered"] or not raw["action"] else "weak_retrieval"
    return Evidence(supported=False, support_probability=probability, reason=reason, **base)  # type: ignore[arg-type]


def _vetoed_by_words(raw: dict[str, float], unknown: tuple[str, ...], calibration: cal.Calibration) -> bool:
    weak = (cal.percentile(calibration.dense_reference, raw["dense"])
            + cal.percentile(calibration.lexical_reference, raw["lexical"])) / 2 < UNKNOWN_TERM_PERCENTILE
    return bool(raw["uncovered"]) or bool(unknown and weak)


def calibrate(retriever: Retriever, questions: Iterable[tuple[str, bool]]) -> cal.Calibration:
    """Fit the answerability model for ``retriever``'s index on (question, answerable) pairs.

    Questions refused by rule (instructions, tasks, an asked kind the best passage does not state) are
    left out: the model never decides them. The reference score distributions (for the percentiles) are
    those of all the questions.

    The vocabulary veto (topic words the index never uses) is kept as a rule only where it earns it on
    this index's own questions: at least ``VETO_PRECISION`` of the questions it refuses must abstain. On
    a small corpus it is nearly exact (bundled dev: 77 must-abstain and 2 answerable refused); once the
    vocabulary is large it vetoes everyday words and misses what is absent (extended dev: 18 must-abstain
    and 16 answerable), and the model alone decides, with the vocabulary signals as two of its features."""
    seen, dense, lexical, similarity = [], [], [], []
    for question, answerable in questions:
        ranked = _rank(question, retriever, 5)
        raw, unknown = _raw_features(question, ranked, retriever)
        dense.append(raw["dense"])
        lexical.append(raw["lexical"])
        similarity.append(raw["similarity"])
        # a question the modifier check refuses stays in the fit: leaving it out moved the threshold
        # enough to flip borderline bundled questions the check never touched
        if not (is_instruction(question) or is_task(question) or _missing_kinds(ranked)):
            seen.append((raw, unknown, answerable))
    provisional = cal.Calibration(coef=[0.0] * len(cal.FEATURES), intercept=0.0, threshold=0.5,
                                  dense_reference=sorted(dense), lexical_reference=sorted(lexical),
                                  similarity_reference=sorted(similarity))
    vetoed = [_vetoed_by_words(raw, unknown, provisional) for raw, unknown, _ in seen]
    answerable_vetoed = sum(v for v, (_, _, a) in zip(vetoed, seen) if a)
    refusable_vetoed = sum(v for v, (_, _, a) in zip(vetoed, seen) if not a)
    veto = refusable_vetoed >= VETO_PRECISION * (refusable_vetoed + answerable_vetoed) and refusable_vetoed > 0
    rows = [(dict(zip(cal.FEATURES, _vector(raw, provisional))), answerable)
            for (raw, unknown, answerable), v in zip(seen, vetoed) if not (veto and v)]
    if veto and (len(rows) < 10 or len({answerable for _, answerable in rows}) < 2):
        # the rule refused nearly every must-abstain question: the model is fitted on them all
        rows = [(dict(zip(cal.FEATURES, _vector(raw, provisional))), answerable) for raw, _, answerable in seen]
    calibration = cal.fit(rows, dense, lexical, similarity)
    calibration.vocabulary_veto = veto
    calibration.veto_counts = {"must_abstain_vetoed": refusable_vetoed, "answerable_vetoed": answerable_vetoed,
                               "must_abstain": sum(1 for _, _, a in seen if not a), "answerable": sum(1 for _, _, a in seen if a)}
    return calibration
