"""What replaying the client-sent history costs (OpenAI-compatible chat derives the state that way).

For histories of 1 to 20 user turns, the median time of ``answer_history`` (replay the earlier turns in
memory, answer the last, record it) against one turn on a stored session (``Assistant.answer``).

    python bench/history_bench.py [--repeat 15]    -> prints and writes bench/results/history.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import Assistant, Settings  # noqa: E402
from assistant.conversation import answer_history  # noqa: E402

NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
# A conversation of follow-ups and topic changes (written for this bench, not taken from the eval sets).
TURNS = ["8月的伙伴账单什么时候生成?我在东京", "那9月的呢?", "Can several incentives go on one invoice?",
         "They were applied for in one batch.", "那10月的账单呢?", "Where do I find the partner bill?"]


def median_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "history.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bot = Assistant.from_settings(Settings(data_dir=Path(tmp)))
        bot.index.build()
        bot.warm_up()
        stored = median_ms(lambda: bot.answer(TURNS[1], "bench-stored", NOW), args.repeat)
        rows = []
        for n in (1, 2, 5, 10, 20):
            turns = [TURNS[i % len(TURNS)] for i in range(n)]
            ms = median_ms(lambda: answer_history(bot, turns, NOW, scope=["bench", str(n)]), args.repeat)
            rows.append({"user_turns": n, "median_ms": ms, "vs_stored_session": round(ms / stored, 2)})
    result = {"stored_session_turn_median_ms": stored, "replayed": rows}
    print(json.dumps(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
