"""Why questions fail, by kind and language: the diagnosis behind the evidence stage's changes.

Indexes the bundled corpus plus an optional extra corpus into a data folder of its own, refits the
answerability model for it (as `index build` does), then asks every question of one split and sorts each
failure into one kind:

- ``false_refusal``: an answerable question was refused;
- ``answered_must_abstain``: a must-abstain question was answered;
- ``wrong_rank1``: answered, but the passage ranked first is not an expected one;
- ``quote_misses_fact``: right passage, but no quote holds the asked fact (``expected_fact``).

Prints counts and rates per language (and the calibration and vocabulary-rule decision). ``--cases FILE``
writes one line per question for reading dev failures; it refuses the held-out split, whose questions are
measured, never read one by one.

    python bench/evidence_failures.py --dataset extended [--split dev] [--data-dir DIR]
    python bench/evidence_failures.py --dataset bundled --extra DIR_OR_FILES... [--split held-out]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import Assistant  # noqa: E402
from assistant.evidence import gather_evidence  # noqa: E402
from assistant.evidence.refit import calibrate_index  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from evals.cases import load_cases, load_extended_cases  # noqa: E402
from evals.runner import _fold, extended_corpus  # noqa: E402
from knowledge import DEFAULT_CORPUS  # noqa: E402

KINDS = ("ok", "false_refusal", "answered_must_abstain", "wrong_rank1", "quote_misses_fact")


def _paths(dataset: str, extra: list[Path]) -> list[Path]:
    paths = [DEFAULT_CORPUS] + (extended_corpus() if dataset == "extended" else [])
    for item in extra:
        paths += sorted(item.rglob("*.md")) + sorted(item.rglob("*.html")) if item.is_dir() else [item]
    return paths


def kind_of(case, answer, rank: int | None) -> str:
    if case.abstain:
        return "ok" if answer.abstained else "answered_must_abstain"
    if answer.abstained:
        return "false_refusal"
    if case.expected_anchors and rank != 1:
        return "wrong_rank1"
    if case.expected_fact and not any(_fold(case.expected_fact) in _fold(c.quote) for c in answer.citations):
        return "quote_misses_fact"
    return "ok"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=("extended", "bundled"), default="extended")
    parser.add_argument("--split", choices=("dev", "held-out"), default="dev")
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="more documents to index (folders: .md/.html)")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument("--embedder", default="use")
    parser.add_argument("--cases", type=Path, default=None, help="write one JSON line per question (dev only)")
    args = parser.parse_args()
    if args.cases and args.split != "dev":
        parser.error("--cases reads questions one by one: dev split only")

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=args.data_dir or Path(tmp), embedder=args.embedder)
        bot = Assistant.from_settings(settings)
        bot.index.build(_paths(args.dataset, args.extra))
        calibration = calibrate_index(bot.retriever)
        cases = load_extended_cases(split=args.split) if args.dataset == "extended" else load_cases(split=args.split)
        counts: dict[str, Counter] = defaultdict(Counter)
        rows = []
        for case in cases:
            evidence = gather_evidence(case.question, language="en" if case.language == "en" else "zh",
                                       retriever=bot.retriever)
            answer = bot.answer(case.question)
            hits = evidence.search.hits if evidence.search else []
            rank = next((h.rank for h in hits if any(a in h.chunk.text for a in case.expected_anchors)), None)
            kind = kind_of(case, answer, rank)
            for group in ("all", case.language):
                counts[group][kind] += 1
                counts[group]["answerable" if not case.abstain else "must_abstain"] += 1
            rows.append({"id": case.id, "language": case.language, "question": case.question, "kind": kind,
                         "rank": rank, "reason": evidence.reason,
                         "support_probability": round(evidence.support_probability, 3),
                         "quote": answer.citations[0].quote if answer.citations else None})
    if calibration is not None:
        print(f"calibration: {calibration.questions} questions, ECE {calibration.ece}, threshold "
              f"{calibration.threshold:.3f}, dev {calibration.operating_point}; out of fold ECE {calibration.cv_ece}, "
              f"{calibration.cv_operating_point}; vocabulary rule "
              f"{'kept' if calibration.vocabulary_veto else 'dropped'} {calibration.veto_counts}")
    for group in ("all", "zh-Hans", "zh-Hant", "en"):
        c = counts.get(group)
        if not c:
            continue
        answerable, refusable = c["answerable"] or 1, c["must_abstain"] or 1
        print(f"{group}: " + ", ".join(f"{k} {c[k]}" for k in KINDS)
              + f" | false abstention {c['false_refusal'] / answerable:.3f}, "
              f"correct abstention {1 - c['answered_must_abstain'] / refusable:.3f}")
    if args.cases:
        args.cases.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


if __name__ == "__main__":
    main()
