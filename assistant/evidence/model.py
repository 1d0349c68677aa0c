"""The typed output of the evidence stage: ranked passages, their supporting sentences, a verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from knowledge import Chunk, SearchResult

Reason = Literal["ok", "weak_retrieval", "uncovered_terms", "unstated", "instruction", "task"]
AnswerKind = Literal["duration", "frequency", "money", "rate", "limit"]
PassageLanguage = Literal["zh", "en"]


@dataclass(frozen=True)
class Sentence:
    """One sentence of a passage, as an exact slice ``chunk.text[start:end]``."""

    text: str
    start: int
    end: int
    score: float                      # IDF-weighted share of the question's key terms this sentence holds, 0..1
    kinds: frozenset[str]             # kinds of answer it states (duration, frequency, money, rate, limit)
    question: bool                    # it asks rather than states (an FAQ title): never evidence
    similarity: float = 0.0           # cosine to the question by the index's embedder (0 when not embedded)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk seen as evidence for one question."""

    chunk: Chunk
    rank: int                         # 1-based, after the answer-kind rerank
    score: float                      # the retriever's fused score (comparable within one query only)
    sentences: tuple[Sentence, ...]   # in text order
    quote_sentences: tuple[int, ...]  # indices into ``sentences`` of the sentences that hold the answer
    quote: str                        # exact slice of ``chunk.text`` from the first to the last quoted sentence
    truncated: bool                   # the source excerpt is cut at its start or end: say so when quoting
    language: PassageLanguage         # the passage's own language: quote it as such, never translate
    supports: bool                    # a sentence of it holds the question's key terms (and the asked kind)
    rule_ids: frozenset[str]          # ids of ``tools.RULES`` whose anchor phrase this passage states
    coverage: float = 0.0             # IDF-weighted share of the question's key terms in title + text, 0..1
    # The supporting window the answerability features read: the quote before the sentence answering the
    # question's frame joined it (``sentences.choose_quote``), so that quote rule changes what is quoted, not
    # what is decided. Empty means the quote itself.
    window_sentences: tuple[int, ...] = ()

    @property
    def window(self) -> str:
        """Exact slice of the text over the supporting window (the quote when no frame sentence was added)."""
        if not self.window_sentences:
            return self.quote
        return self.chunk.text[self.sentences[self.window_sentences[0]].start:self.sentences[self.window_sentences[-1]].end]

    @property
    def question_only(self) -> bool:
        """An FAQ index excerpt that only lists questions: it names topics, it answers nothing."""
        return bool(self.sentences) and all(s.question for s in self.sentences)


@dataclass(frozen=True)
class Evidence:
    """What the corpus offers for one question, and whether it supports an answer.

    ``supported`` is the decision; ``support_probability`` the calibrated estimate behind it
    (the decision is ``support_probability >= threshold`` unless a hard rule vetoed: instructions,
    tasks). ``reason`` names why an unsupported question is unsupported. ``missing_kind`` lists
    the kinds of answer asked (``asked_kinds``) that no supporting sentence states: the topic is
    covered, the asked fact is not ("the rules state no time frame").
    """

    query: str
    language: str
    passages: tuple[Passage, ...]           # best first
    supported: bool
    support_probability: float
    reason: Reason
    asked_kinds: frozenset[str] = frozenset()
    missing_kind: tuple[str, ...] = ()
    unknown_terms: tuple[str, ...] = ()     # question words the index never uses
    search: SearchResult | None = field(default=None, repr=False)  # the raw retrieval, hits in passage order

    @property
    def best(self) -> Passage | None:
        return self.passages[0] if self.passages else None

    @property
    def supporting(self) -> tuple[Passage, ...]:
        """The passages that support an answer (empty when the question is not supported)."""
        return tuple(p for p in self.passages if p.supports) if self.supported else ()

    @property
    def rule_ids(self) -> frozenset[str]:
        """Rule ids anchored in the supporting passages: a tool may run only when one of its rules is here."""
        return frozenset(r for p in self.supporting for r in p.rule_ids)

    def states_rule(self, rule_id: str) -> bool:
        """Is the rule among the supporting evidence?"""
        return rule_id in self.rule_ids

    def retrieved_rule_ids(self) -> frozenset[str]:
        """Rule ids anchored in any retrieved passage, supporting or not (e.g. to ask a tool's follow-up
        only when its rule is what retrieval found best: ``evidence.best.rule_ids``)."""
        return frozenset(r for p in self.passages for r in p.rule_ids)
