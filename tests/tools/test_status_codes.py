import pytest

from tools import run_tool


@pytest.mark.parametrize("args,status,cls,known,consistent,refs", [
    ({"error_code": "CBC.0000"}, 200, "success", True, None, ["status.code.CBC.0000"]),
    ({"error_code": "cbc.30000010"}, 400, "client_error", True, None, ["status.code.CBC.30000010", "status.4xx"]),
    ({"error_code": "CBC.0100", "http_status": 500}, 500, "server_error", True, False,
     ["status.code.CBC.0100", "status.5xx"]),
    ({"http_status": 503}, 503, "server_error", False, None, ["status.5xx"]),
    ({"http_status": 404}, 404, "client_error", False, None, ["status.4xx"]),
    ({"error_code": "CBC.9999"}, None, "unknown", False, None, []),
    ({"http_status": 302}, 302, "other", False, None, []),
])
def test_error_code_lookup(args, status, cls, known, consistent, refs):
    out = run_tool("error_code_lookup", args)
    assert (out.http_status, out.status_class, out.known_code, out.consistent) == (status, cls, known, consistent)
    assert out.rule_refs == refs
    assert out.description is None  # the corpus is cut before the descriptions: nothing invented
    assert {(p.error_code, p.http_status) for p in out.known_pairs} == {
        ("CBC.0000", 200), ("CBC.30000010", 400), ("CBC.0100", 400)}


def test_unlisted_code_says_so_in_both_languages():
    out = run_tool("error_code_lookup", {"error_code": "CBC.9999"})
    assert "没有" in out.explanation_zh and "does not list" in out.explanation_en


@pytest.mark.parametrize("task,path,tab", [
    ("在哪里查看伙伴账单", "销售 > 账务 > 伙伴账单", None),
    ("where are customer consumption details", "销售 > 客户 > 客户消费", "消费明细"),
    ("消费汇总在哪", "销售 > 客户 > 客户消费", "消费汇总"),
    ("怎么报备商机", "销售 > 拓新 > 机会点管理", "商机报备"),
    ("performance dashboard", "销售 > 运营看板 > 业绩看板", None),
])
def test_menu_path_lookup(task, path, tab):
    out = run_tool("menu_path_lookup", {"task": task})
    assert out.found == "yes"
    assert out.matches[0].menu_path == path and out.matches[0].tab == tab
    assert any(path in step for step in out.matches[0].steps_zh)


def test_menu_path_lookup_does_not_invent_paths():
    out = run_tool("menu_path_lookup", {"task": "申请代金券"})
    assert out.found == "no" and out.matches == [] and out.rule_refs == []
