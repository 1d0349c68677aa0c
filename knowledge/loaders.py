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


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _load_markdown(path: Path, text: str) -> list[Excerpt]:
    out: list[Excerpt] = []
    headings: list[str] = []
    body: list[str] = []
    start = 1

    def flush() -> None:
        joined = " ".join(line.strip() for line in body if line.strip())
        if joined:
            _check_length(path, f"section at line {start}", joined)
            out.append(Excerpt(text=joined, source=f"{path.name}:{start}",
                               title=headings[-1] if headings else None, heading_path=tuple(headings)))
        body.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        match = _MD_HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            headings[:] = headings[: level - 1] + [match.group(2)]
            start = number
        else:
            if not body:
                start = number
            body.append(re.sub(r"[*_`>]+", "", line))
    flush()
    return out


class _HtmlSections(HTMLParser):
    """Collect text by heading, skipping navigation and page chrome."""

    SKIP = {"nav", "header", "footer", "script", "style", "aside", "noscript", "form", "button"}
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
    BLOCKS = {"p", "li", "div", "br", "tr", "td", "th", "section", "article", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_depth = 0
        self.in_heading: str | None = None
        self.heading_text: list[str] = []
        self.headings: list[str] = []
        self.sections: list[tuple[tuple[str, ...], str]] = []
        self.body: list[str] = []
        self.title: str | None = None
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        role = dict(attrs).get("role") or ""
        if tag in self.SKIP or role in {"navigation", "banner", "contentinfo"}:
            self.skip_depth += 1
        elif tag == "title":
            self.in_title = True
        elif tag in self.HEADINGS and not self.skip_depth:
            self._flush()
            self.in_heading = tag
            self.heading_text = []
        elif tag in self.BLOCKS:
            self.body.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skip_depth:
            self.skip_depth -= 1
        elif tag == "title":
            self.in_title = False
        elif tag == self.in_heading:
            level = int(tag[1])
            text = " ".join("".join(self.heading_text).split())
            self.headings[:] = self.headings[: level - 1] + [text]
            self.in_heading = None

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title = (self.title or "") + data.strip()
        elif self.skip_depth:
            return
        elif self.in_heading:
            self.heading_text.append(data)
        else:
            self.body.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.body).split())
        if text:
            self.sections.append((tuple(self.headings), text))
        self.body = []

    def close(self) -> None:
        super().close()
        self._flush()


def _load_html(path: Path, text: str) -> list[Excerpt]:
    parser = _HtmlSections()
    parser.feed(text)
    parser.close()
    out = []
    for number, (headings, body) in enumerate(parser.sections, start=1):
        _check_length(path, f"section {number}", body)
        out.append(Excerpt(text=body, source=f"{path.name}#{number}",
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
