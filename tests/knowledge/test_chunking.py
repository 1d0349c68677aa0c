from knowledge import DEFAULT_CORPUS
from knowledge.chunking import MAX_CHUNK_CHARS, build_chunks, chunk_id
from knowledge.documents import Excerpt
from knowledge.loaders import load_paths


def corpus_chunks():
    return build_chunks(load_paths([DEFAULT_CORPUS]))


def test_vendored_corpus_cleaning():
    chunks = corpus_chunks()
    texts = [c.text for c in chunks]
    assert not any(t.startswith("检测到您已登录") or t == "不再显示此消息" for t in texts)
    # 20 excerpt lines, 3 exact duplicate pairs -> 17 chunks, each duplicate remembering both origins
    assert len(chunks) == 17
    dupes = sorted(c.origins for c in chunks if len(c.origins) > 1)
    assert dupes == [["partner_center_rules_zh.txt:12", "partner_center_rules_zh.txt:20"],
                     ["partner_center_rules_zh.txt:13", "partner_center_rules_zh.txt:17"],
                     ["partner_center_rules_zh.txt:7", "partner_center_rules_zh.txt:10"]]


def test_shared_preamble_excerpts_stay_separate_with_their_codes():
    coded = [c for c in corpus_chunks() if c.error_codes]
    assert sorted((c.error_codes[0].code, c.error_codes[0].http_status) for c in coded) == [
        ("CBC.0000", 200), ("CBC.0100", 400), ("CBC.30000010", 400)]
    assert len({c.id for c in coded}) == 3


def test_metadata():
    by_origin = {c.origins[0].split(":")[1]: c for c in corpus_chunks()}
    assert by_origin["5"].title == "合作伙伴为华为的激励开票时,是否可以将多笔激励,合并开在同一张发票上?"
    assert by_origin["5"].cut_end is True  # ends on a dangling "父主题:"
    assert by_origin["8"].parent_topic == "共享给华为(PO)" and by_origin["8"].cut_end is False
    assert by_origin["12"].menu_path == "销售 > 账务 > 伙伴账单"
    assert by_origin["21"].menu_path == "销售 > 客户 > 客户订单"
    assert by_origin["13"].title == "业绩查询"
    assert by_origin["16"].cut_start is True and by_origin["16"].title.startswith("伙伴购买储值卡")
    assert by_origin["18"].cut_start is True
    assert by_origin["12"].cut_start is False and by_origin["12"].cut_end is False
    assert by_origin["3"].cut_end is True


def test_ids_are_content_hashes_and_nfkc_normalised():
    a = build_chunks([Excerpt(text="伙伴账单，每月生成。", source="x:1")])
    b = build_chunks([Excerpt(text="伙伴账单,每月生成。", source="y:9")])
    assert a[0].id == b[0].id == chunk_id("伙伴账单,每月生成。")


def test_long_documents_split_at_sentences_with_overlap():
    sentences = [f"第{i}条规则说明了一些内容并且足够长以便测试切分行为。" for i in range(60)]
    chunks = build_chunks([Excerpt(text=" ".join(sentences), source="long.md:1")])
    assert len(chunks) > 1
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    for first, second in zip(chunks, chunks[1:]):
        assert first.text.split(" ")[-1] == second.text.split(" ")[0]  # one sentence of overlap
        assert second.text.split(" ")[0].endswith("。")
    joined = " ".join(chunks[0].text.split(" ") + [s for c in chunks[1:] for s in c.text.split(" ")[1:]])
    assert joined == " ".join(sentences)


def test_code_rows_in_both_flattened_forms():
    from knowledge.code_tables import code_rows

    flat = ("HTTP状态码 错误码 描述 404 CBC.0200 客户不存在。 429 PTN.4029 获取Token过于频繁,每分钟最多10次。 "
            "400 MKT.0003 下架公告期不足30天。 父主题: 云商店API参考")
    assert [(c, s, m) for c, s, m, _ in code_rows(flat)] == [
        ("CBC.0200", 404, "客户不存在。"), ("PTN.4029", 429, "获取Token过于频繁,每分钟最多10次。"),
        ("MKT.0003", 400, "下架公告期不足30天。")]
    named = ("HTTP Status Code: 401, Error Code: PTN.4004, Description: Request time differs by more than 15 minutes.. "
             "HTTP Status Code: 503, Error Code: CBC.99000002, Description: Service unavailable.. For a 429, wait.")
    rows = code_rows(named)
    assert [(c, s) for c, s, _, _ in rows] == [("PTN.4004", 401), ("CBC.99000002", 503)]
    assert rows[1][2] == "Service unavailable." and rows[1][3].endswith("unavailable..")  # the trailing note is no row
    assert all(row in named for _, _, _, row in rows)  # each row is a verbatim slice: it can be quoted
    assert code_rows("HTTP状态码 错误码 描述 400 CBC.30000010")[0][2] == ""  # cut before the meaning
    assert code_rows("版本 v1.20 于 2026 年发布,No.2026 号文件") == []


def test_a_section_is_indexed_with_its_page_and_heading_path():
    from knowledge.chunking import indexed_text

    section = Excerpt(text="Choose Sales > Marketing > Vouchers. Click Submit.", source="v.html#5", title="Procedure",
                      heading_path=("Issuing Vouchers to Customers", "Procedure"))
    chunk = build_chunks([section])[0]
    assert chunk.text == "Choose Sales > Marketing > Vouchers. Click Submit."  # quotes still slice the words only
    assert indexed_text(chunk) == "Issuing Vouchers to Customers > Procedure\n" + chunk.text


def test_a_scraped_line_carries_no_context_of_its_own_words():
    from knowledge.chunking import indexed_text

    line = "伙伴账单 伙伴账单每月5日生成。 父主题: 账务"
    chunk = build_chunks([Excerpt(text=line, source="x:1")])[0]
    assert indexed_text(chunk) == chunk.text
