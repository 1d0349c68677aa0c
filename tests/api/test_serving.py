"""The serving path under a flaky network, a slow turn, a broken database or index, and abusive clients."""

import concurrent.futures
import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
import uvicorn

from api.app import create_app
from assistant import Assistant, Settings

from .conftest import make_client

pytestmark = pytest.mark.integration
NOW = "2026-11-27T10:00:00+08:00"


@contextmanager
def live(app):
    """The app behind a real uvicorn server on a free loopback port."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 120
    while not server.started:
        assert time.time() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(30)


def read_response(sock) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def test_an_unexpected_error_is_a_json_500_and_the_connection_stays_usable(built_data):
    app = create_app(Settings(data_dir=built_data))

    async def boom():  # stands for any bug not yet found
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom, include_in_schema=False)
    with live(app) as port, socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, body = read_response(sock)
        assert status == 500 and json.loads(body)["error"]["code"] == "internal_error"
        assert "a bug" not in body.decode() and headers.get("connection") != "close"
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # the same keep-alive connection
        assert read_response(sock)[0] == 200


@pytest.mark.parametrize("path, cap_setting", [("/v1/triage/batch", "max_body_bytes"),
                                               ("/v1/chat", "max_body_bytes"),
                                               ("/v1/admin/reindex", "max_upload_bytes")])
def test_a_chunked_body_is_cut_off_at_the_cap_while_it_streams(tmp_path, built_data, path, cap_setting):
    cap = 64 * 1024
    app = create_app(Settings(data_dir=built_data, **{cap_setting: cap}))
    sent = 0
    # Every prefix of the body must be valid so far: the endpoint may read (and parse) any prefix before
    # the cap is crossed, however the server's reads split the stream. An upload is one file part whose
    # content never ends (a bare CSV as multipart would be refused as "invalid multipart" by the parser
    # when its first read held less than the cap - a 400 that depended on timing).
    if "reindex" in path:
        content_type = b"multipart/form-data; boundary=cap-test"
        head = (b"--cap-test\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.csv\"\r\n"
                b"Content-Type: text/csv\r\n\r\nsubject,body\n")
    else:
        content_type, head = b"text/csv", b"subject,body\n"
    with live(app) as port, socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     b"Content-Type: " + content_type + b"\r\n\r\n" + f"{len(head):x}\r\n".encode() + head + b"\r\n")
        piece = b"a" * 64_000 + b"\n"
        try:
            while sent < 40_000_000:  # offered; the server must answer long before it has all of it
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                sent += len(piece)
                sock.setblocking(False)
                try:
                    if sock.recv(1, socket.MSG_PEEK):
                        break
                except BlockingIOError:
                    pass
                finally:
                    sock.setblocking(True)
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, headers, body = read_response(sock)
    assert status == 413 and json.loads(body)["error"]["code"] == "body_too_large"
    # Refused while streaming: what was sent is at most the cap plus the kernel's socket buffers.
    assert sent < 20_000_000, sent
    assert not (built_data / "docs").exists() or not any((built_data / "docs").iterdir())


def test_a_declared_length_over_the_cap_is_refused_unread(built_data):
    with make_client(built_data, max_body_bytes=2048) as c:
        r = c.post("/v1/chat", content=b"{" + b" " * 5000 + b"}", headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"


def test_a_turn_that_times_out_is_not_saved(built_data):
    with make_client(built_data, request_timeout_seconds=0.001) as c:
        token = {"X-Client-Token": uuid.uuid4().hex}
        r = c.post("/v1/chat", headers=token, json={"message": "8月的伙伴账单什么时候生成?", "now": NOW})
        assert r.status_code == 504 and r.json()["error"]["code"] == "timeout"
        assert c.get("/v1/sessions", headers=token).json() == {"sessions": []}


def test_a_turn_whose_caller_went_away_is_not_saved(built_data, monkeypatch):
    """The server notices a closed connection while the answer is computed and does not save the turn.
    The answer waits for exactly that notice (no sleeping): a server that never notices fails the test."""
    from assistant.service import Assistant as Service

    entered, finished, seen = threading.Event(), threading.Event(), {}
    answer, evidence = Service.answer, Service._evidence

    def answering(self, *args, **kwargs):
        seen["stopped"] = kwargs.get("stopped")
        try:
            return answer(self, *args, **kwargs)
        finally:
            finished.set()

    def held(self, *args, **kwargs):
        entered.set()
        seen["noticed"] = seen["stopped"] is not None and seen["stopped"].wait(60)
        return evidence(self, *args, **kwargs)

    monkeypatch.setattr(Service, "answer", answering)
    monkeypatch.setattr(Service, "_evidence", held)
    token = uuid.uuid4().hex
    body = json.dumps({"message": "8月的伙伴账单什么时候生成?", "now": NOW}).encode()
    with live(create_app(Settings(data_dir=built_data))) as port:
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(b"POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Client-Token: "
                     + token.encode() + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        assert entered.wait(60)
        sock.close()
        assert finished.wait(90)
        import httpx

        listed = httpx.get(f"http://127.0.0.1:{port}/v1/sessions", headers={"X-Client-Token": token}, timeout=30)
    assert seen["noticed"] is True
    assert listed.status_code == 200 and listed.json() == {"sessions": []}


def test_wrong_keys_are_rate_limited_per_address(built_data):
    with make_client(built_data, api_keys="p-key:partner", auth_failures_per_minute=5) as c:
        codes = [c.get("/v1/tools", headers={"X-API-Key": f"guess-{n}"}).status_code for n in range(8)]
        assert codes == [401] * 5 + [429] * 3
        locked = c.get("/v1/tools", headers={"X-API-Key": "p-key"})  # the address is locked out for the window
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1


def test_without_keys_a_made_up_key_per_request_does_not_reset_the_limit(built_data):
    with make_client(built_data, rate_limit_per_minute=3) as c:
        codes = [c.get("/v1/tools", headers={"X-API-Key": uuid.uuid4().hex}).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]


@pytest.mark.parametrize("text", ["line\u2028separator", "para\u2029graph", "next\x85line", "plain\r\nbreaks"])
def test_stream_events_are_one_line_whatever_the_text(text):
    """Chat SSE and OpenAI-style chunks frame their JSON with the same escaping."""
    from api.events import sse

    framed = sse({"text": text, "nested": [text]}, event="answer_delta")
    lines = framed.rstrip("\n").splitlines()  # splits on U+2028, U+2029 and U+0085 too, as some readers do
    assert lines[0] == "event: answer_delta" and len(lines) == 2 and lines[1].startswith("data: ")
    assert json.loads(lines[1][6:]) == {"text": text, "nested": [text]}
    assert framed.endswith("\n\n")


def test_a_broken_database_takes_the_worker_out_of_rotation_without_naming_it(tmp_path):
    data = tmp_path / "data"
    Assistant.from_settings(Settings(data_dir=data, embedder="hash")).index.build()
    with make_client(data, api_keys="p-key:partner", embedder="hash") as c:
        assert c.get("/readyz").status_code == 200
        for suffix in ("", "-wal", "-shm"):
            (data / f"assistant.db{suffix}").unlink(missing_ok=True)
        (data / "assistant.db").write_bytes(b"this is not a database" * 1000)
        c.app.state.assistant.sessions.close()  # the pooled connections reopen the (new) file
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["error"]["code"] == "database_unavailable"
        chat = c.post("/v1/chat", headers={"X-API-Key": "p-key"}, json={"message": "伙伴账单什么时候出", "now": NOW})
        assert chat.status_code == 503 and chat.json()["error"]["code"] == "database_unavailable"
        for response in (ready, chat):
            assert "assistant.db" not in response.text and "sqlite" not in response.text and str(data) not in \
                response.text


def test_a_lost_index_server_is_unavailable_not_missing(tmp_path):
    import shutil as _shutil

    from api.server import free_port

    chroma = _shutil.which("chroma") or str(__import__("pathlib").Path(sys.executable).parent / "chroma")
    port = free_port()
    proc = subprocess.Popen([chroma, "run", "--path", str(tmp_path / "chroma"), "--host", "127.0.0.1", "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.time() < deadline
                time.sleep(0.3)
        settings = Settings(data_dir=tmp_path, chroma_url=f"http://127.0.0.1:{port}", embedder="hash")
        Assistant.from_settings(settings).index.build()
        with make_client(tmp_path, chroma_url=f"http://127.0.0.1:{port}", embedder="hash") as c:
            assert c.get("/readyz").status_code == 200
            proc.terminate()
            proc.wait(30)
            ready = c.get("/readyz")
            assert ready.status_code == 503 and ready.json()["error"]["code"] == "index_unavailable"
            info = c.get("/v1/admin/index")
            assert info.status_code == 503 and info.json()["error"]["code"] == "index_unavailable"
    finally:
        proc.terminate()


def test_ready_means_a_first_question_loads_nothing_more(built_data):
    """After start-up (what /readyz waits for) the dictionaries and taggers a Chinese turn uses are loaded."""
    script = textwrap.dedent(f"""
        import sys
        from fastapi.testclient import TestClient
        from api.app import create_app
        from assistant import Settings
        with TestClient(create_app(Settings(data_dir={str(built_data)!r}))) as c:
            assert c.get("/readyz").status_code == 200
            before = set(sys.modules)
            from assistant.understanding.bilingual import chinese_headwords
            loaded = chinese_headwords.cache_info().currsize
            assert c.post("/v1/chat", json={{"message": "上个月的伙伴账单生成了吗?"}}).status_code == 200
            # parts of speech come from the mapped tables: jieba's own tagger (84 MB) is never loaded
            assert not any(m.startswith("jieba.posseg") for m in sys.modules), "jieba.posseg loaded"
            print(loaded, sorted(m for m in set(sys.modules) - before if not m.startswith("encodings")))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded, new_modules = done.stdout.strip().split(" ", 1)
    assert loaded == "1" and new_modules == "[]", done.stdout


