"""gather_evidence: retrieve, rerank at sentence level, decide support with the index's calibrated model."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files

import numpy as np

from knowledge import Retriever, SearchResult
from knowledge.chunking import context_of
from knowledge.lexical import to_simplified, tokenize
from ..understanding.messages import is_instruction, is_task

from . import calibration as cal
from .alignment import align
from .answer_types import asked, stated
from .model import Evidence, Passage
from .sentences import coverage, key_terms, passage, sentence_vectors
from .support import DEFAULT_POLICY, SupportPolicy, absent_action
from .vocabulary import uncovered

CANDIDATES = 20  # hits the sentence-level rerank may choose from; the first ``k`` are kept
# The rerank is two linear models over each candidate's features, fitted by a listwise softmax on the dev
# questions of the bundled and extended corpora (``bench/fit_rerank.py`` writes ``rerank_weights.json``):
# the *preselect* model orders all 20 candidates on features that cost no embedding; the statements of its
# first SIMILARITY_CANDIDATES are embedded (as many as the evidence stage embedded before the fitted rerank,
# and the quotes need them anyway) and the *final* model, which adds the best statement's similarity, orders
# those. Embedding all 20 candidates' statements cost 12% more ask time for little more hit@1.
SIMILARITY_CANDIDATES = 5
PRESELECT_FEATURES = ("rank", "dense_z", "lexical_z", "coverage", "topic", "topic_none", "page",
                      "kind_sentence", "kind_passage", "length", "truncated", "identifiers")
RERANK_FEATURES = PRESELECT_FEATURES + ("similarity_gap",)
UNKNOWN_TERM_PERCENTILE = 0.3  # with words the index never uses, retrieval must beat the median calibration question
VETO_PRECISION = 0.9  # share of its refusals that must be must-abstain questions for the vocabulary rule to stay


@dataclass(frozen=True)
class RerankModel:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray

    def scores(self, features: dict[int, dict[str, float]]) -> dict[int, float]:
        return {i: float(((np.array([f[name] for name in self.features]) - self.mean) / self.scale) @ self.weights)
                for i, f in features.items()}


@lru_cache(maxsize=1)
def rerank_models() -> tuple[RerankModel, RerankModel]:
    """The fitted (preselect, final) rerank models."""
    data = json.loads(files(__package__).joinpath("rerank_weights.json").read_text("utf-8"))
    models = []
    for stage, names in (("preselect", PRESELECT_FEATURES), ("final", RERANK_FEATURES)):
        part = data[stage]
        if tuple(part["features"]) != names:
            raise RuntimeError("rerank_weights.json does not match the rerank features: re-run bench/fit_rerank.py")
        models.append(RerankModel(names, np.asarray(part["mean"], dtype=np.float64),
                                  np.asarray(part["scale"], dtype=np.float64), np.asarray(part["weights"], dtype=np.float64)))
    return models[0], models[1]


def _z(value: float | None, head: tuple[float, ...]) -> float:
    """``value`` against this query's own list of scores (mean 0, unit spread); a hit the list does not
    hold counts as its lowest score. Per-list distributions, not raw scores: they drift with corpus size."""
    if not head:
        return 0.0
    values = np.asarray(head, dtype=np.float64)
    spread = float(values.std()) or 1.0
    return ((values.min() if value is None else value) - float(values.mean())) / spread


_CONTEXT_TERMS: dict[tuple[int, str], frozenset[str]] = {}


def _context_terms(context: str, lexicon) -> frozenset[str]:
    """A section's page and heading path as terms (analysed as the build analysed its passages)."""
    key = (id(lexicon), context)
    terms = _CONTEXT_TERMS.get(key)
    if terms is None:
        if len(_CONTEXT_TERMS) > 20000:
            _CONTEXT_TERMS.clear()
        terms = _CONTEXT_TERMS[key] = frozenset(tokenize(context, lexicon))
    return terms


_HEADINGS: dict[str, frozenset[str]] = {}


