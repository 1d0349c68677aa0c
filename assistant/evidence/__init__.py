"""The evidence stage: what the index offers for a question, and whether it supports an answer.

One call per question::

    evidence = gather_evidence(text, language="zh", retriever=retriever, understood=spans)
    if not evidence.supported:
        ...  # abstain; evidence.reason says why, evidence.missing_kind which asked fact is absent
    best = evidence.best            # Passage: chunk, quote (exact slice of chunk.text), truncated, language
    evidence.rule_ids               # tools.RULES ids stated by the supporting passages
    evidence.best.rule_ids          # ... by the best passage, supporting or not

``knowledge/`` stays documents in, ranked passages out; everything that knows about questions
(the asked kind of answer, support, abstention, which sentence to quote) lives here.

Contract for callers (plan, compose):
- ``passages`` are best first (the answer-kind rerank applied), each with its ``sentences`` scored by
  the IDF-weighted share of the question's key terms they hold; a sentence that asks is never evidence,
  so an FAQ excerpt that only lists questions never ``supports``.
- ``supported`` / ``reason`` / ``missing_kind`` decide abstention; ``support_probability`` is the
  calibrated estimate (0..1) behind ``supported``.
- A tool should run only when one of its rules is in ``rule_ids`` (the supporting evidence); a tool
  that lacks a detail may ask its follow-up when its rule is in ``best.rule_ids``.
- Quote ``passage.quote`` verbatim in ``passage.language``; when ``passage.truncated`` say the excerpt is
  incomplete.
"""

from .gather import calibrate, gather_evidence
from .model import AnswerKind, Evidence, Passage, Reason, Sentence
from .support import DEFAULT_POLICY, SupportPolicy

__all__ = ["DEFAULT_POLICY", "AnswerKind", "Evidence", "Passage", "Reason", "Sentence", "SupportPolicy",
           "calibrate", "gather_evidence"]
