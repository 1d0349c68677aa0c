"""Details stated in the message are read, so no follow-up asks for them (issue 11: unneeded follow-ups).

Each case is a general reading, not a phrase: a yes/no detail said under negation names the other value;
a person noun before 客户 owns the customers (CC-CEDICT counts persons with 位 or 名); the card put before
a buying verb is bought when an amount follows and pays when a thing follows; a quarter gives its first month.
"""

from datetime import datetime

import pytest

from assistant.planning import plan
from assistant.slots import extract

NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")


def _plan(tool: str, text: str):
    return plan(tool, text, extract(text, NOW), NOW, {})


@pytest.mark.parametrize("text,under", [
    ("The customer isn't under my name - can I see the orders?", False),
    ("the customer is not under his name", False),
    ("the customer is under my name", True),
    ("业务员能看同事客户的订单吗", False),
    ("经理客户的订单业务员能看吗", False),
    ("我能看自己客户的订单吗", True),
    # a determiner of otherness before the owner: the same role, someone else
    ("订单页里,其他同事的客户能看到吗", False),
    ("业务员可以查另一个业务员客户的订单吗", False),
    ("Can a salesperson see orders of customers that belong to another salesperson?", False),
    ("Can I view other salespeople's customers?", False),
    ("业务员能看到本业务员客户的订单吗", True),
])
def test_whose_customers(text, under):
    result = _plan("order_visibility", text)
    assert result.missing is None and result.arguments["customer_under_their_name"] is under


def test_a_noun_that_is_not_a_person_owns_nothing():
    # 重点客户 are key customers, nobody's: the detail stays open and is asked
    assert _plan("order_visibility", "业务员能看重点客户的订单吗").missing == "customer_under_their_name"


@pytest.mark.parametrize("text,transaction", [
    ("储值卡买三千块算业绩吗", "buy_card"), ("储值卡里1.5万拿去买了ECS,计多少业绩", "pay_with_card"),
    ("储值卡买的云服务器算业绩吗", "pay_with_card"), ("客户买了三千元的储值卡", "buy_card"),
])
def test_card_and_buying_verb(text, transaction):
    result = _plan("stored_value_card_credit", text)
    assert result.missing is None and result.arguments["transaction"] == transaction


@pytest.mark.parametrize("text,start", [("上个季度的客户消费还能查吗", "2026-07"), ("Q1的消费还能查吗", "2026-01")])
def test_a_quarter_starts_the_lookback_at_its_first_month(text, start):
    assert _plan("consumption_lookback", text).arguments["requested_start"] == start


@pytest.mark.parametrize("text,start", [
    ("今天还能看到客户去年6月的消费吗", "2025-06"), ("Today, is customer consumption from 2025-04-02 still there?", "2025-04-02"),
    ("今天的客户消费能查到吗", "2026-11-27"),
])
def test_today_beside_another_date_is_when_it_is_asked(text, start):
    assert _plan("consumption_lookback", text).arguments["requested_start"] == start


@pytest.mark.parametrize("text,relation", [
    ("我是客户经理,别的同事报备的客户我能报商机吗?", "other"),
    ("I'm an account manager. Can I register an opportunity for a customer another colleague registered?", "other"),
    ("我是客户经理,我自己报备的客户能报商机吗", "registered_by_self"),
])
def test_who_registered_the_customer(text, relation):
    result = _plan("opportunity_permission", text)
    assert result.missing is None and result.arguments["customer_relation"] == relation


def test_spoken_amount_is_the_whole_numeral_run():
    result = _plan("stored_value_card_credit", "客户用储值卡买了一万二的服务,业绩多少")
    assert result.arguments["amount"] == "12000"


@pytest.mark.parametrize("text,calls", [
    # both steps told: each computed with its own amount, in the order written
    ("客户先买了2000元储值卡,又用储值卡付了1200的云服务,业绩多少", [("buy_card", "2000"), ("pay_with_card", "1200")]),
    ("We paid 700 yuan for ECS with a prepaid card; before that we bought a prepaid card for 900 yuan",
     [("pay_with_card", "700"), ("buy_card", "900")]),
])
def test_a_purchase_and_a_use_told_together_are_both_computed(text, calls):
    result = _plan("stored_value_card_credit", text)
    got = [(p.arguments["transaction"], p.arguments.get("amount")) for p in (result, *result.also)]
    assert result.missing is None and got == calls