def heading_vocabulary(retriever: Retriever) -> frozenset[str]:
    """The terms the index's pages and headings use (every chunk's title and parent topic), once per build:
    what the index's documents are *about*. A question's key terms among them name its topic (迁移补贴,
    申付单, voucher); the others are what it asks about the topic (撤回, export, how many)."""
    index = retriever.index
    name = index.active_collection
    vocabulary = _HEADINGS.get(name)
    if vocabulary is None:
        lexicon = index.snapshot().lexicon
        names = {text for c in index.chunks for text in (c.title, c.parent_topic) if text}
        vocabulary = frozenset(t for text in names for t in _context_terms(text, lexicon))
        if len(_HEADINGS) > 8:
            _HEADINGS.clear()
        _HEADINGS[name] = vocabulary
    return vocabulary


def _share(terms: dict[str, float], tokens: frozenset[str]) -> float:
    total = sum(terms.values())
    return sum(w for t, w in terms.items() if t in tokens) / total if total > 0 else 0.0


def candidate_features(result: SearchResult, candidates: list[Passage], keep: list[int],
                       terms: dict[str, float], kinds: frozenset[str], held: dict[str, frozenset[str] | None],
                       lexicon=None, headings: frozenset[str] = frozenset()) -> dict[int, dict[str, float]]:
    """The preselect features of each kept candidate (``PRESELECT_FEATURES``), by position in ``candidates``.

    - ``rank``: the fused retrieval rank (1 for the first, 0.5 for the sixth);
    - ``dense_z`` / ``lexical_z``: its cosine and BM25 score against the same query's own lists;
    - ``coverage``: IDF-weighted share of the question's key terms in the passage *with its page and heading
      path* (a section titled "Procedure" holds its page's words);
    - ``topic``: the same share of the question's *topic* terms (those the index's titles and headings use,
      ``heading_vocabulary``), and ``topic_none``: the question names a topic and the passage holds none of
      its terms - a passage stating the asked action (撤回, cancel) on another topic must not win;
    - ``page``: share of the question's key terms in the passage's title and page/heading path alone;
    - ``kind_sentence`` / ``kind_passage``: the asked kind of answer (duration, amount ...) stated by a
      sentence / by the passage;
    - ``length``: log of its characters; ``truncated``: a scraped excerpt cut at either end;
    - ``identifiers``: share of the question's terms with a digit (CBC.0250, 429, 18个月) the passage holds."""
    identifiers = [t for t in terms if any(ch.isdigit() for ch in t)]
    topic_terms = {t: w for t, w in terms.items() if t in headings}
    out: dict[int, dict[str, float]] = {}
    for i in keep:
        p, hit = candidates[i], result.hits[i]
        chunk = p.chunk
        context = context_of(chunk.title, chunk.parent_topic, chunk.text)
        page = _context_terms(" ".join(x for x in (chunk.parent_topic, chunk.title) if x), lexicon)
        tokens = held.get(chunk.id)
        if tokens is None:
            tokens = frozenset(tokenize(chunk.text, lexicon))
        tokens = tokens | page | (_context_terms(context, lexicon) if context else frozenset())
        topic = _share(topic_terms, tokens)
        out[i] = {
            "rank": 1.0 / (1 + (p.rank - 1) / 5),
            "dense_z": _z(hit.dense if hit.dense_rank else None, result.dense_top),
            "lexical_z": _z(hit.lexical if hit.lexical_rank else None, result.lexical_top),
            "coverage": coverage("", terms, tokens),
            "topic": topic,
            "topic_none": 1.0 if topic_terms and topic == 0.0 else 0.0,
            "page": _share(terms, page),
            "kind_sentence": 1.0 if kinds and any(kinds & s.kinds for s in p.sentences) else 0.0,
            "kind_passage": 1.0 if kinds and kinds <= stated(chunk.text) else 0.0,
            "length": math.log(max(len(chunk.text), 1)),
            "truncated": float(p.truncated),
            "identifiers": (sum(1 for t in identifiers if t in tokens or t in chunk.text.lower())
                            / len(identifiers)) if identifiers else 0.0,
        }
    return out


def add_similarity(features: dict[int, dict[str, float]], candidates: list[Passage], embedded: list[int],
                   similarities: dict[str, float]) -> None:
    """``similarity_gap`` of the embedded candidates: their best statement's cosine to the question minus the
    best among them."""
    best_of = {i: max((similarities.get(t, 0.0) for t in _statements(candidates[i])), default=0.0) for i in embedded}
    top = max(best_of.values(), default=0.0)
    for i in embedded:
        features[i]["similarity_gap"] = best_of[i] - top


