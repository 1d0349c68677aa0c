from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from tools import ToolInputError, run_tool


@pytest.mark.parametrize("day,visible,fallback", [
    ("2026-04-30", "2026-05-06", False),   # Labour Day holiday May 1-5
    ("2026-05-08", "2026-05-09", False),   # Saturday make-up working day
    ("2026-05-09", "2026-05-11", False),
    ("2026-02-13", "2026-02-14", False),   # make-up Saturday before Spring Festival
    ("2026-02-14", "2026-02-24", False),   # Spring Festival Feb 15-23
    ("2026-09-30", "2026-10-08", False),   # National Day
    ("2026-10-09", "2026-10-10", False),   # make-up Saturday
    ("2026-12-31", "2027-01-04", True),    # 2027: statutory New Year's Day, provisional (no notice yet)
    ("2026-11-27", "2026-11-30", False),   # ordinary Friday
    ("2024-12-31", "2025-01-02", False),   # across a year boundary with a holiday
    ("2023-06-21", "2023-06-25", False),   # Dragon Boat 2023, then a Sunday make-up day (chinese-calendar)
    ("2003-06-20", "2003-06-23", True),    # before the published schedules: Monday-Friday
])
def test_performance_visibility(day, visible, fallback):
    out = run_tool("performance_visibility", {"business_date": day})
    assert out.visible_date == date.fromisoformat(visible)
    assert out.calendar_fallback is fallback
    if fallback and day.startswith("2003"):
        assert "Monday-Friday" in out.explanation_en and "周一至周五" in out.explanation_zh
    elif fallback:
        assert "not yet published" in out.explanation_en and "暂定" in out.explanation_zh
    assert out.rule_refs[0] == "performance.next_working_day"


def test_calendar_override_replaces_the_bundled_data():
    calendar = {"source": "test", "years": {"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-02"]}}}
    out = run_tool("performance_visibility", {"business_date": "2026-12-31", "calendar": calendar})
    # Only 2027 is known in the override, 2026 is not needed: Jan 1 holiday, Jan 2 (Sat) a make-up day.
    assert out.visible_date == date(2027, 1, 2) and out.calendar_fallback is False


def test_calendar_override_is_validated():
    bad = {"years": {"2027": {"holidays": ["2026-01-01"]}}}
    with pytest.raises(ToolInputError, match="not in 2027"):
        run_tool("performance_visibility", {"business_date": "2026-12-31", "calendar": bad})


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 20)))
def test_visible_date_is_the_first_working_day_after(day):
    from tools.workdays import WorkCalendar

    cal = WorkCalendar()
    out = run_tool("performance_visibility", {"business_date": day.isoformat()})
    assert out.visible_date > day
    assert cal.is_working_day(out.visible_date)
    gap = day + timedelta(days=1)
    while gap < out.visible_date:
        assert not cal.is_working_day(gap)
        gap += timedelta(days=1)
    assert (out.visible_date - day).days <= 10


@given(st.dates(min_value=date(2030, 1, 1), max_value=date(2090, 12, 31)))
def test_unpublished_years_skip_the_statutory_holidays_and_say_provisional(day):
    from tools.workdays import statutory_holidays

    out = run_tool("performance_visibility", {"business_date": day.isoformat()})
    assert out.calendar_fallback is True and out.calendar_status == "provisional"
    visible = out.visible_date
    assert visible.weekday() < 5 and visible not in statutory_holidays(visible.year)
    gap = day + timedelta(days=1)
    while gap < visible:
        assert gap.weekday() >= 5 or gap in statutory_holidays(gap.year)
        gap += timedelta(days=1)
    assert f"{visible.year}" in out.explanation_en and "provisional" in out.explanation_en


@pytest.mark.parametrize("tx,amount,credited,stated", [
    ("buy_card", "3000", Decimal("0.00"), True),
    ("pay_with_card", "3000", Decimal("3000"), True),
    ("pay_with_card", "0.10", Decimal("0.10"), True),
    ("pay_cash", "500", None, False),
    ("other", "500", None, False),   # a refund or a transfer: the rule does not cover it
])
def test_stored_value_card(tx, amount, credited, stated):
    out = run_tool("stored_value_card_credit", {"transaction": tx, "amount": amount})
    assert out.credited_amount == credited and out.stated_in_corpus is stated
    if credited is not None:
        assert isinstance(out.credited_amount, Decimal)


def test_a_card_transaction_the_rule_does_not_name_rests_on_no_rule():
    out = run_tool("stored_value_card_credit", {"transaction": "other"})
    assert out.rule_refs == [] and [s.basis for s in out.statements] == ["not_stated"]


@given(st.decimals(min_value=0, max_value=Decimal("99999999999999.99"), places=2, allow_nan=False))
def test_paying_with_the_card_credits_exactly_the_amount(amount):
    out = run_tool("stored_value_card_credit", {"transaction": "pay_with_card", "amount": str(amount)})
    assert out.credited_amount == amount


BJ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("assigned,dashboard,start", [
    ("2026-03-10T15:30:00+08:00", "performance", "2026-03-11T00:00:00+08:00"),
    ("2026-03-10T15:30:00+08:00", "consumption", "2026-03-10T15:30:00+08:00"),
    ("2026-03-10T17:30:00Z", "performance", "2026-03-12T00:00:00+08:00"),  # already Mar 11 in Beijing
    ("2026-02-28T10:00:00+08:00", "performance", "2026-03-01T00:00:00+08:00"),
    ("2028-02-28T10:00:00+08:00", "performance", "2028-02-29T00:00:00+08:00"),
    ("2026-12-31T23:59:00+08:00", "performance", "2027-01-01T00:00:00+08:00"),
])
def test_attribution_start(assigned, dashboard, start):
    out = run_tool("attribution_start", {"assigned_at": assigned, "dashboard": dashboard})
    assert out.counts_from_beijing == datetime.fromisoformat(start)
    assert out.counts_from_beijing.utcoffset() == timedelta(hours=8)


@given(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 1, 1)),
       st.sampled_from(["UTC", "America/Los_Angeles", "Europe/London"]))
def test_performance_attribution_is_the_next_beijing_midnight(naive, zone):
    assigned = naive.replace(tzinfo=ZoneInfo(zone))
    out = run_tool("attribution_start", {"assigned_at": assigned.isoformat(), "dashboard": "performance"})
    start = out.counts_from_beijing.astimezone(BJ)
    assert (start.hour, start.minute) == (0, 0)
    assert start.date() == assigned.astimezone(BJ).date() + timedelta(days=1)


def test_stored_value_card_without_an_amount_states_the_rule():
    bought = run_tool("stored_value_card_credit", {"transaction": "buy_card"})
    assert bought.credited_amount == Decimal("0.00") and "0" in bought.explanation_en
    paid = run_tool("stored_value_card_credit", {"transaction": "pay_with_card"})
    assert paid.credited_amount is None and paid.stated_in_corpus and "cash value paid" in paid.explanation_en
