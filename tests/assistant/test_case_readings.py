"""Readings a support case needs: the received date a field line states, month lists, the months the text
labels as billing periods (a month dating a submission is not one), and fuzzy parts of a year."""

from datetime import date, datetime

import pytest

from assistant.asks import asks_of, sentence_function, unlabelled
from assistant.slots import extract
from assistant.triage import TriageCase, case_dated, labelled_received, triage

NOW = datetime.fromisoformat("2026-11-29T19:00:00+08:00")


@pytest.mark.parametrize("text, months", [
    ("这张申付单有3、4月的激励", ["2026-03", "2026-04"]),
    ("账期是1、2、3月", ["2026-01", "2026-02", "2026-03"]),
    # the submission month is not a period once the text names its periods
    ("12月份发起的申付单,含3、4月两个账期", ["2026-03", "2026-04"]),
    ("Filed in October, the request covers the May and June periods.", ["2026-05", "2026-06"]),
    ("10月份提交的,账期4月到6月", ["2026-04", "2026-05", "2026-06"]),  # a labelled range keeps every month
    # with no label every month stays, as before
    ("8月和9月的账单什么时候出", ["2026-08", "2026-09"]),
])
def test_month_lists_and_labelled_periods(text, months):
    assert extract(text, NOW).months == months


def test_an_unlabelled_month_is_said_to_date_the_action():
    slots = extract("12月份发起的申付单,含3、4月两个账期", NOW)
    assert any("12月份" in note and "账期" in note for note in slots.notes_zh)


@pytest.mark.parametrize("text, months, dates", [
    ("2025年初的数据", ["2025-01"], []),
    ("前年年底的消费", ["2024-12"], [date(2024, 12, 31)]),
    ("data from late 2025", ["2025-12"], [date(2025, 12, 31)]),
    ("3月初提交", ["2026-03"], [date(2026, 3, 1)]),
    ("正月初一", [], []),
])
def test_fuzzy_parts_of_a_year_and_month(text, months, dates):
    slots = extract(text, NOW)
    assert slots.months == months and slots.dates == dates
    if months:
        assert slots.notes_zh  # the reading is stated


def test_halves_of_a_year_are_periods():
    assert extract("明年下半年", NOW).periods == [(date(2027, 7, 1), date(2027, 12, 31))]
    assert extract("H1 2026 numbers", NOW).periods == [(date(2026, 1, 1), date(2026, 6, 30))]


def test_a_field_line_is_a_fact_not_an_ask():
    assert sentence_function("登记日期:2026-12-08") == "fact"
    assert sentence_function("Opened: 8 December 2026") == "fact"
    assert sentence_function("问题:账单几号出?") == "question"
    # a request must request something: a marker with only the reader and a particle after it is a courtesy
    assert sentence_function("麻烦您了!") == "fact" and sentence_function("Please!") == "fact"
    assert sentence_function("麻烦看下10月账单") == "request"


def test_a_field_line_dates_the_case_unless_its_label_names_a_topic():
    topical = lambda label: "账单" in label  # noqa: E731 - the rules' topics, as the router would say
    assert labelled_received("登记时间:2026-12-08 14:05\n其他", NOW, topical) == \
        datetime.fromisoformat("2026-12-08T14:05:00+08:00")
    assert labelled_received("账单日期:2026-10-31", NOW, topical) is None
    assert labelled_received("登记时间:下周", NOW, topical) is None


@pytest.mark.integration
def test_triage_reads_the_received_line_as_now(bot):
    case = TriageCase(subject="业绩", body="建单时间:2026-12-08\n昨天的业绩什么时候可以查看?")
    result = triage(bot, case, NOW)
    assert result.received_from == "stated" and result.received_at.date() == date(2026, 12, 8)
    [call] = [c for c in result.tool_calls if c["name"] == "performance_visibility"]
    assert call["arguments"]["business_date"] == "2026-12-07"
    assert not any("收到时间" in m for m in result.missing_information)


@pytest.mark.parametrize("header, moment", [
    # e-mail headers: a weekday written out or abbreviated beside its date, a 12-hour clock
    ("Sent: Thursday, December 3, 2026 10:02 AM", "2026-12-03T10:02:00+08:00"),
    ("Date: Sat, Nov 28, 2026 at 11:30 PM", "2026-11-28T23:30:00+08:00"),
    ("Sent: Thurs, Dec 3, 2026 4:10 PM", "2026-12-03T16:10:00+08:00"),
    ("发送时间: 2026年11月28日 周六 晚上 9:10", "2026-11-28T21:10:00+08:00"),
])
def test_an_email_header_with_a_weekday_and_a_12_hour_clock_dates_the_case(header, moment):
    text = f"From: A Partner\n{header}\nSubject: a question"
    assert labelled_received(text, NOW, lambda label: False) == datetime.fromisoformat(moment)


