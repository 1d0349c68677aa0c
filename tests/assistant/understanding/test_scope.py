"""Negation and its scope, and the determiner readings, that every enumerated detail is read through."""

import pytest

from assistant.understanding.determiners import quantity_table, resolve_definite
from assistant.understanding.scope import negations, object_of_speaker, polarity_of


def _said(text: str, word: str) -> str:
    return polarity_of(text, text.index(word))


@pytest.mark.parametrize("text,word,said", [
    ("this po isn't attached to a baseline solution, it's on a joint-operation product", "baseline", "denied"),
    ("this po isn't attached to a baseline solution, it's on a joint-operation product", "joint", "said"),
    ("none of these customers are under my name", "under", "denied"),
    ("we couldn't link the po to anything", "link", "denied"),
    ("the po is unable to link to an offering", "link", "denied"),
    ("这个po挂不上任何offering", "po", "denied"),          # a potential complement denies its verb's clause
    ("主管跟我说他看不到这张订单", "主管", "said"),          # ... but not the reporter of reported speech
    ("主管跟我说他看不到这张订单", "订单", "denied"),
    ("什么offering都没挂上", "offering", "denied"),         # a fronted interrogative before 都 + negator
    ("不是基线也不是联营,是普通offering", "联营", "denied"),  # each negator denies its own stretch
    ("不是基线也不是联营,是普通offering", "普通", "said"),
    ("i'm not sure whether the customer is under my name", "under", "unknown"),
    ("不清楚是批量还是单个申请的", "批量", "unknown"),
    ("能不能报备商机", "报备", "said"),                      # A-not-A asks, it does not deny
    ("这些激励在不同申付单里", "申付单", "said"),             # 不同 is no negator
    ("能报备商机不?", "报备", "said"),                      # a question tag
    ("tied to a joint-operation product rather than a baseline solution", "baseline", "denied"),  # contrastive
    ("tied to a joint-operation product rather than a baseline solution", "joint", "said"),
    ("i can't tell whether the po is linked to a baseline solution", "baseline", "unknown"),
    ("说不清是批量还是单个", "批量", "unknown"),               # a potential complement of knowing
])
def test_polarity_of_a_word_under_negation(text, word, said):
    assert _said(text, word) == said


def test_a_negation_stops_at_its_clause():
    text = "not the performance dashboard - i mean the consumption one"
    (only,) = negations(text)
    assert "consumption" not in text[only.start:only.end]


@pytest.mark.parametrize("text,noun,is_object", [
    ("i lead a team of account managers", "account", True),
    ("i report to an account manager supervisor", "account", True),
    ("我手下带着几个客户经理", "客户经理", True),
    ("i'm an account manager", "account", False),
    ("我是客户经理主管", "客户经理", False),
    ("我并非客户经理主管", "客户经理", False),
    ("can an account manager supervisor register an opportunity", "account", False),
])
def test_a_role_noun_is_the_speaker_s_only_through_a_copula(text, noun, is_object):
    assert object_of_speaker(text, text.index(noun)) is is_object


def test_quantity_of_a_head_noun_and_definite_reference():
    from assistant.planning import pick

    table = quantity_table("申付单", "payment request", one="same", many="different")
    assert pick("都在同一个申付单里", table) == ("same", False)
    assert pick("分在两个申付单里", table) == ("different", False)
    assert pick("they are on separate payment requests", table) == ("different", False)
    assert pick("not on the same payment request", table) == ("different", False)  # one denied: the other
    assert resolve_definite("客户用卡付了ecs", "储值卡", "stored-value card") == "客户用储值卡付了ecs"
    assert resolve_definite("银行卡付款", "储值卡", "stored-value card") == "银行卡付款"  # another card
    assert resolve_definite("paid with the card", "储值卡", "stored-value card") == "paid with the stored-value card"


def test_the_earliest_or_latest_day_itself_asked_for():
    from assistant.understanding.cues import asks_bound

    assert asks_bound("客户消费最早能查到哪天?") == "earliest"
    assert asks_bound("what is the earliest date i can pull consumption for?") == "earliest"
    assert asks_bound("最晚哪天要开票") == "latest"
    assert asks_bound("我最早是上个月查的,现在还能查吗") is None  # a superlative, but no day asked for
