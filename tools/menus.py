"""menu_path_lookup: where in Partner Center a task is done, and the steps, from the indexed documents.

The menus are data: the caller passes the menu paths the indexed documents state (the index's catalogue,
``knowledge.catalogue``, read at build time: each path with the task its chunk serves, the sentence naming
it and the chunk's procedure, verbatim). A task is matched to entries by the character bigrams (Chinese)
and words (English) it shares with an entry's path, task and steps, each weighted by how few entries hold
it, so the words every procedure shares ("登录", "伙伴中心") decide nothing. A task no entry covers is
"not in the indexed documents", never a guessed menu.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Literal

from pydantic import Field

from .model import ToolInput, ToolOutput, explained, not_stated, rule

MIN_COVERAGE = 0.6   # share of an entry's page name or task (IDF-weighted) the asked task must hold
MAX_TASK_NAME = 24  # characters: a longer chunk title is a sentence, not the name of a task
MAX_SHARE = 0.2      # a feature held by more than this share of the entries is too common to make a match alone
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")


class MenuRow(ToolInput):
    """One menu path of the indexed documents, with the task its chunk serves."""

    menu_path: str
    task: str
    sentence: str = Field(description="The sentence naming the path, verbatim")
    steps: list[str] = Field(default_factory=list, description="The chunk's procedure, verbatim")
    labels: list[str] = Field(default_factory=list, description="Other on-screen labels the chunk quotes (tabs, buttons)")
    chunk_id: str
    language: str = "zh"


class MenuPathInput(ToolInput):
    task: str = Field(min_length=1, max_length=500,
                      description="The feature or task, in Chinese or English, e.g. 查看伙伴账单 / partner bill")
    catalogue: list[MenuRow] | None = Field(
        default=None, description="The menu paths of the indexed documents; the assistant and the API pass their "
                                  "active index's. Without it no menu is known.")
    terms: list[str] = Field(default_factory=list, max_length=100,
                             description="The task's words as the index's analysis reads them (English names "
                                         "folded onto the documents' Chinese terms); the assistant passes them")


class MenuMatch(ToolInput):
    task: str
    menu_path: str
    sentence: str
    steps: list[str]
    chunk_id: str
    language: str


class MenuPathResult(ToolOutput):
    found: Literal["yes", "no"]
    matches: list[MenuMatch]


def features(text: str) -> set[str]:
    """Chinese characters and character bigrams, and lower-cased English words (a plural's final s dropped)."""
    low = text.lower()
    out: set[str] = set()
    for run in _CJK_RUN.findall(low):
        out.update(run[i:i + 2] for i in range(len(run) - 1))
        out.update(run)  # single characters too: 资金下拨 and 下拨资金 share all but the bigram across the words
    for word in _WORD.findall(low):
        if len(word) >= 2:
            out.add(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)
    return out


def _names(row: MenuRow) -> list[set[str]]:
    """What an entry is called: the page (the path's last level), the task its chunk serves, the tabs and
    buttons its steps name."""
    return [features(row.menu_path.split(">")[-1]), features(row.task), *(features(label) for label in row.labels)]


def _rank(task: str, rows: list[MenuRow]) -> tuple[list[tuple[float, MenuRow]], list[str]]:
    """Entries whose page name or task the asked task mostly holds (IDF-weighted, measured on the entry's
    side, so the question's own words - 在哪里, which menu - do not dilute it), best first; the path's
    upper levels and the chunk's steps break ties."""
    names = [_names(r) for r in rows]
    context = [features(r.menu_path) | features(" ".join(r.steps)) | features(r.sentence) for r in rows]
    # how many entries name a feature (an entry counts once, whichever of its names holds it)
    frequency = Counter(f for entry in names for f in set().union(*entry))
    n = len(rows)
    idf = {f: math.log(1 + n / c) for f, c in frequency.items()}
    asked = features(task)
    trace = [f"{len(asked & set(frequency))} of the task's {len(asked)} features name one of the {n} indexed menu entries"]
    scored = []
    known = asked & set(frequency)
    for row, entry, around in zip(rows, names, context):
        best = 0.0
        for position, name in enumerate(entry):
            shared = asked & name
            # a match shares a word (a bigram or an English word) held by few entries, not only characters
            if not any(len(f) > 1 and frequency[f] <= max(1.0, MAX_SHARE * n) for f in shared):
                continue
            if position >= 2 and sum(len(f) > 1 for f in shared) < 2:
                continue  # a tab or button matches on more than one word ("查询" alone names many)
            weight = sum(idf[f] for f in shared)
            coverage = weight / sum(idf[f] for f in name if f in idf)
            # or the asked task is wholly a part of this name ("订单" of 客户订单)
            whole = weight / sum(idf[f] for f in known)
            if coverage >= MIN_COVERAGE or whole >= 1.0 - 1e-9:
                best = max(best, max(coverage, whole) * weight)
        if best:
            scored.append((best + 0.01 * len(asked & around), row))
    scored.sort(key=lambda pair: -pair[0])
    trace.extend(f"candidate {score:.2f}: {row.menu_path} ({row.task[:40]})" for score, row in scored[:3])
    return scored, trace


def menu_path_lookup(args: MenuPathInput) -> MenuPathResult:
    """Find the Partner Center menu path (菜单路径) and steps for a task, from the indexed documents."""
    rows = args.catalogue or []
    asked = " ".join([args.task, *args.terms])
    scored, trace = _rank(asked, rows) if rows else ([], ["no menu paths are indexed"])
    best = [row for score, row in scored if score >= scored[0][0] - 1e-9] if scored else []
    # the same path stated by several chunks: one match per path, the first (best-ranked) chunk's
    seen: set[str] = set()
    matches = []
    for row in best:
        if row.menu_path in seen:
            continue
        seen.add(row.menu_path)
        matches.append(MenuMatch(task=row.task, menu_path=row.menu_path, sentence=row.sentence, steps=row.steps,
                                 chunk_id=row.chunk_id, language=row.language))
    trace.append(f"best: {', '.join(m.menu_path for m in matches)}" if matches else "no indexed menu entry matched")
    if not matches:
        return MenuPathResult(found="no", matches=[], trace=trace, rule_refs=[],
                              **explained([not_stated("已索引的资料中没有找到该功能的菜单路径。",
                                                      "The indexed documents give no menu path for that task.")]))
    first = matches[0]
    # a chunk titled by its first sentence (a rule, not a task) is named by its page instead
    name = first.task if len(first.task) <= MAX_TASK_NAME else first.menu_path.split(">")[-1].strip()
    return MenuPathResult(
        found="yes", matches=matches, trace=trace, rule_refs=[],
        **explained([rule(f"{name}:在伙伴中心选择“{first.menu_path}”。",
                          f"{name}: in Partner Center choose {first.menu_path}.", quote=first.sentence)]))
