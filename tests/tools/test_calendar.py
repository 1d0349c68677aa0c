"""The working-day calendar against chinese-calendar, the regulation's statutory holidays, and overrides."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings, strategies as st

from tools import ToolInputError, run_tool
from tools.workdays import CalendarData, WorkCalendar, published_years, statutory_holidays

LAST_PUBLISHED = published_years()[-1]


@settings(max_examples=400)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(min(2027, LAST_PUBLISHED), 12, 31)))
def test_published_years_match_chinese_calendar_day_by_day(day):
    calendar = WorkCalendar()
    assert calendar.is_working_day(day) is chinese_calendar.is_workday(day)
    assert not calendar.provisional_years and not calendar.weekday_years


def test_every_day_2024_to_2027_is_official_or_provisional_and_never_a_statutory_holiday_at_work():
    calendar = WorkCalendar()
    day = date(2024, 1, 1)
    while day <= date(2027, 12, 31):
        working = calendar.is_working_day(day)
        if day.year <= LAST_PUBLISHED:
            assert working is chinese_calendar.is_workday(day), day
        elif day in statutory_holidays(day.year):
            assert not working, day
        else:
            assert working is (day.weekday() < 5), day
        day += timedelta(days=1)
    assert calendar.provisional_years == {y for y in range(LAST_PUBLISHED + 1, 2028)}


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holidays_are_days_off_in_the_published_schedule(year):
    days = statutory_holidays(year)
    assert len(days) == 13  # the 2025 revision: 1 + 4 + 1 + 2 + 1 + 1 + 3
    assert all(chinese_calendar.is_holiday(d) for d in days)


def test_2027_statutory_holidays_from_the_lunar_calendar():
    days = statutory_holidays(2027)
    # Spring Festival 2027 is 6 February (lunar 1/1), so the eve is 5 February; Qingming falls on 5 April.
    for expected in ("2027-01-01", "2027-02-05", "2027-02-06", "2027-02-08", "2027-04-05", "2027-05-01",
                     "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-03"):
        assert date.fromisoformat(expected) in days


def test_2027_answer_is_provisional_and_skips_new_years_day():
    out = run_tool("performance_visibility", {"business_date": "2026-12-31"})
    assert out.visible_date == date(2027, 1, 4)
    assert out.calendar_status == "provisional"
    assert "Make-up working days for 2027 are not yet published" in out.explanation_en
    assert "2027 年的调休安排" in out.explanation_zh


def test_an_imported_schedule_replaces_its_year_only():
    data = CalendarData.model_validate({"source": "notice", "years": {"2027": {
        "holidays": ["2027-01-01", "2027-02-05", "2027-02-09"], "workdays": ["2027-02-20"]}}})
    calendar = WorkCalendar(data)
    assert not calendar.is_working_day(date(2027, 2, 9))   # a bridging day the notice adds
    assert calendar.is_working_day(date(2027, 2, 20))      # a Saturday make-up day
    assert calendar.is_working_day(date(2027, 4, 5)) is True  # the file is the whole 2027 schedule
    assert calendar.is_working_day(date(2026, 10, 1)) is False  # other years still published
    assert not calendar.provisional_years


@pytest.mark.parametrize("bad,message", [
    ({"years": {"2027": {"holidays": ["2026-01-01"]}}}, "not in 2027"),
    ({"years": {"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}}}, "both holiday and workday"),
    ({"years": {"2027": {"workdays": ["2027-01-04"]}}}, "weekdays"),
    ({"years": {"1800": {}}}, "1900"),
    ({"years": {"2027": {"holiday": []}}}, "holiday"),
    ({"source": "x"}, "years"),
])
def test_schedule_files_are_validated(bad, message):
    with pytest.raises(ToolInputError, match=message):
        run_tool("performance_visibility", {"business_date": "2026-12-31", "calendar": bad})


def test_working_day_arithmetic_both_ways():
    calendar = WorkCalendar()
    assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.add_working_days(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert calendar.add_working_days(date(2026, 5, 8), 1) == date(2026, 5, 9)  # Saturday make-up day
    assert calendar.add_working_days(date(2026, 5, 8), 0) == date(2026, 5, 8)
