"""A chat message with several asks gets each answered: one section per ask, tools and citations merged,
in the reader's script; a message with one ask (and its facts) is read whole, as before."""

from datetime import datetime

import pytest

from assistant.asks import joined, message_asks

pytestmark = pytest.mark.integration
NOW = datetime.fromisoformat("2026-12-10T09:00:00+08:00")


def _never_topic(_: str) -> bool:
    return True


def test_one_question_with_a_fact_is_not_split():
    assert message_asks("11月的账单几号出?我们在迪拜", _never_topic) == ([], [])
    assert message_asks("How is a new customer's consumption counted?", _never_topic) == ([], [])


def test_questions_are_asks_and_the_rest_are_facts():
    asks, facts = message_asks("我们在迪拜。11月的账单几号出?主管能不能报备商机?", _never_topic)
    assert asks == ["11月的账单几号出?", "主管能不能报备商机?"] and facts == ["我们在迪拜。"]


def test_a_clause_opening_with_another_matter_is_its_own_ask():
    asks, _ = message_asks("想知道11月账单几号出,此外主管能不能报备商机", _never_topic)
    assert len(asks) == 2 and asks[1].startswith("此外")


def test_joined_spaces_latin_script_only():
    assert joined("When is it?", "We are in Oslo.") == "When is it? We are in Oslo."
    assert joined("几号出？", "我在迪拜") == "几号出？我在迪拜"  # full-width mark
    assert joined("几号出?", "我在迪拜") == "几号出?我在迪拜"  # an ASCII mark after Chinese


def test_each_ask_runs_its_own_tool_and_gets_its_own_section(bot):
    answer = bot.answer("用储值卡付了800元能算多少业绩?11月20日的业绩哪天可以看到?", now=NOW)
    names = sorted(c.name for c in answer.tool_calls)
    assert names == ["performance_visibility", "stored_value_card_credit"]
    assert not answer.abstained and answer.answer.count("问:") == 2
    assert "2026-11-23" in answer.answer and "800" in answer.answer
    assert len({c.chunk_id for c in answer.citations}) == len(answer.citations) >= 2


def test_sections_follow_the_readers_script(bot):
    answer = bot.answer("業務員看得到自己名下客戶的訂單嗎?錯誤碼CBC.0100是什麼意思?", now=NOW)
    assert answer.variant == "zh-Hant" and answer.answer.count("問:") == 2
    assert {c.name for c in answer.tool_calls} == {"order_visibility", "error_code_lookup"}


def test_the_facts_of_the_message_reach_every_ask(bot):
    answer = bot.answer("Can an account manager supervisor register opportunities? When is the October 2026 "
                        "partner bill generated? We are in Dubai.", now=NOW)
    [bill] = [c for c in answer.tool_calls if c.name == "bill_timing"]
    assert bill.arguments["timezone"] == "Asia/Dubai" and answer.answer.count("Q: ") == 2


def test_an_ask_refining_the_one_before_is_read_with_it(bot):
    # the second sentence only changes the zone of the first ask's computation: one question, one answer
    answer = bot.answer("北京时间10月31日晚上10点的消费算哪个账期?请用伦敦时间告诉我账单时间", now=NOW)
    [bill] = [c for c in answer.tool_calls if c.name == "bill_timing"]
    assert bill.arguments["timezone"] == "Europe/London" and "问:" not in answer.answer


def test_an_uncovered_ask_is_said_to_be_uncovered_beside_the_answer(bot):
    answer = bot.answer("12月的伙伴账单什么时候生成?你们园区食堂几点开饭?", now=NOW)
    assert not answer.abstained and [c.name for c in answer.tool_calls] == ["bill_timing"]
    assert "没有足以回答这一问" in answer.answer


def test_the_dialogue_continues_from_the_ask_that_asked_back(bot):
    first = bot.answer("业务员能看到不在他名下客户的订单吗?多笔激励能合并开一张发票吗?", now=NOW)
    assert first.follow_up and "order_visibility" in {c.name for c in first.tool_calls}
    second = bot.answer("都是批量申请的,在同一个申付单里", session_id=first.session_id, now=NOW)
    assert [c.name for c in second.tool_calls] == ["invoice_merge_check"]


def _topic(sentence: str) -> bool:  # a stand-in for the router: these sentences name a topic when long enough
    return len(sentence.strip(" ,，")) > 4


def test_comma_clauses_that_each_ask_are_asks():
    asks, _ = message_asks("储值卡买卡算业绩吗,12月1号的业绩哪天能看", _topic)
    assert asks == ["储值卡买卡算业绩吗", "12月1号的业绩哪天能看"]
    asks, _ = message_asks("is the november bill out yet, and can a salesperson see a colleague's orders", _topic)
    assert len(asks) == 2 and asks[1].startswith("and can")


@pytest.mark.parametrize("message", [
    "客户是上周五分给我的,消费看板从哪天开始算?",  # a fact clause and one ask
    "When a customer pays with the card, does it count?",  # an English subordinate clause
    "Does a 12,500 yuan card purchase count? We are in Oslo.",  # a thousands separator
])
def test_a_comma_does_not_split_one_ask(message):
    assert message_asks(message, _topic) == ([], [])


def test_a_topicless_question_after_a_question_stays_its_own_ask():
    # a chat message's follow-on ask is answered (or refused) on its own, in the earlier ask's context;
    # folded into the earlier ask it went unanswered
    def bare(sentence: str) -> bool:
        return "账单" in sentence

    asks, _ = message_asks("11月的账单几号出?出不来的话怎么弄?", bare)
    assert asks == ["11月的账单几号出?", "出不来的话怎么弄?"]


def test_a_follow_on_ask_the_passage_does_not_answer_is_refused_not_matched_alone(bot):
    # the earlier ask's passage dates the data; it says nothing of disputing it, and no other passage may
    # stand in for that
    answer = bot.answer("业绩数据什么时候能看到?如果看到的数字不对要怎么申诉?", now=NOW)
    assert not answer.abstained and answer.answer.count("问:") == 2
    assert "没有足以回答这一问" in answer.answer
    assert all("业绩" in c.quote for c in answer.citations)


def test_a_follow_on_ask_the_passage_answers_is_answered_from_it(bot):
    answer = bot.answer("Before which day is the partner bill generated? Is that day counted in Beijing time?", now=NOW)
    assert not answer.abstained and "Not covered" not in answer.answer
    assert "GMT+08:00" in answer.answer


def test_a_follow_on_where_question_gets_the_earlier_passages_menu(bot):
    answer = bot.answer("客户经理主管可不可以报备商机?去哪个页面看?", now=NOW)
    assert "没有足以回答这一问" not in answer.answer and "机会点管理" in answer.answer


def test_a_follow_on_asking_a_kind_of_answer_needs_the_passage_to_state_it(bot):
    # the bill passage states a day and a clock time, no count: "how many" is refused, "how long" on the
    # look-back passage (which states 18 months) is not
    counted = bot.answer("客户经理主管能不能报备商机?一个月最多可以报多少条?", now=NOW)
    assert "没有足以回答这一问" in counted.answer
    lasting = bot.answer("客户消费汇总能查历史数据吗?最长能往前多久?", now=NOW)
    assert "没有足以回答这一问" not in lasting.answer and "18" in lasting.answer
