import pytest

from tools import run_tool


@pytest.mark.parametrize("linked_to,counts", [
    ("baseline_solution", "yes"), ("joint_operation_product", "depends"),
    ("other_offering", "no"), ("nothing", "no"),
])
def test_po_always_flows_but_counts_only_in_scope(linked_to, counts):
    out = run_tool("po_assessment_check", {"linked_to": linked_to})
    assert out.can_flow is True
    assert out.counts_toward_assessment == counts
    assert out.rule_refs == ["po.pce_open", "po.assessment_scope"]


@pytest.mark.parametrize("role,relation,register,view,owner", [
    ("account_manager", "registered_by_self", "yes", "yes", "this_account_manager"),
    ("account_manager", "associated", "yes", "yes", "this_account_manager"),
    ("account_manager", "other", "no", "unknown", "not_applicable"),
    ("account_manager", None, "depends", "unknown", "unknown"),
    ("account_manager_supervisor", "registered_by_self", "no", "yes", "not_applicable"),
    ("account_manager_supervisor", None, "no", "yes", "not_applicable"),
])
def test_opportunity_permission(role, relation, register, view, owner):
    out = run_tool("opportunity_permission", {"role": role, "customer_relation": relation})
    assert (out.can_register, out.can_view, out.owner) == (register, view, owner)


@pytest.mark.parametrize("under,visible", [(True, True), (False, False)])
def test_order_visibility(under, visible):
    out = run_tool("order_visibility", {"customer_under_their_name": under})
    assert out.visible is visible
    assert "orders.salesperson_scope" in out.rule_refs
