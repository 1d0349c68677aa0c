"""USE document throughput: in this process on 1 or 2 BLAS threads vs worker processes (``embed_batches``).

Each setting runs in a fresh process, in alternating rounds (the machine is shared: compare settings measured
in the same round), on the texts of synthetic chunks (as ``search_bench.py`` builds them), 256 texts a batch
like an index build. Prints one JSON row per run with docs/s, the CPU seconds of the measuring process and of
its workers, and the load average; writes bench/results/encoder_pool.json.

    python bench/encoder_pool_bench.py [--texts 3000] [--rounds 2] [--settings workers process-1-thread]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from isolated import run_one  # noqa: E402

SETTINGS = ("process-1-thread", "process-2-threads", "workers")


def _one(setting: str, n: int) -> dict:
    from knowledge import make_embedder
    from knowledge.chunking import build_chunks
    from knowledge.embedders import embed_batches, pool_workers
    from search_bench import synthetic

    texts = [c.text for c in build_chunks(synthetic(n))]
    batches = [texts[i:i + 256] for i in range(0, len(texts), 256)]
    embedder = make_embedder("use")
    embedder.embed_documents(["warm up"])  # model load is not throughput
    load_before = [round(x, 2) for x in os.getloadavg()]
    cpu, wall = time.process_time(), time.perf_counter()
    if setting == "workers":
        rows = sum(len(v) for v in embed_batches(embedder, batches))
    else:
        from knowledge import embedders

        if setting == "process-1-thread":
            embedders._batch_threads = lambda: 1
        rows = sum(len(embedder.embed_documents(b)) for b in batches)
    wall = time.perf_counter() - wall
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"setting": setting, "texts": rows, "workers": pool_workers() if setting == "workers" else 0,
            "docs_per_s": round(rows / wall, 1), "cpu_s": round(time.process_time() - cpu, 2),
            "worker_cpu_s": round(children.ru_utime + children.ru_stime, 2),
            "load_average_before": load_before, "load_average_after": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--settings", nargs="+", choices=SETTINGS, default=list(SETTINGS),
                        help="two BLAS threads spin on a busy machine (5x the CPU): leave them out there")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one, args.texts)))
        return
    rows = []
    for _ in range(args.rounds):
        for setting in args.settings:
            row = run_one(__file__, setting, "--texts", args.texts)
            print(json.dumps(row), flush=True)
            rows.append(row)
    path = Path(__file__).parent / "results" / "encoder_pool.json"
    path.write_text(json.dumps({"machine": f"{os.cpu_count()} cores", "results": rows}, indent=2))


if __name__ == "__main__":
    main()
