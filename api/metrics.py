"""Prometheus metrics. With several workers, PROMETHEUS_MULTIPROC_DIR makes /metrics aggregate them."""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

REQUESTS = Counter("partner_assistant_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("partner_assistant_request_seconds", "Request latency", ["route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
ANSWERS = Counter("partner_assistant_answers_total", "Answers served", ["abstained"])
TOOL_CALLS = Counter("partner_assistant_tool_calls_total", "Rules-engine tool calls", ["tool"])

_children: dict[tuple[Any, tuple[str, ...]], Any] = {}


def child(metric: Any, *values: str) -> Any:
    """``metric.labels(*values)``, looked up once per label values: the library's lookup (string conversion,
    a lock, a dict) ran three to five times per request on the event loop. prometheus_client keeps each
    labelled child for the process's lifetime anyway, so this keeps nothing it would not."""
    key = (metric, values)
    found = _children.get(key)
    if found is None:
        found = _children[key] = metric.labels(*values)
    return found


def render() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def observe_answer(abstained: bool, tools: list[str]) -> None:
    child(ANSWERS, "true" if abstained else "false").inc()
    for tool in tools:
        child(TOOL_CALLS, tool).inc()
