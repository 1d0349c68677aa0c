"""HTTP chat against the in-process speed, on loopback, with the ratios issue #13 sets as targets.

1. Builds the bundled index in a throwaway data folder and measures in-process asks per second
   (``Assistant.answer`` with SQLite sessions, one thread) over the same questions the load uses.
2. Starts `partner-assistant serve --workers N` on it, waits for /readyz and times the first answer.
3. Drives POST /v1/chat with wrk (C, so the load generator does not eat the server's CPU) at the
   given concurrency, ``--runs`` times in a row, then reads each worker's resident memory.
4. Prints and writes (bench/results/load.json) the ratios:
   throughput / (workers x in-process asks/s)  target >= 0.85
   p95 latency at the concurrency               target <= 40 ms
   slowest run / fastest run                    target >= 0.9 (steady, no fall-off)
   first answer after /readyz                   target <= 50 ms
   resident memory per worker                   target <= 250 MB

    python bench/load_bench.py [--workers 2] [--seconds 15] [--runs 3] [--concurrency 8] [--levels 1 32]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from api.server import free_port, wait_ready
from assistant import Assistant, Settings

TARGETS = {"throughput_ratio": 0.85, "p95_ms": 40.0, "steadiness": 0.9, "first_answer_ms": 50.0,
           "rss_mb_per_worker": 250.0}

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


def _rss_split_mb(pid: int) -> dict[str, float]:
    """Private (anonymous) and file-backed resident memory: file pages (the mapped USE table, code) are
    the page cache, shared by every worker that maps them."""
    text = Path(f"/proc/{pid}/status").read_text()
    return {k: round(int(re.search(k + r":\s+(\d+)", text).group(1)) / 1024, 1) for k in ("RssAnon", "RssFile")}


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(x) for x in out]


def _connection_holders(port: int) -> list[int]:
    """The process of each established server-side connection on ``port`` (from ``ss``), one per connection."""
    out = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{port} )"], capture_output=True,
                         text=True).stdout
    return [int(pid) for pid in re.findall(r"pid=(\d+)", out)]


def wait_all_workers(base: str, port: int, workers: int, timeout: float) -> bool:
    """True once every worker answers. /readyz is answered by whichever worker is ready first; a worker
    still warming up accepts nothing, and keep-alive connections opened meanwhile all stay with the
    workers that were ready - a load run started then measures fewer workers than it names."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        clients = [httpx.Client(timeout=10) for _ in range(4 * workers)]
        try:
            for client in clients:  # the connections stay open while ss looks at them
                client.get(base + "/readyz")
            if len(set(_connection_holders(port))) >= workers:
                return True
        except httpx.HTTPError:
            pass
        finally:
            for client in clients:
                client.close()
        time.sleep(0.5)
    return False


def in_process_asks_per_s(data: Path, seconds: float) -> tuple[float, float]:
    """One thread answering the load's questions in turn, each in its own session, for ``seconds``: asks per
    second and CPU milliseconds per ask."""
    bot = Assistant.from_settings(Settings(data_dir=data))
    bot.index.build()
    bot.warm_up()
    done, started, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        bot.answer(QUESTIONS[done % len(QUESTIONS)])
        done += 1
    rate = done / (time.perf_counter() - started)
    bot.sessions.close()
    return rate, (time.process_time() - cpu) / done * 1000


def _connections_by_worker(port: int) -> list[int]:
    holders = _connection_holders(port)
    return sorted((holders.count(pid) for pid in set(holders)), reverse=True)


