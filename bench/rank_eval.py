"""Ranking alone, per language: hit@1 / hit@3 / MRR of the evidence stage's order for answerable questions.

The end-to-end runner (`partner-assistant eval run`) also answers, quotes and calibrates; this measures only
the order the assistant ranks evidence in (``gather_evidence``'s reranked hits, as the runner's hit@k does), so
a ranking change can be measured on the three corpora in minutes:

- ``extended``: bundled + ``evals/corpus_extended``, questions ``extended_retrieval.jsonl``;
- ``bundled``: the bundled corpus, questions ``retrieval.jsonl``;
- ``ecs``: bundled + a folder of Markdown/HTML pages given with ``--extra`` (for example the ECS user guide
  exported from the public huaweicloudDocs/ecs repository), questions ``retrieval.jsonl``.

    python bench/rank_eval.py --corpus extended --split dev [--misses FILE]
    python bench/rank_eval.py --corpus ecs --extra /tmp/ecs/cn.zh-cn --split dev

``--misses`` writes the dev questions whose expected passage is not first (dev only: held-out questions are
measured, never read one by one).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import Assistant  # noqa: E402
from assistant.evidence import gather_evidence  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from evals.cases import load_cases, load_extended_cases  # noqa: E402
from evals.runner import extended_corpus  # noqa: E402
from knowledge import DEFAULT_CORPUS  # noqa: E402


def _paths(corpus: str, extra: list[Path]) -> list[Path]:
    paths = [DEFAULT_CORPUS] + (extended_corpus() if corpus == "extended" else [])
    for item in extra:
        paths += sorted(item.rglob("*.md")) + sorted(item.rglob("*.html")) if item.is_dir() else [item]
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=("extended", "bundled", "ecs"), default="extended")
    parser.add_argument("--split", choices=("dev", "held-out"), default="dev")
    parser.add_argument("--extra", type=Path, nargs="*", default=[])
    parser.add_argument("--embedder", default="use")
    parser.add_argument("--mode", default="hybrid")
    parser.add_argument("--misses", type=Path, default=None, help="write the dev questions not ranked first")
    parser.add_argument("--json", type=Path, default=None, help="append the numbers as one JSON line")
    args = parser.parse_args()
    if args.misses and args.split != "dev":
        parser.error("--misses reads questions one by one: dev split only")
    if args.corpus == "ecs" and not args.extra:
        parser.error("--corpus ecs needs --extra FOLDER")

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), embedder=args.embedder, retrieval_mode=args.mode)
        bot = Assistant.from_settings(settings)
        started = time.perf_counter()
        report = bot.index.build(_paths(args.corpus, [] if args.corpus != "ecs" else args.extra))
        build_s = time.perf_counter() - started
        cases = load_extended_cases(split=args.split) if args.corpus == "extended" else load_cases(split=args.split)
        cases = [c for c in cases if not c.abstain and c.expected_anchors]
        ranks: dict[str, list[int | None]] = defaultdict(list)
        misses = []
        started = time.perf_counter()
        for case in cases:
            evidence = gather_evidence(case.question, language="en" if case.language == "en" else "zh",
                                       retriever=bot.retriever)
            hits = evidence.search.hits if evidence.search else []
            rank = next((h.rank for h in hits if any(a in h.chunk.text for a in case.expected_anchors)), None)
            ranks["all"].append(rank)
            ranks[case.language].append(rank)
            if rank != 1:
                misses.append({"id": case.id, "language": case.language, "question": case.question, "rank": rank,
                               "first": (hits[0].chunk.title + " | " + hits[0].chunk.text[:80]) if hits else None,
                               "first_source": hits[0].chunk.source if hits else None})
        ask_ms = (time.perf_counter() - started) * 1000 / max(len(cases), 1)
    row = {"corpus": args.corpus, "split": args.split, "chunks": report.manifest.chunk_count,
           "build_s": round(build_s, 1), "ms_per_question": round(ask_ms, 1)}
    for group in ("all", "zh-Hans", "zh-Hant", "en"):
        got = ranks.get(group)
        if not got:
            continue
        n = len(got)
        row[group] = {"n": n, "hit@1": round(sum(r == 1 for r in got) / n, 3),
                      "hit@3": round(sum(r is not None and r <= 3 for r in got) / n, 3),
                      "mrr": round(sum(1 / r for r in got if r) / n, 3)}
    print(json.dumps(row, ensure_ascii=False))
    if args.json:
        with args.json.open("a", encoding="utf-8") as out:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.misses:
        args.misses.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in misses), "utf-8")


if __name__ == "__main__":
    main()
