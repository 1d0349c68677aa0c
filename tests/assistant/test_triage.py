"""Triage of realistic support cases: the case's own date is `now`, identifiers it quotes are looked up,
entities are stated once, and what is missing is said."""

from datetime import datetime

import pytest

from assistant import Assistant, Settings
from assistant.triage import TriageCase, stated_today, triage

pytestmark = pytest.mark.integration
CLOCK = datetime.fromisoformat("2026-11-29T18:00:00+08:00")  # the server clock, weeks after the cases


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), embedder="use")
    Assistant.from_settings(settings).index.build()
    return Assistant.from_settings(settings)


def test_the_date_a_case_states_is_now_not_the_server_clock(bot):
    case = TriageCase(subject="10月账单还没看到",
                      body="今天是2026-11-04,我们10月的伙伴账单还没出来,今天能看到吗?10月账期的对账请尽快处理。")
    result = triage(bot, case, CLOCK)
    assert result.received_from == "stated" and result.received_at.isoformat() == "2026-11-04T00:00:00+08:00"
    [call] = [c for c in result.tool_calls if c["name"] == "bill_timing"]
    assert call["arguments"]["now"].startswith("2026-11-04") and call["result"]["status"] != "available"
    assert "应已生成" not in result.draft_reply  # on 11-04 the October bill is not due until 11-05 12:00
    # 今天 is the stated day, not a second (phantom) date; 10月 said twice is one period.
    assert result.entities.dates == ["2026-11-04"] and result.entities.billing_periods == ["2026-10"]
    assert not any("收到时间" in m for m in result.missing_information)


def test_received_at_field_wins_over_the_stated_date(bot):
    case = TriageCase(subject="账单", body="今天是2026-11-04,10月的伙伴账单出了吗?",
                      now=datetime.fromisoformat("2026-11-06T09:00:00+08:00"))
    result = triage(bot, case, CLOCK)
    assert result.received_from == "case" and result.received_at.isoformat() == "2026-11-06T09:00:00+08:00"
    assert [c["result"]["status"] for c in result.tool_calls if c["name"] == "bill_timing"] == ["available"]


def test_an_error_code_is_looked_up_even_when_the_question_around_it_is_not_answerable(bot):
    case = TriageCase(subject="提交申付失败", body="提交申付单时页面提示 CBC.30000010,申付单号 PR-2026-0815,怎么处理?")
    result = triage(bot, case, CLOCK)
    assert "error_code_lookup" in [c["name"] for c in result.tool_calls]
    assert result.category == "error_code" and not result.needs_human
    assert any("CBC.30000010" in c["text"] for c in result.citations)
    assert "CBC.30000010" in result.draft_reply and "抱歉" not in result.draft_reply


def test_a_case_with_nothing_to_apply_the_rules_to_says_what_is_missing(bot):
    result = triage(bot, TriageCase(subject="咨询", body="你好,想问一下激励的事情。"), CLOCK)
    assert result.needs_human and result.missing_information
    assert any("具体" in m for m in result.missing_information)


def test_an_uncovered_case_with_details_says_a_person_must_confirm_not_that_nothing_was_asked(bot):
    result = triage(bot, TriageCase(subject="退款", body="客户2026年3月5日申请的退款什么时候到账?"), CLOCK)
    assert result.needs_human and result.entities.dates == ["2026-03-05"]
    assert not any("具体诉求" in m for m in result.missing_information)
    assert any("人工确认" in m for m in result.missing_information)


def test_a_time_dependent_answer_without_any_date_says_the_server_time_was_used(bot):
    result = triage(bot, TriageCase(subject="Bill", body="Is the partner bill for October 2026 out yet?"), CLOCK)
    assert result.received_from == "clock"
    assert any("server time 2026-11-29 18:00" in m for m in result.missing_information)


@pytest.mark.parametrize(("text", "day"), [
    ("今天是2026-11-04,账单呢", "2026-11-04"), ("今日:2026年11月4日", "2026-11-04"),
    ("Today is 4 November 2026.", "2026-11-04"), ("as of Nov 4, 2026 the bill", "2026-11-04"),
])
def test_stated_today_reads_common_forms(text, day):
    assert stated_today(text, CLOCK).date().isoformat() == day


@pytest.mark.parametrize("text", ["今天能看到吗?4月30日的业绩", "今天的账单", "10月的账单今天出吗"])
def test_stated_today_needs_a_date_right_after_the_word(text):
    assert stated_today(text, CLOCK) is None