def test_an_email_header_date_is_a_field_line_whatever_its_words():
    from assistant.asks import is_field_line
    assert is_field_line("Date: Mon, Nov 30, 2026 at 9:05 AM")  # four words, all the date's
    assert is_field_line("发送时间: 2026年12月2日 星期三 下午 4:15")
    assert not is_field_line("Subject: bill status") and not is_field_line("备注:10月账单还没出")


def test_a_weekday_beside_its_date_is_part_of_the_date_as_written():
    slots = extract("Monday, November 30, 2026", NOW)
    assert slots.dates == [date(2026, 11, 30)] and "monday" in slots.spans


def test_a_field_line_whose_date_the_case_tells_of_dates_that_not_the_case():
    text = "分配日期:2026-11-10\n受理时间:2026-11-16 09:00"
    assert labelled_received(text, NOW, lambda label: False, lambda day: day == date(2026, 11, 10)) == \
        datetime.fromisoformat("2026-11-16T09:00:00+08:00")


def test_a_label_only_introducing_a_question_is_dropped_and_a_time_is_no_label():
    assert unlabelled("问题描述:客户的账单几号出?") == "客户的账单几号出?"
    assert unlabelled("Question: when is the bill out?") == "when is the bill out?"
    assert unlabelled("申付单号:PR-0815") == "申付单号:PR-0815"
    assert unlabelled("东京时间11月1日0:30的消费算哪个账期?") == "东京时间11月1日0:30的消费算哪个账期?"


def test_a_question_right_after_a_problem_on_its_topic_asks_about_that_problem():
    same = lambda a, b: "PO" in a and "PO" in b  # noqa: E731 - the shared topic, as the router would say
    body = "Our PO could not be linked to an offering. Will the PO still count? Also, will the PO reach a PSM?"
    assert asks_of(body, same_topic=same) == ["Our PO could not be linked to an offering. Will the PO still count?",
                                              "Also, will the PO reach a PSM?"]


@pytest.mark.integration
def test_a_metadata_label_that_shares_a_word_with_a_rule_still_dates_the_case(bot):
    # "date" is folded onto 数据 (a performance and look-back word): the label still names no topic the case tells of
    case = TriageCase(subject="Bill", body="Date received: 3 December 2026\nWhen is the November 2026 partner bill generated?")
    result = triage(bot, case, NOW)
    assert result.received_from == "stated" and result.received_at.date() == date(2026, 12, 3)
    # ... also when the question asks "what date": asking for a date is the question's form, not its topic
    case = TriageCase(subject="Bill", body="Date received: 3 December 2026\nWhat date is the November 2026 bill generated?")
    assert triage(bot, case, NOW).received_at.date() == date(2026, 12, 3)


@pytest.mark.integration
def test_a_header_field_on_what_the_case_tells_of_stays_part_of_its_question(bot):
    body = "Logged: 2026-12-02\nOrder date: 2026-11-27\nThe order's performance is missing. When will it show?"
    result = triage(bot, TriageCase(subject="Performance", body=body), NOW)
    assert result.received_at.date() == date(2026, 12, 2)
    [call] = [c for c in result.tool_calls if c["name"] == "performance_visibility"]
    assert call["arguments"]["business_date"] == "2026-11-27"


@pytest.mark.integration
def test_an_ask_a_quoted_passage_answers_is_answered_not_left_to_a_person(bot):
    result = triage(bot, TriageCase(subject="立项", body="提交立项申请后是谁评审?评审的结果伙伴能收到吗?"), NOW)
    assert [a.status for a in result.asks] == ["answered", "answered"]
    assert not result.needs_human and not result.missing_information


@pytest.mark.integration
def test_an_ask_left_to_a_person_is_named_and_quoted_nowhere(bot):
    result = triage(bot, TriageCase(subject="储值卡", body="客户用储值卡付了5000元云服务费,业绩怎么算?另外激励发票的税率是几个点?"), NOW)
    left = [a for a in result.asks if a.status == "uncovered"]
    assert len(left) == 1 and not left[0].chunk_ids and result.needs_human
    assert any(left[0].text in m for m in result.missing_information)
    assert not any(a.text in m for a in result.asks if a.status == "answered" for m in result.missing_information)


@pytest.mark.integration
@pytest.mark.parametrize("question", ["新分给客户经理的客户,消费看板是怎么统计消费的?",
                                      "How is a reassigned customer's consumption counted on the consumption dashboard?"])
