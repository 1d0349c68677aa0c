"""Recognition of duration rules on the labelled sample (evals/datasets/duration_sentences.jsonl).

Sentence level: a rule sentence is recognised when the parser returns a rule with the labelled amount,
unit and direction (and an event that overlaps the labelled one); precision counts every sentence where the
parser returned a rule. Prints per split and writes bench/results/duration_recognition.json.

    python bench/duration_recognition.py [--split dev|held-out] [--show]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evals.cases import load_duration_sentences
from tools.durations import parse_sentence


def _event_ok(expected: str | None, got: str | None) -> bool:
    if expected is None:
        return got is None
    return bool(got) and (expected.lower() in got.lower() or (len(got) >= 2 and got.lower() in expected.lower()))


def measure(split: str | None, show: bool = False) -> dict:
    cases = load_duration_sentences(split=split)
    tp = fp = fn = typed_ok = event_ok = 0
    for case in cases:
        rules = parse_sentence(case.sentence)
        exp = case.expected
        if case.is_rule:
            match = [r for r in rules if (r.amount, r.unit, r.direction) == (exp.amount, exp.unit, exp.direction)]
            if match:
                tp += 1
                typed_ok += 1
                event_ok += any(_event_ok(exp.event, r.event) for r in match)
                if show and not any(_event_ok(exp.event, r.event) for r in match):
                    print("EVENT", case.id, case.sentence, exp.event, "|", [r.event for r in match])
            elif rules:
                fp += 1  # found something, but not the labelled rule
                fn += 1
                if show:
                    print("WRONG", case.id, case.sentence, exp.model_dump(), [(r.amount, r.unit, r.direction) for r in rules])
            else:
                fn += 1
                if show:
                    print("MISS ", case.id, case.sentence, exp.model_dump())
        elif rules:
            fp += 1
            if show:
                print("FALSE", case.id, case.sentence, [(r.amount, r.unit, r.direction, r.event) for r in rules])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"split": split or "all", "sentences": len(cases), "rules": sum(c.is_rule for c in cases),
            "true_positive": tp, "false_positive": fp, "false_negative": fn,
            "precision": round(precision, 3), "recall": round(recall, 3),
            "event_overlap_among_recognised": round(event_ok / tp, 3) if tp else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default=None)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    result = measure(args.split, args.show)
    print(json.dumps(result, indent=1))
    out = Path(__file__).parent / "results" / f"duration_recognition_{result['split']}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
