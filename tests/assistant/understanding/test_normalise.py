"""The normalise stage: numbers written with thousands separators become plain digits once, for every reader."""

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from assistant.understanding import normalise
from assistant.understanding.normalise import ungroup
from assistant.understanding.parsers import read
from tools.model import BEIJING

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=BEIJING)


@given(st.integers(min_value=1000, max_value=10**15), st.sampled_from(["", ".5", ".05", ".125"]))
def test_any_grouped_number_reads_as_its_digits(number, decimals):
    assert ungroup(f"共计{number:,}{decimals}元") == f"共计{number}{decimals}元"
    assert ungroup(f"spent {number:,}{decimals} via") == f"spent {number}{decimals} via"


@given(st.lists(st.integers(min_value=0, max_value=99), min_size=2, max_size=5))
def test_a_list_of_small_numbers_is_not_one_number(items):
    listed = ",".join(map(str, items)) + "月"
    assert ungroup(listed) == listed


@pytest.mark.parametrize("text,kept", [
    ("3,5两个月的激励", "3,5两个月的激励"), ("items 3, 4 and 5", "items 3, 4 and 5"), ("10,11,12月", "10,11,12月"),
    ("2025,2026年", "2025,2026年"), ("1234,567", "1234,567"), ("12,34", "12,34"),
])
def test_lists_and_malformed_groups_stay_as_written(text, kept):
    assert ungroup(text) == kept


@pytest.mark.parametrize("message,amount", [
    ("客户用储值卡刷了６，４００元", "6400.00"),       # full-width digits and comma
    ("客戶付了 98,765.43 元", "98765.43"),
    ("customer spent 3,300 via a prepaid card", "3300.00"),  # no unit: the paying verb's object
    ("They paid 1,000,000 for the renewal.", "1000000.00"),
    ("The card cost ¥4,000.", "4000.00"),  # a full stop after the number ends the sentence
])
def test_grouped_amounts_reach_the_readers_whole(message, amount):
    norm = normalise(message)
    assert [r.value["amount"] for r in read(norm.simplified, NOW).of("money")] == [amount]
    assert norm.original == message  # the user's wording is kept for quoting


def test_a_grouped_number_is_no_clause_boundary():
    from assistant.understanding.scope import CLAUSE

    clauses = [c for c in CLAUSE.split(normalise("customer spent 7,250 via the card, how much counts").lower) if c.strip()]
    assert clauses[0].strip() == "customer spent 7250 via the card"


def test_slots_read_the_same_amount_either_way():
    from assistant.slots import extract

    assert extract(normalise("花了 12,000").simplified, NOW, simplified=True).amounts == [Decimal("12000")]
