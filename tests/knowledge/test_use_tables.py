"""Index builds encode documents from per-piece tables (``knowledge.use_tables``): the vectors must be the
package's own, to float rounding, for every kind of text the builds see, whatever order the pieces were met in
and when the tables are full."""

from pathlib import Path

import numpy as np
import pytest

from knowledge import make_embedder
from knowledge.chunking import build_chunks
from knowledge.index import DEFAULT_CORPUS
from knowledge.loaders import load_paths
from knowledge.use_tables import PieceTables, bulk_encoder

EXTENDED = Path(__file__).resolve().parents[2] / "evals" / "corpus_extended"
TOLERANCE = 1e-5  # per component of unit vectors; the sums run in another order than the package's products


@pytest.fixture(scope="module")
def use():
    embedder = make_embedder("use")
    embedder.embed_documents(["warm up"])
    return embedder


@pytest.fixture(scope="module")
def texts():
    chunks = build_chunks(load_paths([DEFAULT_CORPUS, EXTENDED]))
    edge = ["", " ", "。", "a", "伙伴", "Partner Center", "x" * 3000, "伙伴账单每月5号生成。" * 60,
            "😀 emoji und Umlaute: äöü ß", "CBC.30000010 错误码", "\n".join(["第一行", "第二行"])]
    return [c.text for c in chunks] + [c.title for c in chunks[:50]] + edge


def _package(use, texts):
    model = use._get()
    backend = model._model
    backend.threads = 1
    return np.vstack([model.encode(texts[i:i + 64]) for i in range(0, len(texts), 64)])


def test_tables_give_the_package_vectors(use, texts):
    expected = _package(use, texts)
    tables = bulk_encoder(use._get()._model)
    assert isinstance(tables, PieceTables)
    got = tables.encode(texts)
    assert got.shape == expected.shape and got.dtype == np.float32
    assert np.abs(got - expected).max() < TOLERANCE
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert tables.pieces > 1000  # the pieces were kept, not recomputed per batch


def test_order_of_encoding_and_full_tables_do_not_change_the_vectors(use, texts):
    sample = texts[:120] + texts[-11:]
    expected = _package(use, sample)
    reordered = PieceTables(use._get()._model)
    reordered.encode(list(reversed(sample)))  # the pieces are first met in another order, in other batches
    assert np.abs(reordered.encode(sample) - expected).max() < TOLERANCE
    tiny = PieceTables(use._get()._model, max_pieces=50)  # full after the first batch: the rest is per batch
    got = tiny.encode(sample)
    assert tiny.pieces <= 50
    assert np.abs(got - expected).max() < TOLERANCE


def test_the_embedders_bulk_encoder_is_embed_documents(use, texts):
    encode = use.bulk_encoder()
    sample = texts[:40]
    assert np.abs(encode(sample) - use.embed_documents(sample)).max() < TOLERANCE
    assert encode([]).shape == (0, 512)


def test_another_layout_of_the_package_falls_back_to_it():
    class Other:  # a backend this module does not know
        table = np.zeros((10, 512), np.uint8)

    assert bulk_encoder(Other()) is None
