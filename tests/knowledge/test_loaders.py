import json

import pytest

from knowledge import IngestError
from knowledge.loaders import load_paths


def test_mixed_folder_ingests_in_one_call(tmp_path):
    (tmp_path / "a.txt").write_text("第一条规则。\n\n第二条规则。\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# 账务\n## 伙伴账单\n每月5号生成。\n\n更多说明。\n## 发票\n可以合并。\n", encoding="utf-8")
    (tmp_path / "c.html").write_text(
        "<html><head><title>T</title></head><body><nav>首页 登录</nav><header>站点</header>"
        "<h1>客户订单</h1><p>业务员只能查看名下客户的订单。</p><script>x=1</script>"
        "<h2>资源</h2><p>按需资源在客户管理页。</p><footer>版权</footer></body></html>", encoding="utf-8")
    (tmp_path / "d.jsonl").write_text(
        json.dumps({"id": "x1", "title": "储值卡", "text": "购买储值卡不计业绩。", "url": "https://e.x/1"},
                   ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "ignored.bin").write_bytes(b"\x00\x01")
    excerpts = load_paths([tmp_path])
    by_source = {e.source: e for e in excerpts}
    assert [e.text for e in excerpts if e.source.startswith("a.txt")] == ["第一条规则。", "第二条规则。"]
    md = [e for e in excerpts if e.source.startswith("b.md")]
    assert [(e.title, e.heading_path, e.text) for e in md] == [
        ("伙伴账单", ("账务", "伙伴账单"), "每月5号生成。 更多说明。"), ("发票", ("账务", "发票"), "可以合并。")]
    html = [e for e in excerpts if e.source.startswith("c.html")]
    assert [(e.title, e.text) for e in html] == [("客户订单", "业务员只能查看名下客户的订单。"),
                                                 ("资源", "按需资源在客户管理页。")]
    assert all("登录" not in e.text and "版权" not in e.text and "x=1" not in e.text for e in html)
    assert by_source["d.jsonl:x1"].title == "储值卡" and by_source["d.jsonl:x1"].url == "https://e.x/1"


@pytest.mark.parametrize("name,content,message", [
    ("empty.txt", b"", "holds no text"),
    ("blank.txt", b"\n  \n", "holds no text"),
    ("huge.txt", ("规" * (1024 * 1024 + 1)).encode("utf-8"), "line 1 has 1048577 characters"),
    ("bin.txt", b"abc\x00def", "binary"),
    ("gbk.txt", "伙伴账单".encode("gbk"), "not valid UTF-8"),
    ("bad.jsonl", b'{"text": "ok"}\n{broken\n', "line 2 is not JSON"),
    ("nofield.jsonl", b'{"title": "x"}\n', "non-empty \"text\""),
    ("extra.jsonl", b'{"text": "x", "body": 1}\n', "unknown field"),
    ("doc.pdf", b"%PDF", "unsupported file type .pdf"),
])
def test_bad_files_name_the_file_and_reason(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=message) as info:
        load_paths([path])
    assert info.value.path == str(path)


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        load_paths([tmp_path / "nope.txt"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(IngestError, match="holds no"):
        load_paths([tmp_path / "empty"])


def test_a_bad_file_in_a_folder_fails_the_whole_load(tmp_path):
    (tmp_path / "good.txt").write_text("好的。", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(IngestError, match="bad.txt"):
        load_paths([tmp_path])


def test_markdown_export_keeps_tables_as_rows_menu_paths_and_the_source_url(tmp_path):
    from knowledge.chunking import build_chunks
    from knowledge.loaders import load_file

    page = tmp_path / "page.md"
    page.write_text("---\ntitle: Paying\nurl: https://example.com/pay.html\n---\n\n# Paying<a name=\"p1\"></a>\n\n"
                    "Choose Sales > Billing > Fund Management to pay.\n\n| Stage | Limit |\n| --- | --- |\n"
                    "| Upload | within 30 days |\n| Review | 10 working days |\n", encoding="utf-8")
    excerpts = load_file(page)
    assert excerpts[0].title == "Paying" and excerpts[0].url == "https://example.com/pay.html"
    text = excerpts[0].text
    assert "<a" not in text and "Stage: Upload, Limit: within 30 days." in text
    chunk = build_chunks(excerpts)[0]
    assert chunk.menu_path == "Sales > Billing > Fund Management" and chunk.language == "en"
    assert chunk.url == "https://example.com/pay.html"


def test_html_export_reads_tables_as_rows_and_the_canonical_url(tmp_path):
    from knowledge.loaders import load_file

    page = tmp_path / "page.html"
    page.write_text("<html><head><link rel=\"canonical\" href=\"https://example.com/v.html\"><title>V</title></head>"
                    "<body><nav>Home | Docs</nav><h1>Vouchers</h1><p>Partners issue vouchers.</p>"
                    "<table><tr><th>Item</th><th>Rule</th></tr><tr><td>Face value</td><td>CNY 1 to 5,000</td></tr>"
                    "</table><footer>Copyright</footer></body></html>", encoding="utf-8")
    excerpts = load_file(page)
    assert [e.url for e in excerpts] == ["https://example.com/v.html"]
    assert "Item: Face value, Rule: CNY 1 to 5,000." in excerpts[0].text
    assert "Home" not in excerpts[0].text and "Copyright" not in excerpts[0].text


def test_html_tables_embedded_in_markdown_are_read(tmp_path):
    from knowledge.loaders import load_file

    page = tmp_path / "codes.md"
    page.write_text("# 错误码<a name=\"x\"></a>\n\n<table><thead><tr><th><p><a name=\"p1\"></a>错误码</p></th>"
                    "<th>处理措施</th></tr></thead><tbody><tr><td>01</td><td>请检查参数。</td></tr></tbody></table>\n",
                    encoding="utf-8")
    excerpts = load_file(page)
    assert excerpts[0].title == "错误码" and "错误码: 01,处理措施: 请检查参数。" in excerpts[0].text


def test_markdown_section_is_cited_at_its_first_line_of_text(tmp_path):
    # lines: 1-3 front matter, 4-5 headings, 6 blank, 7 text; 9 heading, 10 a fenced block
    (tmp_path / "r.md").write_text("---\ntitle: T\n---\n# 返利\n## 结算周期\n\n返利按季度结算。\n\n## 代码\n```\nx = 1\n```\n",
                                   encoding="utf-8")
    (tmp_path / "s.md").write_text("# 返利结算\n## 结算周期\n返利按季度结算,每季度首月20日前完成。\n", encoding="utf-8")
    assert [e.source for e in load_paths([tmp_path])] == ["r.md:7", "r.md:10", "s.md:3"]
