"""Refit the answerability model when an index is built: which development questions fit the index, and the fit.

This is the serving side of calibration (``index build``, ``POST /v1/admin/reindex``), so it must not import
``evals/``: the development questions are read as data, from JSONL files whose lines carry ``question``,
``abstain``, ``expected_anchors`` and ``split`` (the retrieval datasets' schema). Only ``split == "dev"``
lines are used; held-out questions are never read. The first question file whose answerable anchors the
index mostly states is the one that fits it (the extended questions when the extended corpus is indexed,
the bundled questions when the bundled corpus is).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge import KnowledgeIndex, Retriever

from .calibration import Calibration, store
from .gather import calibrate

COVERED_SHARE = 0.8  # a question set fits an index when this share of its answerable anchors is indexed
DEFAULT_QUESTION_FILES = ("extended_retrieval.jsonl", "retrieval.jsonl")  # tried in this order


@dataclass(frozen=True)
class DevQuestion:
    question: str
    answerable: bool
    anchors: tuple[str, ...]


def default_question_files() -> list[Path]:
    """The project's development question files, found beside the ``evals`` package without importing it
    (``find_spec`` locates a top-level package without running it); empty when it is not installed."""
    spec = importlib.util.find_spec("evals")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets"
    return [folder / name for name in DEFAULT_QUESTION_FILES if (folder / name).is_file()]


def read_dev_questions(path: Path) -> list[DevQuestion]:
    """The dev-split questions of one JSONL file; a malformed line names the file and line."""
    questions = []
    for number, line in enumerate(Path(path).read_text("utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if row.get("split") != "dev":
                continue
            questions.append(DevQuestion(str(row["question"]), not bool(row["abstain"]),
                                         tuple(row.get("expected_anchors") or ())))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a development question ({exc})") from exc
    return questions


def _covered(index: KnowledgeIndex, questions: list[DevQuestion]) -> bool:
    anchored = [q for q in questions if q.answerable and q.anchors]
    if not anchored:
        return False
    found = sum(any(index.chunks_stating(a) for a in q.anchors) for q in anchored)
    return found >= COVERED_SHARE * len(anchored)


def calibration_questions(index: KnowledgeIndex, question_files: Sequence[Path] | None = None) -> list[tuple[str, bool]]:
    """(question, answerable) pairs for this index from the first file that fits it; empty when none does."""
    for path in default_question_files() if question_files is None else question_files:
        questions = read_dev_questions(path)
        if _covered(index, questions):
            return [(q.question, q.answerable) for q in questions]
    return []


def calibrate_index(retriever: Retriever, question_files: Sequence[Path] | None = None) -> Calibration | None:
    """Fit and store the calibration for the retriever's active index; None when no question file fits."""
    questions = calibration_questions(retriever.index, question_files)
    if not questions:
        return None
    calibration = calibrate(retriever, questions)
    store(retriever.index, calibration)
    return calibration


__all__ = ["DevQuestion", "calibrate_index", "calibration_questions", "default_question_files", "read_dev_questions"]
