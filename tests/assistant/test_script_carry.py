"""A conversation's Chinese script carries over to a message that does not show one (outside tester, 14:50:
a Traditional-Chinese dialogue's second turn, "那10月的呢?", was answered in Simplified)."""

from datetime import datetime

from assistant.language import script_neutral
from assistant.understanding.normalise import in_script, normalise

NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")


def test_script_neutral_messages_are_told_apart_from_either_script():
    assert script_neutral("那10月的呢?")  # the same characters in both scripts
    assert not script_neutral("那10月的账单呢?")  # 账 is Simplified only
    assert not script_neutral("那10月的帳單呢?")  # 帳單 is Traditional
    assert not script_neutral("What about October?")
    assert in_script(normalise("那10月的呢?"), "zh-Hant").variant == "zh-Hant"
    assert in_script(normalise("那10月的呢?"), None).variant == "zh-Hans"  # no conversation: the default
    assert in_script(normalise("那10月的账单呢?"), "zh-Hant").variant == "zh-Hans"  # the writer's own script wins
    assert in_script(normalise("What about October?"), "zh-Hant").variant == "en"


def test_a_traditional_conversation_stays_traditional_on_a_script_neutral_follow_up(bot):
    first = bot.answer("8月的夥伴帳單什麼時候生成?", "hant-1", NOW)
    assert first.variant == "zh-Hant"
    second = bot.answer("那10月的呢?", "hant-1", NOW)
    assert second.variant == "zh-Hant" and not second.abstained
    assert "帳單" in second.answer or "賬單" in second.answer, second.answer  # our wording in Traditional
    assert "2026-11-05" in second.answer  # the same computation as before
    # a Simplified conversation is untouched, and a message's own script still decides
    bot.answer("8月的伙伴账单什么时候生成?", "hans-2", NOW)
    assert bot.answer("那10月的呢?", "hans-2", NOW).variant == "zh-Hans"
    assert bot.answer("那9月的账单呢?", "hant-1", NOW).variant == "zh-Hans"
