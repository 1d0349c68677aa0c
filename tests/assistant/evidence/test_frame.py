"""The question's frame (what its asking clause asks) and the sentence that answers it."""

import pytest

from assistant.evidence.frame import Frame, absent_predicate, answer_score, read_frame, states_kind
from assistant.evidence.sentences import choose_quote, sentences_of
from knowledge import Chunk
from knowledge.lexical import BM25Index, tokenize

DOCS = ["商品下架 伙伴主动下架商品时,需提前30天发布下架公告。因违规被强制下架的商品没有公告期。",
        "满意度评价 工单关闭后,伙伴可以在7天内评价。评价为1星或2星的工单会被技术支持主管回访。",
        "Pass mark: 80 out of 100. Course completed when 90% of the videos have been watched."]


def _bm25():
    return BM25Index([tokenize(d) for d in DOCS])


def _frame(question):
    return read_frame(question, tokenize(question), _bm25())


@pytest.mark.parametrize("question, asks", [
    ("商品下架要提前多少天发公告?", "time"),
    ("下架公告要提前多久发?", "time"),
    ("评价一星会有人回访吗?", "yes_no"),
    ("工单由谁来回访?", "person"),
    ("在哪里评价工单?", "place"),
    ("What score do I need to pass?", "which"),
    ("How many stars can I give?", "amount"),
    ("Is there a fee for the exam?", "yes_no"),
    ("商品下架", "none"),
])
def test_the_interrogative_decides_the_asked_kind(question, asks):
    assert _frame(question).asks == asks


def test_the_asked_clause_holds_the_frame_words_and_the_interrogative_is_not_one():
    frame = _frame("工单评价差评以后,技术支持主管几天内会回访?")
    assert "回访" in frame.words and "评价" in frame.others
    assert not any("几" in w for w in frame.words)
    assert "long" not in _frame("How long is the notice for delisting?").words


def test_a_sentence_answers_only_with_content_of_the_asked_kind():
    assert states_kind("time", "需提前30天发布下架公告。")
    assert not states_kind("time", "评价为1星或2星的工单会被技术支持主管回访。")
    assert states_kind("which", "任何陈述")
    frame = _frame("差评的工单几天内会被回访?")
    # 回访 is stated without a time: half the score of a sentence stating both
    stated = answer_score(frame, "差评的工单会在3天内回访。")
    assert answer_score(frame, "评价为1星或2星的工单会被技术支持主管回访。") < stated


def test_the_quote_adds_the_sentence_answering_the_frame():
    chunk = Chunk(id="c", text=DOCS[2], title="Exams", origins=["t.md:1"])
    terms = {t: 1.0 for t in tokenize("What score do I need on the course exam to pass?") if t in {"course", "pass"}}
    sentences = sentences_of(chunk, terms)
    frame = Frame("which", {"pass": 1.0, "score": 1.0, "course": 0.5}, {})
    without = choose_quote(sentences, frozenset(), terms=terms)
    with_frame = choose_quote(sentences, frozenset(), terms=terms, frame=frame)
    assert any("80" in sentences[i].text for i in with_frame)
    assert set(without) <= set(with_frame)


def _absent(question, passage, docs=DOCS + ["激励明细可以导出为Excel文件。"]):
    bm25 = BM25Index([tokenize(d) for d in docs])
    return absent_predicate(question, frozenset(tokenize(passage)), passage, bm25)


def test_an_asked_action_the_topic_passage_never_states_is_absent():
    # 导出 is corpus language (the incentive details), but not of the delisting rules
    assert _absent("下架公告能导出吗?", DOCS[0]) == "导出"
    assert _absent("下架公告可以导出吗?", DOCS[0] + "公告可以导出。") is None


def test_modifiers_modals_and_unknown_verbs_are_no_asked_action():
    assert _absent("导出的公告保留多久?", DOCS[0]) is None             # a verb before 的 modifies a noun
    assert _absent("下架公告需要提前多久发?", DOCS[0]) is None         # 需要: a modal
    assert _absent("下架公告能打印吗?", DOCS[0]) is None               # 打印: no passage uses it (vocabulary signals)
