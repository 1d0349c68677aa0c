"""Alignment of the question's words with the supporting sentences, and quotes of enumerated sentences."""

from assistant.evidence.alignment import align, match
from assistant.evidence.sentences import list_unit, sentences_of
from knowledge import Chunk
from knowledge.lexical import BM25Index, tokenize

DOCS = ["资金回收后实时退回伙伴账户。客户存在欠款时不能回收资金。",
        "代金券不能提现,不能转让。",
        "工单记录保留3年。已关闭的工单在7天内可以重新打开。"]


def _bm25():
    return BM25Index([tokenize(d) for d in DOCS])


def _align(question, window, passage=""):
    return align(tokenize(question), _bm25(), frozenset(tokenize(window)), window,
                 frozenset(tokenize(passage or window)), passage or window)


def test_a_word_aligns_softly_by_its_characters_or_stem():
    assert match("回收", frozenset({"回收"}), "") == 1.0
    assert match("提取现金", frozenset(), "不能提现金") > 0.3        # bigrams 现金 and (not) 提取
    assert match("回溯", frozenset(), "最多前溯18个月") == 0.25        # one character of two, at half weight
    assert match("违约金", frozenset(), "客户存在欠款时不能回收资金") == 0.0
    assert match("refunded", frozenset({"refund"}), "") == 0.8        # a shared stem of five letters
    assert match("fee", frozenset({"free"}), "") == 0.0


def test_the_asked_word_missing_from_the_supporting_sentence_is_the_gap():
    covered = _align("客户欠款时能回收资金吗", "客户存在欠款时不能回收资金。")
    absent = _align("回收资金收违约金吗", "客户存在欠款时不能回收资金。")
    assert covered.aligned > 0.75 and covered.gap < absent.gap
    assert absent.gap == 1.0 and absent.aligned < covered.aligned   # 违约金: no passage uses it


def test_topic_words_outside_the_window_count_for_the_topic_not_the_window():
    a = _align("工单记录保留多少年", "已关闭的工单在7天内可以重新打开。", DOCS[2])
    assert a.topic > a.aligned


def _chunk(text):
    return Chunk(id="c", text=text, title="", origins=["t.txt:1"])


def test_a_piece_of_an_enumerated_sentence_is_quoted_with_its_lead_and_items():
    chunk = _chunk("申请认证的企业需同时满足以下条件:已完成实名认证;企业成立满1年;至少有2名持证员工。操作步骤 登录后提交。")
    sentences = sentences_of(chunk, {})
    pieces = [s.text for s in sentences]
    at = next(i for i, t in enumerate(pieces) if "成立满1年" in t)
    unit = [pieces[i] for i in list_unit(sentences, at)]
    assert unit[0].startswith("申请认证") and unit[-1].endswith("持证员工。")
    assert not any("操作步骤" in t for t in unit)
