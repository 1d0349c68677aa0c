"""Typed eval cases. Every dataset line validates against :class:`RetrievalCase`."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from datetime import datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

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


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1)
    expect: Expectation


class AssistantCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    category: Literal["tool", "multi_turn", "abstention", "faq"]
    language: Literal["zh-Hans", "zh-Hant", "en"]
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


class TriageEvalCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    category: Literal["triage"] = "triage"
    language: Literal["zh-Hans", "zh-Hant", "en"]
    now: datetime
    subject: str
    body: str = ""
    expect: TriageExpectation
    split: Split


SCHEMAS = {"retrieval": RetrievalCase, "assistant": AssistantCase, "triage": TriageEvalCase}

Case = TypeVar("Case", RetrievalCase, AssistantCase, TriageEvalCase)


def _load(model: type[Case], dataset: str, path: Path | None, split: Split | None) -> list[Case]:
    """Typed cases from JSONL (the bundled dataset by default); an invalid line names file and line."""
    if path is None:
        text = resources.files("evals").joinpath(f"datasets/{dataset}.jsonl").read_text("utf-8")
        source = f"{dataset}.jsonl"
    else:
        text, source = path.read_text("utf-8"), str(path)
    cases = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
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


def load_assistant_cases(path: Path | None = None, split: Split | None = None) -> list[AssistantCase]:
    return _load(AssistantCase, "assistant", path, split)


def load_triage_cases(path: Path | None = None, split: Split | None = None) -> list[TriageEvalCase]:
    return _load(TriageEvalCase, "triage", path, split)
