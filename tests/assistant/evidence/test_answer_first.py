"""Answer-type reranking: a close hit that states the kind of answer asked goes first."""

from assistant.evidence.ranking import answer_first

TEXTS = ["查询消费明细:单击导出。", "客户消费数据范围最多支持前溯18个月。", "伙伴账单每月5号生成。"]


def rows(*scores):
    return [(i, s, s, s) for i, s in enumerate(scores)]


def test_a_close_hit_stating_the_asked_kind_goes_first():
    ranked = answer_first("消费明细最长能查几个月?", rows(0.42, 0.35, 0.20), TEXTS.__getitem__, margin=0.15)
    assert [r[0] for r in ranked] == [1, 0, 2]


def test_a_distant_hit_does_not_jump_the_best():
    ranked = answer_first("消费明细最长能查几个月?", rows(0.60, 0.35, 0.20), TEXTS.__getitem__, margin=0.15)
    assert [r[0] for r in ranked] == [0, 1, 2]


def test_order_is_kept_when_no_kind_is_asked_or_the_best_states_it():
    assert [r[0] for r in answer_first("怎么导出消费明细?", rows(0.42, 0.35, 0.2), TEXTS.__getitem__, 0.15)] == [0, 1, 2]
    ranked = answer_first("账单多久一次?", rows(0.5, 0.45, 0.44), [TEXTS[2], TEXTS[1], TEXTS[0]].__getitem__, 0.15)
    assert [r[0] for r in ranked] == [0, 1, 2]
