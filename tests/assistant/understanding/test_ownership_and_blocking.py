"""Who owns a customer, read from possessive structure (scope.owned_by_speaker): any noun that is not a
personal pronoun is a third party, whatever role or name it is; a denied owner is the other side."""

import pytest

from assistant.understanding.scope import owned_by_speaker


@pytest.mark.parametrize("text, expected", [
    ("财务小姐姐的客户下单了,订单我能看吗", False),           # a third party no list names
    ("这个客户在项目经理名下,我能看到订单吗", False),
    ("客户是法务那边对接的,订单能看吗", None),                  # 那边: no person named
    ("客户是陈经理报备的", False),                              # the agent of a relative clause
    ("客户是我自己报备的", True),
    ("不在我名下的客户能看订单吗", False),                      # the owner denied
    ("这不是同事的客户,是我的", True),
    ("销售能看销售名下客户的订单吗", True),                     # the subject already spoken of
    ("销售能看别的销售名下客户的订单吗", False),                # a determiner of otherness: a second one
    ("我们有很多重点客户", None),                               # an attribute, not an owner
    ("Can I see orders of the CFO's customers?", False),
    ("The client was brought in by a reseller in Chengdu.", False),
    ("Customers under my own name only?", True),
    ("It is not my customer.", None),                           # plain "my": how partners name any customer
    ("I'm not sure whose name the customer is under.", None),
])
def test_owner_from_structure(text, expected):
    assert owned_by_speaker(text.lower() if text.isascii() else text) is expected


def test_a_possessive_particle_before_name_is_passed_over():
    assert owned_by_speaker("客户挂在另一位销售的名下") is False
    assert owned_by_speaker("客户一直在我的名下") is True


@pytest.mark.parametrize("text, expected", [
    ("登录后一直登不上后台", True),              # a potential complement: the attempt did not get through
    ("We couldn't download the statement", True),
    ("The rep is not able to open the page", True),
    ("没办法导出账单", True),
    ("能不能导出账单?", False),                   # an A-not-A question denies nothing
    ("客户不是我报备的", False),                  # a denied fact, not a denied ability
    ("The bill has not been generated yet", False),
])
def test_blocked_reads_a_denied_ability_or_attempt(text, expected):
    from assistant.understanding.scope import blocked

    assert blocked(text) is expected
