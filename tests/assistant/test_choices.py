"""Follow-up choices are real answers: each one, sent back as the next message, fills the missing detail."""

from datetime import datetime

import pytest

from assistant.planning import CHOICES, FOLLOW_UPS, plan
from assistant.slots import extract

NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
# What the conversation already holds when each question is asked.
_CARRIED = {("invoice_merge_check", "payment_request"): {"application": "batch"}}


@pytest.mark.parametrize("key", sorted(CHOICES))
@pytest.mark.parametrize("language", [0, 1])
def test_each_choice_fills_the_detail_it_answers(key, language):
    tool, missing = key
    assert key in FOLLOW_UPS
    values = set()
    for choice in CHOICES[key][language]:
        result = plan(tool, choice, extract(choice, NOW), NOW, _CARRIED.get(key, {}))
        assert result.missing != missing, f"{choice!r} does not answer {missing} of {tool}"
        values.add(repr(sorted(result.carried.items())))
    assert len(values) == len(CHOICES[key][language]), "two choices read as the same answer"
