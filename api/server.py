"""Run the HTTP server: one process, or several workers sharing one index and one database.

An embedded Chroma store is not safe for several processes (each would open the same files
for writing). With ``--workers`` above 1 and no Chroma URL configured, the server therefore
starts one ``chroma run`` process over the embedded store's folder and points every worker at
it; SQLite sessions are safe across workers (WAL, busy timeout, write-first transactions).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from unittest import mock

from fastapi import FastAPI
from uvicorn.supervisors import multiprocess

log = logging.getLogger("api")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def app_factory() -> FastAPI:
    """Used by uvicorn workers: settings come from the environment the parent prepared."""
    from assistant import get_settings

    from .app import create_app

    return create_app(get_settings())


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base_url: str, timeout: float) -> bool:
    """Poll ``/readyz`` until it answers 200 (True) or ``timeout`` seconds pass (False)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base_url + "/readyz", timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:  # refused while starting, or 503 (HTTPError) while loading the index
            pass
        time.sleep(0.5)
    return False


def _check_port(host: str, port: int) -> None:
    """Fail before announcing a URL that would not work."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ValueError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port") from exc


def start_chroma_server(path: Path) -> str:
    """``chroma run`` over ``path`` on a free loopback port; stopped when this process exits."""
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    log = open(path.parent / "chroma-server.log", "ab")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=log)
    atexit.register(proc.terminate)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma run exited with {proc.returncode}; see {path.parent / 'chroma-server.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("chroma run did not start within 60 s")


def serve(host: str, port: int, workers: int, say) -> None:
    import uvicorn

    from assistant import Settings

    settings = Settings()
    keys = settings.parsed_api_keys()
    if not keys and host not in LOOPBACK:
        say(f"no API keys configured (PARTNER_ASSISTANT_API_KEYS): listening on 127.0.0.1 only, not {host}")
        host = "127.0.0.1"
    elif not keys:
        say("no API keys configured: the API is open to this machine only (127.0.0.1)")
    _check_port(host, port)
    os.environ["PARTNER_ASSISTANT_DATA_DIR"] = str(settings.data_dir.resolve())
    # Create the database schema once here, so the workers do not race to create it.
    from assistant.sessions import SessionStore

    SessionStore(settings.resolved_database_url()).close()
    if workers > 1:
        if not settings.chroma_url:
            os.environ["PARTNER_ASSISTANT_CHROMA_URL"] = start_chroma_server(settings.data_dir.resolve() / "chroma")
            say(f"{workers} workers share the index through a Chroma server at {os.environ['PARTNER_ASSISTANT_CHROMA_URL']}")
        metrics_dir = tempfile.mkdtemp(prefix="partner-assistant-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        atexit.register(shutil.rmtree, metrics_dir, True)
    say(f"Partner Rules Assistant: http://{'localhost' if host == '127.0.0.1' else host}:{port}/ "
        f"(API docs at /docs, triage at /triage)")
    # A worker busy re-indexing must not be taken for hung and killed (uvicorn's default is 5 s), but a
    # long timeout also delays shutdown when Ctrl-C reaches every worker: 15 s is the compromise.
    options: dict[str, Any] = dict(factory=True, host=host, port=port, workers=workers, log_level="warning",
                                   access_log=False, timeout_worker_healthcheck=15)
    if workers > 1 and hasattr(socket, "send_fds"):
        _run_workers_handed_connections(uvicorn.Config("api.server:app_factory", **options))
    else:
        uvicorn.run("api.server:app_factory", **options)


# ---- several workers: the parent accepts, each connection goes to the next ready worker ----------------
#
# Measured ways of spreading keep-alive connections over workers (bench/load_bench.py, wrk's 8
# connections opened at once): one shared listening socket - a worker whose event loop is free accepts
# every pending connection in one go (libuv accepts in a loop): 8+0 seen. One SO_REUSEPORT socket per
# worker - the kernel picks the socket by a hash of the connection's addresses: 5+3, 6+2 and 7+1 seen,
# and the worker holding 7 answers them one at a time while the other idles. Here the supervisor holds
# the only listening socket and passes each accepted connection (SCM_RIGHTS over a Unix socket pair) to
# the ready workers in turn, as Node's cluster module does: 8 connections are 4+4 whatever their
# addresses. A connection costs the parent one accept and one send; its requests never pass through it.

_READY = b"R"  # a worker's first message on its channel: warmed up, hand me connections


class _Dispatcher:
    """In the supervisor: accepts on ``listener`` and hands each connection to the next ready worker.
    A worker joins with its channel (the parent's end of a socket pair) and counts once it says it is
    ready; a worker that exits closes its end and leaves the rotation. Until one is ready, connections
    wait in the listening socket's backlog."""

    def __init__(self, listener: socket.socket) -> None:
        import selectors

        self.listener = listener
        self.listener.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._joining: list[socket.socket] = []
        self._ready: list[socket.socket] = []  # in rotation order
        self._next = 0
        self._accepting = False
        self._wake_r, self._wake_w = socket.socketpair()
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._closed = False
        self.handed = 0  # connections passed on

    def join(self, channel: socket.socket) -> None:
        """A new worker's channel (called from the supervisor's thread; registered by the dispatcher's)."""
        channel.setblocking(False)
        with self._lock:
            self._joining.append(channel)
        self._wake_w.send(b"x")

    def _hear(self, channel: socket.socket) -> None:
        try:
            message = channel.recv(16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            message = b""
        if message == _READY:
            self._ready.append(channel)
        elif not message:  # the worker exited (or was killed): out of the rotation
            self._leave(channel)

    def _leave(self, channel: socket.socket) -> None:
        if channel in self._ready:
            self._ready.remove(channel)
        if channel.fileno() == -1:  # already left (a failed hand-off, then its EOF in the same round)
            return
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(channel)
        channel.close()

    def _hand(self, connection: socket.socket) -> None:
        """To the next ready worker; one whose channel is full or gone is skipped (and a gone one leaves)."""
        for _ in range(len(self._ready)):
            channel = self._ready[self._next % len(self._ready)]
            self._next += 1
            try:
                socket.send_fds(channel, [b"c"], [connection.fileno()])
                self.handed += 1
                return
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                self._leave(channel)
                if not self._ready:
                    break
        # No worker could take it: closed, as a full backlog would refuse it.

    def run(self) -> None:
        import selectors

        while not self._closed:
            # Listen for connections only while some worker can take them.
            if self._ready and not self._accepting:
                self._selector.register(self.listener, selectors.EVENT_READ, "listener")
                self._accepting = True
            elif not self._ready and self._accepting:
                self._selector.unregister(self.listener)
                self._accepting = False
            with self._lock:
                joining, self._joining = self._joining, []
            for channel in joining:
                self._selector.register(channel, selectors.EVENT_READ, "worker")
            for key, _ in self._selector.select(timeout=1.0):
                try:
                    if key.data == "wake":
                        self._wake_r.recv(4096)
                    elif key.data == "worker":
                        self._hear(key.fileobj)  # type: ignore[arg-type]
                    elif key.data == "listener":
                        self._accept_pending()
                except Exception:  # noqa: BLE001 - the thread must outlive any one event, or nothing is accepted
                    log.exception("connection dispatcher: %s", key.data)

    def _accept_pending(self) -> None:
        while self._ready:
            try:
                connection, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. the client reset it before it was accepted
                return
            with connection:
                self._hand(connection)

    def close(self) -> None:
        self._closed = True
        self._wake_w.send(b"x")


_dispatcher: _Dispatcher | None = None


def _connection_server_class() -> type:
    """uvicorn's Server, fed connections from the channel instead of accepting on a socket."""
    import asyncio
    import functools

    import uvicorn

    class HandedServer(uvicorn.Server):
        channel: socket.socket | None = None

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=[])  # the app's lifespan (warm-up); no listening socket
            if self.should_exit or self.channel is None:
                return
            loop = asyncio.get_running_loop()
            protocol = functools.partial(self.config.http_protocol_class, config=self.config,
                                         server_state=self.server_state, app_state=self.lifespan.state)
            channel = self.channel
            channel.setblocking(False)

            def receive() -> None:
                while True:
                    try:
                        _, fds, _, _ = socket.recv_fds(channel, 16, 8)
                    except (BlockingIOError, InterruptedError):
                        return
                    except OSError:
                        fds = []
                    if not fds:  # the supervisor is gone: nothing more will come
                        loop.remove_reader(channel.fileno())
                        return
                    for fd in fds:
                        connection = socket.socket(fileno=fd)
                        connection.setblocking(False)
                        loop.create_task(loop.connect_accepted_socket(protocol, connection))

            loop.add_reader(channel.fileno(), receive)
            channel.send(_READY)  # only now: connections reach a worker once it has warmed up

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            if self.channel is not None:
                with contextlib.suppress(Exception):
                    asyncio.get_running_loop().remove_reader(self.channel.fileno())
                self.channel.close()  # the parent sees the worker leave; nothing more is handed here
            await super().shutdown(sockets=[])

    return HandedServer


class _HandedProcess(multiprocess.Process):
    """A uvicorn worker (module level: workers are spawned) fed by the dispatcher over a socket pair."""

    def __init__(self, config: Any, sockets: list[socket.socket]) -> None:
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        super().__init__(config, [child_end])  # the child gets its end of the pair, not the listener
        self._parent_end: socket.socket | None = parent_end
        self._child_end: socket.socket | None = child_end

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_parent_end"] = state["_child_end"] = None  # never copied into the child
        return state

    def start(self) -> None:
        super().start()
        # The child holds its own copy now; closing ours lets the parent see EOF when the worker exits.
        if self._child_end is not None:
            self._child_end.close()
            self._child_end = None
        if _dispatcher is not None and self._parent_end is not None:
            _dispatcher.join(self._parent_end)
            self._parent_end = None

    @property
    def server(self) -> Any:
        if self._server is None:
            self._server = _connection_server_class()(config=self.config)
        return self._server

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # runs in the worker
        self.server.channel = (sockets or [None])[0]
        super().target([])


def _listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


def _run_workers_handed_connections(config: Any) -> None:
    """uvicorn's supervisor (health checks, restarts, signals) over workers fed by a dispatcher thread."""
    global _dispatcher
    listener = _listening_socket(config.host, config.port, config.backlog)
    _dispatcher = _Dispatcher(listener)
    thread = threading.Thread(target=_dispatcher.run, name="connection-dispatcher", daemon=True)
    thread.start()
    with mock.patch.object(multiprocess, "Process", _HandedProcess):
        try:
            multiprocess.Multiprocess(config, sockets=[]).run()
        except KeyboardInterrupt:
            pass
        finally:
            _dispatcher.close()
            thread.join(timeout=5)
            listener.close()
            _dispatcher = None
