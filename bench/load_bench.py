"""Load on a running server over loopback: req/s and latency for POST /v1/chat at concurrency 1, 8, 32.

Starts `partner-assistant serve --workers N` on a free loopback port with a throwaway data folder,
drives it with wrk (Debian's package; C, so the load generator does not eat the server's CPU), bounded
in time per level, reports resident memory per worker, stops the server, writes bench/results/load.json.

    python bench/load_bench.py [--workers 2] [--seconds 15] [--levels 1 8 32]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from api.server import free_port, wait_ready

QUESTIONS = [
    "8月的伙伴账单什么时候生成?我在东京", "4月30日的业绩哪天能看到?", "用储值卡支付3000元算多少业绩?",
    "无法关联Offering的PO可以继续流转吗?", "代表处的多个PSM谁来处理PO?", "今天天气怎么样?",
    "Can several incentives go on one invoice?", "CBC.30000010是什么错误?",
]
LUA = """
local bodies = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/v1/chat", {["Content-Type"] = "application/json"}, bodies[(n %% #bodies) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%.3f %%.3f %%.3f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def _rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(x) for x in out]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "load.json")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    data = Path(tempfile.mkdtemp(prefix="load-bench-"))
    port = free_port()
    env = {**os.environ, "PARTNER_ASSISTANT_DATA_DIR": str(data), "OMP_NUM_THREADS": "1",
           "PARTNER_ASSISTANT_RATE_LIMIT_PER_MINUTE": "10000000"}
    exe = str(Path(sys.executable).parent / "partner-assistant")
    server = subprocess.Popen([exe, "serve", "--port", str(port), "--workers", str(args.workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_ready(base, timeout=180):
            sys.exit("server did not become ready")
        for q in QUESTIONS:  # warm every worker's caches
            for _ in range(args.workers * 2):
                httpx.post(base + "/v1/chat", json={"message": q}, timeout=30)
        script = data / "chat.lua"
        bodies = ", ".join(json.dumps(json.dumps({"message": q}, ensure_ascii=False), ensure_ascii=False)
                           for q in QUESTIONS)
        script.write_text(LUA % bodies, encoding="utf-8")
        rows = []
        for level in args.levels:
            out = subprocess.run(["wrk", "-t", str(min(level, 2)), "-c", str(level), "-d", f"{args.seconds}s",
                                  "--timeout", "10s", "-s", str(script), base], capture_output=True, text=True,
                                 timeout=args.seconds + 60).stdout
            requests, status_errors, socket_errors, p50, p95, p99 = re.search(
                r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out).groups()
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            row = {"concurrency": level, "requests": int(requests), "req_per_s": rps, "p50_ms": float(p50),
                   "p95_ms": float(p95), "p99_ms": float(p99), "non_2xx": int(status_errors),
                   "socket_errors": int(socket_errors)}
            print(json.dumps(row), flush=True)
            rows.append(row)
        workers = [pid for child in _children(server.pid) for pid in [child, *_children(child)]]
        memory = {str(pid): round(_rss_mb(pid), 1) for pid in workers if Path(f"/proc/{pid}").exists()}
        result = {"workers": args.workers, "seconds_per_level": args.seconds, "levels": rows,
                  "rss_mb_by_process": memory, "machine": f"{os.cpu_count()} cores"}
        print(json.dumps({"rss_mb_by_process": memory}))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))
    finally:
        server.send_signal(signal.SIGTERM)  # the supervisor stops its workers and the Chroma server
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
