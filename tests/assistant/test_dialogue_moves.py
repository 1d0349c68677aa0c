"""Dialogue moves end to end: Assistant.answer over the vendored corpus, the default embedder and SQLite."""

from datetime import datetime

import pytest


pytestmark = pytest.mark.integration
NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")


def test_a_new_topic_never_reruns_the_earlier_tool(bot):
    first = bot.answer("客户用储值卡支付了3000元的云服务,业绩算多少?", session_id="switch", now=NOW)
    assert [c.name for c in first.tool_calls] == ["stored_value_card_credit"] and first.move == "new"
    second = bot.answer("联合立项由谁评审?", session_id="switch", now=NOW)
    assert second.move == "switch" and second.tool_calls == [] and "3000" not in second.answer


def test_modify_then_convert_then_refer_back(bot):
    bot.answer("8月的伙伴账单什么时候生成?我在东京", session_id="bill", now=NOW)
    modified = bot.answer("那9月的呢?", session_id="bill", now=NOW)
    assert modified.move == "modify"
    assert modified.tool_calls[0].arguments["billing_period"] == "2026-09"
    assert modified.tool_calls[0].arguments["timezone"] == "Asia/Tokyo"  # the user's zone carried
    converted = bot.answer("换成洛杉矶时间呢", session_id="bill", now=NOW)
    assert converted.move == "convert"
    assert converted.tool_calls[0].arguments == {**modified.tool_calls[0].arguments, "timezone": "America/Los_Angeles"}
    where = bot.answer("在哪里查看?", session_id="bill", now=NOW)
    assert where.move == "refer_back" and "伙伴账单" in where.answer and not where.abstained


def test_a_bare_follow_up_with_nothing_to_continue_asks_what_it_refers_to(bot):
    answer = bot.answer("那10月的呢?", session_id="fresh", now=NOW)
    assert answer.move == "unclear" and answer.tool_calls == [] and answer.follow_up
    assert "伙伴账单生成时间" in answer.follow_up_choices
    chosen = bot.answer(answer.follow_up_choices[0], session_id="fresh", now=NOW)
    assert chosen.tool_calls and chosen.tool_calls[0].arguments.get("billing_period") == "2026-10"


def test_a_zone_stated_for_an_event_is_read_again_not_converted(bot):
    bot.answer("洛杉矶时间10月31日晚上9点的消费算哪个账期", session_id="event", now=NOW)
    again = bot.answer("如果是北京时间呢?", session_id="event", now=NOW)
    assert again.move == "modify"
    assert again.tool_calls[0].arguments["event_time"] == "2026-10-31T21:00:00+08:00"
    assert again.tool_calls[0].result["billing_period"] == "2026-10"


def test_an_impossible_offset_is_stated_back_and_asked_about(bot):
    answer = bot.answer("我在UTC+99,8月的账单几点出?", session_id="zone", now=NOW)
    assert answer.tool_calls == [] and answer.follow_up and "UTC+99" in answer.answer


@pytest.mark.parametrize("first,then,tool,argument,value", [
    # a bare "what about <date>?" changes the date of the last tool, even where the date alone suggests another
    ("11月16日的业绩什么时候能查?", "那12月30号的呢?", "performance_visibility", "business_date", "2026-12-30"),
    ("客户9月3号分给客户经理,业绩从哪天算?", "要是11月28号分的呢?", "attribution_start", "assigned_at",
     "2026-11-28T00:00:00+08:00"),
])
def test_a_bare_date_follow_up_modifies_the_last_tool(bot, first, then, tool, argument, value):
    bot.answer(first, session_id=f"date-{tool}", now=NOW)
    answer = bot.answer(then, session_id=f"date-{tool}", now=NOW)
    assert answer.move == "modify" and [c.name for c in answer.tool_calls] == [tool]
    assert answer.tool_calls[0].arguments[argument] == value


def test_refer_back_names_the_page_the_last_answer_cited(bot):
    """The page of the last answer's own citation, not a page the question's words also match (主管 is on the
    performance dashboard too), and the portal's name in the question names no other topic."""
    bot.answer("客戶經理主管能不能建商機?", session_id="refer-page", now=NOW)
    answer = bot.answer("在哪個模塊?", session_id="refer-page", now=NOW)
    assert answer.move == "refer_back" and "機會點管理" in answer.answer
    bot.answer("Can a salesperson see orders of customers not under their name?", session_id="refer-portal", now=NOW)
    answer = bot.answer("Where can I find this in Partner Center?", session_id="refer-portal", now=NOW)
    assert answer.move == "refer_back" and "客户订单" in answer.answer


