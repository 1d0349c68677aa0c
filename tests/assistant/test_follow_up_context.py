"""A follow-up that names no topic of its own ("那有效期呢?") is read in the last topic's context: the evidence
for the last question and the follow-up together, when that lands on the passages the last answer cited."""

from datetime import datetime

import pytest

from .conftest import bot_with_extra

NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
# Two topics with a validity each, written for this test in our own words (one excerpt per line).
DOCS = (
    "邀请客户 伙伴可以生成邀请链接邀请客户建立关联,邀请链接生成后7天内有效,过期需重新生成。 父主题: 客户关联\n"
    "商机保护 商机报备审核通过后保护期为90天,有效期内伙伴享有该商机的保护权。 父主题: 商机报备\n"
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    return bot_with_extra(tmp_path_factory, "validity_zh.txt", DOCS)


def test_a_bare_follow_up_stays_on_the_last_topic(bot):
    first = bot.answer("邀请链接生成以后能用几天?", session_id="validity", now=NOW)
    assert "7天" in first.answer
    follow = bot.answer("那有效期呢?", session_id="validity", now=NOW)
    assert "7天" in follow.answer and "90天" not in follow.answer



def test_what_to_do_follows_on_a_topic_whose_passage_advises_an_action(bot):
    # "那怎么办?" names nothing of its own: the last topic's passage answers it when it advises an action
    # (过期需重新生成); word overlap with the passage is not what decides
    bot.answer("邀请链接生成以后能用几天?", session_id="act", now=NOW)
    follow = bot.answer("那过期了怎么办?", session_id="act", now=NOW)
    assert not follow.abstained and "重新生成" in follow.answer
    english = bot.answer("ok so what do we do now?", session_id="act", now=NOW)
    assert not english.abstained and "重新生成" in english.answer


def test_what_to_do_is_not_answered_from_a_passage_that_advises_nothing(bot):
    bot.answer("商机报备通过后保护多久?", session_id="none", now=NOW)
    follow = bot.answer("what now?", session_id="none", now=NOW)
    assert "90天" not in follow.answer


def test_a_follow_on_quotes_the_sentence_stating_what_it_asks(bot):
    # "how do we fix it" asks what to do: the topic's passage is quoted at its advice (过期需重新生成), not at
    # the sentence that answered the earlier question, and the ask's own verb (fix) is its form
    bot.answer("邀请链接生成以后能用几天?", session_id="fix", now=NOW)
    follow = bot.answer("how do we fix it then?", session_id="fix", now=NOW)
    assert not follow.abstained and "重新生成" in follow.answer


def test_a_follow_on_pointing_back_is_read_against_the_last_topic_even_naming_topic_words(bot):
    # "这些消费数据" points back at the topic's thing; the topic words it names (伙伴账单) are in the topic's
    # passage (customer consumption is not the partner's bill), so that passage answers: read afresh, the
    # question was refused
    bot.answer("客户消费能看多久以前的?", session_id="point", now=NOW)
    follow = bot.answer("那这些消费数据可以用来跟伙伴账单核对吗?", session_id="point", now=NOW)
    assert not follow.abstained and not follow.follow_up
    # quoted at the sentence holding the topic word it names, not the one that answered the look-back
    assert "并非伙伴的账单" in follow.answer


@pytest.mark.parametrize("text, pointing", [("那这些数据呢", True), ("can I use those figures?", True),
                                            ("is that number final", True), ("它多久过期", True),
                                            ("其他客户能看吗", False), ("does it mean that we lose it", False),
                                            ("客户消费能查多久", False)])
def test_points_back_is_a_demonstrative_or_pronoun(text, pointing):
    from assistant.understanding.determiners import points_back

    assert points_back(text) is pointing
