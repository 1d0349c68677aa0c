"""The mainland-China working-day calendar (工作日), with weekend make-up days (调休).

Data for covered years ships in ``data/cn_calendar.json``; callers may pass their own
:class:`CalendarData` (e.g. loaded from an override file at the CLI or API edge). Years the
data does not cover fall back to Monday-Friday, and the caller is told so.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator


class CalendarYear(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holidays: list[date] = Field(default_factory=list, description="Days off, weekdays included")
    workdays: list[date] = Field(default_factory=list, description="Weekend days that are working days (调休)")


class CalendarData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = "custom"
    years: dict[int, CalendarYear]

    @model_validator(mode="after")
    def _days_match_their_year(self) -> CalendarData:
        for year, data in self.years.items():
            for day in [*data.holidays, *data.workdays]:
                if day.year != year:
                    raise ValueError(f"years.{year}: {day.isoformat()} is not in {year}")
            clash = set(data.holidays) & set(data.workdays)
            if clash:
                raise ValueError(f"years.{year}: listed as both holiday and workday: "
                                 f"{sorted(d.isoformat() for d in clash)}")
        return self


@lru_cache(maxsize=1)
def default_calendar() -> CalendarData:
    text = resources.files("tools").joinpath("data/cn_calendar.json").read_text(encoding="utf-8")
    return CalendarData.model_validate(json.loads(text))


class WorkCalendar:
    """Answers 'is this a working day' from calendar data, recording fallback years."""

    def __init__(self, data: CalendarData | None = None) -> None:
        self._data = data or default_calendar()
        self._holidays = {d for y in self._data.years.values() for d in y.holidays}
        self._workdays = {d for y in self._data.years.values() for d in y.workdays}
        self.fallback_years: set[int] = set()

    @property
    def source(self) -> str:
        return self._data.source

    def is_working_day(self, day: date) -> bool:
        if day.year not in self._data.years:
            self.fallback_years.add(day.year)
            return day.weekday() < 5
        if day in self._workdays:
            return True
        return day.weekday() < 5 and day not in self._holidays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        candidate = day + timedelta(days=1)
        while not self.is_working_day(candidate):
            candidate += timedelta(days=1)
        return candidate
