"""Typed records that flow from loaders to the index: excerpts in, chunks out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Excerpt(BaseModel):
    """One piece of source text as a loader found it, before cleaning."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    source: str = Field(description="Origin: file path plus line or section, e.g. rules.txt:12")
    title: str | None = None
    url: str | None = None
    heading_path: tuple[str, ...] = ()


class ErrorCode(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    http_status: int


class Chunk(BaseModel):
    """An indexed unit. ``id`` is a content hash, so re-ingesting is an upsert."""

    model_config = ConfigDict(extra="forbid")

    id: str
    text: str
    origins: list[str] = Field(description="Every source location this exact text came from")
    title: str
    menu_path: str | None = None
    parent_topic: str | None = None
    error_codes: list[ErrorCode] = Field(default_factory=list)
    cut_start: bool = False
    cut_end: bool = False
    url: str | None = None
    language: str = Field(default="zh", description="zh or en: quote the passage in its own language")

    @property
    def source(self) -> str:
        return self.origins[0]
