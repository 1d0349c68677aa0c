"""The regression gate: a report against a stored baseline, metric by metric, with tolerances."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .runner import EvalReport

# Metrics where lower is better; everything else must not fall.
LOWER_IS_BETTER = {"latency_p50_ms", "latency_p95_ms", "errors", "retrieval.false_abstention",
                   "dialogues.switch_reruns", "dialogues.unneeded_follow_up", "assistant.switch_reruns",
                   "assistant.unneeded_follow_up"}
# Latency depends on the machine; it is reported, not gated.
NOT_GATED = {"latency_p50_ms", "latency_p95_ms"}


class BaselineMetric(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float
    tolerance: float = Field(ge=0)


class Baseline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="Why the baseline last changed (also said in its commit)")
    split: str | None
    metrics: dict[str, BaselineMetric]


def load_baseline(path: Path) -> Baseline:
    return Baseline.model_validate(json.loads(path.read_text("utf-8")))


def baseline_from(report: EvalReport, reason: str, tolerance: float = 0.02) -> Baseline:
    metrics = {name: BaselineMetric(value=value, tolerance=0.0 if name == "errors" else tolerance)
               for name, value in report.metrics.items()
               if name not in NOT_GATED and not name.endswith(".cases")}
    return Baseline(reason=reason, split=report.split, metrics=metrics)


def check(report: EvalReport, baseline: Baseline) -> list[str]:
    """Regressions, as sentences; empty when the gate passes."""
    problems = []
    for name, expected in baseline.metrics.items():
        if name in NOT_GATED:
            continue
        actual = report.metrics.get(name)
        if actual is None:
            problems.append(f"{name}: missing from the report (baseline {expected.value})")
        elif name in LOWER_IS_BETTER:
            if actual > expected.value + expected.tolerance:
                problems.append(f"{name}: {actual} is above the baseline {expected.value} (+{expected.tolerance})")
        elif actual < expected.value - expected.tolerance:
            problems.append(f"{name}: {actual} is below the baseline {expected.value} (-{expected.tolerance})")
    if report.split == "held-out":
        wrong = [o.id for o in report.cases if o.dataset == "assistant" and o.checks.get("tool_result", 1.0) < 1.0]
        reruns = sum(o.checks.get("switch_reruns", 0.0) for o in report.cases)
        if reruns:
            problems.append(f"{int(reruns)} topic switch(es) re-ran an earlier tool (must be 0)")
        if wrong:
            problems.append(f"held-out tool results wrong in {', '.join(wrong)} (must be exact)")
    return problems
