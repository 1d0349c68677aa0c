"""Retrieval and abstention metrics over the typed cases; deterministic."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from assistant import Assistant

from .cases import RetrievalCase


@dataclass
class CaseResult:
    case: RetrievalCase
    first_relevant_rank: int | None
    abstained: bool
    latency_ms: float


@dataclass
class Report:
    config: dict[str, str]
    split: str | None
    metrics: dict[str, float]
    by_category: dict[str, dict[str, float]] = field(default_factory=dict)
    by_language: dict[str, dict[str, float]] = field(default_factory=dict)
    failures: list[dict[str, object]] = field(default_factory=list)


def run_cases(assistant: Assistant, cases: list[RetrievalCase], k: int = 5) -> list[CaseResult]:
    out = []
    for case in cases:
        started = time.perf_counter()
        answer = assistant.answer(case.question)
        latency = (time.perf_counter() - started) * 1000
        rank = None
        if case.expected_anchors:
            hits = assistant.retriever.search(case.question, k=k).hits
            rank = next((h.rank for h in hits if any(a in h.chunk.text for a in case.expected_anchors)), None)
        out.append(CaseResult(case, rank, answer.abstained, latency))
    return out


def summarize(results: list[CaseResult]) -> dict[str, float]:
    answerable = [r for r in results if not r.case.abstain]
    unanswerable = [r for r in results if r.case.abstain]
    metrics: dict[str, float] = {"cases": float(len(results))}
    if answerable:
        def hit(k: int) -> float:
            return sum(1 for r in answerable if r.first_relevant_rank and r.first_relevant_rank <= k) / len(answerable)

        metrics.update({
            "hit@1": hit(1), "hit@3": hit(3), "hit@5": hit(5),
            "mrr": sum(1 / r.first_relevant_rank for r in answerable if r.first_relevant_rank) / len(answerable),
            # one relevant item per case (any anchor matches), so ideal DCG is 1
            "ndcg@5": sum(1 / math.log2(r.first_relevant_rank + 1) for r in answerable
                          if r.first_relevant_rank and r.first_relevant_rank <= 5) / len(answerable),
            "false_abstention": sum(r.abstained for r in answerable) / len(answerable),
        })
    if unanswerable:
        metrics["correct_abstention"] = sum(r.abstained for r in unanswerable) / len(unanswerable)
    latencies = sorted(r.latency_ms for r in results)
    if latencies:
        metrics["latency_p50_ms"] = latencies[len(latencies) // 2]
        metrics["latency_p95_ms"] = latencies[min(len(latencies) - 1, int(0.95 * (len(latencies) - 1)))]
    return {k: round(v, 4) for k, v in metrics.items()}


def evaluate(assistant: Assistant, cases: list[RetrievalCase], config: dict[str, str], split: str | None) -> Report:
    results = run_cases(assistant, cases)
    by_cat: dict[str, list[CaseResult]] = defaultdict(list)
    by_lang: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        by_cat[r.case.category].append(r)
        by_lang[r.case.language].append(r)
    failures = [
        {"id": r.case.id, "question": r.case.question, "expected_abstain": r.case.abstain, "abstained": r.abstained,
         "first_relevant_rank": r.first_relevant_rank}
        for r in results
        if r.abstained != r.case.abstain or (not r.case.abstain and r.first_relevant_rank != 1)
    ]
    return Report(config=config, split=split, metrics=summarize(results),
                  by_category={k: summarize(v) for k, v in sorted(by_cat.items())},
                  by_language={k: summarize(v) for k, v in sorted(by_lang.items())}, failures=failures)
