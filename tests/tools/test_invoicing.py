import pytest

from tools import run_tool


def inc(i, period, app, pr=None, assoc=None):
    return {"id": i, "billing_period": period, "application": app, "payment_request_id": pr, "association": assoc}


@pytest.mark.parametrize("incentives,verdict,groups,refs", [
    # one batch payment request, several periods and both association types -> one invoice
    ([inc("a", "2026-06", "batch", "PR1", "resale"), inc("b", "2026-07", "batch", "PR1", "consulting"),
      inc("c", "2026-08", "batch", "PR1")], "yes", [["a", "b", "c"]], {"invoice.batch_merge"}),
    # singly applied incentives cannot be combined
    ([inc("a", "2026-06", "single"), inc("b", "2026-06", "single")], "no", [["a"], ["b"]],
     {"invoice.single_no_merge"}),
    # across payment requests the corpus is silent: depends, never an invented "no"
    ([inc("a", "2026-06", "batch", "PR1"), inc("b", "2026-06", "batch", "PR2"), inc("c", "2026-07", "batch", "PR1")],
     "depends", [["a", "c"], ["b"]], {"invoice.batch_merge"}),
    # mixed batch + single
    ([inc("a", "2026-06", "batch", "PR1"), inc("b", "2026-07", "batch", "PR1"), inc("s", "2026-07", "single")],
     "no", [["s"], ["a", "b"]], {"invoice.batch_merge", "invoice.single_no_merge"}),
    # batch but the payment request is unknown -> depends, not a guess
    ([inc("a", "2026-06", "batch"), inc("b", "2026-07", "batch")], "depends", [["a"], ["b"]], {"invoice.batch_merge"}),
    ([inc("a", "2026-06", "single")], "yes", [["a"]], {"invoice.single_no_merge"}),
])
def test_invoice_grouping(incentives, verdict, groups, refs):
    out = run_tool("invoice_merge_check", {"incentives": incentives})
    assert out.can_share_one_invoice == verdict
    assert [g.incentive_ids for g in out.invoice_groups] == groups
    assert set(out.rule_refs) == refs
    assert out.explanation_zh and out.explanation_en and out.trace


def test_groups_never_span_payment_requests_and_cover_every_incentive():
    from hypothesis import given, strategies as st

    item = st.tuples(st.sampled_from(["batch", "single"]), st.sampled_from([None, "PR1", "PR2", "PR3"]),
                     st.sampled_from(["2026-01", "2026-02", "2026-12"]))

    @given(st.lists(item, min_size=1, max_size=12))
    def check(items):
        incentives = [inc(f"i{n}", period, app, pr) for n, (app, pr, period) in enumerate(items)]
        out = run_tool("invoice_merge_check", {"incentives": incentives})
        seen = [i for g in out.invoice_groups for i in g.incentive_ids]
        assert sorted(seen) == sorted(x["id"] for x in incentives)
        by_id = {x["id"]: x for x in incentives}
        for group in out.invoice_groups:
            members = [by_id[i] for i in group.incentive_ids]
            assert len({m["payment_request_id"] for m in members}) == 1
            if len(members) > 1:
                assert all(m["application"] == "batch" and m["payment_request_id"] for m in members)
        if out.can_share_one_invoice == "yes":
            assert len(out.invoice_groups) == 1

    check()


def test_across_payment_requests_says_what_is_and_is_not_stated():
    out = run_tool("invoice_merge_check", {"incentives": [inc("a", "2026-06", "batch", "PR1"),
                                                          inc("b", "2026-07", "batch", "PR2")]})
    assert out.can_share_one_invoice == "depends"
    assert out.across_payment_requests == "not_stated"
    assert (out.invoices_needed_at_least, out.invoices_if_payment_requests_kept_apart) == (1, 2)
    bases = [s.basis for s in out.statements]
    assert "rule" in bases and "not_stated" in bases
    assert "不同申付单" in out.explanation_zh and "未说明" in out.explanation_zh
    assert "different payment requests" in out.explanation_en and "does not say" in out.explanation_en


def test_singles_with_batches_on_two_requests_is_no_and_notes_the_silence():
    out = run_tool("invoice_merge_check", {"incentives": [inc("s", "2026-06", "single"),
                                                          inc("a", "2026-06", "batch", "PR1"),
                                                          inc("b", "2026-07", "batch", "PR2")]})
    assert out.can_share_one_invoice == "no"
    assert (out.invoices_needed_at_least, out.invoices_if_payment_requests_kept_apart) == (2, 3)
    assert out.across_payment_requests == "not_stated"