@pytest.mark.parametrize("text", ["A partner spent 300 yuan from the prepaid card on OBS",
                                  "储值卡里的余额拿来付了500元"])
def test_the_card_as_the_source_of_money_pays(text):
    assert _plan("stored_value_card_credit", text).arguments["transaction"] == "pay_with_card"


@pytest.mark.parametrize("text,count", [("批量申请的,同一个申付单里有4个账期,能合开一张发票吗", 4),
                                        ("one batch, one payment request, five billing periods: one invoice?", 5)])
def test_incentives_counted_by_their_billing_periods(text, count):
    result = _plan("invoice_merge_check", text)
    assert len(result.arguments["incentives"]) == count and not any("两笔" in n for n in result.notes_zh)


# ---- issue 11, fifth round: scope of a value inside a noun phrase, and values the conversation gives a role --
@pytest.mark.parametrize("text,role", [
    ("Can an account manager supervisor register opportunities?", "account_manager_supervisor"),
    ("an account-manager supervisor", "account_manager_supervisor"),
    ("我是客户经理,不是主管", "account_manager"),
])
def test_a_compound_names_its_head(text, role):
    assert _plan("opportunity_permission", text).arguments["role"] == role


def test_a_quantity_of_the_payment_request_is_no_application_type():
    result = _plan("invoice_merge_check", "Both were requested in one batch on a single payment request. One invoice?")
    assert result.complete and [i["application"] for i in result.arguments["incentives"]] == ["batch", "batch"]


def test_a_month_with_a_demonstrative_changes_that_item_only():
    first = _plan("invoice_merge_check", "8月和9月的激励是一起批量申请的,在同一个申付单里")
    text = "如果9月那笔是单独申请的呢?"
    second = plan("invoice_merge_check", text, extract(text, NOW), NOW, first.carried)
    items = second.arguments["incentives"]
    assert [(i["billing_period"], i["application"]) for i in items] == [("2026-08", "batch"), ("2026-09", "single")]


def test_a_bare_status_is_read_when_the_conversation_is_about_status_codes():
    assert _plan("error_code_lookup", "那 503 呢?").missing == "code"  # alone: a number, not yet a status
    text = "那 503 呢?"
    assert plan("error_code_lookup", text, extract(text, NOW), NOW, {"http_status": 404}).arguments == {"http_status": 503}


def test_the_card_is_the_stored_value_card_once_the_conversation_is_about_one():
    text = "如果是直接买卡呢"
    assert _plan("stored_value_card_credit", text).missing == "transaction"  # alone: which card?
    carried = {"transaction": "pay_with_card", "amount": "3000"}
    assert plan("stored_value_card_credit", text, extract(text, NOW), NOW, carried).arguments == \
        {"transaction": "buy_card", "amount": "3000"}
    text = "What if the 8,000 had been spent on OBS from the card instead?"
    carried = {"transaction": "buy_card", "amount": "8000"}
    assert plan("stored_value_card_credit", text, extract(text, NOW), NOW, carried).arguments["transaction"] == "pay_with_card"


@pytest.mark.parametrize("text", ["换成别的普通Offering呢?", "linked to another paid offering", "其他的商品"])
def test_otherness_before_an_offering_with_modifiers(text):
    assert _plan("po_assessment_check", text).arguments == {"linked_to": "other_offering"}


@pytest.mark.parametrize("text", ["客户的消费明细最早能查到哪天?", "What is the earliest date of customer consumption I can pull?"])
def test_the_earliest_day_asked_for_is_computed_from_today(text):
    result = _plan("consumption_lookback", text)
    assert result.arguments["requested_start"] == "2026-11-27" and result.notes_en


def test_a_how_long_question_needs_no_start():
    assert _plan("consumption_lookback", "客户消费数据能查多久?").missing == "requested_start"  # the rule answers it


@pytest.mark.parametrize("tool,text,arguments", [
    ("po_assessment_check", "And one linked to nothing at all?", {"linked_to": "nothing"}),
    ("stored_value_card_credit", "Our stored-value card paid 1,200 yuan for OBS.", {"transaction": "pay_with_card", "amount": "1200"}),
    ("order_visibility", "Can a salesperson view orders for customers assigned to them?", {"customer_under_their_name": True}),
])
def test_negative_objects_payers_and_assignees(tool, text, arguments):
    result = _plan(tool, text)
    assert {k: v for k, v in result.arguments.items() if k != "role"} == arguments


