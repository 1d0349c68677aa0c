"""Prometheus metrics. With several workers, PROMETHEUS_MULTIPROC_DIR makes /metrics aggregate them."""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

REQUESTS = Counter("partner_assistant_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("partner_assistant_request_seconds", "Request latency", ["route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
ANSWERS = Counter("partner_assistant_answers_total", "Answers served", ["abstained"])
TOOL_CALLS = Counter("partner_assistant_tool_calls_total", "Rules-engine tool calls", ["tool"])


def render() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def observe_answer(abstained: bool, tools: list[str]) -> None:
    ANSWERS.labels(abstained=str(abstained).lower()).inc()
    for tool in tools:
        TOOL_CALLS.labels(tool=tool).inc()
