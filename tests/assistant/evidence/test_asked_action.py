"""The evidence stage asks whether a question asks how (or whether) to do a verb with one pattern compiled once,
tried where the verb occurs (``support._asked_to_do``), instead of compiling a pattern per verb: the decision
must be the per-verb pattern's."""

import re

import pytest

from assistant.evidence.support import _ASK_ACTION_ZH, _asked_to_do


def _per_verb(text: str, word: str) -> bool:
    return bool(re.search(rf"{_ASK_ACTION_ZH}(?:把.{{1,8}}?)?(?:(?:帮|给|替|为)\S{{1,4}}?)?"
                          rf"(?:(?:按|用|通过|在|从|对|向|跟)\S{{1,6}}?)?{re.escape(word)}", text))


@pytest.mark.parametrize(("text", "word", "asked"), [
    ("可以把商机分给别的伙伴吗", "分给", True),
    ("能不能帮客户取消订单", "取消", True),
    ("怎么按产品筛选消费明细", "筛选", True),
    ("取消以后还能恢复吗", "取消", False),  # the verb comes before the asking words
    ("订单取消了,怎么取消发票", "取消", True),  # the second occurrence is the asked one
    ("怎么\n取消", "取消", False),  # no asking words right before it on its line
    ("如何申请提现", "提现", True),
    ("如何申请", "提现", False),
    ("可以把这个非常非常非常长的对象名称分给他吗", "分给", False),  # more than 8 characters after 把
])
def test_the_compiled_pattern_decides_as_the_per_verb_pattern(text, word, asked):
    assert _asked_to_do(text, word) is asked
    assert _per_verb(text, word) is asked
