"""Run the HTTP server: one process, or several workers sharing one index and one database.

An embedded Chroma store is not safe for several processes (each would open the same files
for writing). With ``--workers`` above 1 and no Chroma URL configured, the server therefore
starts one ``chroma run`` process over the embedded store's folder and points every worker at
it; SQLite sessions are safe across workers (WAL, busy timeout, write-first transactions).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from unittest import mock

from fastapi import FastAPI
from uvicorn.supervisors import multiprocess

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
    if workers > 1 and hasattr(socket, "SO_REUSEPORT"):
        _run_workers_own_sockets(uvicorn.Config("api.server:app_factory", **options))
    else:
        uvicorn.run("api.server:app_factory", **options)


def _reuseport_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


class _OwnSocketProcess(multiprocess.Process):
    """A uvicorn worker that listens on a socket of its own (module level: workers are spawned)."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # runs in the worker
        super().target([_reuseport_socket(self.config.host, self.config.port)])


def _run_workers_own_sockets(config: Any) -> None:
    """uvicorn's supervisor (health checks, restarts, signals) with one listening socket per worker.

    With one shared socket, a worker whose event loop is free accepts every pending connection at once
    (libuv accepts in a loop): the load bench saw all 8 of wrk's keep-alive connections on one worker
    while the other idled, so two workers served as one. With SO_REUSEPORT each worker listens on its
    own socket, once it has warmed up, and the kernel spreads new connections over the listening
    sockets by their addresses. The parent holds the port with a bound socket that never listens."""
    holder = _reuseport_socket(config.host, config.port)
    holder.set_inheritable(True)
    with mock.patch.object(multiprocess, "Process", _OwnSocketProcess):
        try:
            multiprocess.Multiprocess(config, sockets=[holder]).run()
        except KeyboardInterrupt:
            pass
        finally:
            holder.close()
