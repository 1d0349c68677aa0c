"""Normalisation and removal of scraped site chrome."""

from __future__ import annotations

import re
import unicodedata

# Page chrome seen on the support site: the international-site login banner and its dismiss link.
_CHROME_PATTERNS = (
    re.compile(r"^检测到您已登录华为云国际站账号"),
    re.compile(r"^不再显示此消息$"),
    re.compile(r"^(上一篇|下一篇|返回顶部|分享|打印|意见反馈|文档是否有解决您的问题)[::]?"),
    re.compile(r"^(Was this helpful|Feedback|Previous topic|Next topic)\b", re.I),
)


def normalize(text: str) -> str:
    """NFKC (full-width punctuation to ASCII) and collapsed white space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def is_chrome(text: str) -> bool:
    return any(p.search(text) for p in _CHROME_PATTERNS)
