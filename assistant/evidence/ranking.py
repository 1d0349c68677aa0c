"""Answer-kind reranking: among close hits, one stating the kind of answer asked goes first.

This is answer policy, not retrieval: ``knowledge/`` ranks passages by relevance only and knows
nothing of what kind of fact a question asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from .answer_types import asked, stated

Row = TypeVar("Row", bound=tuple)  # (position or hit, score, ...), best first

TYPE_MARGIN = 0.15  # a hit this close to the best may take its place by stating the kind of answer asked


def answer_first(query: str, rows: Sequence[Row], text_of: Callable[[object], str], margin: float = TYPE_MARGIN) -> list[Row]:
    """A question asking how long (how often, how much, ...) is answered by a passage stating one:
    among the rows within ``margin`` of the best, the first that states every kind asked goes first
    ("消费明细最长能查几个月": the 18-month look-back rule, not the export steps).

    ``rows`` are tuples whose first element identifies the passage (``text_of`` turns it into its
    text) and whose second is the score."""
    rows = list(rows)
    kinds = asked(query) if rows else frozenset()
    if not kinds or kinds <= stated(text_of(rows[0][0])):
        return rows
    close = [i for i, row in enumerate(rows) if row[1] >= rows[0][1] - margin]
    best = next((i for i in close[1:] if kinds <= stated(text_of(rows[i][0]))), None)
    if best is None:
        return rows
    return [rows[best]] + rows[:best] + rows[best + 1:]
