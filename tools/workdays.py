"""The mainland-China working-day calendar (工作日), with bridging days and weekend make-up days (调休).

Where a day's status comes from, in order of precedence:

1. ``official``  - a schedule passed in by the caller (:class:`CalendarData`, e.g. a State Council
   notice imported with ``partner-assistant calendar import``), else the published schedules shipped
   by the ``chinese-calendar`` package (2004 to its last covered year).
2. ``statutory`` - for a later year without a published schedule: the statutory holidays of the
   national holiday regulation as revised for 2025 (New Year's Day; Spring Festival from its eve through
   the third day; Qingming; 1-2 May; Dragon Boat; Mid-Autumn; 1-3 October), with lunar dates and the
   Qingming solar term from ``lunar-python``. Bridging days and make-up working days are only known from
   the yearly notice, so such a year is *provisional* and the result says so.
3. ``weekdays``  - earlier years without data: Monday-Friday, and the result says so.

Only the regulation's weekday/holiday rule is computed here; which calendar 工作日 means in a rule is the
tools' interpretation (the corpus does not say) and they mark it as such.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: The first year the 2025 revision of the holiday regulation governs.
STATUTORY_RULES_FROM = 2025
#: Outside these years the engine refuses dates (see tools.model), so the calendar never overflows.
MIN_YEAR, MAX_YEAR = 1900, 9998

Source = Literal["official", "statutory", "weekdays"]


class CalendarYear(BaseModel):
    """One year's official schedule: the days off on weekdays and the weekend days worked."""

    model_config = ConfigDict(extra="forbid")

    holidays: list[date] = Field(default_factory=list, description="Days off, weekdays included")
    workdays: list[date] = Field(default_factory=list, description="Weekend days that are working days (调休)")


class CalendarData(BaseModel):
    """An official-schedule file: ``{"source": "...", "years": {"2027": {"holidays": [...], "workdays": [...]}}}``.

    Each listed year replaces whatever the engine knows about that year (published or computed).
    """

    model_config = ConfigDict(extra="forbid")

    source: str = Field(default="custom", max_length=200, description="Where the schedule comes from")
    years: dict[int, CalendarYear] = Field(max_length=200)

    @model_validator(mode="after")
    def _days_match_their_year(self) -> CalendarData:
        for year, data in self.years.items():
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError(f"years.{year}: a year from {MIN_YEAR} to {MAX_YEAR} is required")
            for day in [*data.holidays, *data.workdays]:
                if day.year != year:
                    raise ValueError(f"years.{year}: {day.isoformat()} is not in {year}")
            clash = set(data.holidays) & set(data.workdays)
            if clash:
                raise ValueError(f"years.{year}: listed as both holiday and workday: "
                                 f"{sorted(d.isoformat() for d in clash)}")
            weekday_workdays = sorted(d.isoformat() for d in data.workdays if d.weekday() < 5)
            if weekday_workdays:
                raise ValueError(f"years.{year}: workdays lists make-up working days, which fall on weekends; "
                                 f"{weekday_workdays} are weekdays")
        return self


@lru_cache(maxsize=1)
def _published() -> tuple[range, frozenset[date], frozenset[date]]:
    """The published schedules shipped by chinese-calendar: (years covered, days off, weekend workdays)."""
    from chinese_calendar import constants

    years = sorted({d.year for d in constants.holidays})
    return (range(years[0], years[-1] + 1), frozenset(constants.holidays),
            frozenset(constants.workdays) - {d for d in constants.workdays if d.weekday() < 5})


def published_years() -> range:
    """The years whose official schedule ships with the engine (chinese-calendar's coverage)."""
    return _published()[0]


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory public holidays of ``year`` under the regulation as revised for 2025, with their names.

    Weekend days among them are listed too (they are days off anyway); the make-up weekday the regulation
    grants for a holiday on a weekend is fixed only by the yearly notice, so it is not guessed here.
    """
    from lunar_python import Lunar, Solar

    def lunar(month: int, day: int, lunar_year: int = year) -> date:
        solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
        return date(solar.getYear(), solar.getMonth(), solar.getDay())

    spring = lunar(1, 1)
    qingming = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    days = {date(year, 1, 1): "New Year's Day (元旦)"}
    for offset, label in ((-1, "eve"), (0, "day 1"), (1, "day 2"), (2, "day 3")):
        days[spring + timedelta(days=offset)] = f"Spring Festival {label} (春节)"
    days[date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "Qingming (清明节)"
    days[date(year, 5, 1)] = "Labour Day (劳动节)"
    days[date(year, 5, 2)] = "Labour Day (劳动节)"
    days[lunar(5, 5)] = "Dragon Boat Festival (端午节)"
    days[lunar(8, 15)] = "Mid-Autumn Festival (中秋节)"
    for day in (1, 2, 3):
        days[date(year, 10, day)] = "National Day (国庆节)"
    return days


class WorkCalendar:
    """Answers 'is this a working day', recording which years were provisional or weekdays-only."""

    def __init__(self, data: CalendarData | None = None) -> None:
        self._data = data
        self._holidays = {d for y in data.years.values() for d in y.holidays} if data else set()
        self._workdays = {d for y in data.years.values() for d in y.workdays} if data else set()
        self.provisional_years: set[int] = set()
        self.weekday_years: set[int] = set()

    @property
    def source(self) -> str:
        return self._data.source if self._data else "chinese-calendar (State Council notices)"

    def year_source(self, year: int) -> Source:
        if self._data and year in self._data.years:
            return "official"
        if year in published_years():
            return "official"
        if year >= STATUTORY_RULES_FROM:
            return "statutory"
        return "weekdays"

    def is_working_day(self, day: date) -> bool:
        source = self.year_source(day.year)
        if self._data and day.year in self._data.years:
            if day in self._workdays:
                return True
            return day.weekday() < 5 and day not in self._holidays
        if source == "official":
            _, days_off, weekend_workdays = _published()
            if day in weekend_workdays:
                return True
            return day.weekday() < 5 and day not in days_off
        if source == "statutory":
            self.provisional_years.add(day.year)
            return day.weekday() < 5 and day not in statutory_holidays(day.year)
        self.weekday_years.add(day.year)
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def add_working_days(self, day: date, count: int) -> date:
        """Move ``count`` working days from ``day`` (backwards when negative); ``day`` itself is not counted."""
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        candidate = day
        while remaining:
            candidate = _step(candidate, step)
            if self.is_working_day(candidate):
                remaining -= 1
        return candidate

    def caveats(self) -> tuple[list[str], list[str]]:
        """zh and en sentences saying which years were provisional or weekdays-only, if any."""
        zh: list[str] = []
        en: list[str] = []
        for year in sorted(self.provisional_years):
            # (the operator loads the notice with `partner-assistant calendar import FILE` once it is out)
            zh.append(f"{year} 年的调休安排(补班日和连休)尚未公布,已按法定节假日推算,结果为暂定。")
            en.append(f"Make-up working days for {year} are not yet published: the statutory holidays were "
                      "applied and the result is provisional.")
        for year in sorted(self.weekday_years):
            zh.append(f"{year} 年不在节假日数据范围内,按周一至周五为工作日推算。")
            en.append(f"{year} is outside the holiday data, so Monday-Friday working days were assumed.")
        return zh, en


def _step(day: date, step: timedelta) -> date:
    try:
        return day + step
    except OverflowError:
        raise ValueError(f"the working-day count runs past {day.isoformat()}, the end of the supported "
                         "calendar") from None
