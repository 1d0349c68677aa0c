"""The index's catalogue: every error code and every menu path its documents state, read at build time.

The catalogue tools (``error_code_lookup``, ``menu_path_lookup``) answer from it, so a new corpus brings
its own codes and menus, and each entry names the chunk that states it (the citation).

- **Error codes** come from code tables, whichever way the export flattened them: a row such as
  ``429 CBC.0250 请求过于频繁...`` (status, code, meaning) or a row named by its columns such as
  ``HTTP Status Code: 429, Error Code: CBC.0250, Description: Too many requests...``. A code is two to
  six capitals, a dot and digits (``CBC.30000010``, ``PTN.4004``, ``MKT.0001``). The meaning is the row's
  own text; none when the excerpt is cut before it.
- **Menu paths** are the quoted or bare ``A > B > C`` paths of every chunk, with the task the chunk
  serves (its title) and its steps (the chunk's sentences from its procedure on, verbatim).
"""

from __future__ import annotations

import re
from collections import Counter

from pydantic import BaseModel, ConfigDict, Field

from .chunking import sentence_spans
from .code_tables import code_rows
from .documents import Chunk

_MENU_QUOTED = re.compile(r"[“\"]\s*([^“”\"]+?(?:\s*>\s*[^“”\"]+?)+)\s*[”“\"]")
_MENU_BARE = re.compile(r"(?<![\w>])(?!(?:Choose|Select|Click|Go|Open|Navigate|Then|In|On)\b)"
                        r"([A-Z][\w-]*(?: [A-Z][\w-]*){0,3}(?:\s*>\s*[A-Z][\w-]*(?: [A-Z][\w-]*){0,3}){1,5})")
_LABEL = re.compile(r"[“\"]\s*([^“”\">]{2,24}?)\s*[”“\"]")
_PROCEDURE = re.compile(r"操作步骤|Procedure|Steps\b")
_PARENT = re.compile(r"\s*父主题\s*[::].*$", re.S)
MAX_STEPS = 8


class CodeEntry(BaseModel):
    """One row of a code table: the code, its HTTP status, the meaning as the row states it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    http_status: int
    description: str | None = Field(default=None, description="The row's meaning; None when the excerpt is cut before it")
    sentence: str = Field(description="The row as it stands in the chunk (verbatim), the quote to cite")
    chunk_id: str
    language: str = "zh"


class MenuEntry(BaseModel):
    """A menu path a chunk states, with the task that chunk serves and its steps."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    menu_path: str
    task: str = Field(description="What the chunk is about: its title")
    sentence: str = Field(description="The sentence naming the path (verbatim), the quote to cite")
    steps: list[str] = Field(default_factory=list, description="The chunk's procedure sentences, verbatim")
    labels: list[str] = Field(default_factory=list, description="The other on-screen labels the chunk quotes "
                                                                "(tabs, buttons: 消费汇总, 申请认证)")
    chunk_id: str
    language: str = "zh"


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    codes: list[CodeEntry] = Field(default_factory=list)
    menus: list[MenuEntry] = Field(default_factory=list)


def _clean_meaning(meaning: str) -> str | None:
    meaning = meaning.strip().rstrip(".。").strip()
    # the header row's own words ("描述", "Description") are no meaning
    return meaning if len(meaning) >= 2 else None


def menu_paths(text: str) -> list[tuple[str, int]]:
    """Every menu path in ``text`` (normalised ``A > B``) with where it starts, in order, each once."""
    found: dict[str, int] = {}
    for pattern in (_MENU_QUOTED, _MENU_BARE):
        for match in pattern.finditer(text):
            path = " > ".join(part.strip() for part in match.group(1).split(">") if part.strip())
            if path.count(" > ") >= 1:
                found.setdefault(path, match.start())
    return sorted(found.items(), key=lambda item: item[1])


def _sentence_at(spans: list[tuple[int, int]], text: str, position: int) -> tuple[int, str]:
    for number, (start, end) in enumerate(spans):
        if start <= position < end:
            return number, text[start:end]
    return -1, ""


def _steps(text: str, spans: list[tuple[int, int]], at: int) -> list[str]:
    """The procedure around the path: from the sentence after 操作步骤 / Procedure (else the path's own
    sentence) to the end of the chunk, verbatim, parent-topic trailer left out."""
    marker = _PROCEDURE.search(text)
    first = at
    if marker is not None:
        for number, (start, end) in enumerate(spans):
            if start <= marker.start() < end:
                first = min(at, number + 1) if text[start:end].strip().endswith(("操作步骤", "Procedure", "Steps")) \
                    else min(at, number)
                break
    out = []
    for start, end in spans[max(first, 0):]:
        sentence = _PARENT.sub("", text[start:end]).strip()
        sentence = _PROCEDURE.sub("", sentence, count=1).strip() if _PROCEDURE.match(sentence) else sentence
        if sentence:
            out.append(sentence)
    return out[:MAX_STEPS]


def build_catalogue(chunks: list[Chunk]) -> Catalogue:
    """The codes and menus the chunks state. One entry per code (or path) per language, from the chunk
    seen most often in the sources (duplicates collapse into one chunk with many origins), then the first."""

    codes: dict[tuple[str, str], tuple[int, CodeEntry]] = {}
    menus: dict[tuple[str, str], tuple[int, MenuEntry]] = {}
    for order, chunk in enumerate(chunks):
        weight = -len(chunk.origins)
        for code, status, meaning, row in code_rows(chunk.text):
            entry = CodeEntry(code=code, http_status=status, description=_clean_meaning(meaning), sentence=row,
                              chunk_id=chunk.id, language=chunk.language)
            key = (code, chunk.language)
            # a row with its meaning beats one cut before it; then the most repeated chunk
            rank = (entry.description is None, weight, order)
            if key not in codes or rank < codes[key][0]:
                codes[key] = (rank, entry)  # type: ignore[assignment]
        paths = menu_paths(chunk.text)
        if not paths:
            continue
        spans = sentence_spans(chunk.text)
        labels = list(dict.fromkeys(m.group(1).strip() for m in _LABEL.finditer(chunk.text)))
        for path, position in paths:
            number, sentence = _sentence_at(spans, chunk.text, position)
            entry = MenuEntry(menu_path=path, task=chunk.title, sentence=sentence.strip() or path,
                              steps=_steps(chunk.text, spans, number) if number >= 0 else [], labels=labels,
                              chunk_id=chunk.id, language=chunk.language)
            key = (path, chunk.id)
            menus.setdefault(key, ((weight, order), entry))  # type: ignore[arg-type]
    return Catalogue(codes=[e for _, e in sorted(codes.values(), key=lambda x: x[0])],
                     menus=[e for _, e in sorted(menus.values(), key=lambda x: x[0])])


def code_statuses(catalogue: Catalogue) -> dict[str, int]:
    """Each code's HTTP status (the one most rows give)."""
    votes: dict[str, Counter] = {}
    for entry in catalogue.codes:
        votes.setdefault(entry.code, Counter())[entry.http_status] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in votes.items()}


__all__ = ["Catalogue", "CodeEntry", "MenuEntry", "build_catalogue", "code_statuses", "menu_paths"]
