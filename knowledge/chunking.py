"""From excerpts to chunks: clean, extract metadata, split long text, collapse exact duplicates.

Excerpts that only share a preamble (the status-code rows) differ in their text, so their
content hashes differ and they stay separate chunks.
"""

from __future__ import annotations

import hashlib
import re

from .cleaning import is_chrome, normalize
from .code_tables import code_rows
from .documents import Chunk, ErrorCode, Excerpt

MAX_CHUNK_CHARS = 600
OVERLAP_SENTENCES = 1

_SENTENCE_END = "。!?！？;；"
_SENTENCE_SPLIT = re.compile(r"(?<=[。!?！？;；])\s*|(?<=\.)\s+(?=[A-Z])")
_MENU = re.compile(r"[“\"]\s*([^“”\"]+?(?:\s*>\s*[^“”\"]+?)+)\s*[”“\"]")
# Unquoted English paths in exported pages: "choose Sales > Billing > Fund Management" (Chinese pages quote theirs).
_MENU_BARE = re.compile(r"(?<![\w>])(?!(?:Choose|Select|Click|Go|Open|Navigate|Then|In|On)\b)"
                        r"([A-Z][\w-]*(?: [A-Z][\w-]*){0,3}(?:\s*>\s*[A-Z][\w-]*(?: [A-Z][\w-]*){0,3}){1,5})")
_PARENT = re.compile(r"父主题\s*[::]\s*(.+?)\s*$")
_QUESTION = re.compile(r"^(.{4,120}?[??])")
_HEADING = re.compile(r"^([^\s。,,::;;!?!?]{2,16})\s")


def language_of(text: str) -> str:
    """"en" for a passage written in English, else "zh" (the corpus's own language)."""
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "en" if han == 0 or latin > 3 * han else "zh"


def chunk_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def context_of(title: str, parent_topic: str | None, text: str) -> str:
    """What a passage's own words do not say about where it sits: its page and heading path
    ("Issuing Vouchers to Customers > Procedure"), or its given title. Empty for a scraped line whose
    title and parent topic are its own words (the one-line exports)."""
    parts: list[str] = []
    if parent_topic and parent_topic not in text:
        parts.append(parent_topic)
    if title and title not in text and not any(title in part for part in parts):
        parts.append(title)
    return " > ".join(parts)


def indexed_text(chunk: Chunk) -> str:
    """``chunk`` with its context line first: what a section titled "Procedure" is about is its page.
    The evidence stage matches the question's terms against this; quotes still slice ``chunk.text``."""
    context = context_of(chunk.title, chunk.parent_topic, chunk.text)
    return f"{context}\n{chunk.text}" if context else chunk.text


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``, so quotes can be exact slices of the source."""
    spans, cursor = [], 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)
        if start < 0:
            continue
        spans.append((start, start + len(sentence)))
        cursor = start + len(sentence)
    return spans


def quote_span(text: str, sentences: list[str]) -> str:
    """The verbatim slice of ``text`` from the first to the last of ``sentences``."""
    starts = [(text.find(s), s) for s in sentences if s]
    spans = [(start, start + len(s)) for start, s in starts if start >= 0]
    if not spans:
        return ""
    return text[min(a for a, _ in spans):max(b for _, b in spans)]


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]


def menu_path(text: str) -> str | None:
    match = _MENU.search(text) or _MENU_BARE.search(text)
    if not match:
        return None
    return " > ".join(part.strip() for part in match.group(1).split(">"))


def parent_topic(text: str) -> str | None:
    match = _PARENT.search(text)
    return match.group(1) if match and match.group(1).strip() else None


def error_codes(text: str) -> list[ErrorCode]:
    """Every code-table row's code and HTTP status (any family: CBC.0100, PTN.4004, MKT.0001), as flattened
    text or as rows named by their columns (``knowledge.catalogue``)."""
    return [ErrorCode(code=code, http_status=status) for code, status, _, _ in code_rows(text)]


def is_cut_start(text: str) -> bool:
    # A scraped excerpt that begins inside a sentence shows a short fragment closed by 。 first
    # ("经理的第二天算起。", "户。"), where a real start is a heading or a whole sentence.
    first_end = min((i for i in (text.find(c) for c in "。;") if i >= 0), default=-1)
    head = _HEADING.match(text)
    return 0 <= first_end <= 10 and not head and not _QUESTION.match(text[: first_end + 1])


def is_cut_end(text: str) -> bool:
    tail = text.rstrip()
    if re.search(r"父主题\s*[::]\s*$", tail):
        return True
    return not tail.endswith(tuple(_SENTENCE_END) + ("”", ")", ")", ".", "!", "?")) and not _PARENT.search(tail)


def title_of(text: str, given: str | None, codes: list[ErrorCode], cut_start: bool) -> str:
    if given:
        return normalize(given)
    if codes:
        return "错误码 " + ", ".join(f"{c.code} (HTTP {c.http_status})" for c in codes)
    if cut_start:  # the leading fragment is no title: use the first whole sentence
        sentences = split_sentences(text)
        text = " ".join(sentences[1:]) or text
    question = _QUESTION.match(text)
    if question:
        return question.group(1)
    heading = _HEADING.match(text)
    if heading:
        return heading.group(1)
    first = split_sentences(text)[0] if text else ""
    return first[:60]


def _split_long(text: str) -> list[str]:
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    sentences = split_sentences(text)
    pieces: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        while len(sentence) > MAX_CHUNK_CHARS:  # one giant "sentence": hard-split it
            if current:
                pieces.append(" ".join(current))
                current = []
            pieces.append(sentence[:MAX_CHUNK_CHARS])
            sentence = sentence[MAX_CHUNK_CHARS:]
        if current and len(" ".join(current)) + len(sentence) + 1 > MAX_CHUNK_CHARS:
            pieces.append(" ".join(current))
            current = current[-OVERLAP_SENTENCES:] if OVERLAP_SENTENCES else []
        current.append(sentence)
    if current:
        pieces.append(" ".join(current))
    return pieces


def build_chunks(excerpts: list[Excerpt]) -> list[Chunk]:
    """Clean, enrich and de-duplicate; the output order follows first appearance."""
    chunks: dict[str, Chunk] = {}
    for excerpt in excerpts:
        text = normalize(excerpt.text)
        if not text or is_chrome(text):
            continue
        pieces = _split_long(text)
        heading = " > ".join(excerpt.heading_path) or None
        for index, piece in enumerate(pieces):
            codes = error_codes(piece)
            cut_start = index == 0 and is_cut_start(piece)
            title = title_of(piece, excerpt.title, codes, cut_start)
            parent = parent_topic(piece) or heading
            ident = chunk_id(piece)
            origin = excerpt.source if len(pieces) == 1 else f"{excerpt.source}[{index + 1}/{len(pieces)}]"
            if ident in chunks:
                if origin not in chunks[ident].origins:
                    chunks[ident].origins.append(origin)
                continue
            chunks[ident] = Chunk(
                id=ident, text=piece, origins=[origin], title=title,
                menu_path=menu_path(piece), parent_topic=parent,
                error_codes=codes, cut_start=cut_start,
                cut_end=(index == len(pieces) - 1 and is_cut_end(piece)),
                url=excerpt.url, language=language_of(piece))
    return list(chunks.values())
