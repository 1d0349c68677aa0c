"""The active index's catalogue handed to the catalogue tools as data (``tools/`` imports nothing of ours).

``error_code_lookup`` takes the code-table rows and ``menu_path_lookup`` the menu entries the index read at
build time (``knowledge.catalogue``); every caller that runs a tool (the assistant, triage, LLM mode, the
API's tool route, MCP, the CLI) passes them through ``with_catalogue``. The rows are dumped once per
active build, so a re-index is picked up and a question does not pay for it.
"""

from __future__ import annotations

import threading
from typing import Any

from knowledge import KnowledgeError, KnowledgeIndex
from knowledge.lexical import tokenize
from tools import Tool

_FIELD = {"error_code_lookup": "codes", "menu_path_lookup": "menus"}
_cache: dict[tuple[int, str], dict[str, list[dict[str, Any]]]] = {}
_lock = threading.Lock()


def catalogue_rows(index: KnowledgeIndex, part: str) -> list[dict[str, Any]]:
    """``codes`` or ``menus`` of the active build as plain rows; empty when no index can be read."""
    try:
        key = (id(index), index.active_collection)
    except KnowledgeError:
        return []
    with _lock:
        cached = _cache.get(key)
    if cached is None:
        catalogue = index.catalogue()
        cached = {"codes": [c.model_dump() for c in catalogue.codes],
                  "menus": [m.model_dump() for m in catalogue.menus]}
        with _lock:
            for old in [k for k in _cache if k[0] == key[0]]:  # one build per index object is kept
                del _cache[old]
            _cache[key] = cached
    return cached[part]


def with_catalogue(tool: Tool, arguments: dict[str, Any], index: KnowledgeIndex | None) -> dict[str, Any]:
    """``arguments`` plus the index's catalogue when ``tool`` takes one and the caller did not give it."""
    part = _FIELD.get(tool.name)
    if part is None or index is None or "catalogue" in arguments or "catalogue" not in tool.input_model.model_fields:
        return arguments
    extra: dict[str, Any] = {"catalogue": catalogue_rows(index, part)}
    if "terms" in tool.input_model.model_fields and "terms" not in arguments and isinstance(arguments.get("task"), str):
        # the task as the index reads it: an English question meets the Chinese menus through the folds
        lexicon = index.snapshot().lexicon  # with this build's glossary folds and compound terms
        extra["terms"] = [t for t in dict.fromkeys(tokenize(arguments["task"], lexicon)) if not t.isascii()][:100]
    return {**arguments, **extra}


__all__ = ["catalogue_rows", "with_catalogue"]
