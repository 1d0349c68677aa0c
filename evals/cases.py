"""Typed eval cases. Every dataset line validates against :class:`RetrievalCase`."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Literal

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


def load_cases(path: Path | None = None, split: Split | None = None) -> list[RetrievalCase]:
    if path is None:
        text = resources.files("evals").joinpath("datasets/retrieval.jsonl").read_text("utf-8")
        source = "retrieval.jsonl"
    else:
        text, source = path.read_text("utf-8"), str(path)
    cases = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                cases.append(RetrievalCase.model_validate(json.loads(line)))
            except ValueError as exc:
                raise ValueError(f"{source}:{number}: {exc}") from exc
    return [c for c in cases if split is None or c.split == split]
