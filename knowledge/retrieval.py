"""Hybrid retrieval: dense (Chroma) and BM25 scores on one absolute scale, fused by weight.

Both signals are kept on a fixed [0, 1]-ish scale (cosine similarity; BM25 divided by the
score a document holding every known query term would get) instead of rank fusion, so the
fused score also serves as a support signal for abstention. Weights are tuned on the dev split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .documents import Chunk
from .errors import QueryError
from .index import KnowledgeIndex
from .lexical import to_simplified, tokenize

Mode = Literal["hybrid", "dense", "lexical"]
MAX_QUERY_CHARS = 2000
DEFAULT_ALPHA = 0.6  # dense weight; tuned on the dev split (see evals/README and bench/)


@dataclass(frozen=True)
class SearchHit:
    chunk: Chunk
    score: float
    dense: float
    lexical: float
    rank: int


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[SearchHit]
    query_tokens: list[str]


def validate_query(query: str) -> str:
    if not isinstance(query, str) or not query.strip():
        raise QueryError("query is empty: type a question")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query has {len(query)} characters; the limit is {MAX_QUERY_CHARS}")
    return query.strip()


class Retriever:
    def __init__(self, index: KnowledgeIndex, mode: Mode = "hybrid", alpha: float = DEFAULT_ALPHA,
                 candidates: int = 50) -> None:
        if mode not in ("hybrid", "dense", "lexical"):
            raise QueryError(f"unknown retrieval mode {mode!r}; use hybrid, dense or lexical")
        self.index = index
        self.mode = mode
        self.alpha = alpha
        self.candidates = candidates

    def search(self, query: str, k: int = 5) -> SearchResult:
        query = validate_query(query)
        if not 1 <= k <= 100:
            raise QueryError(f"k must be between 1 and 100, got {k}")
        chunks = self.index.chunks
        bm25 = self.index.lexical()
        tokens = tokenize(query)
        known = [t for t in tokens if bm25.vocabulary_has(t)]

        lexical = np.zeros(len(chunks), dtype=np.float32)
        if self.mode != "dense" and known:
            lexical = bm25.scores(known) / max(bm25.max_score(known), 1e-9)
        dense: dict[int, float] = {}
        if self.mode != "lexical":
            vector = self.index.embedder.embed_query(to_simplified(query))
            dense = dict(self.index.dense(vector, max(self.candidates, k)))

        if self.mode == "dense":
            ranked = sorted(dense.items(), key=lambda kv: -kv[1])
            scored = [(pos, sim, sim, float(lexical[pos])) for pos, sim in ranked]
        elif self.mode == "lexical":
            top = np.argsort(-lexical)[:k]
            scored = [(int(p), float(lexical[p]), 0.0, float(lexical[p])) for p in top if lexical[p] > 0]
        else:
            floor = min(dense.values()) if dense else 0.0
            lex_top = np.argsort(-lexical)[: self.candidates]
            pool = set(dense) | {int(p) for p in lex_top if lexical[p] > 0}
            scored = []
            for pos in pool:
                d = dense.get(pos, floor)
                lx = float(lexical[pos])
                scored.append((pos, self.alpha * d + (1 - self.alpha) * lx, d, lx))
            scored.sort(key=lambda row: -row[1])
        hits = [SearchHit(chunk=chunks[pos], score=s, dense=d, lexical=lx, rank=i + 1)
                for i, (pos, s, d, lx) in enumerate(scored[:k])]
        return SearchResult(query=query, hits=hits, query_tokens=tokens)
