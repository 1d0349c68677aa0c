"""Readable reports (JSON, Markdown, HTML) and case-by-case comparison of two runs."""

from __future__ import annotations

import html
import json
from pathlib import Path

from .runner import EvalReport

_HEADLINE = ("retrieval.hit@1", "retrieval.hit@3", "retrieval.mrr", "retrieval.ndcg@5", "retrieval.citation_precision",
             "retrieval.citation_recall", "assistant.tool_selection", "assistant.tool_arguments",
             "assistant.tool_result", "assistant.multi_turn_completion", "assistant.follow_up",
             "assistant.citation_validity", "triage.triage_category", "abstention_precision", "abstention_recall",
             "latency_p50_ms", "latency_p95_ms", "errors")


def write(report: EvalReport, folder: Path, problems: list[str] | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "report.json", folder / "report.md", folder / "report.html"]
    paths[0].write_text(report.model_dump_json(indent=2), encoding="utf-8")
    paths[1].write_text(markdown(report, problems or []), encoding="utf-8")
    paths[2].write_text(to_html(report, problems or []), encoding="utf-8")
    return paths


def _groups_table(groups: dict[str, dict[str, float]], columns: list[str]) -> list[str]:
    lines = ["| group | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for name, metrics in groups.items():
        cells = [f"{metrics[c]:.2f}" if c in metrics else "" for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _group_columns(groups: dict[str, dict[str, float]]) -> list[str]:
    wanted = [m for m in _HEADLINE if any(m in g for g in groups.values()) and not m.startswith("latency")]
    return wanted + [m for m in ("retrieval.case_pass", "assistant.case_pass", "triage.case_pass")
                     if any(m in g for g in groups.values())]


def markdown(report: EvalReport, problems: list[str]) -> str:
    lines = [f"# Eval report ({report.split or 'all splits'})", "",
             f"config: `{json.dumps(report.config)}` - {report.created_at}", ""]
    lines += ["## Gate", ""] + ([f"- FAIL: {p}" for p in problems] or ["- pass"]) + [""]
    lines += ["## Metrics", "", "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(report.metrics.items())]
    lines += ["", "## By category", ""] + _groups_table(report.by_category, _group_columns(report.by_category))
    lines += ["", "## By language", ""] + _groups_table(report.by_language, _group_columns(report.by_language))
    failing = [o for o in report.cases if not o.passed]
    lines += ["", f"## Failing cases ({len(failing)})", ""]
    for o in failing:
        failed = [k for k, v in o.checks.items() if v < 1.0]
        lines.append(f"- **{o.dataset}/{o.id}** ({o.category}, {o.language}) failed {failed or o.error}")
        lines.append(f"  - expected: `{json.dumps(o.expected, ensure_ascii=False)[:400]}`")
        for answer in o.answers:
            lines.append(f"  - answer: {answer[:300]!r}")
    return "\n".join(lines) + "\n"


def _histogram(values: list[float], bins: int = 12) -> str:
    if not values:
        return "<p>no latencies</p>"
    top = max(values) or 1.0
    width = top / bins
    counts = [0] * bins
    for v in values:
        counts[min(int(v / width), bins - 1)] += 1
    peak = max(counts) or 1
    bars = "".join(
        f'<rect x="{i * 40}" y="{150 - 140 * c / peak:.1f}" width="36" height="{140 * c / peak:.1f}" fill="#4a7"/>'
        f'<text x="{i * 40 + 2}" y="165" font-size="9">{i * width:.0f}</text>'
        f'<text x="{i * 40 + 8}" y="{146 - 140 * c / peak:.1f}" font-size="9">{c}</text>'
        for i, c in enumerate(counts))
    return f'<svg width="{bins * 40}" height="170" role="img" aria-label="latency histogram in ms">{bars}</svg>'


def to_html(report: EvalReport, problems: list[str]) -> str:
    esc = html.escape

    def table(groups: dict[str, dict[str, float]]) -> str:
        columns = _group_columns(groups)
        head = "".join(f"<th>{esc(c)}</th>" for c in columns)
        rows = "".join("<tr><th>" + esc(name) + "</th>" + "".join(
            f"<td>{m[c]:.2f}</td>" if c in m else "<td></td>" for c in columns) + "</tr>" for name, m in groups.items())
        return f"<table><tr><th>group</th>{head}</tr>{rows}</table>"

    metrics = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in sorted(report.metrics.items()))
    failing = "".join(
        f"<details><summary>{esc(o.dataset)}/{esc(o.id)} - {esc(str([k for k, v in o.checks.items() if v < 1] or o.error))}"
        f"</summary><p><b>expected</b> <code>{esc(json.dumps(o.expected, ensure_ascii=False))}</code></p>"
        + "".join(f"<pre>{esc(a)}</pre>" for a in o.answers) + "</details>"
        for o in report.cases if not o.passed)
    gate = "".join(f"<li>{esc(p)}</li>" for p in problems) or "<li>pass</li>"
    latencies = [x for o in report.cases for x in o.latency_ms]
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Eval report</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;
padding:3px 6px;text-align:right}}pre{{white-space:pre-wrap;background:#f6f6f6;padding:6px}}</style></head><body>
<h1>Eval report ({esc(report.split or 'all splits')})</h1><p>{esc(json.dumps(report.config))} - {esc(report.created_at)}</p>
<h2>Gate</h2><ul>{gate}</ul><h2>Metrics</h2><table>{metrics}</table>
<h2>By category</h2>{table(report.by_category)}<h2>By language</h2>{table(report.by_language)}
<h2>Latency (ms)</h2>{_histogram(latencies)}<h2>Failing cases</h2>{failing or '<p>none</p>'}</body></html>"""


def compare(a: EvalReport, b: EvalReport) -> list[str]:
    """What changed from run ``a`` to run ``b``: metrics, then case by case."""
    lines = []
    for name in sorted(set(a.metrics) | set(b.metrics)):
        before, after = a.metrics.get(name), b.metrics.get(name)
        if before != after:
            lines.append(f"metric {name}: {before} -> {after}")
    old = {(o.dataset, o.id): o for o in a.cases}
    new = {(o.dataset, o.id): o for o in b.cases}
    for key in sorted(set(old) | set(new)):
        if key not in old:
            lines.append(f"case {key[0]}/{key[1]}: new ({'pass' if new[key].passed else 'FAIL'})")
        elif key not in new:
            lines.append(f"case {key[0]}/{key[1]}: removed")
        elif old[key].passed != new[key].passed:
            verb = "now passes" if new[key].passed else "now FAILS"
            changed = [k for k in set(old[key].checks) | set(new[key].checks)
                       if old[key].checks.get(k) != new[key].checks.get(k)]
            lines.append(f"case {key[0]}/{key[1]}: {verb} ({', '.join(sorted(changed))})")
    return lines or ["no differences"]
