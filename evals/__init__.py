"""Regression evals: typed datasets, a runner over the public interfaces, metrics, the baseline gate, reports."""

from .cases import AssistantCase, RetrievalCase, TriageEvalCase, load_assistant_cases, load_cases, load_triage_cases
from .gate import Baseline, check, load_baseline
from .runner import EvalReport, run

__all__ = ["AssistantCase", "Baseline", "EvalReport", "RetrievalCase", "TriageEvalCase", "check",
           "load_assistant_cases", "load_baseline", "load_cases", "load_triage_cases", "run"]
