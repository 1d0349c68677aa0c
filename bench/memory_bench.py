"""What a serving worker holds: resident memory added by each component, loaded one at a time in the
order a worker loads them, in a fresh process over the bundled index (SQLite sessions, embedded store).

Private memory (RssAnon) is what each worker pays for itself; file-backed pages (RssFile: code, the
mapped USE table) sit in the page cache, shared by every worker that maps them. Issue #13's target is
resident memory per worker <= 250 MB on the bundled index.

    python bench/memory_bench.py [--data DIR]      -> prints a table, writes bench/results/memory.json
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MB = 250.0


def _memory() -> dict[str, float]:
    text = Path("/proc/self/status").read_text()
    return {k: int(re.search(k + r":\s+(\d+)", text).group(1)) / 1024 for k in ("VmRSS", "RssAnon", "RssFile")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, help="a data folder with a built index (default: build one)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "memory.json")
    args = parser.parse_args()
    rows: list[dict[str, float | str]] = []
    last = _memory()

    def step(name: str) -> None:
        nonlocal last
        gc.collect()
        now = _memory()
        rows.append({"component": name, "rss_mb": round(now["VmRSS"] - last["VmRSS"], 1),
                     "private_mb": round(now["RssAnon"] - last["RssAnon"], 1),
                     "total_rss_mb": round(now["VmRSS"], 1)})
        print(f"{name:58s} +{now['VmRSS'] - last['VmRSS']:6.1f} MB (private +{now['RssAnon'] - last['RssAnon']:6.1f})"
              f"  total {now['VmRSS']:6.1f} MB", flush=True)
        last = now

    step("Python and this script")
    import numpy  # noqa: F401
    import fastapi  # noqa: F401
    import pydantic  # noqa: F401
    step("numpy, FastAPI, pydantic, Starlette")
    import sqlalchemy.orm  # noqa: F401
    step("SQLAlchemy")
    import chromadb  # noqa: F401
    step("chromadb (client)")
    import api.app  # noqa: F401
    step("our packages and the API (MCP, metrics, limits, ...)")

    from assistant import Assistant, Settings

    data = args.data
    if data is None:  # built in another process: the build's own allocations are not a worker's
        data = Path(tempfile.mkdtemp(prefix="memory-bench-"))
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from assistant import Assistant, "
                        "Settings; Assistant.from_settings(Settings(data_dir=Path(sys.argv[1]))).index.build()",
                        str(data)], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    bot = Assistant.from_settings(Settings(data_dir=data))
    step("Assistant.from_settings (clients, router, tools)")
    bot.index.warm_up()
    step("the index: chunks, BM25 postings, vectors")
    from knowledge.lexical import segmenter

    segmenter()
    step("jieba dictionary (mapped word tables, domain lexicon)")
    bot.index.embedder.embed_query("伙伴账单什么时候生成")
    step("USE encoder (table mapped from DATA_DIR/cache)")
    from assistant.understanding import bilingual
    from knowledge.lexical import pos_tagged

    def cedict() -> None:
        bilingual.chinese_headwords(), bilingual.translations("colleague"), bilingual.counted_words()

    for load, name in ((cedict, "CC-CEDICT (mapped tables: glosses, headwords, classifiers)"),
                       (lambda: pos_tagged("伙伴可以取消报备吗"), "jieba POS tagging (mapped HMM and tags)")):
        load()
        step(name)
    bot.warm_up()
    step("the rest of warm_up (CLDR/babel, cn2an, zhconv, caches)")
    total = _memory()
    result = {"rows": rows, "total_rss_mb": round(total["VmRSS"], 1), "private_mb": round(total["RssAnon"], 1),
              "file_backed_mb": round(total["RssFile"], 1), "target_mb": TARGET_MB,
              "load_average": [round(x, 2) for x in os.getloadavg()]}
    print(f"worker after warm-up: {total['VmRSS']:.1f} MB resident ({total['RssAnon']:.1f} private, "
          f"{total['RssFile']:.1f} file-backed); target {TARGET_MB} MB: "
          f"{'met' if total['VmRSS'] <= TARGET_MB else 'NOT met'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
