"""Code tables as flattened text: every row's code, HTTP status and meaning.

A code is two to six capitals, a dot and digits (``CBC.30000010``, ``PTN.4004``, ``MKT.0001``). Rows come
in two shapes, whichever way the export flattened the table: status then code then meaning
(``429 CBC.0250 请求过于频繁...``), or a row named by its columns (``HTTP Status Code: 429, Error Code:
CBC.0250, Description: ...``). Chunking records the codes of each chunk; the catalogue keeps whole rows.
"""

from __future__ import annotations

import re

CODE = r"[A-Z]{2,6}\.\d{2,10}"
# status then code, then the meaning up to the next row, the parent-topic trailer or the end
_ROW = re.compile(rf"(?<![\w.])([1-5]\d{{2}})\s+({CODE})(?![\w.])\s*(.*?)"
                  rf"(?=\s+[1-5]\d{{2}}\s+{CODE}(?![\w.])|\s*父主题\s*[::]|$)", re.S)
# a row named by its columns: "<status header>: 429, <code header>: CBC.0250, <meaning header>: text"
_NAMED_ROW = re.compile(rf"([A-Za-z\u4e00-\u9fff][\w \u4e00-\u9fff]{{0,30}})[::]\s*([1-5]\d{{2}})\s*[,,]\s*"
                        rf"[\w \u4e00-\u9fff]{{1,30}}[::]\s*({CODE})(?![\w.])\s*(?:[,,]\s*[\w \u4e00-\u9fff]{{1,30}}[::]\s*)?"
                        rf"(.*?)(?=\s*\1[::]\s*[1-5]\d{{2}}|$)", re.S)


def code_rows(text: str) -> list[tuple[str, int, str, str]]:
    """(code, status, meaning, row text) for every table row in ``text``, in order."""
    rows: dict[str, tuple[str, int, str, str]] = {}
    for match in _ROW.finditer(text):
        status, code, meaning = match.group(1), match.group(2), match.group(3).strip()
        rows.setdefault(code, (code, int(status), meaning, match.group(0).strip()))
    for match in _NAMED_ROW.finditer(text):
        status, code, meaning = match.group(2), match.group(3), match.group(4)
        row = match.group(0)
        # a named row ends with its cell's full stop plus the row's own ("...later.."): text after it is not the row's
        end = re.search(r"\.\.(?=\s|$)", meaning)
        if end is not None:
            row = row[:len(row) - len(meaning) + end.end()]
            meaning = meaning[:end.start() + 1]
        rows.setdefault(code, (code, int(status), meaning.strip(), row.strip()))
    return sorted(rows.values(), key=lambda r: text.find(r[3]))


__all__ = ["CODE", "code_rows"]