def test_every_registered_tool_has_a_triage_category_and_a_page_label():
    # A tool added to the registry without a category made triage raise KeyError (an HTTP 500) whenever
    # the chat pipeline chose it; the category must also have a label on the triage page in both languages.
    import typing
    from pathlib import Path

    from assistant.triage import _TOOL_CATEGORY, Category
    from tools import TOOLS

    assert set(TOOLS) <= set(_TOOL_CATEGORY), set(TOOLS) - set(_TOOL_CATEGORY)
    assert set(_TOOL_CATEGORY.values()) <= set(typing.get_args(Category))
    page = (Path(__file__).resolve().parents[2] / "api" / "static" / "common.js").read_text(encoding="utf-8")
    for category in typing.get_args(Category):
        assert page.count(f"cat_{category}:") == 2, category


def test_every_ask_of_a_case_runs_its_tool_and_a_stated_role_is_not_asked_back(bot):
    case = TriageCase(subject="两件事",
                      body="主管能不能帮客户经理报备一个商机?另外PO-20261120 关联不了Offering,还能流转吗?",
                      partner_role="客户经理主管", now=datetime.fromisoformat("2026-11-30T10:00:00+08:00"))
    result = triage(bot, case, CLOCK)
    names = [c["name"] for c in result.tool_calls]
    assert set(names) == {"opportunity_permission", "po_assessment_check"} and len(names) == len(set(names))
    assert result.category == "opportunity"  # the first ask's tool
    assert not any("角色" in m for m in result.missing_information)  # the role field states it
    # one section per ask, in the order asked
    assert result.draft_reply.index("商机") < result.draft_reply.index("PO")
    assert bot.sessions.sessions("triage") == []  # the per-ask scratch sessions are not kept


def test_a_case_split_into_asks_keeps_facts_out_of_the_asks():
    from assistant.triage import asks_of
    assert asks_of("今天是2026-11-23。业绩看板里还是没有。主管能报备商机吗?") == ["业绩看板里还是没有。", "主管能报备商机吗?"]
    assert asks_of("I am a supervisor. Can I register an opportunity?") == ["Can I register an opportunity?"]


def test_the_assignment_date_is_the_one_told_with_the_assignment_not_the_orders(bot):
    answer = bot.answer("客户12月2日下的单,但他11月28日才分配给客户经理,业绩看板从哪天开始统计这个客户?",
                        now=datetime.fromisoformat("2026-12-05T10:00:00+08:00"))
    [call] = [c for c in answer.tool_calls if c.name == "attribution_start"]
    assert call.arguments["assigned_at"].startswith("2026-11-28")


@pytest.mark.parametrize(("sentence", "function"), [
    ("上个月的账单什么时候出?", "question"), ("客户消费还能不能查", "question"), ("Can we still query it", "question"),
    ("请告知2025年6月的客户消费明细目前的查询情况。", "request"), ("Please confirm the deadline of the bill.", "request"),
    ("We would also like the menu for opportunities.", "request"),
    ("Our finance team asks whether they can be put on a single invoice.", "question"),
    ("到现在业绩管理里还没显示。", "problem"), ("The portal rejected it.", "problem"),
    ("The API keeps returning HTTP 503 since this morning", "problem"),
    ("今天是2026-11-23。", "fact"), ("We are in London.", "fact"), ("I am an account-manager supervisor.", "fact"),
])
def test_a_sentence_is_read_by_what_it_does(sentence, function):
    # "We are in London." holds "are", which the former marker list took for a question
    from assistant.triage import sentence_function
    assert sentence_function(sentence) == function


def test_a_question_naming_no_topic_is_read_with_the_sentence_before_it():
    from assistant.triage import asks_of
    topical = lambda s: "rule" not in s.lower() and "show up" not in s  # noqa: E731 - the two bare questions
    body = "Our account manager tried to register an opportunity and the portal rejected it. Is that a rule? " \
           "Also, how long does a refund take?"
    assert asks_of(body, topical) == ["Our account manager tried to register an opportunity and the portal "
                                      "rejected it. Is that a rule?", "Also, how long does a refund take?"]


def test_an_uncovered_ask_beside_answered_ones_is_named_for_a_person(bot):
    case = TriageCase(subject="消费明细与认证", body="客户想查2025年3月的客户消费明细,现在还能查到吗?另外我们的伙伴认证怎么续期?",
                      now=datetime.fromisoformat("2026-11-30T10:00:00+08:00"))
    result = triage(bot, case, CLOCK)
    assert [c["name"] for c in result.tool_calls] == ["consumption_lookback"]
    assert result.needs_human and any("认证" in m and "人工" in m for m in result.missing_information)