@pytest.mark.parametrize("text", ["两笔激励,一笔批量申请一笔单个申请,能开一张票吗?",
                                  "Two incentives: one in a batch, the other applied for singly. One invoice?"])
def test_items_enumerated_one_by_one_keep_their_own_values(text):
    result = _plan("invoice_merge_check", text)
    assert [i["application"] for i in result.arguments["incentives"]] == ["batch", "single"]


def test_all_items_said_to_share_a_value_clear_the_odd_one():
    first = _plan("invoice_merge_check", "两笔激励,一笔批量申请一笔单个申请")
    text = "那要是两笔都是批量申请、同一个申付单呢?"
    second = plan("invoice_merge_check", text, extract(text, NOW), NOW, first.carried)
    assert [i["application"] for i in second.arguments["incentives"]] == ["batch", "batch"]
    assert "odd_application" not in second.carried


@pytest.mark.parametrize("tool,text,arguments", [
    ("order_visibility", "Can a salesperson check orders of customers that belong to a colleague?",
     {"customer_under_their_name": False}),
    ("stored_value_card_credit", "We used a prepaid card to pay 6,000 yuan for cloud servers.",
     {"transaction": "pay_with_card", "amount": "6000"}),
])
def test_owners_and_means_of_payment(tool, text, arguments):
    assert {k: v for k, v in _plan(tool, text).arguments.items() if k != "role"} == arguments


def test_a_negative_determiner_before_a_modified_offering():
    assert _plan("po_assessment_check", "Does a PO with no linked offering still flow?").arguments == {"linked_to": "nothing"}


def test_a_value_said_plainly_is_not_ruled_out_by_a_negation_scoping_over_another_verb():
    from assistant.planning import _DASHBOARD, pick

    # 看不到 denies seeing the performance, not that the performance dashboard is the one asked about
    assert pick("今天在业绩看板上还看不到这笔业绩。业绩看板从哪天开始算?", _DASHBOARD) == ("performance", False)


def test_a_day_said_alone_in_a_follow_up_is_a_day_of_the_month_said_before():
    """After the last day of December, "the 29th" is December 29 even when today is in November; a
    month, a year or a relative word keeps its own reading; a moment keeps the time of day said before."""
    from assistant.planning import plan
    from assistant.slots import extract
    now = datetime.fromisoformat("2026-11-20T09:00:00+08:00")

    def read(tool, text, carried):
        low = text.lower()
        return plan(tool, low, extract(low, now, simplified=True), now, carried)

    moved = read("performance_visibility", "and the 29th?", {"business_date": "2026-12-31"})
    assert moved.arguments == {"business_date": "2026-12-29"} and moved.notes_en
    assert read("performance_visibility", "那11月12号呢", {"business_date": "2026-12-31"}).arguments == {
        "business_date": "2026-11-12"}
    assert read("performance_visibility", "那今天的呢", {"business_date": "2026-12-31"}).arguments == {
        "business_date": "2026-11-20"}
    earlier = read("attribution_start", "不对,是3号", {"assigned_at": "2026-10-05T16:30:00+08:00",
                                                     "dashboard": "performance"})
    assert earlier.arguments["assigned_at"] == "2026-10-03T16:30:00+08:00"


@pytest.mark.parametrize("text,role", [
    # a role noun is who acts: a potential complement denies the deed, never who the agent is
    ("客户经理主管登记不了商机,正常吗", "account_manager_supervisor"),
    ("我们这的客户经理主管讲,她自己录不了商机", "account_manager_supervisor"),
    ("客户经理录入不了别人的客户的商机吧", "account_manager"),
    ("我不是主管,是客户经理", "account_manager"),                  # a copula's negation still denies it
    ("我们组的主管(带着三个客户经理)能建商机吗", "account_manager_supervisor"),  # the objects of its verb are others
])
def test_a_role_is_not_denied_by_what_it_cannot_do(text, role):
    assert _plan("opportunity_permission", text).arguments["role"] == role


@pytest.mark.parametrize("text,count", [
    ("Nine incentives, all applied for individually - one invoice?", 9),
    ("we have eleven singly-applied incentives, can they share an invoice?", 11),
    ("六笔都是单个申请的激励,能开一张发票吗", 6),
    ("十五个月份的激励是单独申请的,能合开发票吗", 15),
])
def test_a_count_of_incentives_is_read_in_any_language(text, count):
    incentives = _plan("invoice_merge_check", text).arguments["incentives"]
    assert len(incentives) == count


