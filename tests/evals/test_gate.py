"""The regression gate catches a broken retriever, a broken tool and a broken abstention threshold."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import Assistant, Settings
from evals.gate import Baseline, check, load_baseline
from evals.report import compare, write
from evals.runner import run
from knowledge import Retriever
from knowledge.retrieval import SearchResult
from assistant.evidence import SupportPolicy
from tools import TOOLS, Tool
from tools.performance import PerformanceVisibilityInput, PerformanceVisibilityResult

pytestmark = [pytest.mark.integration, pytest.mark.slow]
BASELINE = Path(__file__).parents[2] / "evals" / "baseline.json"


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    bot = Assistant.from_settings(Settings(data_dir=tmp_path_factory.mktemp("data"), embedder="use"))
    bot.index.build()
    return bot


@pytest.fixture(scope="module")
def healthy_report(healthy):
    return run(healthy, split="held-out")


def test_the_held_out_gate_passes_against_the_stored_baseline(healthy_report):
    baseline = load_baseline(BASELINE)
    assert baseline.split == "held-out" and baseline.reason
    assert check(healthy_report, baseline) == []
    assert healthy_report.metrics["errors"] == 0


class ReversedRetriever(Retriever):
    """Deliberately broken: ranks the best chunks last."""

    def search(self, query: str, k: int = 5) -> SearchResult:
        result = super().search(query, k=k)
        return replace(result, hits=[replace(h, rank=i + 1) for i, h in enumerate(reversed(result.hits))])


def _broken_visibility(args: PerformanceVisibilityInput) -> PerformanceVisibilityResult:
    """Deliberately broken: forgets the working-day calendar."""
    return PerformanceVisibilityResult(
        business_date=args.business_date, visible_date=args.business_date, visible_weekday="Monday",
        calendar_fallback=False, calendar_status="official", explanation_zh="x", explanation_en="x", trace=[],
        rule_refs=[])


def test_a_broken_retriever_fails_the_gate(healthy):
    broken = Assistant(ReversedRetriever(healthy.index), healthy.sessions)
    problems = check(run(broken, split="held-out", datasets=("retrieval",)), load_baseline(BASELINE))
    assert any(p.startswith("retrieval.hit@1") for p in problems)


def test_a_broken_tool_fails_the_gate(healthy):
    tools = dict(TOOLS)
    tools["performance_visibility"] = Tool(
        name="performance_visibility", description=TOOLS["performance_visibility"].description,
        func=_broken_visibility, input_model=PerformanceVisibilityInput, output_model=PerformanceVisibilityResult,
        examples=TOOLS["performance_visibility"].examples, rules=TOOLS["performance_visibility"].rules)
    broken = Assistant(healthy.retriever, healthy.sessions, tools=tools)
    problems = check(run(broken, split="held-out", datasets=("dialogues",)), load_baseline(BASELINE))
    assert any(p.startswith("dialogues.tool_result") for p in problems)


def test_a_broken_abstention_threshold_fails_the_gate(healthy):
    broken = Assistant(healthy.retriever, healthy.sessions, support_policy=SupportPolicy(threshold=0.999))
    problems = check(run(broken, split="held-out", datasets=("retrieval", "dialogues")), load_baseline(BASELINE))
    assert any("abstention" in p for p in problems)


def test_reports_and_compare(healthy, healthy_report, tmp_path):
    broken = Assistant(healthy.retriever, healthy.sessions, support_policy=SupportPolicy(threshold=0.999))
    worse = run(broken, split="held-out", datasets=("retrieval",))
    paths = write(worse, tmp_path, problems=["retrieval.abstention: 0.5 is below the baseline 0.94 (-0.02)"])
    md, page = paths[1].read_text("utf-8"), paths[2].read_text("utf-8")
    failing = [o for o in worse.cases if not o.passed]
    assert failing and f"retrieval/{failing[0].id}" in md and "FAIL: retrieval.abstention" in md
    assert "<svg" in page and "latency histogram" in page and "<meta charset=\"utf-8\">" in page
    assert json.loads(paths[0].read_text("utf-8"))["split"] == "held-out"
    lines = compare(healthy_report, worse)
    assert any(line.startswith(f"case retrieval/{failing[0].id}: now FAILS") for line in lines)


def test_cli_gate_exit_codes(tmp_path, monkeypatch):
    from api.cli import app

    monkeypatch.setenv("PARTNER_ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    impossible = {"reason": "test", "split": "held-out", "metrics": {"triage.case_pass": {"value": 1.5, "tolerance": 0}}}
    (tmp_path / "strict.json").write_text(json.dumps(impossible), encoding="utf-8")
    runner = CliRunner()
    failed = runner.invoke(app, ["eval", "run", "--split", "held-out", "--dataset", "triage",
                                 "--baseline", str(tmp_path / "strict.json"), "--report", str(tmp_path / "r")])
    assert failed.exit_code == 1 and "regression" in failed.output and (tmp_path / "r" / "report.html").exists()
    bad_split = runner.invoke(app, ["eval", "run", "--split", "test"])
    assert bad_split.exit_code == 2 and "--split must be" in bad_split.output
    missing_reason = runner.invoke(app, ["eval", "run", "--split", "held-out", "--dataset", "triage",
                                         "--write-baseline", str(tmp_path / "b.json")])
    assert missing_reason.exit_code == 2 and "--reason" in missing_reason.output


def test_baseline_file_is_typed():
    with pytest.raises(ValueError):
        Baseline.model_validate({"split": "held-out", "metrics": {}})  # a baseline must say why it changed


def test_index_build_eval_names_the_cases_a_corpus_change_breaks(tmp_path):
    from knowledge import DEFAULT_CORPUS

    from api.cli import app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = (DEFAULT_CORPUS / "partner_center_rules_zh.txt").read_text("utf-8").splitlines()
    # a corpus change that loses the partner-bill excerpt (lines 12 and 20)
    (corpus / "rules.txt").write_text("\n".join(l for l in lines if "伙伴账单采用北京时间" not in l) + "\n", "utf-8")
    result = CliRunner().invoke(app, ["index", "build", str(corpus), "--eval", "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert "affected: dialogues/" in result.output and "regression" in result.output
