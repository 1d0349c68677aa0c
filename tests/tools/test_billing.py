from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from tools import run_tool

BJ = ZoneInfo("Asia/Shanghai")
ZONES = ["UTC", "America/Los_Angeles", "Europe/London", "Asia/Tokyo", "Asia/Shanghai"]


@pytest.mark.parametrize("args,period,deadline,status", [
    ({"billing_period": "2026-08", "now": "2026-08-20T10:00:00+08:00"}, "2026-08", "2026-09-05T12:00:00+08:00", "period_open"),
    ({"billing_period": "2026-08", "now": "2026-09-05T11:59:59+08:00"}, "2026-08", "2026-09-05T12:00:00+08:00", "pending"),
    ({"billing_period": "2026-08", "now": "2026-09-05T04:00:00Z"}, "2026-08", "2026-09-05T12:00:00+08:00", "available"),
    ({"billing_period": "2026-12", "now": "2026-11-27T10:00:00+08:00"}, "2026-12", "2027-01-05T12:00:00+08:00", "not_started"),
    # 16:30 UTC on Jan 31 is already Feb 1 in Beijing
    ({"event_time": "2026-01-31T16:30:00Z", "now": "2026-03-10T00:00:00Z"}, "2026-02", "2026-03-05T12:00:00+08:00", "available"),
    ({"event_time": "2026-01-31T15:59:59Z", "now": "2026-03-10T00:00:00Z"}, "2026-01", "2026-02-05T12:00:00+08:00", "available"),
    # New Year's Eve in Los Angeles is already the next year in Beijing
    ({"event_time": "2026-12-31T09:00:00-08:00", "now": "2027-01-02T00:00:00Z"}, "2027-01", "2027-02-05T12:00:00+08:00", "period_open"),
])
def test_bill_timing_table(args, period, deadline, status):
    out = run_tool("bill_timing", args)
    assert out.billing_period == period
    assert out.generation_deadline_beijing == datetime.fromisoformat(deadline)
    assert out.status == status
    assert "bill.generation_deadline" in out.rule_refs


@pytest.mark.parametrize("zone,local", [
    ("America/Los_Angeles", "2026-03-04T20:00:00-08:00"),  # before US DST starts (Mar 8)
    ("America/Los_Angeles", "2026-04-04T21:00:00-07:00"),  # after
    ("Europe/London", "2026-04-05T05:00:00+01:00"),
    ("Europe/London", "2026-11-05T04:00:00+00:00"),
])
def test_deadline_in_callers_zone_follows_dst(zone, local):
    period = {"-03-": "2026-02", "-04-": "2026-03", "-11-": "2026-10"}[next(k for k in ("-03-", "-04-", "-11-") if k in local)]
    out = run_tool("bill_timing", {"billing_period": period, "now": "2026-01-01T00:00:00Z", "timezone": zone})
    assert out.generation_deadline_local.isoformat() == local
    assert out.generation_deadline_local == out.generation_deadline_beijing


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
       st.sampled_from(ZONES))
def test_event_period_is_the_beijing_calendar_month(naive, zone):
    event = naive.replace(tzinfo=ZoneInfo(zone))
    out = run_tool("bill_timing", {"event_time": event.isoformat(), "now": event.isoformat()})
    beijing = event.astimezone(BJ)
    assert out.billing_period == f"{beijing.year:04d}-{beijing.month:02d}"
    assert out.period_start_beijing <= event < out.period_end_beijing
    deadline = out.generation_deadline_beijing.astimezone(BJ)
    assert (deadline.day, deadline.hour, deadline.minute) == (5, 12, 0)
    assert deadline - out.period_end_beijing == timedelta(days=4, hours=12)
    assert out.status == "period_open"


@given(st.integers(2000, 2098), st.integers(1, 12), st.integers(-40 * 24, 80 * 24))
def test_status_is_monotonic_in_now(year, month, hours):
    period = f"{year:04d}-{month:02d}"
    start = datetime(year, month, 1, tzinfo=BJ)
    now = start + timedelta(hours=hours)
    out = run_tool("bill_timing", {"billing_period": period, "now": now.isoformat()})
    order = ["not_started", "period_open", "pending", "available"]
    expected = ("not_started" if now < out.period_start_beijing else
                "period_open" if now < out.period_end_beijing else
                "pending" if now < out.generation_deadline_beijing else "available")
    assert out.status == expected and out.status in order


@pytest.mark.parametrize("start,now,queryable,earliest", [
    ("2025-05-27", "2026-11-27T10:00:00+08:00", "yes", "2025-05-27"),
    ("2025-05-26", "2026-11-27T10:00:00+08:00", "no", "2025-05-27"),
    ("2025-05", "2026-11-27T10:00:00+08:00", "partly", "2025-05-27"),
    ("2025-06", "2026-11-27T10:00:00+08:00", "yes", "2025-05-27"),
    ("2025-04", "2026-11-27T10:00:00+08:00", "no", "2025-05-27"),
    # late on Nov 26 UTC is already Nov 27 in Beijing
    ("2025-05-27", "2026-11-26T17:00:00Z", "yes", "2025-05-27"),
    # month-end clamping: Aug 31 - 18 months = Feb 28 (2025 is not leap), Feb 29 in leap 2024
    ("2025-02-28", "2026-08-31T12:00:00+08:00", "yes", "2025-02-28"),
    ("2024-02-29", "2025-08-31T12:00:00+08:00", "yes", "2024-02-29"),
])
def test_consumption_lookback(start, now, queryable, earliest):
    out = run_tool("consumption_lookback", {"requested_start": start, "now": now})
    assert out.queryable == queryable
    assert out.earliest_queryable_date == date.fromisoformat(earliest)
    assert "Day-aligned" in out.interpretation


def test_lookback_rejects_a_future_start():
    from tools import ToolInputError

    with pytest.raises(ToolInputError, match="after today"):
        run_tool("consumption_lookback", {"requested_start": "2027-01-01", "now": "2026-11-27T00:00:00Z"})


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
def test_lookback_earliest_is_18_months_back(today):
    now = datetime(today.year, today.month, today.day, 12, tzinfo=BJ)
    out = run_tool("consumption_lookback", {"requested_start": today.isoformat(), "now": now.isoformat()})
    earliest = out.earliest_queryable_date
    assert (today.year * 12 + today.month) - (earliest.year * 12 + earliest.month) == 18
    assert earliest.day == today.day or earliest.day < today.day and (earliest + timedelta(days=1)).day == 1
    assert out.queryable == "yes"
