"""Answerability as a calibrated probability, refitted for each index.

Every feature is normalised by the index it runs against, so its meaning does not drift as the
corpus grows:

- ``dense_pct`` / ``lexical_pct``: the best cosine and the best BM25 score as percentiles of the
  same scores for the calibration questions on *this* index (a bigger corpus raises both);
- ``sentence``: the IDF-weighted share of the question's key terms (the terms this index uses) held
  by the best passage's quoted sentences; ``passage``: the same over its title and text;
- ``question``: the IDF-weighted share of *all* the question's content words the best passage holds,
  words the index never uses weighing as much as its rarest term unless they are general language
  (jieba's dictionary counts them as very frequent, or they are on the general-English list);
- ``missing``: the weight of the heaviest question word the best passage lacks (relative to the rarest);
- ``uncovered``: the question's words the index never uses name its topic (``vocabulary.py``: they
  outnumber its covered terms, or one is the asked action or event); ``unknown_share`` their share;
- ``kind``: the asked kind of answer is stated by the quote (1 when no kind is asked);
- ``action``: no corpus verb the question asks whether or how to do is missing from the passage;
- ``agreement``: the best passage ranks high in both the dense and the BM25 list;
- ``english``: the question is in English (its words meet a mostly Chinese index through folding);
- ``similarity_pct``: the best passage's most similar sentence (cosine to the question by the index's
  embedder) as a percentile of the same for the calibration questions on this index;
- ``window``: the IDF-weighted share of all the question's content words held by the quoted sentences
  (the question's terms aligned within the supporting sentences, not anywhere in the passage);
- ``aligned`` / ``gap`` / ``topic``: the same alignment with soft matching (character bigrams for Chinese
  variants, shared stems for English; ``alignment.py``): the weighted share aligned in the quoted
  sentences, the relative weight of the heaviest word left unaligned there, and the share aligned
  anywhere in the passage or its title (where the topic sits while the asked fact may be absent).

A logistic regression over these is fitted when an index is built, on the development questions
written for the corpus indexed (``partner-assistant index build`` does it), and stored with the
index; the operating point is the probability threshold with the fewest errors on those questions
whose false abstention stays under ``MAX_FALSE_ABSTENTION``. Without a stored fit the packaged
default (fitted on the bundled corpus) is used.
"""

from __future__ import annotations

import bisect
import json
import math
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from knowledge import KnowledgeIndex
from knowledge.lexical import BM25Index, segmenter, tokenize

FEATURES = ("dense_pct", "lexical_pct", "sentence", "passage", "question", "missing", "uncovered",
            "unknown_share", "kind", "action", "agreement", "english", "similarity_pct", "window",
            "aligned", "gap", "topic")
MAX_FALSE_ABSTENTION = 0.01  # on the calibration questions: fresh ones refuse more (dev 0.005 -> held-out 0.038 before)
L2 = 1.0                     # ridge penalty of the logistic regression (features are 0..1)
CV_FOLDS = 5                 # folds of the out-of-fold calibration report
ANNOTATION = "evidence.calibration"
GENERAL_FREQ = 5000          # jieba dictionary frequency above which a word is general language


@dataclass
class Calibration:
    """A fitted answerability model for one index."""

    coef: list[float]
    intercept: float
    threshold: float
    dense_reference: list[float]    # sorted best cosines of the calibration questions on this index
    lexical_reference: list[float]  # sorted best BM25 scores of the same questions
    questions: int = 0
    ece: float | None = None
    reliability: list[dict] = field(default_factory=list)  # per probability bin: n, mean predicted, share answerable
    operating_point: dict = field(default_factory=dict)     # correct/false abstention on the calibration questions
    similarity_reference: list[float] = field(default_factory=list)  # sorted best sentence similarities, same questions
    vocabulary_veto: bool = True    # the "words the index never uses" rule earned its place on this index's questions
    veto_counts: dict = field(default_factory=dict)  # what that rule refused among the calibration questions
    # The same measured out of fold (each question scored by a model fitted without it, ``CV_FOLDS`` folds):
    # what to expect on fresh questions, where the in-sample figures above are optimistic.
    cv_ece: float | None = None
    cv_reliability: list[dict] = field(default_factory=list)
    cv_operating_point: dict = field(default_factory=dict)  # out-of-fold abstention at ``threshold``

    def probability(self, x: np.ndarray) -> float:
        z = float(np.dot(self.coef, x) + self.intercept)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Calibration:
        return cls(**data)


