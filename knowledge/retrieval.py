"""Hybrid retrieval: dense (Chroma) and BM25 ranked lists fused by reciprocal rank (RRF).

Scores of the two lists live on different scales that drift as the corpus grows (BM25 grows with
the number of query terms the index knows; the best cosine grows with the number of chunks), so
they are fused by rank, not by value: ``sum(w / (RRF_K + rank))``. Each hit keeps its raw cosine,
raw BM25 score and its rank in each list, and the result keeps the head of both score lists, so
the evidence stage can judge a hit against this query's own score distribution.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
# A dictionary translation is weaker evidence of the asked word than the word itself (a dictionary lists every
# sense: "submitted" -> 提交 also matches every excerpt about submitting anything).
TRANSLATION_WEIGHT = 0.5
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


def query_groups(tokens: list[str], bm25, equivalents: Callable[[str], Iterable[str]] | None = None
                 ) -> list[tuple[tuple[str, float], ...]]:
    """The query's terms for BM25, each a group of the index's terms that stand for one query word, with
    weights: the word itself (1) when the index holds it and, for a Latin-letter word, the index's Chinese
    words ``equivalents`` gives for it (``TRANSLATION_WEIGHT``: an English question over Chinese excerpts,
    "recall" also matches 撤回)."""
    groups: list[tuple[tuple[str, float], ...]] = []
    seen: set[str] = set()
    for token in tokens:
        if token in seen:
            continue
        seen.add(token)
        members = [(token, 1.0)] if bm25.vocabulary_has(token) else []
        if equivalents is not None and token.isascii() and any("a" <= ch <= "z" for ch in token):
            members += [(t, TRANSLATION_WEIGHT) for t in sorted(set(equivalents(token)))
                        if t != token and bm25.vocabulary_has(t)]
        if members:
            groups.append(tuple(members))
    return groups


def _best(scores: np.ndarray, depth: int) -> list[tuple[int, float]]:
    """The ``depth`` best positions with a positive score, best first."""
    top = np.argpartition(-scores, min(depth, len(scores) - 1))[:depth] if len(scores) > depth else np.arange(len(scores))
    return sorted(((int(p), float(scores[p])) for p in top if scores[p] > 0), key=lambda r: -r[1])


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

    def search(self, query: str, k: int = 5,
               equivalents: Callable[[str], Iterable[str]] | None = None) -> SearchResult:
        """The ``k`` best chunks for ``query``. ``equivalents`` gives a query word's equivalents in the other
        language (a bilingual dictionary, supplied by the caller: ``knowledge`` holds none); with it, a
        Latin-letter word the glossary did not fold also matches the index's Chinese words it translates to,
        as one group (``BM25Index.group_scores``)."""
        query = validate_query(query)
        if not 1 <= k <= 100:
            raise QueryError(f"k must be between 1 and 100, got {k}")
        try:
            return self._search(query, k, self.index.snapshot(), equivalents)
        except StaleSnapshotError:  # swept by two re-indexes during this query: once more on the new build
            return self._search(query, k, self.index.snapshot(reload=True), equivalents)

    def _search(self, query: str, k: int, snapshot: Any,
                equivalents: Callable[[str], Iterable[str]] | None = None) -> SearchResult:
        """Chunks, BM25 and dense positions all from ``snapshot``: one build per query."""
        chunks = snapshot.chunks
        bm25 = snapshot.bm25
        tokens = tokenize(query, snapshot.lexicon)  # analysed as this build's passages were
        groups = query_groups(tokens, bm25, equivalents)
        depth = max(self.candidates, k)

        lexical_list: list[tuple[int, float]] = []
        lexical = None
        lexical_top: tuple[float, ...] = ()
        if self.mode != "dense" and groups:
            lexical = bm25.group_scores(groups)
            lexical_list = _best(lexical, depth)
            lexical_top = tuple(s for _, s in lexical_list)
            if any(w != 1.0 for group in groups for _, w in group):
                # The head of the scores reported with the result (which the evidence stage reads as how
                # strongly the index matches the question) stays that of the question's own words:
                # translations order the candidates, they are weaker evidence that the index speaks of it.
                own = [t for group in groups for t, w in group if w == 1.0]
                lexical_top = tuple(s for _, s in _best(bm25.scores(own), depth)) if own else ()
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
                            dense_top=tuple(s for _, s in dense_list), lexical_top=lexical_top)
