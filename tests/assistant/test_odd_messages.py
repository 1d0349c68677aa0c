"""Any message gets an answer or a clean abstention through Assistant.answer, never an exception."""

from datetime import datetime

import pytest

from assistant import Answer, Assistant, Settings

pytestmark = pytest.mark.integration
NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")

ODD = [
    "订单号12345678901234567890123456789查不到",
    "储值卡买了12345678901234567890123456789元算业绩吗",
    "99999999999999999999999999999万的储值卡",
    "9999年12月31日的业绩什么时候能看到",
    "9999-12-31 23:59 UTC 的消费算哪个账期",
    "0000-00-00 的业绩",
    "2026-02-30的业绩数据什么时候出",
    "25:61 的账单",
    "伙伴账单\u2028什么时候生成\u2029?",
    "\u2028\u2029\u0085 ?",
    "💳💳 储值卡 🎉 算业绩吗?🙏",
    "👍",
    "发票" * 900,
    "8月" * 900,
    "\x00\x01 null bytes \x7f",
    "UTC+99 UTC-99 GMT+14:45 +25:00",
    "第99999999999999季度",
    "9999999999999个工作日",
    "-1元",
    "１２月３１日の業績",
    "?",
    "那10月的呢?",
]


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), embedder="hash")
    assistant = Assistant.from_settings(settings)
    assistant.index.build()
    return assistant


@pytest.mark.parametrize("message", ODD, ids=range(len(ODD)))
def test_odd_message_gets_an_answer_or_an_abstention(bot, message):
    answer = bot.answer(message, now=NOW)
    assert isinstance(answer, Answer) and answer.answer.strip() and "Traceback" not in answer.answer
    # An answer rests on something: a citation, a tool result, a question back, or a stated refusal
    # of the value ("the rules engine handles years 1900 to 9998"; an amount the rule cannot take, named
    # with the form it must have - 储值卡买了<29 digits>元 is read as buying a card, then refused).
    assert answer.abstained or answer.citations or answer.follow_up or answer.tool_calls or \
        "9998" in answer.answer or answer.answer.startswith(("无法按该条件计算", "I could not apply the rule"))


@pytest.mark.parametrize("message,says", [("  \u2028 ", "empty"), ("a" * 10000, "limit is 2000"),
                                          ("发票" * 5000, "limit is 2000")])
def test_a_blank_or_overlong_message_is_a_typed_input_error_naming_the_limit(bot, message, says):
    """The API turns it into a 4xx naming the field and the CLI into exit 2; nothing half-done is stored."""
    from knowledge import QueryError

    with pytest.raises(QueryError, match=says):
        bot.answer(message, session_id="too-long", now=NOW)
    assert bot.sessions.load("too-long", NOW).turns == 0


def test_odd_messages_in_one_conversation(bot):
    """The same messages as consecutive turns: the stored dialogue state must survive each of them."""
    for message in ODD:
        answer = bot.answer(message, session_id="odd-conversation", now=NOW)
        assert answer.answer.strip()


def test_a_follow_up_with_an_example_value_is_not_an_unsupported_number(bot):
    """The error-code follow-up gives an example code (CBC.30000010); it is our question, not a claim."""
    answer = bot.answer("4xx错误码会影响伙伴的考核吗?", now=NOW)
    assert answer.answer.strip()
