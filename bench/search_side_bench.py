"""The search side at scale without the encoder's build time: load, search, answerability and peak RSS.

`search_bench.py` builds its index with the real encoder, which at 100k chunks takes an hour or more on a
busy 2-core machine. This bench builds (once, into ``--data-dir``, reused by later runs) the same synthetic
chunks with random unit vectors of the encoder's dimension (512, so Chroma's HNSW index has USE's size), then
measures in a fresh process: index load, search p50/p95 with queries embedded by the real USE model (its
cost included; the neighbours it finds among random vectors mean nothing), the evidence stage's cost on top
of its search (after one warm-up call), and peak RSS. Writes one JSON row to stdout (and ``--out``).

    python bench/search_side_bench.py --size 100000 --data-dir /tmp/side100k [--out bench/results/x.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from evals.cases import load_cases  # noqa: E402
from knowledge import KnowledgeIndex, Retriever, make_client, make_embedder  # noqa: E402
from search_bench import percentile, synthetic, time_queries  # noqa: E402


class RandomVectors:
    """512-d unit vectors seeded by the text; queries go to the real encoder when one is given."""

    name = "random-512"

    def __init__(self, query_encoder=None) -> None:
        self.query_encoder = query_encoder

    def _one(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        vector = np.random.default_rng(seed).standard_normal(512).astype(np.float32)
        return vector / np.linalg.norm(vector)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._one(t) for t in texts]) if texts else np.zeros((0, 512), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.query_encoder.embed_query(text) if self.query_encoder else self._one(text)


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    client = make_client(args.data_dir)
    if KnowledgeIndex(client, RandomVectors()).manifest() is None:
        started = time.perf_counter()
        KnowledgeIndex(client, RandomVectors()).build(excerpts=synthetic(args.size))
        print(f"built {args.size} synthetic excerpts in {time.perf_counter() - started:.0f} s; measure in a new process",
              file=sys.stderr)
        return
    encoder = make_embedder("use")
    encoder.embed_documents(["warm up"])
    load_before = _load()
    index = KnowledgeIndex(client, RandomVectors(encoder))
    started = time.perf_counter()
    index.warm_up()
    load_s = time.perf_counter() - started
    questions = [c.question for c in load_cases()]
    retriever = Retriever(index)
    latencies, overhead, _ = time_queries(retriever, questions, args.queries)
    row = {"chunks": len(index.chunks), "vectors": "random 512-d (queries by USE)",
           "index_load_seconds": round(load_s, 2),
           "search_p50_ms": round(percentile(latencies, 50), 2), "search_p95_ms": round(percentile(latencies, 95), 2),
           "answerability_mean_ms": round(sum(overhead) / len(overhead), 2),
           "answerability_p95_ms": round(percentile(overhead, 95), 2),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
           "load_average_before": load_before, "load_average_after": _load()}
    print(json.dumps(row))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
