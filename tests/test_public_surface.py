"""Each package's exports are pinned, so the public surface cannot grow by accident."""

import importlib

import pytest

EXPECTED = {
    "tools": {"RULES", "TOOLS", "Rule", "Tool", "ToolError", "ToolInputError", "ToolOutput", "UnknownToolError",
              "get_tool", "run_tool"},
    "knowledge": {"DEFAULT_CORPUS", "BuildReport", "Chunk", "Embedder", "ErrorCode", "Excerpt", "HashEmbedder",
                  "IndexMismatchError", "IndexMissingError", "IngestError", "KnowledgeError", "KnowledgeIndex",
                  "Manifest", "QueryError", "Retriever", "SearchHit", "SearchResult", "make_client", "make_embedder"},
    "assistant": {"Answer", "Assistant", "Citation", "Settings", "ToolCall", "get_settings"},
    "assistant.evidence": {"DEFAULT_POLICY", "AnswerKind", "Evidence", "Passage", "Reason", "Sentence",
                           "SupportPolicy", "calibrate", "gather_evidence"},
    "evals": {"AssistantCase", "Baseline", "EvalReport", "RetrievalCase", "TriageEvalCase", "check",
              "load_assistant_cases", "load_baseline", "load_cases", "load_triage_cases", "run"},
    "api": {"create_app"},
}


@pytest.mark.parametrize("package", sorted(EXPECTED))
def test_exports_are_pinned(package):
    module = importlib.import_module(package)
    assert set(module.__all__) == EXPECTED[package]
    for name in module.__all__:
        assert getattr(module, name) is not None


# The command line's eval commands may use evals/; nothing on the serving path may.
SERVING_EXCEPTIONS = {"api/cli.py"}


def test_dependencies_point_one_way():
    """tools imports nothing of ours; knowledge nothing from assistant or api; the serving path nothing from evals."""
    import ast
    from pathlib import Path

    root = Path(__file__).parents[1]
    forbidden = {"tools": {"knowledge", "assistant", "api", "evals"}, "knowledge": {"assistant", "api", "evals"},
                 "assistant": {"api", "evals"}, "api": {"evals"}}
    for package, banned in forbidden.items():
        for path in (root / package).rglob("*.py"):
            if path.relative_to(root).as_posix() in SERVING_EXCEPTIONS:
                continue
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
                for name in names:
                    assert name.split(".")[0] not in banned, f"{path.relative_to(root)} imports {name}"


def test_serving_does_not_load_evals():
    """Building the app, including its re-index route's calibration refit, loads no evals module."""
    import subprocess
    import sys

    code = ("import sys, api.app, api.server, api.mcp, assistant.evidence.refit; "
            "from api.app import create_app; "
            "print(sorted(m for m in sys.modules if m == 'evals' or m.startswith('evals.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