def _statements(p: Passage) -> list[str]:
    return [s.text for s in p.sentences if not s.question]


def _similarities(query_text: str, candidates: list[Passage], retriever: Retriever) -> dict[str, float]:
    """Cosine of each statement of ``candidates`` to the question, by the index's embedder."""
    texts = list(dict.fromkeys(t for p in candidates for t in _statements(p)))
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


@dataclass(frozen=True)
class _Candidates:
    result: SearchResult
    kinds: frozenset[str]
    terms: dict[str, float]
    passages: list[Passage]                # one per retrieved hit, unscored
    keep: list[int]                        # positions that may be evidence (not question-only), preselect order
    embedded: list[int]                    # positions whose statements were embedded (the first of ``keep``)
    similarities: dict[str, float]
    held: dict[str, frozenset[str] | None]
    features: dict[int, dict[str, float]]  # the rerank's features by position (``similarity_gap``: embedded only)


def candidates_of(query_text: str, retriever: Retriever, k: int = CANDIDATES,
                  embed: int | None = SIMILARITY_CANDIDATES) -> _Candidates:
    """The retrieved candidates with the rerank's features, in preselect order (also what
    ``bench/fit_rerank.py`` fits on, with ``embed=None``: every candidate embedded)."""
    result = retriever.search(query_text, k=max(k, CANDIDATES))
    kinds = asked(query_text)
    terms = key_terms(result.query_tokens, retriever.index.lexical())
    # A candidate's key-term coverage reads the chunk's terms stored by the index build (no segmentation
    # of 20 chunks per question: that was most of this stage's cost at 10k chunks).
    held = {h.chunk.id: retriever.index.chunk_terms(h.chunk.id) for h in result.hits}
    candidates = [passage(h.chunk, h.rank, h.score, terms, kinds, scored=False, held=held[h.chunk.id])
                  for h in result.hits]
    # A passage that only asks questions (an FAQ index) is never evidence: it names topics, answers nothing.
    keep = [i for i, p in enumerate(candidates) if not p.question_only]
    features = candidate_features(result, candidates, keep, terms, kinds, held, retriever.index.snapshot().lexicon,
                                  heading_vocabulary(retriever))
    if embed is not None:
        preselect = rerank_models()[0].scores(features)
        keep.sort(key=lambda i: -preselect[i])
    embedded = keep if embed is None else keep[:embed]
    similarities = _similarities(query_text, [candidates[i] for i in embedded], retriever)
    add_similarity(features, candidates, embedded, similarities)
    return _Candidates(result, kinds, terms, candidates, keep, embedded, similarities, held, features)


def _rank(query_text: str, retriever: Retriever, k: int) -> _Ranked:
    found = candidates_of(query_text, retriever, k)
    result, kinds, terms, candidates, similarities, held = (found.result, found.kinds, found.terms, found.passages,
                                                           found.similarities, found.held)
    final = rerank_models()[1].scores({i: found.features[i] for i in found.embedded})
    # The asked kind of answer is two of the model's features: the hand rule that moved the first of the next
    # three passages stating it to the top (when the best did not) is gone - after the fitted rerank it only
    # lifted passages stating some limit to the top of must-abstain questions (extended dev correct
    # abstention 0.296 -> 0.324 without it, hit@1 0.833 -> 0.836).
    keep = sorted(found.embedded, key=lambda i: -final[i]) + found.keep[len(found.embedded):]
    keep = keep[:k]
    hits = [replace(result.hits[i], rank=rank) for rank, i in enumerate(keep, start=1)]
    passages = tuple(passage(result.hits[i].chunk, rank, result.hits[i].score, terms, kinds,
                             similarities=similarities, question=query_text, held=held[result.hits[i].chunk.id])
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
    quoted = [best.sentences[i] for i in best.quote_sentences]
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
        "action": 0.0 if absent_action(query_text, best.chunk.text, bm25) else 1.0,
        "agreement": agreement,
        "english": float(cal.is_english(query_text)),
        "similarity": max((s.similarity for s in best.sentences), default=0.0),
        "window": cal.question_coverage(ranked.result.query_tokens, cal.passage_tokens(best.chunk.title, best.quote),
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
