"""In-process `ask` latency over the eval questions (default embedder, embedded index, SQLite sessions).

    python bench/ask_bench.py [--rounds 5]      -> prints and writes bench/results/ask.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import Assistant, Settings  # noqa: E402
from assistant.asks import message_asks, names_topic  # noqa: E402
from evals.cases import load_assistant_cases, load_cases, load_dialogue_cases  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "ask.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        assistant = Assistant.from_settings(Settings(data_dir=Path(tmp)))
        assistant.index.build()
        assistant.warm_up()
        questions = [c.question for c in load_cases()]
        dialogues = load_assistant_cases()
        latencies: list[float] = []
        several: list[float] = []  # messages with two or more asks (each answered): reported apart

        def asks(message: str) -> int:
            return len(message_asks(message, lambda s: names_topic(assistant.router, s))[0])

        # the dev dialogues' first turns with several asks, measured apart (the median above keeps its set)
        multi = [(c.turns[0].message, c.now) for c in load_dialogue_cases(split="dev") if asks(c.turns[0].message) > 1]
        for round_ in range(args.rounds):
            for message, now in multi:
                started = time.perf_counter()
                assistant.answer(message, now=now)
                several.append((time.perf_counter() - started) * 1000)
            for question in questions:
                started = time.perf_counter()
                assistant.answer(question)
                (several if asks(question) > 1 else latencies).append((time.perf_counter() - started) * 1000)
            for case in dialogues:
                session = f"bench-{round_}-{case.id}"
                for turn in case.turns:
                    started = time.perf_counter()
                    assistant.answer(turn.message, session_id=session, now=case.now)
                    elapsed = (time.perf_counter() - started) * 1000
                    (several if asks(turn.message) > 1 else latencies).append(elapsed)
    latencies.sort()
    several.sort()
    row = {"asks": len(latencies), "median_ms": round(statistics.median(latencies), 2),
           "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2), "max_ms": round(latencies[-1], 2)}
    if several:
        row["several_asks"] = {"messages": len(several), "median_ms": round(statistics.median(several), 2),
                               "p95_ms": round(several[int(0.95 * (len(several) - 1))], 2)}
    print(json.dumps(row))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
