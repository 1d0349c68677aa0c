"""Exact dates on the duration questions (evals/datasets/duration_questions.jsonl) over the extended corpus.

For each question: retrieve (hybrid, top 5) from an index of evals/corpus_extended, pick the duration rule
the question is about (knowledge.durations.best_duration_rule), run duration_deadline with the case's event
time, and compare with the expected date. Also reports the same with the right sentence given (parsing and
computing only). Writes bench/results/duration_questions.json.

    python bench/duration_questions.py [--data-dir DIR] [--embedder use] [--split dev|held-out] [--show]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from evals.cases import load_duration_questions
from knowledge import KnowledgeIndex, Retriever, make_client, make_embedder
from knowledge.documents import Chunk
from knowledge.durations import best_duration_rule
from tools import ToolInputError, run_tool

ROOT = Path(__file__).parents[1]


def _answer(rule, case) -> str | None:
    if rule is None:
        return None
    try:
        out = run_tool("duration_deadline", {
            "amount": rule.amount, "unit": rule.unit, "direction": rule.direction, "event": rule.event,
            "event_time": case.event_time.isoformat(), "sentence": rule.sentence})
    except ToolInputError:
        return None
    if out.result_time is not None:
        return out.result_time.strftime("%Y-%m-%dT%H:%M+08:00")
    return out.result_date.isoformat()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--embedder", default="use")
    parser.add_argument("--split", default=None)
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--assistant", action="store_true",
                        help="also ask the assistant (slot reading included; now = the day before the event)")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp())
    index = KnowledgeIndex(make_client(data_dir), make_embedder(args.embedder))
    index.build(sorted((ROOT / "evals" / "corpus_extended").glob("*_*")))
    retriever = Retriever(index)
    cases = load_duration_questions(split=args.split)
    end_to_end = given_sentence = right_sentence = 0
    for case in cases:
        hits = retriever.search(case.question, k=5).hits
        rule = best_duration_rule(case.question, [h.chunk for h in hits])
        got = _answer(rule, case)
        end_to_end += got == case.expected
        right_sentence += bool(rule and (case.rule_sentence in rule.sentence or rule.sentence in case.rule_sentence))
        own = Chunk(id="given", text=case.rule_sentence, origins=["case"], title="")
        given_rule = best_duration_rule(case.question, [own])
        given_sentence += _answer(given_rule, case) == case.expected
        if args.show and got != case.expected:
            print(case.id, case.question, "| expected", case.expected, "| got", got, "|",
                  rule and (rule.amount, rule.unit, rule.direction, rule.sentence[:60]), file=sys.stderr)
    asked = 0
    if args.assistant:
        from datetime import timedelta

        from assistant import Assistant, Settings

        bot = Assistant.from_settings(Settings(data_dir=data_dir, embedder=args.embedder))
        for case in cases:
            answer = bot.answer(case.question, now=case.event_time - timedelta(days=1))
            calls = [c for c in answer.tool_calls if c.name == "duration_deadline"]
            got = None
            if calls:
                result_time = calls[0].result.get("result_time")
                got = result_time[:16] + "+08:00" if result_time and "T" in case.expected else \
                    calls[0].result["result_date"]
            asked += got == case.expected
            if args.show and got != case.expected:
                print("ASSISTANT", case.id, case.question, "| expected", case.expected, "| got", got,
                      "|", answer.answer[:80].replace("\n", " "), file=sys.stderr)
    n = len(cases)
    result = {"split": args.split or "all", "questions": n, "exact_end_to_end": round(end_to_end / n, 3),
              "exact_end_to_end_count": end_to_end, "rule_sentence_found": round(right_sentence / n, 3),
              "exact_given_the_sentence": round(given_sentence / n, 3), "embedder": args.embedder}
    if args.assistant:
        result["exact_through_the_assistant"] = round(asked / n, 3)
        result["exact_through_the_assistant_count"] = asked
    print(json.dumps(result, indent=1))
    out = ROOT / "bench" / "results" / f"duration_questions_{result['split']}.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
