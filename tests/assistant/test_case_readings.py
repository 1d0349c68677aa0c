"""Readings a support case needs: the received date a field line states, month lists, the months the text
labels as billing periods (a month dating a submission is not one), and fuzzy parts of a year."""

from datetime import date, datetime

import pytest

from assistant.asks import sentence_function
from assistant.slots import extract
from assistant.triage import TriageCase, labelled_received, triage

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
