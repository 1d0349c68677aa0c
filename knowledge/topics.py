"""What the index can answer, as starting points for a new user: its FAQ questions and its menu pages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .documents import Chunk

_CJK = re.compile(r"[\u4e00-\u9fff]")


def written_in(text: str) -> str:
    """The language a title or a menu name is written in: Chinese when it holds a Chinese character."""
    return "zh" if _CJK.search(text) else "en"


def names_in(language: str, folds: Mapping[str, str], chunks: Iterable[Chunk]) -> dict[str, str]:
    """Names the documents themselves give a term in ``language``: the English names they pair with a Chinese term
    ("市场发展基金(MDF)", the build's lexicon folds: English lower case -> Chinese), as the documents write them
    (MDF, KooGallery); keyed by the term in the other language (the Chinese term, or the English name lower-cased)."""
    if language == "zh":
        return dict(folds)
    texts = [c.text for c in chunks]
    out: dict[str, str] = {}
    for english, chinese in sorted(folds.items(), key=lambda pair: -len(pair[0])):
        if chinese in out:
            continue  # the longest English name the documents pair with it
        pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(english)}(?![A-Za-z0-9])", re.I)
        written = next((m.group(0) for m in map(pattern.search, texts) if m), english)
        out[chinese] = written
    return out


def suggestions(chunks: Iterable[Chunk], limit: int = 12, language: str | None = None,
                names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """FAQ chunks whose title is itself a question come first, then one entry per menu page (its last
    segment as the topic). Built from whatever is indexed, so added documents bring their own topics.

    With ``language``, only what can be said in it: titles written in it, and menu topics named in it or
    with a name in it the documents give (``names``, see ``names_in``), never a topic in the other language
    inside a sentence of this one ("Where do I find 客户消费?"). Each suggestion names its language."""
    questions: list[dict[str, Any]] = []
    menus: list[dict[str, Any]] = []
    seen_menus: set[str] = set()
    for chunk in chunks:
        title = chunk.title.strip()
        if title.endswith(("?", "?")) and len(title) <= 80:
            said = written_in(title)
            if language is None or said == language:
                questions.append({"question": title, "topic": None, "chunk_id": chunk.id,
                                  "menu_path": chunk.menu_path, "language": said})
        elif chunk.menu_path and chunk.menu_path not in seen_menus:
            topic = chunk.menu_path.split(">")[-1].strip()
            said = written_in(topic)
            if language is not None and said != language:
                named = (names or {}).get(topic) or (names or {}).get(topic.lower())
                if named is None:
                    continue
                topic, said = named, language
            seen_menus.add(chunk.menu_path)
            menus.append({"question": None, "topic": topic, "chunk_id": chunk.id, "menu_path": chunk.menu_path,
                          "language": said})
    # Alternate the two kinds so a short list still shows both.
    mixed: list[dict[str, Any]] = []
    for i in range(max(len(questions), len(menus))):
        mixed.extend(x[i] for x in (questions, menus) if i < len(x))
    return mixed[:limit]
