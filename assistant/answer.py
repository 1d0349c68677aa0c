"""The answer contract shared by the CLI, the API and the eval harness."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


Move = Literal["new", "continue", "modify", "switch", "refer_back", "convert", "unclear"]


class Citation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chunk_id: str
    text: str = Field(description="The whole cited chunk")
    quote: str = Field(description="The sentence(s) that support the answer, in the source language")
    source: str
    menu_path: str | None = None


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
    language: Literal["zh", "en"]
    session_id: str = Field(description="The conversation; send it back to continue")
