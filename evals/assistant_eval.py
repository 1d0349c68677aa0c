"""Assistant metrics: tool selection, arguments and results, follow-ups, multi-turn, abstention."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from assistant import Answer, Assistant

from .cases import AssistantCase, ExpectedCall, Turn


def _dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, list):
            data = data[int(part)] if part.isdigit() and int(part) < len(data) else None
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


@dataclass
class TurnResult:
    case_id: str
    turn: int
    message: str
    answer: str
    checks: dict[str, bool]
    latency_ms: float
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(self.checks.values())


@dataclass
class AssistantReport:
    metrics: dict[str, float]
    by_category: dict[str, dict[str, float]] = field(default_factory=dict)
    by_language: dict[str, dict[str, float]] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    turns: list[TurnResult] = field(default_factory=list)


def _check_turn(turn: Turn, answer: Answer) -> dict[str, bool]:
    expect = turn.expect
    checks: dict[str, bool] = {}
    calls = answer.tool_calls
    if expect.tools is not None:
        checks["tool_selection"] = sorted(c.name for c in calls) == sorted(e.name for e in expect.tools)
        if checks["tool_selection"] and expect.tools:
            by_name = {c.name: c for c in calls}
            checks["tool_arguments"] = all(_args_match(e, by_name[e.name].arguments) for e in expect.tools)
            checks["tool_result"] = all(_dig(by_name[e.name].result, k) == v
                                        for e in expect.tools for k, v in e.result.items())
    if expect.abstain is not None:
        checks["abstention"] = answer.abstained == expect.abstain
    if expect.follow_up is not None:
        checks["follow_up"] = (answer.follow_up is not None) == expect.follow_up
    if expect.must_contain or expect.must_not_contain:
        checks["must"] = all(p in answer.answer for p in expect.must_contain) and \
            not any(p in answer.answer for p in expect.must_not_contain)
    if expect.cited_anchors:
        checks["citations"] = all(any(a in c.text for c in answer.citations) for a in expect.cited_anchors)
    return checks


def _args_match(expected: ExpectedCall, actual: dict[str, Any]) -> bool:
    if expected.arguments is None:
        return True
    return {k: v for k, v in actual.items() if k != "now"} == expected.arguments


def run_case(assistant: Assistant, case: AssistantCase) -> list[TurnResult]:
    session = f"eval-{case.id}-{uuid.uuid4().hex[:8]}"
    results = []
    for number, turn in enumerate(case.turns, start=1):
        started = time.perf_counter()
        try:
            answer = assistant.answer(turn.message, session_id=session, now=case.now)
        except Exception as exc:  # an eval records every failure, including the assistant's own bugs
            results.append(TurnResult(case.id, number, turn.message, "", {}, 0.0, error=f"{type(exc).__name__}: {exc}"))
            continue
        latency = (time.perf_counter() - started) * 1000
        results.append(TurnResult(case.id, number, turn.message, answer.answer, _check_turn(turn, answer), latency))
    return results


def _rate(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarize(cases: list[AssistantCase], results: dict[str, list[TurnResult]]) -> dict[str, float]:
    turns = [t for c in cases for t in results[c.id]]
    metrics: dict[str, float | None] = {"cases": len(cases), "turns": len(turns)}
    for check in ("tool_selection", "tool_arguments", "tool_result", "abstention", "follow_up", "must", "citations"):
        metrics[check] = _rate([t.checks[check] for t in turns if check in t.checks])
    multi = [c for c in cases if c.category == "multi_turn"]
    metrics["multi_turn_completion"] = _rate([all(t.passed for t in results[c.id]) for c in multi])
    metrics["case_pass"] = _rate([all(t.passed for t in results[c.id]) for c in cases])
    metrics["errors"] = sum(1 for t in turns if t.error)
    latencies = sorted(t.latency_ms for t in turns if not t.error)
    if latencies:
        metrics["latency_p50_ms"] = round(latencies[len(latencies) // 2], 2)
        metrics["latency_p95_ms"] = round(latencies[min(len(latencies) - 1, int(0.95 * (len(latencies) - 1)))], 2)
    return {k: v for k, v in metrics.items() if v is not None}


def evaluate(assistant: Assistant, cases: list[AssistantCase]) -> AssistantReport:
    results = {c.id: run_case(assistant, c) for c in cases}
    by_cat: dict[str, list[AssistantCase]] = defaultdict(list)
    by_lang: dict[str, list[AssistantCase]] = defaultdict(list)
    for case in cases:
        by_cat[case.category].append(case)
        by_lang[case.language].append(case)
    failures = [{"id": t.case_id, "turn": t.turn, "message": t.message, "answer": t.answer, "error": t.error,
                 "failed_checks": [k for k, v in t.checks.items() if not v]}
                for c in cases for t in results[c.id] if not t.passed]
    return AssistantReport(metrics=summarize(cases, results),
                           by_category={k: summarize(v, results) for k, v in sorted(by_cat.items())},
                           by_language={k: summarize(v, results) for k, v in sorted(by_lang.items())},
                           failures=failures, turns=[t for c in cases for t in results[c.id]])