def test_a_reported_problem_one_tool_answers_is_answered_not_refused(bot):
    # The chat refuses "…gets HTTP 400 with error code CBC.0100 when it pulls data." (a statement asking no
    # date, amount or verdict); as an ask of a support case it asks what the rules say about the code.
    statement = "Since Friday our reconciliation script gets HTTP 400 with error code CBC.0100 when it pulls data."
    now = datetime.fromisoformat("2026-12-07T10:00:00+08:00")
    assert bot.answer(statement, now=now).abstained
    answer = bot.answer(statement, now=now, case_ask=True)
    assert not answer.abstained and [c.name for c in answer.tool_calls] == ["error_code_lookup"]
    case = TriageCase(subject="Script failing", now=now,
                      body=statement + " What does this code mean? And when is the partner bill for November 2026 due?")
    result = triage(bot, case, CLOCK)
    assert result.category == "error_code" and {c["name"] for c in result.tool_calls} == {"error_code_lookup", "bill_timing"}


def test_a_detail_is_asked_back_only_when_it_decides_the_rule_the_answer_rests_on(bot):
    now = datetime.fromisoformat("2026-11-06T10:00:00+08:00")
    # The consumption rule that answers this ("…不能作为…开票的依据") turns on no month and no batch-or-single choice.
    answer = bot.answer("另外客户消费里面的金额能不能先拿来给华为开票?", now=now)
    assert answer.follow_up is None and not answer.abstained
    assert "不能作为伙伴结算、还款与开票的依据" in answer.answer
    # Whether several incentives share an invoice turns on how they were applied: still asked.
    assert "批量" in (bot.answer("我们有三笔激励,申付单号 SP12345,能合并开票吗?", now=now).follow_up or "")


def test_every_follow_up_detail_names_rules_of_its_own_tool():
    from assistant.planning import DECIDES, FOLLOW_UPS
    from tools import TOOLS

    assert set(DECIDES) == set(FOLLOW_UPS)
    for (tool, _), rules in DECIDES.items():
        assert rules and rules <= set(TOOLS[tool].rules), tool


def test_a_case_is_read_in_nfkc_so_a_full_width_field_line_dates_it(bot):
    # 来件日期：… with a full-width colon is a header field (its date dates the case), never an ask
    case = TriageCase(subject="账单生成时间", body="来件日期\uff1a2026年12月2日\n您好\uff0c11月的伙伴账单什么时候生成\uff1f")
    result = triage(bot, case, CLOCK)
    assert result.received_from == "stated" and result.received_at.date().isoformat() == "2026-12-02"
    assert [c["name"] for c in result.tool_calls] == ["bill_timing"]
    assert not any("来件日期" in a.text for a in result.asks)


def test_the_case_facts_reach_every_ask_as_details_not_as_topic(bot):
    # The zone is in the clause dating the case, the batch in a fact sentence: both reach the asks they
    # concern, as earlier turns' details reach a later question; neither changes what another ask is about.
    case = TriageCase(subject="Two questions",
                      body="Case logged 2026-12-04 (Berlin).\nBy when is the November 2026 partner bill produced, "
                           "in our local time?\nOur four incentives went through one batch application. "
                           "May they share one invoice?")
    result = triage(bot, case, CLOCK)
    calls = {c["name"]: c["arguments"] for c in result.tool_calls}
    assert calls["bill_timing"]["timezone"] == "Europe/Berlin"
    assert {i["application"] for i in calls["invoice_merge_check"]["incentives"]} == {"batch"}
    assert [a.status for a in result.asks] == ["answered", "answered"] and not result.needs_human


def test_a_fact_on_one_topic_does_not_answer_an_ask_on_another(bot):
    # the October bill paid late is a detail of the bill rule, not an answer to a late-fee waiver
    case = TriageCase(subject="Bill", now=datetime.fromisoformat("2026-11-28T10:00:00+08:00"),
                      body="When will the November 2026 partner bill be generated?\nOur October bill was settled "
                           "a week late. Could the penalty for paying late be cancelled?")
    result = triage(bot, case, CLOCK)
    assert [c["name"] for c in result.tool_calls] == ["bill_timing"]
    assert [a.status for a in result.asks] == ["answered", "uncovered"] and result.needs_human


@pytest.mark.parametrize(("ask", "asked"), [
    ("Also, our auditors ask whether the consumption data can be a basis for settlement.",
     "whether the consumption data can be a basis for settlement?"),
    ("The finance lead wants to know how far back the consumption data goes.", "how far back the consumption data goes?"),
    ("Whether it counts?", "Whether it counts?"),  # nothing reports the asking: as it is
    ("Can a supervisor register one?", "Can a supervisor register one?"),
])
def test_an_indirect_question_is_read_as_what_it_asks(ask, asked):
    from assistant.asks import embedded_question
    assert embedded_question(ask) == asked


