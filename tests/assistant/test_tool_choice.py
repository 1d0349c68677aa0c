"""Tool choice grounded in evidence (issue 12 item 4): a fresh question's tools come from the router's
score and the rank of each tool's own rule passage; later turns of a topic keep the tool chosen."""

from datetime import datetime

import pytest

from assistant import Assistant, Settings

pytestmark = pytest.mark.integration
NOW = datetime.fromisoformat("2026-11-29T10:00:00+08:00")


def test_a_rule_sentence_the_question_does_not_touch_grounds_no_tool(bot):
    """The performance-dashboard chunk starts with a cut attribution rule ("经理的第二天算起。"): a question
    that reaches the chunk through its menu line is not about assignment, and gets the visibility rule."""
    answer = bot.answer("客户昨天下的单,业绩看板上今天还没有业绩", now=NOW)
    assert [c.name for c in answer.tool_calls] == ["performance_visibility"]
    assert answer.tool_calls[0].arguments["business_date"] == "2026-11-28"
    assert "经理的第二天算起" not in answer.answer


def test_the_best_passage_breaks_a_close_router_call(bot):
    """The router likes the look-back rule for 客户的消费 a little more; the evidence ranks the
    performance rule first, and the question asks when performance shows."""
    answer = bot.answer("10月1日国庆当天客户的消费产生的业绩,哪天可以查到?", now=NOW)
    assert [c.name for c in answer.tool_calls] == ["performance_visibility"]


def test_a_continuing_turn_keeps_its_tool_although_its_message_retrieves_another_topic(bot):
    """"8月的" alone retrieves the consumption chunk (it mentions 伙伴的账单); the pending bill tool runs."""
    first = bot.answer("伙伴账单什么时候出?", session_id="bill-continue", now=NOW)
    assert first.tool_calls == []
    second = bot.answer("8月的", session_id="bill-continue", now=NOW)
    assert second.move == "continue"
    assert [c.name for c in second.tool_calls] == ["bill_timing"]
    assert second.tool_calls[0].arguments["billing_period"] == "2026-08"


def test_a_runner_up_missing_a_detail_adds_no_question(bot):
    answer = bot.answer("洛杉矶时间10月31日晚上9点的消费算哪个账期", now=NOW)
    assert answer.tool_calls[0].name == "bill_timing" and answer.follow_up is None


def test_a_tool_whose_rule_the_index_does_not_state_never_runs(tmp_path):
    """An index without the partner-bill rule: the bill question routes to bill_timing by its wording,
    but no passage states the rule, so the tool does not run (nothing to cite it on)."""
    corpus = tmp_path / "other.md"
    corpus.write_text("# Partner deposits\n\nA partner deposit refund is paid within 10 working days after the "
                      "partner agreement ends.\n\n# Bills\n\nPartners can download monthly statements as PDF files "
                      "from the statements page.\n", encoding="utf-8")
    bot = Assistant.from_settings(Settings(data_dir=tmp_path / "data", embedder="use"))
    bot.index.build([corpus])
    answer = bot.answer("When will the partner bill for August be generated?", now=NOW)
    assert "bill_timing" not in [c.name for c in answer.tool_calls]


def test_an_incidental_word_the_index_never_uses_does_not_refuse_what_one_tool_computes(bot):
    """等到 is no corpus word; the question still asks the date the performance tool computes from its own
    rule, with the day given. An open how-question with an uncovered action stays refused."""
    answer = bot.answer("12月3日的业绩要等到哪天才看得到?", now=NOW)
    assert not answer.abstained and [c.name for c in answer.tool_calls] == ["performance_visibility"]
    assert bot.answer("客户经理离职了,他名下客户怎么交接?", now=NOW).abstained


def test_values_that_complete_one_tool_are_its_words_when_the_message_has_no_domain_word(bot):
    """No word of the message is a corpus word; the status code in its context is the error-code tool's key
    and completes no other tool. A bare date completes several tools and routes nothing by itself."""
    answer = bot.answer("Our calls keep failing with 502", now=NOW)
    assert [c.name for c in answer.tool_calls] == ["error_code_lookup"]
    assert answer.tool_calls[0].arguments == {"http_status": 502}
    assert bot.router.route("后天", evidence=lambda tool: tool in {"performance_visibility", "consumption_lookback"}) == []


def test_a_lone_word_many_tools_share_is_a_weak_match_not_a_full_one(bot):
    """查 is the look-back examples' word too; alone it must not route a where-question about the last topic
    to another tool (the move is then a refer back, not a switch)."""
    scores = {r.tool: r.lexical for r in bot.router.scores("这个去哪里查?")}
    assert max(scores.values()) < 1.0
    bot.answer("今天的业绩什么时候能看到?", session_id="where", now=NOW)
    where = bot.answer("这个去哪里查?", session_id="where", now=NOW)
    assert where.move == "refer_back" and not where.abstained


