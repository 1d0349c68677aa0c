"""gather_evidence: retrieve, rerank by the asked kind of answer, score sentences, decide support."""

from __future__ import annotations

from dataclasses import replace

from knowledge import Retriever, SearchResult

from .answer_types import asked
from .model import Evidence
from .ranking import TYPE_MARGIN, answer_first
from .sentences import key_terms, passage
from .support import DEFAULT_POLICY, SupportPolicy, assess

CANDIDATES = 10  # hits the answer-kind rerank may choose from; the first ``k`` are kept


def gather_evidence(query_text: str, *, language: str, retriever: Retriever, understood: tuple[str, ...] = (),
                    k: int = 5, policy: SupportPolicy = DEFAULT_POLICY) -> Evidence:
    """Evidence for one question: ranked passages with their supporting sentences and a verdict.

    ``query_text`` is the user's question as typed (Traditional and English are handled inside);
    ``language`` is ``"en"`` or ``"zh"`` as the normalise stage detected it; ``understood`` holds the
    spans of the message already read as details (dates, places, amounts: lower-cased, Simplified),
    which are then no topic words. Raises ``knowledge.QueryError`` for an empty or too long query and
    ``knowledge.IndexMissingError`` when nothing is indexed.
    """
    result = retriever.search(query_text, k=max(k, CANDIDATES))
    kinds = asked(query_text)
    rows = [(i, hit.score) for i, hit in enumerate(result.hits)]
    order = [i for i, _ in answer_first(query_text, rows, lambda i: result.hits[i].chunk.text, TYPE_MARGIN)][:k]
    hits = [replace(result.hits[i], rank=rank) for rank, i in enumerate(order, start=1)]
    ranked = SearchResult(query=result.query, hits=hits, query_tokens=result.query_tokens)
    bm25 = retriever.index.lexical()
    terms = key_terms(result.query_tokens, bm25)
    passages = tuple(passage(h.chunk, h.rank, h.score, terms, kinds) for h in hits)
    verdict = assess(query_text, ranked, bm25, understood, policy)
    supported = verdict.supported
    return Evidence(query=query_text, language=language, passages=passages, supported=supported,
                    support_probability=1.0 if supported else 0.0, reason=verdict.reason,  # type: ignore[arg-type]
                    asked_kinds=kinds, missing_kind=verdict.unstated, unknown_terms=verdict.unknown_terms,
                    search=ranked)
