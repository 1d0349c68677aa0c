"""Typed building blocks shared by every rules-engine tool.

Every tool returns a subclass of :class:`ToolOutput`, so the assistant can cite
(`rule_refs`), explain (`explanation_zh` / `explanation_en`) and show its work
(`trace`) without knowing the tool.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

BEIJING = ZoneInfo("Asia/Shanghai")

_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _check_period(value: str) -> str:
    match = _PERIOD_RE.match(value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(
            f"billing period must be 'YYYY-MM' with a month from 01 to 12, got {value!r}"
        )
    return value


#: A billing period (账期): one calendar month, written ``YYYY-MM``.
BillingPeriod = Annotated[
    str,
    AfterValidator(_check_period),
    Field(description="Billing period (账期) as YYYY-MM, e.g. 2026-08", examples=["2026-08"]),
]


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {value!r}; use a name such as 'Asia/Tokyo' or 'UTC'") from exc
    return value


#: An IANA time-zone name such as ``America/Los_Angeles``.
TimeZoneName = Annotated[
    str,
    Field(max_length=64, description="IANA time zone of the caller, e.g. America/Los_Angeles",
          examples=["Asia/Tokyo"]),
    AfterValidator(_check_zone),
]


def period_start(period: str) -> date:
    year, month = period.split("-")
    return date(int(year), int(month), 1)


def add_months(day: date, months: int) -> date:
    """Calendar-month arithmetic; the day is clamped to the target month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ToolInput(BaseModel):
    """Base for tool inputs: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ToolOutput(BaseModel):
    """What every tool returns besides its typed verdict fields."""

    model_config = ConfigDict(extra="forbid")

    explanation_zh: str
    explanation_en: str
    trace: list[str] = Field(description="The steps of the computation, in order")
    rule_refs: list[str] = Field(description="Ids of the corpus rules applied (see tools.rules)")
