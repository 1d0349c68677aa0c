"""Rules-engine inputs at the edges: years 1 and 9999, money as written, and Beijing time as GMT+08:00."""

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from tools import ToolInputError, run_tool
from tools.model import BEIJING, MAX_YEAR, MIN_YEAR

NOW = "2026-11-27T10:00:00+08:00"
EDGE_MOMENTS = ["9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
                "0001-01-01T00:00:00+00:00", "9998-12-31T23:00:00-12:00", "1899-12-31T23:00:00-05:00"]


@pytest.mark.parametrize("name,args,field", [
    ("performance_visibility", {"business_date": "9999-12-31"}, "business_date"),
    ("performance_visibility", {"business_date": "0001-01-01"}, "business_date"),
    ("bill_timing", {"billing_period": "9999-12", "now": NOW}, "billing_period"),
    ("bill_timing", {"billing_period": "0001-01", "now": NOW}, "billing_period"),
    ("bill_timing", {"event_time": "9999-12-31T20:00:00+00:00", "now": NOW}, "event_time"),
    ("bill_timing", {"billing_period": "2026-08", "now": "9999-12-31T23:00:00-05:00"}, "now"),
    ("attribution_start", {"assigned_at": "9999-12-31T22:00:00+00:00", "dashboard": "performance"}, "assigned_at"),
    ("consumption_lookback", {"requested_start": "0001-01-01", "now": "0001-06-01T00:00:00+08:00"}, "now"),
    ("consumption_lookback", {"requested_start": "0001-01", "now": NOW}, "requested_start"),
])
def test_edge_years_are_a_field_error(name, args, field):
    with pytest.raises(ToolInputError) as info:
        run_tool(name, args)
    assert any(field in e["loc"] for e in info.value.errors)
    assert f"{MIN_YEAR} to {MAX_YEAR}" in str(info.value) or "YYYY-MM" in str(info.value)


@settings(max_examples=200)
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.integers(min_value=-14 * 60, max_value=14 * 60),
       st.sampled_from(["bill_timing", "attribution_start", "consumption_lookback", "performance_visibility"]))
def test_no_date_crashes_any_tool(naive, offset_minutes, name):
    moment = naive.replace(tzinfo=timezone(timedelta(minutes=offset_minutes))).isoformat()
    args = {"bill_timing": {"event_time": moment, "now": moment},
            "attribution_start": {"assigned_at": moment, "dashboard": "performance"},
            "consumption_lookback": {"requested_start": moment[:10], "now": moment},
            "performance_visibility": {"business_date": moment[:10]}}[name]
    try:
        run_tool(name, args)
    except ToolInputError:
        pass  # a clear field error is an answer; any other exception fails the test


@pytest.mark.parametrize("written,shown", [("1.0000", "1.00"), ("-0", "0.00"), ("100", "100.00"), ("0.5", "0.50"),
                                           (12.5, "12.50")])
def test_money_is_normalised_to_two_decimals(written, shown):
    out = run_tool("stored_value_card_credit", {"transaction": "pay_with_card", "amount": written})
    assert str(out.credited_amount) == shown
    assert f"{shown} 元" in out.explanation_zh and f"CNY {shown}" in out.explanation_en


@pytest.mark.parametrize("written,message", [("1E+2", "exponent"), ("0E-10", "exponent"), (1e20, "exponent"),
                                             ("1.005", "two decimal"), ("12abc", "digits"), (True, "boolean"),
                                             ("9" * 29, "at most")])
def test_bad_money_is_refused_with_the_field(written, message):
    with pytest.raises(ToolInputError, match=message) as info:
        run_tool("stored_value_card_credit", {"transaction": "pay_with_card", "amount": written})
    assert info.value.errors[0]["loc"] == ("amount",)


def test_beijing_time_is_a_fixed_gmt_plus_8_even_in_1988():
    # Asia/Shanghai observed summer time (UTC+9) in 1986-1991; the corpus defines Beijing time as GMT+08:00.
    assert BEIJING.utcoffset(None) == timedelta(hours=8)
    out = run_tool("attribution_start", {"assigned_at": "1988-06-30T16:30:00+00:00", "dashboard": "consumption"})
    assert out.counts_from_beijing.isoformat() == "1988-07-01T00:30:00+08:00"
    bill = run_tool("bill_timing", {"event_time": "1988-06-30T15:30:00+00:00", "now": NOW})
    assert bill.billing_period == "1988-06"  # 23:30 on 30 June at +08:00 (it would be July at +09:00)


@pytest.mark.parametrize("period", ["2026-08\n", "２０２６-０８", " 2026-08", "2026-8"])
def test_billing_period_is_ascii_yyyy_mm_exactly(period):
    with pytest.raises(ToolInputError) as info:
        run_tool("bill_timing", {"billing_period": period, "now": NOW})
    assert info.value.errors[0]["loc"] == ("billing_period",)


@settings(max_examples=200)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9998, 12, 31)), st.integers(1, 1000),
       st.sampled_from(["minutes", "hours", "calendar_days", "working_days", "weeks", "months", "years"]),
       st.sampled_from(["before", "after", "within", "once_per"]))
def test_duration_deadline_never_crashes(day, amount, unit, direction):
    try:
        out = run_tool("duration_deadline", {"amount": amount, "unit": unit, "direction": direction,
                                             "event_time": day.isoformat(), "event": "x"})
    except ToolInputError as exc:
        assert "event_time" in str(exc)
    else:
        assert (out.result_date < day) == (direction == "before")


def test_order_visibility_takes_a_real_boolean():
    with pytest.raises(ToolInputError, match="customer_under_their_name"):
        run_tool("order_visibility", {"customer_under_their_name": "yes"})


def test_lookback_from_the_first_supported_year():
    out = run_tool("consumption_lookback", {"requested_start": "1900-01-01",
                                            "now": "1900-03-01T00:00:00+08:00"})
    assert out.earliest_queryable_date == date(1898, 9, 1) and out.queryable == "yes"
