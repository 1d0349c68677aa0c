"""Audit: every sentence of every tool's explanation traces to a rule anchor or is marked as ours.

The explanation is built from typed statements, so a sentence is a statement. A ``rule`` sentence cites
rule ids the tool may cite (each resolves to its corpus anchor, see test_rules); an ``interpretation``
is worded as our reading; a ``not_stated`` sentence says the corpus is silent.
"""

import pytest

from tools import RULES, TOOLS, run_tool

from .catalogue_data import codes, menus

NOW = "2026-11-27T10:00:00+08:00"
CASES = [
    ("invoice_merge_check", {"incentives": [{"id": "a", "application": "single"}]}),
    ("invoice_merge_check", {"incentives": [{"id": "a", "application": "single"}, {"id": "b", "application": "single"}]}),
    ("invoice_merge_check", {"incentives": [{"id": "a", "application": "batch", "payment_request_id": "P"},
                                            {"id": "b", "application": "batch", "payment_request_id": "P"}]}),
    ("invoice_merge_check", {"incentives": [{"id": "a", "application": "batch", "payment_request_id": "P"},
                                            {"id": "b", "application": "batch", "payment_request_id": "Q"}]}),
    ("invoice_merge_check", {"incentives": [{"id": "a", "application": "batch"}, {"id": "b", "application": "batch"}]}),
    ("invoice_merge_check", {"incentives": [{"id": "a", "application": "single"},
                                            {"id": "b", "application": "batch", "payment_request_id": "P"},
                                            {"id": "c", "application": "batch", "payment_request_id": "Q"}]}),
    *[("po_assessment_check", {"linked_to": v}) for v in
      ("baseline_solution", "joint_operation_product", "other_offering", "nothing")],
    *[("bill_timing", {"billing_period": p, "now": NOW, "timezone": "Asia/Tokyo"}) for p in
      ("2026-12", "2026-11", "2026-10", "2026-08")],
    ("bill_timing", {"billing_period": "2026-10", "now": "2026-11-03T10:00:00+08:00"}),
    ("performance_visibility", {"business_date": "2026-04-30"}),
    ("performance_visibility", {"business_date": "2026-05-08"}),
    ("performance_visibility", {"business_date": "2027-09-30"}),
    ("performance_visibility", {"business_date": "2001-09-30"}),
    *[("consumption_lookback", {"requested_start": s, "now": NOW}) for s in ("2026-01-01", "2025-05", "2024-01")],
    *[("stored_value_card_credit", {"transaction": t, "amount": a}) for t in ("buy_card", "pay_with_card", "pay_cash", "other")
      for a in (None, "3000")],
    *[("attribution_start", {"assigned_at": "2026-03-10T17:30:00Z", "dashboard": d})
      for d in ("performance", "consumption")],
    *[("opportunity_permission", {"role": "account_manager", "customer_relation": r})
      for r in (None, "registered_by_self", "associated", "other")],
    ("opportunity_permission", {"role": "account_manager_supervisor"}),
    *[("order_visibility", {"customer_under_their_name": v}) for v in (True, False)],
    *[("error_code_lookup", {**a, "catalogue": codes(extended)}) for a, extended in (
        ({"error_code": "CBC.0100"}, False), ({"error_code": "CBC.0100", "http_status": 500}, False),
        ({"error_code": "CBC.9"}, False), ({"http_status": 200}, False), ({"http_status": 302}, False),
        ({"http_status": 503}, False), ({"error_code": "PTN.4004"}, True), ({"error_code": "CBC.0250", "http_status": 500}, True))],
    *[("menu_path_lookup", {"task": t, "catalogue": menus(extended)}) for t, extended in (
        ("伙伴账单", False), ("天气", False), ("where is the partner bill", True), ("资金下拨", True))],
    ("duration_deadline", {"amount": 10, "unit": "working_days", "direction": "before", "event_time": "2026-12-10",
                           "event": "活动开始", "sentence": "申请须在活动开始前至少10个工作日提交。"}),
    ("duration_deadline", {"amount": 18, "unit": "months", "direction": "before", "event_time": NOW,
                           "sentence": "客户消费数据范围最多支持前溯18个月。"}),
    ("duration_deadline", {"amount": 24, "unit": "hours", "direction": "after", "event_time": NOW}),
    ("duration_deadline", {"amount": 3, "unit": "months", "direction": "once_per", "event_time": "2026-10-03",
                           "event": "解除", "sentence": "同一客户3个月内仅可解除一次关联关系。"}),
    ("duration_deadline", {"amount": 5, "unit": "working_days", "direction": "within", "event_time": "2027-09-30"}),
]
OURS_ZH = ("理解",)
OURS_EN = ("We read", "We take", "reading", "our translation")


def test_every_tool_is_audited():
    assert {name for name, _ in CASES} == set(TOOLS)


@pytest.mark.parametrize("name,args", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_each_sentence_has_a_basis(name, args):
    out = run_tool(name, args)
    assert out.statements, "an explanation must be built from statements"
    assert out.explanation_zh == "".join(s.zh for s in out.statements)
    assert out.explanation_en == " ".join(s.en for s in out.statements)
    for s in out.statements:
        assert set(s.rules) <= set(TOOLS[name].rules), s
        assert all(r in RULES for r in s.rules)
        if s.basis == "rule" and s.quote is not None:  # a document sentence read at index build
            read = {args.get("sentence")} | {row["sentence"] for row in args.get("catalogue") or []}
            assert s.quote in read and not s.rules, s
        elif s.basis == "rule":
            assert s.rules and set(s.rules) <= set(out.rule_refs), s
        elif s.basis == "interpretation":
            assert any(m in s.zh for m in OURS_ZH) and any(m in s.en for m in OURS_EN), s
        elif s.basis == "not_stated":
            assert ("未" in s.zh or "没有" in s.zh) and (" not " in s.en or " no " in s.en), s


@pytest.mark.parametrize("name,args,marker", [
    ("performance_visibility", {"business_date": "2026-04-30"}, "工作日"),
    ("stored_value_card_credit", {"transaction": "pay_with_card", "amount": "10"}, "现金支付的额度"),
    ("attribution_start", {"assigned_at": "2026-03-10T10:00:00+08:00", "dashboard": "performance"}, "北京时间"),
    ("consumption_lookback", {"requested_start": "2026-01", "now": NOW}, "18个自然月"),
])
def test_named_readings_are_marked_as_interpretations(name, args, marker):
    out = run_tool(name, args)
    assert any(s.basis == "interpretation" and marker in s.zh for s in out.statements)


def test_corpus_warnings_are_shown():
    lookback = run_tool("consumption_lookback", {"requested_start": "2026-01", "now": NOW})
    assert "客户消费并非伙伴的账单" in lookback.explanation_zh and "consumption.not_partner_bill" in lookback.rule_refs
    for visible in (True, False):
        orders = run_tool("order_visibility", {"customer_under_their_name": visible})
        assert "按需资源" in orders.explanation_zh and "orders.on_demand_resources" in orders.rule_refs