@pytest.mark.parametrize("first,correction,expected", [
    # two steps answered: the correction's verb names the step whose amount changes; the other keeps its own
    ("伙伴充值5000买了储值卡,又用储值卡买了1800的云主机,业绩多少?", "不对,用卡买的是2200",
     [("buy_card", "5000"), ("pay_with_card", "2200")]),
    ("伙伴充值5000买了储值卡,又用储值卡买了1800的云主机,业绩多少?", "说错了,卡是3000买的",
     [("buy_card", "3000"), ("pay_with_card", "1800")]),
    ("We bought a prepaid card for 6,000 yuan and then paid 2,000 yuan with the card. Performance?",
     "Actually we paid 2,500 with the card.", [("buy_card", "6000"), ("pay_with_card", "2500")]),
    # one amount answered: a bare number corrects it
    ("用储值卡付了3000元,能算多少业绩?", "不好意思,是3300", [("pay_with_card", "3300")]),
])
def test_a_corrected_amount_goes_to_the_step_its_words_name(bot, first, correction, expected):
    session = f"svc-{abs(hash((first, correction)))}"
    bot.answer(first, session_id=session, now=NOW)
    answer = bot.answer(correction, session_id=session, now=NOW)
    assert answer.move == "modify"
    assert [(c.arguments["transaction"], c.arguments.get("amount")) for c in answer.tool_calls] == expected


def test_a_statement_is_noted_and_the_next_question_is_read_with_it(bot):
    # written for this test: a detail stated with no question carries to the question after it
    noted = bot.answer("说明一下,我人在首尔", session_id="stated", now=NOW)
    assert not noted.abstained and noted.tool_calls == [] and "Asia/Seoul" in noted.answer
    asked = bot.answer("9月的伙伴账单几点前生成?", session_id="stated", now=NOW)
    assert {k: v for k, v in asked.tool_calls[0].arguments.items() if k != "now"} == {
        "billing_period": "2026-09", "timezone": "Asia/Seoul"}
    who = bot.answer("The customer was handed to me on 3 November at 10am; I'm the account manager.",
                     session_id="stated-en", now=NOW)
    assert not who.abstained and who.tool_calls == []
    counted = bot.answer("From which day does the performance dashboard count it for me?", session_id="stated-en", now=NOW)
    assert {k: v for k, v in counted.tool_calls[0].arguments.items() if k != "now"} == {
        "assigned_at": "2026-11-03T10:00:00+08:00", "dashboard": "performance"}


def test_a_detail_answering_the_pending_question_is_no_statement(bot):
    asked = bot.answer("我们有两笔激励,能开在一张发票上吗?", session_id="pending-fact", now=NOW)
    assert asked.follow_up
    filled = bot.answer("两笔是同一次批量申请的", session_id="pending-fact", now=NOW)
    assert filled.move == "continue" and filled.tool_calls


def test_going_back_to_an_earlier_topic_restores_its_details(bot):
    # written for this test: a card question, a switch to the bill, then back to the card with a new amount
    bot.answer("客户用储值卡支付了1500元的云服务,算多少业绩?", session_id="back", now=NOW)
    bot.answer("另外,10月的伙伴账单几号出?", session_id="back", now=NOW)
    back = bot.answer("说回储值卡那个,要是付的是2500呢?", session_id="back", now=NOW)
    assert back.move == "switch" and [c.name for c in back.tool_calls] == ["stored_value_card_credit"]
    assert back.tool_calls[0].arguments["transaction"] == "pay_with_card"
    assert back.tool_calls[0].arguments["amount"] == "2500"


def test_thanks_before_a_question_is_its_manners_not_its_topic(bot):
    answer = bot.answer("ok cool, thx! When is the partner bill for October generated?", session_id="thanks", now=NOW)
    assert not answer.abstained and [c.name for c in answer.tool_calls] == ["bill_timing"]
