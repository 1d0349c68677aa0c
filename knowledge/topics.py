"""What the index can answer, as starting points for a new user: its FAQ questions and its menu pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .documents import Chunk


def suggestions(chunks: Iterable[Chunk], limit: int = 12) -> list[dict[str, Any]]:
    """FAQ chunks whose title is itself a question come first, then one entry per menu page (its last
    segment as the topic). Built from whatever is indexed, so added documents bring their own topics."""
    questions: list[dict[str, Any]] = []
    menus: list[dict[str, Any]] = []
    seen_menus: set[str] = set()
    for chunk in chunks:
        title = chunk.title.strip()
        if title.endswith(("?", "?")) and len(title) <= 80:
            questions.append({"question": title, "topic": None, "chunk_id": chunk.id, "menu_path": chunk.menu_path})
        elif chunk.menu_path and chunk.menu_path not in seen_menus:
            seen_menus.add(chunk.menu_path)
            menus.append({"question": None, "topic": chunk.menu_path.split(">")[-1].strip(), "chunk_id": chunk.id,
                          "menu_path": chunk.menu_path})
    # Alternate the two kinds so a short list still shows both.
    mixed: list[dict[str, Any]] = []
    for i in range(max(len(questions), len(menus))):
        mixed.extend(x[i] for x in (questions, menus) if i < len(x))
    return mixed[:limit]