def test_a_how_question_gets_the_rule_without_a_question_back_or_a_cut_fragment(bot, question):
    answer = bot.answer(question, now=NOW)
    assert answer.follow_up is None and answer.citations
    assert all(c.quote.strip() != "经理的第二天算起。" for c in answer.citations)


@pytest.mark.integration
def test_a_when_question_about_ones_own_case_still_asks_for_the_day(bot):
    assert bot.answer("我们这个客户的消费看板从哪天开始算?", now=NOW).follow_up


def test_a_question_pointing_at_the_fact_before_it_is_read_with_that_fact():
    body = "The customer bought a card last week. Does that purchase count? Separately, who signs the contract?"
    asks = asks_of(body, same_topic=lambda a, b: False)
    assert asks == ["The customer bought a card last week. Does that purchase count?",
                    "Separately, who signs the contract?"]
    assert asks_of("客户上周买了一张卡。这笔购买算业绩吗?", same_topic=lambda a, b: False) == ["客户上周买了一张卡。这笔购买算业绩吗?"]


@pytest.mark.parametrize("text, moment, wording", [
    # a header line holding only a date, in any format the date parser reads
    ("登记日期:2026/11/23\n上周五的业绩哪天能看到?", "2026-11-23T00:00", "登记日期:2026/11/23"),
    ("Logged at: Nov 27, 2026 8:45 PM\nWhen is the bill out?", "2026-11-27T20:45", "Logged at: Nov 27, 2026 8:45 PM"),
    # a clause whose subject is the case and whose predicate is its receipt, opening or writing
    ("Received 11/04/2026 from their finance team. When is the bill out?", "2026-11-04T00:00",
     "Received 11/04/2026 from their finance team"),
    ("Written 30/11/2026 by the finance lead: is the bill out?", "2026-11-30T00:00", "Written 30/11/2026 by the finance lead"),
    ("Received on 3 Dec 2026. They want records from March 2025.", "2026-12-03T00:00", "Received on 3 Dec 2026"),
    ("这是23号收到的工单(今年11月),伙伴问账单出了没有?", "2026-11-23T00:00", "这是23号收到的工单(今年11月)"),
    ("Case opened 2026-11-26 09:30 UTC+1. Where is the data?", "2026-11-26T16:30", "Case opened 2026-11-26 09:30 UTC+1"),
    ("本案於2026年12月2日受理。夥伴詢問帳單時間。", "2026-12-02T00:00", "本案於2026年12月2日受理"),
    ("工单创建于11月24日上午10点。客户问业绩。", "2026-11-24T10:00", "工单创建于11月24日上午10点"),
    ("Ticket #4471 was opened on 2 Dec 2026, and the partner asks about bills.", "2026-12-02T00:00",
     "Ticket #4471 was opened on 2 Dec 2026"),
    # ... or whose object is the case
    ("We received this ticket on 12/01/2026. Is the bill out?", "2026-12-01T00:00", "We received this ticket on 12/01/2026"),
    ("我们11月3日收到伙伴的工单,问账单几号出。", "2026-11-03T00:00", "我们11月3日收到伙伴的工单"),
    ("I'm writing from our Osaka office on 2 December 2026. Is the bill out?", "2026-12-02T00:00",
     "I'm writing from our Osaka office on 2 December 2026"),
    # the author writing in, in Chinese (the author stays for the asks: 伦敦 is a zone)
    ("深圳的伙伴于11月26日来函:账单几号出?", "2026-11-26T00:00", "深圳的伙伴于11月26日来函"),
    # a sentence end with no space after it: the next sentence is no part of the date
    ("This ticket was received on 27 Nov 2026.Our sales rep asks about last week.", "2026-11-27T00:00",
     "This ticket was received on 27 Nov 2026"),
    ("本工单于2026/11/27收到.客户经理问账单。", "2026-11-27T00:00", "本工单于2026/11/27收到"),
])
def test_the_date_a_case_states_of_itself_is_read_in_any_format(text, moment, wording):
    clock = datetime.fromisoformat("2026-12-20T10:00:00+08:00")
    found = case_dated(text, clock)
    assert found is not None
    assert found[0] == datetime.fromisoformat(moment + ":00+08:00") and found[1] == wording


