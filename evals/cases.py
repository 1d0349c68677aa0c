"""Typed eval cases. Every dataset line validates against its model in :data:`SCHEMAS`."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from datetime import datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

Split = Literal["dev", "held-out"]


class RetrievalCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    category: Literal["faq", "typo", "colloquial", "out_of_scope", "injection", "partly_covered"]
    language: Literal["zh-Hans", "zh-Hant", "en"]
    question: str = Field(min_length=1)
    expected_anchors: list[str] = Field(
        description="A hit is a chunk containing any of these phrases (stable across chunk-id changes)")
    abstain: bool
    topic: str | None = None
    split: Split
    expected_fact: str | None = Field(
        default=None, description="A substring of the answering text that a correct quote must contain "
                                  "(e.g. '10个工作日', '24 hours'); null for must-abstain cases and where not checked")


class ExpectedCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    arguments: dict | None = Field(default=None, description="Exact arguments, ignoring `now`; null: not checked")
    result: dict = Field(default_factory=dict, description="Result fields (dotted paths) that must match exactly")


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tools: list[ExpectedCall] | None = Field(default=None, description="[] means no tool call; null: not checked")
    abstain: bool | None = None
    follow_up: bool | None = None
    must_contain: list[str] = Field(default_factory=list)
    must_not_contain: list[str] = Field(default_factory=list)
    cited_anchors: list[str] = Field(default_factory=list, description="Phrases some cited chunk must contain")
    move: Literal["new", "continue", "modify", "switch", "refer_back", "convert", "unclear"] | None = Field(
        default=None, description="The dialogue move this turn makes; null: not checked")
    follow_up_choices: list[str] | None = Field(
        default=None, description="Short options the assistant should offer when it asks (buttons); null: not checked")
    slots: dict | None = Field(default=None, description=(
        "Essential slot values read from the dialogue, keyed by tool argument name (billing_period, event_time, "
        "timezone, business_date, assigned_at, amount, role, customer_relation, customer_under_their_name, "
        "linked_to, http_status, requested_start), plus `applications`: each incentive's application type in "
        "the order stated; null: not checked"))


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1)
    expect: Expectation


class AssistantCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    category: Literal["tool", "multi_turn", "abstention", "faq", "dialogue"]
    language: Literal["zh-Hans", "zh-Hant", "en", "mixed"]
    now: datetime
    turns: list[Turn] = Field(min_length=1)
    split: Split


class TriageExpectation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str
    needs_human: bool
    priority: Literal["high", "normal", "low"] | None = None
    tools: list[str] | None = Field(default=None, description="Names of the tools that must run, in any order")
    entities: dict = Field(default_factory=dict, description="Entity lists that must be present exactly")
    missing_information: bool | None = None
    received_date: str | None = Field(default=None, description="The Beijing date the case was read as received on "
                                                                 "(YYYY-MM-DD); null: not checked")
    uncovered_asks: int | None = Field(default=None, ge=0, description="How many of the case's asks the documents do "
                                                                       "not cover (left to a person); null: not checked")
    tool_arguments: dict[str, dict] = Field(default_factory=dict, description=(
        "Per tool name, arguments (a subset) one of its calls must have been given: a detail the case states, "
        "such as the partner's time zone, must reach the tool"))


class TriageEvalCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    category: Literal["triage"] = "triage"
    language: Literal["zh-Hans", "zh-Hant", "en"]
    now: datetime
    subject: str
    body: str = ""
    partner_role: str | None = None  # the case form's role field, as support staff fill it in
    received_in_body: bool = Field(default=False, description=(
        "The case states when it was received in its own text (a labelled line): `now` is then only the server "
        "clock triage falls back on, not the request's `now` field"))
    expect: TriageExpectation
    split: Split


ExpressionKind = Literal["date", "datetime", "time", "month", "quarter", "year", "duration", "money", "number",
                         "timezone", "detail"]

# The keys each kind's expected value holds, and the shape of each value (checked when a case loads, so a
# typo in a label fails the dataset test instead of silently never matching).
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
_EXPECTED_SHAPES: dict[str, dict[str, str]] = {
    "date": {"date": _ISO_DATE},
    "datetime": {"datetime": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)$"},
    "time": {"time": r"^([01]\d|2[0-3]):[0-5]\d$"},
    "month": {"month": r"^\d{4}-(0[1-9]|1[0-2])$"},
    "quarter": {"start": _ISO_DATE, "end": _ISO_DATE},
    "year": {"year": r"^\d{4}$"},
    "duration": {"value": r"^\d+(\.\d+)?$", "unit": r"^(working_day|day|hour|minute|week|month|year)$"},
    "money": {"amount": r"^\d+\.\d{2}$", "currency": r"^[A-Z]{3}$"},
    "number": {"value": r"^-?\d+(\.\d+)?$"},
    # an enumerated tool detail as the planner reads it from this one message (no earlier turn): the value's
    # name, True / False for a yes/no detail, or null when the message gives none (the planner must ask)
    "detail": {"tool": r"^[a-z_]+$", "slot": r"^[a-z_]+$", "value": r"^([a-z_]+|True|False|null)$"},
}
# Any kind: the message states no value of that kind (几张, 几天 ask a number; they state none).
_ABSENT_SHAPE = {"absent": r"^True$"}
_TIMEZONE_SHAPES = ({"iana": r"^[A-Za-z_]+(/[A-Za-z_+-]+)*$"}, {"offset": r"^[+-]\d{2}:\d{2}$"}, {"invalid": r"^True$"})


class ExpressionCase(BaseModel):
    """One time, date, duration, money or number expression inside a realistic partner message.

    `span` is the exact substring of `text` that holds the expression; `expected` is its value relative to
    `now`, in the shape its `kind` fixes (a date `{"date": "2026-12-31"}`, a datetime keeps the stated
    zone's offset and Beijing time when none is stated, money `{"amount": "3000.00", "currency": "CNY"}`,
    a number the exact digits as a string). `orientation` is the direction the question looks in, which
    decides the year of a month/day written without one.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    language: Literal["zh-Hans", "zh-Hant", "en", "mixed"]
    text: str = Field(min_length=1)
    span: str = Field(min_length=1, description="The exact substring of `text` holding the expression")
    now: datetime
    kind: ExpressionKind
    expected: dict
    orientation: Literal["future", "past", "none"]
    note: str | None = Field(default=None, description="The convention used where a reading is a choice")
    split: Split

    @model_validator(mode="after")
    def _check(self) -> "ExpressionCase":
        if self.span not in self.text:
            raise ValueError(f"span {self.span!r} is not in the text")
        if self.now.tzinfo is None:
            raise ValueError("now needs a UTC offset")
        shapes = (*(_TIMEZONE_SHAPES if self.kind == "timezone" else (_EXPECTED_SHAPES[self.kind],)), _ABSENT_SHAPE)
        for shape in shapes:
            if set(self.expected) == set(shape) and all(
                    re.fullmatch(pattern, str(self.expected[key])) for key, pattern in shape.items()):
                return self
        raise ValueError(f"expected {self.expected!r} does not have the shape of a {self.kind}: "
                         f"{' or '.join(str(sorted(s)) for s in shapes)}")


