"""Which rules-engine tools does a question call for?

Each tool is profiled by its description and example phrasings (zh and en). A question is scored
against every profile by meaning (the embedder's similarity to the closest example) and by words
(IDF-weighted share of the question's terms that are distinctive for the tool). No keyword chains:
adding a tool means adding its examples. Thresholds are tuned on the dev split.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from knowledge import Embedder
from knowledge.lexical import canonical_terms, to_simplified, tokenize
from tools import TOOLS, Tool

DENSE_WEIGHT = 0.5
THRESHOLD = 0.42     # a tool applies when its combined score reaches this
MARGIN = 0.06        # a second tool applies too when it is this close to the best
EVIDENCE_BONUS = 0.1  # for a tool whose arguments the message already supplies
RECENT = 64  # questions whose scores are kept
GENERIC_SHARE = 0.4  # a word more than this share of the tools use names no topic


@dataclass(frozen=True)
class Route:
    tool: str
    score: float
    dense: float
    lexical: float


class ToolRouter:
    def __init__(self, embedder: Embedder, tools: dict[str, Tool] | None = None,
                 threshold: float = THRESHOLD, margin: float = MARGIN,
                 vocabulary: Callable[[], frozenset[str]] | None = None) -> None:
        self.embedder = embedder
        # Only domain words count lexically ("今天" in an example must not pull in weather questions).
        # ``vocabulary`` is asked on every question: when it returns another set (the index was rebuilt
        # with new documents), the word profiles are derived again from it.
        self.vocabulary = vocabulary
        # A tool chosen from the evidence instead (duration_deadline, for a retrieved duration rule) is not routed.
        self.tools = {name: tool for name, tool in (tools or TOOLS).items() if tool.routed}
        self.threshold = threshold
        self.margin = margin
        self._lock = threading.Lock()
        self._vectors: dict[str, np.ndarray] | None = None
        self._words: tuple[frozenset[str], frozenset[str], dict[str, Counter], dict[str, float]] | None = None
        self._recent: dict[tuple[str, int], tuple[Route, ...]] = {}
        self._generation = 0  # counts word-profile rebuilds: kept scores belong to one

    def _profile(self) -> tuple[dict[str, np.ndarray], frozenset[str], dict[str, Counter], dict[str, float]]:
        """Example vectors (computed once) and, for the current vocabulary, each tool's domain words."""
        source = self.vocabulary() if self.vocabulary is not None else _default_domain()
        with self._lock:
            if self._vectors is None:
                self._vectors = {name: self.embedder.embed_documents(list(tool.examples))
                                 for name, tool in self.tools.items()}
            if self._words is None or self._words[0] is not source:
                domain = source | canonical_terms()
                terms = {name: Counter(t for text in (*tool.examples, tool.description.split("\n\n")[0])
                                       for t in tokenize(text) if t in domain)
                         for name, tool in self.tools.items()}
                df = Counter(t for bag in terms.values() for t in bag)
                idf = {t: math.log(len(self.tools) / n) for t, n in df.items()}
                self._words = (source, domain, terms, idf)
                self._generation += 1
            return self._vectors, self._words[1], self._words[2], self._words[3]

    def scores(self, question: str) -> list[Route]:
        """Every routed tool scored for ``question``, best first. The last few questions' scores are kept
        (the understanding and plan stages both read them in one turn) for the current vocabulary."""
        vectors, domain, terms, idf = self._profile()
        key = (question, self._generation)
        with self._lock:
            kept = self._recent.get(key)
        if kept is not None:
            return list(kept)
        routes = self._score(question, vectors, domain, terms, idf)
        with self._lock:
            self._recent[key] = tuple(routes)
            while len(self._recent) > RECENT:
                self._recent.pop(next(iter(self._recent)))
        return routes

    def _score(self, question: str, vectors: dict[str, np.ndarray], domain: frozenset[str],
               terms: dict[str, Counter], idf: dict[str, float]) -> list[Route]:
        query = self.embedder.embed_query(to_simplified(question.strip()))  # the text retrieval embeds too
        tokens = {t for t in tokenize(question) if t in domain}
        # Domain words no tool uses still count in the denominator (as the rarest): a question about
        # 联合立项 that also says 伙伴 is not a partner-bill question.
        rarest = max(idf.values(), default=1.0)
        # ... and the question weighs at least one tool-specific word: a lone word many tools share ("查" in
        # 這要在哪裡查?) is a weak match, not a full one (a share of 1.0 routed a where-question to the look-back).
        informative = max(sum(idf.get(t, rarest) for t in tokens), rarest) or 1.0
        routes = []
        for name in self.tools:
            dense = float(np.max(vectors[name] @ query))
            lexical = sum(idf.get(t, 0.0) for t in tokens if t in terms[name]) / informative
            routes.append(Route(name, DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lexical, dense, lexical))
        return sorted(routes, key=lambda r: -r.score)

    def topic_terms(self, question: str) -> frozenset[str]:
        """The question's domain words (its topic, as far as words show it)."""
        _, domain, _, _ = self._profile()
        return frozenset(t for t in tokenize(question) if t in domain)

    def generic_terms(self) -> frozenset[str]:
        """Domain words more than GENERIC_SHARE of the tools use (查看, 客户 with the bundled tools): they name
        no one topic (业绩 and 客户消费, in 4 of 11, still do)."""
        _, _, terms, _ = self._profile()
        df = Counter(t for bag in terms.values() for t in bag)
        return frozenset(t for t, n in df.items() if n > GENERIC_SHARE * len(terms))

    def tool_terms(self, tools: tuple[str, ...]) -> frozenset[str]:
        """The domain words the tools' examples and descriptions use."""
        _, _, terms, _ = self._profile()
        return frozenset(t for name in tools if name in terms for t in terms[name])

    def candidates(self, question: str, evidence: Callable[[str], bool] | None = None,
                   scored: list[Route] | None = None) -> list[Route]:
        """Every tool the question could call for, best first, before the threshold: a tool needs at least
        one of its domain words in the question, besides a close meaning. ``evidence(tool)`` says whether
        the message already holds everything the tool needs (a month for a look-back, an amount for a card
        payment): a tool the message can complete gets a small bonus, the rest compete on wording alone.
        ``scored`` is ``scores(question)`` when the caller already has it."""
        everything = scored if scored is not None else self.scores(question)
        ranked = [r for r in everything if r.lexical > 0]
        if evidence is not None and not ranked:
            # No domain word at all ("We keep getting 503"): the message's own values are its words when
            # they complete exactly one tool (a status code in its context is error_code_lookup's key; a bare
            # date completes several tools and decides nothing). The tool then counts as fully matched.
            completed = [r for r in everything if evidence(r.tool)]
            if len(completed) == 1:
                r = completed[0]
                ranked = [Route(r.tool, DENSE_WEIGHT * r.dense + (1 - DENSE_WEIGHT), r.dense, 1.0)]
        if evidence is not None:
            ranked = sorted((Route(r.tool, r.score + EVIDENCE_BONUS, r.dense, r.lexical)
                             if r.score >= self.threshold - EVIDENCE_BONUS and evidence(r.tool) else r
                             for r in ranked), key=lambda r: -r.score)
        return ranked

    def route(self, question: str, evidence: Callable[[str], bool] | None = None,
              scored: list[Route] | None = None) -> list[Route]:
        """Tools the question calls for by its wording alone: the best candidate when it reaches the
        threshold, and any other as close to it as the margin."""
        ranked = self.candidates(question, evidence, scored)
        if not ranked or ranked[0].score < self.threshold:
            return []
        return [r for r in ranked if r.score >= self.threshold and ranked[0].score - r.score <= self.margin]


@lru_cache(maxsize=1)
def _default_domain() -> frozenset[str]:
    """The default corpus's words, for a router built without an index."""
    from knowledge import DEFAULT_CORPUS
    from knowledge.loaders import load_paths

    return frozenset(t for excerpt in load_paths([DEFAULT_CORPUS]) for t in tokenize(excerpt.text))

