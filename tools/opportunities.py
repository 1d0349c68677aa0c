"""Opportunity (商机 / PO) rules: PCE assessment scope and registration permissions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .model import ToolInput, ToolOutput, explained, interpretation, not_stated, rule

Verdict = Literal["yes", "no", "depends"]


class POAssessmentInput(ToolInput):
    linked_to: Literal["baseline_solution", "joint_operation_product", "other_offering", "nothing"] = Field(
        description="What the PO is linked to: baseline solution (基线解决方案), joint-operation product "
                    "(联营商品), another offering, or nothing (无法关联Offering)")


class POAssessmentResult(ToolOutput):
    can_flow: bool = Field(description="Whether the PO can keep flowing through PCE")
    counts_toward_assessment: Verdict


def po_assessment_check(args: POAssessmentInput) -> POAssessmentResult:
    """Can a PO flow through PCE, and does it count toward the assessment scope (考核口径)?"""
    trace = ["PCE is an open mechanism: every opportunity can flow (can_flow = true)"]
    counts: Verdict
    if args.linked_to == "baseline_solution":
        counts = "yes"
        zh_tail, en_tail = "关联了基线解决方案,计入当前考核口径。", "It is linked to a baseline solution, so it counts toward the current assessment scope."
    elif args.linked_to == "joint_operation_product":
        counts = "depends"
        zh_tail = "关联的是联营商品:考核口径只算部分联营商品,资料未列出具体是哪些,请向华为对接人确认。"
        en_tail = ("It is linked to a joint-operation product: only some joint-operation products count, "
                   "and the documentation does not list which, so confirm with your Huawei contact.")
    else:
        counts = "no"
        what_zh = "其他Offering" if args.linked_to == "other_offering" else "任何Offering"
        what_en = "another offering" if args.linked_to == "other_offering" else "no offering"
        zh_tail = f"关联的是{what_zh}(既非基线解决方案也非联营商品),不计入当前考核口径。" if args.linked_to == "other_offering" \
            else "未关联任何Offering,不计入当前考核口径。"
        en_tail = f"It is linked to {what_en}, neither a baseline solution nor a joint-operation product, so it does not count toward the current assessment scope."
    trace.append(f"linked_to={args.linked_to} -> counts_toward_assessment={counts}")
    said = [rule("该PO可以在系统继续流转(PCE可承载所有机会点流转)。",
                 "The PO can keep flowing (PCE carries every opportunity).", "po.pce_open")]
    if counts == "depends":
        said.append(rule("考核口径只算部分联营商品。", "Only some joint-operation products count toward the "
                         "assessment.", "po.assessment_scope"))
        said.append(not_stated("资料未列出具体是哪些联营商品,请向华为对接人确认。",
                               "The documentation does not list which, so confirm with your Huawei contact.",
                               "po.assessment_scope"))
    else:
        said.append(rule(zh_tail, en_tail, "po.assessment_scope"))
    return POAssessmentResult(
        can_flow=True, counts_toward_assessment=counts,
        trace=trace, rule_refs=["po.pce_open", "po.assessment_scope"], **explained(said))


class OpportunityPermissionInput(ToolInput):
    role: Literal["account_manager", "account_manager_supervisor"] = Field(
        description="Role inside the partner company: account manager (客户经理) or supervisor (客户经理主管)")
    customer_relation: Literal["registered_by_self", "associated", "other"] | None = Field(
        default=None,
        description="The customer's relation to this account manager: registered by them (自己报备), "
                    "associated with them (关联), or neither")


class OpportunityPermissionResult(ToolOutput):
    can_register: Literal["yes", "no", "depends"]
    can_view: Literal["yes", "unknown"]
    owner: Literal["this_account_manager", "not_applicable", "unknown"]


def opportunity_permission(args: OpportunityPermissionInput) -> OpportunityPermissionResult:
    """May this role register (报备) an opportunity for the customer, view it, and who owns it?"""
    trace = [f"role={args.role}, customer_relation={args.customer_relation}"]
    if args.role == "account_manager_supervisor":
        trace.append("supervisors cannot register opportunities, only view them")
        return OpportunityPermissionResult(
            can_register="no", can_view="yes", owner="not_applicable",
            trace=trace, rule_refs=["opportunity.supervisor_view_only"],
            **explained([rule("客户经理主管不能报备商机,只可查看。",
                              "An account-manager supervisor cannot register opportunities, only view them.",
                              "opportunity.supervisor_view_only")]))
    view = not_stated("资料未说明客户经理能否查看其他人的商机。",
                      "The documentation does not say whether account managers can view others' opportunities.")
    if args.customer_relation is None:
        trace.append("customer relation not given: registration depends on it")
        return OpportunityPermissionResult(
            can_register="depends", can_view="unknown", owner="unknown",
            trace=trace, rule_refs=["opportunity.manager_scope"],
            **explained([rule("客户经理只能为自己报备或者关联的客户报备商机,且商机归属该客户经理。",
                              "An account manager may register opportunities only for customers they registered "
                              "or are associated with, and then owns them.", "opportunity.manager_scope"), view]))
    if args.customer_relation == "other":
        trace.append("customer neither registered by nor associated with this manager -> cannot register")
        return OpportunityPermissionResult(
            can_register="no", can_view="unknown", owner="not_applicable",
            trace=trace, rule_refs=["opportunity.manager_scope"],
            **explained([rule("不能。客户经理报备商机只能选择自己报备或者关联的客户。",
                              "No. An account manager may only pick customers they registered or are associated "
                              "with.", "opportunity.manager_scope"), view]))
    trace.append("own or associated customer -> may register; the opportunity belongs to this manager")
    return OpportunityPermissionResult(
        can_register="yes", can_view="yes", owner="this_account_manager",
        trace=trace, rule_refs=["opportunity.manager_scope"],
        **explained([rule("可以。客户经理可为自己报备或关联的客户报备商机,商机归属该客户经理。",
                          "Yes. The account manager may register it for a customer they registered or are "
                          "associated with, and the opportunity belongs to that account manager.",
                          "opportunity.manager_scope"),
                     interpretation("我们理解商机归属人可以查看自己的商机(资料未明说)。",
                                    "We take it that the owner can view their own opportunity (not said "
                                    "outright).", "opportunity.manager_scope")]))


class OrderVisibilityInput(ToolInput):
    role: Literal["salesperson"] = Field(default="salesperson", description="Partner salesperson (业务员)")
    customer_under_their_name: bool = Field(strict=True, description="Whether the customer is under the salesperson's name (名下)")


class OrderVisibilityResult(ToolOutput):
    visible: bool


def order_visibility(args: OrderVisibilityInput) -> OrderVisibilityResult:
    """Can a partner salesperson see this customer's orders (客户订单)?"""
    visible = args.customer_under_their_name
    zh = ("可以查看:该客户在业务员名下。" if visible else "不能查看:合作伙伴的业务员只能查看其名下客户的订单。")
    en = ("Yes: the customer is under the salesperson's name." if visible
          else "No: a partner salesperson sees only the orders of customers under their name.")
    return OrderVisibilityResult(
        visible=visible, trace=[f"customer_under_their_name={visible} -> visible={visible}"],
        rule_refs=["orders.salesperson_scope", "orders.on_demand_resources", "menu.customer_orders"],
        **explained([rule(zh, en, "orders.salesperson_scope"),
                     rule("如需查看按需资源数据,请至客户管理页查看资源。",
                          "On-demand resource data is not shown with the orders: see the resources on the "
                          "customer management page.", "orders.on_demand_resources")]))
