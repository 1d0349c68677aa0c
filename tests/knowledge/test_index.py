import numpy as np
import pytest

from knowledge import (DEFAULT_CORPUS, HashEmbedder, IndexMismatchError, IndexMissingError, KnowledgeError,
                       KnowledgeIndex, QueryError, Retriever, make_client)

pytestmark = pytest.mark.integration


def write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class CountingEmbedder(HashEmbedder):
    def __init__(self, fail_after=None):
        super().__init__()
        self.embedded = 0
        self.fail_after = fail_after

    def embed_documents(self, texts):
        if self.fail_after is not None and self.embedded + len(texts) > self.fail_after:
            raise RuntimeError("embedder died mid-build")
        self.embedded += len(texts)
        return super().embed_documents(texts)


def test_build_search_and_manifest(hash_index):
    with pytest.raises(IndexMissingError, match="index build"):
        Retriever(hash_index).search("账单")
    report = hash_index.build([DEFAULT_CORPUS])
    assert report.manifest.chunk_count == 17 and report.embedded == 17
    assert hash_index.manifest().embedder == "hash-256"
    hits = Retriever(hash_index).search("伙伴账单每月5号几点前生成", k=3).hits
    assert "每月5号12:00前" in hits[0].chunk.text
    assert [h.rank for h in hits] == [1, 2, 3]
    again = hash_index.build([DEFAULT_CORPUS])
    assert again.unchanged and again.embedded == 0


def test_incremental_rebuild_embeds_only_changes_and_drops_deleted(any_client, tmp_path, request):
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs / "a.txt", ["规则甲:伙伴账单每月生成。", "规则乙:储值卡不计业绩。"])
    write(docs / "b.txt", ["规则丙:订单只对业务员名下客户可见。"])
    embedder = CountingEmbedder()
    index = KnowledgeIndex(any_client, embedder, namespace="inc-" + str(abs(hash(request.node.nodeid)))[:10])
    index.build([docs])
    assert embedder.embedded == 3

    write(docs / "c.txt", ["规则丁:新增的一条。"])                       # added file
    write(docs / "a.txt", ["规则甲:伙伴账单每月生成。", "规则乙改:储值卡支付按现金额度计业绩。"])  # changed line
    report = index.build([docs])
    assert (report.added, report.removed, report.embedded, report.reused) == (2, 1, 2, 2)
    assert embedder.embedded == 5

    (docs / "b.txt").unlink()                                              # deleted file
    report = index.build([docs])
    assert (report.removed, report.embedded, report.manifest.chunk_count) == (1, 0, 3)
    texts = {c.text for c in index.chunks}
    assert "规则丙:订单只对业务员名下客户可见。" not in texts and "规则丁:新增的一条。" in texts


def test_interrupted_build_leaves_previous_index_usable(any_client, tmp_path, request):
    namespace = "int-" + str(abs(hash(request.node.nodeid)))[:10]
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs / "a.txt", [f"第{i}条:伙伴账单规则说明。" for i in range(5)])
    KnowledgeIndex(any_client, CountingEmbedder(), namespace=namespace).build([docs])
    write(docs / "a.txt", [f"第{i}条:全新的规则文本,需要重新嵌入。" for i in range(600)])
    broken = KnowledgeIndex(any_client, CountingEmbedder(fail_after=300), namespace=namespace)
    with pytest.raises(RuntimeError, match="mid-build"):
        broken.build([docs])
    survivor = KnowledgeIndex(any_client, CountingEmbedder(), namespace=namespace)
    assert survivor.manifest().chunk_count == 5
    assert len(Retriever(survivor).search("伙伴账单", k=5).hits) == 5
    names = {getattr(c, "name", c) for c in any_client.list_collections()}
    assert sum(n.startswith(namespace + "-") and not n.endswith("manifest") for n in names) == 1


def test_query_with_another_embedder_says_rebuild(any_client, request):
    namespace = "mm-" + str(abs(hash(request.node.nodeid)))[:10]
    KnowledgeIndex(any_client, HashEmbedder(), namespace=namespace).build([DEFAULT_CORPUS])
    other = KnowledgeIndex(any_client, HashEmbedder(dim=64), namespace=namespace)
    with pytest.raises(IndexMismatchError, match="rebuild"):
        Retriever(other).search("账单")


@pytest.mark.parametrize("query,message", [("", "empty"), ("   ", "empty"), ("问" * 10_000, "10000 characters")])
def test_bad_queries(hash_index, query, message):
    hash_index.build([DEFAULT_CORPUS])
    with pytest.raises(QueryError, match=message):
        Retriever(hash_index).search(query)