@pytest.mark.parametrize("text,status", [
    ("Our call fails with HTTP 503. What kind of error is that?", 503),  # a full stop ends the sentence
    ("接口返回 502。", 502),
    ("the API returned 404.", 404),
])
def test_a_status_code_before_a_full_stop_is_read(text, status):
    assert _plan("error_code_lookup", text).arguments.get("http_status") == status


def test_a_version_number_is_no_status():
    assert _plan("error_code_lookup", "接口版本 503.2 报错").arguments.get("http_status") is None


def test_a_message_giving_no_code_keeps_the_conversations_code():
    # "那怎么办?" after a code's answer asks about that code: nothing it says changes the code
    read = plan("error_code_lookup", "那怎么办?", extract("那怎么办?", NOW), NOW, {"error_code": "CBC.0100"})
    assert read.arguments == {"error_code": "CBC.0100"} and read.missing is None


def _kind(text):
    from assistant.understanding import normalise

    low = normalise(text).lower
    return plan("stored_value_card_credit", low, extract(low, NOW, simplified=True), NOW)


@pytest.mark.parametrize("text,transaction", [
    # the card as the means: a preposition of means or source governs it
    ("the client covered an ECS renewal through its prepaid card", "pay_with_card"),
    ("customer spent 5,100 via a stored-value card", "pay_with_card"),
    ("客户经储值卡结算了RDS的费用", "pay_with_card"), ("客户凭储值卡结清了费用", "pay_with_card"),
    ("客戶消費了六千,用的是儲值卡", "pay_with_card"),
    # the card as the object of a verb of acquiring
    ("a customer purchased two prepaid cards", "buy_card"),
    ("客户订购了储值卡", "buy_card"),
    # another deed done to the card: not covered by the rule, so not guessed
    ("客户把储值卡作废了", "other"),
    ("客户注销了储值卡,业绩会变吗", "other"),
    ("the customer cancelled the prepaid card", "other"),
    ("their stored-value card got refunded last month", "other"),
    ("what happens after a transfer of a prepaid card?", "other"),
])
def test_the_transaction_is_what_the_clause_does_with_the_card(text, transaction):
    planned = _kind(text)
    assert {**(planned.state or {}), **planned.arguments}.get("transaction") == transaction


@pytest.mark.parametrize("text", ["储值卡算不算业绩", "Does a prepaid card count toward performance?",
                                  "Our clients load prepaid cards regularly", "we top up prepaid cards often",
                                  "I have a prepaid card - how does it count?", "储值卡有效期多长"])
def test_a_card_nothing_is_done_to_is_no_other_transaction(text):
    # asking about the card (or having one) names no deed: the planner asks instead of reading "other"
    planned = _kind(text)
    assert {**(planned.state or {}), **planned.arguments}.get("transaction") != "other"


def test_an_uncovered_card_transaction_is_answered_as_not_stated():
    from tools import run_tool

    planned = _kind("客户把储值卡退掉了,业绩怎么算")
    assert planned.complete and planned.arguments == {"transaction": "other"}
    out = run_tool(planned.tool, planned.arguments)
    assert out.credited_amount is None and not out.stated_in_corpus and "未说明" in out.explanation_zh



@pytest.mark.parametrize("text, steps", [
    # a 是…的 clause tells how the card came about (那张卡是…买的): the verb before the closing 的 is its deed
    ("客户用储值卡付了600元的云服务,那张卡是他之前花2000元买的,业绩怎么算?",
     [("pay_with_card", "600"), ("buy_card", "2000")]),
    # both deeds read by the card's role (a number's unit is part of the card's noun phrase), each with its own
    # clause's amount, in the order written
    ("the client bought a 3000 yuan stored-value card; this week they paid 450 yuan through the stored-value card",
     [("buy_card", "3000"), ("pay_with_card", "450")]),
    ("客户办了一张储值卡花了2000元,之后拿储值卡付了600元的费用,业绩怎么算?",
     [("buy_card", "2000"), ("pay_with_card", "600")]),
])
def test_each_card_deed_takes_the_amount_of_its_own_clause(text, steps):
    planned = _plan("stored_value_card_credit", text.lower())
    got = [(p.arguments["transaction"], p.arguments.get("amount")) for p in (planned, *planned.also)]
    assert got == steps
