"""Which development questions calibrate an index, and the fit itself (run at every index build).

The evidence stage's answerability model is refitted for each index on the dev questions written for
the corpus it holds: the extended questions when the extended corpus is indexed (their anchors are
found), else the bundled questions when the bundled corpus is. Held-out questions are never used.
"""

from __future__ import annotations

from assistant.evidence import calibrate
from assistant.evidence.calibration import Calibration, store
from knowledge import KnowledgeIndex, Retriever

from .cases import RetrievalCase, load_cases, load_extended_cases

COVERED_SHARE = 0.8  # a question set fits an index when this share of its answerable anchors is indexed


def _covered(index: KnowledgeIndex, cases: list[RetrievalCase]) -> bool:
    anchored = [c for c in cases if not c.abstain and c.expected_anchors]
    if not anchored:
        return False
    found = sum(any(index.chunks_stating(a) for a in c.expected_anchors) for c in anchored)
    return found >= COVERED_SHARE * len(anchored)


def calibration_questions(index: KnowledgeIndex) -> list[tuple[str, bool]]:
    """(question, answerable) pairs for this index; empty when no question set fits it."""
    for cases in (load_extended_cases(split="dev"), load_cases(split="dev")):
        if _covered(index, cases):
            return [(c.question, not c.abstain) for c in cases]
    return []


def calibrate_index(retriever: Retriever) -> Calibration | None:
    """Fit and store the calibration for the retriever's active index; None when no question set fits."""
    questions = calibration_questions(retriever.index)
    if not questions:
        return None
    calibration = calibrate(retriever, questions)
    store(retriever.index, calibration)
    return calibration