def test_a_where_question_in_a_new_chat_asks_what_it_refers_to(bot):
    """看 is read as 查看, a word most tools' examples use: it names no topic, so a bare where-question
    with nothing before it is unclear rather than a new question about whichever passage ranks first."""
    answer = bot.answer("到哪里看呢?", session_id="bare-where", now=NOW)
    assert answer.move == "unclear" and answer.follow_up and answer.tool_calls == []


def test_a_named_error_code_is_answered_by_its_own_catalogue_row_or_said_to_be_absent(tmp_path):
    """Two code tables: one holds PTN.4004, the other only neighbouring codes under a heading that shares the
    question's words. Whatever retrieval ranks first, the code's own row answers; a code no table lists
    is said to be absent (an abstention worded by the tool), never a neighbour's row."""
    corpus = tmp_path / "codes.txt"
    corpus.write_text(
        "业务错误码 调用业务接口失败时,响应体中的error_code字段返回业务错误码,error_msg字段返回错误描述。 "
        "HTTP状态码 错误码 描述 400 PTN.3001 认证申请材料不完整。 400 PTN.3002 持有证书的员工不足2名。\n"
        "认证相关错误码 HTTP状态码 错误码 描述 401 PTN.4001 Token已过期,请重新获取Token。 "
        "401 PTN.4004 请求时间与服务器时间相差超过15分钟。\n", encoding="utf-8")
    bot = Assistant.from_settings(Settings(data_dir=tmp_path / "data", embedder="use"))
    bot.index.build([corpus])
    for question in ("What's error PTN.4004?", "ptn.4004 是什么错误", "接口报了个错 PTN.4004,啥情况?"):
        answer = bot.answer(question, now=NOW)
        assert [c.name for c in answer.tool_calls][:1] == ["error_code_lookup"], question
        assert answer.tool_calls[0].arguments["error_code"] == "PTN.4004"
        assert answer.tool_calls[0].result["known_code"] is True
        assert all("PTN.4004" in c.quote for c in answer.citations if "PTN." in c.quote), question
        assert "PTN.3001" not in answer.answer
    absent = bot.answer("what does PTN.4012 mean", now=NOW)
    assert absent.abstained and absent.tool_calls[0].result["known_code"] is False
    assert "PTN.4012" in absent.answer and "PTN.4001" not in absent.answer


def test_a_question_without_an_open_interrogative_is_answered_by_the_tool_that_alone_answers_it(bot):
    """Chit-chat the index never uses (老板, 催, 瞅) vetoes nothing when one tool is routed, grounded on the
    best passage and complete, and the message asks no open how/who/when question: a verdict answers it.
    An open how-question with the same words stays refused (the tool does not say how)."""
    answer = bot.answer("嘿 老板催着问 业务员自己名下客户的订单 瞅得见不", now=NOW)
    assert [c.name for c in answer.tool_calls] == ["order_visibility"]
    assert answer.tool_calls[0].arguments["customer_under_their_name"] is True
    assert not answer.abstained


def test_a_bare_status_code_asked_for_its_meaning_gets_its_class(bot):
    """"what does 504 mean", with a word the index never uses (integration), is answered by the status class."""
    answer = bot.answer("Our integration's API call came back with a 504, what does that mean?", now=NOW)
    assert [c.name for c in answer.tool_calls] == ["error_code_lookup"]
    assert not answer.abstained


def test_a_rule_answering_an_faq_question_grounds_its_tool_through_that_question(bot):
    """The PO passage's rule sentence names neither PO nor Offering; the FAQ question before it does. A
    colloquial question with a word the index never uses (溜) is answered by the PO tool alone."""
    answer = bot.answer("PO 要是挂不到任何 Offering 上,在系统里还能溜下去吗", now=NOW)
    assert [c.name for c in answer.tool_calls] == ["po_assessment_check"]
    assert answer.tool_calls[0].arguments == {"linked_to": "nothing"}


def test_what_time_asks_for_a_moment():
    from knowledge.durations import asks_for_date
    assert asks_for_date("by what time is it due") and asks_for_date("what time does it close")
    assert not asks_for_date("what is the rule")


def test_a_rule_only_quoted_beside_the_answering_sentence_asks_no_detail(bot):
    """The answering sentence (consumption is no basis for paying Huawei back) is quoted with the look-back
    rule after it; the look-back's start decides nothing asked, so it is not asked back."""
    answer = bot.answer("Can the consumption our customers show be taken as the basis for repaying Huawei?", now=NOW)
    assert answer.follow_up is None and not answer.abstained


def test_an_english_word_is_held_through_its_translation():
    from assistant.planner import _held_share
    words = {"客户消费": 1.6, "basis": 3.5, "repayment": 3.5}
    assert _held_share(words, "客户消费并非伙伴的账单,不能作为伙伴结算、还款与开票的依据。") > 0.9
    assert _held_share(words, "客户消费数据范围最多支持前溯18个月。") < 0.3
