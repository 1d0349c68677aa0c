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
