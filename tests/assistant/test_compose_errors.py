import re

from assistant.compose import Said, input_errors_text, one, render
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
    text = one(input_errors_text(_errors(args), args), "zh-Hans")
    assert "金额" in text and "12.345" in text
    assert not re.search(r"[A-Za-z]{3,}", text.replace("CNY", ""))  # no English words from the tool
    args = {"transaction": "pay_with_card", "amount": "-5"}
    assert "超出可用範圍" in one(input_errors_text(_errors(args), args), "zh-Hant")


def test_english_reader_keeps_the_tools_message():
    args = {"transaction": "pay_with_card", "amount": "12.345"}
    assert "two decimal places" in one(input_errors_text(_errors(args), args), "en")


def test_unstated_kinds_read_as_english():
    assert one(_unstated_note(("rate",)), "en") == "The rules I found on this topic do not state a rate or percentage. "
    assert "do not state a time frame or a frequency" in one(_unstated_note(("duration", "frequency")), "en")


def test_render_picks_the_language_once_and_converts_only_our_wording():
    sections = [[Said("账期 2026-10 的账单", "The bill for 2026-10")],
                [Said("依据:", "Rule:"), "「伙伴账单采用北京时间」", (Said("菜单路径:", "Menu path: "), "销售 > 账务")],
                [Said("1. 登录伙伴中心", "1. Sign in", ours=False)]]
    assert render(sections, "en") == "The bill for 2026-10\n\nRule:\n「伙伴账单采用北京时间」\nMenu path: 销售 > 账务\n\n1. Sign in"
    assert render(sections, "zh-Hans") == "账期 2026-10 的账单\n\n依据:\n「伙伴账单采用北京时间」\n菜单路径:销售 > 账务\n\n1. 登录伙伴中心"
    # Traditional script for our own wording; quotes, menu paths and corpus steps stay as the corpus writes them
    assert render(sections, "zh-Hant") == "帳期 2026-10 的帳單\n\n依據:\n「伙伴账单采用北京时间」\n菜單路徑:销售 > 账务\n\n1. 登录伙伴中心"


def test_steps_are_numbered_without_empty_ones():
    from types import SimpleNamespace

    from assistant.compose import steps_lines
    from assistant.extractive import procedure_steps

    lines = steps_lines({"matches": [{"steps": ["登录伙伴中心。", "  ", "选择账期。"]}]})
    assert render([lines], "zh-Hant").splitlines()[1:] == ["1. 登錄夥伴中心。", "2. 選擇帳期。"]
    chunk = SimpleNamespace(text="规则。操作步骤 登录伙伴中心。 选择账期。 父主题: 伙伴账单", cut_end=False)
    assert procedure_steps(chunk) == ["登录伙伴中心。", "选择账期。"]
