"""A message that only states facts (no question, request or problem report, no interrogative word) is a
statement: the assistant notes it and reads the next question with it (issue 11: details stated in a turn
with no question carry to the next question)."""

import pytest

from assistant.asks import closed, states_only


@pytest.mark.parametrize("message", [
    "我人在首尔",
    "這個客戶上週轉給我了。",
    "For context, we are a reseller based in Oslo.",
    "FYI 这三笔激励是一起申请的 (one batch)",
    "I'm a salesperson, and the customer is under my colleague's name, not mine.",  # a negated state
    "客户不是我名下的。",
])
def test_statements(message):
    assert states_only(message)


@pytest.mark.parametrize("message", [
    "1月份的账单现在应该出来了吧",      # a sentence-final 吧 asks for confirmation
    "调用的时候报了个404",             # a problem report asks what it means
    "云商店商品账单去哪导出",            # where
    "yo can supervisors even file opps or nah",
    "上个月的 partner bill 啥时候出",
    "我们有几笔激励",                  # 几 may ask how many: read as before, not as a statement
    "Is the customer under my name",
    "The API is not working",                 # a negated deed reports a problem
    "订单看不到",
])
def test_not_statements(message):
    assert not states_only(message)


def test_a_statement_read_before_a_question_is_closed():
    assert closed("我人在首尔") == "我人在首尔。" and closed("we are in Oslo") == "we are in Oslo."
    assert closed("已说明。") == "已说明。"


def test_a_code_switched_message_reads_glossary_phrases_as_their_chinese_terms():
    from assistant.understanding import normalise
    assert normalise("客户用 Stored-Value card 付了 1,800 元").simplified == "客户用 储值卡 付了 1800 元"
    assert normalise("Our account manager 是谁").simplified == "Our 客户经理 是谁"
    # an English message stays English; so does the case of what is not a glossary phrase
    assert normalise("When is the partner bill out?").simplified == "When is the partner bill out?"
    assert "OBS" in normalise("客户 OBS 那边用 prepaid card 刷了").simplified
