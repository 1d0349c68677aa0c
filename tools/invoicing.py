"""invoice_merge_check: may these incentives share one invoice?"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .model import BillingPeriod, ToolInput, ToolOutput


class Incentive(ToolInput):
    id: str = Field(min_length=1, max_length=100, description="Incentive id")
    billing_period: BillingPeriod | None = None
    application: Literal["batch", "single"] = Field(
        description="How payout was applied for: batch (批量申请) or single (单个申请)")
    payment_request_id: str | None = Field(
        default=None, max_length=100,
        description="Payment request (申付单) id; a batch application yields one payment request")
    association: Literal["resale", "consulting"] | None = Field(
        default=None, description="Customer association type: resale (代售) or consulting sales (顾问销售)")


class InvoiceMergeInput(ToolInput):
    incentives: list[Incentive] = Field(min_length=1, max_length=500)


class InvoiceGroup(ToolInput):
    incentive_ids: list[str]
    payment_request_id: str | None
    billing_periods: list[str]
    reason: Literal["same_payment_request", "single_application", "payment_request_unknown"]


class InvoiceMergeResult(ToolOutput):
    can_share_one_invoice: Literal["yes", "no", "depends"]
    invoices_needed_at_least: int = Field(description="The fewest invoices the rule allows")
    invoice_groups: list[InvoiceGroup] = Field(
        description="The smallest number of invoices the rule allows; each group may be one invoice")


def _periods(items: list[Incentive]) -> list[str]:
    return sorted({i.billing_period for i in items if i.billing_period})


def invoice_merge_check(args: InvoiceMergeInput) -> InvoiceMergeResult:
    """Decide whether incentives may be invoiced together (合并开票) and group them by payment request.

    Batch-applied incentives on one payment request may share an invoice across billing periods
    and association types; singly applied incentives each need their own invoice; nothing is ever
    grouped across payment requests.
    """
    ids = [item.id for item in args.incentives]
    if len(set(ids)) != len(ids):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"incentives: duplicate incentive id(s) {duplicates}")

    trace: list[str] = []
    groups: list[InvoiceGroup] = []
    by_request: dict[str, list] = {}
    unknown_request: list = []
    for item in args.incentives:
        if item.application == "single":
            groups.append(InvoiceGroup(incentive_ids=[item.id], payment_request_id=item.payment_request_id,
                                       billing_periods=_periods([item]), reason="single_application"))
            trace.append(f"{item.id}: single application -> its own invoice")
        elif item.payment_request_id is None:
            unknown_request.append(item)
            trace.append(f"{item.id}: batch application, payment request unknown")
        else:
            by_request.setdefault(item.payment_request_id, []).append(item)
            trace.append(f"{item.id}: batch application on payment request {item.payment_request_id}")

    for request_id, items in by_request.items():
        groups.append(InvoiceGroup(
            incentive_ids=[i.id for i in items], payment_request_id=request_id,
            billing_periods=_periods(items), reason="same_payment_request"))
        trace.append(f"payment request {request_id}: {len(items)} incentive(s) may share one invoice")
    for item in unknown_request:
        groups.append(InvoiceGroup(incentive_ids=[item.id], payment_request_id=None,
                                   billing_periods=_periods([item]), reason="payment_request_unknown"))

    rule_refs = []
    if by_request or unknown_request:
        rule_refs.append("invoice.batch_merge")
    if any(g.reason == "single_application" for g in groups):
        rule_refs.append("invoice.single_no_merge")

    n = len(args.incentives)
    known_groups = [g for g in groups if g.reason != "payment_request_unknown"]
    # Incentives with an unknown payment request may join a known one, so count only the certain groups.
    at_least = max(len(known_groups), 1)
    if n == 1:
        verdict = "yes"
        zh = "只有一笔激励,开在一张发票上即可。"
        en = "There is only one incentive; it goes on one invoice."
    elif unknown_request and not [g for g in known_groups if g.reason == "single_application"] \
            and len(by_request) <= 1:
        verdict = "depends"
        zh = ("批量申请的激励只有属于同一个申付单时才能合并开在一张发票上;"
              "请提供这些激励的申付单号以确认。")
        en = ("Batch-applied incentives may share one invoice only when they are on the same payment "
              "request; give the payment-request ids to confirm.")
    elif len(groups) == 1:
        verdict = "yes"
        periods_zh = f",包含账期 {'、'.join(groups[0].billing_periods)}" if groups[0].billing_periods else ""
        periods_en = f" (billing periods {', '.join(groups[0].billing_periods)})" if groups[0].billing_periods else ""
        zh = (f"可以。这些激励通过批量申请发放,属于同一个申付单{periods_zh},"
              "不区分代售或顾问销售,可以合并开在同一张发票上。")
        en = (f"Yes. They were applied for in one batch on the same payment request{periods_en}, regardless of "
              "resale or consulting association, so they may go on one invoice.")
    else:
        verdict = "no"
        zh = (f"不能全部合并。需要至少 {at_least} 张发票:同一申付单内批量申请的激励可合并开票,"
              "单个申请发放的激励不允许将多笔开在一张发票上,不同申付单之间也不合并。")
        en = (f"Not all together. They need at least {at_least} invoices: batch-applied incentives on "
              "the same payment request may share an invoice, singly applied incentives may not be "
              "combined, and nothing is combined across payment requests.")
    return InvoiceMergeResult(can_share_one_invoice=verdict, invoice_groups=groups, invoices_needed_at_least=at_least,
                              explanation_zh=zh, explanation_en=en, trace=trace, rule_refs=rule_refs)
