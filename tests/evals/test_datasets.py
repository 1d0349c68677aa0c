"""The eval datasets: typed, split, large enough, and consistent with the corpus."""

import json
from pathlib import Path

import pytest

from evals.cases import SCHEMAS, load_assistant_cases, load_cases, load_triage_cases
from knowledge import DEFAULT_CORPUS
from knowledge.chunking import build_chunks
from knowledge.loaders import load_paths
from tools import TOOLS

ROOT = Path(__file__).parents[2]


def test_sizes_categories_and_splits():
    retrieval, assistant, triage = load_cases(), load_assistant_cases(), load_triage_cases()
    assert len(retrieval) + len(assistant) + len(triage) >= 200
    for cases in (retrieval, triage):
        assert {c.split for c in cases} == {"dev", "held-out"}
    # The assistant's held-out split is the dialogues written blind for issue 11; these cases, read after
    # every change for a long time, are dev now.
    assert {c.split for c in assistant} == {"dev"}
    for cases in (retrieval, assistant, triage):
        assert len({c.id for c in cases}) == len(cases)
    assert {c.language for c in retrieval} == {"zh-Hans", "zh-Hant", "en"}
    assert {"faq", "typo", "colloquial", "out_of_scope", "injection", "partly_covered"} <= {c.category for c in retrieval}
    assert {"tool", "multi_turn", "abstention", "faq"} <= {c.category for c in assistant}
    called = {e.name for c in assistant for t in c.turns for e in (t.expect.tools or [])}
    # every routed rules-engine tool has exact expected results; duration_deadline has its own questions
    assert called == {name for name, tool in TOOLS.items() if tool.routed}


def test_anchors_exist_in_the_corpus():
    texts = [c.text for c in build_chunks(load_paths([DEFAULT_CORPUS]))]
    anchors = {a for c in load_cases() for a in c.expected_anchors}
    anchors |= {a for c in load_assistant_cases() for t in c.turns for a in t.expect.cited_anchors}
    for anchor in anchors:
        assert any(anchor in t for t in texts), anchor


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_published_schemas_match_the_models(name):
    published = json.loads((ROOT / "evals" / "schema" / f"{name}.schema.json").read_text("utf-8"))
    assert published == SCHEMAS[name].model_json_schema(), "run `partner-assistant eval schema`"


def test_cases_reject_unknown_fields(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "category": "faq", "language": "en", "question": "q",
                               "expected_anchors": [], "abstain": True, "split": "dev", "extra": 1}) + "\n")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_cases(bad)


def test_cases_reject_a_repeated_id(tmp_path):
    case = {"id": "r1", "category": "faq", "language": "en", "question": "q", "expected_anchors": [],
            "abstain": True, "split": "dev"}
    bad = tmp_path / "twice.jsonl"
    bad.write_text(json.dumps(case) + "\n" + json.dumps({**case, "question": "another"}) + "\n")
    with pytest.raises(ValueError, match="twice.jsonl:2: id 'r1' is already used on line 1"):
        load_cases(bad)
