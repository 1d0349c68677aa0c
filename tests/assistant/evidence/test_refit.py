"""Refitting at index build reads development questions as data: dev lines only, the file that fits the index."""

import json

import pytest

from assistant.evidence.calibration import for_index
from assistant.evidence.refit import calibrate_index, calibration_questions, default_question_files, read_dev_questions
from knowledge import Excerpt, HashEmbedder, KnowledgeIndex, Retriever, make_client

TEXTS = ["伙伴账单每月5号12:00前生成上个月的账单。", "客户经理主管不能报备商机,只可查看。",
         "客户消费数据范围最多支持前溯18个月。", "发票可以合并开具,同一付款申请内的激励可合并。"]


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def _row(question, abstain, anchors=(), split="dev"):
    return {"question": question, "abstain": abstain, "expected_anchors": list(anchors), "split": split}


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    index = KnowledgeIndex(make_client(tmp_path_factory.mktemp("data")), HashEmbedder(), namespace="refit-test")
    index.build(excerpts=[Excerpt(text=t, source=f"t.txt:{i + 1}") for i, t in enumerate(TEXTS)])
    return Retriever(index, mode="lexical")


def test_held_out_lines_are_never_read(tmp_path):
    path = _write(tmp_path / "q.jsonl", [_row("伙伴账单几号出?", False, ["每月5号"]),
                                         {"split": "held-out", "not": "a question"}])
    assert [q.question for q in read_dev_questions(path)] == ["伙伴账单几号出?"]


def test_a_malformed_dev_line_names_file_and_line(tmp_path):
    path = _write(tmp_path / "q.jsonl", [_row("a", False), {"split": "dev", "abstain": True}])
    with pytest.raises(ValueError, match=r"q.jsonl:2"):
        read_dev_questions(path)


def test_the_first_file_whose_anchors_the_index_states_is_used(tmp_path, retriever):
    other = _write(tmp_path / "other.jsonl", [_row("证书怎么续期?", False, ["证书有效期为三年"])])
    fitting = _write(tmp_path / "fits.jsonl", [_row("伙伴账单几号出?", False, ["每月5号12:00前"]),
                                               _row("代金券怎么用?", True)])
    assert calibration_questions(retriever.index, [other]) == []
    assert calibration_questions(retriever.index, [other, fitting]) == [("伙伴账单几号出?", True), ("代金券怎么用?", False)]


def test_calibrate_index_stores_the_fit_with_the_index(tmp_path, retriever):
    answerable = ["伙伴账单几号生成?", "账单每月5号生成吗?", "主管能报备商机吗?", "客户经理主管可以查看商机吗?",
                  "消费数据能前溯多久?", "客户消费最多查多少个月?", "激励能合并开发票吗?", "同一付款申请的激励能合并吗?"]
    # must-abstain questions in the index's own words (ones with words it never uses are refused by rule)
    refused = ["伙伴账单可以修改吗?", "账单生成后多久能开发票?", "主管的商机多少天审批?", "客户消费数据多少钱?",
               "发票多久寄到?", "激励什么时候到账?", "商机报备要审批几天?", "账单为什么有差异?",
               "客户经理主管怎么变更?", "消费数据多久更新一次?"]
    rows = [_row(q, False, ["每月5号12:00前"]) for q in answerable] + [_row(q, True) for q in refused]
    fitted = calibrate_index(retriever, [_write(tmp_path / "dev.jsonl", rows)])
    assert fitted is not None and fitted.questions > 0
    assert for_index(retriever.index) == fitted


def test_the_project_dev_files_are_found_without_importing_evals():
    files = default_question_files()
    assert [f.name for f in files] == ["extended_retrieval.jsonl", "retrieval.jsonl"]


def test_the_vocabulary_veto_is_kept_only_where_it_earns_it_on_the_index_questions(tmp_path, retriever):
    answerable = ["伙伴账单几号生成?", "账单每月5号生成吗?", "主管能报备商机吗?", "客户经理主管可以查看商机吗?",
                  "消费数据能前溯多久?", "客户消费最多查多少个月?", "激励能合并开发票吗?", "同一付款申请的激励能合并吗?"]
    absent = ["代金券怎么提现?", "银杏树叶子怎么腌制?", "恐龙化石门票多少钱?", "熊猫饲养员怎么报名?",
              "火山喷发预警怎么订阅?", "潜水执照考试难吗?"]
    in_its_words = ["伙伴账单可以修改吗?", "主管的商机多少天审批?", "发票多久寄到?", "激励什么时候到账?"]
    # Its words are the index's: the rule refuses the must-abstain questions and no answerable one.
    rows = [_row(q, False, ["每月5号12:00前"]) for q in answerable] + [_row(q, True) for q in absent + in_its_words]
    kept = calibrate_index(retriever, [_write(tmp_path / "kept.jsonl", rows)])
    assert kept.vocabulary_veto and kept.veto_counts["answerable_vetoed"] == 0
    assert kept.veto_counts["must_abstain_vetoed"] >= 3
    # Answerable questions wrapped in words the index never uses: the rule would refuse them, so the model decides.
    wrapped = [f"{q}银杏树叶子腌制熊猫饲养员" for q in answerable]
    rows = [_row(q, False, ["每月5号12:00前"]) for q in answerable + wrapped] + [_row(q, True) for q in absent + in_its_words]
    dropped = calibrate_index(retriever, [_write(tmp_path / "dropped.jsonl", rows)])
    assert not dropped.vocabulary_veto and dropped.veto_counts["answerable_vetoed"] > 0
    assert for_index(retriever.index).vocabulary_veto is False  # stored with the index
