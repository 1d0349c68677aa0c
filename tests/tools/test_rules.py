import unicodedata
from pathlib import Path

import pytest

from tools import RULES, TOOLS

CORPUS = unicodedata.normalize(
    "NFKC", (Path(__file__).parents[2] / "knowledge" / "corpus" / "partner_center_rules_zh.txt").read_text("utf-8"))


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_anchor_is_stated_in_the_vendored_corpus(rule_id):
    assert RULES[rule_id].anchor in CORPUS


def test_every_tool_cites_only_known_rules():
    # Each tool's own rule_refs are checked in its tests; here, the ids must all be registered.
    from tools.registry import TOOLS as registry

    assert set(registry) == set(TOOLS)
    assert len(TOOLS) == 12