DurationUnit = Literal["minutes", "hours", "calendar_days", "working_days", "weeks", "months", "years"]
DurationDirection = Literal["before", "after", "within", "once_per"]


class ExpectedDurationRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: str | None = Field(description="A phrase of the sentence naming the event the duration counts from "
                                          "(null: the current day, as in a look-back window)")
    amount: int = Field(ge=1)
    unit: DurationUnit
    direction: DurationDirection = Field(
        description="before: at least N before the event (a deadline or a look-back start); after: N after the "
                    "event (an earliest time, an expiry); within: inside N after the event (a window end); "
                    "once_per: at most once every N")


class DurationSentenceCase(BaseModel):
    """A sentence written in our own words, labelled: does it state a duration relative to an event?

    Negatives look similar (an amount, a span, a count, an aggregation window) but state no such rule.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    language: Literal["zh-Hans", "en"]
    sentence: str = Field(min_length=1)
    is_rule: bool
    expected: ExpectedDurationRule | None
    split: Split

    @model_validator(mode="after")
    def _check(self) -> "DurationSentenceCase":
        if self.is_rule != (self.expected is not None):
            raise ValueError("a rule sentence has `expected`, a negative has none")
        if self.expected and self.expected.event and self.expected.event not in self.sentence:
            raise ValueError(f"event {self.expected.event!r} is not in the sentence")
        return self


class DurationQuestionCase(BaseModel):
    """A question asking for a date that a duration rule of the extended corpus decides.

    `rule_sentence` is the corpus sentence (a substring of one excerpt); `expected` is the date or moment
    the rule gives for `event_time`, computed by hand with the official calendar, in Beijing time.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    language: Literal["zh-Hans", "en"]
    question: str = Field(min_length=1)
    rule_sentence: str = Field(min_length=1)
    event_time: datetime
    expected: str = Field(description="YYYY-MM-DD, or YYYY-MM-DDTHH:MM+08:00 for hour and minute rules")
    split: Split

    @model_validator(mode="after")
    def _check(self) -> "DurationQuestionCase":
        if self.event_time.tzinfo is None:
            raise ValueError("event_time needs a UTC offset")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}\+08:00)?", self.expected):
            raise ValueError(f"expected {self.expected!r} is not YYYY-MM-DD[THH:MM+08:00]")
        return self