@pytest.mark.parametrize(("message", "reports"), [
    ("Since Monday our export gets HTTP 400 when it runs. What does that mean?", True),
    ("客户分配前的消费在看板里都没有,是不是漏了?", True),
    ("Can the late payment fee on the October bill be waived?", False),
    ("10月的账单我们晚付了几天,能否申请免除滞纳金?", False),
])
def test_only_an_ask_reporting_a_problem_is_answered_by_whatever_the_rules_compute(message, reports):
    # the lone-tool override skips the chat's "does it ask what the tool computes" test only for a reported
    # problem; a question that reports nothing is decided as the chat decides it
    from assistant.asks import reports_problem
    assert reports_problem(message) is reports


def test_an_ask_refused_alone_is_answered_only_when_the_earlier_asks_passage_holds_it(bot):
    # the passage quoted for another ask must hold its words (the chat's follow-on gate, half of the words held,
    # answered the bonus question from the review passage too; it was measured and not taken)
    held = triage(bot, TriageCase(subject="立项", body="联合立项申请提交以后由哪一方评审?会议信息会同步给伙伴吗?"), CLOCK)
    assert [a.status for a in held.asks] == ["answered", "answered"] and not held.needs_human
    unheld = triage(bot, TriageCase(subject="立项", body="联合立项申请提交以后由哪一方评审?立项通过后伙伴能领多少奖金?"), CLOCK)
    assert [a.status for a in unheld.asks] == ["answered", "uncovered"] and unheld.needs_human


def test_a_rule_no_tool_computes_with_is_categorised_by_its_family(bot):
    # who receives a shared PO is no tool's computation, but a PO rule: the case is a PO case, not "general"
    result = triage(bot, TriageCase(subject="PO", body="PO共享给华为以后,代表处那边是一个PSM还是多个PSM收到?"), CLOCK)
    assert result.category == "po_assessment" and not result.needs_human and not result.tool_calls


def test_a_topicless_question_after_a_problem_asks_about_it_when_the_chat_answers_the_two(bot):
    now = datetime.fromisoformat("2026-12-03T09:00:00+08:00")
    about = triage(bot, TriageCase(subject="Bill", now=now, body="Hello. Our partner bill for November 2026 still does "
                                   "not show in Partner Center. By what time should it be there?\nThanks"), CLOCK)
    assert len(about.asks) == 1 and about.asks[0].status == "answered" and not about.needs_human
    assert [c["name"] for c in about.tool_calls] == ["bill_timing"]
    # the chat refuses the pair: the question stays an ask of its own, left to a person
    other = triage(bot, TriageCase(subject="Bill", now=now, body="Hello. Our partner bill for November 2026 still does "
                                   "not show in Partner Center. Can the fee we paid for it be refunded to us?\nThanks"), CLOCK)
    assert [a.status for a in other.asks] == ["answered", "uncovered"] and other.needs_human


def test_greetings_and_signatures_are_no_words_of_a_one_ask_case(bot):
    # the sign-off and the name are words the documents never use: read as part of the question they refused it
    case = TriageCase(subject="Customer consumption", now=datetime.fromisoformat("2026-12-01T10:00:00+08:00"),
                      body="您好:\n客户要去年全年的消费明细,现在还能在伙伴中心导出吗?\n顺祝商祺\n赵德柱")
    result = triage(bot, case, CLOCK)
    assert [a.status for a in result.asks] == ["answered"] and not result.needs_human
    assert "赵德柱" not in result.asks[0].text and "顺祝商祺" not in result.asks[0].text


def test_a_question_pointing_back_by_a_pronoun_is_read_with_the_fact_before_it(bot):
    case = TriageCase(subject="Card", now=datetime.fromisoformat("2026-11-28T10:00:00+08:00"),
                      body="Hi,\nOur customer spent CNY 6,500 on cloud servers using a stored-value card. What performance "
                           "is credited to us for it?\nAlso, when is the November 2026 partner bill generated?\nThanks")
    result = triage(bot, case, CLOCK)
    calls = {c["name"]: c["arguments"] for c in result.tool_calls}
    assert calls["stored_value_card_credit"]["transaction"] == "pay_with_card" and "bill_timing" in calls
    assert [a.status for a in result.asks] == ["answered", "answered"] and not result.needs_human


