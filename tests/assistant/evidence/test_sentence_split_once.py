"""A chunk's sentences are split once per text and shared by every question: each question's scores and
similarities go into its own copies, never into the shared ones."""

from assistant.evidence.sentences import sentences_of
from knowledge import Chunk

TEXT = "伙伴账单每月3日生成。账单生成后在哪里查看?激励按月结算,最长90天。\n父主题: 账单"


def test_a_questions_scores_do_not_reach_the_next_question():
    chunk = Chunk(id="c", text=TEXT, title="", origins=["t.txt:1"])
    bare = sentences_of(chunk, {}, scored=False)
    first = sentences_of(chunk, {"生成": 1.0}, similarities={"伙伴账单每月3日生成。": 0.8})
    second = sentences_of(chunk, {"结算": 1.0})
    assert [s.text for s in bare] == [s.text for s in first] == [s.text for s in second]
    assert len(bare) == 3 and all(s.text == TEXT[s.start:s.end] for s in bare)  # the trailer line is dropped
    assert [(s.score, s.similarity) for s in bare] == [(0.0, 0.0)] * len(bare)
    assert first[0].score == 1.0 and first[0].similarity == 0.8 and first[-1].score == 0.0
    assert second[0].score == 0.0 and second[0].similarity == 0.0 and second[-1].score == 1.0
    assert first[1].question and first[1].score == 0.0  # a question is never scored
    assert "duration" in first[-1].kinds and sentences_of(chunk, {}, scored=False) == bare
