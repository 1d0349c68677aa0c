"""Duration rules of the indexed documents ("10个工作日前", "within 7 days"), read from every chunk.

The parsing is :func:`tools.durations.find_duration_rules` (pure); this module applies it to a set of
chunks, anchoring each rule to its chunk and source, and keeps one copy of a sentence seen in several
chunks. The index build reports the counts; ``partner-assistant rules list`` shows the rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from tools.durations import DurationRule, DurationScan, find_duration_rules

from .documents import Chunk

_CACHE: dict[int, tuple[list[Chunk], DurationScan]] = {}


def scan_chunks(chunks: Iterable[Chunk]) -> DurationScan:
    """Every duration rule in ``chunks`` (first chunk wins for a repeated sentence) and the unparsed sentences."""
    rules: dict[str, DurationRule] = {}
    unparsed: dict[str, None] = {}
    for chunk in chunks:
        scan = find_duration_rules(chunk.text, chunk_id=chunk.id, source=chunk.source)
        for found in scan.rules:
            rules.setdefault(found.id, found)
        unparsed.update(dict.fromkeys(scan.unparsed))
    return DurationScan(rules=list(rules.values()), unparsed=list(unparsed))


def index_duration_rules(chunks: list[Chunk]) -> DurationScan:
    """:func:`scan_chunks` for the index's loaded chunk list, cached while that list is the active one."""
    cached = _CACHE.get(id(chunks))
    if cached is not None and cached[0] is chunks:
        return cached[1]
    scan = scan_chunks(chunks)
    _CACHE.clear()
    _CACHE[id(chunks)] = (chunks, scan)
    return scan