def percentile(reference: list[float], value: float) -> float:
    """Share of the reference scores at or below ``value`` (0..1); 0.5 without a reference."""
    if not reference:
        return 0.5
    return bisect.bisect_right(reference, value) / len(reference)


@lru_cache(maxsize=1)
def _english_general() -> frozenset[str]:
    text = resources.files("knowledge").joinpath("lexicon/english_general.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def word_weights(question_tokens: list[str], bm25: BM25Index, understood: tuple[str, ...] = ()) -> dict[str, float]:
    """The question's content words with their weight on this index: a word the index uses weighs its
    IDF; one it never uses weighs as much as the index's rarest term (it names something no passage
    holds) unless it is general language. A compound and its parts count once; a date, place or amount
    the caller already read (``understood``) is a detail of the question, not its topic."""
    rare = bm25.idf("\0")
    frequencies = segmenter().FREQ
    general = _english_general()
    words = set(question_tokens)
    words = {w for w in words if not any(w != other and w in other for other in words)}
    words = {w for w in words if not any(w in span for span in understood)}
    out = {}
    for word in words:
        if bm25.vocabulary_has(word):
            weight = bm25.idf(word)
        elif word.isascii():
            weight = 0.0 if (word in general or len(word) < 3 or word.isdigit()) else rare
        else:
            weight = 0.0 if (frequencies.get(word) or 0) >= GENERAL_FREQ or len(word) < 2 else rare
        if weight > 0:
            out[word] = weight
    return out


def question_coverage(question_tokens: list[str], held: frozenset[str], bm25: BM25Index,
                      understood: tuple[str, ...] = ()) -> tuple[float, float]:
    """IDF-weighted share of the question's content words found in ``held`` (a passage's tokens), and the
    weight of the heaviest word it lacks relative to the index's rarest term (0..1); weights by
    ``word_weights``."""
    rare = bm25.idf("\0")
    total = got = missing = 0.0
    for word, weight in word_weights(question_tokens, bm25, understood).items():
        total += weight
        if word in held:
            got += weight
        else:
            missing = max(missing, weight / rare)
    return (got / total if total > 0 else 0.0), missing


def passage_tokens(title: str, text: str) -> frozenset[str]:
    return _tokens(title + " " + text)


@lru_cache(maxsize=8192)
def _tokens(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def is_english(text: str) -> bool:
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return han == 0 or latin > 3 * han


# ---- fitting ----------------------------------------------------------------------------------

def _fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Ridge logistic regression by Newton's method (a few features: exact and fast, no dependency)."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    penalty = np.eye(d + 1) * l2
    penalty[d, d] = 0.0  # the intercept is not shrunk
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:d], float(w[d])


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> tuple[float, list[dict]]:
    """Expected calibration error and the reliability table over equal-width probability bins."""
    table, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        mask = (p >= lo) & ((p < hi) if b < bins - 1 else (p <= hi))
        if not mask.any():
            continue
        predicted, observed = float(p[mask].mean()), float(y[mask].mean())
        ece += mask.sum() / len(p) * abs(predicted - observed)
        table.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(mask.sum()), "predicted": round(predicted, 3),
                      "answerable": round(observed, 3)})
    return round(float(ece), 4), table