@pytest.mark.parametrize("text", [
    "We received the customer's order on 20 November 2026, but its performance is missing.",  # the order's date
    "Our payment request, submitted on 3 November 2026, covers two periods.",  # said of the request, not the case
    "华为财务11月20日收到我们的发票后多久审核?",  # an invoice received, not the case
    "The customer received the invoice on 2 December 2026. Can it be merged?",
    "工单里客户说11月3日提交的申付单还没审核。",  # the case noun opens the clause, but 提交 is the customer's
    "我们在11月3日写信给客户经理,他一直没回复。",
    "We wrote to our account manager on 3 November 2026, with no reply.",  # writing to someone else  # a letter written to someone else, not the case coming in
    "收件日期:下周\n账单几号出?",  # no date written out
    "收件日期:2026/11/30 账单几号出?",  # a question on the line: no field line
])
def test_a_date_of_something_else_does_not_date_the_case(text):
    assert case_dated(text, datetime.fromisoformat("2026-12-20T10:00:00+08:00")) is None


@pytest.mark.parametrize("text, day", [("11/04/2026", date(2026, 11, 4)), ("30/11/2026", date(2026, 11, 30)),
                                       ("04.12.2026", date(2026, 4, 12)), ("12/31/2026", date(2026, 12, 31))])
def test_numeric_dates_with_the_year_last(text, day):
    # a part above 12 is the day; otherwise month first, like the bare 12/31 form
    assert extract(text, NOW).dates == [day]


@pytest.mark.integration
def test_the_clause_dating_the_case_is_no_ask_and_feeds_no_tool_slot(bot):
    case = TriageCase(subject="Old records", body="Received on 3 Dec 2026. The customer wants consumption records "
                                                  "going back to March 2025. Is that still possible?")
    result = triage(bot, case, datetime.fromisoformat("2027-03-01T10:00:00+08:00"))
    assert result.received_from == "stated" and result.received_at.date() == date(2026, 12, 3)
    [call] = [c for c in result.tool_calls if c["name"] == "consumption_lookback"]
    assert call["arguments"]["requested_start"] == "2025-03" and call["arguments"]["now"].startswith("2026-12-03")
    assert not any("Received" in a.text for a in result.asks)


@pytest.mark.integration
def test_a_labelled_date_line_is_never_an_ask(bot):
    case = TriageCase(subject="账单", body="来件日期:2026/11/30\n问题:11月的伙伴账单什么时候生成?另外业务员能看到同事客户的订单吗?")
    result = triage(bot, case, datetime.fromisoformat("2026-12-11T10:00:00+08:00"))
    assert result.received_at.date() == date(2026, 11, 30)
    assert result.asks and not any("来件日期" in a.text for a in result.asks)
    assert not any("来件日期" in m for m in result.missing_information)


@pytest.mark.parametrize("text, moment, wording", [
    # a labelled date written as a sentence of a paragraph, not on a line of its own
    ("受理日期:2026/12/05。伙伴问上个月的账单出了没有。", "2026-12-05T00:00", "受理日期:2026/12/05"),
    ("Opened: 4 Dec 2026. They ask when the bill is out.", "2026-12-04T00:00", "Opened: 4 Dec 2026"),
    # an address or greeting before a subject-less predicate: it still opens the sentence
    ("Hi all, opened on 6 Dec 2026. Is the bill out?", "2026-12-06T00:00", "opened on 6 Dec 2026"),
    # the case's author and a verb of writing
    ("The partner's accountant wrote on 7 Dec 2026: is the bill out?", "2026-12-07T00:00",
     "The partner's accountant wrote on 7 Dec 2026"),
])
def test_a_case_dates_itself_in_a_sentence_after_a_greeting_or_by_its_author(text, moment, wording):
    clock = datetime.fromisoformat("2026-12-20T10:00:00+08:00")
    found = case_dated(text, clock, names_topic=lambda clause: "bill" in clause or "账单" in clause)
    assert found is not None
    assert found[0] == datetime.fromisoformat(moment + ":00+08:00") and found[1] == wording


def test_a_noun_before_a_subjectless_predicate_is_no_greeting():
    # the predicate is said of the payment request, a topic the case tells of, so it dates the request
    text = "Payment request, submitted on 3 November 2026. Can it be merged?"
    assert case_dated(text, datetime.fromisoformat("2026-12-20T10:00:00+08:00"),
                      names_topic=lambda clause: "payment request" in clause.lower()) is None


@pytest.mark.integration
def test_the_rest_of_a_dating_clause_still_informs_the_asks(bot):
    # the place in the dating clause is the partner's: their local time is that place's zone
    case = TriageCase(subject="Bill", body="Case logged 2 Dec 2026 for a partner (Singapore). When is the "
                                           "November 2026 partner bill generated in their local time?")
    result = triage(bot, case, datetime.fromisoformat("2026-12-20T10:00:00+08:00"))
    assert result.received_at.date() == date(2026, 12, 2)
    [call] = [c for c in result.tool_calls if c["name"] == "bill_timing"]
    assert call["arguments"]["timezone"] == "Asia/Singapore" and call["arguments"]["now"].startswith("2026-12-02")
