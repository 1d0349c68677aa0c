"""The corpus rules the engine applies, each with a stable id.

A rule is anchored by a phrase copied from the corpus (after NFKC). The knowledge
layer resolves an id to the chunk(s) containing the anchor, which is how an answer
built on a tool result cites its source. A test checks every anchor against the
vendored corpus, so a corpus change that drops a rule fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    anchor: str
    summary_en: str


_RULES = (
    Rule("invoice.batch_merge", "一个申付单包含着多个账期的激励",
         "A batch application yields one payment request holding several billing periods' "
         "incentives (resale or consulting alike); they may go on one invoice."),
    Rule("invoice.single_no_merge", "单个申请发放的激励,不允许将多笔激励开在一张发票上",
         "Incentives applied for singly may not be combined onto one invoice."),
    Rule("po.pce_open", "PCE是开放机制,可承载所有机会点流转",
         "PCE is an open mechanism that carries every opportunity."),
    Rule("po.assessment_scope", "当前考核口径只算关联了基线解决方案和部分联营商品",
         "The current assessment scope counts only POs linked to a baseline solution or to "
         "some joint-operation products."),
    Rule("po.psm_all_receive", "代表处的多个PSM都会同时收到该PO",
         "All PSMs of the representative office receive the shared PO."),
    Rule("bill.beijing_time", "伙伴账单采用北京时间(GMT+08:00)作为基准时间进行统计",
         "Partner bills are computed in Beijing time (GMT+08:00)."),
    Rule("bill.generation_deadline", "每月5号12:00前会生成上个月的账单",
         "Last month's bill is generated before 12:00 on the 5th of each month."),
    Rule("performance.next_working_day", "当天的业绩数据可于一个工作日后查看",
         "A day's performance data can be viewed one working day later."),
    Rule("consumption.lookback_18m", "客户消费数据范围最多支持前溯18个月",
         "Customer consumption data goes back at most 18 months."),
    Rule("consumption.not_partner_bill", "客户消费并非伙伴的账单",
         "Customer consumption is not the partner's bill."),
    Rule("svc.purchase_no_credit", "伙伴购买储值卡时不计算业绩",
         "Buying a stored-value card credits no performance."),
    Rule("svc.pay_cash_value", "使用储值卡购买云服务/产品时按照现金支付的额度计算业绩",
         "Paying with a stored-value card credits performance at the cash value paid."),
    Rule("attribution.performance_next_day", "经理的第二天算起",
         "(excerpt cut at its start) ...counted from the day after assignment to the manager."),
    Rule("attribution.consumption_from_assignment", "新分配的客户的消费数据从此客户被分配给该客户经理时算起",
         "A newly assigned customer's consumption counts from the moment of assignment."),
    Rule("opportunity.manager_scope", "客户经理报备的商机只能选择自己报备或者关联的客户,且商机归属该客户经理",
         "An account manager may register opportunities only for customers they registered or "
         "are associated with, and owns those opportunities."),
    Rule("opportunity.supervisor_view_only", "客户经理主管不能报备商机,只可查看",
         "An account-manager supervisor cannot register opportunities, only view them."),
    Rule("orders.salesperson_scope", "合作伙伴的业务员只能查看其名下客户的订单",
         "A partner salesperson sees only the orders of customers under their name."),
    Rule("orders.on_demand_resources", "如需查看按需资源数据,请至客户管理页查看资源",
         "On-demand resource data is seen on the customer management page, not with the orders."),
    Rule("status.4xx", "状态码4xx:由于明显的客户端错误",
         "4xx: a client error; check the request and send it again."),
    Rule("status.5xx", "状态码5xx:由于华为云系统原因",
         "5xx: a Huawei Cloud system error; contact customer service."),
    Rule("menu.customer_consumption", "销售 > 客户 > 客户消费", "Menu: Sales > Customers > Customer consumption."),
    Rule("menu.partner_bill", "销售 > 账务 > 伙伴账单", "Menu: Sales > Billing > Partner bill."),
    Rule("menu.opportunity_management", "销售 > 拓新 > 机会点管理", "Menu: Sales > New business > Opportunity management."),
    Rule("menu.performance_management", "销售 > 激励 > 业绩管理", "Menu: Sales > Incentives > Performance management."),
    Rule("menu.kooGallery_split", "销售 > 云商店 > 商品分账", "Menu: Sales > KooGallery > Product revenue split."),
    Rule("menu.performance_dashboard", "销售 > 运营看板 > 业绩看板", "Menu: Sales > Operations dashboards > Performance dashboard."),
    Rule("menu.consumption_dashboard", "销售 > 运营看板 > 消费看板", "Menu: Sales > Operations dashboards > Consumption dashboard."),
    Rule("menu.customer_orders", "销售 > 客户 > 客户订单", "Menu: Sales > Customers > Customer orders."),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def rule(rule_id: str) -> Rule:
    """Look a rule up; an unknown id is a programming error."""
    return RULES[rule_id]
