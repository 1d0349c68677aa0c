"""The tool registry: name, description and JSON schema derived from each function.

The schema an LLM sees is the input model that validates its call, so they cannot drift.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from . import billing, deadlines, invoicing, menus, opportunities, performance, status_codes
from .model import ToolOutput


class ToolError(Exception):
    """Base of the rules-engine errors.

    ToolError
    ├── UnknownToolError     the name is not registered
    └── ToolInputError       the arguments do not validate (carries field-level details)
    """


class UnknownToolError(ToolError):
    pass


class ToolInputError(ToolError):
    def __init__(self, tool: str, errors: list[dict[str, Any]]) -> None:
        self.tool = tool
        self.errors = errors
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(input)'}: {e['msg']}" for e in errors)
        super().__init__(f"invalid arguments for {tool}: {detail}")


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    func: Callable[[BaseModel], ToolOutput]
    input_model: type[BaseModel]
    output_model: type[ToolOutput]
    examples: tuple[str, ...] = field(default=())
    rules: tuple[str, ...] = field(default=())  # every rule id the tool may cite
    # False for a tool the assistant picks from the evidence (a duration rule it retrieved), not by routing
    routed: bool = True

    def json_schema(self) -> dict[str, Any]:
        return self.input_model.model_json_schema()

    def run(self, arguments: dict[str, Any] | BaseModel) -> ToolOutput:
        """Validate ``arguments`` and apply the rule."""
        try:
            args = arguments if isinstance(arguments, self.input_model) else \
                self.input_model.model_validate(arguments)
            return self.func(args)
        except ValidationError as exc:
            raise ToolInputError(self.name, _plain_errors(exc)) from exc
        except ValueError as exc:  # a rule's own cross-field check
            raise ToolInputError(self.name, [{"loc": (), "msg": str(exc), "type": "value_error"}]) from exc


def _plain_errors(exc: ValidationError) -> list[dict[str, Any]]:
    # pydantic prefixes a validator's own message with "Value error, "; the message itself says it all
    return [{"loc": tuple(e["loc"]), "msg": e["msg"].removeprefix("Value error, "), "type": e["type"]}
            for e in exc.errors()]


def _tool(func: Callable, examples: tuple[str, ...], rules: tuple[str, ...], routed: bool = True) -> Tool:
    hints = typing.get_type_hints(func)
    params = list(inspect.signature(func).parameters)
    doc = inspect.getdoc(func) or ""
    return Tool(name=func.__name__, description=doc, func=func, input_model=hints[params[0]],
                output_model=hints["return"], examples=examples, rules=rules, routed=routed)


# Example phrasings (zh and en) feed the assistant's router; they describe the tool, not eval cases.
_TOOLS = (
    _tool(invoicing.invoice_merge_check, (
        "多笔激励可以合并开在一张发票上吗", "批量申请的激励能不能合并开票", "单个申请的激励能一起开发票吗",
        "Can several incentives go on one invoice?", "merge incentives into a single invoice"),
          ("invoice.batch_merge", "invoice.single_no_merge")),
    _tool(opportunities.po_assessment_check, (
        "无法关联Offering的PO能继续流转吗", "关联联营商品的PO算不算考核", "PO计入PCE考核口径吗",
        "Does a PO without an offering count toward the PCE assessment?", "can the PO still flow in PCE"),
          ("po.pce_open", "po.assessment_scope")),
    _tool(billing.bill_timing, (
        "8月的伙伴账单什么时候出", "上个月的账单生成了吗", "账期账单几号生成",
        "When will the partner bill for August be generated?", "is last month's bill available yet"),
          ("bill.beijing_time", "bill.generation_deadline", "menu.partner_bill")),
    _tool(performance.performance_visibility, (
        "今天的业绩什么时候能看到", "4月30日的业绩哪天可以查看", "业绩数据几个工作日后可查",
        "When can I see the performance data for May 8?", "how long until today's performance shows up"),
          ("performance.next_working_day", "menu.performance_management")),
    _tool(billing.consumption_lookback, (
        "能查两年前的客户消费吗", "客户消费最早能查到什么时候", "前溯18个月是从哪天开始",
        "Can I still query customer consumption from March 2025?", "how far back does consumption data go"),
          ("consumption.lookback_18m", "consumption.not_partner_bill", "menu.customer_consumption")),
    _tool(performance.stored_value_card_credit, (
        "买储值卡本身计不计入业绩", "用储值卡支付3000元算多少业绩", "储值卡消费怎么计算业绩",
        "Does buying a stored-value card count as performance?", "paying 3000 with the card credits how much"),
          ("svc.purchase_no_credit", "svc.pay_cash_value")),
    _tool(performance.attribution_start, (
        "客户分配给客户经理后从什么时候开始算业绩", "新分配的客户消费从哪天算", "分配客户后看板什么时候统计",
        "Dashboard counting start for a customer newly handed to an account manager", "customer assigned to account manager"),
          ("attribution.performance_next_day", "attribution.consumption_from_assignment", "menu.performance_dashboard", "menu.consumption_dashboard")),
    _tool(opportunities.opportunity_permission, (
        "客户经理主管能报备商机吗", "客户经理可以给别人的客户报备商机吗", "商机归属谁",
        "Can an account-manager supervisor register an opportunity?", "who owns the opportunity"),
          ("opportunity.manager_scope", "opportunity.supervisor_view_only")),
    _tool(opportunities.order_visibility, (
        "业务员可以查看谁的客户订单", "业务员能看不在自己名下客户的订单吗",
        "Can a salesperson see orders of customers not under their name?", "salesperson order visibility"),
          ("orders.salesperson_scope", "orders.on_demand_resources", "menu.customer_orders")),
    _tool(status_codes.error_code_lookup, (
        "CBC.30000010是什么错误", "返回400错误码怎么办", "状态码5xx怎么处理",
        "What does error code CBC.0100 mean?", "I got HTTP 500 from the API"),
          ("status.4xx", "status.5xx")),  # each code's row is cited from the index's catalogue
    _tool(menus.menu_path_lookup, (
        "伙伴账单在哪个菜单", "在哪里查看客户消费明细", "怎么进入机会点管理",
        "Where do I find the partner bill?", "which menu shows the performance dashboard"),
          ()),  # the menus come from the index's catalogue, each cited by its chunk
    # Rules come from the documents (read at index build), so the tool cites sentences, not fixed rule ids.
    _tool(deadlines.duration_deadline, (
        "活动开始前至少10个工作日提交,最晚哪天提交", "审核在3个工作日内完成,最晚哪天完成", "3个月内只能解除一次,下次什么时候可以",
        "When is the deadline if it must be submitted 10 working days before?",
        "within 7 days of the invitation, until which date"), (), routed=False),
)

TOOLS: dict[str, Tool] = {tool.name: tool for tool in _TOOLS}


def get_tool(name: str) -> Tool:
    try:
        return TOOLS[name]
    except KeyError:
        raise UnknownToolError(f"unknown tool {name!r}; available: {', '.join(sorted(TOOLS))}") from None


def run_tool(name: str, arguments: dict[str, Any] | BaseModel) -> ToolOutput:
    return get_tool(name).run(arguments)
