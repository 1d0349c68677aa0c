"""The assistant answers a date question from a duration rule of the documents with duration_deadline."""

from datetime import datetime

import pytest

from .conftest import bot_with_extra

NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
# Rules written for this test in our own words (one excerpt per line, like the exported help).
RULES = (
    "申请市场发展基金 伙伴需在活动开始前至少30个自然日提交市场发展基金申请,逾期提交的申请不予受理。 父主题: 市场发展基金\n"
    "解除客户关联 同一客户3个月内仅可解除一次关联关系,代售客户解除前需结清欠款。 父主题: 客户关联\n"
    "邀请客户 客户拒绝邀请后,伙伴需间隔24小时才能再次发送邀请。 父主题: 客户关联\n"
)


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    return bot_with_extra(tmp_path_factory, "durations_zh.txt", RULES)


def _call(answer):
    calls = [c for c in answer.tool_calls if c.name == "duration_deadline"]
    assert calls, answer.answer
    return calls[0]


def test_deadline_before_an_event(bot):
    answer = bot.answer("市场发展基金活动2026年12月10日开始,最晚哪天要提交申请?", now=NOW)
    call = _call(answer)
    assert call.result["result_date"] == "2026-11-10" and call.result["kind"] == "deadline"
    assert "2026-11-10" in answer.answer and "30个自然日" in answer.answer
    assert answer.citations and "活动开始前至少30个自然日" in answer.citations[0].quote


def test_once_per_rule_gives_the_next_allowed_day(bot):
    answer = bot.answer("我2026年10月3日解除了一个客户的关联,下次最早哪天可以再解除?", now=NOW)
    call = _call(answer)
    assert call.result["result_date"] == "2027-01-03" and call.result["kind"] == "next_allowed"


def test_a_question_without_an_event_date_gets_no_computed_date(bot):
    answer = bot.answer("解除关联有次数限制吗?", now=NOW)
    assert not [c for c in answer.tool_calls if c.name == "duration_deadline"]
