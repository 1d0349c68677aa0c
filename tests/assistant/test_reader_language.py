"""An answer speaks the reader's language even when its only evidence is a quote in the other language."""

from datetime import datetime

from assistant.compose import gloss_lines, render

NOW = datetime.fromisoformat("2026-11-29T19:00:00+08:00")


def test_a_chinese_quote_gets_an_english_statement_from_what_we_hold_about_it_and_nothing_for_a_chinese_reader():
    rule = gloss_lines(["伙伴账单采用北京时间(GMT+08:00)作为基准时间进行统计,每月5号12:00前会生成上个月的账单。"])
    assert "5th" in render([rule], "en") and render([rule], "zh-Hans") == ""
    duration = gloss_lines(["华为财务收到发票后在10个工作日内完成审核。"])
    assert "within 10 working days of “华为财务收到发票”" in render([duration], "en")
    place = gloss_lines(["合作伙伴可以查看并导出商品账单。"], title="商品分账", menu_path="销售 > 云商店 > 商品分账")
    assert "Chinese documentation" in render([place], "en") and "销售 > 云商店 > 商品分账" in render([place], "en")
    english = gloss_lines(["Confirm it within 7 days, or it is confirmed automatically."])
    assert "7天" in render([english], "zh-Hans") and render([english], "en") == ""
    assert gloss_lines(["没有任何可说明的内容"]) == []


def test_an_english_question_answered_by_a_chinese_rule_says_the_rule_in_english(bot):
    answer = bot.answer("When is the partner bill generated?", now=NOW)
    assert not answer.abstained and "5th" in answer.answer and "「" in answer.answer  # the quote stays
    chinese = bot.answer("伙伴账单什么时候生成?", now=NOW)
    assert "5th" not in chinese.answer


def test_a_duration_written_in_words_is_glossed_without_a_number_its_quote_lacks():
    said = render([gloss_lines(["审核通过后一个工作日内自动解冻。"])], "en")
    assert "within one working day of" in said and "1" not in said
    assert "7天" in render([gloss_lines(["Deleted sub-users can be restored within 7 days."])], "zh-Hans")


def test_english_questions_over_chinese_quotes_pass_the_number_check(bot):
    for question in ("Is performance data visible on the same day?", "How long after a sale do performance numbers show up?"):
        assert bot.answer(question, now=NOW).answer
