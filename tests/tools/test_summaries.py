"""Every tool has a Chinese one-line description next to its English docstring (MCP hosts show both)."""

import re

from tools import TOOLS
from tools.summaries import SUMMARY_ZH


def test_every_tool_and_only_tools_have_a_chinese_summary():
    assert set(SUMMARY_ZH) == set(TOOLS)
    for name, text in SUMMARY_ZH.items():
        assert re.search(r"[\u4e00-\u9fff]{4}", text), name
        assert "\n" not in text and len(text) < 120, name
