"""A query reads one build: re-indexing while searches run never pairs one build's positions with another's chunks."""

import threading
import time

import numpy as np
import pytest

from knowledge import HashEmbedder, KnowledgeIndex, Retriever, make_client
from knowledge.documents import Excerpt

pytestmark = pytest.mark.integration


def corpus(word: str, n: int) -> list[Excerpt]:
    return [Excerpt(text=f"{word} 规则第{i}条:{word}{i} 的结算周期为 {i} 天,适用于 {word} 伙伴。", source=f"{word}.md:{i}")
            for i in range(n)]


def test_searches_during_rebuilds_stay_within_one_build(tmp_path):
    embedder = HashEmbedder()
    index = KnowledgeIndex(make_client(tmp_path), embedder, namespace="snapshot-test")
    shapes = [corpus("甲", 40), corpus("乙", 25)]  # different sizes: positions of one do not fit the other
    index.build(excerpts=shapes[0])
    retriever = Retriever(index)
    stop = threading.Event()

    def rebuild():
        n = 1
        while not stop.is_set():
            index.build(excerpts=shapes[n % 2], force=True)
            n += 1

    builder = threading.Thread(target=rebuild)
    builder.start()
    problems = []
    try:
        deadline = time.time() + 6
        query = "伙伴 结算周期 规则"
        vector = embedder.embed_query(query)
        while time.time() < deadline:
            result = retriever.search(query, k=5)
            words = {h.chunk.source.split(".")[0] for h in result.hits}
            if len(words) > 1:
                problems.append(("mixed builds", words))
            for hit in result.hits:
                if hit.dense_rank is not None:  # the dense score must be this chunk's own cosine
                    own = float(np.dot(vector, embedder.embed_documents([hit.chunk.text])[0]))
                    if abs(own - hit.dense) > 1e-3:
                        problems.append(("dense score of another chunk", hit.chunk.source, own, hit.dense))
    finally:
        stop.set()
        builder.join()
    assert not problems, problems[:5]


def test_in_process_dense_search_matches_chroma(tmp_path):
    """The exact in-process search returns what Chroma's index returns for the same build."""
    embedder = HashEmbedder()
    index = KnowledgeIndex(make_client(tmp_path), embedder, namespace="dense-test")
    index.build(excerpts=corpus("甲", 30) + corpus("乙", 30))
    snapshot = index.snapshot()
    assert snapshot.vectors is not None and snapshot.vectors.shape[0] == len(snapshot.chunks)
    for query in ("甲 结算周期", "乙 伙伴 规则第3条", "适用于"):
        vector = embedder.embed_query(query)
        local = index.dense(vector, 10, snapshot)
        result = snapshot.collection.query(query_embeddings=[vector.tolist()], n_results=10, include=["distances"])
        remote = [(snapshot.positions[cid], 1.0 - d) for cid, d in zip(result["ids"][0], result["distances"][0])]
        assert [round(s, 4) for _, s in local] == [round(s, 4) for _, s in remote]
        assert {p for p, _ in local} == {p for p, _ in remote} or len({round(s, 4) for _, s in local}) < 10
