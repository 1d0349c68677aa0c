"""`partner-assistant serve --workers 2`: two processes share one index (through a Chroma server over the
embedded store) and one SQLite database; a re-index by one worker is seen by the other."""

import concurrent.futures
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.server import wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NOW = "2026-11-27T10:00:00+08:00"


@pytest.fixture(scope="module")
def server(tmp_path_factory, port_factory):
    data = tmp_path_factory.mktemp("workers")
    port = port_factory()
    env = {**os.environ, "PARTNER_ASSISTANT_DATA_DIR": str(data), "OMP_NUM_THREADS": "1"}
    env.pop("PARTNER_ASSISTANT_CHROMA_URL", None)
    exe = str(Path(sys.executable).parent / "partner-assistant")
    log = open(data / "serve.log", "wb")  # a file, not a pipe: an unread pipe would block the server
    proc = subprocess.Popen([exe, "serve", "--port", str(port), "--workers", "2"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    if not wait_ready(base, timeout=120):
        os.killpg(proc.pid, signal.SIGTERM)
        pytest.fail("server did not become ready: " + (data / "serve.log").read_text(errors="replace")[-4000:])
    yield base, data
    proc.send_signal(signal.SIGTERM)  # to the supervisor, as a process manager would; it stops the workers
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        pytest.fail("serve did not stop within 60 s of SIGTERM")


def test_workers_share_sessions_and_index(server):
    base, data = server
    assert (data / "chroma-server.log").exists()  # the workers talk to one Chroma server

    def dialogue(n):
        with httpx.Client(base_url=base, timeout=30) as c:
            sid = f"w-{n}"
            first = c.post("/v1/chat", json={"message": "我们这期伙伴账单什么时候出?", "session_id": sid, "now": NOW}).json()
            second = c.post("/v1/chat", json={"message": "8月的", "session_id": sid, "now": NOW}).json()
            return first["follow_up"] is not None and second["tool_calls"][0]["arguments"]["billing_period"] == "2026-08"

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert all(pool.map(dialogue, range(16)))


def test_reindex_on_one_worker_is_seen_by_all(server):
    base, _ = server
    doc = "# 返利结算\n## 结算周期\n返利按季度结算,每季度首月20日前完成。\n".encode()
    r = httpx.post(base + "/v1/admin/reindex", files=[("files", ("rebate.md", doc, "text/markdown"))], timeout=60)
    assert r.status_code == 200 and r.json()["uploaded"] == ["rebate.md"], r.text
    time.sleep(1.5)  # workers re-read the manifest at most once a second
    titles = {httpx.get(base + "/v1/search", params={"q": "返利按季度结算", "k": 1}).json()[0]["title"]
              for _ in range(12)}
    assert titles == {"结算周期"}


def test_metrics_aggregate_the_workers(server):
    base, _ = server
    for _ in range(6):
        httpx.get(base + "/healthz")
    text = httpx.get(base + "/metrics").text
    line = next(x for x in text.splitlines()
                if x.startswith('partner_assistant_requests_total{method="GET",route="/healthz",status="200"}'))
    assert float(line.rsplit(" ", 1)[1]) >= 6


def _ss(*args: str) -> str:
    return subprocess.run(["ss", "-Htnp", *args], capture_output=True, text=True).stdout


@pytest.mark.skipif(not shutil.which("ss"), reason="needs ss (iproute2) to see which process holds a socket")
def test_connections_are_handed_to_the_workers_in_turn(server):
    """One shared listening socket let a free worker accept every pending connection (8+0); a socket per
    worker (SO_REUSEPORT) spread them by a hash of their addresses (7+1 seen). The supervisor now holds
    the only listening socket and hands connections to the ready workers in turn: 8 opened at once are 4+4."""
    import re

    base, _ = server
    port = base.rsplit(":", 1)[1]
    listening = set(re.findall(r"pid=(\d+)", _ss("-l", f"( sport = :{port} )")))
    assert len(listening) == 1  # the supervisor

    def spread(n: int) -> list[int]:
        clients = [httpx.Client(timeout=30) for _ in range(n)]
        try:
            for client in clients:  # each opens its connection and keeps it while ss looks
                assert client.get(base + "/healthz").status_code == 200
            holders = re.findall(r"pid=(\d+)", _ss("state", "established", f"( sport = :{port} )"))
        finally:
            for client in clients:
                client.close()
        assert not set(holders) & listening  # the connections live in the workers, not the supervisor
        return sorted((holders.count(pid) for pid in set(holders)), reverse=True)

    deadline = time.time() + 120
    while len(spread(2)) < 2 and time.time() < deadline:  # /readyz answered for the first worker only
        time.sleep(0.5)
    assert spread(8) == [4, 4]
