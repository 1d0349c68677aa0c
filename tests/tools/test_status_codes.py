"""The catalogue tools answer from the index's catalogue: the codes and menus the indexed documents state."""

import pytest

from tools import run_tool

from .catalogue_data import codes, menus


@pytest.mark.parametrize("args,status,cls,known,consistent,refs", [
    ({"error_code": "CBC.0000"}, 200, "success", True, None, []),
    ({"error_code": "cbc.30000010"}, 400, "client_error", True, None, ["status.4xx"]),
    ({"error_code": "CBC.0100", "http_status": 500}, 500, "server_error", True, False, ["status.5xx"]),
    ({"http_status": 503}, 503, "server_error", False, None, ["status.5xx"]),
    ({"http_status": 404}, 404, "client_error", False, None, ["status.4xx"]),
    ({"error_code": "CBC.9999"}, None, "unknown", False, None, []),
    ({"http_status": 302}, 302, "other", False, None, []),
])
def test_error_code_lookup_on_the_bundled_index(args, status, cls, known, consistent, refs):
    out = run_tool("error_code_lookup", {**args, "catalogue": codes()})
    assert (out.http_status, out.status_class, out.known_code, out.consistent) == (status, cls, known, consistent)
    assert out.rule_refs == refs
    assert out.description is None  # the bundled excerpts are cut before the descriptions: nothing invented
    assert all(row.code == out.sources[0].code for row in out.sources)


def test_a_new_corpus_brings_its_codes_with_their_meaning_and_row():
    bundled = run_tool("error_code_lookup", {"error_code": "PTN.4004", "catalogue": codes()})
    assert not bundled.known_code and bundled.http_status is None
    out = run_tool("error_code_lookup", {"error_code": "ptn.4004", "catalogue": codes(extended=True)})
    assert out.known_code and out.http_status == 401 and out.status_class == "client_error"
    assert "15分钟" in out.explanation_zh and "15 minutes" in out.explanation_en
    assert {row.language for row in out.sources} == {"zh", "en"}
    zh = next(r for r in out.sources if r.language == "zh")
    assert zh.sentence.startswith("401 PTN.4004") and zh.description == "请求时间与服务器时间相差超过15分钟"
    quoted = [s for s in out.statements if s.quote]
    assert quoted and quoted[0].quote == zh.sentence  # the Chinese explanation quotes the Chinese row


def test_a_code_no_indexed_table_lists_is_said_to_be_absent_not_guessed():
    for catalogue in (codes(), codes(extended=True), None):
        out = run_tool("error_code_lookup", {"error_code": "PTN.4005", "catalogue": catalogue})
        assert not out.known_code and out.http_status is None and out.sources == []
        assert [s.basis for s in out.statements] == ["not_stated"]
        assert "没有" in out.explanation_zh and "not in the indexed documents" in out.explanation_en


@pytest.mark.parametrize("task,path", [
    ("在哪里查看伙伴账单", "销售 > 账务 > 伙伴账单"),
    ("消费明细在哪", "销售 > 客户 > 客户消费"),
    ("消费汇总在哪", "销售 > 客户 > 客户消费"),
    ("怎么报备商机", "销售 > 拓新 > 机会点管理"),
    ("业绩看板在哪个菜单", "销售 > 运营看板 > 业绩看板"),
])
def test_menu_path_lookup_on_the_bundled_index(task, path):
    out = run_tool("menu_path_lookup", {"task": task, "catalogue": menus()})
    assert out.found == "yes" and out.matches[0].menu_path == path
    assert any(path in step for step in out.matches[0].steps)  # the chunk's own procedure, verbatim
    assert out.statements[0].quote == out.matches[0].sentence


def test_the_tab_a_task_names_picks_the_chunk_that_opens_it():
    summary = run_tool("menu_path_lookup", {"task": "消费汇总在哪", "catalogue": menus()}).matches[0]
    details = run_tool("menu_path_lookup", {"task": "消费明细在哪", "catalogue": menus()}).matches[0]
    assert summary.chunk_id != details.chunk_id
    assert any("消费汇总" in s for s in summary.steps) and any("消费明细" in s for s in details.steps)


@pytest.mark.parametrize("task,path", [
    ("资金下拨在伙伴中心哪个菜单里操作?", "销售 > 账务 > 资金管理"),
    ("在哪里申请POC测试资源?", "销售 > 拓新 > POC申请"),
    ("Where in Partner Center do I apply for a credit line?", "Sales > Billing > Credit Management"),
])
def test_a_new_corpus_brings_its_menus(task, path):
    assert run_tool("menu_path_lookup", {"task": task, "catalogue": menus()}).found == "no"
    out = run_tool("menu_path_lookup", {"task": task, "catalogue": menus(extended=True)})
    assert out.found == "yes" and out.matches[0].menu_path == path


@pytest.mark.parametrize("task", ["申请代金券", "天气", "伙伴中心哪个菜单可以给客户开通企业项目管理?"])
def test_menu_path_lookup_does_not_invent_paths(task):
    out = run_tool("menu_path_lookup", {"task": task, "catalogue": menus()})
    assert out.found == "no" and out.matches == [] and out.rule_refs == []
    assert run_tool("menu_path_lookup", {"task": task}).found == "no"  # no catalogue: no menu known