def test_a_question_opening_another_matter_after_a_problem_stays_its_own_ask(bot):
    # "另外 / Also, ..." adds another matter: even when its topic word is one the index never uses (so the
    # index finds no topic of its own in it), it is never folded into the problem report before it
    now = datetime.fromisoformat("2026-12-03T09:00:00+08:00")
    result = triage(bot, TriageCase(subject="接口", now=now, body="接口返回HTTP 400,错误码CBC.30000010。另外代金券要怎么申请?"), CLOCK)
    assert len(result.asks) == 2 and result.asks[-1].status == "uncovered" and result.needs_human


def test_a_subject_is_read_with_the_body_only_when_the_body_names_no_topic(bot):
    # a title's words ("dashboard": the dashboard's passage states the assignment rule) do not steer an ask
    # that names its own topic; a body naming none ("When will it be out?") is still read with its subject
    now = datetime.fromisoformat("2026-12-03T09:00:00+08:00")
    named = triage(bot, TriageCase(subject="Numbers missing from the dashboard", now=now,
                                   body="Hello,\nThe performance our rep booked on Monday is not on the performance "
                                        "management page yet. By when will it be there?\nMany thanks,\nIda"), CLOCK)
    assert [c["name"] for c in named.tool_calls] == ["performance_visibility"]
    bare = triage(bot, TriageCase(subject="十月的伙伴账单", now=now, body="什么时候能出来?"), CLOCK)
    assert [c["name"] for c in bare.tool_calls] == ["bill_timing"]


def test_a_courtesy_closing_after_several_asks_is_no_ask(bot):
    # a request marker requesting nothing (only the readers and a particle after it) closes the case
    case = TriageCase(subject="两个问题", body="您好,\n11月的伙伴账单什么时候生成?\n另外,客户经理主管能报备商机吗?\n麻烦大家了")
    result = triage(bot, case, CLOCK)
    assert len(result.asks) == 2 and not result.needs_human


@pytest.mark.parametrize("body, priority", [
    ("我要投诉:我们连续三次报备商机都被驳回,也没人解释原因。", "high"),             # a stated failure
    ("Submitting the payment request keeps failing; we have tried five times today.", "high"),
    ("系統一直登入不了,整個團隊的工作都卡住了。", "high"),                              # a blocked ability, stated
    ("昨天的业绩现在还看不到,这个正常吗?", "normal"),                                  # asks whether a wait is expected
    ("Is HTTP 429 something to worry about? We saw it once in last week's logs.", "normal"),
])
def test_priority_is_high_for_a_problem_the_case_states_not_one_it_asks_about(bot, body, priority):
    assert triage(bot, TriageCase(subject="Case", body=body, now=CLOCK), CLOCK).priority == priority


@pytest.mark.parametrize("now, overdue", [("2026-12-10T10:00:00+08:00", True), ("2026-11-02T10:00:00+08:00", False)])
def test_a_problem_reported_after_the_rules_date_goes_to_a_person(bot, now, overdue):
    # the October bill is due by 11-05 12:00: still missing on 12-10 is no wait the rule explains
    case = TriageCase(subject="账单", body="我们2026年10月的伙伴账单一直没有生成,系统里查不到。", now=now)
    result = triage(bot, case, CLOCK)
    assert [c["name"] for c in result.tool_calls] == ["bill_timing"]
    assert result.needs_human is overdue
    assert any("2026-11-05 12:00" in m for m in result.missing_information) is overdue


def test_a_question_about_a_past_date_is_no_problem_reported(bot):
    # asking when past performance shows is answered; only a report of it missing is escalated
    case = TriageCase(subject="Performance", body="When was the performance of 1 December 2026 visible?",
                      now="2026-12-08T10:00:00+08:00")
    result = triage(bot, case, CLOCK)
    assert "performance_visibility" in [c["name"] for c in result.tool_calls] and not result.needs_human


def test_a_sentence_asking_two_tools_things_is_two_asks(bot):
    # comma clauses asking of different tools are two asks: each runs its own tool, or is named for a person
    case = TriageCase(subject="储值卡", body="客户上周用储值卡支付了800元,能算多少业绩,11月20日的业绩哪天能在系统里查到?",
                      now="2026-12-03T10:00:00+08:00")
    result = triage(bot, case, CLOCK)
    assert [a.tools for a in result.asks] == [["stored_value_card_credit"], ["performance_visibility"]]
    case = TriageCase(subject="储值卡", body="客户11月25日用储值卡支付了800元,这笔能算多少业绩,什么时候能在系统里看到?",
                      now="2026-12-03T10:00:00+08:00")
    result = triage(bot, case, CLOCK)
    assert len(result.asks) == 2 and result.asks[0].tools == ["stored_value_card_credit"]
    assert result.asks[1].tools or result.needs_human and any(result.asks[1].text in m for m in result.missing_information)
