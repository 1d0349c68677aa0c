"""Kinds of answer: what a question asks for and what a passage states."""

import pytest

from assistant.evidence.answer_types import asked, stated, unanswered


@pytest.mark.parametrize("question,kinds", [
    ("激励提现多久到账?", {"duration"}),
    ("申付单提交后多长时间能收到款?", {"duration"}),
    ("審核要幾個工作日?", {"duration"}),
    ("How long does the review take?", {"duration"}),
    ("How far back can I query?", {"duration"}),
    ("伙伴账单多久一次?", {"frequency"}),
    ("每个季度能导出几次?", {"frequency"}),
    ("How many opportunities can one partner register per quarter?", {"frequency"}),
    ("How often is it updated?", {"frequency"}),
    ("年费要交多少钱?", {"money"}),
    ("What is the annual fee?", {"money"}),
    ("How much does the export cost?", {"money"}),
    ("激励的发放比例是多少?", {"rate"}),
    ("What commission do resellers get?", {"rate"}),
    ("一张发票最多能合并多少笔激励?", {"limit"}),
    ("Is there a limit on invoices?", {"limit"}),
    ("客户消费数据最多能查多久以前的?", {"duration", "limit"}),
])
def test_questions_name_the_kind_of_answer_they_want(question, kinds):
    assert asked(question) == kinds


@pytest.mark.parametrize("question", [
    "几个月的激励放一起开发票行不行",          # 几 before 的: "several months' incentives"
    "这个季度申请了好几笔激励,能开一张票吗",   # 好几: several
    "我们每月都开发票,可以合并吗?",            # a period as context, no question of number
    "How much performance is credited for a stored-value card?",  # how much, but not money
    "Can several incentives share one invoice?",
    "能查几个月的数据吗",                      # yes/no question: 几 is "some"
])
def test_questions_that_only_mention_numbers_ask_no_kind(question):
    assert asked(question) == frozenset()


@pytest.mark.parametrize("passage,kinds", [
    ("客户消费数据范围最多支持前溯18个月。", {"duration", "limit"}),
    ("当天的业绩数据可于一个工作日后查看。", {"duration"}),
    ("每月5号12:00前会生成上个月的账单。", {"duration", "frequency"}),
    ("服务费为200元。", {"money"}),
    ("该服务免费。", {"money"}),
    ("返点比例为3%。", {"rate"}),
    ("Reviews finish within 5 business days.", {"duration"}),
    ("Each partner may register at most 20 opportunities per quarter.", {"frequency", "limit"}),
    ("客户经理报备的商机只能选择自己报备或者关联的客户。", set()),
])
def test_passages_state_kinds(passage, kinds):
    assert stated(passage) == kinds


def test_unanswered_is_what_was_asked_and_not_stated():
    rule = "客户经理报备的商机只能选择自己报备或者关联的客户。"
    assert unanswered("每个季度最多能报备多少个商机?", rule) == {"frequency", "limit"}
    assert unanswered("客户消费最多能查多久以前?", "客户消费数据范围最多支持前溯18个月。") == frozenset()
    assert unanswered("谁能报备商机?", rule) == frozenset()  # asks no kind: nothing to miss