def operating_point(p: np.ndarray, y: np.ndarray, max_false: float = MAX_FALSE_ABSTENTION) -> tuple[float, dict]:
    """The threshold with the fewest errors whose false abstention stays within ``max_false``."""
    answerable, refuse = y == 1, y == 0
    best = None
    for threshold in np.unique(np.concatenate([p, [0.5]])):
        false = float((p[answerable] < threshold).mean()) if answerable.any() else 0.0
        correct = float((p[refuse] < threshold).mean()) if refuse.any() else 1.0
        if false > max_false:
            continue
        key = (false * answerable.sum() + (1 - correct) * refuse.sum(), abs(threshold - 0.5))
        if best is None or key < best[0]:
            best = (key, float(threshold), {"false_abstention": round(false, 4), "correct_abstention": round(correct, 4)})
    if best is None:
        return 0.0, {"false_abstention": 0.0, "correct_abstention": 0.0}
    return best[1], best[2]


def fit(rows: Iterable[tuple[dict[str, float], bool]], dense_reference: list[float],
        lexical_reference: list[float], similarity_reference: list[float] | None = None) -> Calibration:
    """Fit on (features, answerable) rows; hard refusals (instructions, tasks, unstated kinds) are left out
    by the caller, since the model never decides them."""
    rows = list(rows)
    x = np.array([[r[name] for name in FEATURES] for r, _ in rows], dtype=np.float64)
    y = np.array([1.0 if answerable else 0.0 for _, answerable in rows])
    if len(rows) < 10 or y.min() == y.max():
        raise ValueError("calibration needs at least 10 questions, answerable and not")
    coef, intercept = _fit_logistic(x, y)
    p = 1 / (1 + np.exp(-np.clip(x @ coef + intercept, -30, 30)))
    ece, table = reliability(p, y)
    threshold, point = operating_point(p, y)
    held = _out_of_fold(x, y)
    cv_ece, cv_table = reliability(held, y)
    cv_point = {"false_abstention": round(float((held[y == 1] < threshold).mean()), 4) if (y == 1).any() else 0.0,
                "correct_abstention": round(float((held[y == 0] < threshold).mean()), 4) if (y == 0).any() else 0.0}
    return Calibration(coef=[round(float(c), 6) for c in coef], intercept=round(intercept, 6), threshold=threshold,
                       dense_reference=sorted(dense_reference), lexical_reference=sorted(lexical_reference),
                       questions=len(rows), ece=ece, reliability=table, operating_point=point,
                       similarity_reference=sorted(similarity_reference or []),
                       cv_ece=cv_ece, cv_reliability=cv_table, cv_operating_point=cv_point)


def _out_of_fold(x: np.ndarray, y: np.ndarray, folds: int = CV_FOLDS) -> np.ndarray:
    """Each row's probability by a model fitted on the other folds (a fixed interleaving, so a refit of the
    same questions reports the same figures)."""
    held = np.zeros(len(y))
    order = np.arange(len(y))
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        if len(test) == 0 or y[train].min() == y[train].max():
            held[test] = y[train].mean() if len(train) else 0.5
            continue
        coef, intercept = _fit_logistic(x[train], y[train])
        held[test] = 1 / (1 + np.exp(-np.clip(x[test] @ coef + intercept, -30, 30)))
    return held


# ---- storage ----------------------------------------------------------------------------------

_cache: dict[str, Calibration] = {}
_lock = threading.Lock()


@lru_cache(maxsize=1)
def default_calibration() -> Calibration:
    text = resources.files("assistant.evidence").joinpath("default_calibration.json").read_text("utf-8")
    return Calibration.from_json(json.loads(text))


def for_index(index: KnowledgeIndex) -> Calibration:
    """The calibration stored with the active index, or the packaged default."""
    name = index.active_collection
    with _lock:
        if name in _cache:
            return _cache[name]
    stored = index.annotation(ANNOTATION)
    calibration = Calibration.from_json(stored) if stored else default_calibration()
    if len(calibration.coef) != len(FEATURES):  # fitted before the features changed: rebuild to refit
        calibration = default_calibration()
    with _lock:
        _cache[name] = calibration
    return calibration


def store(index: KnowledgeIndex, calibration: Calibration) -> None:
    index.annotate(ANNOTATION, calibration.to_json())
    with _lock:
        _cache[index.active_collection] = calibration


__all__ = ["FEATURES", "Calibration", "default_calibration", "fit", "for_index", "percentile", "store"]