def test_modes_rank_differently_but_all_find_exact_wording(hash_index):
    hash_index.build([DEFAULT_CORPUS])
    for mode in ("dense", "lexical", "hybrid"):
        hits = Retriever(hash_index, mode=mode).search("客户经理主管不能报备商机", k=3).hits
        assert "客户经理主管不能报备商机" in hits[0].chunk.text, mode
        assert all(np.isfinite(h.score) for h in hits)


def test_a_changed_lexical_analysis_rebuilds_tokens_without_re_embedding(any_client, request, monkeypatch):
    from knowledge import lexical

    namespace = "tok-" + str(abs(hash(request.node.nodeid)))[:10]
    embedder = CountingEmbedder()
    index = KnowledgeIndex(any_client, embedder, namespace=namespace)
    index.build([DEFAULT_CORPUS])
    assert index.build([DEFAULT_CORPUS]).unchanged
    monkeypatch.setattr(lexical, "TOKENIZER_REVISION", "test-next")
    lexical.tokenizer_fingerprint.cache_clear()
    try:
        report = index.build([DEFAULT_CORPUS])
    finally:
        lexical.tokenizer_fingerprint.cache_clear()
    assert not report.unchanged and report.embedded == 0 and report.reused == 17


def test_a_reader_keeps_working_while_another_process_re_indexes(any_client, tmp_path, request):
    import time as _time

    from knowledge import index as index_module

    namespace = "rd-" + str(abs(hash(request.node.nodeid)))[:10]
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs / "a.txt", ["规则甲:伙伴账单每月生成。"])
    writer = KnowledgeIndex(any_client, HashEmbedder(), namespace=namespace)
    writer.build([docs])
    reader = KnowledgeIndex(any_client, HashEmbedder(), namespace=namespace)
    assert Retriever(reader).search("伙伴账单").hits  # the reader holds the first collection
    for n in range(2):  # two re-indexes in a row: the reader's collection is swept by the second
        write(docs / "a.txt", ["规则甲:伙伴账单每月生成。", f"规则{n}:新的一条。"])
        writer.build([docs])
    assert Retriever(reader).search("伙伴账单").hits  # still answers (kept, or reloaded after a miss)
    _time.sleep(index_module.MANIFEST_TTL + 0.1)
    assert {c.text for c in reader.chunks} == {"规则甲:伙伴账单每月生成。", "规则1:新的一条。"}


def test_an_unusable_data_directory_is_named_not_a_traceback(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(KnowledgeError, match=r"cannot use data directory .*a-file/data"):
        make_client(blocker / "data")


def test_each_build_carries_its_own_catalogue(any_client, tmp_path, request, monkeypatch):
    """Codes and menus are read at build time and stored with the build's collection: a reader sees the
    catalogue of the build it loaded, and the next build's once it switches (never one build's chunks with
    another's catalogue)."""
    from knowledge import catalogue as catalogue_module
    from knowledge import index as index_module

    # The reader re-reads the manifest once MANIFEST_TTL has passed; a slow build under load must not let it
    # switch on its own before the reload below, so the "still the build it holds" check is not timing-bound.
    monkeypatch.setattr(index_module, "MANIFEST_TTL", 3600.0)
    namespace = "cat-" + str(abs(hash(request.node.nodeid)))[:10]
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs / "a.txt", ["HTTP状态码 错误码 描述 401 PTN.4004 请求时间与服务器时间相差超过15分钟。",
                           "操作步骤 在顶部导航栏中选择“销售 > 账务 > 资金管理”。 单击“批量下拨”。"])
    writer = KnowledgeIndex(any_client, HashEmbedder(), namespace=namespace)
    report = writer.build([docs])
    assert (report.error_codes, report.menu_paths) == (1, 1)
    reader = KnowledgeIndex(any_client, HashEmbedder(), namespace=namespace)
    # the reader takes the stored catalogue, it does not derive one from the chunks
    monkeypatch.setattr(index_module, "build_catalogue", lambda chunks: pytest.fail("derived instead of read"))
    first = reader.catalogue()
    assert [(c.code, c.http_status) for c in first.codes] == [("PTN.4004", 401)]
    row = first.codes[0]
    assert reader.chunk(row.chunk_id) is not None and row.sentence in reader.chunk(row.chunk_id).text
    assert first.menus[0].menu_path == "销售 > 账务 > 资金管理" and first.menus[0].labels == ["批量下拨"]
    monkeypatch.setattr(index_module, "build_catalogue", catalogue_module.build_catalogue)
    write(docs / "a.txt", ["HTTP状态码 错误码 描述 429 CBC.0250 请求过于频繁。"])
    writer.build([docs])
    assert [c.code for c in reader.catalogue().codes] == ["PTN.4004"]  # still the build it holds
    reader.snapshot(reload=True)
    assert [c.code for c in reader.catalogue().codes] == ["CBC.0250"] and reader.catalogue().menus == []
