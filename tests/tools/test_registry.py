import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from tools import RULES, TOOLS, ToolInputError, UnknownToolError, get_tool, run_tool
from tools.langchain import langchain_tools

from .catalogue_data import codes, menus

CONTRACT_NAMES = {
    "invoice_merge_check", "po_assessment_check", "bill_timing", "performance_visibility",
    "consumption_lookback", "stored_value_card_credit", "attribution_start", "opportunity_permission",
    "order_visibility", "error_code_lookup", "menu_path_lookup", "duration_deadline",
}


def test_tool_names_are_the_contract():
    assert set(TOOLS) == CONTRACT_NAMES


@pytest.mark.parametrize("name", sorted(CONTRACT_NAMES))
def test_schema_description_and_examples_are_derived(name):
    tool = get_tool(name)
    schema = tool.json_schema()
    assert schema["type"] == "object" and schema["properties"]
    assert schema.get("additionalProperties") is False
    assert tool.description and len(tool.examples) >= 4
    assert any(any("\u4e00" <= c <= "\u9fff" for c in e) for e in tool.examples)
    assert any(e.isascii() for e in tool.examples)


def test_unknown_tool_names_the_available_ones():
    with pytest.raises(UnknownToolError, match="available: attribution_start"):
        get_tool("nope")


@pytest.mark.parametrize("name,args,field,accepted", [
    ("invoice_merge_check", {"incentives": [{"id": "a", "billing_period": "2026-13", "application": "batch"}]},
     "incentives.0.billing_period", "YYYY-MM"),
    ("invoice_merge_check", {"incentives": [{"id": "a", "billing_period": "2026-01", "application": "bulk"}]},
     "incentives.0.application", "'batch' or 'single'"),
    ("po_assessment_check", {"linked_to": "x"}, "linked_to", "'baseline_solution'"),
    ("bill_timing", {"billing_period": "2026-08", "now": "2026-09-01T00:00:00"}, "now", "timezone"),
    ("bill_timing", {"billing_period": "2026-08", "now": "2026-09-01T00:00:00Z", "timezone": "Mars/Base"},
     "timezone", "IANA"),
    ("stored_value_card_credit", {"transaction": "buy_card", "amount": "-5"}, "amount", "greater than or equal to"),
    ("stored_value_card_credit", {"transaction": "refund", "amount": "5"}, "transaction", "'buy_card'"),
    ("stored_value_card_credit", {"transaction": "buy_card", "amount": "1.234"}, "amount", "decimal places"),
    ("attribution_start", {"assigned_at": "2026-01-01T10:00:00", "dashboard": "performance"}, "assigned_at", "timezone"),
    ("opportunity_permission", {"role": "boss"}, "role", "'account_manager'"),
    ("error_code_lookup", {"error_code": "CBC-0100"}, "error_code", "pattern"),
    ("po_assessment_check", {"linked_to": "nothing", "extra": 1}, "extra", "Extra inputs"),
])
def test_invalid_input_names_the_field_and_accepted_values(name, args, field, accepted):
    with pytest.raises(ToolInputError) as info:
        run_tool(name, args)
    locs = {".".join(str(p) for p in e["loc"]) for e in info.value.errors}
    assert field in locs
    assert accepted in str(info.value)


def test_cross_field_errors_are_input_errors():
    with pytest.raises(ToolInputError, match="exactly one of billing_period"):
        run_tool("bill_timing", {"now": "2026-09-01T00:00:00Z"})
    with pytest.raises(ToolInputError, match="duplicate incentive id"):
        run_tool("invoice_merge_check", {"incentives": [
            {"id": "a", "billing_period": "2026-01", "application": "single"},
            {"id": "a", "billing_period": "2026-02", "application": "single"}]})


def test_langchain_tools_share_the_input_models_and_validate():
    lc = {t.name: t for t in langchain_tools()}
    assert set(lc) == CONTRACT_NAMES
    for name, tool in lc.items():
        assert tool.args_schema is TOOLS[name].input_model
    out = lc["stored_value_card_credit"].invoke({"transaction": "pay_with_card", "amount": "3000"})
    assert out["credited_amount"] == "3000.00"
    with pytest.raises(Exception, match="transaction"):
        lc["stored_value_card_credit"].invoke({"transaction": "steal", "amount": "1"})


def test_a_fake_chat_model_drives_the_tools_through_langchain():
    script = AIMessage(content="", tool_calls=[
        {"name": "performance_visibility", "args": {"business_date": "2026-04-30"}, "id": "c1"},
        {"name": "po_assessment_check", "args": {"linked_to": "joint_operation_product"}, "id": "c2"},
    ])
    model = GenericFakeChatModel(messages=iter([script]))
    lc = {t.name: t for t in langchain_tools()}
    # GenericFakeChatModel has no bind_tools: it replays the scripted tool calls as a real model would.
    message = model.invoke("when can I see April 30 performance, and does a joint-op PO count?")
    results = {call["name"]: lc[call["name"]].invoke(call["args"]) for call in message.tool_calls}
    assert results["performance_visibility"]["visible_date"] == "2026-05-06"
    assert results["po_assessment_check"]["counts_toward_assessment"] == "depends"
    for result in results.values():
        assert set(result["rule_refs"]) <= set(RULES)


def test_declared_rules_exist_and_cover_what_tools_cite():
    samples = {
        "invoice_merge_check": [{"incentives": [{"id": "a", "application": "batch", "payment_request_id": "P"},
                                                {"id": "b", "application": "single"}]}],
        "po_assessment_check": [{"linked_to": v} for v in ("baseline_solution", "nothing")],
        "bill_timing": [{"billing_period": "2026-08", "now": "2026-11-01T00:00:00Z"}],
        "performance_visibility": [{"business_date": "2026-05-08"}],
        "consumption_lookback": [{"requested_start": "2026-01", "now": "2026-11-01T00:00:00Z"}],
        "stored_value_card_credit": [{"transaction": t, "amount": "1"} for t in ("buy_card", "pay_with_card", "pay_cash", "other")],
        "attribution_start": [{"assigned_at": "2026-01-01T00:00:00Z", "dashboard": d} for d in ("performance", "consumption")],
        "opportunity_permission": [{"role": r} for r in ("account_manager", "account_manager_supervisor")],
        "order_visibility": [{"customer_under_their_name": True}],
        "error_code_lookup": [{"error_code": c, "catalogue": codes()} for c in ("CBC.0000", "CBC.30000010", "CBC.0100")]
                             + [{"http_status": 503}],
        "menu_path_lookup": [{"task": t, "catalogue": menus()} for t in ("伙伴账单", "消费明细", "订单")],
        "duration_deadline": [{"amount": 3, "unit": "working_days", "direction": "within",
                               "event_time": "2026-05-08", "sentence": "审核在3个工作日内完成。"}],
    }
    for name, tool in TOOLS.items():
        assert set(tool.rules) <= set(RULES), name
        cited = {ref for args in samples[name] for ref in run_tool(name, args).rule_refs}
        assert cited <= set(tool.rules), (name, cited - set(tool.rules))
        assert cited == set(tool.rules), (name, set(tool.rules) - cited)
