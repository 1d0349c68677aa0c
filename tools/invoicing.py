"""invoice_merge_check: may these incentives share one invoice?"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .model import BillingPeriod, ToolInput, ToolOutput, explained, given, not_stated, rule


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
    invoices_needed_at_least: int = Field(
        description="The fewest invoices the stated rules allow: one per singly applied incentive, plus one "
                    "for all batch-applied incentives (the corpus does not forbid combining payment requests)")
    invoices_if_payment_requests_kept_apart: int = Field(
        description="Invoices needed if each payment request is invoiced on its own")
    across_payment_requests: Literal["not_applicable", "not_stated"] = Field(
        description="not_stated when batch-applied incentives span several (or unknown) payment requests: "
                    "the corpus says nothing about combining payment requests")
    invoice_groups: list[InvoiceGroup] = Field(
        description="One group per singly applied incentive and per payment request; each group may be one invoice")


def _periods(items: list[Incentive]) -> list[str]:
    return sorted({i.billing_period for i in items if i.billing_period})


def invoice_merge_check(args: InvoiceMergeInput) -> InvoiceMergeResult:
    """Decide whether incentives may be invoiced together (合并开票) and group them by payment request.

    Batch-applied incentives on one payment request may share an invoice across billing periods and
    association types; singly applied incentives may not be combined; whether batch incentives on
    different payment requests may share an invoice is not stated, so that case is `depends`.
    """
    ids = [item.id for item in args.incentives]
    if len(set(ids)) != len(ids):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"incentives: duplicate incentive id(s) {duplicates}")

    trace: list[str] = []
    groups: list[InvoiceGroup] = []
    by_request: dict[str, list] = {}
    unknown_request: list = []
    singles: list = []
    for item in args.incentives:
        if item.application == "single":
            singles.append(item)
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

    batch = [i for i in args.incentives if i.application == "batch"]
    spans_requests = len(by_request) + len(unknown_request) > 1
    at_least = len(singles) + (1 if batch else 0)
    kept_apart = len(groups)
    trace.append(f"fewest invoices the stated rules allow: {at_least}; with payment requests kept apart: {kept_apart}")

    rule_refs = []
    if batch:
        rule_refs.append("invoice.batch_merge")
    if singles:
        rule_refs.append("invoice.single_no_merge")

    said = []
    if len(args.incentives) == 1:
        verdict = "yes"
        said.append(rule("只有一笔激励,开在一张发票上即可。", "There is only one incentive; it goes on one invoice.",
                         *rule_refs))
    elif len(singles) >= 1:
        verdict = "no"
        said.append(rule(f"不能全部合并:单个申请发放的激励不允许将多笔激励开在一张发票上,"
                         f"{len(singles)} 笔单个申请的激励需要各自开票。",
                         f"Not all together: incentives applied for singly may not be combined onto one invoice, so "
                         f"the {len(singles)} singly applied incentive(s) each need their own invoice.",
                         "invoice.single_no_merge"))
    elif not spans_requests:
        verdict = "yes"
        periods = groups[0].billing_periods
        periods_zh = f",包含账期 {'、'.join(periods)}" if periods else ""
        periods_en = f" (billing periods {', '.join(periods)})" if periods else ""
        said.append(rule(f"可以。这些激励通过批量申请发放,属于同一个申付单{periods_zh},"
                         "不区分代售或顾问销售,可以合并开在同一张发票上。",
                         f"Yes. They were applied for in one batch on the same payment request{periods_en}, "
                         "regardless of resale or consulting association, so they may go on one invoice.",
                         "invoice.batch_merge"))
    else:
        verdict = "depends"
    if batch and spans_requests:
        said.append(rule("资料说明:批量申请时,一个申付单包含的多个账期的激励可以合并开在同一张发票上。",
                         "The documentation states that a batch application's payment request may put its "
                         "several billing periods' incentives on one invoice.", "invoice.batch_merge"))
        if unknown_request:
            said.append(given("部分批量申请激励的申付单未知,无法确定它们是否属于同一个申付单;请提供申付单号。",
                              "Some batch-applied incentives have no payment-request id, so whether they share "
                              "a payment request is unknown; give the payment-request ids."))
        said.append(not_stated("资料未说明不同申付单的激励能否合并开在一张发票上,请向华为对接人确认。",
                               "It does not say whether incentives from different payment requests may share an "
                               "invoice; confirm with your Huawei contact.", "invoice.batch_merge"))
    return InvoiceMergeResult(
        can_share_one_invoice=verdict, invoice_groups=groups, invoices_needed_at_least=at_least,
        invoices_if_payment_requests_kept_apart=kept_apart,
        across_payment_requests="not_stated" if batch and spans_requests else "not_applicable",
        trace=trace, rule_refs=rule_refs, **explained(said))
