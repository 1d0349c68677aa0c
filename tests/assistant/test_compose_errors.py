import re

from assistant.compose import input_errors_text
from assistant.service import _unstated_note
from tools import ToolInputError, get_tool


def _errors(args):
    try:
        get_tool("stored_value_card_credit").run(args)
    except ToolInputError as exc:
        return exc.errors
    raise AssertionError("the tool took invalid input")


def test_chinese_reader_gets_the_field_and_value_in_chinese():
    args = {"transaction": "pay_with_card", "amount": "12.345"}
    text = input_errors_text(_errors(args), args, "zh-Hans")
    assert "金额" in text and "12.345" in text
    assert not re.search(r"[A-Za-z]{3,}", text.replace("CNY", ""))  # no English words from the tool
    args = {"transaction": "pay_with_card", "amount": "-5"}
    assert "超出可用範圍" in input_errors_text(_errors(args), args, "zh-Hant")


def test_english_reader_keeps_the_tools_message():
    args = {"transaction": "pay_with_card", "amount": "12.345"}
    assert "two decimal places" in input_errors_text(_errors(args), args, "en")


def test_unstated_kinds_read_as_english():
    assert _unstated_note(("rate",), "en") == "The rules I found on this topic do not state a rate or percentage. "
    assert "do not state a time frame or a frequency" in _unstated_note(("duration", "frequency"), "en")
