"""Server-Sent Events framing shared by the chat stream and the OpenAI-compatible stream.

Each event's JSON goes on exactly one ``data:`` line. JSON leaves U+2028, U+2029 and U+0085 raw, and
line-based readers (``str.splitlines``, several JavaScript SSE parsers) break lines there, so they
are escaped as well: a split event is a JSON error in the browser ("Unterminated string").
"""

from __future__ import annotations

import json
from typing import Any

_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def sse(data: Any, event: str | None = None) -> str:
    line = "data: " + json.dumps(data, ensure_ascii=False).translate(_LINE_BREAKS) + "\n\n"
    return f"event: {event}\n{line}" if event else line
