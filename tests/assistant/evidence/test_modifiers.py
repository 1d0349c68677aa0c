"""A question's modifier decides between compounds sharing a head (伙伴账单, 商品账单, a cloud-disk bill)."""

import pytest

from assistant.evidence.support import other_modifier

PARTNER_BILL = "伙伴账单有异议怎么办? 伙伴对伙伴账单的金额有异议时,请在账单生成后10天内通过工单提交核对申请。"
PRODUCT_BILL = "合作伙伴可以查看并导出云商店商品账单,也可以查看并导出云商店商品详单。"


@pytest.mark.parametrize("question, passage, modifier", [
    ("雲硬碟的帳單有異議要怎麼處理?", PARTNER_BILL, "硬盘"),      # another thing's bill, Traditional
    ("云商店商品账单的金额有异议找谁?", PARTNER_BILL, "商品"),
])
def test_a_head_under_a_modifier_the_passage_never_uses_is_another_thing(question, passage, modifier):
    assert other_modifier(question, passage) == modifier


@pytest.mark.parametrize("question, passage", [
    ("账单金额有异议多少天内提出?", PARTNER_BILL),            # the bare head: the passage's own bill
    ("上个月的账单有异议怎么办", PARTNER_BILL),               # a time is no kind of bill
    ("伙伴账单有异议怎么处理", PARTNER_BILL),
    ("云商店的商品账单在哪导出?", PRODUCT_BILL),             # the passage uses the modifier
    ("云硬盘的账单在哪导出?", "伙伴可以导出账单。"),           # the passage names no other kind of bill
])
def test_the_passages_own_head_or_modifier_is_no_conflict(question, passage):
    assert other_modifier(question, passage) is None


def test_a_place_or_an_understood_detail_modifies_nothing_the_passage_must_name():
    passage = "伙伴账单采用北京时间(GMT+08:00)作为基准时间进行统计,每月5号12:00前会生成上个月的账单。"
    assert other_modifier("東京時間11月1日的消費算哪個賬期?", passage) is None  # a time zone to convert to
    assert other_modifier("硬盘时间怎么算", passage) == "硬盘"
    assert other_modifier("硬盘时间怎么算", passage, understood=("硬盘时间",)) is None
