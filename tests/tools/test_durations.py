"""Duration rules: the parser on the documents' sentences, and duration_deadline against the hand-written tools."""

from datetime import date, datetime, time, timedelta

import pytest

from tools import ToolInputError, run_tool
from tools.durations import find_duration_rules, parse_sentence
from tools.model import BEIJING

PERFORMANCE_SENTENCE = "当天的业绩数据可于一个工作日后查看。"
LOOKBACK_SENTENCE = "客户消费数据范围最多支持前溯18个月。"


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _as_arguments(rule, event_time, sentence):
    return {"amount": rule.amount, "unit": rule.unit, "direction": rule.direction, "event": rule.event,
            "event_time": event_time, "sentence": sentence}


def test_the_bundled_rules_parse_as_duration_rules():
    (visibility,) = parse_sentence(PERFORMANCE_SENTENCE)
    assert (visibility.amount, visibility.unit, visibility.direction) == (1, "working_days", "after")
    (lookback,) = parse_sentence(LOOKBACK_SENTENCE)
    assert (lookback.amount, lookback.unit, lookback.direction, lookback.event) == (18, "months", "before", None)


def test_hand_written_working_day_tool_agrees_with_the_duration_rule_every_day_2024_2027():
    (rule,) = parse_sentence(PERFORMANCE_SENTENCE)
    for day in _days(date(2024, 1, 1), date(2027, 12, 31)):
        by_hand = run_tool("performance_visibility", {"business_date": day.isoformat()})
        by_rule = run_tool("duration_deadline", _as_arguments(rule, day.isoformat(), PERFORMANCE_SENTENCE))
        assert by_rule.result_date == by_hand.visible_date, day
        assert by_rule.calendar_status == by_hand.calendar_status, day


def test_hand_written_lookback_agrees_with_the_duration_rule_every_day_2024_2027():
    (rule,) = parse_sentence(LOOKBACK_SENTENCE)
    for day in _days(date(2024, 1, 1), date(2027, 12, 31)):
        now = datetime.combine(day, time(23, 59), BEIJING).isoformat()
        by_hand = run_tool("consumption_lookback", {"requested_start": day.isoformat(), "now": now})
        by_rule = run_tool("duration_deadline", _as_arguments(rule, now, LOOKBACK_SENTENCE))
        assert by_rule.kind == "lookback_start"
        assert by_rule.result_date == by_hand.earliest_queryable_date, day


@pytest.mark.parametrize("sentence,expected", [
    ("MDF申请须在活动开始前至少10个工作日提交。", (10, "working_days", "before", "活动开始")),
    ("退款在审核通过后1个工作日内到账。", (1, "working_days", "within", "审核通过")),
    ("同一客户3个月内仅可解除一次关联关系。", (3, "months", "once_per", "解除")),
    ("邀请发出后,客户需在7天内创建账号。", (7, "calendar_days", "within", "邀请发出")),
    ("Submit the claim within 20 working days after the activity ends.", (20, "working_days", "within",
                                                                          "activity ends")),
    ("You may disassociate from the same customer once every 3 months.", (3, "months", "once_per", None)),
    ("Requests must arrive at least 5 working days before the start date.", (5, "working_days", "before",
                                                                             "start date")),
])
def test_parse_sentence(sentence, expected):
    rules = parse_sentence(sentence)
    assert [(r.amount, r.unit, r.direction) for r in rules] == [expected[:3]]
    if expected[3]:
        assert expected[3] in rules[0].event


@pytest.mark.parametrize("sentence", ["单笔订单金额不得超过50万元。", "考试时长为90分钟。", "每个伙伴最多可以添加20个子账号。",
                                      "Each course runs for 5 days of 6 hours.", "The API allows 50 calls per second."])
def test_look_alikes_are_not_rules(sentence):
    assert parse_sentence(sentence) == []


def test_find_duration_rules_anchors_and_reports_unparsed():
    text = "审核在3个工作日内完成。考试时长为90分钟。伙伴账单按月生成。"
    scan = find_duration_rules(text, chunk_id="c1", source="s.txt")
    assert [(r.amount, r.chunk_id, r.source) for r in scan.rules] == [(3, "c1", "s.txt")]
    assert scan.unparsed == ["考试时长为90分钟。"]
    assert all(r.sentence in text for r in scan.rules)
    assert len({r.id for r in find_duration_rules(text + text).rules}) == 1  # ids are content hashes


@pytest.mark.parametrize("args,field", [
    ({"amount": 5, "unit": "years", "direction": "after", "event_time": "9998-06-01"}, "event_time"),
    ({"amount": 1, "unit": "hours", "direction": "after", "event_time": "9999-12-31T23:00:00+00:00"}, "event_time"),
    ({"amount": 0, "unit": "hours", "direction": "after", "event_time": "2026-01-01"}, "amount"),
    ({"amount": 1, "unit": "fortnights", "direction": "after", "event_time": "2026-01-01"}, "unit"),
])
def test_duration_deadline_refuses_with_a_field(args, field):
    with pytest.raises(ToolInputError) as info:
        run_tool("duration_deadline", args)
    assert field in str(info.value)
