"""The general reading of enumerated details (assistant.understanding.values): the value a clause describes,
found by meaning with the multilingual encoder; a negator or a determiner of otherness read structurally; no
reading when no clause names the detail confidently (the planner then asks)."""

import pytest

from assistant.understanding.values import BARE_QUESTIONS, DESCRIPTIONS, negated, reader_for
from knowledge import make_embedder
from knowledge.embedders import HashEmbedder
from tools import TOOLS


@pytest.fixture(scope="module")
def reader():
    return reader_for(make_embedder("use"))


def test_every_described_slot_is_a_real_tool_argument_with_every_value_described():
    for (tool, slot), values in DESCRIPTIONS.items():
        assert tool in TOOLS and tool in BARE_QUESTIONS
        assert all(len(pair) == 2 and all(pair) for pair in values.values()), (tool, slot)
        assert len(values) >= 2


def test_a_not_a_questions_question_tags_and_fixed_words_are_not_negators():
    assert negated("这个客户没有分给我")
    assert negated("it was never assigned to me")
    assert negated("we can't link it to an offering")
    assert not negated("能不能看这个客户的订单")
    assert not negated("主管能报备商机不")
    assert not negated("两笔激励在不同的申付单里")
    assert not negated("can a salesperson see these orders")


def test_a_hashed_test_double_gets_no_reader():
    assert reader_for(HashEmbedder()) is None


@pytest.mark.parametrize(("tool", "slot", "text", "value"), [
    ("opportunity_permission", "role", "i supervise several account managers", "account_manager_supervisor"),
    ("order_visibility", "customer_under_their_name", "this customer was never allocated to me", False),
    ("order_visibility", "customer_under_their_name", "这个客户是公司分配给我本人的", True),
    ("po_assessment_check", "linked_to", "our po sits on a regular offering - not a baseline solution", "other_offering"),
])
def test_paraphrased_values_are_read(reader, tool, slot, text, value):
    reading = reader.read(tool, slot, text)
    assert reading is not None and reading.value == value, reading


def test_a_negated_clause_reads_the_complement_and_says_so(reader):
    reading = reader.read("order_visibility", "customer_under_their_name", "this customer was never allocated to me")
    assert reading is not None and reading.negated and reading.value is False


@pytest.mark.parametrize(("tool", "slot", "text"), [
    ("order_visibility", "customer_under_their_name", "can a salesperson look at the customer's orders?"),
    ("opportunity_permission", "role", "may an opportunity be registered for this customer?"),
    ("invoice_merge_check", "application", "能不能把这几笔激励开在一张发票上?"),
])
def test_a_message_about_the_topic_alone_gives_no_reading(reader, tool, slot, text):
    assert reader.read(tool, slot, text) is None
