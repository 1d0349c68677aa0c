"""Duration rules at index build: counted in the build report, listed by `rules list`, chosen for a question."""

import json

from typer.testing import CliRunner

from api.cli import app
from knowledge import HashEmbedder, KnowledgeIndex, make_client
from knowledge.documents import Chunk
from knowledge.durations import best_duration_rule, index_duration_rules, scan_chunks


def _chunk(cid: str, text: str) -> Chunk:
    return Chunk(id=cid, text=text, origins=[f"{cid}.txt:1"], title="")


def test_scan_anchors_rules_to_chunks_and_keeps_one_copy_of_a_repeated_sentence():
    chunks = [_chunk("a", "审核在3个工作日内完成。考试时长为90分钟。"), _chunk("b", "审核在3个工作日内完成。")]
    scan = scan_chunks(chunks)
    assert [(r.amount, r.unit, r.chunk_id, r.source) for r in scan.rules] == [(3, "working_days", "a", "a.txt:1")]
    assert scan.unparsed == ["考试时长为90分钟。"]


def test_the_build_reports_the_bundled_duration_rules(tmp_path):
    index = KnowledgeIndex(make_client(tmp_path), HashEmbedder())
    report = index.build()
    scan = index_duration_rules(index.chunks)
    assert report.duration_rules == len(scan.rules) >= 2
    assert report.duration_unparsed == len(scan.unparsed)
    found = {(r.amount, r.unit, r.direction) for r in scan.rules}
    assert {(1, "working_days", "after"), (18, "months", "before")} <= found
    assert all(r.chunk_id and r.sentence in index.chunk(r.chunk_id).text for r in scan.rules)
    assert index_duration_rules(index.chunks) is scan  # cached for the loaded index


def test_rules_list_cli(tmp_path):
    runner = CliRunner()
    env = {"PARTNER_ASSISTANT_DATA_DIR": str(tmp_path), "PARTNER_ASSISTANT_EMBEDDER": "hash"}
    built = runner.invoke(app, ["index", "build"], env=env)
    assert built.exit_code == 0 and "duration rules:" in built.stdout
    listed = runner.invoke(app, ["rules", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    rules = json.loads(listed.stdout)
    assert any(r["amount"] == 18 and r["direction"] == "before" for r in rules)
    unparsed = runner.invoke(app, ["rules", "list", "--unparsed", "--json"], env=env)
    assert set(json.loads(unparsed.stdout)) == {"rules", "unparsed"}


def test_best_rule_follows_the_question_words_and_the_kind_of_date_asked():
    chunks = [_chunk("a", "华为在5个工作日内审核入驻申请,审核通过后,伙伴需在30天内在线签署协议。"),
              _chunk("b", "同一客户3个月内仅可解除一次关联关系。解除关联生效后30天内不能建立新的代售关联。")]
    assert best_duration_rule("审核通过后最晚哪天要签署协议?", chunks).amount == 30
    assert best_duration_rule("入驻申请华为最晚哪天审核完?", chunks).amount == 5
    again = best_duration_rule("解除关联后下次最早哪天可以再解除?", chunks)
    assert (again.amount, again.direction) == (3, "once_per")
    assert best_duration_rule("今天天气怎么样", chunks) is None


def test_a_rule_that_says_nothing_of_the_asked_action_gives_no_date():
    chunks = [_chunk("t", "If there is no response within the time above, click Urge on the ticket; you can urge a ticket "
                          "once every 24 hours. A closed ticket can be reopened within 7 days.")]
    # the asked clause (a reply, a resolution) is in no rule: quote or ask, never compute from another rule
    assert best_duration_rule("I filed a ticket at 9:40, when can I get a reply?", chunks) is None
    assert best_duration_rule("I submitted a ticket at 9:40, when will it be resolved?", chunks) is None
    assert best_duration_rule("I urged the ticket at 9:40, when can I urge it again?", chunks).amount == 24
    assert best_duration_rule("邀请链接是2026年11月26日生成的,哪天失效?",
                              [_chunk("i", "伙伴生成的邀请链接7天内有效。")]).amount == 7


def test_a_shortened_verb_in_the_asked_clause_still_meets_the_rule_that_holds_its_characters():
    """审完 shares no bigram with 完成审核 but every character: the rule answers; an action whose characters
    the rule lacks (回复) still gets no date from it."""
    chunks = [_chunk("f", "申付单生成后,伙伴须在30天内上传发票影像。华为财务收到发票后在10个工作日内完成审核。")]
    found = best_duration_rule("华为财务12月3号收到发票,最晚哪天审完?", chunks)
    assert (found.amount, found.unit) == (10, "working_days")
    assert best_duration_rule("华为财务12月3号收到发票,最晚哪天回复?", chunks) is None
