"""Hybrid retrieval: dense (Chroma) and BM25 ranked lists fused by reciprocal rank (RRF).

Scores of the two lists live on different scales that drift as the corpus grows (BM25 grows with
the number of query terms the index knows; the best cosine grows with the number of chunks), so
they are fused by rank, not by value: ``sum(w / (RRF_K + rank))``. Each hit keeps its raw cosine,
raw BM25 score and its rank in each list, and the result keeps the head of both score lists, so
the evidence stage can judge a hit against this query's own score distribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .documents import Chunk
from .errors import QueryError, StaleSnapshotError
from .index import KnowledgeIndex
from .lexical import to_simplified, tokenize

Mode = Literal["hybrid", "dense", "lexical"]
MAX_QUERY_CHARS = 2000
DEFAULT_ALPHA = 0.5  # dense list's weight in the rank fusion (lexical: 1 - alpha); dev split
RRF_K = 60           # the usual reciprocal-rank constant: rank 1 and rank 5 differ, rank 40 and 45 barely


@dataclass(frozen=True)
class SearchHit:
    chunk: Chunk
    score: float                    # fused score (RRF in hybrid mode; the list's own score otherwise)
    dense: float                    # cosine similarity (0 when the chunk is not in the dense list)
    lexical: float                  # raw BM25 score
    rank: int
    dense_rank: int | None = None   # 1-based rank in the dense list, None when not in it
    lexical_rank: int | None = None  # 1-based rank in the BM25 list, None when it holds no query term


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[SearchHit]
    query_tokens: list[str]
    dense_top: tuple[float, ...] = ()    # the dense list's scores, best first (its candidates)
    lexical_top: tuple[float, ...] = ()  # the BM25 list's scores, best first (its candidates)


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
        try:
            return self._search(query, k, self.index.snapshot())
        except StaleSnapshotError:  # swept by two re-indexes during this query: once more on the new build
            return self._search(query, k, self.index.snapshot(reload=True))

    def _search(self, query: str, k: int, snapshot: Any) -> SearchResult:
        """Chunks, BM25 and dense positions all from ``snapshot``: one build per query."""
        chunks = snapshot.chunks
        bm25 = snapshot.bm25
        tokens = tokenize(query, snapshot.lexicon)  # analysed as this build's passages were
        known = [t for t in tokens if bm25.vocabulary_has(t)]
        depth = max(self.candidates, k)

        lexical_list: list[tuple[int, float]] = []
        lexical = None
        if self.mode != "dense" and known:
            lexical = bm25.scores(known)
            top = np.argpartition(-lexical, min(depth, len(lexical) - 1))[:depth] if len(lexical) > depth \
                else np.arange(len(lexical))
            lexical_list = sorted(((int(p), float(lexical[p])) for p in top if lexical[p] > 0), key=lambda r: -r[1])
        dense_list: list[tuple[int, float]] = []
        if self.mode != "lexical":
            vector = self.index.embedder.embed_query(to_simplified(query))
            dense_list = sorted(self.index.dense(vector, depth, snapshot), key=lambda r: -r[1])

        dense_rank = {pos: i for i, (pos, _) in enumerate(dense_list, start=1)}
        lexical_rank = {pos: i for i, (pos, _) in enumerate(lexical_list, start=1)}
        cosine = dict(dense_list)

        def lexical_of(pos: int) -> float:
            return float(lexical[pos]) if lexical is not None else 0.0

        if self.mode == "dense":
            scored = [(pos, sim) for pos, sim in dense_list]
        elif self.mode == "lexical":
            scored = list(lexical_list)
        else:
            fused: dict[int, float] = {}
            for pos, rank in dense_rank.items():
                fused[pos] = self.alpha / (RRF_K + rank)
            for pos, rank in lexical_rank.items():
                fused[pos] = fused.get(pos, 0.0) + (1 - self.alpha) / (RRF_K + rank)
            # Ties (the same fused score) go to the better dense rank, then the better lexical rank.
            scored = sorted(fused.items(), key=lambda r: (-r[1], dense_rank.get(r[0], 10**9),
                                                          lexical_rank.get(r[0], 10**9)))
        hits = [SearchHit(chunk=chunks[pos], score=float(s), dense=cosine.get(pos, 0.0), lexical=lexical_of(pos),
                          rank=i + 1, dense_rank=dense_rank.get(pos), lexical_rank=lexical_rank.get(pos))
                for i, (pos, s) in enumerate(scored[:k])]
        return SearchResult(query=query, hits=hits, query_tokens=tokens,
                            dense_top=tuple(s for _, s in dense_list), lexical_top=tuple(s for _, s in lexical_list))
