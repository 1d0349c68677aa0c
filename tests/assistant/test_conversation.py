"""A conversation answered from its client-sent history gives the same answers as the same turns on a
stored session, and the same history always gives the same answer."""

from datetime import datetime

import pytest

from assistant import Assistant, Settings
from assistant.conversation import HistoryError, answer_history, conversation_id

pytestmark = pytest.mark.integration
NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
TURNS = ["8月的伙伴账单什么时候生成?我在东京", "那9月的呢?", "Can several incentives go on one invoice?",
         "They were applied for in one batch.", "那10月的账单呢?"]


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    assistant = Assistant.from_settings(Settings(data_dir=tmp_path_factory.mktemp("conversation")))
    assistant.index.build()
    return assistant


def test_replaying_the_history_equals_a_stored_session(bot):
    stored = [bot.answer(turn, "stored-session", NOW) for turn in TURNS]
    for k in range(1, len(TURNS) + 1):
        replayed = answer_history(bot, TURNS[:k], NOW, scope=["test"])
        assert replayed.answer == stored[k - 1].answer, TURNS[k - 1]
        assert replayed.tool_calls == stored[k - 1].tool_calls
    again = answer_history(bot, TURNS, NOW, scope=["test"])
    assert again.answer == stored[-1].answer


def test_turns_are_recorded_under_the_conversation_not_read_back(bot):
    first = answer_history(bot, TURNS[:1], NOW, scope=["a"], owner="owner-1")
    second = answer_history(bot, TURNS[:2], NOW, scope=["a"], owner="owner-1")
    assert first.session_id == second.session_id == conversation_id(["a"], TURNS[0])
    assert conversation_id(["b"], TURNS[0]) != first.session_id
    # Asking the second turn again does not continue from the recorded third state: it is replayed.
    assert answer_history(bot, TURNS[:2], NOW, scope=["a"], owner="owner-1").answer == second.answer


def test_without_a_database_the_state_is_still_replayed(bot):
    bare = Assistant(bot.retriever, None, router=bot.router)
    assert answer_history(bare, TURNS[:2], NOW).tool_calls[0].arguments["timezone"] == "Asia/Tokyo"


def test_a_bad_earlier_turn_is_named(bot):
    with pytest.raises(HistoryError) as caught:
        answer_history(bot, ["   ", "那9月的呢?"], NOW)
    assert caught.value.index == 0


def test_the_replay_uses_the_assistants_own_configuration(bot):
    """Whatever the assistant is configured with (here: an imported calendar) also holds for replayed turns."""
    from assistant.conversation import _twin

    bot.calendar = object()
    try:
        assert _twin(bot, None, with_llm=False).calendar is bot.calendar
    finally:
        bot.calendar = None
