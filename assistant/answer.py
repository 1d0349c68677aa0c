"""The answer contract shared by the CLI, the API and the eval harness."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, PrivateAttr

#: Years a turn's ``now`` may fall in: the rules engine computes within them, and relative words
#: ("next month", "18 months ago") stay inside Python's calendar.
NOW_YEARS = (1900, 9998)


def check_now(now: datetime) -> datetime:
    """``now`` must carry a UTC offset and lie in :data:`NOW_YEARS` (ValueError names the field)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must carry a UTC offset, e.g. 2026-11-27T10:00:00+08:00")
    if not NOW_YEARS[0] <= now.year <= NOW_YEARS[1]:
        raise ValueError(f"now must fall in the years {NOW_YEARS[0]} to {NOW_YEARS[1]}, got {now.year}")
    return now


#: An aware datetime within :data:`NOW_YEARS`, for request models.
Now = Annotated[AwareDatetime, AfterValidator(check_now)]


Move = Literal["new", "continue", "modify", "switch", "refer_back", "convert", "unclear"]


class Citation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chunk_id: str
    text: str = Field(description="The whole cited chunk")
    quote: str = Field(description="The sentence(s) that support the answer, in the source language")
    source: str
    menu_path: str | None = None
    title: str | None = Field(default=None, description="The passage's own title (a page or FAQ heading): what a "
                                                        "citation is called where it has no menu path")


class ToolCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    tool_calls: list[ToolCall] = Field(default_factory=list)
    follow_up: str | None = None
    follow_up_choices: list[str] = Field(
        default_factory=list, description="Short answers to the follow-up question, for buttons; [] without one")
    move: Move | None = Field(
        default=None, description="How this turn relates to the conversation: new topic, continue (fills a "
                                  "pending detail), modify, switch, refer_back, convert, unclear")
    language: Literal["zh", "en"] = Field(description="The answer's language, zh or en (clients branch on it)")
    variant: Literal["en", "zh-Hans", "zh-Hant"] | None = Field(
        default=None, description="The script the answer is written in: en, zh-Hans or zh-Hant (a Traditional-"
                                  "Chinese reader gets our wording, menu paths and steps in Traditional; quotes stay "
                                  "as the source writes them)")
    session_id: str = Field(description="The conversation; send it back to continue")
    # The answer's language-neutral form (``compose.neutral``), stored with the turn so the turn can be drawn
    # again in another language (``compose.redraw``); not part of the served answer.
    _parts: dict[str, Any] | None = PrivateAttr(default=None)