def _cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` so far (those still running)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def wrk(base: str, script: Path, level: int, seconds: int, server: list[int] | None = None) -> dict:
    # Half-way through, which worker holds how many of the keep-alive connections (a run whose
    # connections all landed on one worker measures one worker, whatever --workers says).
    port = int(base.rsplit(":", 1)[1])
    spread: list[list[int]] = []
    probe = threading.Timer(seconds / 2, lambda: spread.append(_connections_by_worker(port)))
    probe.start()
    # CPU time is steadier than wall time on a shared machine: the server's processes per request, and
    # wrk's own (it runs on the same cores as the workers).
    server_cpu, wrk_cpu = _cpu_s(server or []), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", "-t", str(min(level, 2)), "-c", str(level), "-d", f"{seconds}s",
                          "--timeout", "10s", "-s", str(script), base], capture_output=True, text=True,
                         timeout=seconds + 60).stdout
    probe.join()
    server_cpu = _cpu_s(server or []) - server_cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = after.ru_utime + after.ru_stime - wrk_cpu.ru_utime - wrk_cpu.ru_stime
    requests, status_errors, socket_errors, p50, p95, p99 = re.search(
        r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out).groups()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"concurrency": level, "requests": int(requests), "req_per_s": rps, "p50_ms": float(p50),
            "p95_ms": float(p95), "p99_ms": float(p99), "non_2xx": int(status_errors),
            "socket_errors": int(socket_errors), "connections_by_worker": spread[0] if spread else [],
            "server_cpu_ms_per_request": round(server_cpu / max(int(requests), 1) * 1000, 2),
            "wrk_cpu_ms_per_request": round(wrk_cpu / max(int(requests), 1) * 1000, 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3, help="consecutive runs at --concurrency")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--levels", type=int, nargs="*", default=[], help="extra single runs, e.g. 1 32")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "load.json")
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("ss"):
        sys.exit("wrk and ss are needed: apt-get install wrk iproute2")
    load_before = [round(x, 2) for x in os.getloadavg()]  # other jobs on the machine swing every number
    data = Path(tempfile.mkdtemp(prefix="load-bench-"))
    asks, ask_cpu_ms = in_process_asks_per_s(data, seconds=10)
    print(json.dumps({"in_process_asks_per_s": round(asks, 1), "in_process_cpu_ms_per_ask": round(ask_cpu_ms, 2)}),
          flush=True)
    port = free_port()
    env = {**os.environ, "PARTNER_ASSISTANT_DATA_DIR": str(data), "OMP_NUM_THREADS": "1",
           "PARTNER_ASSISTANT_RATE_LIMIT_PER_MINUTE": "10000000"}
    exe = str(Path(sys.executable).parent / "partner-assistant")
    server = subprocess.Popen([exe, "serve", "--port", str(port), "--workers", str(args.workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        if not wait_ready(base, timeout=300):
            sys.exit("server did not become ready")
        ready_s = time.perf_counter() - started
        # The first answer after /readyz, on a question no warm-up asked, over a fresh connection as a
        # client would open it. The client object is made before the clock starts: building one loads
        # the CA bundle for TLS (20-40 ms here), which is the client's cost, not the server's.
        with httpx.Client(timeout=60) as client:
            first = time.perf_counter()
            assert client.post(base + "/v1/chat", json={"message": "上个月的伙伴账单生成了吗?我在新加坡"}).status_code == 200
            first_ms = (time.perf_counter() - first) * 1000
        if not wait_all_workers(base, port, args.workers, timeout=300):
            sys.exit(f"not all {args.workers} workers became ready")
        all_ready_s = time.perf_counter() - started
        print(json.dumps({"ready_after_s": round(ready_s, 1), "all_workers_ready_after_s": round(all_ready_s, 1),
                          "first_answer_ms": round(first_ms, 1)}), flush=True)
        for q in QUESTIONS:  # every worker has answered each question once before the clock runs
            for _ in range(args.workers * 2):
                httpx.post(base + "/v1/chat", json={"message": q}, timeout=30)
        script = data / "chat.lua"
        bodies = ", ".join(json.dumps(json.dumps({"message": q}, ensure_ascii=False), ensure_ascii=False)
                           for q in QUESTIONS)
        script.write_text(LUA % bodies, encoding="utf-8")
        # the supervisor, its workers and the Chroma server: everything serving the requests
        serving = [server.pid] + [pid for child in _children(server.pid) for pid in [child, *_children(child)]]
        runs = []
        for _ in range(args.runs):
            runs.append(wrk(base, script, args.concurrency, args.seconds, serving))
            print(json.dumps(runs[-1]), flush=True)
        extra = []
        for level in args.levels:
            extra.append(wrk(base, script, level, args.seconds, serving))
            print(json.dumps(extra[-1]), flush=True)
        workers = [pid for child in _children(server.pid) for pid in [child, *_children(child)]]
        memory = {str(pid): round(_rss_mb(pid), 1) for pid in workers if Path(f"/proc/{pid}").exists()}
        memory_split = {str(pid): _rss_split_mb(pid) for pid in workers if Path(f"/proc/{pid}").exists()}
        worker_rss = sorted(memory.values(), reverse=True)[:args.workers]  # the Chroma server is smaller
        rates = [r["req_per_s"] for r in runs]
        ratios = {
            "throughput_ratio": round(min(rates) / (args.workers * asks), 3),
            "p95_ms": max(r["p95_ms"] for r in runs),
            "steadiness": round(min(rates) / max(rates), 3),
            "first_answer_ms": round(first_ms, 1),
            "rss_mb_per_worker": max(worker_rss) if worker_rss else None,
        }
        # Not a target: how much CPU an HTTP request costs the server beyond the same ask in process
        # (in-process CPU per ask / server CPU per request). Under other jobs' load the wall-time ratio
        # swings with the share of the cores the workers get; this one much less.
        cpu_ratio = round(ask_cpu_ms / max(r["server_cpu_ms_per_request"] for r in runs), 3)
        verdict = {k: (v is not None and (v >= TARGETS[k] if k in {"throughput_ratio", "steadiness"}
                                          else v <= TARGETS[k])) for k, v in ratios.items()}
        load_after = [round(x, 2) for x in os.getloadavg()]
        result = {"workers": args.workers, "concurrency": args.concurrency, "seconds_per_run": args.seconds,
                  "machine": f"{os.cpu_count()} cores", "load_average_before": load_before,
                  "load_average_after": load_after, "in_process_asks_per_s": round(asks, 1),
                  "in_process_cpu_ms_per_ask": round(ask_cpu_ms, 2), "cpu_ratio_in_process_to_http": cpu_ratio,
                  "ready_after_s": round(ready_s, 1), "all_workers_ready_after_s": round(all_ready_s, 1),
                  "runs": runs, "levels": extra, "rss_mb_by_process": memory, "rss_split_mb_by_process": memory_split,
                  "ratios": ratios, "targets": TARGETS, "met": verdict}
        print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
        print(f"CPU per request: in process {ask_cpu_ms:.2f} ms, server over HTTP "
              f"{', '.join(str(r['server_cpu_ms_per_request']) for r in runs)} ms, wrk "
              f"{', '.join(str(r['wrk_cpu_ms_per_request']) for r in runs)} ms (ratio {cpu_ratio}, not a target)")
        for name, value in ratios.items():
            print(f"{name:>20}: {value}  (target {'>=' if name in {'throughput_ratio', 'steadiness'} else '<='} "
                  f"{TARGETS[name]}: {'met' if verdict[name] else 'NOT met'})")
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