SCHEMAS = {"retrieval": RetrievalCase, "assistant": AssistantCase, "triage": TriageEvalCase,
           "expression": ExpressionCase, "duration_sentence": DurationSentenceCase,
           "duration_question": DurationQuestionCase}

Case = TypeVar("Case", RetrievalCase, AssistantCase, TriageEvalCase, ExpressionCase, DurationSentenceCase,
               DurationQuestionCase)


def _load(model: type[Case], dataset: str, path: Path | None, split: Split | None) -> list[Case]:
    """Typed cases from JSONL (the bundled dataset by default); an invalid line names file and line."""
    if path is None:
        text = resources.files("evals").joinpath(f"datasets/{dataset}.jsonl").read_text("utf-8")
        source = f"{dataset}.jsonl"
    else:
        text, source = path.read_text("utf-8"), str(path)
    cases = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines(): U+2028 inside a case is text
        if line.strip():
            try:
                case = model.model_validate(json.loads(line))
            except ValueError as exc:
                raise ValueError(f"{source}:{number}: {exc}") from exc
            if case.id in seen:  # reports and baselines key on ids: a second one would hide a case
                raise ValueError(f"{source}:{number}: id {case.id!r} is already used on line {seen[case.id]}")
            seen[case.id] = number
            cases.append(case)
    return [c for c in cases if split is None or c.split == split]


def load_cases(path: Path | None = None, split: Split | None = None) -> list[RetrievalCase]:
    return _load(RetrievalCase, "retrieval", path, split)


def load_extended_cases(path: Path | None = None, split: Split | None = None) -> list[RetrievalCase]:
    """The questions over the extended development corpus (``evals/corpus_extended``), with expected facts."""
    return _load(RetrievalCase, "extended_retrieval", path, split)


def load_assistant_cases(path: Path | None = None, split: Split | None = None) -> list[AssistantCase]:
    return _load(AssistantCase, "assistant", path, split)


def load_triage_cases(path: Path | None = None, split: Split | None = None) -> list[TriageEvalCase]:
    return _load(TriageEvalCase, "triage", path, split)


def load_expression_cases(path: Path | None = None, split: Split | None = None) -> list[ExpressionCase]:
    """The labelled time, date, duration, money and number expressions (parser comparison)."""
    return _load(ExpressionCase, "expressions", path, split)


def load_dialogue_cases(path: Path | None = None, split: Split | None = None) -> list[AssistantCase]:
    """The assistant cases written for issue 11 (single turns and dialogues with moves and slots)."""
    return _load(AssistantCase, "dialogues", path, split)


def load_duration_sentences(path: Path | None = None, split: Split | None = None) -> list[DurationSentenceCase]:
    """The labelled duration sentences (recognition precision and recall)."""
    return _load(DurationSentenceCase, "duration_sentences", path, split)


def load_duration_questions(path: Path | None = None, split: Split | None = None) -> list[DurationQuestionCase]:
    """Questions with expected dates decided by duration rules of the extended corpus."""
    return _load(DurationQuestionCase, "duration_questions", path, split)
