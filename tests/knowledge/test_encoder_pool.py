"""Large builds encode in worker processes (``knowledge.embedders.embed_batches``): the vectors must be the
ones the building process would have computed itself, in the same order. Builds encode from per-piece tables
filled as pieces are met (``knowledge.use_tables``), so a worker's vectors equal the building process's own to
float rounding (the order the pieces were met in differs), not bit for bit."""

import numpy as np
import pytest

from knowledge import KnowledgeIndex, make_client, make_embedder
from knowledge import embedders as embedders_module
from knowledge.documents import Excerpt


TOLERANCE = 1e-5  # per component of unit vectors


@pytest.fixture(scope="module")
def use():
    return make_embedder("use")


def _same(a, b):
    return a.shape == b.shape and float(np.abs(a - b).max()) < TOLERANCE


def _texts(n):
    return [f"伙伴账单每月5号12:00前生成,第{i}条说明。" if i % 2 else f"Incentive number {i} goes on one invoice."
            for i in range(n)]


def test_worker_vectors_are_the_in_process_vectors(use, monkeypatch):
    monkeypatch.setattr(embedders_module, "POOL_MIN_TEXTS", 1)
    texts = _texts(70)
    batches = [texts[:30], [], texts[30:31], texts[31:]]  # an empty batch and a single text keep their places
    pooled = list(embedders_module.embed_batches(use, batches, workers=2))
    assert [None if p is None else p.shape[0] for p in pooled] == [30, None, 1, 39]
    for batch, got in zip(batches, pooled):
        if batch:
            assert _same(got, use.embed_documents(batch))


def test_small_or_single_core_work_stays_in_process(use, monkeypatch):
    import concurrent.futures

    started = []  # a pool started here would fail the test
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", lambda *a, **k: started.append(a) or 1 / 0)
    texts = _texts(5)
    assert _same(next(embedders_module.embed_batches(use, [texts], workers=2)), use.embed_documents(texts))
    monkeypatch.setattr(embedders_module, "POOL_MIN_TEXTS", 1)
    assert _same(next(embedders_module.embed_batches(use, [texts], workers=0)), use.embed_documents(texts))
    assert started == []


def test_a_build_through_workers_stores_the_same_index(use, tmp_path, monkeypatch):
    excerpts = [Excerpt(text=t, source=f"t:{i}") for i, t in enumerate(_texts(40) + ["伙伴账单每月5号12:00前生成,第1条说明。"])]

    def build(where, pool_min):
        monkeypatch.setattr(embedders_module, "POOL_MIN_TEXTS", pool_min)
        index = KnowledgeIndex(make_client(tmp_path / where), use)
        report = index.build(excerpts=excerpts)
        got = index._client.get_collection(report.manifest.collection).get(include=["embeddings", "documents"])
        return report, dict(zip(got["ids"], np.asarray(got["embeddings"]))), dict(zip(got["ids"], got["documents"]))

    in_process, vectors, documents = build("a", 10**9)
    pooled, pooled_vectors, pooled_documents = build("b", 1)
    assert pooled.embedded == in_process.embedded and pooled.manifest.chunk_count == in_process.manifest.chunk_count
    assert documents == pooled_documents and vectors.keys() == pooled_vectors.keys()
    assert all(_same(np.asarray(vectors[k]), np.asarray(pooled_vectors[k])) for k in vectors)


def test_workers_that_cannot_start_leave_the_work_to_this_process(monkeypatch):
    """A worker that fails (here: it cannot build its encoder) breaks the pool; every batch is still encoded,
    in order, by the building process."""
    from knowledge import HashEmbedder

    class Unbuildable(HashEmbedder):
        def worker_spec(self):
            return "no-such-embedder", None

    monkeypatch.setattr(embedders_module, "POOL_MIN_TEXTS", 1)
    embedder = Unbuildable()
    batches = [_texts(5), [], _texts(3)]
    got = list(embedders_module.embed_batches(embedder, batches, workers=1))
    assert got[1] is None
    assert np.array_equal(got[0], embedder.embed_documents(batches[0]))
    assert np.array_equal(got[2], embedder.embed_documents(batches[2]))


def test_workers_encode_from_the_call_on_and_stop_when_closed(use, monkeypatch):
    """The workers start when ``embed_batches`` is called, so the build's own work before its first batch
    overlaps the encoding; closed before the end, they stop and what is still asked for is encoded here."""
    monkeypatch.setattr(embedders_module, "POOL_MIN_TEXTS", 1)
    texts = _texts(12)
    batches = [texts[:4], texts[4:8], texts[8:]]
    encoded = embedders_module.embed_batches(use, batches, workers=1)
    assert encoded._pool is not None and len(encoded._pending) == 3  # all submitted before anything is asked
    assert encoded._pending[0].result(timeout=120).shape == (4, 512)  # encoding while nobody waits for it
    assert _same(next(encoded), use.embed_documents(batches[0]))
    encoded.close()
    assert encoded._pool is None
    assert _same(next(encoded), use.embed_documents(batches[1]))  # after close: in this process
    assert _same(next(encoded), use.embed_documents(batches[2]))
    with pytest.raises(StopIteration):
        next(encoded)
