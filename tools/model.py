"""Typed building blocks shared by every rules-engine tool.

Every tool returns a subclass of :class:`ToolOutput`, so the assistant can cite
(`rule_refs`), explain (`explanation_zh` / `explanation_en`) and show its work
(`trace`) without knowing the tool.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Annotated, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

#: Beijing time as the corpus defines it: GMT+08:00, a fixed offset. Asia/Shanghai would apply the
#: historical offsets (LMT, 1940s-1991 summer time) to old dates, which the rules do not mean.
BEIJING = timezone(timedelta(hours=8), "GMT+08:00")

#: Years the engine computes in. Inside them no step of any tool (a next day, 18 months back, the bill
#: deadline of December) leaves Python's date range; outside them a tool refuses with a field error.
MIN_YEAR, MAX_YEAR = 1900, 9998

_PERIOD_RE = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only: "２０２６-０８" is not echoed back


def _check_year(year: int, what: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{what}: the rules engine handles years {MIN_YEAR} to {MAX_YEAR}, got {year}")


def _check_period(value: str) -> str:
    match = _PERIOD_RE.fullmatch(value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(
            f"billing period must be 'YYYY-MM' with a month from 01 to 12, got {value!r}"
        )
    _check_year(int(match.group(1)), "billing period")
    return value


def _check_day(value: date) -> date:
    _check_year(value.year, "date")
    return value


def _check_moment(value: datetime) -> datetime:
    # Judge the Beijing-time year, the one the rules compute in, without converting near the edges
    # (astimezone itself overflows at 9999-12-31 / 0001-01-01).
    _check_year(value.year, "time")
    return value


#: A calendar day inside the engine's years.
EngineDate = Annotated[date, AfterValidator(_check_day)]
#: A timestamp with its UTC offset, inside the engine's years.
EngineDatetime = Annotated[AwareDatetime, AfterValidator(_check_moment)]


_MAX_MONEY = Decimal("99999999999999.99")


def _parse_money(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("an amount must be a number, not a boolean")
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        text = value.strip()
        if re.search(r"[eE]", text):
            raise ValueError(f"write the amount without an exponent, e.g. 100.00 (got {value!r})")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise ValueError(f"an amount is digits with an optional decimal point, got {value!r}")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not an amount: {value}")
        if abs(value) > _MAX_MONEY:
            raise ValueError(f"an amount must be at most {_MAX_MONEY:,} yuan")
        if value != value.quantize(Decimal("0.01"), rounding="ROUND_DOWN"):
            raise ValueError(f"an amount has at most two decimal places (fen), got {value}")
    return value


def _normalise_money(value: Decimal) -> Decimal:
    # Two decimals, and no negative zero: "1.0000" -> 1.00, "-0" -> 0.00.
    return abs(value.quantize(Decimal("0.01"))) if value == 0 else value.quantize(Decimal("0.01"))


#: An amount of money in CNY: plain digits (no exponent), at most two decimals, shown with two.
Money = Annotated[Decimal, BeforeValidator(_parse_money), Field(ge=Decimal("0"), le=_MAX_MONEY),
                  AfterValidator(_normalise_money)]


#: A billing period (账期): one calendar month, written ``YYYY-MM``.
BillingPeriod = Annotated[
    str,
    AfterValidator(_check_period),
    Field(description="Billing period (账期) as YYYY-MM, e.g. 2026-08", examples=["2026-08"]),
]


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # "America" is a folder of zones: IsADirectoryError
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
    """Calendar-month arithmetic; the day is clamped to the target month's end.

    Raises ValueError when the result leaves Python's years 1-9999.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise ValueError(f"{day.isoformat()} {months:+d} months leaves the supported calendar")
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


Basis = Literal["rule", "interpretation", "not_stated", "input"]


class Statement(BaseModel):
    """One sentence of an explanation and what it rests on.

    ``rule``: says what the cited rules (``rules``) state, applied to the input; ``interpretation``: a reading
    the corpus leaves open, worded as ours; ``not_stated``: what the corpus does not say; ``input``: restates
    the caller's input or the engine's own limits (a calendar caveat), no rule claim.
    """

    model_config = ConfigDict(extra="forbid")

    zh: str
    en: str
    basis: Basis
    rules: list[str] = Field(default_factory=list, description="Rule ids this sentence rests on")
    quote: str | None = Field(default=None, description="A document sentence this rests on when it is not one "
                                                        "of the fixed rules (duration rules read at index build)")


class ToolOutput(BaseModel):
    """What every tool returns besides its typed verdict fields."""

    model_config = ConfigDict(extra="forbid")
    # The output field holding the moment by which the rule says the thing the tool is about happens (a bill
    # generated, performance shown), if the tool computes one: a case reporting that thing missing after the
    # moment is no matter of waiting, the draft cannot settle it (triage sends it to a person).
    due: ClassVar[str | None] = None

    explanation_zh: str
    explanation_en: str
    statements: list[Statement] = Field(
        default_factory=list, description="The explanation sentence by sentence, each with its basis")
    trace: list[str] = Field(description="The steps of the computation, in order")
    rule_refs: list[str] = Field(description="Ids of the corpus rules applied (see tools.rules)")


def explained(statements: list[Statement]) -> dict:
    """The explanation fields built from ``statements``, so the text is exactly its traced sentences."""
    return {"statements": statements,
            "explanation_zh": "".join(s.zh for s in statements),
            "explanation_en": " ".join(s.en for s in statements)}


def rule(zh: str, en: str, *rules: str, quote: str | None = None) -> Statement:
    return Statement(zh=zh, en=en, basis="rule", rules=list(rules), quote=quote)


def interpretation(zh: str, en: str, *rules: str) -> Statement:
    return Statement(zh=zh, en=en, basis="interpretation", rules=list(rules))


def not_stated(zh: str, en: str, *rules: str) -> Statement:
    return Statement(zh=zh, en=en, basis="not_stated", rules=list(rules))


def given(zh: str, en: str) -> Statement:
    return Statement(zh=zh, en=en, basis="input")
