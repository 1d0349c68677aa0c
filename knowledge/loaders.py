"""Read source files into excerpts: .txt (one excerpt per line), .md, .html and .jsonl.

Every failure names the file (and line where it helps); nothing is half-read.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from .documents import Excerpt
from .errors import IngestError

SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_EXCERPT_CHARS = 1024 * 1024  # a longer "line" is not an excerpt but a broken file


def load_paths(paths: list[Path]) -> list[Excerpt]:
    """Load files and folders (recursively, supported suffixes only) into excerpts."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not found:
                raise IngestError(str(path), f"folder holds no {'/'.join(SUFFIXES)} files")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise IngestError(str(path), "no such file or folder")
    excerpts: list[Excerpt] = []
    for file in files:
        excerpts.extend(load_file(file))
    return excerpts


def load_file(path: Path) -> list[Excerpt]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(str(path), f"unsupported file type {suffix or '(none)'}; use one of {', '.join(SUFFIXES)}")
    text = _read_text(path)
    if suffix == ".txt":
        excerpts = _load_txt(path, text)
    elif suffix == ".md":
        excerpts = _load_markdown(path, text)
    elif suffix == ".jsonl":
        excerpts = _load_jsonl(path, text)
    else:
        excerpts = _load_html(path, text)
    if not excerpts:
        raise IngestError(str(path), "file holds no text to index")
    return excerpts


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(str(path), f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        data = path.read_bytes()
    except PermissionError as exc:
        raise IngestError(str(path), "permission denied") from exc
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    if b"\x00" in data:
        raise IngestError(str(path), "looks binary (contains NUL bytes); give a UTF-8 text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(str(path), f"not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8") from exc
    return text


def _check_length(path: Path, where: str, text: str) -> None:
    if len(text) > MAX_EXCERPT_CHARS:
        raise IngestError(str(path), f"{where} has {len(text)} characters; an excerpt may have at most "
                                     f"{MAX_EXCERPT_CHARS} (split the document)")


def _load_txt(path: Path, text: str) -> list[Excerpt]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        _check_length(path, f"line {number}", line)
        if line.strip():
            out.append(Excerpt(text=line.strip(), source=f"{path.name}:{number}"))
    return out


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def _front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """``key: value`` lines between leading ``---`` fences (title, url), the rest, and its first line number."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1
    fields = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return fields, text[match.end():], match.group(0).count("\n") + 1


def _table_rows(header: list[str], rows: list[list[str]]) -> list[str]:
    """A table as one sentence per row, each cell named by its column ("Stage: Payment; Time limit: ...")."""
    out = []
    for row in rows:
        cells = [f"{h}: {c}" if h and h != c else c for h, c in zip(header + [""] * len(row), row) if c]
        if cells:
            chinese = any("\u4e00" <= ch <= "\u9fff" for ch in "".join(cells))
            out.append((",".join(cells) + "。") if chinese else (", ".join(cells) + "."))
    return out


def _load_markdown(path: Path, text: str) -> list[Excerpt]:
    """Markdown through markdown-it-py: a section per heading, tables as rows, links as their text,
    inline HTML (anchors) dropped, ``>`` in prose kept (menu paths); ``url:`` front matter is the source URL."""
    from markdown_it import MarkdownIt

    fields, body_text, offset = _front_matter(text)
    url = fields.get("url") or None
    tokens = MarkdownIt("commonmark").enable("table").parse(body_text)
    out: list[Excerpt] = []
    headings: list[str] = []
    body: list[str] = []
    start = offset
    header: list[str] = []
    rows: list[list[str]] = []
    row: list[str] | None = None
    in_head = False

    def inline_text(token) -> str:
        parts = []
        for child in token.children or []:
            if child.type in {"text", "code_inline"}:
                parts.append(child.content)
            elif child.type in {"softbreak", "hardbreak"}:
                parts.append(" ")
        return " ".join("".join(parts).split())

    def flush() -> None:
        joined = " ".join(part for part in body if part)
        if joined:
            _check_length(path, f"section at line {start}", joined)
            out.append(Excerpt(text=joined, source=f"{path.name}:{start}", url=url,
                               title=headings[-1] if headings else fields.get("title"), heading_path=tuple(headings)))
        body.clear()

    pending_heading: int | None = None
    for token in tokens:
        if not body and token.map and token.level == 0 and token.type != "heading_open" \
                and not token.type.endswith("_close"):
            # a section is cited at its first line of text, as the line-based loader did
            # (map is 0-based and relative to the text after the front matter)
            start = offset + token.map[0]
        if token.type == "heading_open":
            flush()
            pending_heading = int(token.tag[1])
            start = offset + (token.map[0] if token.map else 0)
        elif token.type == "inline" and pending_heading is not None:
            headings[:] = headings[: pending_heading - 1] + [inline_text(token)]
            pending_heading = None
        elif token.type == "thead_open":
            in_head, header, rows = True, [], []
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            if in_head:
                header = row
            else:
                rows.append(row)
            row = None
        elif token.type == "inline" and row is not None:
            row.append(inline_text(token))
        elif token.type == "table_close":
            body.extend(_table_rows(header, rows))
        elif token.type == "inline":
            sentence = inline_text(token)
            if sentence and not sentence.endswith(tuple("。.!?!?;;:")):
                sentence += "。" if re.search(r"[\u4e00-\u9fff]", sentence) else "."
            body.append(sentence)
        elif token.type in {"fence", "code_block"}:
            body.append(" ".join(token.content.split()))
        elif token.type == "html_block":  # exports embed HTML tables and notes in Markdown: read them as HTML
            body.append(_html_fragment_text(token.content))
    flush()
    return out


class _HtmlSections(HTMLParser):
    """Collect text by heading, skipping navigation and page chrome; tables become one sentence per row;
    the page's canonical link is its source URL."""

    SKIP = {"nav", "header", "footer", "script", "style", "aside", "noscript", "form", "button"}
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
    BLOCKS = {"p", "li", "div", "br", "section", "article", "pre", "dd", "dt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_depth = 0
        self.in_heading: str | None = None
        self.heading_text: list[str] = []
        self.headings: list[str] = []
        self.sections: list[tuple[tuple[str, ...], str]] = []
        self.body: list[str] = []
        self.title: str | None = None
        self.url: str | None = None
        self.in_title = False
        self.table: list[tuple[bool, list[str]]] | None = None  # rows: (all header cells, cells)
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.row_header = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        role = attributes.get("role") or ""
        if tag == "link" and (attributes.get("rel") or "").lower() == "canonical" and attributes.get("href"):
            self.url = attributes["href"]
        if tag in self.SKIP or role in {"navigation", "banner", "contentinfo"}:
            self.skip_depth += 1
        elif self.skip_depth:
            return
        elif tag == "title":
            self.in_title = True
        elif tag in self.HEADINGS:
            self._flush()
            self.in_heading = tag
            self.heading_text = []
        elif tag == "table":
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.row, self.row_header = [], True
        elif tag in {"td", "th"} and self.row is not None:
            self.cell = []
            self.row_header = self.row_header and tag == "th"
        elif tag in self.BLOCKS:
            self._text(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skip_depth:
            self.skip_depth -= 1
        elif self.skip_depth:
            return
        elif tag == "title":
            self.in_title = False
        elif tag == self.in_heading:
            level = int(tag[1])
            text = " ".join("".join(self.heading_text).split())
            self.headings[:] = self.headings[: level - 1] + [text]
            self.in_heading = None
        elif tag in {"td", "th"} and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            if any(self.row):
                self.table.append((self.row_header, self.row))
            self.row = None
        elif tag == "table" and self.table is not None:
            rows = self.table
            self.table = None
            header = rows[0][1] if rows and rows[0][0] else []
            body = rows[1:] if header else rows
            self.body.append(" " + " ".join(_table_rows(header, [cells for _, cells in body])) + " ")

    def _text(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        else:
            self.body.append(data)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title = (self.title or "") + data.strip()
        elif self.skip_depth:
            return
        elif self.in_heading:
            self.heading_text.append(data)
        else:
            self._text(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.body).split())
        if text:
            self.sections.append((tuple(self.headings), text))
        self.body = []

    def close(self) -> None:
        super().close()
        self._flush()


def _html_fragment_text(fragment: str) -> str:
    """Visible text of an HTML fragment inside Markdown (tables as rows), without its anchors."""
    parser = _HtmlSections()
    parser.feed(fragment)
    parser.close()
    return " ".join(body for _, body in parser.sections)


def _load_html(path: Path, text: str) -> list[Excerpt]:
    parser = _HtmlSections()
    parser.feed(text)
    parser.close()
    out = []
    for number, (headings, body) in enumerate(parser.sections, start=1):
        _check_length(path, f"section {number}", body)
        out.append(Excerpt(text=body, source=f"{path.name}#{number}", url=parser.url,
                           title=headings[-1] if headings else parser.title, heading_path=headings))
    return out


def _load_jsonl(path: Path, text: str) -> list[Excerpt]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        _check_length(path, f"line {number}", line)
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(str(path), f"line {number} is not JSON: {exc.msg}") from exc
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
            raise IngestError(str(path), f"line {number} needs an object with a non-empty \"text\" string "
                                         "(fields: id, title, text, url)")
        unknown = set(record) - {"id", "title", "text", "url"}
        if unknown:
            raise IngestError(str(path), f"line {number} has unknown field(s) {sorted(unknown)}; "
                                         "allowed: id, title, text, url")
        ident = record.get("id") or number
        out.append(Excerpt(text=record["text"].strip(), source=f"{path.name}:{ident}",
                           title=record.get("title") or None, url=record.get("url") or None))
    return out