def test_a_reindex_is_not_cut_off_by_the_request_timeout(tmp_path):
    with make_client(tmp_path, request_timeout_seconds=0.001, embedder="hash") as c:
        r = c.post("/v1/admin/reindex", json={})
        assert r.status_code == 200, r.text
        assert c.get("/readyz").status_code == 200


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"model": "partner-rules", "n": ' + b"1" * 5000 + b"}",
                                  b'{"model": "partner-rules", "messages": ' + b"[" * 50_000 + b"]}"])
def test_openai_compatible_chat_with_unreadable_json_is_400(client, body):
    r = client.post("/v1/chat/completions", content=body,
                    headers={"Content-Type": "application/json", "Authorization": "Bearer p-key"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"


def test_nul_in_a_message_or_search_is_422(client):
    headers = {"Authorization": "Bearer p-key"}
    assert client.post("/v1/chat", headers=headers, json={"message": "账单\x00什么时候出"}).status_code == 422
    assert client.get("/v1/sessions", headers=headers, params={"q": "a\x00"}).status_code == 422


def test_a_worker_answers_one_chat_turn_at_a_time_in_arrival_order(built_data, monkeypatch):
    """A second turn arriving while one is being answered waits for it instead of sharing the interpreter
    lock with it (several answers in threads each took as long as all of them)."""
    import httpx

    from assistant.service import Assistant as Service

    answer = Service.answer
    running, most, order = [0], [0], []
    release = threading.Event()
    lock = threading.Lock()

    def answering(self, message, *args, **kwargs):
        if not message.startswith(("first:", "second:", "third:")):  # the warm-up's own questions
            return answer(self, message, *args, **kwargs)
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            order.append(message)
        try:
            if message.startswith("first"):
                assert release.wait(60)
            return answer(self, message, *args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(Service, "answer", answering)
    app = create_app(Settings(data_dir=built_data))
    with live(app) as port:
        base = f"http://127.0.0.1:{port}"
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            first = pool.submit(httpx.post, base + "/v1/chat", json={"message": "first: 8月的伙伴账单什么时候生成?"},
                                timeout=60)
            for _ in range(6000):  # until the first turn is being answered (bounded, not a timing assertion)
                if order:
                    break
                time.sleep(0.01)
            later = []
            for n, name in enumerate(("second", "third"), start=1):
                later.append(pool.submit(httpx.post, base + "/v1/chat",
                                         json={"message": f"{name}: 多笔激励可以合并开一张发票吗?"}, timeout=60))
                for _ in range(6000):  # until it waits for the worker's answer slot (bounded, not timed)
                    slot = getattr(app.state, "answer_limiter", None)
                    if (slot is not None and slot.statistics().tasks_waiting == n) or len(order) > 1:
                        break
                    time.sleep(0.01)
            assert order == ["first: 8月的伙伴账单什么时候生成?"]  # neither later turn started alongside it
            release.set()
            assert [f.result().status_code for f in (first, *later)] == [200, 200, 200]
    assert most[0] == 1
    assert [m.split(":")[0] for m in order] == ["first", "second", "third"]


def test_the_guard_answers_504_and_cancels_a_request_past_its_timeout(monkeypatch):
    """A handler still running past the timeout (plus the grace the turn has for its own 504) is cancelled
    and the client gets the 504 envelope; the guard runs it in the request's own task."""
    import asyncio

    from api import guard

    monkeypatch.setattr(guard, "GRACE", 0.0)
    seen: dict[str, object] = {}

    async def stuck(scope, receive, send):
        seen["task"] = asyncio.current_task()
        try:
            await asyncio.Event().wait()  # never set
        except asyncio.CancelledError:
            seen["cancelled"] = True
            raise

    async def call():
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/slow", "headers": [], "state": {}}
        await guard.Guard(stuck, timeout=0.05, untimed=frozenset())(scope, receive, send)
        return sent, asyncio.current_task()

    sent, task = asyncio.run(call())
    assert sent[0]["status"] == 504 and json.loads(sent[1]["body"])["error"]["code"] == "timeout"
    assert seen["cancelled"] is True and seen["task"] is task
