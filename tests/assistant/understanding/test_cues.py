"""Cues the move decision reads from a message's form: where-questions, amounts asked for."""

import pytest

from assistant.understanding import asks_amount, asks_where, where_phrases


@pytest.mark.parametrize("text,where", [
    ("去哪个页面看?", True), ("那在门户哪个页面操作?", True), ("and which page shows that?", True),
    ("what tab is it on", True), ("哪个客户的订单", False), ("这个规则是什么", False),
])
def test_a_where_question_asks_for_a_place_noun(text, where):
    assert asks_where(text) is where


def test_the_where_wording_is_the_questions_form():
    assert where_phrases("另外,伙伴账单从哪个入口进?") == ("哪个入口",)


@pytest.mark.parametrize("text,amount", [
    ("how much performance is credited?", True), ("算多少业绩", True), ("要多少天", False), ("When is it?", False),
])
def test_an_amount_asked_for(text, amount):
    assert asks_amount(text) is amount


@pytest.mark.parametrize("text", ["客户消费数据能查多久?", "审核要多长时间"])
def test_how_long_is_an_open_question(text):
    from assistant.understanding import asks_how

    assert asks_how(text)


@pytest.mark.parametrize("text,opening", [
    ("switching topics - what does http 429 mean?", "switching topics"), ("顺便问下:9月账单几号出", "顺便问下"),
    ("po: can it flow?", None), ("tokyo time 2026-11-30 20:00 - what is that in new york time?", None),
])
def test_a_discourse_preface_is_the_messages_form(text, opening):
    from assistant.understanding import preface

    assert preface(text, lambda words: "po" in words) == opening


def test_a_clause_ending_in_v_bu_is_a_yes_no_question_and_a_declarative_negation_is_not():
    from assistant.understanding import asks_yes_no
    assert asks_yes_no("这笔钱算业绩不?")
    assert asks_yes_no("月底那期出来没")
    assert not asks_yes_no("我们不能开票")


def test_open_interrogatives_and_meaning_questions_are_told_apart():
    from assistant.understanding import asks_meaning, asks_open
    assert asks_open("谁来审批?") and asks_open("why was it refused") and asks_open("哪天生效")
    assert not asks_open("supervisors can file those, right") and not asks_open("麻烦帮忙看下这张单")
    assert asks_meaning("返回码418代表什么") and asks_meaning("what's a 504")
    assert not asks_meaning("能合并开票吗")
